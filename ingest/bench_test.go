package ingest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/kdelta/kdelta/internal/world"
	"github.com/kdelta/kdelta/project"
)

// BenchmarkFirstSync measures a first sync of the demo world's upstream
// (mirror, walk, fingerprint, store). `make bench` measures the bench world
// against the git CLI; this is for profiling:
//
//	go test ./ingest -run - -bench FirstSync -cpuprofile cpu.out
//
// KDELTA_BENCH_CONFIG=path/to/kdelta.toml profiles another world instead
// (for example the bench world that `kdelta-bench -build-only` leaves).
func BenchmarkFirstSync(b *testing.B) {
	dir := b.TempDir()
	config := os.Getenv("KDELTA_BENCH_CONFIG")
	if config == "" {
		w, err := world.Build(world.Options{Seed: 1, Size: world.Demo, Dir: filepath.Join(dir, "world")})
		if err != nil {
			b.Fatal(err)
		}
		config = w.Config
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		cfg, err := project.Load(config)
		if err != nil {
			b.Fatal(err)
		}
		run := filepath.Join(dir, "run")
		os.RemoveAll(run)
		cfg.Store.Path = filepath.Join(run, "kdelta.db")
		cfg.Store.Mirrors = filepath.Join(run, "mirrors")
		b.StartTimer()
		if _, err := Sync(context.Background(), cfg, Options{Sources: []string{"linux"}}); err != nil {
			b.Fatal(err)
		}
	}
}
