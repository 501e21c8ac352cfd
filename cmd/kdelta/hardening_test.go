package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/kdelta/kdelta/store"
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

// tui --print on a store whose first screen cannot be drawn (a downstream
// the store has not synced) prints the error and exits 2; it waited
// forever, for a key no one would press.
func TestTUIPrintOnAScreenThatCannotBeDrawn(t *testing.T) {
	dir, _, do := demoWorld(t)
	config := filepath.Join(dir, "kdelta.toml")
	f, err := os.OpenFile(config, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\n[[source]]\nname = \"later\"\nkind = \"distro\"\nurl = \"rhel.git\"\nrefs = [\"main\"]\nupstream = \"linux\"\n")
	f.Close()
	type result struct {
		out, errs string
		code      int
	}
	done := make(chan result, 1)
	go func() {
		out, errs, code := do("tui", "--print")
		done <- result{out, errs, code}
	}()
	select {
	case r := <-done:
		if r.code != exitBadInput || !strings.Contains(r.errs, "later") || strings.Count(strings.TrimSpace(r.errs), "\n") != 0 {
			t.Errorf("exit %d, want %d; stderr %q, want one line naming the downstream", r.code, exitBadInput, r.errs)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("tui --print still runs after 30 s")
	}
}

// SIGINT or SIGTERM during the TUI ends it within a second, exit 130,
// with the terminal as it was: out of the alternate screen, the cursor
// shown, the line discipline back (echo, canonical mode). It exited 0, or
// not at all (bubbletea's own signal handler could wait forever on a
// program that had stopped).
func TestTUIEndsOnASignal(t *testing.T) {
	dir, _, _ := demoWorld(t)
	config := filepath.Join(dir, "kdelta.toml")
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			master, slave, err := openPTY()
			if err != nil {
				t.Skip("no pseudo-terminal:", err)
			}
			defer master.Close()
			defer slave.Close()
			before, err := termios(slave)
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "tui", "--config", config)
			cmd.Env = append(os.Environ(), asKdelta+"=1", "TERM=xterm-256color")
			cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var screen lockedBuffer
			got := make(chan struct{})
			var once sync.Once
			go func() {
				buf := make([]byte, 4096)
				for {
					n, err := master.Read(buf)
					screen.Write(buf[:n]) // this goroutine writes it; the test reads it
					// Answer what a terminal is asked (its background
					// colour, the cursor's place), as a terminal does.
					if strings.Contains(string(buf[:n]), "\x1b]11;?") {
						master.WriteString("\x1b]11;rgb:0000/0000/0000\x1b\\")
					}
					if strings.Contains(string(buf[:n]), "\x1b[6n") {
						master.WriteString("\x1b[1;1R")
					}
					if strings.Contains(screen.String(), "overview") {
						once.Do(func() { close(got) })
					}
					if err != nil {
						return
					}
				}
			}()
			select {
			case <-got:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("the TUI drew no overview in 30 s")
			}
			time.Sleep(200 * time.Millisecond) // into its event loop
			sent := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			var werr error
			select {
			case werr = <-exited:
			case <-time.After(5 * time.Second):
				cmd.Process.Kill()
				<-exited
				t.Fatalf("still running 5 s after %s", sig)
			}
			took := time.Since(sent)
			code := 0
			if ee, ok := werr.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			if code != exitInterrupted {
				t.Errorf("exit %d after %s, want %d", code, sig, exitInterrupted)
			}
			if took > time.Second {
				t.Errorf("took %s to end after %s, want under a second", took.Round(time.Millisecond), sig)
			}
			after, err := termios(slave)
			if err != nil {
				t.Fatal(err)
			}
			if after.Lflag != before.Lflag || after.Iflag != before.Iflag || after.Oflag != before.Oflag {
				t.Errorf("terminal modes not restored: lflag %#x iflag %#x oflag %#x, were %#x %#x %#x",
					after.Lflag, after.Iflag, after.Oflag, before.Lflag, before.Iflag, before.Oflag)
			}
			time.Sleep(100 * time.Millisecond) // what is left to read
			s := screen.String()
			enter := strings.LastIndex(s, "\x1b[?1049h")
			if leave := strings.LastIndex(s, "\x1b[?1049l"); enter < 0 || leave < enter {
				t.Errorf("the alternate screen was not left")
			}
			if show := strings.LastIndex(s, "\x1b[?25h"); show < enter {
				t.Errorf("the cursor was not shown again")
			}
		})
	}
}

// openPTY opens a pseudo-terminal: its master and its slave.
func openPTY() (*os.File, *os.File, error) {
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, err
	}
	var unlock int32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); errno != 0 {
		master.Close()
		return nil, nil, errno
	}
	var n uint32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); errno != 0 {
		master.Close()
		return nil, nil, errno
	}
	slave, err := os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	// A window size, as a terminal has.
	ws := [4]uint16{30, 100, 0, 0}
	syscall.Syscall(syscall.SYS_IOCTL, slave.Fd(), syscall.TIOCSWINSZ, uintptr(unsafe.Pointer(&ws)))
	return master, slave, nil
}

func termios(f *os.File) (syscall.Termios, error) {
	var t syscall.Termios
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), syscall.TCGETS, uintptr(unsafe.Pointer(&t))); errno != 0 {
		return t, errno
	}
	return t, nil
}

// firstCommitID returns the first full commit id that `delta rhel
// --format json` names.
func firstCommitID(t *testing.T, do func(args ...string) (string, string, int)) string {
	t.Helper()
	out, errs, code := do("delta", "rhel", "--format", "json")
	if code != exitOK {
		t.Fatalf("delta: exit %d: %s", code, errs)
	}
	var doc any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(v any) string
	walk = func(v any) string {
		switch v := v.(type) {
		case map[string]any:
			if id, ok := v["id"].(string); ok && len(id) == 40 {
				return id
			}
			for _, x := range v {
				if id := walk(x); id != "" {
					return id
				}
			}
		case []any:
			for _, x := range v {
				if id := walk(x); id != "" {
					return id
				}
			}
		}
		return ""
	}
	id := walk(doc)
	if id == "" {
		t.Fatalf("no commit id in delta rhel")
	}
	return id
}

// Bad input exits 2, never 3 (an internal error): a store path that is a
// directory, a SQLite file of another program, a PostgreSQL URL whose
// server refuses the connection, show --diff on a damaged mirror.
func TestBadInputExitsTwo(t *testing.T) {
	dir, _, do := demoWorld(t)
	config := filepath.Join(dir, "kdelta.toml")
	orig, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	// withStore runs kdelta with the project's [store] table replaced.
	withStore := func(table string, args ...string) (string, int) {
		t.Helper()
		text := strings.Replace(string(orig), "[store]\npath = \"kdelta.db\"", table, 1)
		if text == string(orig) {
			t.Fatalf("the project file has no [store] path = \"kdelta.db\": %.200s", orig)
		}
		p := filepath.Join(dir, "other.toml")
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		e, _, errb := testEnv(t, dir)
		code := run(append(args, "--config", p), e)
		return errb.String(), code
	}
	if err := os.Mkdir(filepath.Join(dir, "a-directory"), 0o755); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "places.sqlite")
	fdb, err := sql.Open("sqlite3", "file:"+foreign)
	if err == nil {
		_, err = fdb.Exec(`CREATE TABLE moz_places (url TEXT)`)
		fdb.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close() // nothing listens there now
	for _, tc := range []struct {
		name, table string
		args        []string
		says        string
	}{
		{"store path is a directory (summary)", "[store]\npath = \"a-directory\"", []string{"summary"}, "is a directory"},
		{"store path is a directory (sync)", "[store]\npath = \"a-directory\"", []string{"sync"}, "is a directory"},
		{"another program's SQLite file", "[store]\npath = \"places.sqlite\"", []string{"delta", "rhel"}, "another program (tables: moz_places)"},
		{"another program's SQLite file (sync)", "[store]\npath = \"places.sqlite\"", []string{"sync", "linux"}, "another program"},
		{"a refused connection", "[store]\nurl = \"postgres://kdelta@" + closed + "/kdelta?connect_timeout=5\"", []string{"summary"}, "cannot connect"},
		{"a refused connection (sync)", "[store]\nurl = \"postgres://kdelta@" + closed + "/kdelta?connect_timeout=5\"", []string{"sync", "--wait", "0s"}, "cannot connect"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs, code := withStore(tc.table, tc.args...)
			if code != exitBadInput || !strings.Contains(errs, tc.says) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
				t.Errorf("exit %d, want %d; stderr %q, want one line saying %q", code, exitBadInput, errs, tc.says)
			}
		})
	}
	t.Run("show --diff on a damaged mirror", func(t *testing.T) {
		id := firstCommitID(t, do)
		packs, _ := filepath.Glob(filepath.Join(dir, "kdelta-mirrors", "*", "objects", "pack", "*"))
		if len(packs) == 0 {
			t.Fatal("no packs in the mirrors")
		}
		for _, p := range packs {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
		}
		out, errs, code := do("show", "--diff", id)
		if code != exitBadInput || !strings.Contains(errs, "damaged") || !strings.Contains(out, id) {
			t.Errorf("exit %d, want %d; stderr %q, want it to say the mirror is damaged; stdout %.100q, want the fingerprint", code, exitBadInput, errs, out)
		}
	})
}

// Readers are never blocked by a writer: while another process holds a
// long write transaction on the store (a results import of a big file),
// every read command answers at once. Each waited 10 s, then failed with
// "database is locked".
func TestReadCommandsDuringAWrite(t *testing.T) {
	dir, _, do := demoWorld(t)
	w, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "kdelta.db")+"?_txlock=immediate&_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	tx, err := w.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`INSERT INTO syncs (started, status) VALUES (1, 'running')`); err != nil {
		t.Fatal(err)
	}
	for _, args := range readCommands {
		t0 := time.Now()
		_, errs, code := do(args...)
		if took := time.Since(t0); code != exitOK || took > 5*time.Second {
			t.Fatalf("%s during a write: exit %d after %s: %s", strings.Join(args, " "), code, took.Round(time.Millisecond), errs)
		}
	}
}

// results import takes the store's lock like sync: a second writer fails
// at once naming the holder, or waits with --wait.
func TestResultsImportTakesTheStoreLock(t *testing.T) {
	dir, _, do := demoWorld(t)
	files, _ := filepath.Glob(filepath.Join(dir, "results", "*.junit.xml"))
	if len(files) == 0 {
		t.Fatal("no JUnit results in the demo world")
	}
	// rhel-kernel-5.14.0-214.el9.junit.xml ran on rhel@kernel-5.14.0-214.el9.
	target := "rhel@" + strings.TrimSuffix(strings.TrimPrefix(filepath.Base(files[0]), "rhel-"), ".junit.xml")
	lock, err := store.Acquire(context.Background(), filepath.Join(dir, "kdelta.db"), "kdelta sync", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, errs, code := do("results", "import", "--target", target, files[0])
	if code != exitBadInput || !strings.Contains(errs, "kdelta sync (pid") {
		t.Errorf("import while a sync holds the store: exit %d, want %d naming the holder: %s", code, exitBadInput, errs)
	}
	go func() {
		time.Sleep(500 * time.Millisecond)
		lock.Release()
	}()
	out, errs, code := do("results", "import", "--target", target, "--wait", "20s", files[0])
	if code != exitOK || !strings.Contains(errs, "waiting for the store") || !strings.Contains(out, "imported before") {
		t.Errorf("import --wait: exit %d\n%s%s", code, out, errs)
	}
}

// readOnlyEnv names a project whose store the test binary, run as another
// user, reads (TestReadOnlyStoreServesEveryRead).
const readOnlyEnv = "KDELTA_TEST_READONLY_CONFIG"

// A SQLite store kdelta cannot write (here: a file and directory of
// another user) serves every read command. Each failed with "attempt to
// write a readonly database". As root, whom permissions do not stop, the
// commands run as nobody.
func TestReadOnlyStoreServesEveryRead(t *testing.T) {
	if config := os.Getenv(readOnlyEnv); config != "" {
		for _, args := range readCommands {
			e, _, errb := testEnv(t, filepath.Dir(config))
			if code := run(append(args, "--config", config), e); code != exitOK {
				t.Errorf("%s on a read-only store: exit %d: %s", strings.Join(args, " "), code, errb)
			}
		}
		e, _, errb := testEnv(t, filepath.Dir(config))
		code := run([]string{"ignore", "add", "drivers/infiniband/hw/qib/", "--reason", "qib is not shipped", "--config", config}, e)
		if code != exitBadInput || !strings.Contains(errb.String(), "read-only") {
			t.Errorf("ignore add on a read-only store: exit %d, want %d saying it is read-only: %s", code, exitBadInput, errb)
		}
		return
	}
	dir, _, _ := demoWorld(t)
	config := filepath.Join(dir, "kdelta.toml")
	os.Remove(filepath.Join(dir, "kdelta.db.lock"))
	if os.Geteuid() != 0 {
		for _, p := range []string{filepath.Join(dir, "kdelta.db"), dir} {
			if err := os.Chmod(p, 0o555); err != nil {
				t.Fatal(err)
			}
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
		t.Setenv(readOnlyEnv, config)
		TestReadOnlyStoreServesEveryRead(t)
		return
	}
	// As nobody: everything reachable and readable, nothing writable.
	for d := dir; d != "/" && d != "."; d = filepath.Dir(d) {
		if fi, err := os.Stat(d); err == nil && fi.Mode().Perm()&0o005 != 0o005 {
			if err := os.Chmod(d, fi.Mode().Perm()|0o005); err != nil {
				t.Skip("cannot let nobody reach the test directory:", err)
			}
		}
	}
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil {
			os.Chmod(p, fi.Mode().Perm()|0o444|(fi.Mode().Perm()&0o100)>>3|(fi.Mode().Perm()&0o100)>>6)
		}
		return nil
	})
	bin := filepath.Join(dir, "kdelta.test")
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, self, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^TestReadOnlyStoreServesEveryRead$", "-test.count=1")
	cmd.Env = append(os.Environ(), readOnlyEnv+"="+config, "HOME="+dir)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("as nobody: %v\n%s", err, out)
	}
}
