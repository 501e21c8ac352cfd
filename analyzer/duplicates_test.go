package analyzer

import (
	"context"
	"testing"

	"github.com/kdelta/kdelta/analyzer/match"
	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/internal/world"
)

// TestCopiesOlderThanTheBase: the demo world's vendor branch forks a
// release early, carries commits of the next release (some with another
// context than upstream's, so another patch-id), then merges that
// release, its base. Analyze pairs each copy with the upstream commit
// older than the base, as a duplicate, and none with a commit after it.
func TestCopiesOlderThanTheBase(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and syncs the demo world")
	}
	w, db, _ := syncedWorld(t, world.Demo, 3)
	r, err := Analyze(context.Background(), db, "ofed")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]match.Match{}
	for _, m := range r.Matches {
		got[m.Downstream] = m
	}
	n, shifted := 0, 0
	for _, e := range w.Truth.Downstream("ofed").Commits {
		if e.Phenomenon != world.PhTwin {
			continue
		}
		n++
		if e.Kind == world.KindContext {
			shifted++
		}
		m, ok := got[e.ID]
		if !ok {
			t.Errorf("%s: not analysed", change.Short(e.ID))
			continue
		}
		if m.Method != match.MethodDuplicate || len(m.Upstream) != 1 || m.Upstream[0] != e.Upstream[0] {
			t.Errorf("%s %q: %v by %s (%s); want %s by %s", change.Short(e.ID), e.Subject, m.Upstream, m.Method, m.Why,
				change.Short(e.Upstream[0]), match.MethodDuplicate)
		}
	}
	if n < 20 || shifted == 0 {
		t.Errorf("the world plants %d copies, %d with another context; want at least 20, some shifted", n, shifted)
	}
}
