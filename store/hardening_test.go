package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kdelta/kdelta/change"
)

// A reader opens the store and reads (and keeps an analysis, a cache)
// while another process holds a long write transaction, as a results
// import of a big file does: it never waits for it (SQLite's busy timeout
// is 10 s, after which it failed with "database is locked").
func TestReadersDoNotWaitForAWriter(t *testing.T) {
	loc := testLocation(t)
	ctx := context.Background()
	w, err := Open(ctx, loc, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	src, err := w.PutSource(ctx, Source{Name: "linux", Kind: "upstream", URL: "linux.git", Layout: "linux"})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := w.EnsureRef(ctx, src, "master")
	if err != nil {
		t.Fatal(err)
	}
	started, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- w.inTx(ctx, func(tx *conn) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO syncs (started, status) VALUES (1, 'running')`); err != nil {
				return err
			}
			close(started)
			<-release
			return nil
		})
	}()
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("the writer: %v", err)
	}
	t0 := time.Now()
	r, err := Open(ctx, loc, fixedNow)
	if err != nil {
		close(release)
		t.Fatalf("open while a writer holds the store: %v", err)
	}
	defer r.Close()
	srcs, err := r.Sources(ctx)
	if err != nil || len(srcs) != 1 {
		t.Errorf("sources while a writer holds the store: %v, %v", srcs, err)
	}
	if err := r.PutAnalysis(ctx, ref.ID, "k", []byte("cache")); err != nil {
		t.Errorf("keeping an analysis while a writer holds the store: %v", err)
	}
	if took := time.Since(t0); took > 3*time.Second {
		t.Errorf("the reader took %s: it waited for the writer", took.Round(time.Millisecond))
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// What is not a kdelta store is refused with ErrNotStore (ErrCorrupt for
// a file that is not SQLite at all), and left as it was: kdelta writes
// neither its tables nor SQLite's journal mode into another program's
// database.
func TestOpenRefusesWhatIsNotAStore(t *testing.T) {
	sqliteOnly(t)
	tests := []struct {
		name string
		make func(t *testing.T, path string)
		want error
		says string
	}{
		{"a directory", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
		}, ErrNotStore, "is a directory"},
		{"a FIFO", func(t *testing.T, path string) {
			if err := syscall.Mkfifo(path, 0o644); err != nil {
				t.Skip(err)
			}
		}, ErrNotStore, "not a regular file"},
		{"another program's SQLite database", func(t *testing.T, path string) {
			db, err := sql.Open("sqlite3", "file:"+path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for _, q := range []string{`CREATE TABLE bookmarks (url TEXT)`, `CREATE TABLE visits (at INTEGER)`, `INSERT INTO bookmarks VALUES ('https://example.org')`} {
				if _, err := db.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
		}, ErrNotStore, "another program (tables: bookmarks, visits)"},
		{"a text file", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte(strings.Repeat("not sqlite\n", 200)), 0o644); err != nil {
				t.Fatal(err)
			}
		}, ErrCorrupt, "not a database"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "kdelta.db")
			tc.make(t, path)
			before := snapshotDir(t, dir)
			for _, open := range []struct {
				name string
				fn   func() error
			}{
				{"Open", func() error { _, err := Open(context.Background(), path, fixedNow); return err }},
				{"OpenHeld", func() error {
					_, _, err := OpenHeld(context.Background(), path, fixedNow, Hold{Holder: "kdelta sync"})
					return err
				}},
			} {
				err := open.fn()
				if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.says) || !strings.Contains(err.Error(), path) {
					t.Errorf("%s: err = %v, want %v naming %s and saying %q", open.name, err, tc.want, path, tc.says)
				}
			}
			if after := snapshotDir(t, dir); after != before {
				t.Errorf("the directory changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// snapshotDir describes the regular files of dir and their content.
func snapshotDir(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		b.WriteString(e.Name())
		if e.Type().IsRegular() {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			b.WriteString("=" + strconv.Itoa(len(data)) + ":" + string(data))
		}
		b.WriteString(";")
	}
	return b.String()
}

// roEnv names the store a test run as another user reads (see
// TestReadOnlyStore).
const roEnv = "KDELTA_STORE_TEST_READONLY"

// A SQLite store kdelta cannot write (a read-only file, or one in a
// read-only directory, as another user's store or a read-only mount is)
// serves every read; a write says the store is read-only; an analysis (a
// cache) is not kept, without an error. As root, whom permissions do not
// stop, the reads run in a copy of the test binary as nobody.
func TestReadOnlyStore(t *testing.T) {
	sqliteOnly(t)
	if path := os.Getenv(roEnv); path != "" {
		readOnlyReads(t, path)
		return
	}
	for _, tc := range []struct {
		name    string
		readDir bool // the directory is read-only too
	}{{"read-only file", false}, {"read-only directory", true}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "store", "kdelta.db")
			os.Mkdir(filepath.Dir(path), 0o755)
			ctx := context.Background()
			db, err := Open(ctx, path, fixedNow)
			if err != nil {
				t.Fatal(err)
			}
			src, err := db.PutSource(ctx, Source{Name: "linux", Kind: "upstream", URL: "linux.git", Layout: "linux"})
			if err != nil {
				t.Fatal(err)
			}
			ref, err := db.EnsureRef(ctx, src, "master")
			if err != nil {
				t.Fatal(err)
			}
			if err := db.UpdateRef(ctx, RefUpdate{RefID: ref.ID, Tip: strings.Repeat("a", 40), Reset: true}); err != nil {
				t.Fatal(err)
			}
			db.Close()
			os.Remove(LockFile(path))
			if err := os.Chmod(path, 0o444); err != nil {
				t.Fatal(err)
			}
			if tc.readDir {
				if err := os.Chmod(filepath.Dir(path), 0o555); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { os.Chmod(filepath.Dir(path), 0o755) })
			}
			if os.Geteuid() != 0 {
				readOnlyReads(t, path)
				return
			}
			runAsNobody(t, dir, path)
		})
	}
}

// runAsNobody runs TestReadOnlyStore on path in a copy of the test binary
// as the user nobody.
func runAsNobody(t *testing.T, dir, path string) {
	t.Helper()
	for d := dir; d != "/" && d != "."; d = filepath.Dir(d) {
		if fi, err := os.Stat(d); err == nil && fi.Mode().Perm()&0o005 != 0o005 {
			if err := os.Chmod(d, fi.Mode().Perm()|0o005); err != nil {
				t.Skip("cannot let nobody reach the test directory:", err)
			}
		}
	}
	self, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	defer self.Close()
	bin := filepath.Join(dir, "store.test")
	out, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, self); err != nil {
		t.Fatal(err)
	}
	out.Close()
	cmd := exec.Command(bin, "-test.run=^TestReadOnlyStore$", "-test.count=1")
	cmd.Env = append(os.Environ(), roEnv+"="+path)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Run(); err != nil {
		t.Errorf("as nobody: %v\n%s", err, buf.String())
	}
}

func readOnlyReads(t *testing.T, path string) {
	ctx := context.Background()
	db, err := Open(ctx, path, fixedNow)
	if err != nil {
		t.Fatalf("open a read-only store: %v", err)
	}
	defer db.Close()
	if !db.ReadOnly() {
		t.Errorf("the store is not said to be read-only")
	}
	srcs, err := db.Sources(ctx)
	if err != nil || len(srcs) != 1 || srcs[0].Name != "linux" {
		t.Fatalf("sources of a read-only store: %v, %v", srcs, err)
	}
	_, ref, err := db.FindRef(ctx, "linux", "master")
	if err != nil {
		t.Fatalf("ref of a read-only store: %v", err)
	}
	if err := db.PutAnalysis(ctx, ref.ID, "k", []byte("cache")); err != nil {
		t.Errorf("an analysis on a read-only store: %v, want it not kept, silently", err)
	}
	if err := db.SetOverride(ctx, strings.Repeat("a", 40), nil); !errors.Is(err, ErrReadOnly) {
		t.Errorf("a write on a read-only store: err = %v, want ErrReadOnly", err)
	}
}

// A run killed without recording its end (kill -9) leaves a sync recorded
// as running; the next sync records it as interrupted. On PostgreSQL a
// sync of another source that is still running stays running.
func TestKilledSyncsAreRecordedInterrupted(t *testing.T) {
	loc := testLocation(t)
	ctx := context.Background()
	hold := func(names ...string) (*DB, *Lock, int64) {
		t.Helper()
		db, lock, err := OpenHeld(ctx, loc, fixedNow, Hold{Holder: "kdelta sync", Names: names})
		if err != nil {
			t.Fatal(err)
		}
		id, err := db.BeginSync(ctx, lock)
		if err != nil {
			t.Fatal(err)
		}
		return db, lock, id
	}
	statusOf := func(db *DB, id int64) (status, note string) {
		t.Helper()
		if err := db.db.QueryRowContext(ctx, `SELECT status, note FROM syncs WHERE id = ?`, id).Scan(&status, &note); err != nil {
			t.Fatal(err)
		}
		return status, note
	}
	// Killed: its lock goes with the process, its record stays running.
	db, lock, killed := hold("rhel")
	lock.Release()
	db.Close()
	var live int64
	if onPostgres() {
		ldb, llock, id := hold("sles")
		defer ldb.Close()
		defer llock.Release()
		live = id
	}
	db, lock, next := hold("rhel")
	defer db.Close()
	defer lock.Release()
	if st, note := statusOf(db, killed); st != "interrupted" || !strings.Contains(note, "killed") {
		t.Errorf("the killed run is %q (%q), want interrupted", st, note)
	}
	if st, _ := statusOf(db, next); st != "running" {
		t.Errorf("the new run is %q, want running", st)
	}
	if live != 0 {
		if st, _ := statusOf(db, live); st != "running" {
			t.Errorf("a live sync of another source is %q, want running", st)
		}
	}
}

// CheckFile tells a run that its SQLite store's file was deleted or
// replaced while it wrote.
func TestCheckFileNoticesADeletedOrReplacedStore(t *testing.T) {
	sqliteOnly(t)
	for _, tc := range []struct {
		name string
		do   func(t *testing.T, path string)
		want string
	}{
		{"untouched", func(*testing.T, string) {}, ""},
		{"deleted", func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}, "deleted"},
		{"replaced", func(t *testing.T, path string) {
			other := path + ".new"
			if err := os.WriteFile(other, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(other, path); err != nil {
				t.Fatal(err)
			}
		}, "another file took its place"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "kdelta.db")
			db, err := Open(context.Background(), path, fixedNow)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			tc.do(t, path)
			err = db.CheckFile()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("CheckFile: %v", err)
			case tc.want != "" && (!errors.Is(err, ErrGone) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path)):
				t.Errorf("CheckFile: %v, want ErrGone naming %s, saying %q", err, path, tc.want)
			}
		})
	}
}

// Dump gives what a store holds by names, not row ids: two stores that
// hold the same things dump the same whatever order they were written in,
// and DiffDumps names the table where one holds more.
func TestDumpComparesStoresByContent(t *testing.T) {
	ctx := context.Background()
	fill := func(order []string) *DB {
		db := openTest(t)
		for _, name := range order {
			src, err := db.PutSource(ctx, Source{Name: name, Kind: "upstream", URL: name + ".git", Layout: "linux"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.EnsureRef(ctx, src, "master"); err != nil {
				t.Fatal(err)
			}
		}
		id := strings.Repeat("c", 40)
		if _, err := db.PutFingerprints(ctx, "linux", []*change.Fingerprint{sampleFingerprint(id)}); err != nil {
			t.Fatal(err)
		}
		return db
	}
	a, b := fill([]string{"linux", "rdma-core"}), fill([]string{"rdma-core", "linux"})
	da, err := a.Dump(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db, err := b.Dump(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := DiffDumps(da, db); len(diff) != 0 {
		t.Errorf("the same content dumps differently: %v", diff)
	}
	if len(da["sources"]) != 2 || len(da["commits"]) != 1 || len(da["files"]) != 2 {
		t.Errorf("dump: %d sources, %d commits, %d files; want 2, 1, 2", len(da["sources"]), len(da["commits"]), len(da["files"]))
	}
	if _, err := b.PutSource(ctx, Source{Name: "extra", Kind: "distro", URL: "extra.git", Layout: "linux"}); err != nil {
		t.Fatal(err)
	}
	if db, err = b.Dump(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := DiffDumps(da, db); len(diff) != 1 || !strings.HasPrefix(diff[0], "sources (0 rows only in the first, 1 only in the second)") {
		t.Errorf("diff = %v, want sources with one row only in the second", diff)
	}
	if msg, err := a.Integrity(ctx); err != nil || msg != "" {
		t.Errorf("integrity: %q, %v", msg, err)
	}
}

// A reader that finds a new SQLite store being made by a sync (which
// holds the store's lock for its whole run and migrates the store as it
// opens it) waits for the migrations, not for the sync: it opened only
// when the sync ended.
func TestAReaderWaitsForTheMigrationNotTheSync(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kdelta.db")
	held := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		lock, err := Acquire(ctx, path, "kdelta sync", 0, nil)
		if err != nil {
			done <- err
			return
		}
		defer lock.Release()
		close(held)
		time.Sleep(300 * time.Millisecond) // the sync mirrors before it opens the store
		db, _, err := open(ctx, path, fixedNow, openMode{held: true})
		if err == nil {
			db.Close()
		}
		<-release // and syncs for a long while
		done <- err
	}()
	<-held
	t0 := time.Now()
	db, err := Open(ctx, path, fixedNow)
	took := time.Since(t0)
	close(release)
	if err != nil {
		t.Fatalf("open while a sync makes the store: %v", err)
	}
	db.Close()
	if took > 3*time.Second {
		t.Errorf("the reader took %s: it waited for the sync, not for the migrations", took.Round(time.Millisecond))
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
