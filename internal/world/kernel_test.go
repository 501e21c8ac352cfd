package world

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kdelta/kdelta/change"
)

func gitOut(t *testing.T, repo string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", repo}, args...)...).Output()
	if err != nil {
		t.Fatalf("git %s in %s: %v", strings.Join(args, " "), repo, err)
	}
	return string(out)
}

func gitCount(t *testing.T, repo string, args ...string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.TrimSpace(gitOut(t, repo, args...)))
	if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return n
}

// TestKernelMini builds the kernel world at 1/20 of its size and checks
// with the git CLI that it has the shape issue 14 asks for.
func TestKernelMini(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not on PATH")
	}
	t.Parallel()
	start := time.Now()
	w, err := Build(Options{Seed: 1, Size: KernelMini, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("built in %s", time.Since(start))
	kc := kernelConfigFor(KernelMini)
	up := w.Repos["linux"]

	if n := gitCount(t, up, "rev-list", "--count", "--no-merges", "master"); n < kc.commits {
		t.Errorf("master has %d non-merge commits, want at least %d", n, kc.commits)
	}
	if n := gitCount(t, up, "rev-list", "--count", "--merges", "master"); n < kc.commits/200 {
		t.Errorf("master has %d merges, want topic merges (at least %d)", n, kc.commits/200)
	}
	files := strings.Split(strings.TrimSpace(gitOut(t, up, "ls-tree", "-r", "--name-only", "master")), "\n")
	dirs := map[string]bool{}
	for _, f := range files {
		for d := filepath.Dir(f); d != "."; d = filepath.Dir(d) {
			dirs[d] = true
		}
	}
	if len(files) < kc.files || len(dirs) < kc.dirs {
		t.Errorf("master's tree has %d files in %d directories, want at least %d in %d", len(files), len(dirs), kc.files, kc.dirs)
	}
	rdma := gitCount(t, up, "rev-list", "--count", "--no-merges", "master", "--", "drivers/infiniband", "drivers/net/ethernet/mellanox", "include/rdma", "include/uapi/rdma")
	if share := float64(rdma) / float64(kc.commits); share < 0.015 || share > 0.03 {
		t.Errorf("%d commits touch RDMA paths (%.3f of all), want about 2%%", rdma, share)
	}
	tags := strings.Fields(gitOut(t, up, "tag", "--list"))
	var releases, stable int
	for _, tg := range tags {
		if strings.Count(tg, ".") == 1 {
			releases++
		} else {
			stable++
		}
	}
	if releases < kc.commits/kc.tagEvery || stable < 4 {
		t.Errorf("%d release tags and %d stable tags, want %d and some", releases, stable, kc.commits/kc.tagEvery)
	}
	// Stable tags are not on master.
	if out := gitOut(t, up, "branch", "--contains", "v5.14.1"); strings.Contains(out, "master") {
		t.Errorf("stable tag v5.14.1 is on master: %s", out)
	}
	// The merge window is written but reachable only after AdvanceKernel.
	onMaster := map[string]bool{}
	for _, id := range strings.Fields(gitOut(t, up, "rev-list", "master")) {
		onMaster[id] = true
	}
	before := gitCount(t, up, "rev-list", "--count", "--no-merges", "master")
	if _, err := AdvanceKernel(w.Dir); err != nil {
		t.Fatal(err)
	}
	if after := gitCount(t, up, "rev-list", "--count", "--no-merges", "master"); after-before != kc.window {
		t.Errorf("advance added %d commits, want %d", after-before, kc.window)
	}
	// The truth lists every RDMA commit, the window's too, but for the
	// initial import.
	rdma = gitCount(t, up, "rev-list", "--count", "--no-merges", "master", "--", "drivers/infiniband", "drivers/net/ethernet/mellanox", "include/rdma", "include/uapi/rdma")
	if got := len(w.Truth.Upstream.Commits); got != rdma-1 {
		t.Errorf("truth lists %d upstream RDMA commits, git finds %d", got, rdma)
	}

	for _, tc := range []struct {
		source, branch, base string
		n, picks             int
		style                change.RefStyle
	}{
		{"rhel", "main", "v5.14", kc.distro, kc.backport, change.RHELCommit},
		{"ofed", "master", "v6.1", kc.vendor, kc.vendorBP, change.CherryPicked},
	} {
		repo := w.Repos[tc.source]
		if n := gitCount(t, repo, "rev-list", "--count", "--no-merges", tc.base+".."+tc.branch); n != tc.n {
			t.Errorf("%s has %d commits since %s, want %d", tc.source, n, tc.base, tc.n)
		}
		d := w.Truth.Downstream(tc.source)
		if d == nil {
			t.Fatalf("no truth for %s", tc.source)
		}
		bodies := map[string]string{}
		for _, rec := range strings.Split(gitOut(t, repo, "log", "--no-merges", "--format=%H%n%B%x00", tc.base+".."+tc.branch), "\x00") {
			if id, body, ok := strings.Cut(strings.TrimLeft(rec, "\n"), "\n"); ok {
				bodies[id] = body
			}
		}
		var picks, reworked int
		for _, e := range d.Commits {
			if len(e.Upstream) == 0 {
				continue
			}
			picks++
			if e.Kind == KindConflict {
				reworked++
			}
			if e.Trailer != tc.style {
				t.Errorf("%s %s: trailer %q, want %q", tc.source, e.ID, e.Trailer, tc.style)
			}
			body := bodies[e.ID]
			want := "commit " + e.Upstream[0] + "\n"
			if tc.style == change.CherryPicked {
				want = "(cherry picked from commit " + e.Upstream[0] + ")"
			} else if !strings.Contains(body, "JIRA: https://issues.redhat.com/browse/RHEL-") {
				t.Errorf("%s %s: no JIRA: line in\n%s", tc.source, e.ID, body)
			}
			if !strings.Contains(body, want) {
				t.Errorf("%s %s: body lacks %q:\n%s", tc.source, e.ID, want, body)
			}
			if e.Kind == KindConflict && tc.style == change.RHELCommit && !strings.Contains(body, "Conflicts: ") {
				t.Errorf("%s %s: reworked backport without a Conflicts: note", tc.source, e.ID)
			}
		}
		if picks != tc.picks || reworked == 0 {
			t.Errorf("%s: %d backports (%d reworked), want %d, some reworked", tc.source, picks, reworked, tc.picks)
		}
	}
	// Every backported commit is on master before the merge window, after
	// the downstream's base.
	for _, d := range w.Truth.Downstreams {
		baseAndBefore := map[string]bool{}
		for _, id := range strings.Fields(gitOut(t, up, "rev-list", d.BaseTag)) {
			baseAndBefore[id] = true
		}
		for _, e := range d.Commits {
			for _, u := range e.Upstream {
				if !onMaster[u] || baseAndBefore[u] {
					t.Errorf("%s %s backports %s, which is not on master between %s and the merge window", d.Source, e.ID, u, d.BaseTag)
				}
			}
		}
	}
	if out, err := exec.Command("git", "-C", w.Repos["rhel"], "fsck", "--connectivity-only", "--no-dangling").CombinedOutput(); err != nil {
		t.Errorf("git fsck rhel: %v\n%s", err, out)
	}
}

// TestKernelMiniDeterministic: two builds from one seed write the same
// commits (the upstream's, the distro's and the vendor's heads).
func TestKernelMiniDeterministic(t *testing.T) {
	t.Parallel()
	var heads [2][3]string
	for i := range heads {
		w, err := Build(Options{Seed: 1, Size: KernelMini, Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		heads[i] = [3]string{w.Truth.Upstream.Head, w.Truth.Downstreams[0].Head, w.Truth.Downstreams[1].Head}
	}
	if heads[0] != heads[1] {
		t.Errorf("two builds from seed 1 differ: %v and %v", heads[0], heads[1])
	}
}
