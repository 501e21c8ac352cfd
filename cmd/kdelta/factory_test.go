package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/store"
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

// TestNewerStoreIsBadInput: a store a newer kdelta migrated is refused by
// every command that opens it, with exit 2 and the store's one-line
// reason (what it has, what this kdelta knows, what to do), and is left as
// it was.
func TestNewerStoreIsBadInput(t *testing.T) {
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
	path := filepath.Join(dir, "kdelta.db")
	db, err := store.Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO migrations (name, applied) VALUES ('migration/999_future.sql', 1)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	want := "open store " + path + ": the store is newer than this kdelta: it has migration 999_future.sql, and this kdelta knows migrations up to " + store.Version()
	for _, c := range [][]string{{"summary"}, {"delta", "rhel"}, {"store", "migrate"}, {"store", "copy", "--to", filepath.Join(dir, "copy.db")}, {"results", "show", "ipoib.ping"}} {
		args := append(append([]string{c[0]}, "--config", cfg), c[1:]...)
		t.Run(strings.Join(c, " "), func(t *testing.T) {
			e, out, errb := testEnv(t, dir)
			if code := run(args, e); code != exitBadInput {
				t.Errorf("exit %d, want %d; stderr: %s", code, exitBadInput, errb)
			}
			if msg := strings.TrimSuffix(errb.String(), "\n"); !strings.HasPrefix(msg, "kdelta "+c[0]+": "+want) || strings.Contains(msg, "\n") {
				t.Errorf("stderr %q, want one line starting %q", errb, "kdelta "+c[0]+": "+want)
			}
			if out.Len() > 0 {
				t.Errorf("stdout %q, want nothing", out)
			}
		})
	}
}
