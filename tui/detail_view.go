package tui

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/change"
)

// detBuilder collects a page's lines, cut to its width.
type detBuilder struct {
	w     int
	s     *Styles
	lines []string
}

func (b *detBuilder) add(line string) { b.lines = append(b.lines, truncate(line, b.w)) }

func (b *detBuilder) blank() { b.lines = append(b.lines, "") }

func (b *detBuilder) header(title string) {
	if len(b.lines) > 0 && b.lines[len(b.lines)-1] != "" {
		b.blank()
	}
	b.add(b.s.Header.Render(title))
}

// detLabelWidth is the width of a field's name.
const detLabelWidth = 12

// field adds "name  value", the value wrapped under itself.
func (b *detBuilder) field(name, value string, style lipgloss.Style) {
	b.indented("  ", name, value, style)
}

func (b *detBuilder) indented(indent, name, value string, style lipgloss.Style) {
	room := max(b.w-len(indent)-detLabelWidth, 10)
	wrapped := strings.Split(ansi.Wrap(detClean(value), room, " "), "\n")
	for i, l := range wrapped {
		label := ""
		if i == 0 {
			label = name
		}
		b.add(indent + padRight(label, detLabelWidth) + style.Render(l))
	}
}

// wrap adds a paragraph, wrapped.
func (b *detBuilder) wrap(text string, style lipgloss.Style) {
	for _, l := range strings.Split(ansi.Wrap(detClean(text), b.w, " "), "\n") {
		b.add(style.Render(l))
	}
}

// detClean keeps control characters (an escape in a subject, say) off the
// terminal: each line of s made safe, the line breaks kept.
func detClean(s string) string {
	if !strings.Contains(s, "\n") {
		return safe(s)
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = safe(l)
	}
	return strings.Join(lines, "\n")
}

// detExpandTabs turns tabs into spaces to the next stop of width tab, and
// shows every other control character escaped.
func detExpandTabs(s string, tab int) string {
	if !strings.Contains(s, "\t") {
		return safe(s)
	}
	var b strings.Builder
	col := 0
	for i, seg := range strings.Split(s, "\t") {
		if i > 0 {
			n := tab - col%tab
			b.WriteString(strings.Repeat(" ", n))
			col += n
		}
		seg = safe(seg)
		b.WriteString(seg)
		col += utf8.RuneCountInString(seg)
	}
	return b.String()
}

// detDiffLine renders one line of a diff: the prefix kept, the rest with
// tabs expanded, coloured by kind.
func detDiffLine(s *Styles, l string, tab int) (string, lipgloss.Style) {
	if l == "" {
		return "", s.Plain
	}
	if c := l[0]; c < 0x20 || c >= 0x7f { // not a diff line's mark
		return detExpandTabs(l, tab), s.Plain
	}
	text := l[:1] + detExpandTabs(l[1:], tab)
	switch {
	case strings.HasPrefix(l, "diff --git"), strings.HasPrefix(l, "+++ "), strings.HasPrefix(l, "--- "),
		strings.HasPrefix(l, "index "), strings.HasPrefix(l, "rename "), strings.HasPrefix(l, "similarity "),
		strings.HasPrefix(l, "new file"), strings.HasPrefix(l, "deleted file"):
		return detExpandTabs(l, tab), s.Bold
	case l[0] == '@':
		return detExpandTabs(l, tab), s.Dim
	case l[0] == '+':
		return text, s.Added
	case l[0] == '-':
		return text, s.Removed
	case l[0] == '\\':
		return text, s.Dim
	}
	return text, s.Plain
}

// subject is a named commit's id with its subject.
func (d *Detail) subject(id string) string {
	if sub, ok := d.info.Subjects[id]; ok {
		return change.Short(id) + " " + sub
	}
	return change.Short(id)
}

// summary is one line saying what the id is in the delta.
func (d *Detail) summary() (string, lipgloss.Style) {
	s, info := d.c.Styles, d.info
	switch info.Kind {
	case analyzer.DetailMissingFix:
		// What it fixes that the downstream has, and what it fixes that
		// is itself a missing fix: said apart, as the fixes lines say.
		var has, missing []string
		for _, f := range info.Fixes {
			if f.Missing {
				missing = append(missing, change.Short(f.ID))
			} else {
				has = append(has, change.Short(f.ID))
			}
		}
		var parts []string
		if len(has) > 0 {
			parts = append(parts, fmt.Sprintf("%s, which %s has", strings.Join(has, ", "), d.target))
		}
		if len(missing) > 0 {
			parts = append(parts, fmt.Sprintf("%s, itself a missing fix", strings.Join(missing, ", ")))
		}
		return fmt.Sprintf("missing fix: %s lacks it; it fixes %s", d.target, strings.Join(parts, ", and ")), s.Bad
	case analyzer.DetailMissing:
		return "missing: " + d.target + " lacks this upstream commit", s.Warn
	case analyzer.DetailIgnored:
		return "ignored: on the ignore list " + ignoreScopeText(info.Ignore.Scope) + ", kept out of the missing lists", s.Dim
	case analyzer.DetailBackported:
		var by []string
		for _, id := range info.Downstream {
			by = append(by, change.Short(id))
		}
		line := fmt.Sprintf("backported: %s carries it in %s", d.target, strings.Join(by, ", "))
		if info.Entry != nil && info.Entry.RevertedBy != "" {
			line += "; upstream reverted it in " + change.Short(info.Entry.RevertedBy)
		}
		return line, s.Good
	case analyzer.DetailBackport:
		var ups []string
		for _, id := range info.Upstream {
			ups = append(ups, change.Short(id))
		}
		return fmt.Sprintf("backport: %s carries upstream %s (%s, score %.2f)", d.target, strings.Join(ups, ", "),
			info.Match.Method, info.Match.Score), s.Good
	case analyzer.DetailCarried:
		line := "carried: " + d.target + " carries it, with no upstream counterpart"
		if info.Carried != nil {
			line += " (" + info.Carried.Status.Status + ")"
		}
		return line, s.Warn
	}
	return "upstream: neither missing from nor carried by " + d.target, s.Dim
}

// detail renders the sections of the page.
func (d *Detail) detail(b *detBuilder) {
	s, info, fp := d.c.Styles, d.info, d.info.Fingerprint
	b.wrap(fp.Subject, s.Bold)
	line, style := d.summary()
	b.wrap(line, style)

	b.header("Commit")
	b.field("id", fp.ID, s.Plain)
	author := fp.AuthorName
	if fp.AuthorEmail != "" {
		author += " <" + fp.AuthorEmail + ">"
	}
	b.field("author", author, s.Plain)
	date := fp.AuthorTime.Format("2006-01-02 15:04 -0700")
	if !fp.CommitTime.IsZero() && !fp.CommitTime.Equal(fp.AuthorTime) {
		date += ", committed " + fp.CommitTime.Format("2006-01-02 15:04 -0700")
		if fp.CommitterName != "" && fp.CommitterName != fp.AuthorName {
			date += " by " + fp.CommitterName
		}
	}
	b.field("date", date, s.Plain)
	comps := strings.Join(fp.Components, ", ")
	if comps == "" {
		comps = "none"
	}
	b.field("components", comps, s.Plain)
	if fp.PatchID != "" {
		b.field("patch-id", fp.PatchID, s.Plain)
	}
	if fp.Skip != "" {
		b.field("skipped", fp.Skip, s.Warn)
	}
	for i, f := range fp.Files {
		name := f.Path
		if f.OldPath != "" {
			name = f.OldPath + " → " + f.Path
		}
		kind := fmt.Sprintf("+%d -%d", f.Added, f.Deleted)
		if f.Binary {
			kind = "binary"
		}
		label := ""
		if i == 0 {
			label = "files"
		}
		b.field(label, kind+" "+name, s.Plain)
	}

	d.trailers(b)
	switch {
	case info.Kind.Downstream():
		d.matchSection(b)
		d.statusSection(b)
	case info.Kind != analyzer.DetailUpstream:
		d.deltaSection(b)
	}
	d.testsSection(b)

	b.header("Diff")
	switch {
	case info.DiffErr != nil:
		b.wrap("cannot read the diff: "+info.DiffErr.Error(), s.Error)
	case strings.TrimSpace(info.Diff) == "":
		b.add(s.Dim.Render("(empty diff)"))
	default:
		b.add(s.Dim.Render("from " + safe(info.DiffFrom)))
		for _, l := range strings.Split(strings.TrimRight(info.Diff, "\n"), "\n") {
			text, st := detDiffLine(s, l, 8)
			b.add(st.Render(truncate(text, b.w)))
		}
	}
}

func (d *Detail) trailers(b *detBuilder) {
	s, t := d.c.Styles, d.info.Fingerprint.Trailers
	b.header("Trailers")
	n := len(b.lines)
	for _, f := range t.Fixes {
		v := f.ID
		if f.Subject != "" {
			v += " (\"" + f.Subject + "\")"
		} else if sub, ok := d.info.Subjects[f.ID]; ok {
			v += " " + sub
		}
		b.field("fixes", v, s.Plain)
	}
	for _, r := range t.Upstream {
		v := r.ID + " (" + string(r.Style)
		if r.Partial {
			v += ", partial"
		}
		b.field("upstream", v+")", s.Plain)
	}
	if t.CcStable {
		b.field("cc", "stable@vger.kernel.org", s.Warn)
	}
	for _, c := range t.CVEs {
		b.field("cve", c, s.Bad)
	}
	if t.PatchMainline != "" {
		b.field("mainline", "Patch-mainline: "+t.PatchMainline, s.Plain)
	}
	if t.UpstreamStatus != "" {
		b.field("status", "Upstream Status: "+t.UpstreamStatus, s.Plain)
	}
	if t.Prefix != "" {
		b.field("prefix", t.Prefix+":", s.Plain)
	}
	for _, l := range t.Links {
		b.field("link", l, s.Plain)
	}
	if len(b.lines) == n {
		b.add(s.Dim.Render("  none"))
	}
}

// matchSection explains a downstream change's match.
func (d *Detail) matchSection(b *detBuilder) {
	s, info := d.c.Styles, d.info
	b.header("Match")
	m := info.Match
	if len(m.Upstream) == 0 {
		b.field("method", m.Method+": no upstream counterpart", s.Warn)
	} else {
		b.field("method", fmt.Sprintf("%s, score %.2f", m.Method, m.Score), s.Plain)
		for i, u := range m.Upstream {
			label := ""
			if i == 0 {
				label = "upstream"
			}
			b.field(label, d.subject(u), s.Plain)
		}
	}
	if m.Why != "" {
		b.field("why", m.Why, s.Plain)
	}
	if info.HasManualMatch {
		what := "set by hand"
		if len(info.ManualMatch) == 0 {
			what += " as downstream-only"
		}
		b.field("manual", what+"; M clears it", s.Warn)
	}
	for _, p := range info.Problems {
		b.field("problem", p.Ref+": "+p.Why, s.Error)
	}
}

// statusSection shows a carried change's status, its evidence and its
// timeline over the snapshots.
func (d *Detail) statusSection(b *detBuilder) {
	s, info := d.c.Styles, d.info
	b.header("Status")
	if info.StatusErr != nil {
		b.wrap("  cannot decide the status: "+info.StatusErr.Error(), s.Error)
	}
	if c := info.Carried; c != nil {
		st := c.Status
		line := st.Status
		if st.Release != "" {
			line += ", first released in " + st.Release
		}
		if st.Reason != "" {
			line += ": " + st.Reason
		}
		b.field("status", line, detStatusStyle(s, st.Status))
		if st.MessageID != "" {
			b.field("posting", fmt.Sprintf("v%d on %s, <%s>", st.Version, st.Date.Format("2006-01-02"), st.MessageID), s.Plain)
		}
		for i, e := range st.Evidence {
			label := ""
			if i == 0 {
				label = "evidence"
			}
			b.field(label, e.From+": "+e.What, s.Plain)
		}
		if st.Conflict != "" {
			b.field("conflict", st.Conflict, s.Warn)
		}
	}
	if a := info.Annotation; a != nil {
		b.field("manual", fmt.Sprintf("%s since %s: %s; A clears it", a.Status, a.Created.Format("2006-01-02"), a.Reason), s.Warn)
	}
	b.add("  " + s.Bold.Render("timeline"))
	if len(info.Timeline) == 0 {
		b.add(s.Dim.Render("    no snapshot has it yet: 'kdelta sync' saves one"))
		return
	}
	// Runs of snapshots with the same status and evidence are one line.
	tl := info.Timeline
	for i := 0; i < len(tl); {
		j := i
		for j+1 < len(tl) && detSameStatus(tl[j+1], tl[i]) {
			j++
		}
		when := fmt.Sprintf("#%d", tl[i].Snapshot)
		if j > i {
			when += fmt.Sprintf("-%d", tl[j].Snapshot)
		}
		when += " " + tl[i].At.Format("2006-01-02")
		st := tl[i].Status
		what := ""
		if len(st.Evidence) > 0 {
			what = st.Evidence[0].From + ": " + st.Evidence[0].What
		}
		b.add("    " + padRight(when, 18) + detStatusStyle(s, st.Status).Render(padRight(st.Status, 10)) + detClean(what))
		i = j + 1
	}
}

func detSameStatus(a, b analyzer.TimelineEntry) bool {
	if a.Status.Status != b.Status.Status || len(a.Status.Evidence) != len(b.Status.Evidence) {
		return false
	}
	for i := range a.Status.Evidence {
		if a.Status.Evidence[i] != b.Status.Evidence[i] {
			return false
		}
	}
	return true
}

func detStatusStyle(s *Styles, st string) lipgloss.Style {
	switch st {
	case "mainline", "queued":
		return s.Good
	case "submitted":
		return s.Plain
	case "rejected":
		return s.Bad
	case "never", "unknown":
		return s.Warn
	}
	return s.Plain
}

// deltaSection says what an upstream commit is in the delta.
func (d *Detail) deltaSection(b *detBuilder) {
	s, info := d.c.Styles, d.info
	b.header("In " + d.target)
	switch info.Kind {
	case analyzer.DetailMissing, analyzer.DetailMissingFix:
		b.field("missing", d.target+" lacks it", s.Warn)
		for i, f := range info.Fixes {
			label := ""
			if i == 0 {
				label = "fixes"
			}
			b.field(label, d.subject(f.ID)+" ("+f.How+")", s.Bad)
		}
		if e := info.Entry; e != nil && (e.Stable || len(e.CVEs) > 0) {
			var why []string
			if e.Stable {
				why = append(why, "Cc: stable")
			}
			why = append(why, e.CVEs...)
			b.field("priority", strings.Join(why, ", "), s.Bad)
		}
	case analyzer.DetailBackported:
		for i, m := range info.Carriers {
			label := ""
			if i == 0 {
				label = "carried by"
			}
			b.field(label, fmt.Sprintf("%s (%s, score %.2f)", d.subject(m.Downstream), m.Method, m.Score), s.Good)
		}
		if e := info.Entry; e != nil && e.RevertedBy != "" {
			b.field("reverted", "upstream reverted it in "+d.subject(e.RevertedBy), s.Warn)
		}
	case analyzer.DetailIgnored:
		ig := info.Ignore
		by := ""
		if ig.Who != "" {
			by = " by " + ig.Who
		}
		b.field("ignored", fmt.Sprintf("%s (%s, since %s%s)", ig.Reason, ignoreScopeText(ig.Scope), ig.Created.Format("2006-01-02"), by), s.Dim)
	}
}

// detMaxTests is how many related test results the page lists.
const detMaxTests = 12

func (d *Detail) testsSection(b *detBuilder) {
	s, info := d.c.Styles, d.info
	source, _ := analyzer.Target(d.target)
	b.header("Tests")
	if info.TestErr != nil {
		b.wrap("  cannot read the test results: "+info.TestErr.Error(), s.Error)
		return
	}
	if len(info.Tests) == 0 {
		b.add(s.Dim.Render("  no result of a test covering " + strings.Join(info.Fingerprint.Components, ", ") + " on " + source))
		return
	}
	b.add(s.Dim.Render("  latest results on " + source + " of the tests covering " + strings.Join(info.Fingerprint.Components, ", ")))
	testW, labW := 0, 0
	for _, t := range info.Tests {
		testW, labW = max(testW, ansi.StringWidth(safe(t.Test))), max(labW, ansi.StringWidth(safe(t.Lab)))
	}
	testW, labW = min(testW, 32), min(labW, 12)
	for i, t := range info.Tests {
		if i == detMaxTests {
			b.add(s.Dim.Render(fmt.Sprintf("  … and %d more", len(info.Tests)-detMaxTests)))
			break
		}
		// One row a result: its cells on one line, coloured as the test
		// pages' tables colour a status.
		st := statusStyle(s, t.Status, false)
		line := "  " + st.Render(padRight(safe(t.Status), 6)) + padRight(safe(t.Test), testW) + " "
		if labW > 0 {
			line += padRight(safe(t.Lab), labW) + " "
		}
		b.add(line + safe(t.Target) + " " + s.Dim.Render(safe(t.Hardware)))
	}
}
