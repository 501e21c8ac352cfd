package analyzer

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/store"
)

// manualStore is a store with an upstream (linux@master) and two
// downstreams measured against it (rhel@main, ofed@master), whose ids
// share prefixes on purpose: the commits' ids by name.
func manualStore(t *testing.T) (*store.DB, map[string]string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "kdelta.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	id := func(prefix string) string { return prefix + strings.Repeat("0", 40-len(prefix)) }
	ids := map[string]string{
		"base": id("bbbb"), "u1": id("abcd1"), "u2": id("abcd2"), "u3": id("1234"),
		"d1": id("d00d1"), "d2": id("d00d2"), "o1": id("0fed"),
	}
	var fps []*change.Fingerprint
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	for name, oid := range ids {
		fps = append(fps, &change.Fingerprint{ID: oid, Subject: "RDMA/mlx5: change " + name, AuthorName: "A", AuthorEmail: "a@example.org",
			AuthorTime: at, CommitterName: "C", CommitterEmail: "c@example.org", CommitTime: at})
	}
	stored, err := db.PutFingerprints(ctx, "linux", fps)
	if err != nil {
		t.Fatal(err)
	}
	of := func(names ...string) []int64 {
		var out []int64
		for _, n := range names {
			out = append(out, stored[ids[n]])
		}
		return out
	}
	ref := func(src store.Source, name, tip string, commits ...string) store.Ref {
		sid, err := db.PutSource(ctx, src)
		if err != nil {
			t.Fatal(err)
		}
		r, err := db.EnsureRef(ctx, sid, name)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.UpdateRef(ctx, store.RefUpdate{RefID: r.ID, Tip: ids[tip], ScopeHash: "s", Reset: true, Add: of(commits...)}); err != nil {
			t.Fatal(err)
		}
		return r
	}
	master := ref(store.Source{Name: "linux", Kind: "upstream", URL: "linux.git", Layout: "linux"}, "master", "u3", "base", "u1", "u2", "u3")
	main := ref(store.Source{Name: "rhel", Kind: "distro", URL: "rhel.git", Layout: "linux", Upstream: "linux"}, "main", "d2", "base", "d1", "d2")
	ofed := ref(store.Source{Name: "ofed", Kind: "vendor", URL: "ofed.git", Layout: "linux", Upstream: "linux"}, "master", "o1", "base", "o1")
	for _, b := range []struct {
		ref  store.Ref
		down []string
	}{{main, []string{"d1", "d2"}}, {ofed, []string{"o1"}}} {
		if err := db.PutBase(ctx, store.Base{RefID: b.ref.ID, UpstreamRefID: master.ID, Commit: ids["base"], How: "merge-base"},
			of(b.down...), of("u1", "u2", "u3")); err != nil {
			t.Fatal(err)
		}
	}
	return db, ids
}

// TestResolveManualMatch is the rule `kdelta match set` and the TUI's m
// share: the downstream id must be a downstream's change since its base,
// the upstream ids commits of its upstream's ref; abbreviations resolve
// within those sets, and an ambiguous one names its candidates.
func TestResolveManualMatch(t *testing.T) {
	db, id := manualStore(t)
	both := []string{"rhel@main", "ofed@master"}
	for _, tc := range []struct {
		name    string
		targets []string
		down    string
		ups     []string
		want    *ManualMatch // nil: refused
		errHas  []string
	}{
		{"abbreviated ids", both, "d00d1", []string{"12340"}, &ManualMatch{Downstream: id["d1"], In: []string{"rhel@main"}, Upstream: []string{id["u3"]}}, nil},
		{"none: downstream-only", []string{"rhel"}, id["d2"], nil, &ManualMatch{Downstream: id["d2"], In: []string{"rhel@main"}, Upstream: []string{}}, nil},
		{"repeats dropped", both, "0fed", []string{"abcd1", id["u1"]}, &ManualMatch{Downstream: id["o1"], In: []string{"ofed@master"}, Upstream: []string{id["u1"]}}, nil},
		{"ambiguous downstream", both, "d00d", nil, nil, []string{"d00d is ambiguous", change.Short(id["d1"]), change.Short(id["d2"]), `"RDMA/mlx5: change d1"`}},
		{"ambiguous upstream", both, "d00d1", []string{"abcd"}, nil, []string{"abcd is ambiguous", change.Short(id["u1"]), change.Short(id["u2"]), "commits of linux"}},
		{"a downstream commit as upstream", both, "d00d1", []string{"d00d2"}, nil, []string{change.Short(id["d2"]) + " is not a commit of linux, the upstream of rhel@main; it is in rhel"}},
		{"an upstream commit as downstream", both, "1234", nil, nil, []string{change.Short(id["u3"]) + " is not a change any downstream carries since its base; it is in linux"}},
		{"the base is no change since the base", both, "bbbb", nil, nil, []string{"is not a change any downstream carries since its base"}},
		{"another downstream's change", []string{"rhel@main"}, "0fed", nil, nil, []string{"is not a change rhel@main carries since its base; it is in ofed"}},
		{"unknown", both, "feedface", nil, nil, []string{"feedface: no commit of that id in the store"}},
		{"not hex", both, "d00d1", []string{"HEAD~1"}, nil, []string{`"HEAD~1" is not a commit id (4 to 40 hex digits)`}},
		{"too short", both, "d00", nil, nil, []string{"is not a commit id"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ResolveManualMatch(context.Background(), db, tc.targets, tc.down, tc.ups)
			if tc.want != nil {
				if err != nil || !reflect.DeepEqual(got, *tc.want) {
					t.Errorf("got %+v, %v; want %+v", got, err, *tc.want)
				}
				return
			}
			if !errors.Is(err, ErrBadID) {
				t.Fatalf("got %+v, %v; want a refusal (ErrBadID)", got, err)
			}
			for _, s := range tc.errHas {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
}
