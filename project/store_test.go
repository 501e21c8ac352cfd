package project

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStoreLocation: the [store] table names a SQLite file (the default)
// or a PostgreSQL URL, and $KDELTA_STORE_URL wins over both; a URL of
// another kind is refused without being printed (it may hold a password).
func TestStoreLocation(t *testing.T) {
	const src = "[[source]]\nname = \"linux\"\nkind = \"upstream\"\nurl = \"linux.git\"\nrefs = [\"master\"]\n"
	tests := []struct {
		name, store, env string
		want             string // StoreLocation, relative to the file's directory for a path
		err              string // the error's text, when it must fail
	}{
		{"default", "", "", "kdelta.db", ""},
		{"path", "[store]\npath = \"team.db\"\n", "", "team.db", ""},
		{"url", "[store]\nurl = \"postgres://ana@db.example.org/kdelta?sslmode=verify-full\"\n", "", "postgres://ana@db.example.org/kdelta?sslmode=verify-full", ""},
		{"url wins over path", "[store]\npath = \"x.db\"\nurl = \"postgresql://db/kdelta\"\n", "", "postgresql://db/kdelta", ""},
		{"environment wins", "[store]\nurl = \"postgres://db/a\"\n", "postgres://ci:pw@db/b", "postgres://ci:pw@db/b", ""},
		{"environment over the default", "", "postgres://db/c", "postgres://db/c", ""},
		{"not postgres", "[store]\nurl = \"mysql://ana:hunter2@db/kdelta\"\n", "", "", "kdelta.toml:2: store: url must be a postgres:// URL (a PostgreSQL database), not a mysql:// URL"},
		{"environment not postgres", "", "mysql://ana:hunter2@db/kdelta", "", "must be a postgres:// URL (a PostgreSQL database), not a mysql:// URL"},
		{"empty url", "[store]\nurl = \"\"\n", "", "", "store: url is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "kdelta.toml")
			if err := os.WriteFile(p, []byte(tt.store+src), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Setenv(StoreURLEnv, tt.env)
			c, err := Load(p)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Contains(err.Error(), "hunter2") {
					t.Fatalf("err = %v, want %q without the password", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if !IsStoreURL(want) {
				want = filepath.Join(dir, want)
			}
			if got := c.StoreLocation(); got != want {
				t.Errorf("StoreLocation = %q, want %q", got, want)
			}
		})
	}
}
