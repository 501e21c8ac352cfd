package analyzer

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/kdelta/kdelta/ingest"
	"github.com/kdelta/kdelta/internal/world"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
)

// TestTwoSyncsGiveOneAnswer syncs the same trees into two fresh stores,
// with different numbers of diff workers so that the stores hold the
// commits in different orders, and asks both the same questions: the
// matches (`kdelta matches --format json`, the scripts' contract) and the
// deltas must be byte-identical, on the first call and when read back
// from the store.
func TestTwoSyncsGiveOneAnswer(t *testing.T) {
	w, err := world.Build(world.Options{Seed: 7, Size: world.Small, Dir: filepath.Join(t.TempDir(), "world")})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC) }
	answers := make([]map[string][]byte, 2)
	for i, workers := range []int{1, 3} {
		cfg, err := project.Load(w.Config)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Store.Path = filepath.Join(t.TempDir(), "kdelta.db")
		if _, err := ingest.Sync(ctx, cfg, ingest.Options{Now: now, Workers: workers}); err != nil {
			t.Fatal(err)
		}
		db, err := store.Open(ctx, cfg.StorePath(), now)
		if err != nil {
			t.Fatal(err)
		}
		answers[i] = map[string][]byte{}
		for _, ds := range []string{"rhel", "ofed", "sles", "mlnx-ofed"} {
			for call := 0; call < 2; call++ {
				r, err := Analyze(ctx, db, ds)
				if err != nil {
					t.Fatal(err)
				}
				if call == 1 && !r.Cached {
					t.Fatalf("%s: the second analysis was not read back from the store", ds)
				}
				m, err := json.Marshal(r.Matches)
				if err != nil {
					t.Fatal(err)
				}
				c, err := json.Marshal(r.Components)
				if err != nil {
					t.Fatal(err)
				}
				for name, b := range map[string][]byte{ds + " matches": m, ds + " delta": c} {
					if prev, ok := answers[i][name]; ok && !bytes.Equal(prev, b) {
						t.Errorf("%s: the analysis read back from the store differs from the computed one", name)
					}
					answers[i][name] = b
				}
			}
		}
		db.Close()
	}
	for name, a := range answers[0] {
		if b := answers[1][name]; !bytes.Equal(a, b) {
			t.Errorf("%s: two syncs of the same trees differ (%d and %d bytes)", name, len(a), len(b))
		}
	}
}
