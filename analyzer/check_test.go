package analyzer

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kdelta/kdelta/analyzer/status"
	"github.com/kdelta/kdelta/ingest"
	"github.com/kdelta/kdelta/internal/world"
	"github.com/kdelta/kdelta/project"
)

// findings returns the findings of one kind on one downstream.
func findings(r *CheckResult, downstream, kind string) []Finding {
	for _, c := range r.Checks {
		if c.Downstream == downstream && c.Kind == kind {
			return c.Findings
		}
	}
	return nil
}

// TestCheckDetectsEachRegression advances the small world the ways a CI
// run meets (a rebase that drops a backport, an upstream revert of a patch
// the vendor carries, a new upstream fix, a test that starts failing) and
// checks that each regression is found against a JSON-style baseline and
// against a snapshot, and that an unchanged world has none.
func TestCheckDetectsEachRegression(t *testing.T) {
	ctx := context.Background()
	w, db, cfg := syncedWorld(t, world.Small, 5)
	importWorldResults(t, w, db, cfg)
	targets := []string{"rhel@main", "ofed@master", "sles@series", "mlnx-ofed@ofed"}
	baseline, err := Overviews(ctx, db, cfg, targets)
	if err != nil {
		t.Fatal(err)
	}
	snap, _, err := SaveSnapshot(ctx, db, 0)
	if err != nil {
		t.Fatal(err)
	}
	policy := project.DefaultPolicy()

	// Nothing changed: no regression.
	again, err := Overviews(ctx, db, cfg, targets)
	if err != nil {
		t.Fatal(err)
	}
	if r := CheckAgainst("baseline", baseline, again, policy); r.Regressions() > 0 {
		t.Fatalf("unchanged world regressed: %+v", r)
	}
	atSnap, err := OverviewsAt(ctx, db, cfg, snap)
	if err != nil {
		t.Fatal(err)
	}
	if r := CheckAgainst("snapshot", atSnap, again, policy); r.Regressions() > 0 {
		t.Fatalf("unchanged world regressed against its snapshot: %+v", r)
	}

	// The world moves on.
	reb, err := world.Rebase(w.Dir, "rhel", 3)
	if err != nil {
		t.Fatal(err)
	}
	revertedOK := false
	for _, u := range vendorUpstreamAfterBase(t, w) {
		if _, err := world.RevertUpstream(w.Dir, u); err == nil {
			revertedOK = true
			break
		}
	}
	if !revertedOK {
		t.Fatal("no upstream commit ofed carries could be reverted")
	}
	fix := ""
	for _, fixed := range rhelBackports(t, w, reb) {
		if fix, err = world.AddUpstreamFix(w.Dir, fixed, 7); err == nil {
			break
		}
	}
	if fix == "" {
		t.Fatal("no rhel backport could be given an upstream fix")
	}
	now := func() time.Time { return time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) }
	if _, err := ingest.Sync(ctx, cfg, ingest.Options{Now: now}); err != nil {
		t.Fatal(err)
	}
	// A test that passed on the last release fails on the new tip.
	passing := lastPassing(t, baseline[0])
	csv := filepath.Join(t.TempDir(), "ci.csv")
	if err := os.WriteFile(csv, []byte("test,status,lab,hardware,message\n"+passing.Test+",FAIL,"+passing.Lab+","+passing.Hardware+",link down\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.ImportResults(ctx, db, cfg, ingest.ResultsImport{File: csv, Target: "rhel@main"}); err != nil {
		t.Fatal(err)
	}

	current, err := Overviews(ctx, db, cfg, targets)
	if err != nil {
		t.Fatal(err)
	}
	fixComp := ""
	for _, f := range current[0].MissingFixes {
		if f.ID == fix {
			fixComp = firstOf(f.Components)
		}
	}
	policy.Components[fixComp] = project.Limits{MaxCarriedGrowth: -1, MaxMissingGrowth: 0}
	for _, tc := range []struct {
		name string
		base []Overview
	}{{"report", baseline}, {"snapshot", atSnap}} {
		t.Run(tc.name, func(t *testing.T) {
			r := CheckAgainst(tc.name, tc.base, current, policy)
			if r.Regressions() == 0 {
				t.Fatal("no regression found")
			}
			has := func(downstream, kind string, ok func(Finding) bool) {
				t.Helper()
				for _, f := range findings(r, downstream, kind) {
					if ok(f) {
						return
					}
				}
				t.Errorf("%s: no %s finding that fits; got %+v", downstream, kind, findings(r, downstream, kind))
			}
			has("rhel@main", CheckBackport, func(f Finding) bool { return slices.Contains(reb.Upstream, f.ID) })
			has("ofed@master", CheckStatus, func(f Finding) bool {
				return f.Was == "mainline" && f.Now != "mainline" && strings.Contains(f.Detail, "reverted")
			})
			has("rhel@main", CheckMissingFix, func(f Finding) bool { return f.ID == fix })
			has("rhel@main", CheckGrowth, func(f Finding) bool { return f.Component == fixComp && strings.HasSuffix(f.Subject, "missing") })
			if tc.name == "report" {
				has("rhel@main", CheckTest, func(f Finding) bool { return f.Subject == passing.Test && f.Now == "FAIL" })
			}
			// The rebase renamed every later commit: none of them is a
			// status regression.
			for _, f := range findings(r, "rhel@main", CheckStatus) {
				if _, renamed := reb.Renamed[f.ID]; renamed || slices.Contains(mapValues(reb.Renamed), f.ID) {
					t.Errorf("rebased commit reported: %+v", f)
				}
			}
		})
	}
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// vendorUpstreamAfterBase lists the upstream commits after ofed's base
// that ofed carries as cherry-picks.
func vendorUpstreamAfterBase(t *testing.T, w *world.World) []string {
	t.Helper()
	ds := w.Truth.Downstream("ofed")
	after := map[string]bool{}
	base := false
	for _, c := range w.Truth.Upstream.Commits {
		if base {
			after[c.ID] = true
		}
		if c.ID == ds.BaseCommit {
			base = true
		}
	}
	var out []string
	for _, e := range ds.Commits {
		if e.Kind == world.KindCherryPick && len(e.Upstream) == 1 && after[e.Upstream[0]] && e.RevertedBy == "" {
			out = append(out, e.Upstream[0])
		}
	}
	return out
}

// rhelBackports lists the upstream commits rhel still carries as
// cherry-picks after the rebase.
func rhelBackports(t *testing.T, w *world.World, reb world.RebaseInfo) []string {
	t.Helper()
	truth, err := world.LoadTruth(filepath.Join(w.Dir, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range truth.Downstream("rhel").Commits {
		if e.Kind == world.KindCherryPick && len(e.Upstream) == 1 && e.RevertedBy == "" && !slices.Contains(reb.Upstream, e.Upstream[0]) {
			out = append(out, e.Upstream[0])
		}
	}
	return out
}

// lastPassing picks a test whose latest result on a downstream passed.
func lastPassing(t *testing.T, ov Overview) TestStatus {
	t.Helper()
	for _, ts := range ov.Tests {
		if ts.Status == "PASS" {
			return ts
		}
	}
	t.Fatalf("%s has no passing test", ov.Downstream)
	return TestStatus{}
}

// TestSquashOfARevertedCommitIsNoStatusRegression: a downstream change
// that carries several upstream commits, one of which upstream reverted,
// is unknown now and was in the baseline too (a report lists it as the
// backport of each commit, the reverted one marked): comparing a report
// with the state it was written from finds nothing.
func TestSquashOfARevertedCommitIsNoStatusRegression(t *testing.T) {
	squash := strings.Repeat("d", 40)
	was := &Overview{Downstream: "rhel@main", Backports: []Backport{
		{Upstream: strings.Repeat("a", 40), Subject: "net/mlx4: fix", Carried: []string{squash}},
		{Upstream: strings.Repeat("b", 40), Subject: "net/mlx4: fix", Carried: []string{squash}, RevertedBy: strings.Repeat("c", 40)},
	}}
	cur := &Overview{Downstream: "rhel@main", changes: []Carried{{ID: squash, Subject: "net/mlx4: fix",
		Status: status.Status{Status: status.Unknown}}}}
	if got := checkStatuses(was, cur, nil); len(got) != 0 {
		t.Errorf("a squash carrying a reverted commit: %d status findings against its own report: %+v", len(got), got)
	}
}
