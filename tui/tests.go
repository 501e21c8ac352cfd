package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/change"
)

// Tests is the test results page of one downstream source, in two
// sections switched with tab. "Regressions" lists the tests that went from
// PASS to FAIL, grouped like `kdelta results regressions` (the tests that
// broke between the same two targets in the same components share their
// suspects and missing fixes); the cursor moves over the suspects and the
// missing fixes, and Enter opens one. "Latest" lists the latest result of
// every test, failing first; Enter shows a test's history
// (tests_history.go). The regressions section's lines are laid out and
// drawn in tests_regressions.go; the tables are table.go's.
type Tests struct {
	c      *Common
	source string
	target string // SOURCE@REF of the source's first ref; "" when the source left the project

	section int // secRegressions or secLatest
	groups  []analyzer.RegressionGroup
	lines   []regLine
	sel     []int // indexes in lines of the suspects and missing fixes
	latest  []analyzer.TestStatus

	regCur, regTop int // index in sel; first line shown
	latCur, latTop int // index in latest; first row shown

	width, height int
	rd            read
	loaded        bool // a load has finished once
	err           error
	tab           key.Binding
}

const (
	secRegressions = iota
	secLatest
)

// NewTests returns the test results page of a downstream source.
func NewTests(c *Common, source string) Page {
	t := &Tests{c: c, source: source, width: 80, height: 22,
		rd:  newRead(),
		tab: key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "regressions/latest")),
	}
	if s := c.Cfg.Source(source); s != nil {
		if refs := s.RefNames(); len(refs) > 0 {
			t.target = source + "@" + refs[0]
		}
	}
	return t
}

type testsLoaded struct {
	seq    int
	regs   []analyzer.Regression
	latest []analyzer.TestStatus
	err    error
}

// Title names the page.
func (t *Tests) Title() string { return "tests " + t.source }

// Keys are the page's keys.
func (t *Tests) Keys() []key.Binding {
	open := "open the suspect or fix"
	if t.section == secLatest {
		open = "history of the test"
	}
	return []key.Binding{t.tab, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", open))}
}

// Capturing is false: the page has no text input.
func (t *Tests) Capturing() bool { return false }

// SetSize sets the drawing area.
func (t *Tests) SetSize(w, h int) { t.width, t.height = w, h }

// Init loads the results.
func (t *Tests) Init() tea.Cmd { return tea.Batch(t.load(), t.rd.spin.Tick) }

// Cancel stops a load in progress.
func (t *Tests) Cancel() { t.rd.Cancel() }

func (t *Tests) load() tea.Cmd {
	t.err = nil
	ctx, seq := t.rd.begin(t.c.Ctx)
	c, source := t.c, t.source
	return func() tea.Msg {
		regs, err := c.Svc.Regressions(ctx, source)
		if err != nil {
			return testsLoaded{seq: seq, err: fmt.Errorf("regressions of %s: %w", source, err)}
		}
		latest, err := c.Svc.LatestTests(ctx, source)
		if err != nil {
			return testsLoaded{seq: seq, err: fmt.Errorf("latest results of %s: %w", source, err)}
		}
		return testsLoaded{seq: seq, regs: regs, latest: latest[""]}
	}
}

// Update handles keys and loads.
func (t *Tests) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case testsLoaded:
		if !t.rd.end(msg.seq) {
			return t, nil
		}
		if msg.err != nil {
			t.err = msg.err
			return t, Failed(msg.err)
		}
		t.groups = analyzer.GroupRegressions(msg.regs)
		t.lines, t.sel = regLines(t.groups)
		t.latest = msg.latest
		if !t.loaded && len(t.groups) == 0 && len(t.latest) > 0 {
			t.section = secLatest
		}
		t.loaded = true
		t.regCur = min(t.regCur, max(len(t.sel)-1, 0))
		t.latCur = min(t.latCur, max(len(t.latest)-1, 0))
		return t, nil
	case refreshMsg:
		return t, tea.Batch(t.load(), t.rd.spin.Tick)
	case spinner.TickMsg:
		return t, t.rd.tick(msg)
	case tea.KeyMsg:
		if t.rd.running || t.err != nil {
			return t, nil
		}
		if key.Matches(msg, t.tab) {
			t.section = 1 - t.section
			return t, nil
		}
		if t.section == secLatest {
			return t, t.latestKey(msg)
		}
		return t, t.regressionKey(msg)
	}
	return t, nil
}

// regRows is how many lines of the regressions section fit: the page
// without the section tabs, the blank line under them and the position.
func (t *Tests) regRows() int { return max(t.height-3, 1) }

// latRows is how many rows of the latest section fit: the page without
// the tabs, the column titles and the two lines about the selected row.
func (t *Tests) latRows() int { return max(t.height-4, 1) }

func (t *Tests) regressionKey(msg tea.KeyMsg) tea.Cmd {
	k := t.c.Keys
	if len(t.sel) == 0 { // nothing to select: the keys scroll
		t.regTop, _ = k.Move(msg, t.regTop, len(t.lines)-t.regRows()+1, t.regRows())
		return nil
	}
	last := len(t.sel) - 1
	switch {
	case key.Matches(msg, k.Up):
		t.regCur = max(t.regCur-1, 0)
	case key.Matches(msg, k.Down):
		t.regCur = min(t.regCur+1, last)
	case key.Matches(msg, k.PageUp):
		// The last selectable line at least a page above, or the first.
		want, cur := t.sel[t.regCur]-t.regRows(), 0
		for i := t.regCur - 1; i >= 0; i-- {
			if t.sel[i] <= want {
				cur = i
				break
			}
		}
		t.regCur = cur
	case key.Matches(msg, k.PageDown):
		want, cur := t.sel[t.regCur]+t.regRows(), last
		for i := t.regCur + 1; i <= last; i++ {
			if t.sel[i] >= want {
				cur = i
				break
			}
		}
		t.regCur = cur
	case key.Matches(msg, k.Home):
		t.regCur = 0
	case key.Matches(msg, k.End):
		t.regCur = last
	case key.Matches(msg, k.Enter):
		if t.target == "" {
			return Status("source %s is no longer in the project file: nothing to open", t.source)
		}
		return Push(NewDetail(t.c, t.target, t.selectedCommit()))
	}
	return nil
}

// selectedCommit is the id of the suspect or missing fix on the cursor
// ("" when there is none).
func (t *Tests) selectedCommit() string {
	if len(t.sel) == 0 {
		return ""
	}
	l := t.lines[t.sel[t.regCur]]
	r := t.groups[l.g].First
	if l.kind == lineSuspect {
		return r.Suspects[l.i].ID
	}
	return r.MissingFixes[l.i].ID
}

func (t *Tests) latestKey(msg tea.KeyMsg) tea.Cmd {
	if len(t.latest) == 0 {
		return nil
	}
	var ok bool
	if t.latCur, ok = t.c.Keys.Move(msg, t.latCur, len(t.latest), t.latRows()); !ok && key.Matches(msg, t.c.Keys.Enter) {
		return Push(newTestHistory(t.c, t.source, t.latest[t.latCur].Test))
	}
	return nil
}

// View draws the section tabs and the section.
func (t *Tests) View() string {
	s := t.c.Styles
	if t.rd.running {
		return t.rd.spin.View() + " loading the test results of " + t.source + "… (esc cancels)"
	}
	if t.err != nil {
		return s.Error.Render("could not load the test results: ") + safe(t.err.Error()) + "\n\n" +
			s.Dim.Render("Run 'kdelta sync' and try again; q goes back.")
	}
	var b strings.Builder
	b.WriteString(t.tabs() + "\n")
	if len(t.groups) == 0 && len(t.latest) == 0 {
		b.WriteString("\nNo test results for " + t.source + " yet. Import them with\n\n")
		b.WriteString("  " + s.Bold.Render("kdelta results import FILE --target "+t.source+"@TAG") + "\n\n")
		b.WriteString(s.Dim.Render("FILE is JUnit XML, kcidb JSON or CSV; TAG is the release the tests ran on."))
		return b.String()
	}
	if t.section == secLatest {
		t.latestView(&b)
	} else {
		t.regressionsView(&b)
	}
	return b.String()
}

// tabs draws the two section names, the current one in brackets (a mark
// as well as a style, for NO_COLOR).
func (t *Tests) tabs() string {
	s := t.c.Styles
	tests := 0
	for _, g := range t.groups {
		tests += len(g.Tests)
	}
	failing := 0
	for _, r := range t.latest {
		if analyzer.Failing(r.Status) {
			failing++
		}
	}
	names := []string{
		fmt.Sprintf("Regressions: %d", tests),
		fmt.Sprintf("Latest: %d, %d failing", len(t.latest), failing),
	}
	var parts []string
	for i, n := range names {
		if i == t.section {
			parts = append(parts, s.Header.Render("["+n+"]"))
		} else {
			parts = append(parts, s.Dim.Render(" "+n+" "))
		}
	}
	return truncate(strings.Join(parts, "  ")+s.Dim.Render("   tab switches"), t.width)
}

func (t *Tests) regressionsView(b *strings.Builder) {
	s := t.c.Styles
	b.WriteString("\n")
	if len(t.groups) == 0 {
		b.WriteString("No regressions: no test of " + t.source + " went from PASS to FAIL between two targets.\n")
		b.WriteString(s.Dim.Render("The latest result of every test is under Latest (tab)."))
		return
	}
	rows := t.regRows()
	cur := -1
	if len(t.sel) > 0 {
		cur = t.sel[t.regCur]
		// Keep the selected line in view, with the lines that explain it
		// (back to the previous selectable line) when they fit.
		from := 0
		if t.regCur > 0 {
			from = t.sel[t.regCur-1] + 1
		}
		if cur < t.regTop || (from < t.regTop && cur-from < rows) {
			t.regTop = max(from, cur-rows+1)
		}
		if cur >= t.regTop+rows {
			t.regTop = cur - rows + 1
		}
		if t.regCur == len(t.sel)-1 { // the last: show what follows it too
			t.regTop = max(t.regTop, min(len(t.lines)-rows, cur))
		}
	}
	t.regTop = max(min(t.regTop, len(t.lines)-rows), 0)
	end := min(t.regTop+rows, len(t.lines))
	for i := t.regTop; i < end; i++ {
		b.WriteString(t.renderLine(t.lines[i], i == cur) + "\n")
	}
	if len(t.lines) > rows {
		for i := end - t.regTop; i < rows; i++ {
			b.WriteString("\n")
		}
		pos := fmt.Sprintf("lines %d-%d of %d", t.regTop+1, end, len(t.lines))
		if len(t.sel) > 0 {
			pos += fmt.Sprintf(" · item %d of %d", t.regCur+1, len(t.sel))
		}
		b.WriteString(truncate(s.Dim.Render(pos), t.width))
	}
}

func (t *Tests) latestView(b *strings.Builder) {
	s := t.c.Styles
	if len(t.latest) == 0 {
		b.WriteString("\nNo result of " + t.source + " to show.")
		return
	}
	rows := t.latRows()
	if t.latCur < t.latTop {
		t.latTop = t.latCur
	}
	if t.latCur >= t.latTop+rows {
		t.latTop = t.latCur - rows + 1
	}
	t.latTop = max(min(t.latTop, len(t.latest)-rows), 0)
	cols := []column{
		{title: "status", min: 6},
		{title: "test", min: 20},
		{title: "target", min: 14, keepEnd: true},
		{title: "lab", min: 8},
		{title: "hardware", min: 14},
		{title: "message"},
	}
	cells := make([][]string, len(t.latest))
	for i, r := range t.latest {
		cells[i] = safeCells(r.Status, r.Test, strings.TrimPrefix(r.Target, t.source+"@"), r.Lab, r.Hardware, firstLine(r.Message))
	}
	widths := fitColumns(cols, cells, t.width, []int{5, 4, 2, 3, 1})
	b.WriteString(s.Header.Render(tableRow(cols, widths, nil, false, t.width)) + "\n")
	end := min(t.latTop+rows, len(t.latest))
	for i := t.latTop; i < end; i++ {
		line := tableRow(cols, widths, cells[i], i == t.latCur, t.width)
		b.WriteString(statusStyle(s, t.latest[i].Status, i == t.latCur).Render(line) + "\n")
	}
	for i := end - t.latTop; i < rows; i++ {
		b.WriteString("\n")
	}
	r := t.latest[t.latCur]
	b.WriteString(truncate(selectedInfo(r.Test, r, s), t.width) + "\n")
	b.WriteString(truncate(s.Dim.Render(fmt.Sprintf("row %d of %d · %s · %s", t.latCur+1, len(t.latest), safe(r.Target), change.Short(r.Commit))), t.width))
}
