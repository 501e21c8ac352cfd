package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/change"
)

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
