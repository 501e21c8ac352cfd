package analyzer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kdelta/kdelta/ingest"
	"github.com/kdelta/kdelta/internal/world"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
)

// TestRegressionTransitions checks which status sequences are regressions:
// a FAIL whose last judged result on an earlier target was a PASS, per
// test, lab and hardware.
func TestRegressionTransitions(t *testing.T) {
	for _, tc := range []struct {
		name string
		seq  string // one status per target, oldest first; "PASS+FAIL" is two results on one target
		want string // the failing targets of the regressions found
	}{
		{"pass then fail", "PASS FAIL", "t1"},
		{"fail from the start", "FAIL FAIL PASS", ""},
		{"skips are not judgements", "PASS SKIP MISS FAIL", "t3"},
		{"error is the test breaking", "PASS ERROR PASS", ""},
		{"error then fail still regresses", "PASS ERROR FAIL", "t2"},
		{"reported once", "PASS FAIL FAIL", "t1"},
		{"each time it breaks again", "PASS FAIL PASS FAIL", "t1 t3"},
		{"a retry that passed does not hide a failure", "PASS PASS+FAIL", "t1"},
		{"fail then pass on one target", "PASS FAIL+PASS", "t1"},
		{"same target twice", "PASS+FAIL", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, filepath.Join(t.TempDir(), "kdelta.db"), time.Now)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var rows []store.TestResult
			for i, step := range strings.Fields(tc.seq) {
				tg := store.TestTarget{Source: "sles", Label: fmt.Sprintf("t%d", i), Time: time.Unix(int64(1000+i), 0)}
				for j, st := range strings.Split(step, "+") {
					rows = append(rows, store.TestResult{Target: tg, Lab: "iol", Path: "ipoib.ping", Status: st,
						Started: time.Unix(int64(5000+10*i+j), 0)})
				}
				// Another lab's results never pair with these.
				rows = append(rows, store.TestResult{Target: tg, Lab: "other", Path: "ipoib.ping", Status: []string{"FAIL", "PASS"}[i%2]})
			}
			if _, _, err := db.ImportResults(ctx, store.ResultFile{Digest: "x", Name: "x.csv", Format: "csv"}, rows); err != nil {
				t.Fatal(err)
			}
			rules, err := project.DefaultConfig().TestRules()
			if err != nil {
				t.Fatal(err)
			}
			regs, err := Regressions(ctx, db, project.DefaultConfig(), rules, "")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range regs {
				if r.Lab == "other" {
					if !strings.HasSuffix(r.Failed.Target, "t2") && !strings.HasSuffix(r.Failed.Target, "t4") {
						t.Errorf("other lab: unexpected regression at %s", r.Failed.Target)
					}
					continue
				}
				got = append(got, strings.TrimPrefix(r.Failed.Target, "sles@"))
				if r.Components[0] != "ipoib" {
					t.Errorf("components = %v", r.Components)
				}
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("regressions at %v, want %q", got, tc.want)
			}
		})
	}
}

// importWorldResults imports every results file of a world as its truth
// describes it.
func importWorldResults(t *testing.T, w *world.World, db *store.DB, cfg *project.Config) {
	t.Helper()
	if w.Truth.Results == nil || len(w.Truth.Results.Files) == 0 {
		t.Fatal("the world has no test results")
	}
	for _, f := range w.Truth.Results.Files {
		rep, err := ingest.ImportResults(context.Background(), db, cfg, ingest.ResultsImport{
			File: filepath.Join(w.Dir, f.Path), Target: f.Target})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Format != f.Format || rep.Cases != f.Cases || rep.Added != f.Cases {
			t.Errorf("%s: imported %+v; want %s with %d results", f.Path, rep, f.Format, f.Cases)
		}
	}
}

// TestPlantedRegression checks kdelta against the world's planted
// regressions: every one is found (and nothing else), its culprit is the
// top suspect, and the planted missing upstream fix is listed.
func TestPlantedRegression(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		size world.Size
		seed int64
	}{
		{world.Small, 5}, {world.Small, 11},
		// In the demo world other changes between the two releases touch
		// the component too: the ranking decides.
		{world.Demo, 1},
	} {
		t.Run(fmt.Sprint(tc.size, " seed ", tc.seed), func(t *testing.T) {
			w, db, cfg := syncedWorld(t, tc.size, tc.seed)
			rules, err := cfg.TestRules()
			if err != nil {
				t.Fatal(err)
			}
			importWorldResults(t, w, db, cfg)
			planted := w.Truth.Results.Regressions
			if len(planted) == 0 {
				t.Fatal("the world planted no regression")
			}
			found, err := Regressions(ctx, db, cfg, rules, "")
			if err != nil {
				t.Fatal(err)
			}
			key := func(source, test, lab, hw, passed, failed string) string {
				return strings.Join([]string{source, test, lab, hw, passed, failed}, "|")
			}
			byKey := map[string]Regression{}
			for _, r := range found {
				byKey[key(r.Source, r.Test, r.Lab, r.Hardware, r.Passed.Target, r.Failed.Target)] = r
			}
			if len(found) != len(planted) {
				t.Errorf("found %d regressions, the world planted %d", len(found), len(planted))
			}
			for _, p := range planted {
				k := key(p.Source, p.Test, p.Lab, p.Hardware, p.Source+"@"+p.Passed, p.Source+"@"+p.Failed)
				r, ok := byKey[k]
				if !ok {
					t.Errorf("planted regression not found: %s", k)
					continue
				}
				if len(r.Suspects) == 0 || r.Suspects[0].ID != p.Culprit {
					t.Errorf("%s: top suspect %+v; want the culprit %.12s", p.Test, r.Suspects, p.Culprit)
				}
				if tc.size == world.Demo && len(r.Suspects) < 2 {
					t.Errorf("%s: %d suspects; the demo world has other changes to the component between the releases", p.Test, len(r.Suspects))
				}
				listed := false
				for _, m := range r.MissingFixes {
					listed = listed || m.ID == p.MissingFix
				}
				if !listed {
					t.Errorf("%s: the planted missing fix %.12s is not listed among %d", p.Test, p.MissingFix, len(r.MissingFixes))
				}
				if !slices.Contains(r.Components, p.Component) {
					t.Errorf("%s: components %v; want %s", p.Test, r.Components, p.Component)
				}
			}

			// The delta marks the regressed component of the downstream.
			res, err := Analyze(ctx, db, planted[0].Source)
			if err != nil {
				t.Fatal(err)
			}
			if err := AttachTests(ctx, db, rules, res); err != nil {
				t.Fatal(err)
			}
			c := res.Component(planted[0].Component)
			if c == nil || c.FailingTests == 0 {
				t.Fatalf("component %s of %s: no failing test attached: %+v", planted[0].Component, planted[0].Source, c)
			}
			for _, ts := range c.Tests {
				if ts.Target != planted[0].Source+"@"+latestTag(w, planted[0].Source, ts.Lab) {
					t.Errorf("%s shows the result on %s; want the latest release", ts.Test, ts.Target)
				}
			}
		})
	}
}

// latestTag is the newest release a lab tested of a source.
func latestTag(w *world.World, source, lab string) string {
	var tags []string
	for _, f := range w.Truth.Results.Files {
		if f.Source == source && f.Lab == lab {
			tags = append(tags, f.Targets...)
		}
	}
	ds := w.Truth.Downstream(source)
	best, at := "", -1
	for i, tg := range ds.Tags {
		if slices.Contains(tags, source+"@"+tg.Name) && i > at {
			best, at = tg.Name, i
		}
	}
	return best
}

// TestImportResultsRefusals: a malformed file, an unknown source or a
// target that does not resolve stores nothing; the same file twice adds
// nothing.
func TestImportResultsRefusals(t *testing.T) {
	ctx := context.Background()
	w, db, cfg := syncedWorld(t, world.Small, 5)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tag := w.Truth.Downstream("rhel").Tags[7].Name
	good := write("good.csv", "test,status,target\nipoib.ping,PASS,rhel@"+tag+"\nsrp.login,FAIL,rhel@"+tag+"\n")
	for _, tc := range []struct {
		name   string
		in     ingest.ResultsImport
		errHas string
	}{
		{"malformed", ingest.ResultsImport{File: write("bad.csv", "test,status\nipoib.ping,PASS\nsrp.login,MAYBE\n"), Target: "rhel@" + tag}, "bad.csv: line 3"},
		{"no target", ingest.ResultsImport{File: write("nt.csv", "test,status\nipoib.ping,PASS\n")}, "names no target; pass --target"},
		{"unknown source", ingest.ResultsImport{File: write("us.csv", "test,status,target\nipoib.ping,PASS,centos@x\n")}, `target source "centos" is not in`},
		{"unknown tag", ingest.ResultsImport{File: write("ut.csv", "test,status\nipoib.ping,PASS\n"), Target: "rhel@kernel-9.9"}, "no such ref, tag or commit"},
		{"bad --target", ingest.ResultsImport{File: good, Target: "rhel"}, "expected SOURCE@REF"},
		{"no file", ingest.ResultsImport{File: filepath.Join(dir, "none.xml")}, "none.xml: cannot read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ingest.ImportResults(ctx, db, cfg, tc.in)
			if err == nil || !errors.Is(err, ingest.ErrBadSource) || !strings.Contains(err.Error(), tc.errHas) {
				t.Fatalf("error = %v; want ErrBadSource mentioning %q", err, tc.errHas)
			}
		})
	}
	if rows, err := db.TestResults(ctx, store.ResultQuery{}); err != nil || len(rows) != 0 {
		t.Fatalf("after refused imports the store holds %d results (%v)", len(rows), err)
	}
	rep, err := ingest.ImportResults(ctx, db, cfg, ingest.ResultsImport{File: good, Lab: "lab9"})
	if err != nil || rep.Added != 2 || rep.Duplicate {
		t.Fatalf("import = %+v, %v", rep, err)
	}
	rep, err = ingest.ImportResults(ctx, db, cfg, ingest.ResultsImport{File: good, Lab: "lab9"})
	if err != nil || rep.Added != 0 || !rep.Duplicate {
		t.Fatalf("re-import = %+v, %v; want a duplicate", rep, err)
	}
	rows, err := db.TestResults(ctx, store.ResultQuery{})
	if err != nil || len(rows) != 2 {
		t.Fatalf("%d results stored (%v); want 2", len(rows), err)
	}
	if r := rows[0]; r.Lab != "lab9" || r.Target.Commit != w.Truth.Downstream("rhel").Tags[7].Commit {
		t.Errorf("stored %+v; want lab9 on the tag's commit", r)
	}
}

// TestGroupRegressions: regressions of one source between the same two
// targets in the same components share a group, in the order of their
// first test.
func TestGroupRegressions(t *testing.T) {
	reg := func(test, comp, failed string) Regression {
		return Regression{Source: "rhel", Test: test, Components: []string{comp},
			Passed: TestStatus{Target: "rhel@1", Commit: "a"}, Failed: TestStatus{Target: "rhel@" + failed, Commit: failed}}
	}
	regs := []Regression{reg("ipoib.a", "ipoib", "2"), reg("mlx5.a", "mlx5", "2"), reg("ipoib.b", "ipoib", "2"), reg("ipoib.c", "ipoib", "3")}
	var got []string
	for _, g := range GroupRegressions(regs) {
		var tests []string
		for _, r := range g.Tests {
			tests = append(tests, r.Test)
		}
		if g.First.Test != g.Tests[0].Test {
			t.Errorf("group of %v: First is %s", tests, g.First.Test)
		}
		got = append(got, strings.Join(tests, "+"))
	}
	if want := "ipoib.a+ipoib.b mlx5.a ipoib.c"; strings.Join(got, " ") != want {
		t.Errorf("groups %q, want %q", strings.Join(got, " "), want)
	}
}
