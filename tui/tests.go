package tui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/change"
)

// Tests is the test results page of one downstream source, in two
// sections switched with tab. "Regressions" lists the tests that went from
// PASS to FAIL, grouped like `kdelta results regressions` (the tests that
// broke between the same two targets in the same components share their
// suspects and missing fixes); the cursor moves over the suspects and the
// missing fixes, and Enter opens one. "Latest" lists the latest result of
// every test, failing first; Enter shows a test's history.
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
		if r.Status == "FAIL" {
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

// statusStyle colours a row by its status; the selected row is reversed.
func statusStyle(s *Styles, status string, selected bool) lipgloss.Style {
	switch {
	case selected:
		return s.Selected
	case status == "FAIL":
		return s.Bad
	case status == "ERROR":
		return s.Warn
	case status == "PASS":
		return s.Good
	}
	return s.Dim
}

// selectedInfo is the line under a table about its selected result,
// after what names it: the whole message, or its log when it has none.
func selectedInfo(name string, r analyzer.TestStatus, s *Styles) string {
	name = safe(name)
	switch {
	case r.Message != "":
		return s.Bold.Render(name+": ") + safe(firstLine(r.Message))
	case r.LogURL != "":
		return s.Bold.Render(name+": ") + "log " + safe(r.LogURL)
	}
	return s.Bold.Render(name+": ") + s.Dim.Render("no message")
}

// lineKind is what a line of the regressions section shows.
type lineKind int

const (
	lineBlank lineKind = iota
	lineGroup          // PASS on X, FAIL on Y (components)
	lineTest           // one failing test
	lineNote
	lineSuspectsHead
	lineSuspect // selectable
	lineFixesHead
	lineFix // selectable
)

// regLine is one line of the regressions section: its kind, its group and
// the index of its test, suspect or fix in the group.
type regLine struct {
	kind lineKind
	g, i int
}

// regLines lays the groups out as lines and lists the selectable ones.
func regLines(groups []analyzer.RegressionGroup) (lines []regLine, sel []int) {
	for gi, g := range groups {
		if gi > 0 {
			lines = append(lines, regLine{kind: lineBlank})
		}
		lines = append(lines, regLine{kind: lineGroup, g: gi})
		for i := range g.Tests {
			lines = append(lines, regLine{kind: lineTest, g: gi, i: i})
		}
		if g.First.Note != "" {
			lines = append(lines, regLine{kind: lineNote, g: gi})
		}
		lines = append(lines, regLine{kind: lineSuspectsHead, g: gi})
		for i := range g.First.Suspects {
			sel = append(sel, len(lines))
			lines = append(lines, regLine{kind: lineSuspect, g: gi, i: i})
		}
		if g.First.MissingOn != "" {
			lines = append(lines, regLine{kind: lineFixesHead, g: gi})
			for i := range g.First.MissingFixes {
				sel = append(sel, len(lines))
				lines = append(lines, regLine{kind: lineFix, g: gi, i: i})
			}
		}
	}
	return lines, sel
}

// renderLine draws one line of the regressions section in the page's
// width; the selected one has the cursor mark and is reversed.
func (t *Tests) renderLine(l regLine, selected bool) string {
	s := t.c.Styles
	w := t.width
	if l.kind == lineBlank {
		return ""
	}
	r := t.groups[l.g].First
	comps := strings.Join(r.Components, ", ")
	if comps == "" {
		comps = "no component"
	}
	label := func(target string) string { return safe(strings.TrimPrefix(target, t.source+"@")) }
	switch l.kind {
	case lineGroup:
		return truncate(s.Bold.Render(fmt.Sprintf("PASS on %s, FAIL on %s (%s)", label(r.Passed.Target), label(r.Failed.Target), comps)), w)
	case lineTest:
		reg := t.groups[l.g].Tests[l.i]
		where := strings.Trim(reg.Lab+", "+reg.Hardware, ", ")
		msg := ""
		if reg.Failed.Message != "" {
			msg = ": " + firstLine(reg.Failed.Message)
		}
		return truncate("  "+s.Bad.Render("FAIL")+" "+safe(reg.Test)+"  ("+safe(where)+")"+safe(msg), w)
	case lineNote:
		return truncate(s.Warn.Render("  note: "+safe(r.Note)), w)
	case lineSuspectsHead:
		return truncate(s.Header.Render("suspects")+fmt.Sprintf(": %d of the %d changes between the two targets touch %s",
			len(r.Suspects), r.Between, comps), w)
	case lineFixesHead:
		return truncate(s.Header.Render("missing upstream fixes")+fmt.Sprintf(" for %s on %s: %d", comps, safe(r.MissingOn), len(r.MissingFixes)), w)
	}
	mark := "  "
	if selected {
		mark = "› "
	}
	var text string
	if l.kind == lineSuspect {
		sp := r.Suspects[l.i]
		tail := fmt.Sprintf("%4d lines %3.0f%%", sp.Lines, 100*sp.Share)
		author := t.authorWidth(l.g)
		head := fmt.Sprintf("%s%2d. %s ", mark, l.i+1, padRight(change.Short(sp.ID), 12))
		subject := w - ansi.StringWidth(head) - ansi.StringWidth(tail) - 2 - author
		if subject < 16 { // too narrow: the author goes first
			author, subject = 0, subject+author
		}
		text = head + padRight(safe(firstLine(sp.Subject)), max(subject, 1)) + " "
		if author > 0 {
			text += padRight(safe(sp.Author), author) + " "
		}
		text += tail
	} else {
		m := r.MissingFixes[l.i]
		head := mark + "    " + padRight(change.Short(m.ID), 12) + " "
		tagsW := 0 // the tags of the group's fixes line up
		for _, f := range r.MissingFixes {
			tagsW = max(tagsW, ansi.StringWidth(fixTags(f)))
		}
		subject := w - ansi.StringWidth(head) - tagsW - 2
		if subject < 16 {
			subject, tagsW = subject+tagsW, 0
		}
		text = head + padRight(safe(firstLine(m.Subject)), max(subject, 1))
		if tagsW > 0 {
			text += "  " + fixTags(m)
		}
	}
	text = truncate(text, w)
	if selected {
		return s.Selected.Render(padRight(text, w))
	}
	return text
}

// authorWidth is the width of the author column of a group's suspects.
func (t *Tests) authorWidth(g int) int {
	n := 0
	for _, sp := range t.groups[g].First.Suspects {
		n = max(n, ansi.StringWidth(safe(sp.Author)))
	}
	return min(n, 16)
}

// fixTags says what a missing fix fixes, and whether it is for stable or
// a CVE.
func fixTags(m analyzer.Commit) string {
	var tags []string
	if len(m.Fixes) > 0 {
		f := "fixes " + change.Short(m.Fixes[0])
		if len(m.Fixes) > 1 {
			f += fmt.Sprintf(" +%d", len(m.Fixes)-1)
		}
		tags = append(tags, f)
	}
	if m.Stable {
		tags = append(tags, "stable")
	}
	if len(m.CVEs) > 0 {
		tags = append(tags, m.CVEs[0])
	}
	if len(tags) == 0 {
		return ""
	}
	return "[" + strings.Join(tags, ", ") + "]"
}

// firstLine keeps the first line of a text.
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(s)
}

// column is one column of a table.
type column struct {
	title   string
	min     int  // the narrowest it gets when the table is too wide (0: it may go)
	keepEnd bool // cut from the left: the end says more (a release tag)
	cut     bool // cut without an ellipsis (a commit id)
}

// fitColumns gives each column the width of its widest cell, then narrows
// the columns in the order given (each down to its minimum) until the
// table, after the two cells of the cursor mark and a space between
// columns, fits in width.
func fitColumns(cols []column, cells [][]string, width int, order []int) []int {
	w := make([]int, len(cols))
	for i, c := range cols {
		w[i] = ansi.StringWidth(c.title)
	}
	for _, row := range cells {
		for i, cell := range row {
			w[i] = max(w[i], ansi.StringWidth(cell))
		}
	}
	total := func() int {
		n := 2
		for _, x := range w {
			if x > 0 {
				n += x + 1
			}
		}
		return n - 1
	}
	for _, i := range order {
		over := total() - width
		if over <= 0 {
			break
		}
		w[i] = max(cols[i].min, w[i]-over)
	}
	return w
}

// tableRow draws one row (the titles when cells is nil) with the cursor
// mark when selected, cut to the width (when even the narrowest columns
// are too wide); the selected row fills the width.
func tableRow(cols []column, widths []int, cells []string, selected bool, width int) string {
	var b strings.Builder
	if selected {
		b.WriteString("› ")
	} else {
		b.WriteString("  ")
	}
	first := true
	for i, c := range cols {
		if widths[i] == 0 {
			continue
		}
		if !first {
			b.WriteString(" ")
		}
		first = false
		text := c.title
		if cells != nil {
			text = cells[i]
		}
		switch {
		case cells != nil && c.keepEnd:
			b.WriteString(padRight(keepEnd(text, widths[i]), widths[i]))
		case cells != nil && c.cut && len(text) > widths[i]:
			b.WriteString(text[:widths[i]])
		default:
			b.WriteString(padRight(text, widths[i]))
		}
	}
	line := truncate(strings.TrimRight(b.String(), " "), width)
	if selected {
		line = padRight(line, width)
	}
	return line
}

// keepEnd cuts a text to w cells from the left: "…5.14.0-358.el9".
func keepEnd(s string, w int) string {
	if ansi.StringWidth(s) <= w {
		return s
	}
	if w <= 1 {
		return strings.Repeat("…", max(w, 0))
	}
	r := []rune(s)
	for len(r) > 0 && ansi.StringWidth(string(r))+1 > w {
		r = r[1:]
	}
	return "…" + string(r)
}

// testHistory is the page of one test's history: every stored result of
// it, the results of the downstream it was opened from first.
type testHistory struct {
	c      *Common
	source string
	test   string
	rows   []analyzer.TestStatus
	cur    int
	top    int
	width  int
	height int
	rd     read
	err    error
}

func newTestHistory(c *Common, source, test string) *testHistory {
	return &testHistory{c: c, source: source, test: test, width: 80, height: 22,
		rd: newRead()}
}

type historyLoaded struct {
	seq  int
	rows []analyzer.TestStatus
	err  error
}

// Title names the page.
func (h *testHistory) Title() string { return h.test }

// Keys are the page's keys: only the shared ones.
func (h *testHistory) Keys() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑↓", "move"))}
}

// Capturing is false: the page has no text input.
func (h *testHistory) Capturing() bool { return false }

// SetSize sets the drawing area.
func (h *testHistory) SetSize(w, ht int) { h.width, h.height = w, ht }

// Init loads the history.
func (h *testHistory) Init() tea.Cmd { return tea.Batch(h.load(), h.rd.spin.Tick) }

// Cancel stops a load in progress.
func (h *testHistory) Cancel() { h.rd.Cancel() }

func (h *testHistory) load() tea.Cmd {
	h.err = nil
	ctx, seq := h.rd.begin(h.c.Ctx)
	c, test, source := h.c, h.test, h.source
	return func() tea.Msg {
		rows, err := c.Svc.TestHistory(ctx, test)
		if err != nil {
			return historyLoaded{seq: seq, err: fmt.Errorf("history of %s: %w", test, err)}
		}
		sort.SliceStable(rows, func(i, j int) bool {
			a, _ := analyzer.Target(rows[i].Target)
			b, _ := analyzer.Target(rows[j].Target)
			return a == source && b != source
		})
		return historyLoaded{seq: seq, rows: rows}
	}
}

// Update handles keys and loads.
func (h *testHistory) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case historyLoaded:
		if !h.rd.end(msg.seq) {
			return h, nil
		}
		if msg.err != nil {
			h.err = msg.err
			return h, Failed(msg.err)
		}
		h.rows = msg.rows
		h.cur = min(h.cur, max(len(h.rows)-1, 0))
		return h, nil
	case refreshMsg:
		return h, tea.Batch(h.load(), h.rd.spin.Tick)
	case spinner.TickMsg:
		return h, h.rd.tick(msg)
	case tea.KeyMsg:
		if h.rd.running || len(h.rows) == 0 {
			return h, nil
		}
		h.cur, _ = h.c.Keys.Move(msg, h.cur, len(h.rows), h.rowsShown())
	}
	return h, nil
}

// rowsShown is how many results fit: the page without the test's name,
// the column titles and the two lines about the selected result.
func (h *testHistory) rowsShown() int { return max(h.height-4, 1) }

// View draws the history table.
func (h *testHistory) View() string {
	s := h.c.Styles
	if h.rd.running {
		return h.rd.spin.View() + " loading the history of " + safe(h.test) + "… (esc cancels)"
	}
	if h.err != nil {
		return s.Error.Render("could not load the history: ") + safe(h.err.Error()) + "\n\n" + s.Dim.Render("q goes back.")
	}
	var b strings.Builder
	comps := strings.Join(h.c.Rules.Components(h.test), ", ")
	if comps == "" {
		comps = "none: no test rule maps it"
	}
	b.WriteString(truncate(s.Bold.Render(safe(h.test))+s.Dim.Render(fmt.Sprintf("  %d results · components: %s", len(h.rows), comps)), h.width) + "\n")
	if len(h.rows) == 0 {
		b.WriteString("\nNo stored result of this test.")
		return b.String()
	}
	rows := h.rowsShown()
	if h.cur < h.top {
		h.top = h.cur
	}
	if h.cur >= h.top+rows {
		h.top = h.cur - rows + 1
	}
	h.top = max(min(h.top, len(h.rows)-rows), 0)
	cols := []column{
		{title: "target", min: 14, keepEnd: true},
		{title: "commit", min: 7, cut: true},
		{title: "lab", min: 8},
		{title: "hardware", min: 14},
		{title: "status", min: 6},
		{title: "started", min: 10},
		{title: "message"},
	}
	cells := make([][]string, len(h.rows))
	for i, r := range h.rows {
		started := "-"
		if !r.Started.IsZero() {
			started = r.Started.UTC().Format("2006-01-02")
		}
		cells[i] = safeCells(r.Target, change.Short(r.Commit), r.Lab, r.Hardware, r.Status, started, firstLine(r.Message))
	}
	widths := fitColumns(cols, cells, h.width, []int{6, 3, 2, 1, 0, 5})
	b.WriteString(s.Header.Render(tableRow(cols, widths, nil, false, h.width)) + "\n")
	end := min(h.top+rows, len(h.rows))
	for i := h.top; i < end; i++ {
		line := tableRow(cols, widths, cells[i], i == h.cur, h.width)
		b.WriteString(statusStyle(s, h.rows[i].Status, i == h.cur).Render(line) + "\n")
	}
	for i := end - h.top; i < rows; i++ {
		b.WriteString("\n")
	}
	r := h.rows[h.cur]
	b.WriteString(truncate(selectedInfo(r.Target, r, s), h.width) + "\n")
	started := "not dated"
	if !r.Started.IsZero() {
		started = "started " + r.Started.UTC().Format("2006-01-02 15:04")
	}
	b.WriteString(truncate(s.Dim.Render(fmt.Sprintf("row %d of %d · %s · %s", h.cur+1, len(h.rows), safe(r.Target), started)), h.width))
	return b.String()
}
