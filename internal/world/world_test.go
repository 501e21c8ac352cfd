package world

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/kdelta/kdelta/change"
)

func buildSmall(t *testing.T, seed int64) *World {
	t.Helper()
	w, err := Build(Options{Seed: seed, Size: Small, Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return w
}

func gitCmd(t *testing.T, repo string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", repo}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func needGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
}

func TestBuildSmallIsFast(t *testing.T) {
	start := time.Now()
	buildSmall(t, 1)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("small world took %v, want under 2s", d)
	}
}

func TestBuildReportsProgress(t *testing.T) {
	stages := map[string]bool{}
	_, err := Build(Options{Seed: 1, Size: Small, Dir: t.TempDir(), Progress: func(stage string, done, total int) {
		if done > total {
			t.Errorf("%s: done %d > total %d", stage, done, total)
		}
		stages[stage] = true
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"linux", "rhel", "ofed", "truth"} {
		if !stages[s] {
			t.Errorf("no progress for stage %s", s)
		}
	}
}

// BenchmarkBuild measures building a world:
// go test -run '^$' -bench Build ./world/
func BenchmarkBuild(b *testing.B) {
	for _, size := range []Size{Small, Demo} {
		b.Run(string(size), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := Build(Options{Seed: int64(i), Size: size, Dir: b.TempDir()}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestBuildRefusesNonEmptyDir(t *testing.T) {
	w := buildSmall(t, 1)
	if _, err := Build(Options{Seed: 1, Size: Small, Dir: w.Dir}); err == nil {
		t.Fatal("Build into a non-empty directory succeeded")
	}
	if _, err := Build(Options{Seed: 1, Size: "huge", Dir: t.TempDir()}); err == nil {
		t.Fatal("Build with an unknown size succeeded")
	}
}

func TestGitAcceptsRepos(t *testing.T) {
	needGit(t)
	w := buildSmall(t, 7)
	for name, repo := range w.Repos {
		if out := gitCmd(t, repo, "fsck", "--full", "--strict"); strings.Contains(out, "error") {
			t.Errorf("%s: fsck: %s", name, out)
		}
		branch := w.Truth.Upstream.Branch
		if ds := w.Truth.Downstream(name); ds != nil {
			branch = ds.Branch
		}
		n, _ := strconv.Atoi(strings.TrimSpace(gitCmd(t, repo, "rev-list", "--count", branch)))
		want := len(w.Truth.Upstream.Commits)
		if ds := w.Truth.Downstream(name); ds != nil {
			base := indexOf(w.Truth, ds.BaseCommit)
			want = base + 1 + len(ds.Commits) + len(ds.Merges)
		}
		if n != want {
			t.Errorf("%s: %d commits on %s, truth says %d", name, n, branch, want)
		}
		logLines := strings.Count(gitCmd(t, repo, "log", "--oneline", branch), "\n")
		if logLines != n {
			t.Errorf("%s: git log shows %d commits, rev-list %d", name, logLines, n)
		}
	}
	up := w.Repos["linux"]
	for _, tag := range w.Truth.Upstream.Tags {
		got := strings.TrimSpace(gitCmd(t, up, "rev-parse", tag.Name+"^{commit}"))
		if got != tag.Commit {
			t.Errorf("tag %s resolves to %s, truth says %s", tag.Name, got, tag.Commit)
		}
		typ := strings.TrimSpace(gitCmd(t, up, "cat-file", "-t", tag.Name))
		if (typ == "tag") != tag.Annotated {
			t.Errorf("tag %s is a %s, truth says annotated=%v", tag.Name, typ, tag.Annotated)
		}
	}
	// Every vendor base tag also resolves in the vendor repository.
	ofed := w.Truth.Downstream("ofed")
	if got := strings.TrimSpace(gitCmd(t, w.Repos["ofed"], "rev-parse", ofed.BaseTag+"^{commit}")); got != ofed.BaseCommit {
		t.Errorf("ofed base tag resolves to %s, want %s", got, ofed.BaseCommit)
	}
}

// TestExactKindsKeepPatchID checks the edit model against git: exact
// backports have the upstream patch-id, reworked ones do not.
func TestExactKindsKeepPatchID(t *testing.T) {
	needGit(t)
	w := buildSmall(t, 3)
	patchID := func(repo, id string) string {
		diff := exec.Command("git", "-C", repo, "show", "--format=", id)
		pid := exec.Command("git", "patch-id", "--stable")
		var err error
		if pid.Stdin, err = diff.StdoutPipe(); err != nil {
			t.Fatal(err)
		}
		if err := diff.Start(); err != nil {
			t.Fatal(err)
		}
		out, err := pid.Output()
		if err != nil {
			t.Fatal(err)
		}
		diff.Wait()
		if f := strings.Fields(string(out)); len(f) > 0 {
			return f[0]
		}
		return ""
	}
	for _, ds := range w.Truth.Downstreams {
		for _, e := range ds.Commits {
			if len(e.Upstream) != 1 || e.Kind == KindSquash {
				continue
			}
			same := patchID(w.Repos[ds.Source], e.ID) == patchID(w.Repos["linux"], e.Upstream[0])
			exact := e.Kind == KindExact || e.Kind == KindCherryPick
			if same != exact {
				t.Errorf("%s %s (%s): same patch-id as upstream = %v", ds.Source, e.ID[:12], e.Kind, same)
			}
		}
	}
}

func indexOf(tr *Truth, id string) int {
	for i, c := range tr.Upstream.Commits {
		if c.ID == id {
			return i
		}
	}
	return -1
}

func TestGoGitWalks(t *testing.T) {
	w := buildSmall(t, 11)
	for name, path := range w.Repos {
		repo, err := git.PlainOpen(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		head, err := repo.Head()
		if err != nil {
			t.Fatalf("%s: HEAD: %v", name, err)
		}
		iter, err := repo.Log(&git.LogOptions{From: head.Hash()})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		err = iter.ForEach(func(c *object.Commit) error {
			n++
			if n%25 != 0 {
				return nil
			}
			tree, err := c.Tree()
			if err != nil {
				return err
			}
			return tree.Files().ForEach(func(f *object.File) error {
				_, err := f.Contents()
				return err
			})
		})
		if err != nil {
			t.Fatalf("%s: walk: %v", name, err)
		}
		if n == 0 {
			t.Errorf("%s: no commits", name)
		}
		tags, _ := repo.Tags()
		tags.ForEach(func(r *plumbing.Reference) error {
			if _, err := repo.ResolveRevision(plumbing.Revision(r.Name().Short() + "^{commit}")); err != nil {
				t.Errorf("%s: tag %s: %v", name, r.Name().Short(), err)
			}
			return nil
		})
	}
}

func TestDeterministic(t *testing.T) {
	a, b, c := buildSmall(t, 42), buildSmall(t, 42), buildSmall(t, 43)
	if a.Truth.Upstream.Head != b.Truth.Upstream.Head {
		t.Errorf("same seed, different upstream heads")
	}
	for i := range a.Truth.Downstreams {
		if a.Truth.Downstreams[i].Head != b.Truth.Downstreams[i].Head {
			t.Errorf("same seed, different %s heads", a.Truth.Downstreams[i].Source)
		}
		if a.Truth.Downstreams[i].Head == c.Truth.Downstreams[i].Head {
			t.Errorf("different seeds, same %s head", a.Truth.Downstreams[i].Source)
		}
	}
	if a.Truth.Upstream.Head == c.Truth.Upstream.Head {
		t.Errorf("different seeds, same upstream head")
	}
	sameExtras(t, a, b)
	ma, _ := os.ReadFile(filepath.Join(a.Dir, listFile))
	mc, _ := os.ReadFile(filepath.Join(c.Dir, listFile))
	if bytes.Equal(ma, mc) {
		t.Error("different seeds, same mailing-list archive")
	}
}

// TestTruth checks that every id in the truth exists where it should and
// that the scenario has every kind of commit the matcher must handle.
func TestTruth(t *testing.T) {
	w := buildSmall(t, 5)
	tr, err := LoadTruth(filepath.Join(w.Dir, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	open := func(name string) *git.Repository {
		r, err := git.PlainOpen(w.Repos[name])
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	up := open("linux")
	hasCommit := func(r *git.Repository, id, what string) *object.Commit {
		t.Helper()
		c, err := r.CommitObject(plumbing.NewHash(id))
		if err != nil {
			t.Errorf("%s: commit %s: %v", what, id, err)
		}
		return c
	}
	upIDs := map[string]bool{}
	for _, c := range tr.Upstream.Commits {
		upIDs[c.ID] = true
		hasCommit(up, c.ID, "upstream")
	}
	for _, r := range tr.Upstream.Reverts {
		if !upIDs[r.Commit] || !upIDs[r.Reverted] {
			t.Errorf("revert %v: unknown ids", r)
		}
	}
	chain := false
	fixers := map[string]bool{}
	for _, f := range tr.Upstream.Fixes {
		fixers[f.Commit] = true
	}
	for _, f := range tr.Upstream.Fixes {
		for _, id := range f.Fixes {
			if !upIDs[id] {
				t.Errorf("fix %s: unknown target %s", f.Commit, id)
			}
			chain = chain || fixers[id]
		}
		c := hasCommit(up, f.Commit, "fix")
		if c != nil && !strings.Contains(c.Message, "Fixes: "+f.Fixes[0][:12]) {
			t.Errorf("fix %s: message lacks its Fixes: trailer", f.Commit)
		}
	}
	if !chain {
		t.Error("no fix of a fix upstream")
	}
	if len(tr.Upstream.Reverts) == 0 {
		t.Error("no upstream revert")
	}

	kinds := map[Kind]int{}
	styles := map[change.RefStyle]int{}
	for _, ds := range tr.Downstreams {
		repo := open(ds.Source)
		if !upIDs[ds.BaseCommit] {
			t.Errorf("%s: base %s not upstream", ds.Source, ds.BaseCommit)
		}
		hasCommit(repo, ds.BaseCommit, ds.Source+" base")
		ids := map[string]bool{}
		for _, e := range ds.Commits {
			ids[e.ID] = true
			kinds[e.Kind]++
			styles[e.Trailer]++
			c := hasCommit(repo, e.ID, ds.Source)
			for _, u := range e.Upstream {
				if !upIDs[u] {
					t.Errorf("%s %s: upstream %s unknown", ds.Source, e.ID, u)
				}
			}
			switch e.Kind {
			case KindDownstreamOnly, KindRevert, KindBinary:
				if len(e.Upstream) > 0 {
					t.Errorf("%s %s: %s with upstream ids", ds.Source, e.ID, e.Kind)
				}
			default:
				if len(e.Upstream) == 0 {
					t.Errorf("%s %s: %s without upstream ids", ds.Source, e.ID, e.Kind)
				}
			}
			if e.Kind == KindSquash && len(e.Upstream) < 2 {
				t.Errorf("%s %s: squash of %d commits", ds.Source, e.ID, len(e.Upstream))
			}
			if e.Trailer != "" && c != nil && !strings.Contains(c.Message, e.Upstream[0]) {
				t.Errorf("%s %s: %s trailer without the upstream id", ds.Source, e.ID, e.Trailer)
			}
			if e.Trailer == "" && c != nil && len(e.Upstream) > 0 && strings.Contains(c.Message, e.Upstream[0]) {
				t.Errorf("%s %s: %s names its upstream id without a trailer", ds.Source, e.ID, e.Kind)
			}
			if e.Kind == KindIdentity && c != nil {
				u := hasCommit(up, e.Upstream[0], "identity")
				if u != nil && (u.Author.When.Unix() != c.Author.When.Unix() || u.Author.Email != c.Author.Email || firstLine(u.Message) != firstLine(c.Message)) {
					t.Errorf("%s %s: identity backport does not keep author, date and subject", ds.Source, e.ID)
				}
			}
		}
		for _, e := range ds.Commits {
			if e.Reverts != "" && !ids[e.Reverts] {
				t.Errorf("%s %s: reverts unknown %s", ds.Source, e.ID, e.Reverts)
			}
		}
		for _, l := range ds.Landed {
			if !ids[l.Commit] || !upIDs[l.Upstream] {
				t.Errorf("%s: landed %v: unknown ids", ds.Source, l)
			}
		}
		if len(ds.Missing) == 0 || len(ds.MissingFixes) == 0 {
			t.Errorf("%s: %d missing, %d missing fixes", ds.Source, len(ds.Missing), len(ds.MissingFixes))
		}
		// The downstream's commits after base are exactly the truth's.
		iter, _ := repo.Log(&git.LogOptions{From: plumbing.NewHash(ds.Head), Order: git.LogOrderCommitterTime})
		n := 0
		merges := map[string]bool{}
		for _, m := range ds.Merges {
			merges[m] = true
		}
		iter.ForEach(func(c *object.Commit) error {
			if c.Hash.String() == ds.BaseCommit {
				return errStop
			}
			if c.NumParents() > 1 {
				if !merges[c.Hash.String()] {
					t.Errorf("%s: merge %s not in truth", ds.Source, c.Hash)
				}
				return nil
			}
			if !ids[c.Hash.String()] {
				t.Errorf("%s: commit %s not in truth", ds.Source, c.Hash)
			}
			n++
			return nil
		})
		if n != len(ds.Commits) {
			t.Errorf("%s: %d commits after base, truth has %d", ds.Source, n, len(ds.Commits))
		}
	}
	for _, k := range []Kind{KindCherryPick, KindExact, KindContext, KindPartial, KindSquash, KindSplit, KindConflict,
		KindIdentity, KindIfdef, KindLanded, KindDownstreamOnly, KindRevert, KindBinary} {
		if kinds[k] == 0 {
			t.Errorf("no downstream commit of kind %s", k)
		}
	}
	for _, s := range []change.RefStyle{change.CherryPicked, change.CommitUpstream, change.UpstreamCommit, change.RHELCommit, change.GitCommit} {
		if styles[s] == 0 {
			t.Errorf("no backport with trailer style %s", s)
		}
	}
}

type stopErr struct{}

func (stopErr) Error() string { return "stop" }

var errStop = stopErr{}

// TestOddities checks the rare things a parser must survive.
func TestOddities(t *testing.T) {
	needGit(t)
	w := buildSmall(t, 9)
	up := w.Repos["linux"]
	log := gitCmd(t, up, "log", "-M", "--format=%H %an", "--summary", "master")
	for _, want := range []string{"rename ", "mode change 100644 => 100755", "create mode 100644 Documentation/infiniband/images/rdma_stack.png"} {
		if !strings.Contains(log, want) {
			t.Errorf("upstream history lacks %q", want)
		}
	}
	if !strings.Contains(gitCmd(t, up, "-c", "core.quotepath=off", "ls-tree", "-r", "--name-only", "master"), "naïve.rst") {
		t.Error("no non-ASCII path")
	}
	if !strings.Contains(gitCmd(t, up, "log", "--format=%an"), "Zoë Ødegård") && !strings.Contains(gitCmd(t, up, "log", "--format=%an"), "José") {
		t.Error("no non-ASCII author")
	}
	raw := gitCmd(t, up, "log", "--format=%B", "master")
	if !strings.Contains(raw, "Fran\xe7ois") {
		t.Error("no latin-1 message")
	}
	if !strings.Contains(gitCmd(t, up, "log", "--merges", "--oneline"), "Merge") {
		t.Error("no merge commits")
	}
	if !strings.Contains(gitCmd(t, w.Repos["ofed"], "log", "--format=", "--numstat", "master"), "-\t-\tfirmware/") {
		t.Error("no binary firmware blob in ofed")
	}
	if !strings.Contains(gitCmd(t, w.Repos["ofed"], "log", "-p", "master"), "+#ifdef HAVE_") {
		t.Error("no #ifdef HAVE_ backport in ofed")
	}
}

func TestAdvance(t *testing.T) {
	w := buildSmall(t, 2)
	for _, src := range []string{"linux", "rhel", "ofed"} {
		before, _ := LoadTruth(filepath.Join(w.Dir, "truth.json"))
		ids, err := Advance(w.Dir, src, 5, 99)
		if err != nil {
			t.Fatalf("Advance %s: %v", src, err)
		}
		if len(ids) != 5 {
			t.Fatalf("Advance %s: %d ids", src, len(ids))
		}
		repo, err := git.PlainOpen(w.Repos[src])
		if err != nil {
			t.Fatal(err)
		}
		after, err := LoadTruth(filepath.Join(w.Dir, "truth.json"))
		if err != nil {
			t.Fatal(err)
		}
		branch, oldHead := before.Upstream.Branch, before.Upstream.Head
		if ds := before.Downstream(src); ds != nil {
			branch, oldHead = ds.Branch, ds.Head
		}
		ref, err := repo.Reference(plumbing.NewBranchReferenceName(branch), true)
		if err != nil {
			t.Fatal(err)
		}
		if ref.Hash().String() != ids[4] {
			t.Errorf("%s: branch at %s, want %s", src, ref.Hash(), ids[4])
		}
		// Exactly the new commits lie between the old head and the new one.
		c, _ := repo.CommitObject(ref.Hash())
		for i := 4; i >= 0; i-- {
			if c == nil || c.Hash.String() != ids[i] || c.NumParents() != 1 {
				t.Fatalf("%s: commit %d is not the new commit %s", src, i, ids[i])
			}
			c, _ = c.Parent(0)
		}
		if c.Hash.String() != oldHead {
			t.Errorf("%s: new commits do not sit on the old head", src)
		}
		if ds := after.Downstream(src); ds != nil {
			if ds.Head != ids[4] || len(ds.Commits) != len(before.Downstream(src).Commits)+5 {
				t.Errorf("%s: truth not updated", src)
			}
		} else if after.Upstream.Head != ids[4] || len(after.Upstream.Commits) != len(before.Upstream.Commits)+5 {
			t.Errorf("%s: truth not updated", src)
		}
	}
	after, err := LoadTruth(filepath.Join(w.Dir, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	checkStatuses(t, after)
	if len(after.Series) != 2 || len(after.Postings) != 1 || len(after.Queues) != 1 || len(after.Snapshots) != 1 {
		t.Error("Advance lost the truth of the extra sources")
	}
	if _, err := Advance(w.Dir, "nope", 1, 1); err == nil {
		t.Error("Advance of an unknown source succeeded")
	}
	if _, err := exec.LookPath("git"); err == nil {
		for _, repo := range w.Repos {
			gitCmd(t, repo, "fsck", "--full")
		}
	}
}
