package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/internal/termtext"
)

// WriteMarkdown writes d as GitHub-flavoured Markdown: with several
// downstreams a component x downstream matrix first, then per downstream
// its components, missing fixes, carried changes by status with their
// evidence, and test health. All repository text is escaped, for Markdown
// and for the HTML it is often rendered to.
func WriteMarkdown(w io.Writer, d *Document) error {
	if d == nil {
		return errors.New("report: no document")
	}
	d = filled(d, nil)
	var b bytes.Buffer
	fmt.Fprintf(&b, "# kdelta report\n\nGenerated %s by %s (report schema %d) for %s", stamp(d.Generated), mdText(generator(d)), d.SchemaVersion, plural(len(d.Downstreams), "downstream", "downstreams"))
	if len(d.Downstreams) > 0 {
		names := make([]string, len(d.Downstreams))
		for i, o := range d.Downstreams {
			names[i] = mdText(o.Downstream)
		}
		fmt.Fprintf(&b, ": %s", strings.Join(names, ", "))
	}
	b.WriteString(".\n")
	if len(d.Downstreams) > 1 {
		m := buildMatrix(d.Downstreams)
		b.WriteString("\n## Components by downstream\n\n" + mdText(matrixLegend) + "\n\n")
		head := []string{"component"}
		right := []bool{false}
		for _, n := range m.Downstreams {
			head = append(head, mdText(n))
			right = append(right, true)
		}
		var rows [][]string
		for _, r := range m.Rows {
			row := []string{mdText(componentName(r.Component))}
			for _, c := range r.Cells {
				row = append(row, mdText(c.Text()))
			}
			rows = append(rows, row)
		}
		mdTable(&b, head, right, rows)
	}
	for i := range d.Comparisons {
		c := &d.Comparisons[i]
		fmt.Fprintf(&b, "\n## %s and %s compared\n", mdText(c.A), mdText(c.B))
		markdownComparison(&b, c, false, "###")
	}
	for i := range d.Downstreams {
		markdownDownstream(&b, &d.Downstreams[i])
	}
	_, err := w.Write(b.Bytes())
	return err
}

// generator is who wrote a document.
func generator(d *Document) string {
	if d.Generator == "" {
		return Generator
	}
	return d.Generator
}

func markdownDownstream(b *bytes.Buffer, o *analyzer.Overview) {
	fmt.Fprintf(b, "\n## %s against %s\n\n", mdText(o.Downstream), mdText(o.Upstream))
	if o.Kind != "" {
		fmt.Fprintf(b, "- kind: %s\n", mdText(o.Kind))
	}
	fmt.Fprintf(b, "- base: %s\n", mdText(analyzer.BaseText(o.Base, o.BaseHow)))
	fmt.Fprintf(b, "- tip: %s\n", mdCode(change.Short(o.Tip)))
	if o.Snapshot != 0 {
		fmt.Fprintf(b, "- snapshot: %d\n", o.Snapshot)
	}
	if o.Partial != "" {
		fmt.Fprintf(b, "\n**Partial:** %s\n", mdText(o.Partial))
	}

	markdownSummary(b, o)

	// Components.
	b.WriteString("\n### Components\n\n")
	cols := statusColumns(o.Components)
	head := []string{"component", "backported", "missing", "missing fixes", "carried"}
	right := []bool{false, true, true, true, true}
	for _, s := range cols {
		head = append(head, mdText(s))
		right = append(right, true)
	}
	head = append(head, "tests pass / fail / other", "change")
	right = append(right, true, true)
	var rows [][]string
	for _, c := range o.Components {
		name := mdText(componentName(c.Component))
		if c.Tests.Fail > 0 {
			name += " **!**"
		}
		row := []string{name, fmt.Sprint(c.Backported), fmt.Sprint(c.Missing), fmt.Sprint(c.MissingFixes), fmt.Sprint(c.Carried)}
		for _, s := range cols {
			row = append(row, fmt.Sprint(c.ByStatus[s]))
		}
		row = append(row, fmt.Sprintf("%d / %d / %d", c.Tests.Pass, c.Tests.Fail, c.Tests.Other), changeCell(c.Change))
		rows = append(rows, row)
	}
	mdTable(b, head, right, rows)
	b.WriteString("\ncarried: the changes the downstream carries that upstream lacks; the status columns split them. **!**: the component has failing tests.")
	if since := changeSince(o.Components); since != "" {
		fmt.Fprintf(b, " change: backported / missing / missing fixes / carried since %s; - when there is no earlier snapshot.", mdText(since))
	} else {
		b.WriteString(" change: - (no earlier snapshot).")
	}
	b.WriteString("\n")

	// Missing fixes.
	fmt.Fprintf(b, "\n### Missing fixes (%d)\n\nMost critical first: CVE, then fixes of code a release ships, then Cc: stable, then the rest.\n\n", len(o.MissingFixes))
	if len(o.MissingFixes) == 0 {
		b.WriteString("None: the downstream has every upstream fix for code it has.\n")
	} else {
		rows = rows[:0]
		for _, m := range o.MissingFixes {
			var fixes []string
			for _, f := range fixesOf(m) {
				s := mdCode(change.Short(f.ID))
				if f.Subject != "" {
					s += " " + mdText(f.Subject)
				}
				switch {
				case isMissingFix(o.MissingFixes, f.ID):
					s += " (missing fix)"
				case len(f.Carried) > 0:
					s += " (backport)"
				}
				fixes = append(fixes, s)
			}
			rows = append(rows, []string{mdCode(change.Short(m.ID)), mdText(m.Priority.Text()), mdText(m.Subject), mdText(m.Author), day(m.Date),
				mdText(componentList(m.Components)), strings.Join(fixes, "<br>")})
		}
		mdTable(b, []string{"id", "priority", "subject", "author", "date", "components", "fixes"}, nil, rows)
	}

	// Carried changes.
	groups := groupCarried(o.Carried)
	fmt.Fprintf(b, "\n### Carried changes (%d)\n\nThe changes %s carries that upstream lacks, by where they stand on their way upstream.\n\n", len(o.Carried), mdText(o.Downstream))
	if len(groups) == 0 {
		b.WriteString("None.\n")
	} else {
		counts := make([]string, len(groups))
		for i, g := range groups {
			counts[i] = fmt.Sprintf("%s %d", mdText(statusName(g.Status)), len(g.Changes))
		}
		fmt.Fprintf(b, "By status: %s.\n", strings.Join(counts, ", "))
	}
	for _, g := range groups {
		fmt.Fprintf(b, "\n#### %s (%d)\n\n", mdText(statusName(g.Status)), len(g.Changes))
		rows = rows[:0]
		for _, c := range g.Changes {
			id := mdCode(change.Short(c.ID))
			if c.Path != "" {
				id += "<br>" + mdCode(c.Path)
			}
			rows = append(rows, []string{id, mdText(c.Subject), mdText(c.Author), day(c.Date), mdText(componentList(c.Components)), markdownEvidence(c)})
		}
		mdTable(b, []string{"id", "subject", "author", "date", "components", "evidence"}, nil, rows)
	}

	// Test health.
	n := analyzer.CountTests(o.Tests)
	fmt.Fprintf(b, "\n### Test health\n\n%s: %d pass, %d fail, %d other (latest result of each test).\n", plural(len(o.Tests), "test", "tests"), n.Pass, n.Fail, n.Other)
	if ft := failingTests(o.Tests); len(ft) > 0 {
		fmt.Fprintf(b, "\n#### Failing tests (%d)\n\n", len(ft))
		rows = rows[:0]
		for _, t := range ft {
			rows = append(rows, []string{mdCode(t.Test), mdText(componentList(t.Components)), mdText(t.Lab), mdText(t.Hardware), mdText(t.Target), mdText(t.Message)})
		}
		mdTable(b, []string{"test", "components", "lab", "hardware", "target", "message"}, nil, rows)
	}
	groupsR := analyzer.GroupRegressions(o.Regressions)
	fmt.Fprintf(b, "\n#### Regressions (%s)\n", plural(len(o.Regressions), "test went from PASS to FAIL", "tests went from PASS to FAIL"))
	if len(groupsR) == 0 {
		b.WriteString("\nNo test went from PASS to FAIL between two targets.\n")
	}
	for _, g := range groupsR {
		r := g.First
		fmt.Fprintf(b, "\n##### %s: PASS on %s, FAIL on %s", mdText(r.Source), mdText(r.Passed.Target), mdText(r.Failed.Target))
		if len(r.Components) > 0 {
			fmt.Fprintf(b, " (%s)", mdText(componentList(r.Components)))
		}
		b.WriteString("\n\n")
		for _, t := range g.Tests {
			fmt.Fprintf(b, "- FAIL %s", mdCode(t.Test))
			if w := where(t.Lab, t.Hardware); w != "" {
				fmt.Fprintf(b, " (%s)", mdText(w))
			}
			if t.Failed.Message != "" {
				fmt.Fprintf(b, ": %s", mdText(t.Failed.Message))
			}
			b.WriteString("\n")
		}
		if r.Note != "" {
			fmt.Fprintf(b, "\nNote: %s\n", mdText(r.Note))
		}
		if len(r.Components) > 0 {
			fmt.Fprintf(b, "\nSuspects: %d of the %d changes between the two targets touch %s.\n", len(r.Suspects), r.Between, mdText(componentList(r.Components)))
		}
		if len(r.Suspects) > 0 {
			b.WriteString("\n")
			rows = rows[:0]
			for i, s := range r.Suspects {
				rows = append(rows, []string{fmt.Sprint(i + 1), mdCode(change.Short(s.ID)), mdText(s.Subject), mdText(s.Author), day(s.Date), fmt.Sprint(s.Lines), fmt.Sprintf("%.0f%%", 100*s.Share)})
			}
			mdTable(b, []string{"#", "id", "subject", "author", "date", "lines", "share"}, []bool{true, false, false, false, false, true, true}, rows)
		}
		if r.MissingOn != "" || len(r.MissingFixes) > 0 {
			fmt.Fprintf(b, "\nMissing upstream fixes for %s", mdText(componentList(r.Components)))
			if r.MissingOn != "" {
				fmt.Fprintf(b, " on %s", mdText(r.MissingOn))
			}
			fmt.Fprintf(b, ": %d.\n", len(r.MissingFixes))
			if len(r.MissingFixes) > 0 {
				b.WriteString("\n")
				rows = rows[:0]
				for _, m := range r.MissingFixes {
					var fx []string
					for _, f := range m.Fixes {
						fx = append(fx, mdCode(change.Short(f)))
					}
					rows = append(rows, []string{mdCode(change.Short(m.ID)), mdText(m.Subject), day(m.Date), strings.Join(fx, ", "), mdText(strings.Join(flags(m), ", "))})
				}
				mdTable(b, []string{"id", "subject", "date", "fixes", "flags"}, nil, rows)
			}
		}
	}
}

// markdownSummary writes the one-screen summary of a downstream: the
// critical missing commits, the counts and the trend.
func markdownSummary(b *bytes.Buffer, o *analyzer.Overview) {
	w := whole(o)
	b.WriteString("\n### Summary\n\n")
	fmt.Fprintf(b, "- critical: %s", plural(len(o.Critical), "missing commit names a CVE or fixes code a release ships", "missing commits name a CVE or fix code a release ships"))
	if len(o.Critical) == 0 {
		b.WriteString("\n")
	} else {
		b.WriteString(":\n")
	}
	for i, m := range o.Critical {
		if i == summaryCritical {
			fmt.Fprintf(b, "  - ... and %d more (see Missing fixes)\n", len(o.Critical)-i)
			break
		}
		fmt.Fprintf(b, "  - %s %s: %s", mdCode(change.Short(m.ID)), mdText(m.Subject), mdText(m.Priority.Text()))
		if len(m.Components) > 0 {
			fmt.Fprintf(b, " (%s)", mdText(componentList(m.Components)))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(b, "- missing: %d upstream commits, %d of them fixes of code it has, %d naming a CVE\n", w.Missing, w.MissingFixes, w.CVEs)
	fmt.Fprintf(b, "- carried: %d changes upstream lacks", w.Carried)
	if sc := statusCounts(w); sc != "" {
		fmt.Fprintf(b, " (%s)", mdText(sc))
	}
	fmt.Fprintf(b, "; backported: %d upstream commits\n", w.Backported)
	fmt.Fprintf(b, "- tests: %d pass, %d fail, %d other; %s\n", w.Tests.Pass, w.Tests.Fail, w.Tests.Other,
		plural(len(o.Regressions), "test went from PASS to FAIL", "tests went from PASS to FAIL"))
	if t := trendText(o.Trend); t != "" {
		fmt.Fprintf(b, "- trend: %s\n", mdText(t))
	} else {
		b.WriteString("- trend: one snapshot so far\n")
	}
}

// markdownEvidence is a carried change's evidence in one table cell:
// each fact "from: what", then the release, message-id, version, date and
// reason, then the conflict.
func markdownEvidence(c analyzer.Carried) string {
	var parts []string
	for _, e := range c.Status.Evidence {
		parts = append(parts, mdText(e.From)+": "+mdText(e.What))
	}
	for _, f := range evidenceFacts(c.Status) {
		parts = append(parts, f[0]+": "+mdText(f[1]))
	}
	if len(c.Status.Upstream) > 0 {
		ids := make([]string, len(c.Status.Upstream))
		for i, u := range c.Status.Upstream {
			ids[i] = mdCode(change.Short(u))
		}
		parts = append(parts, "matched: "+strings.Join(ids, ", "))
	}
	if c.Status.Conflict != "" {
		parts = append(parts, "**conflict:** "+mdText(c.Status.Conflict))
	}
	return strings.Join(parts, "<br>")
}

// mdTable writes a GitHub-flavoured table of cells already escaped;
// right says which columns are aligned right (numbers).
func mdTable(b *bytes.Buffer, head []string, right []bool, rows [][]string) {
	b.WriteString("|")
	for _, h := range head {
		b.WriteString(" " + h + " |")
	}
	b.WriteString("\n|")
	for i := range head {
		if i < len(right) && right[i] {
			b.WriteString("---:|")
		} else {
			b.WriteString("---|")
		}
	}
	b.WriteString("\n")
	for _, r := range rows {
		b.WriteString("|")
		for _, c := range r {
			if c == "" {
				b.WriteString(" |")
				continue
			}
			b.WriteString(" " + c + " |")
		}
		b.WriteString("\n")
	}
}

// mdText makes untrusted text safe in a Markdown table cell, heading or
// list item, and in the HTML the Markdown is rendered to: line breaks,
// control characters and bidi controls (termtext.Unsafe: what a terminal
// would obey, or what shows text in another order than it is stored)
// become spaces, HTML-significant characters become entities, and Markdown
// punctuation (including the table's |) is escaped with a backslash.
func mdText(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '_':
			// Inside a word, _ is no emphasis (GFM): keep snake_case plain.
			if i > 0 && i+1 < len(rs) && isWordRune(rs[i-1]) && isWordRune(rs[i+1]) {
				b.WriteByte('_')
			} else {
				b.WriteString("\\_")
			}
		case '\\', '`', '*', '[', ']', '|', '~', '$', '#', '!':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			if termtext.Unsafe(r) {
				b.WriteByte(' ')
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// mdCode shows an identifier (a commit id, a test, a file) as code when
// it is plain, else as escaped text.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || strings.ContainsRune("._/@:+-=,", r)) {
			return mdText(s)
		}
	}
	return "`" + s + "`"
}
