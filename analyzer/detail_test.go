package analyzer

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/ingest"
	"github.com/kdelta/kdelta/internal/world"
)

// TestServiceChangeDetail: the detail of a change in a downstream's delta
// says what a user opening it sees, checked against the world's truth: a
// reworked backport names the upstream commits it carries and where its
// diff differs; the upstream commit names the change that carries it; a
// carried change has its status, and what was set by hand on it; a
// missing fix says how the downstream has each commit it fixes; an
// ignored commit says who ignored it and why; a regression's culprit
// lists the tests covering it, the regressed one among them, failures
// first.
func TestServiceChangeDetail(t *testing.T) {
	ctx := context.Background()
	w, db, cfg := syncedWorld(t, world.Small, 5)
	importWorldResults(t, w, db, cfg)
	svc, err := NewService(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	const target = "rhel@main"
	ds := w.Truth.Downstream("rhel")
	r, err := svc.Analysis(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	analyzed := map[string]bool{}
	for _, m := range r.Matches {
		analyzed[m.Downstream] = true
	}
	first := func(kind world.Kind) world.Entry {
		t.Helper()
		for _, e := range ds.Commits {
			if e.Kind == kind && analyzed[e.ID] {
				return e
			}
		}
		t.Fatalf("truth.json: rhel has no %s commit the analysis has", kind)
		return world.Entry{}
	}
	upstreamSubject := map[string]string{}
	upstreamFixes := map[string][]string{}
	for _, c := range w.Truth.Upstream.Commits {
		upstreamSubject[c.ID] = c.Subject
		upstreamFixes[c.ID] = c.Fixes
	}
	carriedBy := map[string]string{} // upstream id -> the rhel change that carries it
	for _, e := range ds.Commits {
		for _, u := range e.Upstream {
			carriedBy[u] = e.ID
		}
	}
	detail := func(id string) *ChangeDetail {
		t.Helper()
		d, err := svc.ChangeDetail(ctx, target, id)
		if err != nil {
			t.Fatalf("detail of %.12s: %v", id, err)
		}
		return d
	}
	reworked := first(world.KindConflict)
	only := first(world.KindDownstreamOnly)
	all := r.Component("")
	var fixes []string // the truth's missing fixes the analysis has
	for _, id := range ds.MissingFixes {
		for _, c := range all.MissingFixes {
			if c.ID == id {
				fixes = append(fixes, id)
			}
		}
	}
	if len(fixes) == 0 {
		t.Fatal("rhel@main: no missing fix of the truth is in the analysis")
	}

	t.Run("reworked backport", func(t *testing.T) {
		d := detail(strings.ToUpper(reworked.ID)) // ids as typed
		if d.Kind != DetailBackport || d.ID != reworked.ID {
			t.Fatalf("%.12s: %s %s; want a backport", reworked.ID, d.ID, d.Kind)
		}
		if !slices.Equal(d.OtherSide(), reworked.Upstream) || d.PairID() != reworked.ID {
			t.Errorf("other side %v, pair %s; want %v and the change itself", d.OtherSide(), d.PairID(), reworked.Upstream)
		}
		for _, u := range reworked.Upstream {
			if d.Subjects[u] != upstreamSubject[u] {
				t.Errorf("subject of %.12s: %q, want %q", u, d.Subjects[u], upstreamSubject[u])
			}
		}
		if d.DiffErr != nil || !strings.Contains(d.Diff, "diff --git") {
			t.Errorf("diff: %v\n%s", d.DiffErr, d.Diff)
		}
		differs := false
		for _, f := range d.Inter {
			differs = differs || !f.Same()
		}
		if d.InterErr != nil || len(d.Inter) == 0 || !differs {
			t.Errorf("interdiff of a conflict-resolved backport: %d files, none differing (err %v)", len(d.Inter), d.InterErr)
		}
	})

	t.Run("upstream side of the backport", func(t *testing.T) {
		u := reworked.Upstream[0]
		d := detail(u)
		if d.Kind != DetailBackported || !slices.Contains(d.OtherSide(), reworked.ID) {
			t.Fatalf("%.12s: %s, other side %v; want backported, carried by %.12s", u, d.Kind, d.OtherSide(), reworked.ID)
		}
		if len(d.Carriers) == 1 && d.PairID() != reworked.ID {
			t.Errorf("pair of the one carrier: %q, want %.12s", d.PairID(), reworked.ID)
		}
		fp, err := svc.Fingerprint(ctx, reworked.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Subjects[reworked.ID] != fp.Subject {
			t.Errorf("subject of the carrier: %q, want %q", d.Subjects[reworked.ID], fp.Subject)
		}
	})

	t.Run("carried change, then set by hand", func(t *testing.T) {
		d := detail(only.ID)
		if d.Kind != DetailCarried || d.Carried == nil || d.Carried.Status.Status == "" || d.StatusErr != nil {
			t.Fatalf("%.12s: %s, status %+v (err %v); want a carried change with a status", only.ID, d.Kind, d.Carried, d.StatusErr)
		}
		if d.OtherSide() != nil || d.HasManualMatch || d.Annotation != nil {
			t.Errorf("before any action: other side %v, manual match %v, annotation %+v", d.OtherSide(), d.HasManualMatch, d.Annotation)
		}
		if _, err := svc.Annotate(ctx, Annotation{Change: only.ID, Status: "never", Reason: "distro only"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.SetManualMatch(ctx, []string{target}, only.ID, nil); err != nil {
			t.Fatal(err)
		}
		d = detail(only.ID)
		if !d.HasManualMatch || len(d.ManualMatch) != 0 {
			t.Errorf("manual match %v %v; want one, downstream-only", d.HasManualMatch, d.ManualMatch)
		}
		if d.Annotation == nil || d.Annotation.Status != "never" || d.Annotation.Reason != "distro only" {
			t.Errorf("annotation %+v; want never: distro only", d.Annotation)
		}
	})

	t.Run("missing fixes", func(t *testing.T) {
		how := map[string]int{}
		for _, fix := range fixes {
			d := detail(fix)
			if d.Kind != DetailMissingFix || d.Entry == nil || d.Entry.ID != fix {
				t.Fatalf("%.12s: %s; want a missing fix", fix, d.Kind)
			}
			var got []string
			for _, f := range d.Fixes {
				got = append(got, f.ID)
				want := "in the base"
				switch {
				case slices.Contains(ds.MissingFixes, f.ID):
					want = FixedItselfMissing
				case carriedBy[f.ID] != "":
					want = "carried by " + carriedBy[f.ID][:12]
				}
				if f.How != want || f.Missing != (want == FixedItselfMissing) {
					t.Errorf("fixes %.12s: %q (missing %v); want %q", f.ID, f.How, f.Missing, want)
				}
				how[strings.Fields(want)[0]]++
				if d.Subjects[f.ID] != upstreamSubject[f.ID] {
					t.Errorf("subject of %.12s: %q, want %q", f.ID, d.Subjects[f.ID], upstreamSubject[f.ID])
				}
			}
			if !slices.Equal(got, upstreamFixes[fix]) {
				t.Errorf("fixes %v; the truth says %v", got, upstreamFixes[fix])
			}
			if d.PairID() != "" || d.OtherSide() != nil {
				t.Errorf("a missing fix is no pair: pair %q, other side %v", d.PairID(), d.OtherSide())
			}
		}
		// The world plants all three: the check above compared each.
		if how["in"] == 0 || how["carried"] == 0 || how["itself"] == 0 {
			t.Errorf("how rhel has what its missing fixes fix: %v; want each of in the base, carried, itself missing", how)
		}
	})

	t.Run("ignored missing commit", func(t *testing.T) {
		var missing string
		for _, c := range all.Missing {
			if !slices.Contains(ds.MissingFixes, c.ID) && slices.Contains(ds.Missing, c.ID) {
				missing = c.ID
				break
			}
		}
		if missing == "" {
			t.Fatal("rhel@main: no missing commit that is not a fix")
		}
		if d := detail(missing); d.Kind != DetailMissing || d.Ignore != nil {
			t.Fatalf("%.12s before ignoring: %s, ignore %+v; want missing", missing, d.Kind, d.Ignore)
		}
		if _, err := svc.AddIgnore(ctx, Ignore{Target: missing, Kind: "id", Scope: "rhel", Reason: "not shipped", Who: "Ana"}); err != nil {
			t.Fatal(err)
		}
		d := detail(missing)
		if d.Kind != DetailIgnored || d.Ignore == nil || d.Ignore.Reason != "not shipped" || d.Ignore.Who != "Ana" {
			t.Fatalf("%.12s after ignoring: %s, ignore %+v; want ignored by Ana: not shipped", missing, d.Kind, d.Ignore)
		}
	})

	t.Run("tests of a change: the covering ones, failures first", func(t *testing.T) {
		// The culprit of a planted regression, with a test of its
		// component that passes and one that errs on the same release.
		p := w.Truth.Results.Regressions[0]
		csv := filepath.Join(t.TempDir(), "more.csv")
		more := "test,status,lab,hardware,target\n" +
			p.Test + "_zz_passes,PASS," + p.Lab + "," + p.Hardware + "," + p.Source + "@" + p.Failed + "\n" +
			p.Test + "_aa_errs,ERROR," + p.Lab + "," + p.Hardware + "," + p.Source + "@" + p.Failed + "\n"
		if err := os.WriteFile(csv, []byte(more), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ingest.ImportResults(ctx, db, cfg, ingest.ResultsImport{File: csv}); err != nil {
			t.Fatal(err)
		}
		d, err := svc.ChangeDetail(ctx, p.Source, p.Culprit)
		if err != nil {
			t.Fatal(err)
		}
		if d.TestErr != nil {
			t.Fatal(d.TestErr)
		}
		var got []string
		for _, ts := range d.Tests {
			covers := false
			for _, c := range svc.Rules().Components(ts.Test) {
				covers = covers || slices.Contains(d.Fingerprint.Components, c)
			}
			if !covers {
				t.Errorf("%.12s lists %s, which covers none of %v", p.Culprit, ts.Test, d.Fingerprint.Components)
			}
			got = append(got, ts.Status+" "+ts.Test)
		}
		// Every failure (the regressed test among them), then the error,
		// then the pass, each run by name.
		n := len(got)
		if n < 3 || !slices.Contains(got, "FAIL "+p.Test) || got[n-2] != "ERROR "+p.Test+"_aa_errs" || got[n-1] != "PASS "+p.Test+"_zz_passes" {
			t.Fatalf("tests of the culprit %.12s: %q; want the failures with FAIL %s, then the error, then the pass", p.Culprit, got, p.Test)
		}
		fails := got[:n-2]
		if !slices.IsSorted(fails) || !strings.HasPrefix(fails[len(fails)-1], "FAIL ") {
			t.Errorf("failures %q: want only FAILs, by name", fails)
		}
	})

	t.Run("tests of every kind of change: the latest results of its components", func(t *testing.T) {
		// The detail takes the tests of the components its analysis
		// touches from the analysis, the others from the store: the rows
		// are those of the store's latest results either way.
		latest, err := svc.LatestTests(ctx, "rhel")
		if err != nil {
			t.Fatal(err)
		}
		ids := []string{reworked.ID, reworked.Upstream[0], only.ID, fixes[0]}
		if fx := upstreamFixes[fixes[0]]; len(fx) > 0 {
			ids = append(ids, fx[0]) // what a missing fix fixes: in the base
		}
		// And an upstream commit of a component the delta does not touch.
		for _, c := range w.Truth.Upstream.Commits {
			fp, err := svc.Fingerprint(ctx, c.ID)
			if err != nil {
				continue
			}
			if slices.ContainsFunc(fp.Components, func(comp string) bool { return r.Component(comp) == nil }) {
				ids = append(ids, c.ID)
				break
			}
		}
		outside := 0
		for _, id := range ids {
			d := detail(id)
			if d.TestErr != nil {
				t.Fatalf("%.12s: %v", id, d.TestErr)
			}
			var want []string
			seen := map[string]bool{}
			for _, comp := range d.Fingerprint.Components {
				if r.Component(comp) == nil {
					outside++
				}
				for _, ts := range latest[comp] {
					k := ts.Status + " " + ts.Test + " " + ts.Lab + " " + ts.Hardware
					if !seen[k] {
						seen[k] = true
						want = append(want, k)
					}
				}
			}
			var got []string
			for _, ts := range d.Tests {
				got = append(got, ts.Status+" "+ts.Test+" "+ts.Lab+" "+ts.Hardware)
			}
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s %.12s (components %v): tests %q; the store's latest are %q", d.Kind, id, d.Fingerprint.Components, got, want)
			}
		}
		if outside == 0 {
			t.Error("no change of a component outside the analysis's delta was checked")
		}
	})

	t.Run("unknown id", func(t *testing.T) {
		if d, err := svc.ChangeDetail(ctx, target, "0123456789abcdef0123456789abcdef01234567"); err == nil {
			t.Errorf("an id the store lacks: %s, no error", d.Kind)
		}
	})
}
