package analyzer

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/analyzer/status"
	"github.com/kdelta/kdelta/internal/world"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
)

// minStatusAgreement is the share of carried changes whose status (with its
// release, posting and conflict) must agree with the ground truth. The
// misses left on the small worlds: OFED #ifdef backports of one line that
// the matcher cannot tell from chance, a vendor patch marked "MLNX_OFED
// only" whose posting is not matched, and one partial backport credited to
// the release of its other upstream commit. Each is listed when the test
// runs with -v.
const minStatusAgreement = 0.9

// TestStatusesAgainstTruth checks every carried patch's status on the small
// world against its ground truth: the SUSE series and the OFED backports
// tree by patch file, the vendor git tree's downstream-only commits by id
// (queued on for-next, submitted with the latest posting, or unknown).
// Planted conflicts must all be shown.
func TestStatusesAgainstTruth(t *testing.T) {
	for _, seed := range []int64{1, 5} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			w, db := syncedSmallWorldSeed(t, seed)
			ctx := context.Background()
			checked, missed := 0, map[string]bool{}
			miss := func(key, format string, args ...any) {
				missed[key] = true
				t.Logf(format, args...)
			}
			defer func() {
				agree := float64(checked-len(missed)) / float64(max(checked, 1))
				t.Logf("statuses: %d of %d agree with the truth (%.3f)", checked-len(missed), checked, agree)
				if agree < minStatusAgreement {
					t.Errorf("status agreement %.3f < %.2f", agree, minStatusAgreement)
				}
			}()
			for _, ser := range w.Truth.Series {
				carried, _, err := Statuses(ctx, db, ser.Source)
				if err != nil {
					t.Fatal(err)
				}
				byPath := map[string]Carried{}
				for _, c := range carried {
					byPath[c.Path] = c
				}
				before := checked
				for _, p := range ser.Patches {
					c, ok := byPath[p.Path]
					if p.Guard != "" && strings.HasPrefix(p.Guard, "+") {
						if ok {
							t.Errorf("%s: %s is guarded by %s, which a normal build leaves out, but it was read", ser.Source, p.Path, p.Guard)
						}
						continue
					}
					checked++
					if !ok {
						miss(ser.Source+":"+p.Path, "%s: %s is not among the carried patches", ser.Source, p.Path)
						continue
					}
					key := ser.Source + ":" + p.Path
					if c.Status.Status != p.Status {
						miss(key, "%s: %s: status %s (%+v), want %s (header %q)", ser.Source, p.Path, c.Status.Status, c.Status.Evidence, p.Status, p.Header)
					}
					if p.Conflict && c.Status.Conflict == "" {
						t.Errorf("%s: %s: the planted conflict is not shown", ser.Source, p.Path)
					}
					if !p.Conflict && c.Status.Conflict != "" {
						miss(key, "%s: %s: conflict %q, want none", ser.Source, p.Path, c.Status.Conflict)
					}
					if p.Status == status.Mainline && p.Release != "" && c.Status.Release != p.Release {
						miss(key, "%s: %s: release %q, want %q", ser.Source, p.Path, c.Status.Release, p.Release)
					}
					if p.Status == status.Submitted && p.MessageID != "" && (c.Status.MessageID != p.MessageID || c.Status.Version != p.Version) {
						miss(key, "%s: %s: posted as <%s> v%d, want <%s> v%d", ser.Source, p.Path, c.Status.MessageID, c.Status.Version, p.MessageID, p.Version)
					}
				}
				if checked == before {
					t.Errorf("%s: no patch checked", ser.Source)
				}
			}
			byCommit := map[string]map[string]Carried{}
			count := map[string]int{}
			for _, st := range w.Truth.Statuses {
				m := byCommit[st.Source]
				if m == nil {
					carried, _, err := Statuses(ctx, db, st.Source)
					if err != nil {
						t.Fatal(err)
					}
					m = map[string]Carried{}
					for _, c := range carried {
						m[c.ID] = c
					}
					byCommit[st.Source] = m
				}
				c, ok := m[st.Commit]
				if !ok {
					t.Errorf("%s: %.12s is not among the carried changes", st.Source, st.Commit)
					continue
				}
				count[st.Status]++
				checked++
				key := st.Source + ":" + st.Commit
				if c.Status.Status != st.Status {
					miss(key, "%s: %.12s %q: status %s (%+v), want %s", st.Source, st.Commit, c.Subject, c.Status.Status, c.Status.Evidence, st.Status)
				}
				if st.MessageID != "" && (c.Status.MessageID != st.MessageID || c.Status.Version != st.Version) {
					miss(key, "%s: %.12s: posted as <%s> v%d, want <%s> v%d", st.Source, st.Commit, c.Status.MessageID, c.Status.Version, st.MessageID, st.Version)
				}
			}
			for _, s := range []string{status.Queued, status.Submitted} {
				if count[s] == 0 {
					t.Errorf("the truth has no %s commit to check", s)
				}
			}
		})
	}
}

// TestSnapshotDeltaAgainstTruth compares the file-level delta of the two
// WinOFED drops with the world's truth, component by component.
func TestSnapshotDeltaAgainstTruth(t *testing.T) {
	w, db := syncedSmallWorld(t)
	comps, err := project.DefaultConfig().Components()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range w.Truth.Snapshots {
		d, err := SnapshotDelta(context.Background(), db, comps, want.To)
		if err != nil {
			t.Fatal(err)
		}
		if d.Against != want.From+"@snapshot" {
			t.Errorf("%s against %s, want %s", want.To, d.Against, want.From)
		}
		got := map[string]ComponentFiles{}
		for _, c := range d.Components {
			got[c.Component] = c
		}
		all := got[""]
		if !same(all.Added, want.Added) || !same(all.Removed, want.Removed) || !same(all.Changed, want.Changed) {
			t.Errorf("whole: got +%v -%v ~%v, want +%v -%v ~%v", all.Added, all.Removed, all.Changed, want.Added, want.Removed, want.Changed)
		}
		for name, pd := range want.Components {
			c := got[name]
			if !same(c.Added, pd.Added) || !same(c.Removed, pd.Removed) || !same(c.Changed, pd.Changed) {
				t.Errorf("%s: got +%v -%v ~%v, want +%v -%v ~%v", name, c.Added, c.Removed, c.Changed, pd.Added, pd.Removed, pd.Changed)
			}
		}
	}
	if len(w.Truth.Snapshots) == 0 {
		t.Fatal("the world has no snapshot pair")
	}
}

func same(a, b []string) bool {
	a, b = append([]string(nil), a...), append([]string(nil), b...)
	sort.Strings(a)
	sort.Strings(b)
	return strings.Join(a, "\n") == strings.Join(b, "\n")
}

// TestSnapshotTimelineAndAnnotation saves snapshots around an annotation and
// checks the patch's timeline shows the change, and that the annotation
// survives a resync.
func TestSnapshotTimelineAndAnnotation(t *testing.T) {
	w, db := syncedSmallWorld(t)
	ctx := context.Background()
	if _, _, err := SaveSnapshot(ctx, db, 0); err != nil {
		t.Fatal(err)
	}
	var target string
	for _, ser := range w.Truth.Series {
		for _, p := range ser.Patches {
			if ser.Source == "sles" && p.Status == status.Submitted && p.Guard == "" {
				target = p.Path
			}
		}
	}
	if target == "" {
		t.Fatal("no submitted sles patch in the truth")
	}
	ids, err := db.PatchByPath(ctx, target)
	if err != nil || len(ids) != 1 {
		t.Fatalf("patch %s: %v %v", target, ids, err)
	}
	if err := db.Annotate(ctx, store.Annotation{Change: ids[0], Status: status.Rejected, Reason: "maintainer NAKed v2"}); err != nil {
		t.Fatal(err)
	}
	if _, skipped, err := SaveSnapshot(ctx, db, 0); err != nil || len(skipped) > 0 {
		t.Fatalf("save: %v, skipped %v", err, skipped)
	}
	hist, err := db.StatusHistory(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[0].Status != status.Submitted || hist[1].Status != status.Rejected {
		t.Fatalf("timeline of %s: %+v; want submitted then rejected", target, hist)
	}
	st, err := decodeStatus(hist[1].Detail)
	if err != nil || st.Reason != "maintainer NAKed v2" || st.Evidence[0].From != status.FromAnnotation {
		t.Errorf("kept status = %+v, %v", st, err)
	}
}

// TestServiceStatusesOfAnAnalysis: the statuses the service decides on an
// analysis it already made (what the detail and the delta list's carried
// tab show) are those Statuses decides analysing the downstream again,
// in the same order, for every downstream of the world.
func TestServiceStatusesOfAnAnalysis(t *testing.T) {
	ctx := context.Background()
	_, db, cfg := syncedWorld(t, world.Small, 5)
	svc, err := NewService(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	targets := cfg.DownstreamRefs()
	if len(targets) == 0 {
		t.Fatal("the world has no downstream")
	}
	for _, target := range targets {
		t.Run(target, func(t *testing.T) {
			want, _, err := Statuses(ctx, db, target)
			if err != nil {
				t.Fatal(err)
			}
			r, err := svc.Analysis(ctx, target)
			if err != nil {
				t.Fatal(err)
			}
			got, err := svc.Statuses(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("%d statuses on the kept analysis, %d analysing again", len(got), len(want))
			}
			for i := range want {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Errorf("#%d: %.12s %s on the kept analysis, %.12s %s analysing again", i, got[i].ID, got[i].Status.Status, want[i].ID, want[i].Status.Status)
				}
			}
		})
	}
}
