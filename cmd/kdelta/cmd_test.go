package main

import (
	"bytes"
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
