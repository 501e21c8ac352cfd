package tui

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/internal/world"
)

// TestOverviewCompare: c on rhel's column and c on ofed's, on the mlx5
// row, opens the comparison of the two in mlx5: what rhel would gain with
// ofed, most critical first; enter opens the first commit in rhel.
func TestOverviewCompare(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	ctx := context.Background()
	tm := start(t, c, NewOverview(c))
	waitFor(t, tm, "missing fixes / missing / carried")
	var results []*analyzer.Result
	for _, d := range c.Downstreams() {
		r, err := c.Analysis(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, r)
	}
	for i, comp := range components(results) {
		if comp == "mlx5" {
			for range i {
				tm.Send(tea.KeyMsg{Type: tea.KeyDown})
			}
		}
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("c")}) // rhel@main, the first column
	waitFor(t, tm, "comparing rhel@main with")
	tm.Send(tea.KeyMsg{Type: tea.KeyRight})
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("c")}) // ofed@master
	waitFor(t, tm, "what rhel@main would gain with ofed@master")
	cmp, err := analyzer.Compare(ctx, w.db, w.cfg, "rhel@main", "ofed@master")
	if err != nil {
		t.Fatal(err)
	}
	cc := cmp.Component("mlx5")
	first := cc.ALacks[0]
	enter(tm)
	waitFor(t, tm, "rhel@main lacks")
	view := finalView(t, tm)
	if !strings.Contains(view, "rhel@main vs ofed@master mlx5 › "+change.Short(first.ID)) {
		t.Errorf("enter on the first commit rhel lacks did not open it:\n%s", view)
	}
	if first.Rank == analyzer.RankOther && analyzer.AboveOther(cc.ALacks) > 0 {
		t.Errorf("the first commit rhel lacks is ranked %s", first.Rank)
	}
}

// TestComparePage: the tabs count what each side lacks and carries alone;
// each tab lists it.
func TestComparePage(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	p := NewCompare(c, "rhel@main", "ofed@master", "mlx5").(*Compare)
	p.SetSize(100, 30)
	p.Update(p.load()())
	if p.err != nil || p.cc == nil {
		t.Fatalf("the comparison did not load: %v", p.err)
	}
	v := p.View()
	for _, want := range []string{"[1 rhel@main lacks " + strconv.Itoa(len(p.cc.ALacks)) + "]", "2 ofed@master lacks " + strconv.Itoa(len(p.cc.BLacks)),
		"3 rhel@main alone " + strconv.Itoa(len(p.cc.AAlone)), "4 ofed@master alone " + strconv.Itoa(len(p.cc.BAlone)), "priority"} {
		if !strings.Contains(v, want) {
			t.Errorf("the comparison lacks %q:\n%s", want, v)
		}
	}
	p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("3")})
	if v := p.View(); len(p.cc.AAlone) > 0 && !strings.Contains(v, change.Short(p.cc.AAlone[0].ID)) {
		t.Errorf("the tab of what rhel carries alone does not list %s:\n%s", change.Short(p.cc.AAlone[0].ID), v)
	}
}

// TestDetailCorrectsAPair: enter on a backport opens its upstream commit;
// enter there opens the backport back; n on the upstream side marks the
// pair "not a backport" (the change is carried, the commit missing); u
// undoes it.
func TestDetailCorrectsAPair(t *testing.T) {
	w := newTestWorld(t)
	ctx := context.Background()
	c := w.common(t)
	e := firstOf(t, w, "rhel@main", world.KindConflict)
	up := e.Upstream[0]
	tm := openDetail(t, c, "rhel@main", e.ID, "backport: rhel@main carries upstream "+change.Short(up))
	enter(tm)
	waitFor(t, tm, "backported: rhel@main carries it in "+change.Short(e.ID))
	enter(tm)
	waitFor(t, tm, change.Short(up)+" › "+change.Short(e.ID))
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	waitFor(t, tm, "backported: rhel@main carries it")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("n")})
	waitForAll(t, tm, "marked "+change.Short(e.ID)+" downstream-only by hand", "rhel@main lacks")
	ov, _, err := w.db.Overrides(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := ov[e.ID]; !ok || len(got) != 0 {
		t.Fatalf("after n: the overrides are %v, want %s downstream-only", ov, change.Short(e.ID))
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("u")})
	waitForAll(t, tm, "undone: marked "+change.Short(e.ID), "backported: rhel@main carries it")
	if ov, _, _ := w.db.Overrides(ctx); len(ov) != 0 {
		t.Fatalf("after u: the overrides are %v", ov)
	}
	// m from the upstream side re-pairs its one carrier.
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("m")})
	waitFor(t, tm, "Upstream ids "+change.Short(e.ID)+" carries")
	finalView(t, tm)
}

// TestDetailBackFromSideBySide: q in the side-by-side view goes back to
// the commit's page, not to the page before; ←/→ scroll both sides.
func TestDetailBackFromSideBySide(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	e := firstOf(t, w, "ofed@master", world.KindConflict)
	d := NewDetail(c, "ofed@master", e.ID).(*Detail)
	d.SetSize(80, 22)
	d.Update(d.load()())
	d.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("d")})
	before := d.View()
	d.Update(tea.KeyMsg{Type: tea.KeyRight})
	if d.hoff == 0 || d.View() == before {
		t.Error("→ does not scroll the side-by-side view")
	}
	app := NewApp(c, NewOverview(c))
	app.stack = append(app.stack, d)
	app.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	if len(app.stack) != 2 || d.mode != detMain {
		t.Errorf("q in the side-by-side view: %d pages, mode %d; want the commit's page", len(app.stack), d.mode)
	}
	app.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	if len(app.stack) != 1 {
		t.Errorf("q on the commit's page: %d pages, want back on the overview", len(app.stack))
	}
}

// TestFooterKeepsQuitAndHelp: at every width the footer ends with ? and
// q; the page's keys are cut first.
func TestFooterKeepsQuitAndHelp(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	for _, width := range []int{120, 80, 50, 30} {
		tm := teatest.NewTestModel(t, NewApp(c, NewDeltaList(c, dlTarget, dlComp)), teatest.WithInitialTermSize(width, 24))
		waitFor(t, tm, "row 1 of")
		tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
		view := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).View()
		lines := strings.Split(view, "\n")
		foot := lines[len(lines)-1]
		if !strings.HasSuffix(strings.TrimRight(foot, " "), "? help · q quit") || ansi.StringWidth(foot) > width {
			t.Errorf("at %d columns the footer is %q", width, foot)
		}
	}
}

// TestHelpListsThePagesKeys: ? lists every key of the page in front,
// then the keys every page shares.
func TestHelpListsThePagesKeys(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	for _, tc := range []struct {
		page Page
		wait string
		keys []string
	}{
		{NewOverview(c), "missing fixes / missing / carried", []string{"enter", "t", "c", "↑/k", "q/esc         quit"}},
		{NewDeltaList(c, dlTarget, dlComp), "row 1 of", []string{"tab/1-4", "enter", "/", "n/N", "s", "u", "?"}},
	} {
		tm := teatest.NewTestModel(t, NewApp(c, tc.page), teatest.WithInitialTermSize(100, 40))
		waitFor(t, tm, tc.wait)
		tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("?")})
		waitFor(t, tm, "Press any key to close this help.")
		help := finalView(t, tm)
		for _, k := range append(tc.keys, keysOf(tc.page)...) {
			if !strings.Contains(help, "  "+k) {
				t.Errorf("the help of %s lacks %q:\n%s", tc.page.Title(), k, help)
			}
		}
	}
}

func keysOf(p Page) []string {
	var out []string
	for _, k := range p.Keys() {
		out = append(out, k.Help().Key)
	}
	return out
}
