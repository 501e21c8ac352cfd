package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testEnv runs kdelta in dir with captured output and a fixed clock.
func testEnv(t *testing.T, dir string) (*env, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	var out, errb bytes.Buffer
	return &env{
		stdout: &out, stderr: &errb,
		now:   func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) },
		getwd: func() (string, error) { return dir, nil },
	}, &out, &errb
}

// chdir moves the test into dir, as a user would cd before running kdelta.
func chdir(t *testing.T, dir string) {
	t.Helper()
	old, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chdir(old) })
}

// demoWorld builds and syncs the small world with `kdelta demo` and
// returns its directory, what the demo printed, and a function that runs
// kdelta on the world: stdout, stderr and the exit code.
func demoWorld(t *testing.T) (dir, demoOut string, do func(args ...string) (string, string, int)) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "w")
	e, out, errb := testEnv(t, dir)
	if code := run([]string{"demo", "--size", "small", dir}, e); code != exitOK {
		t.Fatalf("demo exit %d: %s", code, errb)
	}
	config := filepath.Join(dir, "kdelta.toml")
	return dir, out.String(), func(args ...string) (string, string, int) {
		e, out, errb := testEnv(t, dir)
		code := run(append(args, "--config", config), e)
		return out.String(), errb.String(), code
	}
}

func TestUsageAndExitCodes(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[[source]]\nname = \"linux\"\nkind = \"upstreem\"\nurl = \"x\"\nrefs = [\"master\"]\n"), 0o644)
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string // substring expected on stdout
		stderr   string // substring expected on stderr
		oneLiner bool   // stderr must be a single line
	}{
		{"no args prints help", nil, exitOK, "Commands:", "", false},
		{"help lists every command", []string{"help"}, exitOK, "demo", "", false},
		{"help for a command", []string{"help", "sync"}, exitOK, "", "Example:\n  kdelta sync rhel9", false},
		{"unknown command", []string{"frobnicate"}, exitBadInput, "", `unknown command "frobnicate"`, true},
		{"unknown flag", []string{"sync", "--nope"}, exitBadInput, "", "flag provided but not defined", false},
		{"no project file", []string{"sync"}, exitBadInput, "", "kdelta init", true},
		{"bad project file", []string{"sync", "--config", bad}, exitBadInput, "", `bad.toml:3:`, true},
		{"summary before any sync", []string{"summary", "--config", bad}, exitBadInput, "", "upstreem", true},
		{"show wants a hex id", []string{"show", "xyz"}, exitBadInput, "", "not a commit id", false},
		{"demo refuses the bench size", []string{"demo", "--size", "bench"}, exitBadInput, "", "make bench", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, out, errb := testEnv(t, dir)
			code := run(tt.args, e)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, errb)
			}
			if !strings.Contains(out.String(), tt.stdout) {
				t.Errorf("stdout %q lacks %q", out, tt.stdout)
			}
			if !strings.Contains(errb.String(), tt.stderr) {
				t.Errorf("stderr %q lacks %q", errb, tt.stderr)
			}
			if tt.oneLiner && strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 {
				t.Errorf("stderr is not one line: %q", errb)
			}
		})
	}
}

func TestInitWritesAStarterThatParses(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	e, out, _ := testEnv(t, dir)
	if code := run([]string{"init"}, e); code != exitOK {
		t.Fatalf("init exit %d", code)
	}
	if !strings.Contains(out.String(), "wrote kdelta.toml") {
		t.Errorf("init said %q", out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "kdelta.toml"))
	if err != nil || !bytes.Contains(b, []byte("[[source]]")) {
		t.Fatalf("starter: %v %q", err, b)
	}
	if _, err := loadConfig(filepath.Join(dir, "kdelta.toml")); err != nil {
		t.Errorf("the starter does not load: %v", err)
	}
	// A second init refuses to overwrite the user's file.
	e, _, errb := testEnv(t, dir)
	if code := run([]string{"init"}, e); code != exitBadInput || !strings.Contains(errb.String(), "--force") {
		t.Errorf("second init: exit %d, stderr %q", code, errb)
	}
}

// TestDeltaAndMatchesOnTheSmallWorld runs the commands a maintainer would,
// in order, on a synced small world.
func TestDeltaAndMatchesOnTheSmallWorld(t *testing.T) {
	_, _, do := demoWorld(t)

	// Flags may follow the downstream.
	table, stderr, code := do("delta", "rhel", "--component", "mlx5")
	if code != exitOK || !strings.Contains(table, "Missing fixes, most critical first (") || !strings.Contains(table, "mlx5") {
		t.Fatalf("delta table: exit %d\n%s%s", code, table, stderr)
	}
	js, _, code := do("delta", "rhel", "--format", "json")
	var r struct {
		Downstream string `json:"downstream"`
		Components []struct {
			Component    string            `json:"component"`
			Missing      []json.RawMessage `json:"missing"`
			MissingFixes []json.RawMessage `json:"missing_fixes"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil || code != exitOK || r.Downstream != "rhel@main" || len(r.Components) < 2 {
		t.Fatalf("delta json: exit %d, %v, %.200s", code, err, js)
	}
	if len(r.Components[0].Missing) == 0 || len(r.Components[0].MissingFixes) == 0 {
		t.Errorf("the whole delta has no missing commits or fixes")
	}
	matrix, _, code := do("delta", "--all")
	if code != exitOK || !strings.Contains(matrix, "rhel@main") || !strings.Contains(matrix, "ofed@master") {
		t.Errorf("matrix: exit %d\n%s", code, matrix)
	}

	mjs, _, code := do("matches", "ofed")
	var ms []struct {
		Downstream string   `json:"downstream"`
		Upstream   []string `json:"upstream"`
		Method     string   `json:"method"`
	}
	if err := json.Unmarshal([]byte(mjs), &ms); err != nil || code != exitOK || len(ms) == 0 {
		t.Fatalf("matches: exit %d, %v", code, err)
	}
	var only string
	for _, m := range ms {
		if len(m.Upstream) == 0 && m.Method == "none" {
			only = m.Downstream
			break
		}
	}
	if only == "" {
		t.Fatal("no downstream-only commit to pair by hand")
	}
	var up string
	for _, m := range ms {
		if len(m.Upstream) > 0 {
			up = m.Upstream[0]
			break
		}
	}
	if _, stderr, code := do("match", "set", only[:10], up[:10]); code != exitOK {
		t.Fatalf("match set: exit %d: %s", code, stderr)
	}
	mjs, _, _ = do("matches", "ofed")
	if !strings.Contains(mjs, `"method": "manual"`) {
		t.Errorf("the manual match is not shown")
	}
	if _, _, code := do("match", "unset", only); code != exitOK {
		t.Errorf("match unset: exit %d", code)
	}
	if _, stderr, code := do("match", "unset", only); code != exitBadInput || !strings.Contains(stderr, "no manual match") {
		t.Errorf("unsetting twice: exit %d, %s", code, stderr)
	}
	if _, stderr, code := do("delta", "linux"); code != exitBadInput || !strings.Contains(stderr, "upstream") {
		t.Errorf("delta of the upstream itself: exit %d, %s", code, stderr)
	}
}
