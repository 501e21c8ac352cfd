package tui

import (
	"fmt"
	"strings"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/analyzer/status"
	"github.com/kdelta/kdelta/change"
)

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
