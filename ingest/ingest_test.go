package ingest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kdelta/kdelta/internal/world"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/sources/gitrepo"
	"github.com/kdelta/kdelta/store"
)

func fixedNow() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }

// smallWorld builds the small world in a temporary directory and loads its
// project file.
func smallWorld(t *testing.T) (*world.World, *project.Config) {
	t.Helper()
	w, err := world.Build(world.Options{Seed: 7, Size: world.Small, Dir: filepath.Join(t.TempDir(), "world")})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := project.Load(w.Config)
	if err != nil {
		t.Fatal(err)
	}
	return w, cfg
}

func syncAll(t *testing.T, cfg *project.Config, sources ...string) *Report {
	t.Helper()
	rep, err := Sync(context.Background(), cfg, Options{Sources: sources, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func openStore(t *testing.T, cfg *project.Config) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), cfg.StorePath(), fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func refReport(t *testing.T, rep *Report, source string) RefReport {
	t.Helper()
	for _, r := range rep.Refs {
		if r.Source == source {
			return r
		}
	}
	t.Fatalf("no report for %s in %+v", source, rep.Refs)
	return RefReport{}
}

func TestSyncIsIncremental(t *testing.T) {
	w, cfg := smallWorld(t)
	first := syncAll(t, cfg)
	up := refReport(t, first, "linux")
	if up.Fingerprinted == 0 || up.Walked != up.Fingerprinted+up.OutOfScope {
		t.Fatalf("first sync of linux: %+v", up)
	}
	// The distro shares the upstream's history up to its base: those
	// commits are reused, not diffed again.
	if d := refReport(t, first, "rhel"); d.Reused == 0 || d.Base == "" {
		t.Errorf("rhel reused nothing of linux or has no base: %+v", d)
	}

	second := syncAll(t, cfg)
	for _, r := range second.Refs {
		if !r.Unchanged || r.Walked != 0 || r.Fingerprinted != 0 {
			t.Errorf("no-op resync did work on %s: %+v", r.Source, r)
		}
	}

	const n = 9
	added, err := world.Advance(w.Dir, "linux", n, 99)
	if err != nil {
		t.Fatal(err)
	}
	if len(added) != n {
		t.Fatalf("advance added %d commits", len(added))
	}
	third := syncAll(t, cfg, "linux")
	up = refReport(t, third, "linux")
	if up.Walked != n || up.Fingerprinted+up.OutOfScope != n || up.Reused != 0 {
		t.Errorf("after %d new commits: %+v", n, up)
	}
	db := openStore(t, cfg)
	for _, id := range added {
		if _, err := db.Fingerprint(context.Background(), id, ""); err != nil && up.OutOfScope == 0 {
			t.Errorf("new commit %s not stored: %v", id, err)
		}
	}
	// The distro was not synced, yet what upstream did since its base
	// now includes the new commits.
	ids, err := db.SinceBase(context.Background(), refIDOf(t, db, "rhel", "main"), "upstream")
	if err != nil {
		t.Fatal(err)
	}
	fps, err := db.Fingerprints(context.Background(), ids, "linux")
	if err != nil {
		t.Fatal(err)
	}
	since := map[string]bool{}
	for _, fp := range fps {
		since[fp.ID] = true
	}
	for _, id := range added {
		if _, err := db.Fingerprint(context.Background(), id, ""); err == nil && !since[id] {
			t.Errorf("new upstream commit %.12s is not in rhel's upstream side", id)
		}
	}
}

// TestPatchIDsAgreeWithGitOnTheSmallWorld checks every stored commit of
// every repository of the small world against the git CLI.
func TestPatchIDsAgreeWithGitOnTheSmallWorld(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH")
	}
	_, cfg := smallWorld(t)
	syncAll(t, cfg)
	db := openStore(t, cfg)
	ours, err := db.PatchIDs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	comps, err := cfg.Components()
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, src := range cfg.Sources {
		if !src.IsGit() {
			continue
		}
		var paths []string
		for _, p := range comps.Prefixes(src.Layout) {
			paths = append(paths, strings.TrimSuffix(p, "/"))
		}
		args := append([]string{"-C", cfg.SourceURL(&src), "log", "-p", "--no-merges", "--full-history", "--format=commit %H", src.Refs[0], "--"}, paths...)
		logp, err := exec.Command("git", args...).Output()
		if err != nil {
			t.Fatalf("git log: %v", err)
		}
		cmd := exec.Command("git", "patch-id", "--stable")
		cmd.Stdin = bytes.NewReader(logp)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git patch-id: %v", err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Fields(line)
			if len(f) != 2 {
				continue
			}
			compared++
			if got := ours[f[1]]; got != f[0] {
				t.Errorf("%s %s: patch-id %q, git %s", src.Name, f[1][:12], got, f[0])
			}
		}
	}
	if compared < 100 {
		t.Errorf("only %d commits compared", compared)
	}
	t.Logf("%d patch-ids agree with git", compared)
}

// cancelAfter cancels a sync once it has stored its first batch.
type cancelAfter struct {
	quiet
	cancel context.CancelFunc
	done   int
}

func (c *cancelAfter) Advance(n int) {
	c.done += n
	c.cancel()
}

func TestInterruptedSyncResumes(t *testing.T) {
	_, cfg := smallWorld(t)
	ctx, cancel := context.WithCancel(context.Background())
	p := &cancelAfter{cancel: cancel}
	_, err := Sync(ctx, cfg, Options{Sources: []string{"linux"}, Progress: p, Workers: 2, Now: fixedNow})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted sync: err = %v", err)
	}
	db := openStore(t, cfg)
	refs, _, err := db.Summary(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range refs {
		if r.Tip != "" || r.Commits != 0 {
			t.Errorf("a half-synced ref is visible: %+v", r)
		}
	}
	stored, err := db.PatchIDs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) == 0 {
		t.Fatalf("the interrupted sync kept none of its work")
	}
	rep := syncAll(t, cfg, "linux")
	up := refReport(t, rep, "linux")
	if up.Reused == 0 || up.Reused+up.Fingerprinted+up.OutOfScope != up.Walked {
		t.Errorf("resumed sync: %+v (kept %d from the interrupted run)", up, len(stored))
	}
}

func TestSecondSyncOnALockedStore(t *testing.T) {
	_, cfg := smallWorld(t)
	lock, err := store.Acquire(context.Background(), cfg.StorePath(), "kdelta sync", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	_, err = Sync(context.Background(), cfg, Options{Now: fixedNow, LockWait: 100 * time.Millisecond})
	if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), "pid") {
		t.Errorf("err = %v, want ErrLocked naming the holder", err)
	}
	if _, err := os.Stat(cfg.StorePath()); err == nil {
		t.Errorf("the waiting run created the store")
	}
}

func TestBadSources(t *testing.T) {
	_, cfg := smallWorld(t)
	tests := []struct {
		name string
		edit func(c *project.Config)
		want string
	}{
		{"unknown ref", func(c *project.Config) { c.Source("linux").Refs = []string{"no-such-branch"} }, "no-such-branch"},
		{"missing repository", func(c *project.Config) { c.Source("linux").URL = "/nonexistent/linux.git" }, "/nonexistent/linux.git"},
		{"not a repository", func(c *project.Config) { c.Source("linux").URL = c.Dir }, "not a git repository"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := project.Load(filepath.Join(cfg.Dir, "kdelta.toml"))
			if err != nil {
				t.Fatal(err)
			}
			c.Store.Path = filepath.Join(t.TempDir(), "kdelta.db")
			c.Store.Mirrors = filepath.Join(t.TempDir(), "mirrors")
			tt.edit(c)
			_, err = Sync(context.Background(), c, Options{Sources: []string{"linux"}, Now: fixedNow})
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %v, want one line naming %q", err, tt.want)
			}
		})
	}
}

// TestReleasesAndBases checks the first release of every stored upstream
// commit and each downstream's base against the world's ground truth.
func TestReleasesAndBases(t *testing.T) {
	w, cfg := smallWorld(t)
	rep := syncAll(t, cfg)
	db := openStore(t, cfg)
	ctx := context.Background()
	srcs, err := db.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, s := range srcs {
		ids[s.Name] = s.ID
	}
	// The ancestors of a tag are exactly the truth's commits listed before it.
	pos := map[string]int{}
	for i, c := range w.Truth.Upstream.Commits {
		pos[c.ID] = i
	}
	stored, err := db.PatchIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for i, c := range w.Truth.Upstream.Commits {
		if _, ok := stored[c.ID]; !ok {
			continue
		}
		want, best := "", len(w.Truth.Upstream.Commits)
		for _, tag := range w.Truth.Upstream.Tags {
			if p, ok := pos[tag.Commit]; ok && p >= i && p < best {
				want, best = tag.Name, p
			}
		}
		got, err := db.Release(ctx, ids["linux"], c.ID)
		if want == "" {
			if err == nil {
				t.Errorf("%.12s is in no release, stored %q", c.ID, got)
			}
			continue
		}
		if got != want {
			t.Errorf("%.12s %q: first release %q (%v), want %s", c.ID, c.Subject, got, err, want)
		}
		checked++
	}
	if checked < 100 {
		t.Errorf("only %d releases checked", checked)
	}
	for _, d := range w.Truth.Downstreams {
		r := refReport(t, rep, d.Source)
		if !strings.Contains(r.Base, d.BaseCommit[:12]) {
			t.Errorf("%s: base %q, truth %s (%s)", d.Source, r.Base, d.BaseCommit[:12], d.BaseTag)
		}
		checkSinceBase(t, db, w, d, stored, pos)
	}
}

// checkSinceBase compares the commits stored as a downstream's own since
// its base, and upstream's since that base, with the ground truth.
func checkSinceBase(t *testing.T, db *store.DB, w *world.World, d world.Downstream, stored map[string]string, pos map[string]int) {
	t.Helper()
	ctx := context.Background()
	refID := refIDOf(t, db, d.Source, d.Branch)
	for side, want := range map[string]map[string]bool{"downstream": entryIDs(d), "upstream": upstreamAfter(w, pos[d.BaseCommit])} {
		ids, err := db.SinceBase(ctx, refID, side)
		if err != nil {
			t.Fatal(err)
		}
		fps, err := db.Fingerprints(ctx, ids, "linux")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, fp := range fps {
			got[fp.ID] = true
			if !want[fp.ID] {
				t.Errorf("%s %s side: %.12s %q is not after the base", d.Source, side, fp.ID, fp.Subject)
			}
		}
		n := 0
		for id := range want {
			if _, ok := stored[id]; ok {
				n++
				if !got[id] {
					t.Errorf("%s %s side: %.12s is missing", d.Source, side, id)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s %s side: nothing to compare", d.Source, side)
		}
	}
}

func refIDOf(t *testing.T, db *store.DB, source, branch string) int64 {
	t.Helper()
	srcs, err := db.Sources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range srcs {
		if s.Name == source {
			ref, err := db.EnsureRef(context.Background(), s.ID, branch)
			if err != nil {
				t.Fatal(err)
			}
			return ref.ID
		}
	}
	t.Fatalf("no source %s", source)
	return 0
}

func entryIDs(d world.Downstream) map[string]bool {
	out := map[string]bool{}
	for _, e := range d.Commits {
		out[e.ID] = true
	}
	return out
}

func upstreamAfter(w *world.World, base int) map[string]bool {
	out := map[string]bool{}
	for _, c := range w.Truth.Upstream.Commits[base+1:] {
		out[c.ID] = true
	}
	return out
}

func TestTwoSourcesOnOneRepositoryShareItsMirror(t *testing.T) {
	w, cfg := smallWorld(t)
	up := *cfg.Source("linux")
	// A second upstream source reading the same repository at a tag.
	tag := w.Truth.Upstream.Tags[len(w.Truth.Upstream.Tags)/2].Name
	twin := up
	twin.Name, twin.Refs, twin.URL = "linux-stable", []string{tag}, up.URL+"/"
	cfg.Sources = append(cfg.Sources, twin)
	rep, err := Sync(context.Background(), cfg, Options{Sources: []string{"linux", "linux-stable"}, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	mirrors, err := os.ReadDir(cfg.MirrorDir())
	if err != nil {
		t.Fatal(err)
	}
	var repos []string
	for _, m := range mirrors {
		if !strings.HasPrefix(m.Name(), ".") { // .locks
			repos = append(repos, m.Name())
		}
	}
	if len(repos) != 1 {
		t.Errorf("%d mirrors for one repository: %v", len(repos), repos)
	}
	tw := refReport(t, rep, "linux-stable")
	if tw.Fingerprinted != 0 || tw.Reused == 0 {
		t.Errorf("the tag's commits were diffed again: %+v", tw)
	}
}

func TestTooLargeDiffsAreRecordedSkips(t *testing.T) {
	_, cfg := smallWorld(t)
	rep, err := Sync(context.Background(), cfg, Options{Sources: []string{"linux"}, Now: fixedNow,
		Limits: gitrepo.Limits{MaxBlob: 8 << 10, MaxTotal: 1 << 30}})
	if err != nil {
		t.Fatal(err)
	}
	up := refReport(t, rep, "linux")
	if up.Skipped == 0 || up.Skipped == up.Fingerprinted {
		t.Fatalf("with an 8 KiB file limit: %+v", up)
	}
	db := openStore(t, cfg)
	skips, err := db.Skips(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range skips {
		if strings.Contains(s.Reason, "limit of one file") {
			n++
			fp, err := db.Fingerprint(context.Background(), s.Commit, "")
			if err != nil || fp.Skip == "" || fp.PatchID != "" || len(fp.Files) != 0 {
				t.Errorf("skipped commit %s stored as %+v, %v", s.Commit, fp, err)
			}
		}
	}
	if n != up.Skipped {
		t.Errorf("%d skips recorded, the report says %d", n, up.Skipped)
	}
}
