package delta

import (
	"context"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/ingest"
	"github.com/kdelta/kdelta/internal/world"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
)

// TestMissingAgainstTruth feeds the ground truth's own matches to Compute
// and checks its missing and missing-fix lists against the truth's, so
// that the delta logic is tested apart from the matcher.
func TestMissingAgainstTruth(t *testing.T) {
	for _, seed := range []int64{1, 2, 3} {
		w, err := world.Build(world.Options{Seed: seed, Size: world.Small, Dir: filepath.Join(t.TempDir(), "world")})
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
		for _, d := range w.Truth.Downstreams {
			in, stored := inputFromTruth(t, db, w, d)
			got := Compute(in)[0]
			compare(t, seed, d.Source+" missing", ids(got.Missing), d.Missing, stored)
			compare(t, seed, d.Source+" missing fixes", ids(got.MissingFixes), d.MissingFixes, stored)
			if len(got.MissingFixes) > 0 && got.Missing[0].Fixes == nil {
				t.Errorf("seed %d %s: missing fixes are not listed first", seed, d.Source)
			}
		}
		db.Close()
	}
}

func inputFromTruth(t *testing.T, db *store.DB, w *world.World, d world.Downstream) (Input, map[string]bool) {
	t.Helper()
	ctx := context.Background()
	srcs, err := db.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	refs := map[string]int64{}
	for _, s := range srcs {
		branch := d.Branch
		if s.Name == w.Truth.Upstream.Source {
			branch = w.Truth.Upstream.Branch
		} else if s.Name != d.Source {
			continue
		}
		r, err := db.EnsureRef(ctx, s.ID, branch)
		if err != nil {
			t.Fatal(err)
		}
		refs[s.Name] = r.ID
	}
	load := func(ids []int64) []*change.Fingerprint {
		m, err := db.Fingerprints(ctx, ids, "linux")
		if err != nil {
			t.Fatal(err)
		}
		var out []*change.Fingerprint
		for _, fp := range m {
			out = append(out, fp)
		}
		return out
	}
	set := func(m map[int64]bool) []int64 {
		var out []int64
		for id := range m {
			out = append(out, id)
		}
		return out
	}
	upIDs, err := db.SinceBase(ctx, refs[d.Source], "upstream")
	if err != nil {
		t.Fatal(err)
	}
	downIDs, err := db.SinceBase(ctx, refs[d.Source], "downstream")
	if err != nil {
		t.Fatal(err)
	}
	knownIDs, err := db.RefCommitIDs(ctx, refs[w.Truth.Upstream.Source])
	if err != nil {
		t.Fatal(err)
	}
	downRef, err := db.RefCommitIDs(ctx, refs[d.Source])
	if err != nil {
		t.Fatal(err)
	}
	in := Input{Upstream: load(upIDs), Downstream: load(downIDs), Known: load(set(knownIDs))}
	has := map[string]bool{}
	for _, fp := range load(set(downRef)) {
		has[fp.ID] = true
	}
	in.Has = func(id string) bool { return has[id] }
	for _, e := range d.Commits {
		in.Pairs = append(in.Pairs, Pair{Downstream: e.ID, Upstream: e.Upstream})
	}
	stored := map[string]bool{}
	for _, fp := range in.Upstream {
		stored[fp.ID] = true
	}
	return in, stored
}

func ids(items []Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Commit.ID)
	}
	return out
}

// compare checks got against the truth's list restricted to the commits
// in scope (the truth also lists commits outside the RDMA stack).
func compare(t *testing.T, seed int64, what string, got, truth []string, stored map[string]bool) {
	t.Helper()
	want := map[string]bool{}
	for _, id := range truth {
		if stored[id] {
			want[id] = true
		}
	}
	have := map[string]bool{}
	for _, id := range got {
		have[id] = true
	}
	var extra, lacking []string
	for id := range have {
		if !want[id] {
			extra = append(extra, id[:12])
		}
	}
	for id := range want {
		if !have[id] {
			lacking = append(lacking, id[:12])
		}
	}
	sort.Strings(extra)
	sort.Strings(lacking)
	if len(extra)+len(lacking) > 0 {
		t.Errorf("seed %d %s: %d listed, truth %d; not in truth %v; not listed %v", seed, what, len(have), len(want), extra, lacking)
	}
	if len(want) == 0 {
		t.Errorf("seed %d %s: nothing to compare", seed, what)
	}
}
