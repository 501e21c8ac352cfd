package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"syscall"
	"time"
)

// ErrLocked says another kdelta process holds the store's write lock.
var ErrLocked = errors.New("locked by another kdelta run")

// Lock is an exclusive, advisory lock on a store, held by one process for
// the length of a run that writes: for a SQLite store, a lock on a file
// beside it that covers the whole store; for a PostgreSQL store, advisory
// locks on the names the run writes (its sources), held by one session.
// The kernel or the server releases it when the process dies, so a killed
// run never leaves a stale lock behind.
type Lock struct {
	f *os.File
	c *sql.Conn
}

// LockFile is the file that carries the lock of the SQLite store at path.
func LockFile(path string) string { return path + ".lock" }

// Hold says what a run that writes holds of the store.
type Hold struct {
	Holder string   // this run, for whoever waits on it ("kdelta sync")
	Names  []string // what it writes: on PostgreSQL, only runs naming one of these wait for each other
	// Wait is how long to wait for a run that holds one of them, calling
	// Waiting once with its description; then ErrLocked names it.
	Wait    time.Duration
	Waiting func(who string)
}

// OpenHeld opens the store at where for a run that writes, and takes its
// lock: for a SQLite store the file lock (before the store is opened, as
// ever), for a PostgreSQL store the advisory locks of h.Names, in one
// order, so two runs never wait for each other both.
func OpenHeld(ctx context.Context, where string, now func() time.Time, h Hold) (*DB, *Lock, error) {
	if !IsURL(where) {
		// What is not a kdelta store is refused before a lock file is made
		// beside it.
		if _, err := probeSQLite(ctx, where); err != nil {
			return nil, nil, fmt.Errorf("open store %s: %w", where, err)
		}
		lock, err := Acquire(ctx, where, h.Holder, h.Wait, h.Waiting)
		if err != nil {
			return nil, nil, err
		}
		db, _, err := open(ctx, where, now, openMode{held: true})
		if err != nil {
			lock.Release()
			return nil, nil, err
		}
		return db, lock, nil
	}
	db, err := Open(ctx, where, now)
	if err != nil {
		return nil, nil, err
	}
	lock, err := db.advisoryLock(ctx, h)
	if err != nil {
		db.Close()
		return nil, nil, redactErr(where, err)
	}
	return db, lock, nil
}

// holderNote describes this process to whoever waits for its lock.
func holderNote(holder string) string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s (pid %d on %s, since %s)", holder, os.Getpid(), host, time.Now().Format(time.RFC3339))
}

func (db *DB) advisoryLock(ctx context.Context, h Hold) (*Lock, error) {
	type key struct{ k1, k2 int32 }
	keyOf := map[key]string{}
	var keys []key
	for _, n := range h.Names {
		k1, k2 := lockKey("source " + n)
		k := key{k1, k2}
		if _, dup := keyOf[k]; !dup {
			keys = append(keys, k)
			keyOf[k] = n
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].k2 < keys[j].k2 })
	c, err := db.pool.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", translate(err))
	}
	// The session's name is what a run that waits for it is told.
	note := holderNote(h.Holder)
	if _, err := c.ExecContext(ctx, `SELECT set_config('application_name', $1, false)`, truncate(note, 63)); err != nil {
		c.Close()
		return nil, fmt.Errorf("lock: %w", translate(err))
	}
	next := 0 // keys[:next] are held
	err = pollLock(ctx, db.Path(), h.Wait, 200*time.Millisecond, h.Waiting, func() (bool, string, error) {
		for ; next < len(keys); next++ {
			k := keys[next]
			var ok bool
			if err := c.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1, $2)`, k.k1, k.k2).Scan(&ok); err != nil {
				return false, "", fmt.Errorf("lock %s: %w", keyOf[k], translate(err))
			}
			if !ok {
				return false, db.lockHolder(ctx, k.k1, k.k2) + " for " + keyOf[k], nil
			}
		}
		return true, "", nil
	})
	if err != nil {
		c.Close()
		return nil, err
	}
	return &Lock{c: c}, nil
}

// lockHolder names the session that holds an advisory lock.
func (db *DB) lockHolder(ctx context.Context, k1, k2 int32) string {
	var who string
	err := db.pool.QueryRowContext(ctx, `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.objsubid = 2
		AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1`,
		int64(uint32(k1)), int64(uint32(k2))).Scan(&who)
	if err != nil || strings.TrimSpace(who) == "" {
		return "another kdelta process"
	}
	return who
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// Acquire takes the write lock of the SQLite store at path. If another
// process holds it, Acquire waits up to wait (polling, and calling waiting
// once with the holder's description), then fails with ErrLocked naming it.
// holder describes this run ("kdelta sync") for whoever waits on it.
func Acquire(ctx context.Context, path, holder string, wait time.Duration, waiting func(who string)) (*Lock, error) {
	name := LockFile(path)
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	err = pollLock(ctx, path, wait, 200*time.Millisecond, waiting, func() (bool, string, error) {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return true, "", nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return false, "", fmt.Errorf("lock %s: %w", name, err)
		}
		return false, readHolder(name), nil
	})
	if err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(holderNote(holder)+"\n"), 0)
	}
	return &Lock{f: f}, nil
}

// pollLock calls try until it takes the lock (true) or fails (an error),
// every every; while another process holds the lock (try returns false
// and who describes it), it calls waiting once with who, and after wait
// (from the first try, which is made even when wait is 0) it is ErrLocked,
// naming the store at where and who holds it. A cancelled ctx is ctx.Err().
func pollLock(ctx context.Context, where string, wait, every time.Duration, waiting func(who string), try func() (ok bool, who string, err error)) error {
	deadline := time.Now().Add(wait)
	told := false
	for {
		ok, who, err := try()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("store %s is %w: %s", where, ErrLocked, who)
		}
		if !told && waiting != nil {
			waiting(who)
			told = true
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(every):
		}
	}
}

func readHolder(name string) string {
	b, err := os.ReadFile(name)
	if err != nil || len(strings.TrimSpace(string(b))) == 0 {
		return "another kdelta process"
	}
	return strings.TrimSpace(string(b))
}

// Release gives the lock up.
func (l *Lock) Release() error {
	if l == nil {
		return nil
	}
	if l.c != nil {
		_, err := l.c.ExecContext(context.Background(), `SELECT pg_advisory_unlock_all()`)
		l.c.Close()
		l.c = nil
		return err
	}
	if l.f == nil {
		return nil
	}
	l.f.Truncate(0)
	err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
	l.f = nil
	return err
}
