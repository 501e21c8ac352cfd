package tui

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/analyzer/status"
	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/internal/world"
	"github.com/kdelta/kdelta/store"
)

// firstOf returns the first commit of a kind in a downstream of the
// world's truth that the downstream's analysis has (a rebase leaves older
// commits in the truth that the synced branch no longer has).
func firstOf(t *testing.T, w *testWorld, target string, kind world.Kind) world.Entry {
	t.Helper()
	source, _ := analyzer.Target(target)
	ds := w.Truth.Downstream(source)
	if ds == nil {
		t.Fatalf("truth.json: no downstream %s", source)
	}
	r, err := analyzer.Analyze(context.Background(), w.db, target)
	if err != nil {
		t.Fatal(err)
	}
	has := map[string]bool{}
	for _, m := range r.Matches {
		has[m.Downstream] = true
	}
	for _, e := range ds.Commits {
		if e.Kind == kind && has[e.ID] {
			return e
		}
	}
	t.Fatalf("truth.json: %s has no %s commit", target, kind)
	return world.Entry{}
}

// missingFix returns the first missing fix of the analysis of rhel@main.
func missingFix(t *testing.T, c *Common) analyzer.Commit {
	t.Helper()
	r, err := c.Analysis(context.Background(), "rhel@main")
	if err != nil {
		t.Fatal(err)
	}
	all := r.Component("")
	if all == nil || len(all.MissingFixes) == 0 {
		t.Fatal("rhel@main: the small world has no missing fix")
	}
	return all.MissingFixes[0]
}

func typeKeys(tm *teatest.TestModel, s string) {
	for _, r := range s {
		if r == ' ' {
			tm.Send(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
			continue
		}
		tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

func enter(tm *teatest.TestModel) { tm.Send(tea.KeyMsg{Type: tea.KeyEnter}) }

// waitForAll waits until the screen has shown every text (a status line
// and the page reloaded after it may come in one write).
func waitForAll(t *testing.T, tm *teatest.TestModel, texts ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, s := range texts {
			if !bytesContains(b, s) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

// openDetail starts the App on the detail page and waits for it to load.
func openDetail(t *testing.T, c *Common, target, id, loaded string) *teatest.TestModel {
	t.Helper()
	tm := start(t, c, NewDetail(c, target, id))
	waitFor(t, tm, loaded)
	return tm
}

// TestDetailBackport shows a reworked backport of the vendor tree: its
// metadata, and the explanation of its match.
func TestDetailBackport(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	e := firstOf(t, w, "ofed@master", world.KindConflict)
	tm := openDetail(t, c, "ofed@master", e.ID, "backport: ofed@master carries upstream "+change.Short(e.Upstream[0]))
	view := finalView(t, tm)
	golden.RequireEqual(t, []byte(view))
	for _, want := range []string{"Match", "fuzzy, score", "enter open the other side", "? help · q quit"} {
		if !strings.Contains(view, want) {
			t.Errorf("the detail of a backport lacks %q", want)
		}
	}
	// ? lists every key of the page; x (ignore) is for missing upstream
	// commits.
	tm = openDetail(t, c, "ofed@master", e.ID, "backport: ofed@master carries upstream")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("?")})
	waitFor(t, tm, "Press any key to close this help.")
	help := finalView(t, tm)
	for _, want := range []string{"enter", "d             side by side", "i             interdiff", "m             match by hand",
		"n             not a backport", "a             annotate", "u             undo", "q/esc         quit", "?             help"} {
		if !strings.Contains(help, want) {
			t.Errorf("the help of a backport's page lacks %q:\n%s", want, help)
		}
	}
	if strings.Contains(help, "x             ignore") {
		t.Error("a downstream change offers x (ignore), which is for missing upstream commits")
	}
}

// TestDetailSideBySide: d shows the upstream and downstream diffs side by
// side, the hunk the backporter changed marked.
func TestDetailSideBySide(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	e := firstOf(t, w, "ofed@master", world.KindConflict)
	tm := openDetail(t, c, "ofed@master", e.ID, "backport: ofed@master")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("d")})
	waitFor(t, tm, "! marks hunks that differ")
	view := finalView(t, tm)
	golden.RequireEqual(t, []byte(view))
	lines := strings.Split(view, "\n")
	if len(lines) != 24 {
		t.Errorf("the screen has %d lines, want 24", len(lines))
	}
	marked := 0
	for _, l := range lines {
		if n := len([]rune(l)); n > 80 {
			t.Errorf("a line is %d cells wide: %q", n, l)
		}
		if strings.Contains(l, "│") {
			left, right, _ := strings.Cut(l, "│")
			if len([]rune(left)) != 39 {
				t.Errorf("the left half and its space are %d cells, want 39: %q", len([]rune(left)), l)
			}
			if strings.HasPrefix(left, "!") && strings.HasPrefix(right, " !") {
				marked++
			}
		}
	}
	if marked == 0 {
		t.Error("no hunk is marked as changed on both sides")
	}
}

// TestDetailInterdiff: i shows per file the hunks only one side has and
// one line per hunk both have.
func TestDetailInterdiff(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	e := firstOf(t, w, "ofed@master", world.KindConflict)
	tm := openDetail(t, c, "ofed@master", e.ID, "backport: ofed@master")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("i")})
	waitForAll(t, tm, "Interdiff: upstream", "-upstream only @@", "+downstream only @@")
	// The end: the file both change the same way.
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("G")})
	waitFor(t, tm, "= same hunk @@")
	view := finalView(t, tm)
	golden.RequireEqual(t, []byte(view))
}

// TestDetailCarried shows a distro-only change with its status, evidence
// and timeline over four snapshots (two alike, one annotated, one not).
func TestDetailCarried(t *testing.T) {
	w := newTestWorld(t)
	ctx := context.Background()
	e := firstOf(t, w, "rhel@main", world.KindDownstreamOnly)
	snap := func() {
		if _, _, err := analyzer.SaveSnapshot(ctx, w.db, 0); err != nil {
			t.Fatal(err)
		}
	}
	snap()
	snap()
	if err := w.db.Annotate(ctx, store.Annotation{Change: e.ID, Status: status.Rejected, Reason: "NACKed on the list"}); err != nil {
		t.Fatal(err)
	}
	snap()
	if _, err := w.db.Unannotate(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	snap()
	c := w.common(t)
	tm := openDetail(t, c, "rhel@main", e.ID, "carried: rhel@main carries it")
	// Down to the status section.
	for i := 0; i < 17; i++ {
		tm.Send(tea.KeyMsg{Type: tea.KeyDown})
	}
	waitFor(t, tm, "lines 18-")
	view := finalView(t, tm)
	golden.RequireEqual(t, []byte(view))
	carried, _, err := analyzer.Statuses(ctx, w.db, "rhel@main")
	if err != nil {
		t.Fatal(err)
	}
	was := ""
	for _, x := range carried {
		if x.ID == e.ID {
			was = x.Status.Status
		}
	}
	for _, want := range []string{"#1-2 ", "#3 ", "rejected", "#4 ", was} {
		if !strings.Contains(view, want) {
			t.Errorf("the timeline lacks %q", want)
		}
	}
}

// TestDetailMissingFix shows a missing upstream fix and what it fixes.
func TestDetailMissingFix(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	fix := missingFix(t, c)
	tm := openDetail(t, c, "rhel@main", fix.ID, "missing fix: rhel@main lacks it")
	view := finalView(t, tm)
	golden.RequireEqual(t, []byte(view))
	if !strings.Contains(view, change.Short(fix.Fixes[0])) {
		t.Errorf("the page does not name %s, which the fix fixes", change.Short(fix.Fixes[0]))
	}
}

// TestDetailKeys: only the actions that make sense are offered, and the
// others say why not.
func TestDetailKeys(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	keysOf := func(target, id string) []string {
		p := NewDetail(c, target, id).(*Detail)
		p.SetSize(80, 22)
		p.Update(p.load()())
		if p.info == nil {
			t.Fatalf("%s in %s did not load: %v", id, target, p.err)
		}
		var out []string
		for _, k := range p.Keys() {
			out = append(out, k.Help().Key)
		}
		return out
	}
	cases := []struct {
		target, id string
		want       []string
	}{
		// A backport, from either side: open the other side, compare,
		// re-pair, mark not a backport.
		{"ofed@master", firstOf(t, w, "ofed@master", world.KindConflict).ID, []string{"enter", "d", "i", "m", "n", "a"}},
		{"rhel@main", firstOf(t, w, "rhel@main", world.KindDownstreamOnly).ID, []string{"m", "a"}},
		{"rhel@main", missingFix(t, c).ID, []string{"x"}},
		{"rhel@main", firstOf(t, w, "rhel@main", world.KindConflict).Upstream[0], []string{"enter", "d", "i", "m", "n"}},
		// What a missing fix fixes, in the base: neither missing nor carried.
		{"rhel@main", missingFix(t, c).Fixes[0], nil},
	}
	for _, tc := range cases {
		if got := keysOf(tc.target, tc.id); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s in %s offers %q, want %q", change.Short(tc.id), tc.target, got, tc.want)
		}
	}
	p := NewDetail(c, "rhel@main", missingFix(t, c).ID).(*Detail)
	p.SetSize(80, 22)
	p.Update(p.load()())
	_, cmd := p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("d")})
	if cmd == nil {
		t.Fatal("d on a missing fix says nothing")
	}
	if msg, ok := cmd().(statusMsg); !ok || !strings.Contains(msg.text, "not a backport") {
		t.Errorf("d on a missing fix says %+v, want why it does nothing", msg)
	}
	if p.mode != detMain {
		t.Error("d on a missing fix changed the view")
	}
}

// TestDetailActionAnnotate annotates a carried change from the page (keys
// only), clears it with A, and undoes both with u.
func TestDetailActionAnnotate(t *testing.T) {
	w := newTestWorld(t)
	ctx := context.Background()
	c := w.common(t)
	id := firstOf(t, w, "rhel@main", world.KindDownstreamOnly).ID
	carried, _, err := analyzer.Statuses(ctx, w.db, "rhel@main")
	if err != nil {
		t.Fatal(err)
	}
	was := ""
	for _, x := range carried {
		if x.ID == id {
			was = x.Status.Status
		}
	}
	if was == "" || was == status.Rejected {
		t.Fatalf("%s's status is %q", change.Short(id), was)
	}
	tm := openDetail(t, c, "rhel@main", id, "carried: rhel@main carries it")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("a")})
	waitFor(t, tm, "Status of "+change.Short(id))
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("4")}) // rejected
	enter(tm)
	waitFor(t, tm, "Why is "+change.Short(id)+" rejected?")
	enter(tm) // no reason: refused
	waitFor(t, tm, "a reason is required")
	typeKeys(tm, "NACKed by the maintainer")
	enter(tm)
	waitForAll(t, tm, "annotated "+change.Short(id)+" rejected: NACKed by the maintainer", "with no upstream counterpart (rejected)")
	notes, err := w.db.Annotations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := notes[id]; !ok || a.Status != status.Rejected || a.Reason != "NACKed by the maintainer" {
		t.Fatalf("after a: the store has %+v, want %s rejected", notes, change.Short(id))
	}

	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("A")})
	waitForAll(t, tm, "cleared the manual status of "+change.Short(id), "with no upstream counterpart ("+was+")")
	if notes, _ := w.db.Annotations(ctx); len(notes) != 0 {
		t.Fatalf("after A: the store still has %+v", notes)
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("u")})
	waitForAll(t, tm, "undone: cleared the manual status", "with no upstream counterpart (rejected)")
	if notes, _ := w.db.Annotations(ctx); notes[id].Status != status.Rejected || notes[id].Reason != "NACKed by the maintainer" {
		t.Fatalf("undoing A: the store has %+v, want the annotation back", notes)
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("u")})
	waitForAll(t, tm, "undone: annotated "+change.Short(id)+" rejected", "with no upstream counterpart ("+was+")")
	if notes, _ := w.db.Annotations(ctx); len(notes) != 0 {
		t.Fatalf("undoing a: the store still has %+v", notes)
	}
	finalView(t, tm)
}

// TestDetailActionIgnore puts a missing fix on the ignore list and undoes it.
func TestDetailActionIgnore(t *testing.T) {
	w := newTestWorld(t)
	ctx := context.Background()
	w.db.SetUser("Ana Maintainer")
	c := w.common(t)
	fix := missingFix(t, c)
	tm := openDetail(t, c, "rhel@main", fix.ID, "missing fix: rhel@main lacks it")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("m")})
	waitFor(t, tm, "is matched by hand")
	// Esc cancels the input, not the page.
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x")})
	waitFor(t, tm, "Keep "+change.Short(fix.ID)+" out of the missing lists of")
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
	waitFor(t, tm, "cancelled")
	if list, _ := w.db.Ignores(ctx); len(list) != 0 {
		t.Fatalf("a cancelled x wrote %+v", list)
	}
	// While the input has the keyboard, q and u are letters.
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x")})
	waitFor(t, tm, "Keep "+change.Short(fix.ID)+" out of the missing lists of")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("2")}) // every downstream
	enter(tm)
	waitFor(t, tm, "Why is "+change.Short(fix.ID)+" no issue for every downstream?")
	typeKeys(tm, "quirk: we do not ship mlx5 fs")
	enter(tm)
	waitForAll(t, tm, "ignoring "+change.Short(fix.ID)+" for every downstream: quirk: we do not ship mlx5 fs", "ignored: on the ignore list for every downstream")
	// The page says who put it there.
	tm.Send(tea.KeyMsg{Type: tea.KeyPgDown})
	waitFor(t, tm, "by Ana Maintainer")
	tm.Send(tea.KeyMsg{Type: tea.KeyHome})
	list, err := w.db.Ignores(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Target != fix.ID || list[0].Kind != "id" || list[0].Scope != "" || list[0].Reason != "quirk: we do not ship mlx5 fs" {
		t.Fatalf("after x: the ignore list is %+v", list)
	}
	r, err := c.Analysis(ctx, "rhel@main")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range r.Component("").MissingFixes {
		if m.ID == fix.ID {
			t.Error("after x the analysis still lists the fix as missing")
		}
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("u")})
	waitForAll(t, tm, "undone: ignoring "+change.Short(fix.ID), "missing fix: rhel@main lacks it")
	if list, _ := w.db.Ignores(ctx); len(list) != 0 {
		t.Fatalf("after undo the ignore list is %+v", list)
	}
	finalView(t, tm)
}

// TestDetailActionMatch matches a carried change by hand (refusing an
// unknown id first), clears the match with M, and undoes both.
func TestDetailActionMatch(t *testing.T) {
	w := newTestWorld(t)
	ctx := context.Background()
	c := w.common(t)
	id := firstOf(t, w, "rhel@main", world.KindDownstreamOnly).ID
	up := missingFix(t, c).ID
	tm := openDetail(t, c, "rhel@main", id, "carried: rhel@main carries it")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("m")})
	waitFor(t, tm, "Upstream ids "+change.Short(id)+" carries")
	typeKeys(tm, "deadbeef0")
	enter(tm)
	waitFor(t, tm, "deadbeef0: no commit of that id in the store")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlU})
	typeKeys(tm, id[:10]) // a downstream commit: refused
	enter(tm)
	waitFor(t, tm, "is not a commit of linux")
	if ov, _, _ := w.db.Overrides(ctx); len(ov) != 0 {
		t.Fatalf("a refused match was written: %v", ov)
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlU})
	typeKeys(tm, up[:9])
	enter(tm)
	waitForAll(t, tm, "matched "+change.Short(id)+" by hand to "+change.Short(up), "backport: rhel@main carries upstream "+change.Short(up)+" (manual")
	ov, _, err := w.db.Overrides(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ov, map[string][]string{id: {up}}) {
		t.Fatalf("after m: the overrides are %v", ov)
	}

	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("M")})
	waitForAll(t, tm, "cleared the manual match of "+change.Short(id), "carried: rhel@main carries it")
	if ov, _, _ := w.db.Overrides(ctx); len(ov) != 0 {
		t.Fatalf("after M: the overrides are %v", ov)
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("u")})
	waitForAll(t, tm, "undone: cleared the manual match", "backport: rhel@main carries upstream "+change.Short(up)+" (manual")
	if ov, _, _ := w.db.Overrides(ctx); !reflect.DeepEqual(ov, map[string][]string{id: {up}}) {
		t.Fatalf("undoing M: the overrides are %v", ov)
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("u")})
	waitForAll(t, tm, "undone: matched "+change.Short(id), "carried: rhel@main carries it")
	if ov, _, _ := w.db.Overrides(ctx); len(ov) != 0 {
		t.Fatalf("undoing m: the overrides are %v", ov)
	}
	finalView(t, tm)
}

// TestCommonStatusesOncePerAnalysis: the statuses the detail and the
// carried tab show are decided once on the session's kept analysis (the
// same list twice, in the order analyzer.Statuses gives), and decided
// again after Forget, so a status set meanwhile is shown.
func TestCommonStatusesOncePerAnalysis(t *testing.T) {
	w := newTestWorld(t)
	ctx := context.Background()
	c := w.common(t)
	want, _, err := analyzer.Statuses(ctx, w.db, "rhel@main")
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Analysis(ctx, "rhel@main")
	if err != nil {
		t.Fatal(err)
	}
	first, err := c.Statuses(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(first, want) {
		t.Fatalf("kept statuses differ from analyzer.Statuses: %d against %d", len(first), len(want))
	}
	again, err := c.Statuses(ctx, r)
	if err != nil || len(again) == 0 || &again[0] != &first[0] {
		t.Fatalf("the statuses were decided again on the same analysis (err %v)", err)
	}
	id := firstOf(t, w, "rhel@main", world.KindDownstreamOnly).ID
	if err := w.db.Annotate(ctx, store.Annotation{Change: id, Status: status.Rejected, Reason: "NACKed on the list"}); err != nil {
		t.Fatal(err)
	}
	c.Forget()
	r, err = c.Analysis(ctx, "rhel@main")
	if err != nil {
		t.Fatal(err)
	}
	now, err := c.Statuses(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, x := range now {
		if x.ID == id {
			got = x.Status.Status
		}
	}
	if got != status.Rejected {
		t.Errorf("after Forget, %s is %q; want the annotation's %q", change.Short(id), got, status.Rejected)
	}
}

// TestDetailTestRowsKeepToOneLine: a line break in a test's name, lab,
// hardware or target is shown escaped in the detail's tests section, so
// each result stays one row.
func TestDetailTestRowsKeepToOneLine(t *testing.T) {
	w := buildTestWorld(t, func(w *world.World) []string {
		csv := "test,status,lab,hardware,target\n" +
			"\"ipoib.mlx5.a\nb\",FAIL,\"lab\nx\",\"hw\ny\",rhel@main\n"
		if err := os.WriteFile(filepath.Join(w.Dir, "newlines.csv"), []byte(csv), 0o644); err != nil {
			t.Fatal(err)
		}
		return []string{"newlines.csv"}
	})
	c := w.common(t)
	r, err := c.Analysis(context.Background(), "rhel@main")
	if err != nil {
		t.Fatal(err)
	}
	cd := r.Component("mlx5")
	if cd == nil || len(cd.DownstreamOnly) == 0 {
		t.Fatal("rhel@main carries nothing in mlx5")
	}
	tm := teatest.NewTestModel(t, NewApp(c, NewDetail(c, "rhel@main", cd.DownstreamOnly[0].ID)), teatest.WithInitialTermSize(100, 80))
	waitFor(t, tm, "carried: rhel@main carries it")
	view := finalView(t, tm)
	row := ""
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(l, "ipoib.mlx5.a") {
			row = l
		}
	}
	for _, want := range []string{`FAIL  ipoib.mlx5.a\nb`, `lab\nx`, `hw\ny`} {
		if !strings.Contains(row, want) {
			t.Errorf("the test's row %q lacks %q:\n%s", row, want, view)
		}
	}
}
