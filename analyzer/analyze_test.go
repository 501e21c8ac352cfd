package analyzer

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kdelta/kdelta/ingest"
	"github.com/kdelta/kdelta/internal/world"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
)

func syncedSmallWorld(t *testing.T) (*world.World, *store.DB) {
	t.Helper()
	return syncedSmallWorldSeed(t, 5)
}

func syncedSmallWorldSeed(t *testing.T, seed int64) (*world.World, *store.DB) {
	t.Helper()
	w, db, _ := syncedWorld(t, world.Small, seed)
	return w, db
}

// syncedWorld builds a world of a size, syncs it and returns it with its
// open store and its project file.
func syncedWorld(t *testing.T, size world.Size, seed int64) (*world.World, *store.DB, *project.Config) {
	t.Helper()
	w, err := world.Build(world.Options{Seed: seed, Size: size, Dir: filepath.Join(t.TempDir(), "world")})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := project.Load(w.Config)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC) }
	if _, err := ingest.Sync(context.Background(), cfg, ingest.Options{Now: now}); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), cfg.StorePath(), now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return w, db, cfg
}

func TestAnalyzeIsKeptAndOverridesWin(t *testing.T) {
	_, db := syncedSmallWorld(t)
	ctx := context.Background()
	first, err := Analyze(ctx, db, "rhel")
	if err != nil {
		t.Fatal(err)
	}
	if first.Cached || first.Downstream != "rhel@main" || first.Upstream != "linux@master" {
		t.Fatalf("first analysis: cached %v, %s against %s", first.Cached, first.Downstream, first.Upstream)
	}
	all := first.Component("")
	if all == nil || len(all.Missing) == 0 || len(all.Backported) == 0 || len(all.DownstreamOnly) == 0 {
		t.Fatalf("the whole delta is empty somewhere: %+v", all)
	}
	again, err := Analyze(ctx, db, "rhel@main")
	if err != nil {
		t.Fatal(err)
	}
	if !again.Cached || len(again.Matches) != len(first.Matches) {
		t.Errorf("asking again: cached %v, %d matches (first %d)", again.Cached, len(again.Matches), len(first.Matches))
	}

	// Pair a downstream-only commit with a missing upstream commit by hand.
	only := all.DownstreamOnly[0].ID
	target := all.Missing[0].ID
	db.SetUser("Ana Maintainer <ana@example.org>")
	if err := db.SetOverride(ctx, only, []string{target}); err != nil {
		t.Fatal(err)
	}
	after, err := Analyze(ctx, db, "rhel")
	if err != nil {
		t.Fatal(err)
	}
	if after.Cached {
		t.Fatalf("an override did not invalidate the kept analysis")
	}
	found := false
	for _, x := range after.Matches {
		if x.Downstream == only {
			found = true
			if x.Method != "manual" || len(x.Upstream) != 1 || x.Upstream[0] != target {
				t.Errorf("override not applied: %+v", x)
			}
			if !strings.Contains(x.Why, "by Ana Maintainer <ana@example.org> on ") {
				t.Errorf("a manual pair does not say who made it: %q", x.Why)
			}
		}
	}
	if !found {
		t.Errorf("%s has no match after the override", only)
	}
	for _, c := range after.Component("").Missing {
		if c.ID == target {
			t.Errorf("%.12s is still missing after being matched by hand", target)
		}
	}
}

func TestMatchesJSONContract(t *testing.T) {
	_, db := syncedSmallWorld(t)
	r, err := Analyze(context.Background(), db, "ofed")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r.Matches)
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 {
		t.Fatal("no matches")
	}
	sawEmpty := false
	for _, m := range got {
		for _, k := range []string{"downstream", "upstream", "method", "score", "why"} {
			if _, ok := m[k]; !ok {
				t.Fatalf("match lacks %q: %v", k, m)
			}
		}
		if len(m["downstream"].(string)) != 40 {
			t.Errorf("downstream %v is not a 40-hex id", m["downstream"])
		}
		ups, ok := m["upstream"].([]any)
		if !ok {
			t.Fatalf("upstream is %T, want an array (never null)", m["upstream"])
		}
		if len(ups) == 0 {
			sawEmpty = true
		}
	}
	if !sawEmpty {
		t.Errorf("no downstream-only commit in the vendor tree")
	}
}

func TestAnalyzeNeedsAnUpstream(t *testing.T) {
	_, db := syncedSmallWorld(t)
	_, err := Analyze(context.Background(), db, "linux")
	if !errors.Is(err, ErrNoBase) || !strings.Contains(err.Error(), "upstream") {
		t.Errorf("analysing the upstream itself: %v", err)
	}
	if _, err := Analyze(context.Background(), db, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown source: %v", err)
	}
}
