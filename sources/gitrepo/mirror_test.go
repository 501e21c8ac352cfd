package gitrepo

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestMirrorSharedAndInterrupted: two projects sharing one mirrors
// directory mirror the same repository at once and both succeed (one
// waits for the other, then fetches); a clone a killed run left half made
// is removed by the next one; an interrupted clone reports the
// interruption (not a git failure) and leaves nothing behind.
func TestMirrorSharedAndInterrupted(t *testing.T) {
	needGit(t)
	src := t.TempDir()
	gitRun(t, src, nil, "init", "-q")
	if err := os.WriteFile(filepath.Join(src, "a.c"), []byte("int a;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gitRun(t, src, nil, "add", ".")
	gitRun(t, src, nil, "commit", "-q", "-m", "one")

	for _, how := range []string{MirrorGit, MirrorGoGit} {
		t.Run(how, func(t *testing.T) {
			mirrors := t.TempDir()
			dir := filepath.Join(mirrors, "src-1234")
			// What a killed clone leaves.
			stale := filepath.Join(mirrors, ".partial-src-1234-999")
			if err := os.MkdirAll(filepath.Join(stale, "objects"), 0o755); err != nil {
				t.Fatal(err)
			}

			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if _, err := Mirror(ctx, src, dir, how, nil); !errors.Is(err, context.Canceled) {
				t.Fatalf("clone with an interrupted context: %v, want context.Canceled", err)
			}

			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i := range errs {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					_, errs[i] = Mirror(context.Background(), src, dir, how, nil)
				}(i)
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("mirror %d of two at once: %v", i, err)
				}
			}
			left, _ := filepath.Glob(filepath.Join(mirrors, ".partial-*"))
			if len(left) > 0 {
				t.Errorf("partial clones left behind: %v", left)
			}
			r, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if _, err := r.Resolve("HEAD"); err != nil {
				t.Errorf("the mirror has no HEAD: %v", err)
			}
		})
	}
}
