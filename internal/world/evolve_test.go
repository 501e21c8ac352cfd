package world

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func loadTruthT(t *testing.T, w *World) *Truth {
	t.Helper()
	tr, err := LoadTruth(filepath.Join(w.Dir, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func revParse(t *testing.T, repo, rev string) string {
	t.Helper()
	return strings.TrimSpace(gitCmd(t, repo, "rev-parse", rev))
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// withoutFiles drops from a git diff the sections of the given paths.
func withoutFiles(diff string, files []string) string {
	var out []string
	for i, sec := range strings.Split(diff, "\ndiff --git ") {
		head := sec
		if i > 0 {
			head = "diff --git " + sec
		}
		first, _, _ := strings.Cut(head, "\n")
		skip := false
		for _, f := range files {
			if first == "diff --git a/"+f+" b/"+f {
				skip = true
			}
		}
		if !skip {
			out = append(out, head)
		}
	}
	return strings.Join(out, "\n")
}

func TestRebaseDropsBackport(t *testing.T) {
	needGit(t)
	w := buildSmall(t, 1)
	for _, src := range []string{"rhel", "ofed"} {
		before := loadTruthT(t, w)
		ds := before.Downstream(src)
		repo := w.Repos[src]
		oldTip := revParse(t, repo, ds.Branch)
		oldList := nonEmptyLines(gitCmd(t, repo, "rev-list", ds.Branch))

		info, err := Rebase(w.Dir, src, 1)
		if err != nil {
			t.Fatalf("Rebase %s: %v", src, err)
		}
		t.Logf("%s: dropped %s carrying %v; %d commits re-created", src, info.Dropped, info.Upstream, len(info.Renamed))
		k := indexOfEntry(ds, info.Dropped)
		if k < 0 {
			t.Fatalf("%s: dropped %s is not a truth entry", src, info.Dropped)
		}
		if e := ds.Commits[k]; e.Kind != KindCherryPick && e.Kind != KindExact && e.Kind != KindContext || e.RevertedBy != "" ||
			!slices.Equal(e.Upstream, info.Upstream) || len(info.Upstream) == 0 {
			t.Errorf("%s: dropped %s is a %s entry with upstream %v (reverted by %q), want a live backport of %v", src, info.Dropped, e.Kind, e.Upstream, e.RevertedBy, info.Upstream)
		}
		files := nonEmptyLines(gitCmd(t, repo, "show", "--format=", "--name-only", "--no-renames", info.Dropped))

		// The branch: one commit fewer, without the dropped one.
		newTip := revParse(t, repo, ds.Branch)
		newList := nonEmptyLines(gitCmd(t, repo, "rev-list", ds.Branch))
		if len(newList) != len(oldList)-1 {
			t.Errorf("%s: %d commits after the rebase, want %d", src, len(newList), len(oldList)-1)
		}
		if slices.Contains(newList, info.Dropped) {
			t.Errorf("%s: %s still on %s", src, info.Dropped, ds.Branch)
		}
		// Exactly the descendants of the dropped commit were re-created.
		desc := nonEmptyLines(gitCmd(t, repo, "rev-list", "--ancestry-path", info.Dropped+".."+oldTip))
		if len(desc) != len(info.Renamed) {
			t.Errorf("%s: %d commits re-created, %d descend from the dropped one", src, len(info.Renamed), len(desc))
		}
		for _, d := range desc {
			if n, ok := info.Renamed[d]; !ok || !slices.Contains(newList, n) || slices.Contains(newList, d) {
				t.Errorf("%s: descendant %s not replaced on the branch (renamed to %q)", src, d, n)
			}
		}
		if want := info.Renamed[oldTip]; newTip != want {
			t.Errorf("%s: branch at %s, want the re-created tip %s", src, newTip, want)
		}
		// The new tip is the old one without the dropped change.
		if got, want := gitCmd(t, repo, "diff", "--no-renames", oldTip, newTip), gitCmd(t, repo, "diff", "--no-renames", info.Dropped, info.Dropped+"^"); got != want {
			t.Errorf("%s: old tip -> new tip is not the inverse of %s:\n%s\nwant:\n%s", src, info.Dropped, got, want)
		}
		// Every re-created commit keeps its author, message and change.
		for old, nw := range info.Renamed {
			meta := "--format=%an <%ae> %at|%cn <%ce>|%P|%B"
			om := gitCmd(t, repo, "log", "-1", meta, old)
			nm := gitCmd(t, repo, "log", "-1", meta, nw)
			op, np := strings.Split(om, "|")[2], strings.Split(nm, "|")[2]
			if strings.Replace(om, op, "", 1) != strings.Replace(nm, np, "", 1) || len(strings.Fields(op)) != len(strings.Fields(np)) {
				t.Errorf("%s: %s -> %s changed more than parents:\n%s\n%s", src, old, nw, om, nm)
			}
			od := gitCmd(t, repo, "diff", "--no-renames", old+"^", old)
			nd := gitCmd(t, repo, "diff", "--no-renames", nw+"^", nw)
			if len(strings.Fields(op)) == 1 && od != nd {
				t.Errorf("%s: %s -> %s: the diff changed", src, old, nw)
			}
			if withoutFiles(od, files) != withoutFiles(nd, files) {
				t.Errorf("%s: merge %s -> %s: the diff changed beyond %v", src, old, nw, files)
			}
		}
		// Old releases stay.
		for _, tag := range ds.Tags {
			if got := revParse(t, repo, tag.Name+"^{commit}"); got != tag.Commit {
				t.Errorf("%s: tag %s at %s, want %s", src, tag.Name, got, tag.Commit)
			}
		}

		after := loadTruthT(t, w)
		ads := after.Downstream(src)
		if ads.Head != newTip {
			t.Errorf("%s: truth head %s, branch %s", src, ads.Head, newTip)
		}
		var want []string
		for _, e := range ds.Commits {
			if e.ID == info.Dropped {
				continue
			}
			if n, ok := info.Renamed[e.ID]; ok {
				want = append(want, n)
			} else {
				want = append(want, e.ID)
			}
		}
		var got []string
		for _, e := range ads.Commits {
			got = append(got, e.ID)
			for _, r := range []string{e.Reverts, e.RevertedBy} {
				if _, old := info.Renamed[r]; old || r == info.Dropped {
					t.Errorf("%s: entry %s still names the old commit %s", src, e.ID, r)
				}
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: truth entries after the rebase:\n%v\nwant:\n%v", src, got, want)
		}
		for _, m := range ads.Merges {
			if _, old := info.Renamed[m]; old || !slices.Contains(newList, m) {
				t.Errorf("%s: truth merge %s is not on the branch", src, m)
			}
		}
		if n := baseIndex(t, after, ads) + 1 + len(ads.Commits) + len(ads.Merges); n != len(newList) {
			t.Errorf("%s: truth accounts for %d commits, the branch has %d", src, n, len(newList))
		}
		for _, u := range info.Upstream {
			if slices.Contains(ds.Missing, u) || !slices.Contains(ads.Missing, u) {
				t.Errorf("%s: upstream %s: missing before %v, after %v; want false, true", src, u, slices.Contains(ds.Missing, u), slices.Contains(ads.Missing, u))
			}
		}
		checkStatuses(t, after)
		if out := gitCmd(t, repo, "fsck", "--full", "--strict"); strings.Contains(out, "error") {
			t.Errorf("%s: fsck: %s", src, out)
		}
	}
	if _, err := Rebase(w.Dir, "linux", 1); err == nil {
		t.Error("Rebase of the upstream succeeded")
	}
}

func baseIndex(t *testing.T, tr *Truth, ds *Downstream) int {
	t.Helper()
	i := indexOf(tr, ds.BaseCommit)
	if i < 0 {
		t.Fatalf("%s: base %s not upstream", ds.Source, ds.BaseCommit)
	}
	return i
}

// revertable lists the upstream commits ofed carries (backports and landed
// patches) whose files did not change since ("clean"), and the others.
func revertable(t *testing.T, w *World) (clean, touched []string) {
	t.Helper()
	tr := w.Truth
	reverted := map[string]bool{}
	for _, r := range tr.Upstream.Reverts {
		reverted[r.Reverted] = true
	}
	up := w.Repos["linux"]
	for _, e := range tr.Downstream("ofed").Commits {
		if e.RevertedBy != "" {
			continue
		}
		for _, u := range e.Upstream {
			c := tr.Upstream.Commits[indexOf(tr, u)]
			if reverted[u] || c.Merge || c.Release != "" || c.Reverts != "" || len(c.Files) == 0 ||
				slices.Contains(clean, u) || slices.Contains(touched, u) {
				continue
			}
			err := exec.Command("git", append([]string{"-C", up, "diff", "--quiet", u, tr.Upstream.Branch, "--"}, c.Files...)...).Run()
			var ee *exec.ExitError
			switch {
			case err == nil:
				clean = append(clean, u)
			case errors.As(err, &ee) && ee.ExitCode() == 1:
				touched = append(touched, u)
			default:
				t.Fatalf("git diff %s: %v", u, err)
			}
		}
	}
	return clean, touched
}

func TestRevertUpstream(t *testing.T) {
	needGit(t)
	w := buildSmall(t, 1)
	up := w.Repos["linux"]
	branch := w.Truth.Upstream.Branch
	clean, touched := revertable(t, w)
	if len(clean) == 0 || len(touched) == 0 {
		t.Fatalf("ofed carries %d cleanly revertable upstream commits and %d changed since, want some of both", len(clean), len(touched))
	}
	target := clean[0]
	oldTip := revParse(t, up, branch)
	id, err := RevertUpstream(w.Dir, target)
	if err != nil {
		t.Fatalf("RevertUpstream %s: %v", target, err)
	}
	t.Logf("reverted %s as %s", target, id)
	if got := revParse(t, up, branch); got != id {
		t.Errorf("%s at %s, want the revert %s", branch, got, id)
	}
	if got := revParse(t, up, id+"^"); got != oldTip {
		t.Errorf("revert's parent %s, want the old tip %s", got, oldTip)
	}
	if got, want := gitCmd(t, up, "show", "--format=", "--no-renames", id), gitCmd(t, up, "diff", "--no-renames", target, target+"^"); got != want || got == "" {
		t.Errorf("revert diff:\n%s\nwant the inverse of %s:\n%s", got, target, want)
	}
	subj := w.Truth.Upstream.Commits[indexOf(w.Truth, target)].Subject
	msg := gitCmd(t, up, "log", "-1", "--format=%B", id)
	if want := "Revert \"" + subj + "\"\n\nThis reverts commit " + target + ".\n\nSigned-off-by: "; !strings.HasPrefix(msg, want) {
		t.Errorf("revert message:\n%s\nwant it to start with:\n%s", msg, want)
	}

	tr := loadTruthT(t, w)
	last := tr.Upstream.Commits[len(tr.Upstream.Commits)-1]
	if last.ID != id || last.Reverts != target || tr.Upstream.Head != id || !slices.Contains(tr.Upstream.Reverts, Revert{Commit: id, Reverted: target}) {
		t.Errorf("truth does not record the revert: last commit %+v, head %s", last, tr.Upstream.Head)
	}
	ofed := tr.Downstream("ofed")
	if !slices.Contains(ofed.Missing, id) {
		t.Errorf("ofed carries %s but its revert %s is not missing", target, id)
	}

	// Refused: a second revert, a commit whose files changed since, an unknown id.
	if _, err := RevertUpstream(w.Dir, target); err == nil || !strings.Contains(err.Error(), "already reverted") {
		t.Errorf("second revert of %s: %v, want an error", target, err)
	}
	if _, err := RevertUpstream(w.Dir, touched[0]); err == nil || !strings.Contains(err.Error(), "changed again") {
		t.Errorf("revert of %s whose files changed since: %v, want an error", touched[0], err)
	}
	if _, err := RevertUpstream(w.Dir, strings.Repeat("0", 40)); err == nil {
		t.Error("revert of an unknown commit succeeded")
	}
	if got := revParse(t, up, branch); got != id {
		t.Errorf("a refused revert moved %s to %s", branch, got)
	}
	if out := gitCmd(t, up, "fsck", "--full", "--strict"); strings.Contains(out, "error") {
		t.Errorf("fsck: %s", out)
	}
}

// addFix adds a fix of the first rhel backport that can be fixed; it
// returns the fixed commit and the fix.
func addFix(t *testing.T, w *World, seed int64) (string, string) {
	t.Helper()
	for _, e := range w.Truth.Downstream("rhel").Commits {
		if e.Kind != KindCherryPick || e.RevertedBy != "" || len(e.Upstream) != 1 {
			continue
		}
		id, err := AddUpstreamFix(w.Dir, e.Upstream[0], seed)
		if err == nil {
			return e.Upstream[0], id
		}
		if !strings.Contains(err.Error(), "nothing to fix") {
			t.Fatalf("AddUpstreamFix %s: %v", e.Upstream[0], err)
		}
	}
	t.Fatal("no rhel backport could be fixed")
	return "", ""
}

var hunkHeader = regexp.MustCompile(`(?m)^@@ -(\d+)(?:,1)? \+\d+(?:,1)? @@`)

func TestAddUpstreamFix(t *testing.T) {
	needGit(t)
	w := buildSmall(t, 1)
	up := w.Repos["linux"]
	branch := w.Truth.Upstream.Branch
	oldTip := revParse(t, up, branch)
	fixed, id := addFix(t, w, 1)
	t.Logf("fixed %s with %s", fixed, id)
	if got := revParse(t, up, id+"^"); got != oldTip || revParse(t, up, branch) != id {
		t.Errorf("fix's parent %s, want the old tip %s, with %s on it", got, oldTip, branch)
	}
	fc := w.Truth.Upstream.Commits[indexOf(w.Truth, fixed)]
	msg := gitCmd(t, up, "log", "-1", "--format=%B", id)
	prefix, _, _ := strings.Cut(fc.Subject, ":")
	subject, _, _ := strings.Cut(msg, "\n")
	if !strings.HasPrefix(subject, prefix+": Fix ") || !strings.Contains(subject, " in ") {
		t.Errorf("fix subject %q, want %q then \"Fix ... in ...\"", subject, prefix+": ")
	}
	for _, want := range []string{"Fixes: " + fixed[:12] + " (\"" + fc.Subject + "\")\n", "Cc: stable@vger.kernel.org\n", "Signed-off-by: "} {
		if !strings.Contains(msg, want) {
			t.Errorf("fix message lacks %q:\n%s", want, msg)
		}
	}
	// One line changed, in a file the fixed commit touched, near a line it added.
	stat := nonEmptyLines(gitCmd(t, up, "show", "--format=", "--numstat", id))
	if len(stat) != 1 || !strings.HasPrefix(stat[0], "1\t1\t") {
		t.Fatalf("fix numstat %q, want one line changed in one file", stat)
	}
	path := strings.TrimPrefix(stat[0], "1\t1\t")
	if !slices.Contains(fc.Files, path) {
		t.Errorf("fix changes %s, not a file of %s (%v)", path, fixed, fc.Files)
	}
	m := hunkHeader.FindStringSubmatch(gitCmd(t, up, "show", "--format=", "-U0", id))
	if m == nil {
		t.Fatal("no one-line hunk in the fix")
	}
	at, _ := strconv.Atoi(m[1])
	added := map[string]bool{}
	for _, l := range strings.Split(gitCmd(t, up, "show", "--format=", fixed, "--", path), "\n") {
		if strings.HasPrefix(l, "+") && !strings.HasPrefix(l, "+++") {
			added[l[1:]] = true
		}
	}
	lines := strings.Split(gitCmd(t, up, "show", oldTip+":"+path), "\n")
	near := false
	for j := max(0, at-1-3); j <= min(len(lines)-1, at-1+3); j++ {
		near = near || added[lines[j]] && strings.TrimSpace(lines[j]) != ""
	}
	if !near {
		t.Errorf("fix changes %s line %d, not within 3 lines of a line %s added", path, at, fixed)
	}

	tr := loadTruthT(t, w)
	last := tr.Upstream.Commits[len(tr.Upstream.Commits)-1]
	if last.ID != id || !slices.Equal(last.Fixes, []string{fixed}) || !last.Stable || tr.Upstream.Head != id {
		t.Errorf("truth does not record the fix: %+v", last)
	}
	if l := tr.Upstream.Fixes[len(tr.Upstream.Fixes)-1]; l.Commit != id || !slices.Equal(l.Fixes, []string{fixed}) {
		t.Errorf("truth fix link %+v, want %s -> %s", l, id, fixed)
	}
	rhel := tr.Downstream("rhel")
	if !slices.Contains(rhel.MissingFixes, id) {
		t.Errorf("rhel has %s but its new fix %s is not a missing fix", fixed, id)
	}
	if _, err := AddUpstreamFix(w.Dir, strings.Repeat("0", 40), 1); err == nil {
		t.Error("fix of an unknown commit succeeded")
	}
	if out := gitCmd(t, up, "fsck", "--full", "--strict"); strings.Contains(out, "error") {
		t.Errorf("fsck: %s", out)
	}
}

// TestEvolveFixRevertDeterministic: two worlds of one seed evolved the same way
// get the same commits and the same truth.
func TestEvolveFixRevertDeterministic(t *testing.T) {
	needGit(t)
	var ids [2][]string
	var truths [2][]byte
	for i := range ids {
		w := buildSmall(t, 1)
		clean, _ := revertable(t, w)
		if len(clean) == 0 {
			t.Fatal("nothing to revert")
		}
		info, err := Rebase(w.Dir, "rhel", 1)
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = append(ids[i], info.Dropped, info.Renamed[w.Truth.Downstream("rhel").Head])
		_, fix := addFix(t, w, 7)
		rev, err := RevertUpstream(w.Dir, clean[0])
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = append(ids[i], fix, rev)
		if truths[i], err = os.ReadFile(filepath.Join(w.Dir, "truth.json")); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(ids[0], ids[1]) {
		t.Errorf("same seed, different commits:\n%v\n%v", ids[0], ids[1])
	}
	if !bytes.Equal(truths[0], truths[1]) {
		t.Error("same seed, different truth.json")
	}
}
