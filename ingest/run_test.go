package ingest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/kdelta/kdelta/store"
)

// What a caller does between Run.Sync and Run.End (kdelta sync saves its
// snapshot there) sees the state the sync wrote and no other: the store is
// still held, so a second sync cannot start, and the run is still recorded
// as running; the caller's error decides how the run ends.
func TestTheCallersWorkBelongsToTheRun(t *testing.T) {
	for _, tc := range []struct {
		name       string
		callerErr  error
		wantStatus string
	}{
		{"done", nil, "done"},
		{"the caller's work failed", errors.New("snapshot: disk full"), "failed"},
		{"the caller was interrupted", fmt.Errorf("snapshot: %w", context.Canceled), "interrupted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _ := seriesProject(t, map[string]string{"a.patch": goodPatch})
			ctx := context.Background()
			run, err := Start(ctx, cfg, Options{Now: fixedNow})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := run.Sync(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if r := refReport(t, rep, "sles"); r.Fingerprinted != 1 {
				t.Fatalf("report %+v; want the patch fingerprinted", r)
			}
			// Between Sync and End: what the sync wrote is there, the run is
			// running, and nobody else may sync.
			if _, ref, err := run.DB().FindRef(ctx, "sles", ""); err != nil || ref.Tip != rep.Refs[0].Tip {
				t.Errorf("the caller sees sles at %+v, %v; want the tip the sync wrote, %s", ref, err, rep.Refs[0].Tip)
			}
			if got := runStatus(t, run.DB(), run.ID()); got != "running" {
				t.Errorf("between Sync and End the run is %q; want running", got)
			}
			if _, err := Sync(ctx, cfg, Options{Now: fixedNow}); !errors.Is(err, store.ErrLocked) {
				t.Errorf("a second sync between Sync and End: %v; want ErrLocked", err)
			}
			if err := run.End(ctx, tc.callerErr); !errors.Is(err, tc.callerErr) {
				t.Errorf("End = %v; want the caller's error %v", err, tc.callerErr)
			}
			db := openStore(t, cfg)
			if got := runStatus(t, db, run.ID()); got != tc.wantStatus {
				t.Errorf("the run ended %q; want %q", got, tc.wantStatus)
			}
			// The store is let go: the next sync runs.
			if _, err := Sync(ctx, cfg, Options{Now: fixedNow}); err != nil {
				t.Errorf("a sync after End: %v", err)
			}
		})
	}
}

func runStatus(t *testing.T, db *store.DB, id int64) string {
	t.Helper()
	runs, err := db.SyncRuns(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if r.ID == id {
			return r.Status
		}
	}
	t.Fatalf("no run %d in %+v", id, runs)
	return ""
}
