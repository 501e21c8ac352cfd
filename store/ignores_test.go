package store

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/change"
)

// TestIgnoreScopes keeps one target on the ignore list for every
// downstream and for one, replaces and removes each on its own, and
// changes the state key when an entry's scope changes.
func TestIgnoreScopes(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	id := strings.Repeat("ef", 20)
	for _, ig := range []Ignore{
		{Target: id, Kind: "id", Reason: "not shipped anywhere"},
		{Target: id, Kind: "id", Scope: "rhel", Reason: "rhel does not build it"},
		{Target: id, Kind: "id", Scope: "rhel", Reason: "rhel never builds it"}, // replaces the one before
	} {
		if err := db.AddIgnore(ctx, ig); err != nil {
			t.Fatal(err)
		}
	}
	list, err := db.Ignores(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ig := range list {
		got = append(got, ig.Scope+"="+ig.Reason)
	}
	if want := []string{"=not shipped anywhere", "rhel=rhel never builds it"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ignores = %q, want %q", got, want)
	}
	before, err := db.StateKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if had, err := db.RemoveIgnore(ctx, id, "rhel"); err != nil || !had {
		t.Fatalf("removing rhel's entry: %v, %v", had, err)
	}
	if had, _ := db.RemoveIgnore(ctx, id, "rhel"); had {
		t.Error("removing rhel's entry twice said there was one")
	}
	list, _ = db.Ignores(ctx)
	if len(list) != 1 || list[0].Scope != "" || list[0].Reason != "not shipped anywhere" {
		t.Errorf("after removing rhel's entry: %+v, want the one for every downstream", list)
	}
	// The same target, now for ofed instead of rhel: statuses depend on it.
	if err := db.AddIgnore(ctx, Ignore{Target: id, Kind: "id", Scope: "ofed", Reason: "rhel never builds it"}); err != nil {
		t.Fatal(err)
	}
	after, err := db.StateKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if before == after {
		t.Error("the state key did not change when an entry moved from rhel to ofed")
	}
}

// TestMigrationKeepsIgnores opens a store made before ignores had a scope:
// its entries are kept, for every downstream.
func TestMigrationKeepsIgnores(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kdelta.db")
	old, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(migrationFS, "migration/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	if _, err := old.Exec(`CREATE TABLE migrations (name TEXT PRIMARY KEY, applied INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if name >= "migration/008" {
			break
		}
		text, err := fs.ReadFile(migrationFS, name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := old.Exec(string(text)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := old.Exec(`INSERT INTO migrations (name, applied) VALUES (?, 1)`, name); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := old.Exec(`INSERT INTO ignores (target, kind, reason, created) VALUES ('drivers/infiniband/hw/qib/', 'path', 'qib is not shipped', 1700000000)`); err != nil {
		t.Fatal(err)
	}
	old.Close()

	db, err := Open(ctx, path, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	list, err := db.Ignores(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Target != "drivers/infiniband/hw/qib/" || list[0].Kind != "path" || list[0].Scope != "" ||
		list[0].Reason != "qib is not shipped" || list[0].Created.Unix() != 1700000000 {
		t.Errorf("after the migration the ignore list is %+v, want the qib entry for every downstream", list)
	}
}

// TestCommitsByPrefix finds what an abbreviation can mean in the store,
// in a ref, and after a downstream's base.
func TestCommitsByPrefix(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	up, err := db.PutSource(ctx, Source{Name: "linux", Kind: "upstream", URL: "linux.git", Layout: "linux"})
	if err != nil {
		t.Fatal(err)
	}
	down, err := db.PutSource(ctx, Source{Name: "rhel", Kind: "distro", URL: "rhel.git", Layout: "linux", Upstream: "linux"})
	if err != nil {
		t.Fatal(err)
	}
	master, err := db.EnsureRef(ctx, up, "master")
	if err != nil {
		t.Fatal(err)
	}
	main, err := db.EnsureRef(ctx, down, "main")
	if err != nil {
		t.Fatal(err)
	}
	a1, a2, b := "abc1"+strings.Repeat("0", 36), "abc2"+strings.Repeat("0", 36), strings.Repeat("b", 40)
	ids, err := db.PutFingerprints(ctx, "linux", []*change.Fingerprint{sampleFingerprint(a1), sampleFingerprint(a2), sampleFingerprint(b)})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UpdateRef(ctx, RefUpdate{RefID: master.ID, Tip: a1, ScopeHash: "s", Reset: true, Add: []int64{ids[a1], ids[a2]}}); err != nil {
		t.Fatal(err)
	}
	if err := db.UpdateRef(ctx, RefUpdate{RefID: main.ID, Tip: b, ScopeHash: "s", Reset: true, Add: []int64{ids[a1], ids[b]}}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutBase(ctx, Base{RefID: main.ID, UpstreamRefID: master.ID, Commit: a1, How: "merge-base"}, []int64{ids[b]}, []int64{ids[a2]}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		find func() ([]string, error)
		want []string
	}{
		{"store, two", func() ([]string, error) { return db.CommitsByPrefix(ctx, "abc", 5) }, []string{a1, a2}},
		{"store, limited", func() ([]string, error) { return db.CommitsByPrefix(ctx, "abc", 1) }, []string{a1}},
		{"upstream ref", func() ([]string, error) { return db.RefCommitsByPrefix(ctx, master.ID, "abc2", 5) }, []string{a2}},
		{"downstream ref lacks it", func() ([]string, error) { return db.RefCommitsByPrefix(ctx, main.ID, "abc2", 5) }, nil},
		{"downstream since base", func() ([]string, error) { return db.SinceBaseByPrefix(ctx, main.ID, "downstream", "bbbb", 5) }, []string{b}},
		{"base itself is not after it", func() ([]string, error) { return db.SinceBaseByPrefix(ctx, main.ID, "downstream", "abc1", 5) }, nil},
		{"upstream since base", func() ([]string, error) { return db.SinceBaseByPrefix(ctx, main.ID, "upstream", "abc", 5) }, []string{a2}},
	} {
		got, err := tc.find()
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}
