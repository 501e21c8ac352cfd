package store

import (
	"context"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/store/pgtest"
)

// fillStore puts a little of everything a store holds into db.
func fillStore(t *testing.T, db *DB) {
	t.Helper()
	ctx := context.Background()
	db.SetUser("Ana <ana@example.org>")
	up, err := db.PutSource(ctx, Source{Name: "linux", Kind: "upstream", URL: "linux.git", Layout: "linux"})
	if err != nil {
		t.Fatal(err)
	}
	down, err := db.PutSource(ctx, Source{Name: "rhel", Kind: "distro", URL: "rhel.git", Layout: "linux", Upstream: "linux"})
	if err != nil {
		t.Fatal(err)
	}
	a, b := strings.Repeat("a", 40), strings.Repeat("b", 40)
	ids, err := db.PutFingerprints(ctx, "linux", []*change.Fingerprint{sampleFingerprint(a), sampleFingerprint(b)})
	if err != nil {
		t.Fatal(err)
	}
	upRef, _ := db.EnsureRef(ctx, up, "master")
	downRef, _ := db.EnsureRef(ctx, down, "main")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.UpdateRef(ctx, RefUpdate{RefID: upRef.ID, Tip: a, ScopeHash: "s", Reset: true, Add: []int64{ids[a]}}))
	must(db.UpdateRef(ctx, RefUpdate{RefID: downRef.ID, Tip: b, ScopeHash: "s", Reset: true, Add: []int64{ids[b]},
		Patches: []PatchFile{{Path: "patches/0001-x.patch", Seq: 0, CommitID: ids[b]}}}))
	must(db.PutTags(ctx, up, []Tag{{Name: "v6.1", Commit: a}}, map[int64]string{ids[a]: "v6.1"}))
	must(db.PutBase(ctx, Base{RefID: downRef.ID, UpstreamRefID: upRef.ID, Commit: a, How: "merge-base", Tip: b, UpstreamTip: a},
		[]int64{ids[b]}, []int64{ids[a]}))
	must(db.SetReleaseState(ctx, up, ReleaseState{Seen: "seen", Releases: "rel", Reached: "ref master 0123\n"}))
	must(db.SetComponentMapHash(ctx, "linux", "h1"))
	must(db.SetOverride(ctx, b, []string{a}))
	must(db.Annotate(ctx, Annotation{Change: b, Status: "never", Reason: "distro-only"}))
	must(db.AddIgnore(ctx, Ignore{Target: a, Kind: "id", Scope: "rhel", Reason: "not built"}))
	must(db.AddSkip(ctx, Skip{Source: "rhel", Ref: "main", Kind: SkipLimit, Commit: b, Reason: "diff not fingerprinted: too large"}))
	must(db.PutAnalysis(ctx, downRef.ID, "k", []byte{0, 1, 2, 0xff}))
	sync, err := db.BeginSync(ctx, nil)
	must(err)
	must(db.EndSync(ctx, sync, "done", 2, ""))
	snap, err := db.PutSnapshot(ctx, Snapshot{SyncID: sync, Key: "k1", Refs: []SnapshotRef{{RefID: downRef.ID,
		Statuses:     []ChangeStatus{{Change: b, Subject: "s", Status: "never", Detail: "{}"}},
		Counts:       []ComponentCount{{Component: "mlx5", Backported: 1, Missing: 2, MissingFixes: 1, Carried: 1}},
		MissingFixes: []SnapshotFix{{Commit: a, Subject: "fix", Components: []string{"mlx5", "core"}}},
		Backports:    []SnapshotBackport{{Upstream: a, Subject: "x", Carried: []string{b}}}}}})
	must(err)
	_, err = db.CopySnapshot(ctx, snap, sync, "k1")
	must(err)
	_, _, err = db.ImportResults(ctx, ResultFile{Digest: "d1", Name: "r.xml", Format: "junit"}, []TestResult{{
		Target: TestTarget{Source: "rhel", Label: "main", Commit: b, Time: time.Unix(1700000000, 0)},
		Lab:    "unh", Hardware: "cx6", Suite: "ipoib", Path: "ipoib.ping", Status: "FAIL", LogURL: "http://x", Message: "m",
		Properties: map[string]string{"k": "v"}}})
	must(err)
	list, err := db.PutSource(ctx, Source{Name: "linux-rdma", Kind: "list", URL: "lore", Layout: "linux", Format: "mbox"})
	must(err)
	listRef, _ := db.EnsureRef(ctx, list, "all")
	must(db.UpdateRef(ctx, RefUpdate{RefID: listRef.ID, Tip: "t", Reset: true, Add: []int64{ids[b]},
		Postings: []Posting{{MessageID: "1@x", CommitID: ids[b], Date: time.Unix(1700000000, 0), Sender: "Ana", Subject: "[PATCH] x",
			Version: 1, Index: 1, Total: 1, Series: "1@x"}}}))
	drop, err := db.PutSource(ctx, Source{Name: "winofed", Kind: "vendor", URL: "drop.tgz", Layout: "winofed", Format: "snapshot"})
	must(err)
	dropRef, _ := db.EnsureRef(ctx, drop, "tree")
	must(db.UpdateRef(ctx, RefUpdate{RefID: dropRef.ID, Tip: "t", Reset: true,
		Files: []SnapshotFile{{Path: "ulp/ipoib/a.c", Blob: strings.Repeat("c", 40), Size: 10, Mode: 0o100644}}}))
	moved, err := db.PutSource(ctx, Source{Name: "old", Kind: "distro", URL: "old.git", Layout: "linux"})
	must(err)
	movedRef, _ := db.EnsureRef(ctx, moved, "main")
	must(db.UpdateRef(ctx, RefUpdate{RefID: movedRef.ID, Tip: a, Reset: true, Add: []int64{ids[a]}}))
	must(db.ResetSource(ctx, moved)) // moved_changes
}

// dump is every row of every table, as text, in one order on either
// database.
func dump(t *testing.T, db *DB) map[string][]string {
	t.Helper()
	ctx := context.Background()
	out := map[string][]string{}
	for _, table := range copyOrder {
		rows, err := db.db.QueryContext(ctx, `SELECT * FROM `+table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var line []string
			for i, v := range vals {
				s := fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					s = hex.EncodeToString(b)
					if table != "analyses" && cols[i] != "plus" && cols[i] != "minus" {
						s = string(b)
					}
				}
				line = append(line, cols[i]+"="+s)
			}
			out[table] = append(out[table], strings.Join(line, " "))
		}
		rows.Close()
		sortStrings(out[table])
	}
	return out
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// otherLocation is a new store on the other database than this run's,
// when a PostgreSQL server is there; else another SQLite file.
func otherLocation(t *testing.T) string {
	if !onPostgres() && pgtest.Available() {
		return pgtest.Database(t)
	}
	return filepath.Join(t.TempDir(), "other.db")
}

// TestCopyRoundTrip copies a store to the other database and back, and
// finds every row of every table as it was, ids included; the copy goes on
// numbering where the original stopped, and copy refuses a store that is
// not empty.
func TestCopyRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := openTest(t)
	fillStore(t, src)
	want := dump(t, src)

	mid, err := Open(ctx, otherLocation(t), fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	defer mid.Close()
	counts, err := src.CopyTo(ctx, mid)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, c := range counts {
		total += c.Rows
		if c.Rows == 0 {
			t.Errorf("table %s copied no rows: fillStore should fill every table", c.Table)
		}
	}
	back, err := Open(ctx, testLocation(t), fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	if _, err := mid.CopyTo(ctx, back); err != nil {
		t.Fatal(err)
	}
	for name, db := range map[string]*DB{"the copy (" + mid.Kind() + ")": mid, "the copy back": back} {
		got := dump(t, db)
		for _, table := range copyOrder {
			if !reflect.DeepEqual(got[table], want[table]) {
				t.Errorf("%s: table %s:\n got %q\nwant %q", name, table, got[table], want[table])
			}
		}
	}
	// New rows go on after the copied ones.
	id, err := mid.BeginSync(ctx, nil)
	if err != nil || id != 2 {
		t.Errorf("the next sync in the copy has id %d (%v), want 2", id, err)
	}
	// A store that is not empty is not written to.
	if _, err := src.CopyTo(ctx, back); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("copy into a store with rows: err = %v", err)
	}
	if got := dump(t, back); !reflect.DeepEqual(got, want) {
		t.Errorf("the refused copy changed the store")
	}
}

// TestCopyKnowsEveryTable: a migration that adds a table must add it to
// copyOrder, or a copy would leave it behind.
func TestCopyKnowsEveryTable(t *testing.T) {
	db := openTest(t)
	tables, err := db.tables(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string{"migrations"}, copyOrder...)
	sortStrings(want)
	if !reflect.DeepEqual(tables, want) {
		t.Errorf("tables %v, copy knows %v", tables, want)
	}
}
