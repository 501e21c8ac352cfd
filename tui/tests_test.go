package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/change"
)

// loadedTests returns the results page of a source, loaded, in a w x h
// page area: its load runs here rather than in a program.
func loadedTests(t *testing.T, c *Common, source string, w, h int) *Tests {
	t.Helper()
	p, ok := NewTests(c, source).(*Tests)
	if !ok {
		t.Fatalf("NewTests returned %T, want *Tests", NewTests(c, source))
	}
	p.SetSize(w, h)
	msg := p.load()()
	if m, ok := msg.(testsLoaded); !ok || m.err != nil {
		t.Fatalf("loading the results of %s: got %T %v", source, msg, msg)
	}
	p.Update(msg)
	return p
}

// press sends a key to a page and returns the command it gave back.
func press(p Page, k tea.KeyMsg) tea.Cmd {
	_, cmd := p.Update(k)
	return cmd
}

// keyOf is the message of a special key.
func keyOf(k tea.KeyType) tea.KeyMsg { return tea.KeyMsg{Type: k} }

// checkFits fails when a view is wider or taller than the page area.
func checkFits(t *testing.T, what, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Errorf("%s: %d lines in a page of %d", what, len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("%s: line %d is %d cells wide, the page %d: %q", what, i+1, n, w, l)
		}
	}
}

// markedLine returns the line of a view with the cursor mark.
func markedLine(t *testing.T, view string) string {
	t.Helper()
	var found []string
	for _, l := range strings.Split(view, "\n") {
		if strings.HasPrefix(strings.TrimLeft(l, " "), "›") {
			found = append(found, l)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one line with the cursor mark, got %d:\n%s", len(found), view)
	}
	return found[0]
}

// TestTestsRegressionsGolden draws the regressions of rhel (the planted
// regression: eight tests, one group) at 80x24: compared with
// testdata/TestTestsRegressionsGolden.golden.
func TestTestsRegressionsGolden(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	tm := start(t, c, NewTests(c, "rhel"))
	waitFor(t, tm, "missing upstream fixes")
	view := finalView(t, tm)
	golden.RequireEqual(t, []byte(view))
	culprit := w.Truth.Results.Regressions[0].Culprit
	if l := markedLine(t, view); !strings.Contains(l, change.Short(culprit)) {
		t.Errorf("the cursor is on %q, want the culprit %s", l, change.Short(culprit))
	}
}

// TestTestsLatestGolden switches to the latest results of rhel: the
// failing ones first, the cursor on the first.
func TestTestsLatestGolden(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	tm := start(t, c, NewTests(c, "rhel"))
	waitFor(t, tm, "missing upstream fixes")
	tm.Send(keyOf(tea.KeyTab))
	waitFor(t, tm, "row 1 of 58")
	view := finalView(t, tm)
	golden.RequireEqual(t, []byte(view))
	if l := markedLine(t, view); !strings.Contains(l, "FAIL") || !strings.Contains(l, "ipoib.connected_mode") {
		t.Errorf("the cursor is on %q, want the first failing ipoib test", l)
	}
}

// TestTestsEnterSuspect: the top suspect of the planted regression is the
// first selectable line; Enter on it pushes the detail page of the culprit
// on rhel's first ref, and Enter on the planted missing fix pushes its.
func TestTestsEnterSuspect(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	p := loadedTests(t, c, "rhel", 80, 22)
	truth := w.Truth.Results.Regressions[0]
	target := "rhel@" + c.Cfg.Source("rhel").RefNames()[0]
	if p.target != target {
		t.Errorf("the page opens commits on %q, want %q", p.target, target)
	}
	if len(p.sel) == 0 || p.lines[p.sel[0]].kind != lineSuspect {
		t.Fatalf("the first selectable line is not a suspect: %+v", p.lines)
	}
	if got := p.selectedCommit(); got != truth.Culprit {
		t.Fatalf("the cursor starts on %s, want the culprit %s", got, truth.Culprit)
	}
	enter := func(id string) {
		t.Helper()
		cmd := press(p, keyOf(tea.KeyEnter))
		if cmd == nil {
			t.Fatalf("Enter on %s gave no command", change.Short(id))
		}
		pm, ok := cmd().(pushMsg)
		if !ok {
			t.Fatalf("Enter on %s: the command gave %T, want a pushMsg", change.Short(id), cmd())
		}
		if want := NewDetail(c, target, id); want != nil {
			if pm.page == nil || fmt.Sprintf("%T", pm.page) != fmt.Sprintf("%T", want) || pm.page.Title() != want.Title() {
				t.Errorf("Enter on %s pushed %T %q, want %T %q", change.Short(id), pm.page, pageTitle(pm.page), want, want.Title())
			}
		}
	}
	enter(truth.Culprit)

	// Down to the planted missing fix.
	for i := 0; i < len(p.sel) && p.selectedCommit() != truth.MissingFix; i++ {
		press(p, keyOf(tea.KeyDown))
	}
	if p.selectedCommit() != truth.MissingFix {
		t.Fatalf("the missing fix %s is not selectable in %s", change.Short(truth.MissingFix), p.View())
	}
	if p.lines[p.sel[p.regCur]].kind != lineFix {
		t.Errorf("the line of %s is not a missing fix line", change.Short(truth.MissingFix))
	}
	if l := markedLine(t, p.View()); !strings.Contains(l, change.Short(truth.MissingFix)) {
		t.Errorf("the marked line is %q, want the fix %s", l, change.Short(truth.MissingFix))
	}
	enter(truth.MissingFix)
}

func pageTitle(p Page) string {
	if p == nil {
		return "<nil>"
	}
	return p.Title()
}

// TestTestsHistoryGolden opens the history of the first failing test from
// the latest results: every stored result of it, rhel's first.
func TestTestsHistoryGolden(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	tm := start(t, c, NewTests(c, "rhel"))
	waitFor(t, tm, "missing upstream fixes")
	tm.Send(keyOf(tea.KeyTab))
	waitFor(t, tm, "row 1 of 58")
	tm.Send(keyOf(tea.KeyEnter))
	waitFor(t, tm, "results · components")
	view := finalView(t, tm)
	golden.RequireEqual(t, []byte(view))
	if !strings.Contains(view, "tests rhel › ipoib.connected_mode.iperf") {
		t.Errorf("the breadcrumb does not end with the history of ipoib.connected_mode.iperf:\n%s", view)
	}
}

// TestTestsHistoryBack: Esc from the history goes back to the latest
// results, the cursor where it was.
func TestTestsHistoryBack(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	tm := start(t, c, NewTests(c, "rhel"))
	waitFor(t, tm, "missing upstream fixes")
	tm.Send(keyOf(tea.KeyTab))
	tm.Send(keyOf(tea.KeyDown))
	tm.Send(keyOf(tea.KeyDown))
	waitFor(t, tm, "row 3 of 58")
	tm.Send(keyOf(tea.KeyEnter))
	waitFor(t, tm, "results · components")
	tm.Send(keyOf(tea.KeyEsc))
	view := finalView(t, tm)
	if strings.Contains(view, "results · components") || !strings.Contains(view, "[Latest: 58, 10 failing]") {
		t.Errorf("Esc did not go back to the latest results:\n%s", view)
	}
	if !strings.Contains(view, "row 3 of 58") {
		t.Errorf("the cursor moved off row 3:\n%s", view)
	}
}

// TestTestsHistoryRows checks the history page against TestHistory: every
// result, the source's first, the cursor moving over them.
func TestTestsHistoryRows(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	test := w.Truth.Results.Regressions[0].Test
	want, err := c.Svc.TestHistory(context.Background(), test)
	if err != nil {
		t.Fatal(err)
	}
	// TestHistory sorts by source: ofed before rhel. The page puts rhel's
	// first.
	h := newTestHistory(c, "rhel", test)
	h.SetSize(80, 22)
	h.Update(h.load()())
	if len(h.rows) != len(want) {
		t.Fatalf("the history of %s has %d rows, TestHistory %d", test, len(h.rows), len(want))
	}
	sawOther := false
	for _, r := range h.rows {
		src, _ := analyzer.Target(r.Target)
		if src != "rhel" {
			sawOther = true
		} else if sawOther {
			t.Fatalf("a result of rhel (%s) after another source's: the source's results go first", r.Target)
		}
	}
	press(h, keyOf(tea.KeyEnd))
	view := h.View()
	checkFits(t, "history", view, 80, 22)
	last := h.rows[len(h.rows)-1]
	if l := markedLine(t, view); !strings.Contains(l, last.Target) || !strings.Contains(l, last.Status) {
		t.Errorf("after End the marked line is %q, want %s %s", l, last.Target, last.Status)
	}
	if !strings.Contains(view, fmt.Sprintf("row %d of %d", len(want), len(want))) {
		t.Errorf("no position line for the last row:\n%s", view)
	}
}

// TestTestsNoResults: sles has no results; the page says how to import
// them, in both sections.
func TestTestsNoResults(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	p := loadedTests(t, c, "sles", 80, 22)
	for _, sec := range []string{"regressions", "latest"} {
		view := p.View()
		if !strings.Contains(view, "kdelta results import FILE --target sles@TAG") {
			t.Errorf("%s section without results does not say how to import them:\n%s", sec, view)
		}
		checkFits(t, sec, view, 80, 22)
		if cmd := press(p, keyOf(tea.KeyEnter)); cmd != nil {
			t.Errorf("%s section without results: Enter gave a command", sec)
		}
		press(p, keyOf(tea.KeyTab))
	}
}

// TestTestsScrolling moves to the last line of each section in small and
// standard sizes: the selected line stays in view with its mark and
// nothing is drawn outside the page.
func TestTestsScrolling(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	for _, size := range [][2]int{{80, 22}, {60, 10}, {40, 6}, {120, 38}} {
		p := loadedTests(t, c, "rhel", size[0], size[1])
		what := fmt.Sprintf("%dx%d", size[0], size[1])
		checkFits(t, what+" regressions", p.View(), size[0], size[1])
		press(p, keyOf(tea.KeyEnd))
		g := p.groups[len(p.groups)-1].First
		lastFix := g.MissingFixes[len(g.MissingFixes)-1].ID
		view := p.View()
		checkFits(t, what+" regressions after End", view, size[0], size[1])
		if l := markedLine(t, view); !strings.Contains(l, change.Short(lastFix)[:min(size[0]-8, 12)]) {
			t.Errorf("%s: after End the marked line is %q, want the last missing fix %s", what, l, change.Short(lastFix))
		}
		// Back to the top: the first suspect with the lines above it.
		press(p, tea.KeyMsg{Type: tea.KeyHome})
		view = p.View()
		if size[1] >= 22 && !strings.Contains(view, "PASS on ") {
			t.Errorf("%s: after Home the group's title is not in view:\n%s", what, view)
		}
		press(p, keyOf(tea.KeyTab))
		press(p, keyOf(tea.KeyEnd))
		view = p.View()
		checkFits(t, what+" latest after End", view, size[0], size[1])
		last := p.latest[len(p.latest)-1]
		if l := markedLine(t, view); !strings.Contains(l, last.Status) {
			t.Errorf("%s: after End the marked line is %q, want the last result (%s %s)", what, l, last.Status, last.Test)
		}
	}
}

// TestTestsCancel: a load cancelled (esc while the spinner turns) ends
// with the context's error and leaves the page drawable.
func TestTestsCancel(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	p := NewTests(c, "rhel").(*Tests)
	cmd := p.load()
	if !strings.Contains(p.View(), "loading the test results of rhel") {
		t.Errorf("no spinner while loading: %q", p.View())
	}
	p.Cancel()
	msg, ok := cmd().(testsLoaded)
	if !ok || !errors.Is(msg.err, context.Canceled) {
		t.Fatalf("a cancelled load gave %+v, want context.Canceled", msg)
	}
	// A later load wins over an older one still running.
	old := p.load()
	cur := p.load()
	p.Update(cur())
	p.Update(old())
	if p.rd.running || p.err != nil || len(p.groups) != 1 {
		t.Errorf("after two loads: loading %v, err %v, %d groups; want the newest load's one group", p.rd.running, p.err, len(p.groups))
	}
}

// TestTestsGroups: each group of regressions offers its suspects, then
// its missing fixes.
func TestTestsGroups(t *testing.T) {
	reg := func(test, comp, failed string) analyzer.Regression {
		return analyzer.Regression{Source: "rhel", Test: test, Components: []string{comp},
			Passed: analyzer.TestStatus{Target: "rhel@1", Commit: "a"}, Failed: analyzer.TestStatus{Target: "rhel@" + failed, Commit: failed},
			Suspects:     []analyzer.Suspect{{ID: comp + "-suspect"}},
			MissingFixes: []analyzer.Commit{{ID: comp + "-fix"}}, MissingOn: "rhel@main"}
	}
	regs := []analyzer.Regression{reg("ipoib.a", "ipoib", "2"), reg("mlx5.a", "mlx5", "2"), reg("ipoib.b", "ipoib", "2"), reg("ipoib.c", "ipoib", "3")}
	groups := analyzer.GroupRegressions(regs)
	lines, sel := regLines(groups)
	var kinds []lineKind
	for _, i := range sel {
		kinds = append(kinds, lines[i].kind)
	}
	want := []lineKind{lineSuspect, lineFix, lineSuspect, lineFix, lineSuspect, lineFix}
	if fmt.Sprint(kinds) != fmt.Sprint(want) {
		t.Errorf("selectable kinds %v, want %v (suspect then fix of each group)", kinds, want)
	}
}

// TestTestsColumns: tables narrow their columns in the order given, down
// to their minimums, and cut release tags from the left.
func TestTestsColumns(t *testing.T) {
	cols := []column{{title: "a", min: 4}, {title: "b", min: 3, keepEnd: true}, {title: "c"}}
	cells := [][]string{{"aaaaaaaa", "kernel-1.2.3", "cccccccccc"}}
	w := fitColumns(cols, cells, 20, []int{2, 1, 0})
	if fmt.Sprint(w) != "[8 9 0]" {
		t.Errorf("widths %v at 20 cells, want [8 9 0]", w)
	}
	row := tableRow(cols, w, cells[0], false, 20)
	if row != "  aaaaaaaa …el-1.2.3" {
		t.Errorf("row %q", row)
	}
	if n := ansi.StringWidth(tableRow(cols, w, cells[0], true, 20)); n != 20 {
		t.Errorf("the selected row is %d cells wide, want the whole 20", n)
	}
	if got := keepEnd("kernel-5.14.0-358.el9", 8); got != "…358.el9" {
		t.Errorf("keepEnd = %q, want …358.el9", got)
	}
}
