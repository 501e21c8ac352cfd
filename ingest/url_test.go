package ingest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/analyzer/match"
	"github.com/kdelta/kdelta/ingest"
	"github.com/kdelta/kdelta/internal/world"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
)

// notes keeps what a sync notes.
type notes struct{ lines []string }

func (n *notes) Stage(string, int) {}
func (n *notes) Advance(int)       {}
func (n *notes) Note(format string, args ...any) {
	n.lines = append(n.lines, fmt.Sprintf(format, args...))
}

func (n *notes) has(substr string) bool {
	return slices.ContainsFunc(n.lines, func(l string) bool { return strings.Contains(l, substr) })
}

func urlNow() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }

func loadProject(t *testing.T, file string) *project.Config {
	t.Helper()
	cfg, err := project.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func openProjectStore(t *testing.T, cfg *project.Config) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), cfg.StorePath(), urlNow)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// copyTree copies the directory from to to.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestURLChangeReadsEverySourceAnew moves every source of the small world
// (git upstream, distro and vendor, the queue, a SUSE series, an OFED
// backports tree, two snapshots, a mailing-list archive) to a new place
// and points kdelta.toml there; the distro's new place is another
// repository, an older copy that lacks the tip synced last. The next sync
// says so for each, succeeds, and leaves the store as a fresh sync of the
// new places would, with what people entered by hand kept and still
// applied; what no longer applies is listed.
func TestURLChangeReadsEverySourceAnew(t *testing.T) {
	ctx := context.Background()
	w, err := world.Build(world.Options{Seed: 7, Size: world.Small, Dir: filepath.Join(t.TempDir(), "world")})
	if err != nil {
		t.Fatal(err)
	}
	older := filepath.Join(t.TempDir(), "rhel-older.git")
	copyTree(t, w.Repos["rhel"], older)
	added, err := world.Advance(w.Dir, "rhel", 6, 11)
	if err != nil {
		t.Fatal(err)
	}
	cfg := loadProject(t, w.Config)
	if _, err := ingest.Sync(ctx, cfg, ingest.Options{Now: urlNow}); err != nil {
		t.Fatal(err)
	}
	db := openProjectStore(t, cfg)

	// What people enter by hand: a manual match on the distro, an ignore
	// on the vendor's missing list, annotations on three SUSE patches.
	rhel, err := analyzer.Analyze(ctx, db, "rhel")
	if err != nil {
		t.Fatal(err)
	}
	all := rhel.Component("")
	if len(all.DownstreamOnly) == 0 || len(all.Missing) == 0 {
		t.Fatalf("rhel carries %d and misses %d commits", len(all.DownstreamOnly), len(all.Missing))
	}
	down, up := all.DownstreamOnly[0].ID, all.Missing[len(all.Missing)-1].ID
	if err := db.SetOverride(ctx, down, []string{up}); err != nil {
		t.Fatal(err)
	}
	ofed, err := analyzer.Analyze(ctx, db, "ofed")
	if err != nil {
		t.Fatal(err)
	}
	ignored := ofed.Component("").Missing[0].ID
	if err := db.AddIgnore(ctx, store.Ignore{Target: ignored, Kind: "id", Reason: "not shipped"}); err != nil {
		t.Fatal(err)
	}
	sles, _, err := analyzer.Statuses(ctx, db, "sles")
	if err != nil {
		t.Fatal(err)
	}
	if len(sles) < 3 {
		t.Fatalf("sles carries %d patches", len(sles))
	}
	kept, dropped, reworded := sles[0], sles[1], sles[2]
	for _, c := range []analyzer.Carried{kept, dropped, reworded} {
		if err := db.Annotate(ctx, store.Annotation{Change: c.ID, Status: "never", Reason: "SLES-only: " + c.Path}); err != nil {
			t.Fatal(err)
		}
	}
	// And on a distro commit that the older copy lacks.
	carried, _, err := analyzer.Statuses(ctx, db, "rhel")
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(carried, func(c analyzer.Carried) bool { return slices.Contains(added, c.ID) })
	if i < 0 {
		t.Fatalf("none of the new rhel commits %q is carried", added)
	}
	gone := carried[i]
	if err := db.Annotate(ctx, store.Annotation{Change: gone.ID, Status: "never", Reason: "RHEL-only"}); err != nil {
		t.Fatal(err)
	}

	// Every source moves under moved/. The SUSE tree's new place drops one
	// patch from its series and rewords another's description.
	text, err := os.ReadFile(w.Config)
	if err != nil {
		t.Fatal(err)
	}
	urls := map[string]string{}
	for _, s := range cfg.Sources {
		urls[s.Name] = s.URL
		to := filepath.Join(w.Dir, "moved", s.URL)
		if _, err := os.Stat(to); err == nil {
			continue // the queue reads the upstream's repository
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			t.Fatal(err)
		}
		from := filepath.Join(w.Dir, s.URL)
		if s.Name == "rhel" {
			from = older
		}
		if err := os.Rename(from, to); err != nil {
			t.Fatal(err)
		}
	}
	text = regexp.MustCompile(`(?m)^url = "`).ReplaceAll(text, []byte(`url = "moved/`))
	if err := os.WriteFile(w.Config, text, 0o644); err != nil {
		t.Fatal(err)
	}
	slesDir := filepath.Join(w.Dir, "moved", urls["sles"])
	conf, err := os.ReadFile(filepath.Join(slesDir, "series.conf"))
	if err != nil {
		t.Fatal(err)
	}
	var keptLines []string
	for _, l := range strings.Split(string(conf), "\n") {
		if strings.TrimSpace(l) != dropped.Path {
			keptLines = append(keptLines, l)
		}
	}
	if err := os.WriteFile(filepath.Join(slesDir, "series.conf"), []byte(strings.Join(keptLines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	patch, err := os.ReadFile(filepath.Join(slesDir, filepath.FromSlash(reworded.Path)))
	if err != nil {
		t.Fatal(err)
	}
	head, body, ok := strings.Cut(string(patch), "\n\n")
	if !ok {
		t.Fatalf("%s has no header block", reworded.Path)
	}
	patch = []byte(head + "\n\nReworded when the tree moved.\n\n" + body)
	if err := os.WriteFile(filepath.Join(slesDir, filepath.FromSlash(reworded.Path)), patch, 0o644); err != nil {
		t.Fatal(err)
	}

	moved := loadProject(t, w.Config)
	n := &notes{}
	rep, err := ingest.Sync(ctx, moved, ingest.Options{Now: urlNow, Progress: n})
	if err != nil {
		t.Fatalf("sync after the urls changed: %v (notes %q)", err, n.lines)
	}
	if len(rep.Skips) != 0 {
		t.Errorf("skips after the move: %+v", rep.Skips)
	}
	for _, s := range moved.Sources {
		how := "reading anew"
		if s.IsGit() {
			how = "mirroring anew"
		}
		want := fmt.Sprintf("%s: url changed from %s to moved/%s; %s", s.Name, urls[s.Name], urls[s.Name], how)
		if !n.has(want) {
			t.Errorf("no notice %q in %q", want, n.lines)
		}
	}
	srcs, err := db.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range srcs {
		if s.URL != "moved/"+urls[s.Name] {
			t.Errorf("the store names %s at %q", s.Name, s.URL)
		}
	}

	// The manual match, the ignore and the annotations are kept and
	// applied; the reworded patch's annotation followed it (same
	// patch-id); the dropped patch's no longer applies and is listed.
	rhel, err = analyzer.Analyze(ctx, db, "rhel")
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(rhel.Matches, func(m match.Match) bool { return m.Downstream == down }); i < 0 ||
		rhel.Matches[i].Method != "manual" || !reflect.DeepEqual(rhel.Matches[i].Upstream, []string{up}) {
		t.Errorf("the manual match of %.12s is not applied: %+v", down, rhel.Matches)
	}
	ofed, err = analyzer.Analyze(ctx, db, "ofed")
	if err != nil {
		t.Fatal(err)
	}
	if c := ofed.Component(""); c.Ignored == 0 || slices.ContainsFunc(c.Missing, func(m analyzer.Commit) bool { return m.ID == ignored }) {
		t.Errorf("the ignore of %.12s is not applied: %d ignored", ignored, c.Ignored)
	}
	sles, _, err = analyzer.Statuses(ctx, db, "sles")
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]analyzer.Carried{}
	for _, c := range sles {
		byPath[c.Path] = c
	}
	if c, ok := byPath[kept.Path]; !ok || c.ID != kept.ID || c.Status.Status != "never" {
		t.Errorf("the annotation of the unchanged patch %s: %+v", kept.Path, c)
	}
	if c, ok := byPath[reworded.Path]; !ok || c.ID == reworded.ID || c.Status.Status != "never" || c.Status.Reason != "SLES-only: "+reworded.Path {
		t.Errorf("the annotation of the reworded patch %s did not follow it: %+v", reworded.Path, c)
	}
	if !n.has(fmt.Sprintf("sles: annotation never of %.12s carried to %.12s (the same patch-id)", reworded.ID, byPath[reworded.Path].ID)) {
		t.Errorf("the carried annotation is not noted: %q", n.lines)
	}
	if _, ok := byPath[dropped.Path]; ok {
		t.Errorf("the dropped patch %s is still carried", dropped.Path)
	}
	annotations, err := db.Annotations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []analyzer.Carried{kept, dropped, reworded} {
		if _, ok := annotations[c.ID]; !ok {
			t.Errorf("the annotation of %s (%.12s) was dropped", c.Path, c.ID)
		}
	}
	skips, err := db.Skips(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(skips, func(s store.Skip) bool { return s.Kind == store.SkipStale && s.Commit == dropped.ID }); i < 0 ||
		!strings.Contains(skips[i].Reason, "annotation never of "+dropped.ID[:12]+" no longer applies: sles does not hold") ||
		!strings.Contains(skips[i].Reason, "since its url changed from "+urls["sles"]) {
		t.Errorf("the annotation that no longer applies is not listed: %+v", skips)
	}
	if !n.has("annotation never of " + dropped.ID[:12] + " no longer applies") {
		t.Errorf("the annotation that no longer applies is not noted: %q", n.lines)
	}
	if i := slices.IndexFunc(skips, func(s store.Skip) bool { return s.Kind == store.SkipStale && s.Commit == gone.ID }); i < 0 ||
		skips[i].Source != "rhel" || !strings.Contains(skips[i].Reason, "rhel does not hold \""+gone.Subject+"\"") {
		t.Errorf("the annotation of the rhel commit %.12s the older copy lacks is not listed: %q", gone.ID, n.lines)
	}
	if _, ok := annotations[gone.ID]; !ok {
		t.Errorf("the annotation of %.12s was dropped", gone.ID)
	}
	rhelNow, _, err := analyzer.Statuses(ctx, db, "rhel")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rhelNow {
		if slices.Contains(added, c.ID) {
			t.Errorf("rhel still carries %.12s, which its new repository lacks", c.ID)
		}
	}

	// Nothing stale: the store holds what a fresh sync of the new places
	// holds, ref by ref.
	fresh := loadProject(t, w.Config)
	fresh.Store.Path = filepath.Join(t.TempDir(), "fresh.db")
	fresh.Store.Mirrors = filepath.Join(t.TempDir(), "mirrors")
	if _, err := ingest.Sync(ctx, fresh, ingest.Options{Now: urlNow}); err != nil {
		t.Fatal(err)
	}
	fdb := openProjectStore(t, fresh)
	got, gotCounts, err := db.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, wantCounts, err := fdb.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotCounts, wantCounts) {
		t.Errorf("refs after the move:\n%+v\nafter a fresh sync:\n%+v", got, want)
	}
	fsrcs, err := fdb.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range srcs {
		a, err := db.SourceChanges(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		b, err := fdb.SourceChanges(ctx, fsrcs[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s holds %d changes after the move, %d after a fresh sync", s.Name, len(a), len(b))
		}
	}
	// And a sync with nothing new has nothing to say about urls.
	n = &notes{}
	if _, err := ingest.Sync(ctx, moved, ingest.Options{Now: urlNow, Progress: n}); err != nil || n.has("url changed") || n.has("carried") {
		t.Errorf("a sync with nothing new: %v, %q", err, n.lines)
	}
}

// TestURLChangeIsTakenUpByTheSourcesOwnSync changes the url of a series and
// of the upstream, then syncs only a downstream, which reads both for its
// base: the store keeps the old urls, so that the sync of each source
// still finds it moved and reads it anew.
func TestURLChangeIsTakenUpByTheSourcesOwnSync(t *testing.T) {
	ctx := context.Background()
	w, err := world.Build(world.Options{Seed: 7, Size: world.Small, Dir: filepath.Join(t.TempDir(), "world")})
	if err != nil {
		t.Fatal(err)
	}
	cfg := loadProject(t, w.Config)
	if _, err := ingest.Sync(ctx, cfg, ingest.Options{Now: urlNow}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"sles", "linux.git"} {
		if err := os.Rename(filepath.Join(w.Dir, name), filepath.Join(w.Dir, "new-"+name)); err != nil {
			t.Fatal(err)
		}
	}
	text, err := os.ReadFile(w.Config)
	if err != nil {
		t.Fatal(err)
	}
	text = regexp.MustCompile(`(?m)^url = "(sles|linux\.git)"`).ReplaceAll(text, []byte(`url = "new-$1"`))
	if err := os.WriteFile(w.Config, text, 0o644); err != nil {
		t.Fatal(err)
	}
	moved := loadProject(t, w.Config)
	n := &notes{}
	if _, err := ingest.Sync(ctx, moved, ingest.Options{Now: urlNow, Progress: n, Sources: []string{"rhel"}}); err != nil {
		t.Fatal(err)
	}
	if n.has("url changed") {
		t.Errorf("a sync of rhel took up other sources' urls: %q", n.lines)
	}
	db := openProjectStore(t, moved)
	for _, name := range []string{"sles", "linux"} {
		if s, _, err := db.SourceByName(ctx, name); err != nil || strings.HasPrefix(s.URL, "new-") {
			t.Errorf("a sync of rhel recorded %s at %q (%v)", name, s.URL, err)
		}
	}
	n = &notes{}
	if _, err := ingest.Sync(ctx, moved, ingest.Options{Now: urlNow, Progress: n, Sources: []string{"linux", "sles"}}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"linux: url changed from linux.git to new-linux.git; mirroring anew", "sles: url changed from sles to new-sles; reading anew"} {
		if !n.has(want) {
			t.Errorf("no notice %q in %q", want, n.lines)
		}
	}
}
