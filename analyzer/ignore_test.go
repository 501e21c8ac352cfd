package analyzer

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/analyzer/delta"
	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/store"
)

// TestIgnoreScopes applies an ignore list with entries for every
// downstream and for one: read for a downstream (ignoresFor, what the
// analysis uses), its own entries and the shared ones apply, another
// downstream's do not; read whole, only the shared ones apply.
func TestIgnoreScopes(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "kdelta.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	id := func(c string) string { return strings.Repeat(c, 40) }
	for _, ig := range []store.Ignore{
		{Target: id("a"), Kind: "id", Reason: "nobody ships it"},
		{Target: id("b")[:10], Kind: "id", Scope: "rhel", Reason: "rhel does not build it"},
		{Target: "drivers/infiniband/hw/qib/", Kind: "path", Scope: "ofed", Reason: "ofed dropped qib"},
	} {
		if err := db.AddIgnore(ctx, ig); err != nil {
			t.Fatal(err)
		}
	}
	commit := func(oid, path string) *change.Fingerprint {
		return &change.Fingerprint{ID: oid, Files: []change.File{{Path: path}}}
	}
	a := commit(id("a"), "drivers/infiniband/core/cma.c")
	b := commit(id("b"), "drivers/infiniband/hw/mlx5/qp.c")
	qib := commit(id("c"), "drivers/infiniband/hw/qib/qib_init.c")
	all, err := db.Ignores(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		list    func() []store.Ignore
		ignored map[*change.Fingerprint]bool
	}{
		{"read whole", func() []store.Ignore { return all }, map[*change.Fingerprint]bool{a: true}},
		{"for rhel", func() []store.Ignore { l, _ := ignoresFor(ctx, db, "rhel"); return l }, map[*change.Fingerprint]bool{a: true, b: true}},
		{"for ofed", func() []store.Ignore { l, _ := ignoresFor(ctx, db, "ofed"); return l }, map[*change.Fingerprint]bool{a: true, qib: true}},
		{"for sles", func() []store.Ignore { l, _ := ignoresFor(ctx, db, "sles"); return l }, map[*change.Fingerprint]bool{a: true}},
	} {
		ig := newIgnorer(tc.list())
		kept, n := ig.filter([]delta.Item{{Commit: a}, {Commit: b}, {Commit: qib}})
		if n != len(tc.ignored) || len(kept) != 3-n {
			t.Errorf("%s: %d ignored, %d kept; want %d ignored", tc.name, n, len(kept), len(tc.ignored))
		}
		for _, it := range kept {
			if tc.ignored[it.Commit] {
				t.Errorf("%s: %.8s is kept", tc.name, it.Commit.ID)
			}
		}
	}
	// What the detail page shows: the entry that keeps a commit out.
	for _, tc := range []struct {
		source string
		c      *change.Fingerprint
		want   string // the entry's reason; "" for none
	}{
		{"rhel", b, "rhel does not build it"},
		{"ofed", b, ""},
		{"ofed", qib, "ofed dropped qib"},
		{"rhel", qib, ""},
		{"sles", a, "nobody ships it"},
	} {
		got := IgnoreOf(all, tc.source, tc.c)
		if tc.want == "" && got != nil || tc.want != "" && (got == nil || got.Reason != tc.want) {
			t.Errorf("IgnoreOf(%s, %.8s) = %+v, want %q", tc.source, tc.c.ID, got, tc.want)
		}
	}
	// An entry moved from one downstream to another changes the analyses'
	// key even where the list is read whole.
	moved := append([]store.Ignore(nil), all...)
	moved[1].Scope = "ofed"
	if ignoresKey(all) == ignoresKey(moved) {
		t.Error("the ignore list's key does not change with an entry's scope")
	}
}
