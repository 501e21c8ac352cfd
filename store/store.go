// Package store keeps kdelta's data in SQLite (the embedded default) or in
// PostgreSQL (a store a team shares). It is the one place that knows SQL:
// the schema is a set of embedded, numbered migrations; every exported
// method opens its own transaction; driver errors are translated here into
// the package's sentinel errors; what differs between the two databases is
// in dialect.go.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed migration/*.sql
var migrationFS embed.FS

// Sentinel errors callers may test with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrBusy     = errors.New("the store is busy")
	ErrCorrupt  = errors.New("the store is not a kdelta database or is damaged")
)

// DB is an open kdelta store: a SQLite file, or a PostgreSQL database
// that a team shares.
type DB struct {
	pool  *sql.DB
	db    *conn // what queries run on: the pool, or the transaction of a view
	view  bool  // db is the transaction of Consistent
	d     dialect
	where string // the file or URL it was opened at
	now   func() time.Time
	who   *user // who is recorded with what people enter by hand
	// readOnly: a SQLite store kdelta cannot write, opened read-only.
	readOnly bool
	// file is the identity of a SQLite store's file once opened (see
	// CheckFile).
	file fileID
}

// user is who enters what the store records by hand, found once, when
// first needed.
type user struct {
	once sync.Once
	find func() string
	name string
}

func (u *user) String() string {
	if u == nil {
		return ""
	}
	u.once.Do(func() {
		if u.find != nil {
			u.name = u.find()
		}
	})
	return u.name
}

// Open opens the store at where, a SQLite file (created if needed) or a
// postgres:// URL, and brings its schema up to date: a SQLite store or an
// empty PostgreSQL database is migrated at once; a PostgreSQL store that
// already holds an older schema is refused with ErrOlder, since a team
// store is upgraded on purpose (Migrate, 'kdelta store migrate'). A store
// written by a newer kdelta is refused with ErrNewer. now is the clock used
// for timestamps; nil means time.Now.
//
// Readers never wait for writers: the schema version is read without
// writing, and only a store that lacks migrations is written to, under the
// SQLite store's lock (Acquire; waiting up to migrateWait for a run that
// holds it) or PostgreSQL's migration lock. A SQLite store kdelta cannot
// write (a read-only file, directory or mount, another user's file) is
// opened read-only: reads work, writes fail with ErrReadOnly. A path that
// is a directory, or a SQLite database of another program, is refused with
// ErrNotStore; a file that is not SQLite at all with ErrCorrupt.
func Open(ctx context.Context, where string, now func() time.Time) (*DB, error) {
	db, _, err := open(ctx, where, now, openMode{})
	return db, err
}

// Migrate opens the store at where and applies every migration it lacks,
// and returns their names.
func Migrate(ctx context.Context, where string, now func() time.Time) (*DB, []string, error) {
	return open(ctx, where, now, openMode{upgrade: true})
}

// openMode says how a store is opened.
type openMode struct {
	upgrade bool // apply what a PostgreSQL store lacks (Migrate)
	held    bool // the caller holds the SQLite store's lock (OpenHeld)
}

// migrateWait is how long opening a SQLite store that lacks migrations
// waits for a run that holds its lock.
const migrateWait = 10 * time.Second

func open(ctx context.Context, where string, now func() time.Time, m openMode) (*DB, []string, error) {
	if now == nil {
		now = time.Now
	}
	fail := func(err error) error {
		return redactErr(where, fmt.Errorf("open store %s: %w", Redact(where), err))
	}
	d := dialectOf(where)
	var file sqliteFile
	if d == sqliteDialect {
		var err error
		if file, err = probeSQLite(ctx, where); err != nil {
			return nil, nil, fail(err)
		}
	}
	pool, err := d.open(where, file)
	if err != nil {
		return nil, nil, fail(err)
	}
	db := &DB{pool: pool, db: &conn{r: pool, d: d, autocommit: true}, d: d, where: where, now: now, readOnly: file.readOnly}
	applied, err := db.migrate(ctx, m, file)
	if err != nil {
		pool.Close()
		return nil, nil, fail(err)
	}
	if d == sqliteDialect {
		if db.file, err = identify(where); err != nil {
			pool.Close()
			return nil, nil, fail(err)
		}
	}
	return db, applied, nil
}

// Close closes the store.
func (db *DB) Close() error { return db.pool.Close() }

// Path is the file a SQLite store lives in, and a PostgreSQL store's URL
// with its password taken out.
func (db *DB) Path() string { return Redact(db.where) }

// Kind says which database the store is in: "SQLite" or "PostgreSQL".
func (db *DB) Kind() string { return db.d.String() }

// Describe names the store for people: its kind and where it is, never
// with a password.
func (db *DB) Describe() string { return db.d.String() + " " + Redact(db.where) }

// SetUser sets who the store records with the annotations, manual
// matches and ignores entered through it ("" records nobody).
func (db *DB) SetUser(who string) { db.who = &user{name: who, find: func() string { return who }} }

// FindUser sets how to find who the store records with what is entered
// through it: find is called once, when something is first entered.
func (db *DB) FindUser(find func() string) { db.who = &user{find: find} }

// migrationNames returns the migrations this kdelta knows, in order.
func migrationNames() ([]string, error) {
	names, err := fs.Glob(migrationFS, "migration/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	return names, nil
}

// Version returns the last migration this kdelta knows.
func Version() string {
	names, _ := migrationNames()
	if len(names) == 0 {
		return ""
	}
	return strings.TrimPrefix(names[len(names)-1], "migration/")
}

// migrate brings the schema up to date. What the store has is read first,
// without writing: a store that lacks nothing is not written to, so a
// reader never waits for a writer (nor needs to be able to write).
func (db *DB) migrate(ctx context.Context, m openMode, file sqliteFile) ([]string, error) {
	names, err := migrationNames()
	if err != nil {
		return nil, err
	}
	var have map[string]bool
	if db.d == sqliteDialect {
		have = file.migrations // read by probeSQLite
	} else if have, err = db.readMigrations(ctx); err != nil {
		return nil, err
	}
	pending, err := pendingMigrations(names, have)
	if err != nil || len(pending) == 0 {
		return nil, err
	}
	if len(have) > 0 && !m.upgrade && db.d == postgresDialect {
		return nil, fmt.Errorf("%w: it lacks migration %s (and %d more) that this kdelta needs; run 'kdelta store migrate' once, then every kdelta that uses it must be this version or newer",
			ErrOlder, strings.TrimPrefix(pending[0], "migration/"), len(pending)-1)
	}
	if db.readOnly {
		return nil, fmt.Errorf("%w: it lacks migration %s that this kdelta needs, and cannot be written here; open it once with write access, or use the kdelta that last wrote it",
			ErrReadOnly, strings.TrimPrefix(pending[0], "migration/"))
	}
	if db.d == sqliteDialect && !m.held {
		lock, err := db.lockToMigrate(ctx, names)
		if err != nil || lock == nil {
			return nil, err // nil, nil: the run that holds the store migrated it
		}
		defer lock.Release()
	}
	err = db.inTx(ctx, func(tx *conn) error {
		if err := db.lockMigrations(ctx, tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, db.d.ddl(`CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied INTEGER NOT NULL)`))
		return err
	})
	if err != nil {
		return nil, err
	}
	// Another process may have migrated it meanwhile.
	if have, err = db.appliedMigrations(ctx); err != nil {
		return nil, err
	}
	if pending, err = pendingMigrations(names, have); err != nil {
		return nil, err
	}
	var applied []string
	for _, name := range pending {
		done, err := db.applyMigration(ctx, name)
		if err != nil {
			return applied, fmt.Errorf("migration %s: %w", name, err)
		}
		if done {
			applied = append(applied, strings.TrimPrefix(name, "migration/"))
		}
	}
	return applied, nil
}

// lockToMigrate takes the lock of a SQLite store that lacks migrations.
// A run that holds it (a sync) migrates the store as it opens it: while
// it holds it, lockToMigrate waits for the migrations to be there, not
// for the run to end, and then returns no lock; after migrateWait it is
// ErrLocked naming the run.
func (db *DB) lockToMigrate(ctx context.Context, names []string) (*Lock, error) {
	var lock *Lock
	err := pollLock(ctx, db.where, migrateWait, 50*time.Millisecond, nil, func() (bool, string, error) {
		var err error
		lock, err = Acquire(ctx, db.where, "kdelta (migrating the store)", 0, nil)
		if err == nil || !errors.Is(err, ErrLocked) {
			return err == nil, "", err
		}
		if f, err := probeSQLite(ctx, db.where); err == nil && f.exists {
			if pending, err := pendingMigrations(names, f.migrations); err == nil && len(pending) == 0 {
				return true, "", nil // migrated by the run that holds the lock: no lock needed
			}
		}
		return false, readHolder(LockFile(db.where)), nil
	})
	if err != nil {
		return nil, err
	}
	return lock, nil
}

// pendingMigrations returns the migrations of names a store that has
// have lacks, in order; a store with a migration this kdelta does not know
// is ErrNewer.
func pendingMigrations(names []string, have map[string]bool) ([]string, error) {
	known := map[string]bool{}
	for _, n := range names {
		known[n] = true
	}
	var newer []string
	for n := range have {
		if !known[n] {
			newer = append(newer, n)
		}
	}
	if len(newer) > 0 {
		sort.Strings(newer)
		return nil, fmt.Errorf("%w: it has migration %s, and this kdelta knows migrations up to %s: use a kdelta at least as new as the one that last migrated it",
			ErrNewer, strings.TrimPrefix(newer[len(newer)-1], "migration/"), Version())
	}
	var pending []string
	for _, n := range names {
		if !have[n] {
			pending = append(pending, n)
		}
	}
	return pending, nil
}

// readMigrations reads the migrations a PostgreSQL store has, without
// writing: none when it has no migrations table yet.
func (db *DB) readMigrations(ctx context.Context) (map[string]bool, error) {
	var exists bool
	if err := db.db.QueryRowContext(ctx, `SELECT to_regclass('migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return nil, translate(err)
	}
	if !exists {
		return map[string]bool{}, nil
	}
	return db.appliedMigrations(ctx)
}

// lockMigrations keeps two processes from migrating one PostgreSQL store
// at once, until tx ends; SQLite's write transaction does that already.
func (db *DB) lockMigrations(ctx context.Context, tx *conn) error {
	if db.d != postgresDialect {
		return nil
	}
	k1, k2 := lockKey("kdelta migrations")
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?, ?)`, k1, k2)
	return err
}

func (db *DB) appliedMigrations(ctx context.Context) (map[string]bool, error) {
	have := map[string]bool{}
	err := db.query(ctx, `SELECT name FROM migrations`, nil, func(rows *sql.Rows) error {
		var n string
		if err := rows.Scan(&n); err != nil {
			return err
		}
		have[n] = true
		return nil
	})
	return have, err
}

// applyMigration applies one migration in its own transaction, unless
// another process applied it first; it says whether it did.
func (db *DB) applyMigration(ctx context.Context, name string) (bool, error) {
	done := false
	err := db.inTx(ctx, func(tx *conn) error {
		done = false
		if err := db.lockMigrations(ctx, tx); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM migrations WHERE name = ?`, name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		text, err := fs.ReadFile(migrationFS, name)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.d.ddl(string(text))); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO migrations (name, applied) VALUES (?, ?)`, name, db.now().Unix()); err != nil {
			return err
		}
		done = true
		return nil
	})
	return done, err
}

// Migrations returns the names of the migrations the store has, in order.
func (db *DB) Migrations(ctx context.Context) ([]string, error) {
	have, err := db.appliedMigrations(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for n := range have {
		out = append(out, strings.TrimPrefix(n, "migration/"))
	}
	sort.Strings(out)
	return out, nil
}

// inTx runs fn in a transaction and commits it when fn returns nil. A
// transaction PostgreSQL aborted for a deadlock is run again, so fn must
// start from scratch each time it is called. In a view (Consistent), fn
// runs in the view's transaction, undone on its own when it fails.
func (db *DB) inTx(ctx context.Context, fn func(tx *conn) error) error {
	if db.view {
		if _, err := db.db.ExecContext(ctx, `SAVEPOINT kdelta`); err != nil {
			return translate(err)
		}
		if err := fn(db.db); err != nil {
			db.db.ExecContext(context.WithoutCancel(ctx), `ROLLBACK TO SAVEPOINT kdelta`)
			return translate(err)
		}
		_, err := db.db.ExecContext(ctx, `RELEASE SAVEPOINT kdelta`)
		return translate(err)
	}
	for attempt := 1; ; attempt++ {
		err := db.txOnce(ctx, nil, fn)
		if err == nil || !retryable(err) || attempt == maxAttempts {
			return translate(err)
		}
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
	}
}

func (db *DB) txOnce(ctx context.Context, opts *sql.TxOptions, fn func(tx *conn) error) error {
	tx, err := db.pool.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(&conn{r: tx, d: db.d}); err != nil {
		return err
	}
	return tx.Commit()
}

// Consistent runs fn with a view of the store that reads one state of
// it, whatever other processes write meanwhile: every read fn makes sees
// the same tips, bases, fingerprints and entries, and what fn writes
// commits with it, or not at all. On PostgreSQL it is one repeatable-read
// transaction, run again (fn with it) when PostgreSQL cannot serialize it
// with a concurrent writer. On SQLite, where one sync at a time holds the
// store (Acquire), fn reads the store as it is.
func (db *DB) Consistent(ctx context.Context, fn func(view *DB) error) error {
	if db.view || db.d != postgresDialect {
		return fn(db)
	}
	for attempt := 1; ; attempt++ {
		var seen error
		err := db.txOnce(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead}, func(tx *conn) error {
			tx.seen = &seen
			v := *db
			v.db = tx
			v.view = true
			err := fn(&v)
			if seen != nil {
				return seen // whatever fn made of it
			}
			return err
		})
		if err == nil || !retryable(err) && !aborted(err) || attempt == maxAttempts {
			return err
		}
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
	}
}

// placeholders returns "?,?,...,?" with n marks.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?,", n-1) + "?"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
