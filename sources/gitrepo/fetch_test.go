package gitrepo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFetchSaysWhatMoved: a mirror fetched again tells whether its refs
// moved, with every method, and auto fetches with the git CLI when it is
// on PATH (BENCHMARKS.md: go-git's fetch of a kernel-size mirror takes
// about three times git's time). A fetch with the CLI moves refs that a
// clone packed; the mirror's branch then points where the source's does.
func TestFetchSaysWhatMoved(t *testing.T) {
	needGit(t)
	for _, tc := range []struct{ how, cloneWith, fetchWith string }{
		{MirrorAuto, "git", "git"},
		{MirrorGit, "git", "git"},
		{MirrorGoGit, "go-git", "go-git"},
	} {
		t.Run(tc.how, func(t *testing.T) {
			src := t.TempDir()
			gitRun(t, src, nil, "init", "-q", "-b", "main")
			commit := func(msg string) {
				if err := os.WriteFile(filepath.Join(src, "a.c"), []byte(msg+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				gitRun(t, src, nil, "add", ".")
				gitRun(t, src, nil, "commit", "-q", "-m", msg)
			}
			commit("one")
			dir := filepath.Join(t.TempDir(), "src")
			ctx := context.Background()
			res, err := Mirror(ctx, src, dir, tc.how, nil)
			if err != nil || !res.Cloned || res.With != tc.cloneWith {
				t.Fatalf("clone: %+v, %v; want cloned with %s", res, err, tc.cloneWith)
			}
			res, err = Mirror(ctx, src, dir, tc.how, nil)
			if err != nil || res.Cloned || res.Changed {
				t.Fatalf("fetch of nothing new: %+v, %v; want nothing changed", res, err)
			}
			commit("two")
			gitRun(t, src, nil, "tag", "v1")
			res, err = Mirror(ctx, src, dir, tc.how, nil)
			if err != nil || !res.Changed || res.With != tc.fetchWith {
				t.Fatalf("fetch of a new commit and tag: %+v, %v; want changed, with %s", res, err, tc.fetchWith)
			}
			want := strings.TrimSpace(gitRun(t, src, nil, "rev-parse", "main"))
			for _, ref := range []string{"main", "v1"} {
				if got := strings.TrimSpace(gitRun(t, dir, nil, "rev-parse", ref)); got != want {
					t.Errorf("mirror's %s is %.12s; want the source's %.12s", ref, got, want)
				}
			}
		})
	}
}
