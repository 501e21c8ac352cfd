package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/kdelta/kdelta/internal/world"
)

// TestReportGolden renders the small world's report in each text format
// and compares it with its golden file; the HTML is checked by the report
// package's parse tests and here for being one self-contained file.
func TestReportGolden(t *testing.T) {
	_, _, do := demoWorld(t)
	for _, f := range []string{"md", "json", "csv"} {
		t.Run(f, func(t *testing.T) {
			out, stderr, code := do("report", "rhel", "ofed", "--format", f)
			if code != exitOK {
				t.Fatalf("report --format %s: exit %d: %s", f, code, stderr)
			}
			golden.RequireEqual(t, []byte(out)) // testdata/TestReportGolden/<format>.golden; -update rewrites it
		})
	}
	html := filepath.Join(t.TempDir(), "r.html")
	if _, stderr, code := do("report", "-o", html); code != exitOK {
		t.Fatalf("report -o r.html: exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"http://", "https://fonts", "<link ", "@import"} {
		if bytes.Contains(b, []byte(bad)) {
			t.Errorf("the HTML report fetches from the network: it contains %q", bad)
		}
	}
	if !bytes.Contains(b, []byte("<svg")) || !bytes.Contains(b, []byte("mlnx-ofed@ofed")) {
		t.Errorf("the HTML report lacks charts or a downstream")
	}
	for _, args := range [][]string{{"report", "--format", "pdf"}, {"report", "winofed-3.1"}, {"report", "centos"}} {
		if _, stderr, code := do(args...); code != exitBadInput {
			t.Errorf("%v: exit %d, want %d: %s", args, code, exitBadInput, stderr)
		}
	}
}

// TestCheckExitCodes drives kdelta check as CI would: a baseline saved as
// a JSON report, an unchanged world (exit 0), a world advanced by a rebase
// that drops a backport, an upstream revert and a new upstream fix (exit
// 1, with JUnit), a new baseline, and bad input (exit 2).
func TestCheckExitCodes(t *testing.T) {
	dir, _, do := demoWorld(t)
	tmp := t.TempDir()
	base := filepath.Join(tmp, "base.json")
	if _, stderr, code := do("report", "--format", "json", "-o", base); code != exitOK {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	if out, stderr, code := do("check", "--baseline", base); code != exitOK || !strings.Contains(out, "no regressions") {
		t.Fatalf("unchanged: exit %d\n%s%s", code, out, stderr)
	}
	if out, stderr, code := do("check", "--baseline", "1"); code != exitOK {
		t.Fatalf("against snapshot 1: exit %d\n%s%s", code, out, stderr)
	}

	reb, err := world.Rebase(dir, "rhel", 3)
	if err != nil {
		t.Fatal(err)
	}
	truth, err := world.LoadTruth(filepath.Join(dir, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range truth.Downstream("rhel").Commits {
		if e.Kind == world.KindCherryPick && len(e.Upstream) == 1 && e.Upstream[0] != reb.Upstream[0] {
			if _, err := world.AddUpstreamFix(dir, e.Upstream[0], 7); err == nil {
				break
			}
		}
	}
	// An upstream revert of a commit the vendor carries.
	ofed := truth.Downstream("ofed")
	for _, e := range ofed.Commits {
		if e.Kind == world.KindCherryPick && len(e.Upstream) == 1 && e.RevertedBy == "" {
			if _, err := world.RevertUpstream(dir, e.Upstream[0]); err == nil {
				break
			}
		}
	}
	if _, stderr, code := do("sync"); code != exitOK {
		t.Fatalf("sync: exit %d: %s", code, stderr)
	}
	// A test that passed on rhel's last release fails on the new tip.
	var last struct {
		Downstreams []struct {
			Tests []struct{ Test, Lab, Hardware, Status string } `json:"tests"`
		} `json:"downstreams"`
	}
	b, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &last); err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(tmp, "ci.csv")
	for _, ts := range last.Downstreams[0].Tests {
		if ts.Status == "PASS" {
			os.WriteFile(csv, []byte("test,status,lab,hardware\n"+ts.Test+",FAIL,"+ts.Lab+",\""+ts.Hardware+"\"\n"), 0o644)
			break
		}
	}
	if out, stderr, code := do("results", "import", csv, "--target", "rhel@main"); code != exitOK {
		t.Fatalf("import: exit %d: %s%s", code, out, stderr)
	}
	// Each kind of regression on its own exits 1.
	for _, kind := range []string{"status", "backport", "missing-fix", "growth", "test"} {
		policy := filepath.Join(tmp, kind+".toml")
		os.WriteFile(policy, []byte("checks = [\""+kind+"\"]\nmax_missing_growth = 0\n"), 0o644)
		out, stderr, code := do("check", "--baseline", base, "--policy", policy)
		if code != exitRegressions || !strings.Contains(out, "FAIL") {
			t.Errorf("check %s alone: exit %d, want %d\n%s%s", kind, code, exitRegressions, out, stderr)
		}
	}
	junit := filepath.Join(tmp, "check.xml")
	next := filepath.Join(tmp, "next.json")
	out, stderr, code := do("check", "--baseline", base, "--junit", junit, "--update-baseline", next)
	if code != exitRegressions || !strings.Contains(out, "backport") || !strings.Contains(out, reb.Upstream[0][:12]) {
		t.Fatalf("advanced: exit %d, want %d\n%s%s", code, exitRegressions, out, stderr)
	}
	var suites struct {
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Text string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	b, err = os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(b, &suites); err != nil || suites.Failures == 0 {
		t.Fatalf("junit: %v, %d failures\n%s", err, suites.Failures, b)
	}
	kinds := map[string]bool{}
	for _, s := range suites.Suites {
		for _, c := range s.Cases {
			if c.Failure != nil {
				kinds[c.Name] = true
			}
		}
	}
	for _, k := range []string{"status", "backport", "missing-fix", "test"} {
		if !kinds[k] {
			t.Errorf("junit failures %v; want %s among them", kinds, k)
		}
	}
	if out, stderr, code := do("check", "--baseline", next); code != exitOK {
		t.Errorf("against the updated baseline: exit %d\n%s%s", code, out, stderr)
	}

	badPolicy := filepath.Join(tmp, "policy.toml")
	os.WriteFile(badPolicy, []byte("max_missing_growth = -3\n"), 0o644)
	garbage := filepath.Join(tmp, "garbage.json")
	os.WriteFile(garbage, []byte("{\"schema_version\": 99}"), 0o644)
	for _, args := range [][]string{
		{"check"},
		{"check", "--baseline", filepath.Join(tmp, "nosuch.json")},
		{"check", "--baseline", "9999"},
		{"check", "--baseline", garbage},
		{"check", "--baseline", base, "--policy", badPolicy},
	} {
		if _, stderr, code := do(args...); code != exitBadInput || strings.Count(stderr, "kdelta check:") != 1 {
			t.Errorf("%v: exit %d, want %d: %s", args, code, exitBadInput, stderr)
		}
	}
}
