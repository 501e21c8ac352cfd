package match

import (
	"context"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
	"github.com/kdelta/kdelta/world"
)

// TestZZBench: temporary debugging harness on /tmp/bw/world (KD_BENCH=1).
func TestZZBench(t *testing.T) {
	dir := os.Getenv("KD_BENCH")
	if dir == "" {
		t.Skip()
	}
	ctx := context.Background()
	cfg, err := project.Load(dir + "/kdelta.toml")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := world.LoadTruth(dir + "/truth.json")
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, cfg.StorePath(), fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srcs, _ := db.Sources(ctx)
	src := func(name string) store.Source {
		for _, s := range srcs {
			if s.Name == name {
				return s
			}
		}
		t.Fatalf("no source %s", name)
		return store.Source{}
	}
	read := func(s store.Source, ids []int64) []*change.Fingerprint {
		fps, err := db.Fingerprints(ctx, ids, s.Layout)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]*change.Fingerprint, 0, len(ids))
		for _, id := range ids {
			if f := fps[id]; f != nil {
				out = append(out, f)
			}
		}
		return out
	}
	l := &loaded{truth: tr, down: map[string][]*change.Fingerprint{}}
	up := src(tr.Upstream.Source)
	upRef, _ := db.EnsureRef(ctx, up.ID, tr.Upstream.Branch)
	all, _ := db.RefCommitIDs(ctx, upRef.ID)
	var upIDs []int64
	for id := range all {
		upIDs = append(upIDs, id)
	}
	sort.Slice(upIDs, func(i, j int) bool { return upIDs[i] < upIDs[j] })
	l.upstream = read(up, upIDs)
	for _, d := range tr.Downstreams {
		s := src(d.Source)
		ref, _ := db.EnsureRef(ctx, s.ID, d.Branch)
		ids, _ := db.SinceBase(ctx, ref.ID, "downstream")
		l.down[d.Source] = read(s, ids)
	}
	acc := measure(t, l)
	t.Logf("all: %s", acc.all)
	t.Logf("rework: %s", acc.rework)
	os.WriteFile("/tmp/kd/wrong.txt", []byte(strings.Join(acc.wrong, "\n")+"\n"), 0o644)
}
