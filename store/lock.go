package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

// ErrLocked says another kdelta process holds the store's write lock.
var ErrLocked = errors.New("locked by another kdelta run")

// Lock is an exclusive, advisory lock on a store, held by one process for
// the length of a run that writes. The kernel releases it when the process
// dies, so a killed run never leaves a stale lock behind.
type Lock struct {
	f *os.File
}

// LockFile is the file that carries the lock of the store at path.
func LockFile(path string) string { return path + ".lock" }

// Acquire takes the write lock of the store at path. If another process
// holds it, Acquire waits up to wait (polling, and calling waiting once
// with the holder's description), then fails with ErrLocked naming it.
// holder describes this run ("kdelta sync") for whoever waits on it.
func Acquire(ctx context.Context, path, holder string, wait time.Duration, waiting func(who string)) (*Lock, error) {
	name := LockFile(path)
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	deadline := time.Now().Add(wait)
	told := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", name, err)
		}
		who := readHolder(name)
		if !time.Now().Before(deadline) {
			f.Close()
			return nil, fmt.Errorf("store %s is %w: %s", path, ErrLocked, who)
		}
		if !told && waiting != nil {
			waiting(who)
			told = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	host, _ := os.Hostname()
	note := fmt.Sprintf("%s (pid %d on %s, since %s)", holder, os.Getpid(), host, time.Now().Format(time.RFC3339))
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(note+"\n"), 0)
	}
	return &Lock{f: f}, nil
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
	if l == nil || l.f == nil {
		return nil
	}
	l.f.Truncate(0)
	err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
	l.f = nil
	return err
}
