package gitrepo

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestWalkDamagedGoesAroundAMissingCommit deletes a commit object from a
// repository: Walk stops at it with a DamagedError naming the commit,
// WalkDamaged hands it to the caller with the commit that names it and
// visits every commit git reaches without going through it.
func TestWalkDamagedGoesAroundAMissingCommit(t *testing.T) {
	needGit(t)
	dir := buildEdgeRepo(t)
	lost := strings.TrimSpace(gitRun(t, dir, nil, "rev-parse", "HEAD~3"))
	child := strings.TrimSpace(gitRun(t, dir, nil, "rev-parse", "HEAD~2"))
	want := strings.Fields(gitRun(t, dir, nil, "rev-list", "master", "^"+lost))
	if err := os.Remove(filepath.Join(dir, ".git", "objects", lost[:2], lost[2:])); err != nil {
		t.Fatal(err)
	}
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	tip, err := r.Resolve("master")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	err = r.Walk(ctx, []plumbing.Hash{tip}, func(*Node) error { return nil })
	var de *DamagedError
	if !errors.As(err, &de) || !errors.Is(err, ErrDamaged) || de.Object != "commit "+lost {
		t.Errorf("Walk: %v; want a DamagedError naming commit %s", err, lost)
	}
	var visited []string
	var missing [][2]string
	err = r.WalkDamaged(ctx, []plumbing.Hash{tip}, func(n *Node) error {
		visited = append(visited, n.Hash.String())
		return nil
	}, func(h, from plumbing.Hash, err error) error {
		if !errors.Is(err, ErrDamaged) {
			t.Errorf("missing %s: %v", h, err)
		}
		missing = append(missing, [2]string{h.String(), from.String()})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(visited, " ") != strings.Join(want, " ") || len(missing) != 1 || missing[0] != [2]string{lost, child} {
		t.Errorf("visited %q, missing %q; want %q and %s (a parent of %s)", visited, missing, want, lost, child)
	}
}
