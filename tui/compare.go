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

// Compare sets two downstreams of one upstream side by side in one
// component (analyzer.Compare), in five tabs: what A lacks that B has
// (most critical for A first: what A would gain with B), what B lacks
// that A has, what each carries alone with its status, and the tests that
// pass on one and fail on the other. Enter opens a commit in the
// downstream it concerns, or a test's history.
type Compare struct {
	c         *Common
	a, b      string // SOURCE@REF
	component string
	width     int
	height    int

	rd  read
	err error
	cmp *analyzer.Comparison
	cc  *analyzer.ComponentComparison

	tab  int
	rows [cmpTabCount][]cmpRow
	cur  [cmpTabCount]int
	top  [cmpTabCount]int

	nextTab, prevTab, tabKeys key.Binding
}

// The tabs of the comparison, in the order of their number keys.
const (
	cmpALacks = iota
	cmpBLacks
	cmpAAlone
	cmpBAlone
	cmpTests
	cmpTabCount
)

// cmpRow is one line of a tab.
type cmpRow struct {
	id      string // what enter opens: a commit (in target), or a test
	target  string // the downstream the commit is opened in
	test    bool
	subject string
	date    string
	last    string // rank and reason, status, or the two results
}

// NewCompare returns the comparison of two downstreams (SOURCE@REF) in a
// component ("" for the whole).
func NewCompare(c *Common, a, b, component string) Page {
	return &Compare{c: c, a: a, b: b, component: component, rd: newRead(),
		nextTab: key.NewBinding(key.WithKeys("tab", "right", "l")),
		prevTab: key.NewBinding(key.WithKeys("shift+tab", "left", "h")),
		tabKeys: key.NewBinding(key.WithKeys("1", "2", "3", "4", "5")),
	}
}

type compareLoaded struct {
	page *Compare
	seq  int
	cmp  *analyzer.Comparison
	err  error
}

// Title names the page in the breadcrumb.
func (p *Compare) Title() string { return p.a + " vs " + p.b + " " + label(p.component) }

// Keys are the page's keys.
func (p *Compare) Keys() []key.Binding {
	help := func(k, what string) key.Binding { return key.NewBinding(key.WithKeys(k), key.WithHelp(k, what)) }
	return []key.Binding{help("tab/1-5", "tabs"), help("enter", "open the commit or the test's history")}
}

// Capturing is false: the page has no text input.
func (p *Compare) Capturing() bool { return false }

// SetSize sets the drawing area.
func (p *Compare) SetSize(w, h int) { p.width, p.height = w, h }

// Init starts the comparison.
func (p *Compare) Init() tea.Cmd { return tea.Batch(p.load(), p.rd.spin.Tick) }

// Cancel stops the comparison in progress.
func (p *Compare) Cancel() { p.rd.Cancel() }

func (p *Compare) load() tea.Cmd {
	p.err = nil
	ctx, seq := p.rd.begin(p.c.Ctx)
	c, a, b := p.c, p.a, p.b
	return func() tea.Msg {
		cmp, err := c.Svc.Compare(ctx, a, b)
		return compareLoaded{page: p, seq: seq, cmp: cmp, err: err}
	}
}

// Update handles the comparison's answer and keys.
func (p *Compare) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case compareLoaded:
		if msg.page != p || !p.rd.end(msg.seq) {
			return p, nil
		}
		if msg.err != nil {
			p.err = msg.err
			return p, Failed(msg.err)
		}
		p.cmp = msg.cmp
		p.fill()
		return p, nil
	case refreshMsg:
		return p, tea.Batch(p.load(), p.rd.spin.Tick)
	case spinner.TickMsg:
		return p, p.rd.tick(msg)
	case tea.KeyMsg:
		if p.rd.running || p.cc == nil {
			return p, nil
		}
		return p, p.key(msg)
	}
	return p, nil
}

// fill makes the tabs' rows from the comparison of the component.
func (p *Compare) fill() {
	p.cc = p.cmp.Component(p.component)
	if p.cc == nil {
		p.cc = &analyzer.ComponentComparison{Component: p.component}
	}
	ranked := func(cs []analyzer.RankedCommit, target string) []cmpRow {
		out := make([]cmpRow, len(cs))
		for i, x := range cs {
			last := x.Rank
			if x.Reason != "" {
				last += ": " + x.Reason
			}
			out[i] = cmpRow{id: x.ID, target: target, subject: safe(x.Subject), date: x.Date.Format("2006-01-02"), last: safe(last)}
		}
		return out
	}
	alone := func(cs []analyzer.Carried, target string) []cmpRow {
		out := make([]cmpRow, len(cs))
		for i, x := range cs {
			out[i] = cmpRow{id: x.ID, target: target, subject: safe(x.Subject), date: x.Date.Format("2006-01-02"), last: safe(carriedStatus(x.Status))}
		}
		return out
	}
	p.rows[cmpALacks] = ranked(p.cc.ALacks, p.cmp.A)
	p.rows[cmpBLacks] = ranked(p.cc.BLacks, p.cmp.B)
	p.rows[cmpAAlone] = alone(p.cc.AAlone, p.cmp.A)
	p.rows[cmpBAlone] = alone(p.cc.BAlone, p.cmp.B)
	tests := make([]cmpRow, len(p.cc.Tests))
	for i, t := range p.cc.Tests {
		tests[i] = cmpRow{id: t.Test, target: p.cmp.A, test: true, subject: safe(t.Test),
			last: safe(t.A.Status + " on " + p.cmp.A + ", " + t.B.Status + " on " + p.cmp.B)}
	}
	p.rows[cmpTests] = tests
	for t := range cmpTabCount {
		p.cur[t] = min(p.cur[t], max(len(p.rows[t])-1, 0))
	}
}

func (p *Compare) key(msg tea.KeyMsg) tea.Cmd {
	k := p.c.Keys
	switch {
	case key.Matches(msg, p.nextTab):
		p.tab = (p.tab + 1) % cmpTabCount
	case key.Matches(msg, p.prevTab):
		p.tab = (p.tab + cmpTabCount - 1) % cmpTabCount
	case key.Matches(msg, p.tabKeys):
		p.tab = int(msg.Runes[0] - '1')
	case key.Matches(msg, k.Enter):
		rows := p.rows[p.tab]
		if len(rows) == 0 {
			return nil
		}
		r := rows[p.cur[p.tab]]
		if r.test {
			source, _ := analyzer.Target(r.target)
			return Push(newTestHistory(p.c, source, r.id))
		}
		return Push(NewDetail(p.c, r.target, r.id))
	default:
		p.cur[p.tab], _ = k.Move(msg, p.cur[p.tab], len(p.rows[p.tab]), p.rowsShown())
	}
	return nil
}

// tabName names a tab, with its count.
func (p *Compare) tabName(t int) string {
	a, b := p.cmp.A, p.cmp.B
	return fmt.Sprintf("%d %s", t+1, [cmpTabCount]string{
		fmt.Sprintf("%s lacks %d", a, len(p.rows[cmpALacks])),
		fmt.Sprintf("%s lacks %d", b, len(p.rows[cmpBLacks])),
		fmt.Sprintf("%s alone %d", a, len(p.rows[cmpAAlone])),
		fmt.Sprintf("%s alone %d", b, len(p.rows[cmpBAlone])),
		fmt.Sprintf("tests %d", len(p.rows[cmpTests])),
	}[t])
}

// about says what the tab lists.
func (p *Compare) about() string {
	a, b := p.cmp.A, p.cmp.B
	switch p.tab {
	case cmpALacks:
		return fmt.Sprintf("what %s would gain with %s: upstream commits %s has and %s lacks, most critical for %s first", a, b, b, a, a)
	case cmpBLacks:
		return fmt.Sprintf("what %s would gain with %s: upstream commits %s has and %s lacks, most critical for %s first", b, a, a, b, b)
	case cmpAAlone:
		return fmt.Sprintf("changes %s carries that upstream lacks and %s does not carry", a, b)
	case cmpBAlone:
		return fmt.Sprintf("changes %s carries that upstream lacks and %s does not carry", b, a)
	}
	return fmt.Sprintf("tests covering %s that pass on one and fail on the other", label(p.component))
}

// rowsShown is how many rows fit: the page less the head, the tabs, the
// about line, the column heads and the position line.
func (p *Compare) rowsShown() int { return max(p.height-5, 1) }

// View draws the comparison.
func (p *Compare) View() string {
	s := p.c.Styles
	if p.rd.running {
		return p.rd.spin.View() + " comparing " + p.a + " with " + p.b + "… (esc cancels)"
	}
	if p.err != nil {
		return s.Error.Render("could not compare: ") + safe(p.err.Error()) + "\n\n" + s.Dim.Render("q goes back.")
	}
	if p.cc == nil {
		return ""
	}
	var b strings.Builder
	put := func(line string) { b.WriteString(truncate(line, p.width) + "\n") }
	put(s.Bold.Render(p.cmp.A) + " vs " + s.Bold.Render(p.cmp.B) + " · " + label(p.component) + " · against " + p.cmp.Upstream)
	var tabs []string
	for t := range cmpTabCount {
		if t == p.tab {
			tabs = append(tabs, s.Selected.Render("["+p.tabName(t)+"]"))
		} else {
			tabs = append(tabs, s.Dim.Render(" "+p.tabName(t)+" "))
		}
	}
	put(strings.Join(tabs, " "))
	put(s.Dim.Render(p.about()))
	rows := p.rows[p.tab]
	if len(rows) == 0 {
		put("none")
		return b.String()
	}
	heads := [cmpTabCount]string{"priority", "priority", "status", "status", "results"}
	col := fitCompare(p.width, rows, heads[p.tab], p.tab == cmpTests)
	put(s.Header.Render(col.line("  ", "id", "subject", "", "date", heads[p.tab])))
	n := p.rowsShown()
	cur, top := p.cur[p.tab], &p.top[p.tab]
	if cur < *top {
		*top = cur
	}
	if cur >= *top+n {
		*top = cur - n + 1
	}
	*top = max(min(*top, len(rows)-n), 0)
	for i := *top; i < min(*top+n, len(rows)); i++ {
		r := rows[i]
		mark := "  "
		if i == cur {
			mark = "› "
		}
		id := change.Short(r.id)
		if r.test {
			id = ""
		}
		line := col.line(mark, id, r.subject, "", r.date, r.last)
		if i == cur {
			line = s.Selected.Render(line)
		}
		put(line)
	}
	for i := min(*top+n, len(rows)) - *top; i < n; i++ {
		b.WriteString("\n")
	}
	b.WriteString(s.Dim.Render(fmt.Sprintf("row %d of %d", cur+1, len(rows))))
	return b.String()
}

// fitCompare lays out a comparison's columns: the subject keeps at least
// dlMinShare of the width; the last column gets what it needs of the
// rest; a test list has no id.
func fitCompare(width int, rows []cmpRow, head string, tests bool) dlColumns {
	last := len(head)
	for _, r := range rows {
		last = max(last, len([]rune(r.last)))
	}
	col := fitColumnsDL(width, last, 0)
	if tests {
		col.noID = true
		col.subject += dlIDWidth + 1
	}
	return col
}
