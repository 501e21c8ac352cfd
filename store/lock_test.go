package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// pollLock is the one wait of Acquire, the PostgreSQL advisory locks and
// the wait for a migration: what a run that finds the store held is told.
func TestPollLock(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name    string
		wait    time.Duration
		freeAt  int   // the try that takes the lock; 0: never
		failAt  int   // the try that fails; 0: never
		cancel  bool  // ctx is cancelled before the first try
		tries   int   // tries made
		waited  int   // calls of waiting
		wantErr error // nil, ErrLocked, boom or context.Canceled
		wantMsg string
	}{
		{name: "free", wait: time.Second, freeAt: 1, tries: 1},
		{name: "held with no wait is one try", wait: 0, tries: 1, wantErr: ErrLocked,
			wantMsg: "store s.db is locked by another kdelta run: kdelta sync (pid 7)"},
		{name: "freed while waiting", wait: time.Minute, freeAt: 3, tries: 3, waited: 1},
		{name: "held past the wait", wait: 30 * time.Millisecond, tries: -1, waited: 1, wantErr: ErrLocked,
			wantMsg: "store s.db is locked by another kdelta run: kdelta sync (pid 7)"},
		{name: "an error ends it", wait: time.Minute, failAt: 2, tries: 2, waited: 1, wantErr: boom, wantMsg: "boom"},
		{name: "cancelled", wait: time.Minute, cancel: true, tries: 1, waited: 1, wantErr: context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel {
				cancel()
			}
			tries, waited := 0, 0
			err := pollLock(ctx, "s.db", tc.wait, 5*time.Millisecond, func(who string) {
				waited++
				if who != "kdelta sync (pid 7)" {
					t.Errorf("waiting told %q", who)
				}
			}, func() (bool, string, error) {
				tries++
				if tries == tc.failAt {
					return false, "", boom
				}
				return tries == tc.freeAt, "kdelta sync (pid 7)", nil
			})
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if tc.wantMsg != "" && err.Error() != tc.wantMsg {
				t.Errorf("error %q, want %q", err, tc.wantMsg)
			}
			if tc.tries >= 0 && tries != tc.tries || tc.tries < 0 && tries < 2 {
				t.Errorf("%d tries, want %d", tries, tc.tries)
			}
			if waited != tc.waited {
				t.Errorf("waiting called %d times, want %d", waited, tc.waited)
			}
		})
	}
}
