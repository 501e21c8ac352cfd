package analyzer

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/kdelta/kdelta/internal/world"
)

// serviceState is what the service's writes change, as a surface reads it.
type serviceState struct {
	Matches map[string][]string
	Notes   map[string]string // change -> status: reason
	Ignores map[string]string // target@scope -> reason
}

func readState(t *testing.T, s *Service) serviceState {
	t.Helper()
	ctx := context.Background()
	m, err := s.ManualMatches(ctx)
	if err != nil {
		t.Fatal(err)
	}
	notes, err := s.Annotations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	igs, err := s.Ignores(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st := serviceState{Matches: m, Notes: map[string]string{}, Ignores: map[string]string{}}
	for id, a := range notes {
		st.Notes[id] = a.Status + ": " + a.Reason
	}
	for _, ig := range igs {
		st.Ignores[ig.Target+"@"+ig.Scope] = ig.Reason
	}
	return st
}

// TestServiceWritesUndo: every change a surface makes by hand through the
// service does what it says, and its undo puts back exactly what was
// there before, whether it replaced an entry or added a new one.
func TestServiceWritesUndo(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		before func(t *testing.T, s *Service, ids map[string]string) // what is there already
		act    func(s *Service, ids map[string]string) (Undo, error)
		want   func(st serviceState, ids map[string]string) bool
	}{
		{
			name: "match set, new",
			act: func(s *Service, ids map[string]string) (Undo, error) {
				_, u, err := s.SetManualMatch(ctx, []string{"rhel@main"}, "d00d1", []string{"abcd1"})
				return u, err
			},
			want: func(st serviceState, ids map[string]string) bool {
				return reflect.DeepEqual(st.Matches[ids["d1"]], []string{ids["u1"]})
			},
		},
		{
			name: "match set, replacing",
			before: func(t *testing.T, s *Service, ids map[string]string) {
				if _, _, err := s.SetManualMatch(ctx, []string{"rhel@main"}, ids["d1"], []string{ids["u2"]}); err != nil {
					t.Fatal(err)
				}
			},
			act: func(s *Service, ids map[string]string) (Undo, error) {
				_, u, err := s.SetManualMatch(ctx, []string{"rhel@main"}, "d00d1", nil)
				return u, err
			},
			want: func(st serviceState, ids map[string]string) bool {
				m, ok := st.Matches[ids["d1"]]
				return ok && len(m) == 0
			},
		},
		{
			name: "match clear",
			before: func(t *testing.T, s *Service, ids map[string]string) {
				if _, _, err := s.SetManualMatch(ctx, []string{"rhel@main"}, ids["d2"], []string{ids["u3"]}); err != nil {
					t.Fatal(err)
				}
			},
			act: func(s *Service, ids map[string]string) (Undo, error) {
				u, had, err := s.ClearManualMatch(ctx, ids["d2"])
				if err == nil && !had {
					err = errors.New("had no manual match")
				}
				return u, err
			},
			want: func(st serviceState, ids map[string]string) bool {
				_, ok := st.Matches[ids["d2"]]
				return !ok
			},
		},
		{
			name: "annotate, replacing",
			before: func(t *testing.T, s *Service, ids map[string]string) {
				if _, err := s.Annotate(ctx, Annotation{Change: ids["d1"], Status: "never", Reason: "distro only"}); err != nil {
					t.Fatal(err)
				}
			},
			act: func(s *Service, ids map[string]string) (Undo, error) {
				return s.Annotate(ctx, Annotation{Change: ids["d1"], Status: "rejected", Reason: "NACKed"})
			},
			want: func(st serviceState, ids map[string]string) bool {
				return st.Notes[ids["d1"]] == "rejected: NACKed"
			},
		},
		{
			name: "annotation clear",
			before: func(t *testing.T, s *Service, ids map[string]string) {
				if _, err := s.Annotate(ctx, Annotation{Change: ids["o1"], Status: "never", Reason: "vendor only"}); err != nil {
					t.Fatal(err)
				}
			},
			act: func(s *Service, ids map[string]string) (Undo, error) {
				u, had, err := s.ClearAnnotation(ctx, ids["o1"])
				if err == nil && !had {
					err = errors.New("had no annotation")
				}
				return u, err
			},
			want: func(st serviceState, ids map[string]string) bool {
				_, ok := st.Notes[ids["o1"]]
				return !ok
			},
		},
		{
			name: "ignore for one downstream, new beside one for every downstream",
			before: func(t *testing.T, s *Service, ids map[string]string) {
				if _, err := s.AddIgnore(ctx, Ignore{Target: ids["u1"], Kind: "id", Reason: "tooling"}); err != nil {
					t.Fatal(err)
				}
			},
			act: func(s *Service, ids map[string]string) (Undo, error) {
				return s.AddIgnore(ctx, Ignore{Target: ids["u1"], Kind: "id", Scope: "rhel", Reason: "not shipped"})
			},
			want: func(st serviceState, ids map[string]string) bool {
				return st.Ignores[ids["u1"]+"@rhel"] == "not shipped" && st.Ignores[ids["u1"]+"@"] == "tooling"
			},
		},
		{
			name: "ignore, replacing",
			before: func(t *testing.T, s *Service, ids map[string]string) {
				if _, err := s.AddIgnore(ctx, Ignore{Target: ids["u2"], Kind: "id", Scope: "ofed", Reason: "old"}); err != nil {
					t.Fatal(err)
				}
			},
			act: func(s *Service, ids map[string]string) (Undo, error) {
				return s.AddIgnore(ctx, Ignore{Target: ids["u2"], Kind: "id", Scope: "ofed", Reason: "new"})
			},
			want: func(st serviceState, ids map[string]string) bool {
				return st.Ignores[ids["u2"]+"@ofed"] == "new"
			},
		},
		{
			name: "ignore remove",
			before: func(t *testing.T, s *Service, ids map[string]string) {
				if _, err := s.AddIgnore(ctx, Ignore{Target: "drivers/infiniband/hw/hfi1/", Kind: "path", Reason: "not built"}); err != nil {
					t.Fatal(err)
				}
			},
			act: func(s *Service, ids map[string]string) (Undo, error) {
				u, had, err := s.RemoveIgnore(ctx, "drivers/infiniband/hw/hfi1/", "")
				if err == nil && !had {
					err = errors.New("had no entry")
				}
				return u, err
			},
			want: func(st serviceState, ids map[string]string) bool {
				return len(st.Ignores) == 0
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, ids := manualStore(t)
			s, err := NewService(db, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.before != nil {
				tc.before(t, s, ids)
			}
			was := readState(t, s)
			undo, err := tc.act(s, ids)
			if err != nil {
				t.Fatal(err)
			}
			if now := readState(t, s); !tc.want(now, ids) {
				t.Fatalf("after the action: %+v", now)
			}
			if err := undo(ctx); err != nil {
				t.Fatal(err)
			}
			if now := readState(t, s); !reflect.DeepEqual(now, was) {
				t.Fatalf("after undo:\n got %+v\nwant %+v", now, was)
			}
		})
	}
}

// TestServiceRefusals: what may not be changed by hand is refused, and
// clearing what is not there says so and changes nothing.
func TestServiceRefusals(t *testing.T) {
	ctx := context.Background()
	db, ids := manualStore(t)
	s, err := NewService(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	// An "upstream" commit upstream lacks: the downstream's own change.
	if _, _, err := s.SetManualMatch(ctx, []string{"rhel@main"}, ids["d1"], []string{ids["d2"]}); !errors.Is(err, ErrBadID) {
		t.Errorf("matching a downstream change as upstream: err %v, want ErrBadID", err)
	}
	if _, had, err := s.ClearManualMatch(ctx, ids["d1"]); err != nil || had {
		t.Errorf("clearing no manual match: had %v, err %v", had, err)
	}
	if _, had, err := s.ClearAnnotation(ctx, ids["d1"]); err != nil || had {
		t.Errorf("clearing no annotation: had %v, err %v", had, err)
	}
	if _, had, err := s.RemoveIgnore(ctx, ids["u1"], "rhel"); err != nil || had {
		t.Errorf("removing no ignore: had %v, err %v", had, err)
	}
	if st := readState(t, s); len(st.Matches)+len(st.Notes)+len(st.Ignores) != 0 {
		t.Errorf("refusals changed the state: %+v", st)
	}
}

// TestServiceCarriedIn: the carried changes of a component, as the delta
// list's carried tab shows them, are the component's downstream-only
// changes of the analysis (no backport among them), each with a status,
// in the downstream's order; a component the downstream does not touch
// carries none.
func TestServiceCarriedIn(t *testing.T) {
	ctx := context.Background()
	_, db, cfg := syncedWorld(t, world.Small, 5)
	svc, err := NewService(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	const target = "rhel@main"
	r, err := svc.Analysis(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	all, err := svc.Statuses(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	order := map[string]int{}
	for i, c := range all {
		order[c.ID] = i
	}
	backport := map[string]bool{}
	for _, m := range r.Matches {
		backport[m.Downstream] = len(m.Upstream) > 0
	}
	checked := 0
	for _, cd := range r.Components {
		name := "component " + cd.Component
		if cd.Component == "" {
			name = "every component"
		}
		t.Run(name, func(t *testing.T) {
			got, err := svc.CarriedIn(ctx, svc, target, cd.Component)
			if err != nil {
				t.Fatal(err)
			}
			var want, ids []string
			for _, c := range cd.DownstreamOnly {
				want = append(want, c.ID)
			}
			for i, c := range got {
				ids = append(ids, c.ID)
				if backport[c.ID] || c.Status.Status == "" {
					t.Errorf("%.12s: backport %v, status %q", c.ID, backport[c.ID], c.Status.Status)
				}
				if i > 0 && order[got[i-1].ID] > order[c.ID] {
					t.Errorf("%.12s listed before %.12s, against the downstream's order", got[i-1].ID, c.ID)
				}
			}
			slices.Sort(want)
			slices.Sort(ids)
			if !slices.Equal(ids, want) {
				t.Errorf("carried %d changes %.12v; the analysis says %d %.12v", len(ids), ids, len(want), want)
			}
			checked += len(ids)
		})
	}
	if checked == 0 {
		t.Fatal("rhel@main carries nothing in any component: nothing was checked")
	}
	if got, err := svc.CarriedIn(ctx, svc, target, "no-such-component"); err != nil || got == nil || len(got) != 0 {
		t.Errorf("a component rhel does not touch: %d carried (nil %v: null in JSON, not []), err %v", len(got), got == nil, err)
	}
}
