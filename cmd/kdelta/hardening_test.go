package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A CI gate fails closed: a baseline that compares nothing (another
// project's report, one naming no downstream, or one under which no check
// runs) is bad input, exit 2 with the reason; it said "no regressions (0
// checks)" and exited 0.
func TestCheckRefusesABaselineThatComparesNothing(t *testing.T) {
	dir, _, do := demoWorld(t)
	own := filepath.Join(dir, "baseline.json")
	if _, errs, code := do("report", "--format", "json", "-o", own); code != exitOK {
		t.Fatalf("report: exit %d: %s", code, errs)
	}
	data, err := os.ReadFile(own)
	if err != nil {
		t.Fatal(err)
	}
	// rewrite writes the report with its downstreams changed by edit.
	rewrite := func(name string, edit func(dss []any) []any) string {
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		dss, _ := doc["downstreams"].([]any)
		if len(dss) == 0 {
			t.Fatalf("the report has no downstreams: %.200s", data)
		}
		doc["downstreams"] = edit(dss)
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	other := rewrite("other.json", func(dss []any) []any {
		for _, d := range dss {
			m := d.(map[string]any)
			m["downstream"] = "acme-" + m["downstream"].(string)
		}
		return dss
	})
	none := rewrite("none.json", func([]any) []any { return []any{} })
	policy := filepath.Join(dir, "growth-only.toml")
	if err := os.WriteFile(policy, []byte("checks = [\"growth\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	junit := filepath.Join(dir, "check.xml")
	for _, tc := range []struct {
		name string
		args []string
		code int
		says string
	}{
		{"its own report", []string{"--baseline", own}, exitOK, ""},
		{"another project's report", []string{"--baseline", other}, exitBadInput, "shares no downstream with what is checked (it has acme-"},
		{"a report naming no downstream", []string{"--baseline", none}, exitBadInput, "names no downstream"},
		{"no check runs", []string{"--baseline", own, "--policy", policy}, exitBadInput, "no check ran (no growth limit set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(junit)
			out, errs, code := do(append([]string{"check", "--junit", junit}, tc.args...)...)
			if code != tc.code || !strings.Contains(errs, tc.says) {
				t.Fatalf("exit %d, want %d; stderr %q, want %q; stdout %q", code, tc.code, errs, tc.says, out)
			}
			if tc.code == exitOK {
				return
			}
			if strings.Count(strings.TrimSpace(errs), "\n") != 0 {
				t.Errorf("not one line: %q", errs)
			}
			if strings.Contains(out, "no regressions") {
				t.Errorf("it still says %q", out)
			}
			if _, err := os.Stat(junit); err == nil {
				t.Errorf("a JUnit file of no checks was written")
			}
		})
	}
}
