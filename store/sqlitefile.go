package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// What a SQLite store's file can be besides a kdelta store.
var (
	// ErrNotStore says the store's path names something that is not a
	// kdelta store: a directory, a device, or a SQLite database of
	// another program (which kdelta must not write its tables into).
	ErrNotStore = errors.New("not a kdelta store")
	// ErrReadOnly says a write was asked of a store opened read-only (a
	// SQLite file, directory or mount kdelta cannot write).
	ErrReadOnly = errors.New("the store is read-only")
	// ErrGone says a SQLite store's file was deleted or replaced by
	// another file while kdelta had it open: what kdelta wrote since went
	// into a file nobody can open any more.
	ErrGone = errors.New("the store's file was deleted or replaced during the run")
)

// sqliteFile is what probeSQLite found at a SQLite store's path.
type sqliteFile struct {
	exists     bool
	readOnly   bool            // kdelta cannot write the file or its directory
	immutable  bool            // read-only, and SQLite cannot even keep its shared memory file beside it
	migrations map[string]bool // the migrations it has
}

// probeSQLite looks at the file a SQLite store lives in, and reads the
// migrations it has through a read-only connection, so that nothing is
// written (not even SQLite's journal mode) before kdelta knows the file
// is a kdelta store that needs it.
func probeSQLite(ctx context.Context, path string) (sqliteFile, error) {
	f := sqliteFile{migrations: map[string]bool{}}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return f, nil // a new store
	}
	if err := notAFile(path); err != nil {
		return f, err
	}
	f.exists = true
	const wOK = 2 // W_OK of access(2): as the kernel would judge a write, a read-only mount too
	f.readOnly = syscall.Access(path, wOK) != nil || syscall.Access(filepath.Dir(path), wOK) != nil
	tables, have, err := readSQLite(ctx, sqliteDSN(path, "mode=ro"))
	if err != nil && f.readOnly && cannotShare(err) {
		// A read-only directory without the write-ahead log's shared
		// memory file: SQLite reads the file as it is, provided no log
		// holds what the file lacks.
		if fi, werr := os.Stat(path + "-wal"); werr == nil && fi.Size() > 0 {
			return f, fmt.Errorf("%w: its write-ahead log %s-wal holds changes that cannot be read without write access to %s",
				ErrReadOnly, path, filepath.Dir(path))
		}
		f.immutable = true
		tables, have, err = readSQLite(ctx, sqliteDSN(path, "mode=ro&immutable=1"))
	}
	if err != nil {
		return f, err
	}
	if len(have) == 0 && len(tables) > 0 {
		if len(tables) > 5 {
			tables = append(tables[:5], "...")
		}
		return f, fmt.Errorf("%w: it is a SQLite database of another program (tables: %s) and holds no kdelta migrations; name another file in the [store] path of the project file",
			ErrNotStore, strings.Join(tables, ", "))
	}
	f.migrations = have
	return f, nil
}

// notAFile says why what is at path cannot be a SQLite store's file: a
// directory, a device, a FIFO. Nothing there is fine (a new store).
func notAFile(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.IsDir():
		return fmt.Errorf("%w: it is a directory; want a SQLite file (the [store] path of the project file names the file, e.g. kdelta.db)", ErrNotStore)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%w: it is not a regular file (%s); want a SQLite file", ErrNotStore, fi.Mode().Type())
	}
	return nil
}

// cannotShare says SQLite could not set up a read of a write-ahead-log
// database: its shared memory file cannot be made.
func cannotShare(err error) bool {
	var se sqlite3.Error
	return errors.Is(err, ErrReadOnly) || errors.As(err, &se) && (se.Code == sqlite3.ErrReadonly || se.Code == sqlite3.ErrCantOpen)
}

// sqliteDSN is the data source name of the SQLite file at path with
// query parameters params.
func sqliteDSN(path, params string) string {
	u := url.URL{Scheme: "file", Opaque: (&url.URL{Path: path}).EscapedPath()}
	return u.String() + "?" + params
}

// readSQLite lists the tables of a SQLite database (but migrations) and
// the migrations it has.
func readSQLite(ctx context.Context, dsn string) ([]string, map[string]bool, error) {
	db, err := sql.Open("sqlite3", dsn+"&_busy_timeout=10000")
	if err != nil {
		return nil, nil, err
	}
	defer db.Close()
	var tables []string
	hasMigrations := false
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
	if err != nil {
		return nil, nil, translate(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, nil, translate(err)
		}
		if n == "migrations" {
			hasMigrations = true
		} else {
			tables = append(tables, n)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, translate(err)
	}
	sort.Strings(tables)
	have := map[string]bool{}
	if !hasMigrations {
		return tables, have, nil
	}
	rows, err = db.QueryContext(ctx, `SELECT name FROM migrations`)
	if err != nil {
		return nil, nil, translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, nil, translate(err)
		}
		have[n] = true
	}
	return tables, have, translate(rows.Err())
}

// fileID is the identity of a file: its device and inode.
type fileID struct{ dev, ino uint64 }

func identify(path string) (fileID, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileID{}, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, nil
	}
	return fileID{dev: uint64(st.Dev), ino: uint64(st.Ino)}, nil
}

// CheckFile says whether a SQLite store's file is still the one kdelta
// opened: a file deleted or replaced (another store copied over it) while
// a run writes is ErrGone, since what the run wrote is in a file nobody
// will open again. A PostgreSQL store has no file: always nil.
func (db *DB) CheckFile() error {
	if db.d != sqliteDialect || db.file == (fileID{}) {
		return nil
	}
	now, err := identify(db.where)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("store %s: %w: it was deleted; nothing this run wrote is kept", db.where, ErrGone)
	case err != nil:
		return fmt.Errorf("store %s: %w", db.where, err)
	case now != db.file:
		return fmt.Errorf("store %s: %w: another file took its place; nothing this run wrote is in it", db.where, ErrGone)
	}
	return nil
}

// ReadOnly says whether the store was opened read-only.
func (db *DB) ReadOnly() bool { return db.readOnly }
