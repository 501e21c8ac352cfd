package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommandsFindNoProjectOrStore: every command that reads the project's
// state gets its config and store from the one factory, so each says the
// same thing when there is no project file (how to get one) and when the
// project was never synced (how to make the store), exits with bad input,
// and creates no store on the way.
func TestCommandsFindNoProjectOrStore(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	cfg := filepath.Join(dir, "project.toml")
	os.WriteFile(cfg, []byte(`[[source]]
name = "linux"
kind = "upstream"
url = "linux.git"
refs = ["master"]

[[source]]
name = "rhel"
kind = "distro"
url = "rhel.git"
refs = ["main"]
upstream = "linux"
base = "v6.1"
`), 0o644)
	commands := [][]string{
		{"summary"}, {"skips"}, {"show", "abcd"}, {"status", "rhel"}, {"matches", "rhel"},
		{"match", "set", "abcd", "1234"}, {"match", "unset", "abcd"},
		{"annotate", "abcd", "never", "--reason", "vendor only"}, {"annotate", "--clear", "abcd"},
		{"ignore", "list"}, {"ignore", "add", "abcd", "--reason", "tooling"}, {"ignore", "rm", "abcd"},
		{"delta", "rhel"}, {"compare", "rhel", "rhel@main"}, {"report"}, {"check", "--baseline", "baseline.json"}, {"tui", "--print"},
	}
	for _, c := range commands {
		for _, tc := range []struct {
			config, want string
		}{
			{filepath.Join(dir, "missing.toml"), "run 'kdelta init' to write a starter"},
			{cfg, "no store at " + filepath.Join(dir, "kdelta.db") + " yet: run 'kdelta sync' first"},
		} {
			args := append(append([]string{c[0]}, "--config", tc.config), c[1:]...)
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				e, _, errb := testEnv(t, dir)
				if code := run(args, e); code != exitBadInput {
					t.Errorf("exit %d, want %d; stderr: %s", code, exitBadInput, errb)
				}
				if !strings.Contains(errb.String(), tc.want) {
					t.Errorf("stderr %q lacks %q", errb, tc.want)
				}
				if _, err := os.Stat(filepath.Join(dir, "kdelta.db")); !os.IsNotExist(err) {
					t.Errorf("the command made a store: %v", err)
				}
			})
		}
	}
}
