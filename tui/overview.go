package tui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/kdelta/kdelta/analyzer"
)

// Overview is the first page: the component x downstream matrix. Each
// cell counts missing fixes / missing / carried (changes upstream lacks);
// its colour is its worst item (analyzer.Severities: red a missing CVE
// fix, orange a missing fix, yellow a failing test, plain only missing
// features, green nothing missing), explained by a legend; "*" marks a
// missing CVE fix and "!" failing tests, for a terminal without colours.
// c on one column and c on another compares the two downstreams in the
// component of the row (distro vs vendor: what would I gain?).
type Overview struct {
	c        *Common
	results  []*analyzer.Result
	comps    []string
	row, col int
	top, off int // first row and column shown
	width    int
	height   int
	rd       read
	err      error
	tests    key.Binding
	compare  key.Binding
	marked   int // the column c marked for a comparison; -1 for none
	// QuitWhenLoaded ends the program once the matrix is drawn (kdelta
	// tui --print).
	QuitWhenLoaded bool
}

// NewOverview returns the overview page.
func NewOverview(c *Common) *Overview {
	return &Overview{c: c, rd: newRead(), marked: -1,
		tests:   key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "test results of the downstream")),
		compare: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "compare: c on one column, then on another")),
	}
}

type overviewLoaded struct {
	seq     int
	results []*analyzer.Result
	err     error
}

// Title names the page.
func (o *Overview) Title() string { return "overview" }

// Keys are the page's keys.
func (o *Overview) Keys() []key.Binding {
	return []key.Binding{
		key.NewBinding(key.WithKeys("up", "down", "left", "right"), key.WithHelp("←↑↓→", "move")),
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open the delta of the cell")),
		o.tests,
		o.compare,
	}
}

// Capturing is false: the overview has no text input.
func (o *Overview) Capturing() bool { return false }

// SetSize sets the drawing area.
func (o *Overview) SetSize(w, h int) { o.width, o.height = w, h }

// Init loads the analyses.
func (o *Overview) Init() tea.Cmd { return tea.Batch(o.load(), o.rd.spin.Tick) }

// Cancel stops a load in progress.
func (o *Overview) Cancel() { o.rd.Cancel() }

func (o *Overview) load() tea.Cmd {
	o.err = nil
	ctx, seq := o.rd.begin(o.c.Ctx)
	c := o.c
	targets := c.Downstreams()
	return func() tea.Msg {
		var out []*analyzer.Result
		for _, t := range targets {
			r, err := c.Analysis(ctx, t)
			if err != nil {
				return overviewLoaded{seq: seq, err: fmt.Errorf("%s: %w", t, err)}
			}
			out = append(out, r)
		}
		return overviewLoaded{seq: seq, results: out}
	}
}

// Update handles keys and loads.
func (o *Overview) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case overviewLoaded:
		if !o.rd.end(msg.seq) {
			return o, nil
		}
		if msg.err != nil {
			o.err = msg.err
			return o, Failed(msg.err)
		}
		o.results = msg.results
		o.comps = components(msg.results)
		o.row = min(o.row, max(len(o.comps)-1, 0))
		o.col = min(o.col, max(len(o.results)-1, 0))
		if o.QuitWhenLoaded {
			return o, tea.Quit
		}
		return o, nil
	case refreshMsg:
		return o, tea.Batch(o.load(), o.rd.spin.Tick)
	case spinner.TickMsg:
		return o, o.rd.tick(msg)
	case tea.KeyMsg:
		if o.rd.running || len(o.results) == 0 {
			return o, nil
		}
		k := o.c.Keys
		if row, ok := k.Move(msg, o.row, len(o.comps), o.rows()); ok {
			o.row = row
			return o, nil
		}
		switch {
		case key.Matches(msg, k.Left):
			o.col = max(o.col-1, 0)
		case key.Matches(msg, k.Right):
			o.col = min(o.col+1, len(o.results)-1)
		case key.Matches(msg, k.Enter):
			r := o.results[o.col]
			comp := o.comps[o.row]
			if r.Component(comp) == nil {
				return o, Status("%s has nothing in %s", r.Downstream, label(comp))
			}
			return o, Push(NewDeltaList(o.c, r.Downstream, comp))
		case key.Matches(msg, o.tests):
			source, _ := analyzer.Target(o.results[o.col].Downstream)
			return o, Push(NewTests(o.c, source))
		case key.Matches(msg, o.compare):
			return o, o.pick()
		}
	}
	return o, nil
}

// pick marks the column under the cursor for a comparison, or compares it
// with the one marked: what the marked downstream lacks that this one
// has, in the component of the row.
func (o *Overview) pick() tea.Cmd {
	switch {
	case o.marked < 0:
		o.marked = o.col
		return Status("comparing %s with…: move to another column and press c (c here again cancels)", o.results[o.col].Downstream)
	case o.marked == o.col:
		o.marked = -1
		return Status("comparison cancelled")
	}
	a, b := o.results[o.marked].Downstream, o.results[o.col].Downstream
	if o.results[o.marked].Upstream != o.results[o.col].Upstream {
		return Failed(fmt.Errorf("%s and %s have different upstreams (%s, %s): compare downstreams of one upstream",
			a, b, o.results[o.marked].Upstream, o.results[o.col].Upstream))
	}
	o.marked = -1
	return Push(NewCompare(o.c, a, b, o.comps[o.row]))
}

// components lists the components of the results, the whole ("") first.
func components(rs []*analyzer.Result) []string {
	seen := map[string]bool{}
	for _, r := range rs {
		for _, c := range r.Components {
			seen[c.Component] = true
		}
	}
	out := make([]string, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	sort.Strings(out) // "" sorts first
	return out
}

func label(comp string) string {
	if comp == "" {
		return "(all)"
	}
	return comp
}

const nameWidth = 12

// cellText is what a cell says: "*" marks a missing CVE fix, "!" failing
// tests.
func cellText(cd *analyzer.ComponentDelta) string {
	if cd == nil {
		return "-"
	}
	t := fmt.Sprintf("%d/%d/%d", len(cd.MissingFixes), len(cd.Missing), len(cd.DownstreamOnly))
	mark := ""
	for _, c := range cd.Missing {
		if len(c.CVEs) > 0 {
			mark += "*"
			break
		}
	}
	if cd.FailingTests > 0 {
		mark += "!"
	}
	if mark != "" {
		t += " " + mark
	}
	return t
}

// legend explains the colours, each in its own, worst first.
func (o *Overview) legend() string {
	s := o.c.Styles
	names := map[string]string{analyzer.SeverityCVE: "CVE fix", analyzer.SeverityFix: "missing fix", analyzer.SeverityTest: "failing test",
		analyzer.SeverityMissing: "features only", analyzer.SeverityNone: "all there"}
	var parts []string
	for _, sv := range analyzer.Severities() {
		parts = append(parts, s.Severity(sv[0]).Render(names[sv[0]]))
	}
	return s.Dim.Render("worst item: ") + strings.Join(parts, s.Dim.Render(" · "))
}

// cellWidth is the width of the widest cell or downstream name, plus
// room for the cursor mark.
func (o *Overview) cellWidth() int {
	w := 10
	for _, r := range o.results {
		w = max(w, len(r.Downstream))
		for i := range r.Components {
			w = max(w, len(cellText(&r.Components[i])))
		}
	}
	return w + 2
}

// rows is how many matrix rows fit: the page less the two lines of
// legend, the heads and the position line.
func (o *Overview) rows() int { return max(o.height-5, 1) }

// cols is how many downstream columns fit.
func (o *Overview) cols() int { return max((o.width-nameWidth)/o.cellWidth(), 1) }

// View draws the matrix around the selected cell.
func (o *Overview) View() string {
	s := o.c.Styles
	if o.rd.running {
		return o.rd.spin.View() + " analyzing " + strings.Join(o.c.Downstreams(), ", ") + "… (esc cancels)"
	}
	if o.err != nil {
		return s.Error.Render("could not analyze: ") + safe(o.err.Error()) + "\n\n" + s.Dim.Render("Run 'kdelta sync' and try again; q quits.")
	}
	if len(o.results) == 0 {
		return "No downstream to show: the project file has no source with an upstream.\n" + s.Dim.Render("Add one to kdelta.toml and run 'kdelta sync'.")
	}
	// Keep the selected cell in view.
	if o.row < o.top {
		o.top = o.row
	}
	if o.row >= o.top+o.rows() {
		o.top = o.row - o.rows() + 1
	}
	if o.col < o.off {
		o.off = o.col
	}
	if o.col >= o.off+o.cols() {
		o.off = o.col - o.cols() + 1
	}
	var b strings.Builder
	cw := o.cellWidth()
	b.WriteString(truncate(s.Dim.Render("missing fixes / missing / carried · * a CVE fix missing · ! failing tests"), o.width) + "\n")
	b.WriteString(truncate(o.legend(), o.width) + "\n")
	b.WriteString(s.Header.Render(padRight("component", nameWidth)))
	last := min(o.off+o.cols(), len(o.results))
	for j, r := range o.results[o.off:last] {
		name := r.Downstream
		if o.off+j == o.marked {
			name = "◆ " + name // marked for a comparison
		}
		b.WriteString(s.Header.Render(padLeft(name, cw)))
	}
	b.WriteString("\n")
	for i := o.top; i < min(o.top+o.rows(), len(o.comps)); i++ {
		comp := o.comps[i]
		b.WriteString(padRight(label(comp), nameWidth))
		for j := o.off; j < last; j++ {
			cd := o.results[j].Component(comp)
			style := s.Dim
			if cd != nil {
				style = s.Severity(analyzer.DeltaSeverity(cd))
			}
			// The cursor is a mark as well as a colour, for NO_COLOR.
			if i == o.row && j == o.col {
				b.WriteString(s.Selected.Render(padLeft("› "+cellText(cd), cw)))
			} else {
				b.WriteString(style.Render(padLeft(cellText(cd), cw)))
			}
		}
		b.WriteString("\n")
	}
	if len(o.comps) > o.rows() || len(o.results) > o.cols() {
		b.WriteString(s.Dim.Render(fmt.Sprintf("row %d of %d, column %d of %d", o.row+1, len(o.comps), o.col+1, len(o.results))))
	}
	return b.String()
}
