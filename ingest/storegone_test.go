package ingest

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/store"
)

// onStage runs do when a sync starts a stage whose name has a word, once.
type onStage struct {
	quiet
	word string
	do   func()
}

func (p *onStage) Stage(name string, _ int) {
	if p.do != nil && strings.Contains(name, p.word) {
		p.do()
		p.do = nil
	}
}

// A SQLite store deleted or replaced while a sync writes it keeps nothing
// of the sync: the sync fails saying so, and no snapshot is saved (it
// said "saved snapshot 1" and exited 0).
func TestSyncNoticesItsStoreDeletedOrReplaced(t *testing.T) {
	for _, tc := range []struct {
		name string
		word string // the stage at which the store goes
		do   func(t *testing.T, path string)
		want string
	}{
		{"deleted while mirroring", "mirroring", func(t *testing.T, path string) { mustRemove(t, path) }, "deleted"},
		{"deleted while reading", "walking", func(t *testing.T, path string) { mustRemove(t, path) }, "deleted"},
		{"replaced while reading", "walking", func(t *testing.T, path string) {
			other := path + ".other"
			if err := os.WriteFile(other, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(other, path); err != nil {
				t.Fatal(err)
			}
		}, "another file took its place"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, cfg := smallWorld(t)
			path := cfg.StorePath()
			p := &onStage{word: tc.word, do: func() { tc.do(t, path) }}
			ctx := context.Background()
			run, err := Start(ctx, cfg, Options{Now: fixedNow, Progress: p})
			if err != nil {
				t.Fatal(err)
			}
			// Sync's error is what keeps its caller from saving a snapshot
			// into the store that is gone.
			_, err = run.Sync(ctx)
			if p.do != nil {
				t.Fatalf("no stage named %q", tc.word)
			}
			if !errors.Is(err, store.ErrGone) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("Sync: err = %v, want ErrGone naming %s, saying %q", err, path, tc.want)
			}
			if endErr := run.End(ctx, err); !errors.Is(endErr, store.ErrGone) {
				t.Errorf("End: err = %v, want the ErrGone of Sync", endErr)
			}
		})
	}
}

func mustRemove(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}
