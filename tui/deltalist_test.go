package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/kdelta/kdelta/change"
)

// The small world (seed 5): rhel@main has 8 missing fixes, 41 missing
// commits, 24 backports and 5 carried changes upstream lacks in mlx5 (never
// meant for upstream).
const (
	dlTarget = "rhel@main"
	dlComp   = "mlx5"
)

func dlKeyRunes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

// dlTypeText sends text to a model one key at a time, as a user types it.
func dlTypeText(send func(tea.Msg), s string) {
	for _, r := range s {
		send(dlKeyRunes(string(r)))
	}
}

// dlRunCmd runs a command as the bubbletea loop would and gives the load
// answers to the page (spinner ticks are dropped); it returns the other
// messages the commands produced (push, status, ...).
func dlRunCmd(t *testing.T, p *DeltaList, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	if cmd == nil {
		return nil
	}
	var out []tea.Msg
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			out = append(out, dlRunCmd(t, p, c)...)
		}
	case deltaLoaded, carriedLoaded:
		_, next := p.Update(msg)
		out = append(out, dlRunCmd(t, p, next)...)
	case spinner.TickMsg, nil:
	default:
		out = append(out, msg)
	}
	return out
}

// dlSend gives a key to the page and runs what it returns.
func dlSend(t *testing.T, p *DeltaList, msg tea.Msg) []tea.Msg {
	t.Helper()
	_, cmd := p.Update(msg)
	return dlRunCmd(t, p, cmd)
}

// dlLoadedPage returns a delta list page of the world, loaded, at w x h.
func dlLoadedPage(t *testing.T, c *Common, target, comp string, w, h int) *DeltaList {
	t.Helper()
	p := NewDeltaList(c, target, comp).(*DeltaList)
	p.SetSize(w, h)
	dlRunCmd(t, p, p.Init())
	if p.rd.running || p.err != nil {
		t.Fatalf("%s %s: after the load, loading=%v err=%v", target, comp, p.rd.running, p.err)
	}
	return p
}

// dlIds lists the short ids of the rows shown.
func dlIds(p *DeltaList) []string {
	var out []string
	for _, r := range p.shown {
		out = append(out, change.Short(r.id))
	}
	return out
}

// deltaListGolden opens a tab of rhel@main mlx5 in the App at 80x24 and
// compares the screen with the test's golden file.
func deltaListGolden(t *testing.T, tabKey, wait string) string {
	w := newTestWorld(t)
	c := w.common(t)
	tm := start(t, c, NewDeltaList(c, dlTarget, dlComp))
	waitFor(t, tm, "row 1 of 8")
	if tabKey != "" {
		tm.Send(dlKeyRunes(tabKey))
		waitFor(t, tm, wait)
	}
	view := finalView(t, tm)
	golden.RequireEqual(t, []byte(view))
	dlCheckScreen(t, view, 80, 24)
	return view
}

// dlCheckScreen checks a screen's size and the cursor mark.
func dlCheckScreen(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("the screen has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d cells wide, more than %d: %q", i+1, n, w, l)
		}
	}
	if !strings.Contains(view, "› ") {
		t.Error("no cursor mark on the selected row")
	}
}

// TestDeltaListMissingFixes: the first tab of rhel@main mlx5, most
// critical first, each with its rank; under the list the selected fix's
// reason and what it fixes, in full; the component's tests; the carried
// count known before the statuses are read (never "?").
func TestDeltaListMissingFixes(t *testing.T) {
	view := deltaListGolden(t, "", "")
	for _, want := range []string{"[1 missing fixes 8]", "2 missing 41", "3 backported 24", "4 carried 5", "tests: 6 ok",
		"sort: most critical first", "a75dbc2c07f0", "5bb805a71adf: release: fixes code in kernel-5.14.0-", "2023-11-09", "priority"} {
		if !strings.Contains(view, want) {
			t.Errorf("the missing fixes tab lacks %q", want)
		}
	}
}

// TestDeltaListMissing: the missing tab ranks every missing commit, the
// fixes of released code first.
func TestDeltaListMissing(t *testing.T) {
	view := deltaListGolden(t, "2", "[2 missing 41]")
	if !strings.Contains(view, "priority") || !strings.Contains(view, " release") {
		t.Error("the missing tab does not rank the fixes")
	}
}

// TestDeltaListFilterAsYouType: / filters the list at each key, before
// enter; esc clears it.
func TestDeltaListFilterAsYouType(t *testing.T) {
	w := newTestWorld(t)
	p := dlLoadedPage(t, w.common(t), dlTarget, dlComp, 80, 22)
	all := len(p.shown)
	dlSend(t, p, dlKeyRunes("/"))
	dlTypeText(func(m tea.Msg) { dlSend(t, p, m) }, "SR")
	afterTwo := len(p.shown)
	dlTypeText(func(m tea.Msg) { dlSend(t, p, m) }, "Q")
	if !p.Capturing() || afterTwo >= all || len(p.shown) != 2 {
		t.Errorf("typing SRQ: %d rows of %d after SR, %d after SRQ, want fewer as it is typed and 2 at the end", afterTwo, all, len(p.shown))
	}
	for _, r := range p.shown {
		if !r.matches("srq") {
			t.Errorf("%s is shown, without srq", r.id)
		}
	}
	dlSend(t, p, tea.KeyMsg{Type: tea.KeyEsc})
	if len(p.shown) != all {
		t.Errorf("esc: %d rows shown, want all %d", len(p.shown), all)
	}
}

// TestDeltaListBackported: the backported tab shows the match that
// carries each backport: method, score, downstream change.
func TestDeltaListBackported(t *testing.T) {
	view := deltaListGolden(t, "3", "[3 backported 24]")
	// 784edcab56b1 squashes 8e5544597b2b and 288caffc5ae7 (from the world).
	if !strings.Contains(view, "squash 1.00 784edcab56b1") && !strings.Contains(view, "patch-id 1.00") {
		t.Error("the backported tab shows no match method, score and carrying change")
	}
}

// TestDeltaListCarried: the carried tab reads the statuses when opened.
func TestDeltaListCarried(t *testing.T) {
	view := deltaListGolden(t, "4", "[4 carried 5]")
	for _, want := range []string{"5 never", "RHEL-only: net/mlx5", "status"} {
		if !strings.Contains(view, want) {
			t.Errorf("the carried tab lacks %q", want)
		}
	}
}

// TestDeltaListFilter: / opens the input, enter filters on id, subject,
// author and the last column; the header says the filter.
func TestDeltaListFilter(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	tm := start(t, c, NewDeltaList(c, dlTarget, dlComp))
	waitFor(t, tm, "row 1 of 8")
	tm.Send(dlKeyRunes("/"))
	waitFor(t, tm, "enter filters")
	// c891e7963bc6 is a missing fix and what a75dbc2c07f0 fixes: the id
	// of one row, the last column of the other.
	dlTypeText(tm.Send, "C891E7963BC6")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, tm, `filter "c891e7963bc6": 2 of 8`)
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second))
	view := fm.View()
	golden.RequireEqual(t, []byte(view))
	dlCheckScreen(t, view, 80, 24)
	p := fm.(*App).top().(*DeltaList)
	got := dlIds(p)
	sort.Strings(got)
	if strings.Join(got, " ") != "a75dbc2c07f0 c891e7963bc6" {
		t.Errorf("filtered rows %q, want a75dbc2c07f0 and c891e7963bc6", got)
	}
}

// pressSort presses s and lists the short ids of the rows shown.
func dlPressSort(t *testing.T, p *DeltaList) []string {
	t.Helper()
	dlSend(t, p, dlKeyRunes("s"))
	return dlIds(p)
}

// TestDeltaListSort: the list opens most critical first (the rank of
// each row never goes down); s cycles newest first, oldest first, by
// subject, by author and back; the info line says which; after a sort
// the cursor is on the first row.
func TestDeltaListSort(t *testing.T) {
	w := newTestWorld(t)
	p := dlLoadedPage(t, w.common(t), dlTarget, dlComp, 80, 22)
	inOrder := func(name string, before func(a, b dlRow) bool) {
		t.Helper()
		for i := 1; i < len(p.shown); i++ {
			if before(p.shown[i], p.shown[i-1]) {
				t.Errorf("%s: row %d (%s) comes after row %d (%s)", name, i+1, change.Short(p.shown[i].id), i, change.Short(p.shown[i-1].id))
			}
		}
		if !strings.Contains(p.View(), "sort: "+name) {
			t.Errorf("sorted %s: the info line does not say so", name)
		}
	}
	inOrder("most critical first", func(a, b dlRow) bool { return a.rank < b.rank })
	if p.shown[0].rank > p.shown[len(p.shown)-1].rank-1 && p.shown[0].rank == p.shown[len(p.shown)-1].rank {
		t.Logf("every missing fix of rhel's mlx5 has the same rank")
	}
	steps := []struct {
		name   string
		before func(a, b dlRow) bool // a must not come after b
	}{
		{"newest first", func(a, b dlRow) bool { return a.date.After(b.date) }},
		{"oldest first", func(a, b dlRow) bool { return a.date.Before(b.date) }},
		{"by subject", func(a, b dlRow) bool { return strings.ToLower(a.subject) < strings.ToLower(b.subject) }},
		{"by author", func(a, b dlRow) bool { return strings.ToLower(a.author) < strings.ToLower(b.author) }},
		{"most critical first", func(a, b dlRow) bool { return a.rank < b.rank }},
	}
	for _, st := range steps {
		dlSend(t, p, tea.KeyMsg{Type: tea.KeyEnd})
		dlPressSort(t, p)
		inOrder(st.name, st.before)
		if p.cur[p.tab] != 0 {
			t.Errorf("sorted %s: the cursor is on row %d, want the first", st.name, p.cur[p.tab]+1)
		}
	}
}

// TestDeltaListSearch: / text esc clears the filter and remembers the
// text; n/N jump between the rows that contain it, wrapping, and mark
// them; with the filter on, n/N step through the rows shown.
func TestDeltaListSearch(t *testing.T) {
	w := newTestWorld(t)
	p := dlLoadedPage(t, w.common(t), dlTarget, dlComp, 80, 22)
	dlSend(t, p, dlKeyRunes("s")) // newest first
	cursor := func() string { return change.Short(p.shown[p.cur[p.tab]].id) }
	if msgs := dlSend(t, p, dlKeyRunes("n")); len(msgs) != 1 || !strings.Contains(msgs[0].(statusMsg).text, "no text to look for") {
		t.Errorf("n before any text: %v, want a status saying there is no text", msgs)
	}
	dlSend(t, p, dlKeyRunes("/"))
	if !p.Capturing() {
		t.Fatal("the filter input does not have the keyboard after /")
	}
	dlTypeText(func(m tea.Msg) { dlSend(t, p, m) }, "SRQ")
	dlSend(t, p, tea.KeyMsg{Type: tea.KeyEsc})
	if p.Capturing() || len(p.shown) != 8 {
		t.Fatalf("after esc: capturing=%v, %d rows shown; want the input closed and all 8 rows", p.Capturing(), len(p.shown))
	}
	// Newest first: a75dbc2c07f0 (row 1) and c891e7963bc6 (row 7) are
	// about mlx5_ib_srq_stop().
	if v := p.View(); !strings.Contains(v, `n/N: "srq", 2 rows`) || strings.Count(v, "•") != 3 {
		t.Errorf("the remembered text is not shown with its 2 marked rows:\n%s", v)
	}
	for i, step := range []struct{ key, want string }{
		{"n", "c891e7963bc6"}, {"n", "a75dbc2c07f0"}, {"N", "c891e7963bc6"}, {"N", "a75dbc2c07f0"},
	} {
		dlSend(t, p, dlKeyRunes(step.key))
		if got := cursor(); got != step.want {
			t.Errorf("step %d (%s): cursor on %s, want %s", i+1, step.key, got, step.want)
		}
	}
	// / again starts from the remembered text; enter filters on it.
	dlSend(t, p, dlKeyRunes("/"))
	if p.input.Value() != "srq" {
		t.Errorf("/ opened the input with %q, want the remembered srq", p.input.Value())
	}
	dlSend(t, p, tea.KeyMsg{Type: tea.KeyEnter})
	if got := strings.Join(dlIds(p), " "); got != "a75dbc2c07f0 c891e7963bc6" {
		t.Errorf("filtered on srq: %s", got)
	}
	for i, want := range []string{"c891e7963bc6", "a75dbc2c07f0"} {
		dlSend(t, p, dlKeyRunes("n"))
		if got := cursor(); got != want {
			t.Errorf("filtered, n %d: cursor on %s, want %s", i+1, got, want)
		}
	}
	// A text no row has: n says so and leaves the cursor.
	dlSend(t, p, dlKeyRunes("/"))
	dlSend(t, p, tea.KeyMsg{Type: tea.KeyCtrlU})
	dlTypeText(func(m tea.Msg) { dlSend(t, p, m) }, "zzz")
	dlSend(t, p, tea.KeyMsg{Type: tea.KeyEsc})
	before := cursor()
	msgs := dlSend(t, p, dlKeyRunes("N"))
	if len(msgs) != 1 || !strings.Contains(msgs[0].(statusMsg).text, `contains "zzz"`) || cursor() != before {
		t.Errorf("N on a text no row has: %v, cursor %s (was %s)", msgs, cursor(), before)
	}
}

// TestDeltaListFilterKeys: while the input is open, q and the tab keys
// are text; a filter no row matches says how to clear it.
func TestDeltaListFilterKeys(t *testing.T) {
	w := newTestWorld(t)
	p := dlLoadedPage(t, w.common(t), dlTarget, dlComp, 80, 22)
	dlSend(t, p, dlKeyRunes("/"))
	dlTypeText(func(m tea.Msg) { dlSend(t, p, m) }, "q2 s")
	dlSend(t, p, tea.KeyMsg{Type: tea.KeyBackspace})
	if p.input.Value() != "q2 " || p.tab != tabMissingFixes || p.order != sortRank {
		t.Errorf("typing q2 s and backspace: input %q, tab %d, sort %d; want \"q2 \", the first tab, most critical first", p.input.Value(), p.tab, p.order)
	}
	dlSend(t, p, tea.KeyMsg{Type: tea.KeyEnter})
	if v := p.View(); !strings.Contains(v, `no row matches "q2": / then esc clears the filter`) || !strings.Contains(v, `filter "q2": 0 of 8`) {
		t.Errorf("a filter no row matches:\n%s", v)
	}
}

// TestDeltaListOpen: enter pushes the detail page of the row's commit:
// the upstream commit on the first three tabs, the carried change on the
// carried tab.
func TestDeltaListOpen(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	p := dlLoadedPage(t, c, dlTarget, dlComp, 80, 22)
	open := func(wantID string) {
		t.Helper()
		id := p.shown[p.cur[p.tab]].id
		if !strings.HasPrefix(id, wantID) {
			t.Fatalf("the cursor is on %s, want %s", id, wantID)
		}
		msgs := dlSend(t, p, tea.KeyMsg{Type: tea.KeyEnter})
		if len(msgs) != 1 {
			t.Fatalf("enter on %s gave %v, want one push", wantID, msgs)
		}
		pm, ok := msgs[0].(pushMsg)
		if !ok {
			t.Fatalf("enter on %s gave %T, want a push", wantID, msgs[0])
		}
		want := NewDetail(c, dlTarget, id)
		if (pm.page == nil) != (want == nil) || (want != nil && pm.page.Title() != want.Title()) {
			t.Errorf("enter on %s pushed %v, want the detail page of %s", wantID, pm.page, id)
		}
	}
	dlSend(t, p, dlKeyRunes("s")) // newest first
	dlSend(t, p, tea.KeyMsg{Type: tea.KeyDown})
	open("5bb805a71adf")
	dlSend(t, p, dlKeyRunes("4"))
	dlSend(t, p, dlKeyRunes("G"))
	open(change.Short(p.shown[len(p.shown)-1].id))
	if p.cur[tabCarried] != 4 {
		t.Errorf("G on the carried tab: row %d, want 5th", p.cur[tabCarried]+1)
	}
	if carried := p.shown[p.cur[p.tab]].id; !slices.Contains(dlCarriedIDs(p), carried) {
		t.Errorf("the carried tab opened %s, which is no carried change", carried)
	}
	// The cursor of each tab stays where it was.
	dlSend(t, p, tea.KeyMsg{Type: tea.KeyShiftTab})
	dlSend(t, p, tea.KeyMsg{Type: tea.KeyTab})
	dlSend(t, p, dlKeyRunes("1"))
	if got := change.Short(p.shown[p.cur[p.tab]].id); got != "5bb805a71adf" {
		t.Errorf("back on the first tab the cursor is on %s, want 5bb805a71adf", got)
	}
}

func dlCarriedIDs(p *DeltaList) []string {
	var out []string
	for _, x := range p.carried {
		out = append(out, x.ID)
	}
	return out
}

// TestDeltaListEmpty: an empty tab says so.
func TestDeltaListEmpty(t *testing.T) {
	w := newTestWorld(t)
	p := dlLoadedPage(t, w.common(t), dlTarget, "efa", 80, 22)
	if v := p.View(); !strings.Contains(v, "no missing fixes: rhel@main lacks no upstream fix for code it has in efa") {
		t.Errorf("the empty missing fixes tab of efa:\n%s", v)
	}
	dlSend(t, p, dlKeyRunes("3"))
	if v := p.View(); !strings.Contains(v, "no backports: rhel@main carries no upstream commit in efa since its base") {
		t.Errorf("the empty backported tab of efa:\n%s", v)
	}
	if msgs := dlSend(t, p, tea.KeyMsg{Type: tea.KeyEnter}); len(msgs) != 0 {
		t.Errorf("enter on an empty tab gave %v", msgs)
	}
}

// TestDeltaListWidth: rows fit the width; the author column shows only
// when the subject keeps room.
func TestDeltaListWidth(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	for _, size := range []struct {
		w, h   int
		author bool
	}{{80, 22, false}, {140, 38, true}, {50, 10, false}} {
		p := dlLoadedPage(t, c, dlTarget, dlComp, size.w, size.h)
		for _, tab := range []string{"1", "2", "3", "4"} {
			dlSend(t, p, dlKeyRunes(tab))
			v := p.View()
			lines := strings.Split(v, "\n")
			if len(lines) != size.h {
				t.Errorf("%dx%d tab %s: %d lines", size.w, size.h, tab, len(lines))
			}
			for i, l := range lines {
				if n := ansi.StringWidth(l); n > size.w {
					t.Errorf("%dx%d tab %s line %d: %d cells: %q", size.w, size.h, tab, i+1, n, l)
				}
			}
			if got := strings.Contains(lines[3], "author"); tab != "4" && got != size.author {
				t.Errorf("%dx%d tab %s: author column shown %v, want %v", size.w, size.h, tab, got, size.author)
			}
		}
	}
}

// TestDeltaListCancelAndRefresh: esc (the App calls Cancel) stops the
// load; a refresh reloads the analysis and, on the carried tab, the
// statuses; answers of older loads and of other pages are dropped.
func TestDeltaListCancelAndRefresh(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	p := NewDeltaList(c, dlTarget, dlComp).(*DeltaList)
	p.SetSize(80, 22)
	cmd := p.load()
	if v := p.View(); !strings.Contains(v, "analyzing rhel@main… (esc cancels)") {
		t.Errorf("while loading: %q", v)
	}
	p.Cancel()
	msgs := dlRunCmd(t, p, cmd)
	if !errors.Is(p.err, context.Canceled) || !strings.Contains(p.View(), "could not analyze") {
		t.Errorf("after Cancel: err %v, view %q", p.err, p.View())
	}
	if len(msgs) != 1 || !msgs[0].(statusMsg).err {
		t.Errorf("after Cancel: %v, want the error in the status line", msgs)
	}

	p = dlLoadedPage(t, c, dlTarget, dlComp, 80, 22)
	dlSend(t, p, dlKeyRunes("4"))
	old := p.load() // a load a refresh makes stale
	_, cmd = p.Update(refreshMsg{})
	if !p.rd.running || !p.st.running || !strings.Contains(p.View(), "analyzing") {
		t.Fatalf("a refresh on the carried tab: loading=%v, statuses loading=%v; want both", p.rd.running, p.st.running)
	}
	other := NewDeltaList(c, dlTarget, "ipoib").(*DeltaList)
	p.Update(deltaLoaded{page: other, seq: p.rd.seq, err: errors.New("not mine")})
	dlRunCmd(t, p, old)
	if !p.rd.running || p.err != nil {
		t.Fatalf("an older load's or another page's answer was taken: loading=%v err=%v", p.rd.running, p.err)
	}
	dlRunCmd(t, p, cmd)
	if v := p.View(); p.rd.running || p.st.running || !strings.Contains(v, "[4 carried 5]") {
		t.Errorf("after the refresh: loading=%v, statuses loading=%v:\n%s", p.rd.running, p.st.running, v)
	}
}

// dlFake is a page to put on top of a delta list: it says which loads of
// the list below are done (View runs in the program's goroutine, so it may
// look) and counts the list's answers it is given.
type dlFake struct {
	below   *DeltaList
	foreign int
}

func (f *dlFake) Init() tea.Cmd { return nil }
func (f *dlFake) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg.(type) {
	case deltaLoaded, carriedLoaded:
		f.foreign++
	}
	return f, nil
}
func (f *dlFake) View() string {
	state := func(loading bool) string {
		if loading {
			return "running"
		}
		return "done"
	}
	return fmt.Sprintf("the page on top; below: analysis %d %s, statuses %d %s",
		f.below.rd.seq, state(f.below.rd.running), f.below.st.seq, state(f.below.st.running))
}

func (f *dlFake) SetSize(int, int)    {}
func (f *dlFake) Title() string       { return "fake" }
func (f *dlFake) Keys() []key.Binding { return nil }
func (f *dlFake) Capturing() bool     { return false }

// TestDeltaListRefreshBelow: a refresh while another page is on top
// reloads the delta list below it, which shows the new answer when the
// page on top is closed.
func TestDeltaListRefreshBelow(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	dl := NewDeltaList(c, dlTarget, dlComp).(*DeltaList)
	tm := start(t, c, dl)
	waitFor(t, tm, "row 1 of 8")
	tm.Send(dlKeyRunes("4"))
	waitFor(t, tm, "[4 carried 5]")
	fake := &dlFake{below: dl}
	tm.Send(pushMsg{fake})
	waitFor(t, tm, "below: analysis 1 done, statuses 1 done")
	tm.Send(refreshMsg{})
	waitFor(t, tm, "below: analysis 2 done, statuses 2 done")
	tm.Send(dlKeyRunes("q"))
	waitFor(t, tm, "row 1 of 5")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	view := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).View()
	if !strings.Contains(view, "[4 carried 5]") || strings.Contains(view, "analyzing") {
		t.Errorf("back on the delta list after a refresh:\n%s", view)
	}
	if fake.foreign != 0 {
		t.Errorf("the page on top was given %d answers of the delta list's loads", fake.foreign)
	}
}
