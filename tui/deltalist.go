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
// statuses (analyzer.Service.CarriedIn, on the session's kept analysis
// and statuses, slower the first time) the first time it is opened. This file loads the page and handles its keys, the filter and
// the sort; deltalist_view.go draws it.
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
	c, target, component := p.c, p.target, p.component
	return func() tea.Msg {
		carried, err := c.Svc.CarriedIn(ctx, c, target, component)
		return carriedLoaded{page: p, seq: seq, carried: carried, err: err}
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
