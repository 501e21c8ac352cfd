package gitrepo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// walkAll lists the walk from tip as "id tree parents unix-time" lines.
func walkAll(t *testing.T, path, tip string) ([]string, bool) {
	t.Helper()
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []string
	err = r.Walk(context.Background(), []plumbing.Hash{plumbing.NewHash(tip)}, func(n *Node) error {
		out = append(out, fmt.Sprintf("%s %s %v %d", n.Hash, n.Tree, n.Parents, n.Time.Unix()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, r.graph != nil
}

// TestCommitGraph: a walk reads the commit-graph file git writes, and
// gives what reading the commit objects gives: the same commits, trees,
// parents (a merge's in order) and times, also for commits newer than
// the file, and for a repository whose file is damaged. (The commits share
// one committer time, so the order is not compared: ties are the walk's.)
func TestCommitGraph(t *testing.T) {
	needGit(t)
	dir := t.TempDir()
	gitRun(t, dir, nil, "init", "-q", "-b", "main")
	commit := func(name string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(name+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		gitRun(t, dir, nil, "add", name)
		gitRun(t, dir, nil, "commit", "-q", "-m", "add "+name)
	}
	commit("a")
	gitRun(t, dir, nil, "checkout", "-q", "-b", "topic")
	commit("b")
	gitRun(t, dir, nil, "checkout", "-q", "main")
	commit("c")
	gitRun(t, dir, nil, "merge", "-q", "--no-ff", "-m", "merge topic", "topic")
	want := strings.Fields(gitRun(t, dir, nil, "rev-list", "--full-history", "main"))

	graphFile := filepath.Join(dir, ".git", "objects", "info", "commit-graph")
	for _, tc := range []struct {
		name      string
		prepare   func()
		graphRead bool
	}{
		{"no commit-graph", func() {}, false},
		{"commit-graph of every commit", func() { gitRun(t, dir, nil, "commit-graph", "write", "--reachable") }, true},
		{"commits newer than the commit-graph", func() {
			commit("d")
			want = append([]string{strings.TrimSpace(gitRun(t, dir, nil, "rev-parse", "main"))}, want...)
		}, true},
		{"damaged commit-graph", func() {
			os.Chmod(graphFile, 0o644)
			if err := os.WriteFile(graphFile, []byte("CGPH garbage"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"split commit-graph of two layers", func() {
			if err := os.Remove(graphFile); err != nil {
				t.Fatal(err)
			}
			gitRun(t, dir, nil, "commit-graph", "write", "--reachable", "--split=no-merge")
			commit("e")
			want = append([]string{strings.TrimSpace(gitRun(t, dir, nil, "rev-parse", "main"))}, want...)
			gitRun(t, dir, nil, "commit-graph", "write", "--reachable", "--split=no-merge")
			chain, err := os.ReadFile(filepath.Join(dir, ".git", "objects", "info", "commit-graphs", "commit-graph-chain"))
			if err != nil || len(strings.Fields(string(chain))) != 2 {
				t.Fatalf("commit-graph chain %q (%v), want two layers", chain, err)
			}
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.prepare()
			tip := strings.TrimSpace(gitRun(t, dir, nil, "rev-parse", "main"))
			got, used := walkAll(t, dir, tip)
			if used != tc.graphRead {
				t.Errorf("commit-graph read: %v, want %v", used, tc.graphRead)
			}
			if len(got) != len(want) {
				t.Fatalf("walk gave %d commits, git rev-list %d", len(got), len(want))
			}
			inGit := map[string]bool{}
			for _, id := range want {
				inGit[id] = true
			}
			for _, line := range got {
				id := strings.Fields(line)[0]
				if !inGit[id] {
					t.Errorf("walk gave %s, which git rev-list does not list", id)
				}
				log := strings.TrimSpace(gitRun(t, dir, nil, "log", "-1", "--format=%H %T [%P] %ct", id))
				if line != log {
					t.Errorf("node %q, git log says %q", line, log)
				}
			}
		})
	}
}

// TestMirrorWritesCommitGraph: a mirror made with the git CLI has a
// commit-graph of every commit, and a CLI fetch extends it, so that the
// walks of the first sync and of the resyncs read no commit object.
func TestMirrorWritesCommitGraph(t *testing.T) {
	needGit(t)
	src := t.TempDir()
	gitRun(t, src, nil, "init", "-q", "-b", "main")
	add := func(name string) {
		if err := os.WriteFile(filepath.Join(src, name), []byte(name+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		gitRun(t, src, nil, "add", name)
		gitRun(t, src, nil, "commit", "-q", "-m", "add "+name)
	}
	add("a")
	dir := filepath.Join(t.TempDir(), "mirror")
	for _, step := range []string{"clone", "fetch"} {
		if step == "fetch" {
			add("b")
		}
		if _, err := Mirror(context.Background(), src, dir, MirrorGit, nil); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		tip := strings.TrimSpace(gitRun(t, src, nil, "rev-parse", "main"))
		r, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		r.Node(plumbing.NewHash(tip))
		if r.graph == nil {
			t.Fatalf("after the %s the mirror has no commit-graph", step)
		}
		if _, err := r.graph.GetIndexByHash(plumbing.NewHash(tip)); err != nil {
			t.Errorf("after the %s the commit-graph lacks the tip %s: %v", step, tip, err)
		}
		r.Close()
	}
}
