package analyzer

import (
	"context"
	"errors"
	"slices"
	"sort"
	"testing"

	"github.com/kdelta/kdelta/internal/world"
)

// TestCompareAgainstTruth answers "what would rhel gain with ofed for
// mlx5?" on the small world and checks it against the world's ground
// truth. Every downstream commit is paired by hand as the truth pairs it,
// so that the comparison is tested apart from the matcher. From the truth:
// ofed has an upstream commit when it is at or before ofed's base (v6.1;
// the truth lists upstream commits in an order where a tag's ancestors
// come before it) or an entry of ofed carries it, not reverted; rhel lacks
// it when it is in rhel's derived missing list. The answer is that set,
// in mlx5 (the component map classifies the truth's files), and the other
// way round; the fixes rhel lacks come first.
func TestCompareAgainstTruth(t *testing.T) {
	ctx := context.Background()
	w, db, cfg := syncedWorld(t, world.Small, 5)
	importWorldResults(t, w, db, cfg)
	tr := w.Truth
	for _, d := range tr.Downstreams {
		for _, e := range d.Commits {
			if err := db.SetOverride(ctx, e.ID, e.Upstream); err != nil {
				t.Fatal(err)
			}
		}
	}
	cmp, err := Compare(ctx, db, cfg, "rhel", "ofed")
	if err != nil {
		t.Fatal(err)
	}
	if cmp.A != "rhel@main" || cmp.B != "ofed@master" || cmp.Upstream != "linux@master" {
		t.Fatalf("compared %s and %s against %s", cmp.A, cmp.B, cmp.Upstream)
	}
	comps, err := cfg.Components()
	if err != nil {
		t.Fatal(err)
	}
	inMlx5 := map[string]bool{}
	position := map[string]int{}
	for i, c := range tr.Upstream.Commits {
		position[c.ID] = i
		if slices.Contains(comps.Classify("linux", c.Files, c.Subject), "mlx5") {
			inMlx5[c.ID] = true
		}
	}
	// kdelta reads the commits in scope: those touching the stack's files
	// (an upstream commit the component map classifies; a downstream
	// commit the store keeps: an empty one is none).
	var entries []string
	for _, d := range tr.Downstreams {
		for _, e := range d.Commits {
			entries = append(entries, e.ID)
		}
	}
	stored, err := db.CommitIDs(ctx, entries)
	if err != nil {
		t.Fatal(err)
	}
	inScope := map[string]bool{}
	for _, c := range tr.Upstream.Commits {
		if len(comps.Classify("linux", c.Files, c.Subject)) > 0 {
			inScope[c.ID] = true
		}
	}
	has := func(d *world.Downstream) func(string) bool {
		carried := map[string]bool{}
		for _, e := range d.Commits {
			if _, ok := stored[e.ID]; ok && e.RevertedBy == "" {
				for _, u := range e.Upstream {
					carried[u] = true
				}
			}
		}
		return func(id string) bool { return position[id] <= position[d.BaseCommit] || carried[id] }
	}
	lacks := func(a, b *world.Downstream, only map[string]bool) []string {
		bHas := has(b)
		var out []string
		for _, id := range a.Missing {
			if bHas(id) && inScope[id] && (only == nil || only[id]) {
				out = append(out, id)
			}
		}
		sort.Strings(out)
		return out
	}
	rhel, ofed := tr.Downstream("rhel"), tr.Downstream("ofed")
	ids := func(cs []RankedCommit) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		sort.Strings(out)
		return out
	}
	for _, tc := range []struct {
		comp string
		only map[string]bool
	}{{"", nil}, {"mlx5", inMlx5}} {
		cc := cmp.Component(tc.comp)
		if cc == nil {
			t.Fatalf("no comparison of %q", tc.comp)
		}
		want := lacks(rhel, ofed, tc.only)
		if len(want) == 0 {
			t.Fatalf("%q: the truth says rhel lacks nothing ofed has", tc.comp)
		}
		if got := ids(cc.ALacks); !slices.Equal(got, want) {
			t.Errorf("%q: rhel lacks %d that ofed has, want %d\nnot in the truth: %v\nnot found: %v", tc.comp, len(got), len(want),
				minus(got, want), minus(want, got))
		}
		if got, want := ids(cc.BLacks), lacks(ofed, rhel, tc.only); !slices.Equal(got, want) {
			t.Errorf("%q: ofed lacks %d that rhel has, want %d\nnot in the truth: %v\nnot found: %v", tc.comp, len(got), len(want),
				minus(got, want), minus(want, got))
		}
		// Most critical for rhel first: the missing fixes of code rhel has
		// come before the rest.
		last := 0
		for _, c := range cc.ALacks {
			if o := RankOrder(c.Rank); o < last {
				t.Errorf("%q: %.12s (%s) after a more critical rank", tc.comp, c.ID, c.Rank)
			} else {
				last = o
			}
			if slices.Contains(rhel.MissingFixes, c.ID) && c.Rank == RankOther {
				t.Errorf("%q: %.12s is a missing fix of rhel ranked other", tc.comp, c.ID)
			}
		}
		// What each carries alone: its changes upstream lacks (no two of
		// the world's downstreams carry the same such change).
		carried := func(d *world.Downstream) []string {
			var out []string
			for _, e := range d.Commits {
				if len(e.Upstream) == 0 && e.Reverts == "" {
					out = append(out, e.ID)
				}
			}
			return out
		}
		for _, side := range []struct {
			name  string
			alone []Carried
			d     *world.Downstream
		}{{"rhel", cc.AAlone, rhel}, {"ofed", cc.BAlone, ofed}} {
			truth := carried(side.d)
			for _, c := range side.alone {
				if !slices.Contains(truth, c.ID) {
					t.Errorf("%q: %s carries %.12s alone, which the truth does not call downstream-only", tc.comp, side.name, c.ID)
				}
				if c.Status.Status == "" {
					t.Errorf("%q: %s's %.12s has no status", tc.comp, side.name, c.ID)
				}
				if tc.comp != "" && !slices.Contains(c.Components, tc.comp) {
					t.Errorf("%q: %s's %.12s is in %v", tc.comp, side.name, c.ID, c.Components)
				}
			}
			if tc.comp == "" && len(side.alone) == 0 {
				t.Errorf("%s carries nothing alone", side.name)
			}
		}
		for _, d := range cc.Tests {
			pa, pb := d.A.Status == "PASS", d.B.Status == "PASS"
			if pa == pb || !Failing(d.A.Status) && !Failing(d.B.Status) {
				t.Errorf("%q: test %s: %s on rhel, %s on ofed: not a pass on one and a failure on the other", tc.comp, d.Test, d.A.Status, d.B.Status)
			}
			if tc.comp != "" && !slices.Contains(d.A.Components, tc.comp) {
				t.Errorf("%q: test %s covers %v", tc.comp, d.Test, d.A.Components)
			}
		}
	}
	t.Logf("rhel lacks %d mlx5 commits ofed has (%d ranked above other); ofed lacks %d rhel has",
		len(cmp.Component("mlx5").ALacks), countAbove(cmp.Component("mlx5").ALacks), len(cmp.Component("mlx5").BLacks))

	// Downstreams of different upstreams, or one twice, are refused.
	if _, err := Compare(ctx, db, cfg, "rhel", "rhel@main"); !errors.Is(err, ErrNotComparable) {
		t.Errorf("rhel with itself: %v", err)
	}
}

func countAbove(cs []RankedCommit) int {
	n := 0
	for _, c := range cs {
		if c.Rank != RankOther {
			n++
		}
	}
	return n
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x[:12])
		}
	}
	if len(out) > 8 {
		out = append(out[:8], "…")
	}
	return out
}
