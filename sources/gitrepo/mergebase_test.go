package gitrepo

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// history writes a repository from a script of commits on branches, each
// with its own committer date, so the graph has the shape real release
// branches have: a stable branch forked from master, fixes cherry-picked
// to it, master merged into a topic branch and back, tags on both.
type history struct {
	t     *testing.T
	dir   string
	clock int
}

func (h *history) git(args ...string) string {
	h.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = h.dir
	date := fmt.Sprintf("2023-01-01T00:%02d:%02dZ", h.clock/60, h.clock%60)
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=Ana Author", "GIT_AUTHOR_EMAIL=ana@example.org",
		"GIT_COMMITTER_NAME=Carl Committer", "GIT_COMMITTER_EMAIL=carl@example.org",
		"GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date,
		"GIT_CONFIG_NOSYSTEM=1", "HOME="+h.dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		h.t.Fatalf("git %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (h *history) commit(branch, file string) {
	h.t.Helper()
	h.clock++
	if h.clock > 1 { // the first commit makes the branch
		h.git("checkout", "-q", branch)
	}
	if err := os.WriteFile(filepath.Join(h.dir, file), []byte(fmt.Sprintf("%s %d\n", file, h.clock)), 0o644); err != nil {
		h.t.Fatal(err)
	}
	h.git("add", file)
	h.git("commit", "-q", "-m", fmt.Sprintf("%s: change %d", branch, h.clock))
}

func (h *history) merge(into, from string) {
	h.t.Helper()
	h.clock++
	h.git("checkout", "-q", into)
	h.git("merge", "-q", "--no-ff", "-m", "merge "+from+" into "+into, from)
}

// TestMergeBasesAcrossRepositories splits one history into an upstream
// repository (master, plus the stable branch's tags as projects publish
// them) and a downstream repository (the stable branch and its own
// commits), and checks the merge-base found across the two against
// `git merge-base --all` on the repository holding both.
func TestMergeBasesAcrossRepositories(t *testing.T) {
	needGit(t)
	root := t.TempDir()
	h := &history{t: t, dir: filepath.Join(root, "all")}
	if err := os.MkdirAll(h.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	h.git("init", "-q", "-b", "master")
	for i := 0; i < 4; i++ {
		h.commit("master", "core.c")
	}
	h.git("tag", "v1.0")
	h.git("branch", "stable-v1")
	h.git("branch", "topic")
	for i := 0; i < 3; i++ {
		h.commit("master", "core.c")
		h.commit("stable-v1", fmt.Sprintf("stable%d.c", i))
		h.commit("topic", "topic.c")
	}
	h.git("tag", "v1.1", "stable-v1")
	h.merge("topic", "master")
	h.commit("topic", "topic.c")
	h.merge("master", "topic")
	h.commit("master", "core.c")
	h.git("tag", "v2.0", "master")
	h.commit("stable-v1", "stable9.c")
	h.git("tag", "v1.2", "stable-v1")
	// A downstream of the stable branch with commits of its own, and one
	// that merged master's v2.0 in (a criss-cross is not needed: one merge
	// moves the base).
	h.git("branch", "vendor", "stable-v1")
	h.commit("vendor", "vendor.c")
	h.git("branch", "vendor2", "stable-v1")
	h.commit("vendor2", "vendor.c")
	h.merge("vendor2", "v2.0")
	h.commit("vendor2", "vendor2.c")

	// Upstream: master and every tag. Downstream: its branch alone.
	up := filepath.Join(root, "up.git")
	down := filepath.Join(root, "down.git")
	h.git("clone", "-q", "--bare", "--no-local", h.dir, up)
	h.git("--git-dir", up, "branch", "-D", "stable-v1", "topic", "vendor", "vendor2")
	h.git("init", "-q", "--bare", down)
	h.git("--git-dir", down, "fetch", "-q", "--no-tags", h.dir, "vendor:vendor", "vendor2:vendor2")

	upRepo, err := Open(up)
	if err != nil {
		t.Fatal(err)
	}
	defer upRepo.Close()
	downRepo, err := Open(down)
	if err != nil {
		t.Fatal(err)
	}
	defer downRepo.Close()
	master, err := upRepo.Resolve("master")
	if err != nil {
		t.Fatal(err)
	}
	for _, branch := range []string{"vendor", "vendor2"} {
		t.Run(branch, func(t *testing.T) {
			tip, err := downRepo.Resolve(branch)
			if err != nil {
				t.Fatal(err)
			}
			want := strings.Fields(h.git("merge-base", "--all", branch, "master"))
			sort.Strings(want)
			// Both orders of the two repositories give git's answer.
			for _, g := range []Graph{{downRepo, upRepo}, {upRepo, downRepo}} {
				got, err := g.MergeBases(context.Background(), []plumbing.Hash{tip}, []plumbing.Hash{master})
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, b := range got {
					ids = append(ids, b.String())
				}
				sort.Strings(ids)
				if strings.Join(ids, " ") != strings.Join(want, " ") {
					t.Errorf("merge-base of %s and master = %v, git says %v", branch, ids, want)
				}
			}
			// The old, wrong answer: the newest commit of the branch that the
			// upstream repository holds at all (here under the tag v1.2).
			v12, _ := upRepo.Resolve("v1.2")
			if want[0] == v12.String() {
				t.Fatalf("test history is wrong: the stable tag is the merge-base")
			}
		})
	}

	g := Graph{downRepo, upRepo}
	v10, _ := upRepo.Resolve("v1.0")
	v12, _ := upRepo.Resolve("v1.2")
	for _, c := range []struct {
		a    plumbing.Hash
		want bool
	}{{v10, true}, {v12, false}, {master, true}} {
		got, err := g.IsAncestor(context.Background(), c.a, []plumbing.Hash{master})
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("IsAncestor(%s, master) = %v, want %v", c.a.String()[:12], got, c.want)
		}
	}
}
