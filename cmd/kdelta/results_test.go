package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/internal/world"
)

// TestResultsCommands drives results import, regressions and show, and the
// tests in delta, as a user would on the small world (whose results the
// demo imports).
func TestResultsCommands(t *testing.T) {
	dir, demo, do := demoWorld(t)
	if !strings.Contains(demo, "interop test results files") || !strings.Contains(demo, "Interop test regressions") {
		t.Errorf("demo does not show the test results:\n%s", demo)
	}
	truth, err := world.LoadTruth(filepath.Join(dir, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	planted := truth.Results.Regressions

	// Importing the same file again adds nothing.
	f := truth.Results.Files[0]
	if out, stderr, code := do("results", "import", filepath.Join(dir, f.Path), "--target", f.Target); code != exitOK || !strings.Contains(out, "imported before; nothing added") {
		t.Errorf("re-import: exit %d: %s%s", code, out, stderr)
	}
	// A malformed file is refused with its line; nothing is stored.
	bad := filepath.Join(t.TempDir(), "bad.xml")
	if err := os.WriteFile(bad, []byte("<testsuites>\n<testsuite name=\"x\">\n<testcase name=\"a\" time=\"soon\"/>\n</testsuite>\n</testsuites>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := do("results", "import", bad, "--target", f.Target); code != exitBadInput || !strings.Contains(stderr, "bad.xml: line 3") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("malformed file: exit %d: %q", code, stderr)
	}
	if _, stderr, code := do("results", "import", filepath.Join(dir, f.Path), "--target", "rhel@no-such-tag"); code != exitBadInput || !strings.Contains(stderr, "no such ref, tag or commit") {
		t.Errorf("unknown tag: exit %d: %s", code, stderr)
	}
	if _, stderr, code := do("results", "show", "x", "--target", "rhel@x"); code != exitBadInput || !strings.Contains(stderr, "does not take --target") {
		t.Errorf("show --target: exit %d: %s", code, stderr)
	}
	if _, stderr, code := do("results", "regressions", "centos"); code != exitBadInput || !strings.Contains(stderr, `no source "centos"`) {
		t.Errorf("regressions of an unknown source: exit %d: %s", code, stderr)
	}

	js, stderr, code := do("results", "regressions", "rhel", "--format", "json")
	var regs []struct {
		Test     string `json:"test"`
		Suspects []struct {
			ID string `json:"id"`
		} `json:"suspects"`
	}
	if err := json.Unmarshal([]byte(js), &regs); err != nil || code != exitOK {
		t.Fatalf("regressions: exit %d, %v: %s", code, err, stderr)
	}
	if len(regs) != len(planted) || len(regs) == 0 || regs[0].Suspects[0].ID != planted[0].Culprit {
		t.Errorf("regressions: %d, want %d planted with culprit %.12s first: %.300s", len(regs), len(planted), planted[0].Culprit, js)
	}
	table, _, _ := do("results", "regressions", "rhel")
	if !strings.Contains(table, planted[0].Culprit[:12]) || !strings.Contains(table, planted[0].MissingFix[:12]) {
		t.Errorf("regressions table lacks the culprit or the missing fix:\n%s", table)
	}

	hist, stderr, code := do("results", "show", planted[0].Test, "--format", "json")
	var h struct {
		Components []string `json:"components"`
		History    []struct {
			Status string `json:"status"`
			Target string `json:"target"`
		} `json:"history"`
	}
	if err := json.Unmarshal([]byte(hist), &h); err != nil || code != exitOK {
		t.Fatalf("show: exit %d, %v: %s", code, err, stderr)
	}
	last := h.History[len(h.History)-1]
	if len(h.Components) == 0 || h.Components[0] != planted[0].Component || last.Status != "FAIL" {
		t.Errorf("show %s: %+v", planted[0].Test, h)
	}
	if _, stderr, code := do("results", "show", planted[0].Component); code != exitBadInput || !strings.Contains(stderr, "did you mean "+planted[0].Component+".") || strings.Contains(stderr, "bad input") {
		t.Errorf("show of a prefix: exit %d: %s", code, stderr)
	}

	delta, _, _ := do("delta", "rhel", "--component", planted[0].Component)
	if !strings.Contains(delta, planted[0].Component+" !") || !strings.Contains(delta, "FAIL  "+planted[0].Test) {
		t.Errorf("delta does not mark the failing component:\n%s", delta)
	}
}
