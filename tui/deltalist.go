package tui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/analyzer/match"
	"github.com/kdelta/kdelta/analyzer/status"
	"github.com/kdelta/kdelta/change"
)

// The tabs of the delta list, in the order of their number keys.
const (
	tabMissingFixes = iota
	tabMissing
	tabBackported
	tabCarried
	tabCount
)

var dlTabNames = [tabCount]string{"missing fixes", "missing", "backported", "carried"}

// dlLastHeads name the last column of each tab.
var dlLastHeads = [tabCount]string{"priority", "priority", "match, carried as", "status"}

// The sort orders, in the order s cycles through them. Most critical
// first ranks missing commits (analyzer.Ranks: CVE, a fix of code a
// release ships, Cc: stable, a fix of unreleased code, the rest), newest
// first within a rank; the lists that have no rank go newest first.
const (
	sortRank = iota
	sortNewest
	sortOldest
	sortSubject
	sortAuthor
	sortCount
)

var dlSortNames = [sortCount]string{"most critical first", "newest first", "oldest first", "by subject", "by author"}

// dlRow is one line of a tab.
type dlRow struct {
	id      string // what enter opens: an upstream commit, or a carried change
	subject string
	author  string
	date    time.Time
	rank    int    // a missing commit's analyzer.RankOrder; 0 for the others
	last    string // the tab's own column, untruncated
	more    string // what the line under the list says of the row; "" for last
}

// matches says whether the row contains text (lower-cased) in its id,
// subject, author or last column.
func (r dlRow) matches(text string) bool {
	if text == "" {
		return false
	}
	for _, f := range []string{r.id, r.subject, r.author, r.last, r.more} {
		if strings.Contains(strings.ToLower(f), text) {
			return true
		}
	}
	return false
}

// DeltaList is the delta of one component (or the whole, "") of one
// downstream against its upstream, in four tabs: missing fixes, missing,
// backported and carried. The carried tab reads the carried changes'
// statuses (analyzer.Statuses, slower) the first time it is opened.
//
// Filtering and searching: / opens a text input that filters the list as
// you type to the rows whose id, subject, author or last column contain
// the text (case does not matter; an empty text clears the filter); enter
// keeps the filter and closes the input; esc clears the filter and closes
// the input but remembers the text. n and N move the cursor to
// the next and previous row (wrapping) that contains the remembered text,
// among the rows shown: with the filter on, every row shown does, so n/N
// step through them; with the filter cleared they jump between the
// matching rows of the whole list (marked "•"), like a search in less.
type DeltaList struct {
	c         *Common
	target    string
	component string
	width     int
	height    int

	rd     read // the analysis
	err    error
	result *analyzer.Result
	cd     *analyzer.ComponentDelta
	ranker *analyzer.Ranker

	st       read // the carried changes' statuses
	stErr    error
	carried  []analyzer.Carried
	stLoaded bool

	rows   [tabCount][]dlRow
	tab    int
	shown  []dlRow // the rows of the tab, filtered and sorted
	cur    [tabCount]int
	top    [tabCount]int
	order  int
	filter string // applied filter, lower case; "" for none
	search string // the remembered text for n/N, lower case
	input  textinput.Model
	typing bool

	nextTab, prevTab, tabKeys, filterKey, nextKey, prevKey, sortKey key.Binding
}

// NewDeltaList returns the delta list page of one component ("" for the
// whole) of one downstream (SOURCE@REF).
func NewDeltaList(c *Common, target, component string) Page {
	return &DeltaList{c: c, target: target, component: component,
		rd:        newRead(),
		st:        newRead(),
		nextTab:   key.NewBinding(key.WithKeys("tab", "right", "l")),
		prevTab:   key.NewBinding(key.WithKeys("shift+tab", "left", "h")),
		tabKeys:   key.NewBinding(key.WithKeys("1", "2", "3", "4")),
		filterKey: key.NewBinding(key.WithKeys("/")),
		nextKey:   key.NewBinding(key.WithKeys("n")),
		prevKey:   key.NewBinding(key.WithKeys("N")),
		sortKey:   key.NewBinding(key.WithKeys("s")),
	}
}

// Messages of the loads, addressed to the page that started them.
type (
	deltaLoaded struct {
		page   *DeltaList
		seq    int
		result *analyzer.Result
		ranker *analyzer.Ranker
		err    error
	}
	carriedLoaded struct {
		page    *DeltaList
		seq     int
		carried []analyzer.Carried
		err     error
	}
)

// Title names the page in the breadcrumb.
func (p *DeltaList) Title() string { return p.target + " " + label(p.component) }

// Keys are the page's own keys, for the footer and the help.
func (p *DeltaList) Keys() []key.Binding {
	help := func(k, what string) key.Binding { return key.NewBinding(key.WithKeys(k), key.WithHelp(k, what)) }
	return []key.Binding{
		help("tab/1-4", "tabs"),
		help("enter", "open"),
		help("/", "filter as you type (enter keeps it, esc clears it and keeps the text for n/N)"),
		help("n/N", "next/previous row with the text"),
		help("s", "sort: most critical first, newest, oldest, by subject, by author"),
	}
}

// Capturing is true while the filter input has the keyboard.
func (p *DeltaList) Capturing() bool { return p.typing }

// SetSize sets the drawing area.
func (p *DeltaList) SetSize(w, h int) { p.width, p.height = w, h }

// Init loads the analysis.
func (p *DeltaList) Init() tea.Cmd { return tea.Batch(p.load(), p.rd.spin.Tick) }

// Cancel stops the loads in progress.
func (p *DeltaList) Cancel() {
	p.rd.Cancel()
	p.st.Cancel()
}

// load reads the analysis in a tea.Cmd.
func (p *DeltaList) load() tea.Cmd {
	p.err = nil
	ctx, seq := p.rd.begin(p.c.Ctx)
	c, target := p.c, p.target
	return func() tea.Msg {
		r, err := c.Analysis(ctx, target)
		if err != nil {
			return deltaLoaded{page: p, seq: seq, err: err}
		}
		rk, err := c.Ranker(ctx, target)
		return deltaLoaded{page: p, seq: seq, result: r, ranker: rk, err: err}
	}
}

// loadCarried reads the carried changes' statuses in a tea.Cmd.
func (p *DeltaList) loadCarried() tea.Cmd {
	p.stErr = nil
	ctx, seq := p.st.begin(p.c.Ctx)
	svc, target, component := p.c.Svc, p.target, p.component
	return func() tea.Msg {
		all, r, err := svc.Statuses(ctx, target)
		if err != nil {
			return carriedLoaded{page: p, seq: seq, err: err}
		}
		// Carried, as in the overview and kdelta delta: the changes of the
		// component that upstream lacks (backports are the backported tab),
		// by the analysis the statuses were decided on.
		only := map[string]bool{}
		if cd := r.Component(component); cd != nil {
			for _, c := range cd.DownstreamOnly {
				only[c.ID] = true
			}
		}
		var carried []analyzer.Carried
		for _, x := range all {
			if only[x.ID] {
				carried = append(carried, x)
			}
		}
		return carriedLoaded{page: p, seq: seq, carried: carried}
	}
}

// loaded takes in the analysis; an error goes to the status line too.
func (p *DeltaList) loaded(m deltaLoaded) tea.Cmd {
	if m.page != p || !p.rd.end(m.seq) {
		return nil // an older load's, or another page's
	}
	if m.err != nil {
		p.err = fmt.Errorf("%s: %w", p.target, m.err)
		return Failed(p.err)
	}
	p.result = m.result
	p.cd = m.result.Component(p.component)
	if p.cd == nil {
		p.cd = &analyzer.ComponentDelta{Component: p.component}
	}
	p.ranker = m.ranker
	p.rows[tabMissingFixes] = p.rankedRows(p.cd.MissingFixes, func(x analyzer.Commit) string {
		return "fixes " + change.ShortList(x.Fixes)
	})
	p.rows[tabMissing] = p.rankedRows(p.cd.Missing, nil)
	carrier := upstreamCarriers(m.result.Matches)
	p.rows[tabBackported] = dlCommitRows(p.cd.Backported, func(x analyzer.Commit) string {
		return backportMatch(x, carrier[x.ID])
	})
	p.refilter()
	return nil
}

// carriedIn takes in the carried changes' statuses.
func (p *DeltaList) carriedIn(m carriedLoaded) tea.Cmd {
	if m.page != p || m.seq != p.st.seq {
		return nil
	}
	p.st.end(m.seq)
	if m.err != nil {
		p.stErr = fmt.Errorf("%s: statuses: %w", p.target, m.err)
		return Failed(p.stErr)
	}
	p.carried = m.carried
	p.stLoaded = true
	rows := make([]dlRow, len(p.carried))
	for i, x := range p.carried {
		rows[i] = dlRow{id: x.ID, subject: safe(x.Subject), author: safe(x.Author), date: x.Date, last: safe(carriedStatus(x.Status))}
	}
	p.rows[tabCarried] = rows
	p.refilter()
	return nil
}

// Update handles keys and loads.
func (p *DeltaList) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case deltaLoaded:
		return p, p.loaded(msg)
	case carriedLoaded:
		return p, p.carriedIn(msg)
	case refreshMsg:
		cmds := []tea.Cmd{p.load(), p.rd.spin.Tick}
		// The statuses are read again now when the tab shows them, else
		// when it is opened next.
		p.stLoaded, p.carried, p.rows[tabCarried] = false, nil, nil
		p.st.Cancel()
		p.st.running = false
		if p.tab == tabCarried {
			cmds = append(cmds, p.loadCarried())
		}
		return p, tea.Batch(cmds...)
	case spinner.TickMsg:
		return p, tea.Batch(p.rd.tick(msg), p.st.tick(msg))
	case tea.KeyMsg:
		if p.typing {
			return p, p.typed(msg)
		}
		if p.rd.running || p.result == nil {
			return p, nil
		}
		return p, p.key(msg)
	}
	return p, nil
}

// typed handles a key while the filter input is open.
func (p *DeltaList) typed(msg tea.KeyMsg) tea.Cmd {
	switch msg.Type {
	case tea.KeyEnter:
		text := strings.ToLower(strings.TrimSpace(p.input.Value()))
		p.typing = false
		p.filter = text
		if text != "" {
			p.search = text
		}
		p.refilter()
		return nil
	case tea.KeyEsc:
		if text := strings.ToLower(strings.TrimSpace(p.input.Value())); text != "" {
			p.search = text
		}
		p.typing = false
		p.filter = ""
		p.refilter()
		return nil
	}
	typeInto(&p.input, msg)
	// The list follows the text as it is typed.
	p.filter = strings.ToLower(strings.TrimSpace(p.input.Value()))
	p.refilter()
	return nil
}

// key handles a key on the list.
func (p *DeltaList) key(msg tea.KeyMsg) tea.Cmd {
	k := p.c.Keys
	n := len(p.shown)
	cur := &p.cur[p.tab]
	switch {
	case key.Matches(msg, p.nextTab):
		return p.setTab((p.tab + 1) % tabCount)
	case key.Matches(msg, p.prevTab):
		return p.setTab((p.tab + tabCount - 1) % tabCount)
	case key.Matches(msg, p.tabKeys):
		return p.setTab(int(msg.Runes[0] - '1'))
	case key.Matches(msg, p.filterKey):
		p.typing = true
		p.input = newInput(p.c.Styles, "/", "")
		p.input.SetValue(p.search)
		p.input.CursorEnd()
		return nil
	case key.Matches(msg, p.sortKey):
		// A new order starts at its top.
		p.order = (p.order + 1) % sortCount
		p.shown = nil
		p.refilter()
		p.cur[p.tab], p.top[p.tab] = 0, 0
		return nil
	case key.Matches(msg, p.nextKey):
		return p.jump(1)
	case key.Matches(msg, p.prevKey):
		return p.jump(-1)
	case key.Matches(msg, k.Enter):
		if n == 0 {
			return nil
		}
		return Push(NewDetail(p.c, p.target, p.shown[*cur].id))
	default:
		*cur, _ = k.Move(msg, *cur, n, p.rowsShown())
	}
	return nil
}

// setTab shows a tab; the carried tab reads the statuses the first time.
func (p *DeltaList) setTab(t int) tea.Cmd {
	p.tab = t
	p.shown = nil // the cursor of the tab stays where it was
	p.refilter()
	if t == tabCarried && !p.stLoaded && !p.st.running {
		return tea.Batch(p.loadCarried(), p.st.spin.Tick)
	}
	return nil
}

// jump moves the cursor to the next (dir 1) or previous (dir -1) row
// shown that contains the remembered text, wrapping around.
func (p *DeltaList) jump(dir int) tea.Cmd {
	if p.search == "" {
		return Status("no text to look for: / and a text first")
	}
	n := len(p.shown)
	for i := 1; i <= n; i++ {
		j := ((p.cur[p.tab]+dir*i)%n + n) % n
		if p.shown[j].matches(p.search) {
			p.cur[p.tab] = j
			return nil
		}
	}
	return Status("no row of %s contains %q", dlTabNames[p.tab], p.search)
}

// refilter computes the rows shown from the tab's rows, the filter and
// the sort, keeping the cursor on the same row when it is still shown.
func (p *DeltaList) refilter() {
	keep := ""
	if c := p.cur[p.tab]; c < len(p.shown) {
		keep = p.shown[c].id
	}
	rows := p.rows[p.tab]
	shown := make([]dlRow, 0, len(rows))
	for _, r := range rows {
		if p.filter == "" || r.matches(p.filter) {
			shown = append(shown, r)
		}
	}
	dlSortRows(shown, p.order)
	p.shown = shown
	c := min(p.cur[p.tab], max(len(shown)-1, 0))
	for i, r := range shown {
		if r.id == keep {
			c = i
			break
		}
	}
	p.cur[p.tab] = c
}

// dlSortRows sorts rows in an order; ties go newest first, then by id.
func dlSortRows(rows []dlRow, order int) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		switch order {
		case sortRank:
			if a.rank != b.rank {
				return a.rank < b.rank
			}
		case sortOldest:
			if !a.date.Equal(b.date) {
				return a.date.Before(b.date)
			}
			return a.id < b.id
		case sortSubject:
			if x, y := strings.ToLower(a.subject), strings.ToLower(b.subject); x != y {
				return x < y
			}
		case sortAuthor:
			if x, y := strings.ToLower(a.author), strings.ToLower(b.author); x != y {
				return x < y
			}
		}
		if !a.date.Equal(b.date) {
			return a.date.After(b.date)
		}
		return a.id < b.id
	})
}

func dlCommitRows(cs []analyzer.Commit, last func(analyzer.Commit) string) []dlRow {
	rows := make([]dlRow, len(cs))
	for i, x := range cs {
		rows[i] = dlRow{id: x.ID, subject: safe(x.Subject), author: safe(x.Author), date: x.Date, last: safe(last(x))}
	}
	return rows
}

// rankedRows are missing commits with their rank in the last column (a
// CVE's id with it); the line under the list says the selected one's
// reason in full, then more (what a fix fixes), so that a long reason or
// list of fixed commits never takes the subject's room.
func (p *DeltaList) rankedRows(cs []analyzer.Commit, more func(analyzer.Commit) string) []dlRow {
	rows := make([]dlRow, len(cs))
	for i, x := range cs {
		pr := analyzer.Priority{Rank: analyzer.RankOther}
		if p.ranker != nil {
			pr = p.ranker.Priority(x)
		}
		last := pr.Rank
		if len(x.CVEs) > 0 {
			last += " " + strings.Join(x.CVEs, " ")
		}
		full := pr.Rank
		if pr.Reason != "" {
			full += ": " + pr.Reason
		}
		if more != nil {
			full += "; " + more(x)
		}
		rows[i] = dlRow{id: x.ID, subject: safe(x.Subject), author: safe(x.Author), date: x.Date, rank: analyzer.RankOrder(pr.Rank),
			last: safe(last), more: safe(full)}
	}
	return rows
}

// upstreamCarriers maps each upstream commit to the matches that carry it.
func upstreamCarriers(ms []match.Match) map[string][]match.Match {
	out := map[string][]match.Match{}
	for _, m := range ms {
		for _, u := range m.Upstream {
			out[u] = append(out[u], m)
		}
	}
	return out
}

// backportMatch says how a backport was found and which downstream change
// carries it: "patch-id 1.00 e1678c7abe2b", "+1" when several do.
func backportMatch(x analyzer.Commit, ms []match.Match) string {
	if len(ms) == 0 {
		return change.ShortList(x.Carried)
	}
	m := ms[0]
	for _, c := range ms {
		if len(x.Carried) > 0 && c.Downstream == x.Carried[0] {
			m = c
			break
		}
	}
	t := fmt.Sprintf("%s %.2f %s", m.Method, m.Score, change.Short(m.Downstream))
	if n := max(len(x.Carried), len(ms)); n > 1 {
		t += fmt.Sprintf(" +%d", n-1)
	}
	return t
}

// carriedStatus is a carried change's status with its release, posting or
// reason; "!" marks conflicting evidence.
func carriedStatus(s status.Status) string {
	t := s.Status
	switch s.Status {
	case status.Mainline:
		if s.Release != "" {
			t += " " + s.Release
		} else {
			t += " unreleased"
		}
	case status.Queued:
		if len(s.Upstream) > 0 {
			t += " " + change.Short(s.Upstream[0])
		}
	case status.Submitted, status.Rejected:
		if s.MessageID != "" {
			t += fmt.Sprintf(" v%d <%s>", s.Version, s.MessageID)
		}
	}
	if s.Reason != "" {
		t += ": " + s.Reason
	}
	if s.Conflict != "" {
		t += " !"
	}
	return t
}

// rowsShown is how many list rows fit: the page less the header, the tab
// bar, the info line, the column heads, the line about the selected row
// and the position line.
func (p *DeltaList) rowsShown() int { return max(p.height-6, 1) }

// dlColumns are the widths of the list's columns.
type dlColumns struct {
	subject, author, last int
	noID                  bool // a list of tests: no id column
}

const (
	dlMarkWidth  = 2  // "› " or "•"
	dlIDWidth    = 12 // short12
	dlDateWidth  = 10 // 2006-01-02
	dlMinSubject = 30 // the author column goes before the subject gets less
	dlMinLast    = 10 // the last column gets at least this when it has text
)

// dlSubjectShare is the share of the width the subject keeps whatever the
// last column holds: a long list of fixed commits or a long reason is cut,
// not the subject.
const dlSubjectShare = 0.45

// layout fits the columns to the width (see fitColumnsDL).
func (p *DeltaList) layout() dlColumns {
	last := len(dlLastHeads[p.tab])
	author := len("author")
	for _, r := range p.rows[p.tab] {
		last = max(last, len([]rune(r.last)))
		author = max(author, len([]rune(r.author)))
	}
	return fitColumnsDL(p.width, last, min(author, 20))
}

// fitColumnsDL fits a list's columns to the width: the subject keeps at
// least dlSubjectShare of it (and dlMinSubject cells); the author column
// (author > 0) comes next, when the last column still gets dlMinLast+10
// cells with it; the last column gets what its widest row needs of the
// rest (at least dlMinLast); the subject gets what is left.
func fitColumnsDL(width, last, author int) dlColumns {
	fixed := dlMarkWidth + dlIDWidth + 1 + 1 + dlDateWidth + 1
	room := max(width-fixed, 8)
	keep := max(dlMinSubject, int(float64(width)*dlSubjectShare))
	col := dlColumns{}
	if author > 0 && room-keep-(author+1) >= dlMinLast+10 {
		col.author = author
		room -= author + 1
	}
	col.last = max(min(last, room-keep), min(last, dlMinLast))
	col.subject = max(room-col.last, 8)
	return col
}

// line lays out one row (or the heads) in the columns.
func (col dlColumns) line(mark, id, subject, author, date, last string) string {
	s := mark
	if !col.noID {
		s += padRight(id, dlIDWidth) + " "
	}
	s += padRight(subject, col.subject) + " "
	if col.author > 0 {
		s += padRight(author, col.author) + " "
	}
	return s + padRight(date, dlDateWidth) + " " + padRight(last, col.last)
}

// componentTests sums up the latest test results of the component.
func componentTests(cd *analyzer.ComponentDelta) string {
	switch {
	case len(cd.Tests) == 0:
		return "tests: none"
	case cd.FailingTests == 0:
		return fmt.Sprintf("tests: %d ok", len(cd.Tests))
	}
	return fmt.Sprintf("tests: %d FAIL of %d", cd.FailingTests, len(cd.Tests))
}

// count is a tab's count for the tab bar. The carried changes are known
// from the analysis before their statuses are read (the tab shows a
// spinner while they are).
func (p *DeltaList) count(t int) string {
	if t == tabCarried && !p.stLoaded {
		return fmt.Sprint(len(p.cd.DownstreamOnly))
	}
	return fmt.Sprint(len(p.rows[t]))
}

// empty says why a tab has no row.
func (p *DeltaList) empty() string {
	in := "in " + p.component
	if p.component == "" {
		in = "in any component"
	}
	switch p.tab {
	case tabMissingFixes:
		return fmt.Sprintf("no missing fixes: %s lacks no upstream fix for code it has %s", p.target, in)
	case tabMissing:
		return fmt.Sprintf("no missing commits: %s has every upstream commit %s since its base", p.target, in)
	case tabBackported:
		return fmt.Sprintf("no backports: %s carries no upstream commit %s since its base", p.target, in)
	}
	return fmt.Sprintf("no carried changes: %s carries no change %s since its base", p.target, in)
}

// info is the line under the tab bar: what the tab holds, the sort, the
// filter or the remembered text.
func (p *DeltaList) info() string {
	var parts []string
	switch p.tab {
	case tabMissing:
		if p.cd.Ignored > 0 {
			parts = append(parts, fmt.Sprintf("%d more ignored", p.cd.Ignored))
		}
	case tabCarried:
		if p.stLoaded {
			n := map[string]int{}
			for _, x := range p.carried {
				n[x.Status.Status]++
			}
			var st []string
			for _, s := range status.All() {
				if n[s] > 0 {
					st = append(st, fmt.Sprintf("%d %s", n[s], s))
				}
			}
			if len(st) > 0 {
				parts = append(parts, strings.Join(st, ", "))
			}
		}
	}
	order := dlSortNames[p.order]
	if p.order == sortRank && p.tab != tabMissingFixes && p.tab != tabMissing {
		order = dlSortNames[sortNewest] // no rank to sort these by
	}
	parts = append(parts, "sort: "+order)
	switch {
	case p.filter != "":
		parts = append(parts, fmt.Sprintf("filter %q: %d of %d", p.filter, len(p.shown), len(p.rows[p.tab])))
	case p.search != "":
		n := 0
		for _, r := range p.shown {
			if r.matches(p.search) {
				n++
			}
		}
		parts = append(parts, fmt.Sprintf("n/N: %q, %d rows •", p.search, n))
	}
	return strings.Join(parts, " · ")
}

// View draws the header, the tab bar and the rows around the cursor.
func (p *DeltaList) View() string {
	s := p.c.Styles
	if p.rd.running {
		return p.rd.spin.View() + " analyzing " + p.target + "… (esc cancels)"
	}
	if p.err != nil {
		return s.Error.Render("could not analyze: ") + safe(p.err.Error()) + "\n\n" + s.Dim.Render("Run 'kdelta sync' and try again; q goes back.")
	}
	if p.result == nil {
		return ""
	}
	var b strings.Builder
	put := func(line string) { b.WriteString(truncate(line, p.width) + "\n") }

	tests := componentTests(p.cd)
	if p.cd.FailingTests > 0 {
		tests = s.Bad.Render(tests)
	}
	put(s.Bold.Render(p.result.Downstream) + " against " + p.result.Upstream + " · " + label(p.component) + " · " + tests)

	var tabs []string
	for t := range tabCount {
		name := fmt.Sprintf("%d %s %s", t+1, dlTabNames[t], p.count(t))
		if t == p.tab {
			tabs = append(tabs, s.Selected.Render("["+name+"]"))
		} else {
			tabs = append(tabs, s.Dim.Render(" "+name+" "))
		}
	}
	put(strings.Join(tabs, " "))
	put(s.Dim.Render(p.info()))

	footer := func() string {
		if p.typing {
			p.input.Width = max(p.width-len(dlInputHint)-3, 10)
			return truncate(p.input.View()+s.Dim.Render(dlInputHint), p.width)
		}
		if len(p.shown) == 0 {
			return ""
		}
		r := p.shown[p.cur[p.tab]]
		about := r.more
		if about == "" {
			about = r.last
		}
		return truncate(s.Bold.Render(change.Short(r.id)+": ")+about, p.width) + "\n" +
			s.Dim.Render(fmt.Sprintf("row %d of %d", p.cur[p.tab]+1, len(p.shown)))
	}
	switch {
	case p.tab == tabCarried && p.st.running:
		put(p.st.spin.View() + " reading the statuses of " + p.target + "'s carried changes… (esc cancels)")
		return b.String() + footer()
	case p.tab == tabCarried && p.stErr != nil:
		put(s.Error.Render("could not read the statuses: ") + safe(p.stErr.Error()))
		return b.String() + footer()
	case len(p.rows[p.tab]) == 0:
		put(p.empty())
		return b.String() + footer()
	case len(p.shown) == 0:
		put(fmt.Sprintf("no row matches %q: / then esc clears the filter", p.filter))
		return b.String() + footer()
	}

	col := p.layout()
	put(s.Header.Render(col.line("  ", "id", "subject", "author", "date", dlLastHeads[p.tab])))
	n := p.rowsShown()
	cur := p.cur[p.tab]
	top := &p.top[p.tab]
	if cur < *top {
		*top = cur
	}
	if cur >= *top+n {
		*top = cur - n + 1
	}
	*top = max(min(*top, len(p.shown)-n), 0)
	marks := p.filter == "" && p.search != ""
	for i := *top; i < min(*top+n, len(p.shown)); i++ {
		r := p.shown[i]
		mark := "  "
		if marks && r.matches(p.search) {
			mark = " •"
		}
		if i == cur {
			mark = "›" + mark[1:]
		}
		line := col.line(mark, change.Short(r.id), r.subject, r.author, r.date.Format("2006-01-02"), r.last)
		if i == cur {
			line = s.Selected.Render(line)
		}
		put(line)
	}
	for i := min(*top+n, len(p.shown)) - *top; i < n; i++ {
		b.WriteString("\n")
	}
	return b.String() + footer()
}

// dlInputHint follows the filter input.
const dlInputHint = "   enter filters · esc clears"
