// Package pgtest gives tests a real PostgreSQL server: the one named by
// $KDELTA_TEST_POSTGRES (what .ci/run starts for a whole `make test`), or
// else one it starts itself in a temporary directory for one test binary,
// with the PostgreSQL binaries (initdb, pg_ctl) found on this machine. Each
// test gets a database of its own (Database). Tests skip only when there is
// no server and no binaries to start one.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// Env names the variable holding the URL of a server's admin database
// (trust authentication, a user that may create databases).
const Env = "KDELTA_TEST_POSTGRES"

// lazy is the server a test binary starts for itself, on the first test
// that asks for a database: one per test binary (a helper's only state).
var lazy struct {
	sync.Mutex
	enabled bool
	server  *Server
	err     error
}

// Main runs a test binary's tests (run: m.Run, or more) with a server:
// $KDELTA_TEST_POSTGRES when set, else one this binary starts when its
// first test asks for a database and the binaries are here, stopped when
// the tests end. It returns the exit code for os.Exit.
func Main(run func() int) int {
	if os.Getenv(Env) != "" {
		return run()
	}
	lazy.Lock()
	lazy.enabled = true
	lazy.Unlock()
	code := run()
	lazy.Lock()
	defer lazy.Unlock()
	if lazy.server != nil {
		if err := lazy.server.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		}
		os.Unsetenv(Env)
		lazy.server = nil
	}
	return code
}

// adminURL returns the URL of the server's admin database, starting the
// binary's own server when Main allows it; "" when there is none.
func adminURL() string {
	if u := os.Getenv(Env); u != "" {
		return u
	}
	lazy.Lock()
	defer lazy.Unlock()
	if !lazy.enabled || lazy.err != nil {
		return ""
	}
	if lazy.server == nil {
		lazy.server, lazy.err = Start(filepath.Join(os.TempDir(), ""))
		if lazy.err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: no PostgreSQL server: %v; PostgreSQL tests skip\n", lazy.err)
			return ""
		}
		// Processes the tests start (a test binary run again) use it too.
		os.Setenv(Env, lazy.server.URL)
	}
	return lazy.server.URL
}

// Server is a PostgreSQL server started in a temporary directory.
type Server struct {
	Dir string // holds the data directory, the socket and the log
	URL string // its admin database
	run []string
}

// binary finds a PostgreSQL program: on PATH, or in Debian's directory.
func binary(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	if len(m) > 0 {
		return m[len(m)-1], nil
	}
	return "", fmt.Errorf("%s is not installed (Debian: apt-get install postgresql)", name)
}

// Start initializes and starts a server listening only on a unix socket
// in a new temporary directory under parent ("" for the system's). As
// root, the server runs as the user $KDELTA_TEST_PG_USER or "nobody" (a
// PostgreSQL server refuses to run as root).
func Start(parent string) (*Server, error) {
	initdb, err := binary("initdb")
	if err != nil {
		return nil, err
	}
	pgctl, err := binary("pg_ctl")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(parent, "kdelta-pg-")
	if err != nil {
		return nil, err
	}
	s := &Server{Dir: dir}
	if os.Geteuid() == 0 {
		name := os.Getenv("KDELTA_TEST_PG_USER")
		if name == "" {
			name = "nobody"
		}
		u, err := user.Lookup(name)
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running the server as %s: %w", name, err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running the server as %s: %w", name, err)
		}
		s.run = []string{runuser, "-u", name, "--"}
	}
	data := filepath.Join(dir, "data")
	if out, err := s.cmd(initdb, "-D", data, "-A", "trust", "-U", "kdelta", "--no-sync", "-E", "UTF8", "--locale=C").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v: %s", err, lastLine(out))
	}
	opts := fmt.Sprintf("-c listen_addresses='' -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", dir)
	if out, err := s.cmd(pgctl, "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pg_ctl start: %v: %s %s", err, lastLine(out), lastLine(log))
	}
	s.URL = "postgres://kdelta@/postgres?host=" + url.QueryEscape(dir) + "&sslmode=disable"
	return s, nil
}

func (s *Server) cmd(name string, args ...string) *exec.Cmd {
	all := append(append(append([]string(nil), s.run...), name), args...)
	c := exec.Command(all[0], all[1:]...)
	c.Dir = s.Dir
	return c
}

// Stop stops the server and removes its directory.
func (s *Server) Stop() error {
	pgctl, err := binary("pg_ctl")
	if err != nil {
		return err
	}
	out, err := s.cmd(pgctl, "-D", filepath.Join(s.Dir, "data"), "-m", "immediate", "-w", "stop").CombinedOutput()
	os.RemoveAll(s.Dir)
	if err != nil {
		return fmt.Errorf("pg_ctl stop: %v: %s", err, lastLine(out))
	}
	return nil
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

// Available says whether there is a server for Database (starting the
// binary's own when Main allows it).
func Available() bool { return adminURL() != "" }

var notName = regexp.MustCompile(`[^a-z0-9_]+`)

// Database creates a database of its own for a test, dropped when the
// test ends, and returns its URL. It skips the test when there is no
// server (Main found no binaries to start one).
func Database(t testing.TB) string {
	t.Helper()
	admin := adminURL()
	if admin == "" {
		t.Skip("no PostgreSQL server: PostgreSQL is not installed here")
	}
	var rnd [4]byte
	rand.Read(rnd[:])
	name := notName.ReplaceAllString(strings.ToLower(t.Name()), "_")
	name = "kd_" + name[:min(len(name), 40)] + "_" + hex.EncodeToString(rnd[:])
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+name+` TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer db.Close()
		db.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
