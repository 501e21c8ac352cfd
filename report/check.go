package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/change"
)

// checkGrid is a check result laid out by downstream and kind, in the
// order the downstreams first appear and the kinds of
// analyzer.CheckKinds (then any other kind, in order of appearance).
type checkGrid struct {
	downstreams []string
	kinds       []string
	cells       map[[2]string]*analyzer.Check
	ran         int // checks that ran (cells not skipped)
	findings    int
}

func newCheckGrid(r *analyzer.CheckResult) checkGrid {
	g := checkGrid{kinds: analyzer.CheckKinds(), cells: map[[2]string]*analyzer.Check{}}
	seenD := map[string]bool{}
	seenK := map[string]bool{}
	for _, k := range g.kinds {
		seenK[k] = true
	}
	for i := range r.Checks {
		c := &r.Checks[i]
		if !seenD[c.Downstream] {
			seenD[c.Downstream] = true
			g.downstreams = append(g.downstreams, c.Downstream)
		}
		if !seenK[c.Kind] {
			seenK[c.Kind] = true
			g.kinds = append(g.kinds, c.Kind)
		}
		k := [2]string{c.Downstream, c.Kind}
		if prev := g.cells[k]; prev != nil {
			// The same check twice: one cell with every finding.
			merged := *prev
			merged.Findings = append(append([]analyzer.Finding(nil), prev.Findings...), c.Findings...)
			if merged.Skipped != "" && c.Skipped == "" {
				merged.Skipped = ""
			}
			g.cells[k] = &merged
		} else {
			g.cells[k] = c
		}
		g.findings += len(c.Findings)
	}
	for _, c := range g.cells {
		if c.Skipped == "" || len(c.Findings) > 0 {
			g.ran++
		}
	}
	return g
}

// baselineName is how the baseline is named in a headline.
func baselineName(r *analyzer.CheckResult) string {
	if r.Baseline == "" {
		return "the baseline"
	}
	return r.Baseline
}

// checkHeadline is the one-line verdict.
func checkHeadline(r *analyzer.CheckResult, g checkGrid) string {
	if g.findings == 0 {
		return fmt.Sprintf("kdelta check: no regressions (%s against %s)", plural(g.ran, "check", "checks"), baselineName(r))
	}
	return fmt.Sprintf("kdelta check: %s in %s against %s", plural(g.findings, "regression", "regressions"), plural(g.ran, "check", "checks"), baselineName(r))
}

// findingLine is one finding in words: its kind and component, what
// regressed (subject and id), and how (the detail). A piece another piece
// already says is left out, so nothing is said twice: the component when
// the subject or the detail begins with it; the subject of a finding with
// no id when the detail begins with the component (it names the subject
// itself); the id when the subject or the detail shows it; "was -> now"
// when the detail of a backport, missing-fix, growth or test finding
// tells the change in its own words ("no change carries it now", "PASS on
// A, FAIL on B"). A status finding keeps its statuses, once. esc escapes
// each piece of text for the format.
func findingLine(f analyzer.Finding, esc func(string) string) string {
	trans := orNone(f.Was) + " -> " + orNone(f.Now)
	how := f.Detail
	switch {
	case how == "":
		how = trans
	case strings.HasPrefix(how, trans):
		if rest := strings.TrimLeft(strings.TrimPrefix(how, trans), ":; "); rest != "" {
			how = trans + ": " + rest
		} else {
			how = trans
		}
	case !slices.Contains([]string{analyzer.CheckBackport, analyzer.CheckMissingFix, analyzer.CheckGrowth, analyzer.CheckTest}, f.Kind):
		how = trans + "; " + how
	}
	startsWith := func(s, word string) bool {
		return word != "" && (s == word || strings.HasPrefix(s, word+" ") || strings.HasPrefix(s, word+"."))
	}
	subject := f.Subject
	if f.ID == "" && startsWith(f.Detail, f.Component) {
		subject = ""
	}
	var b strings.Builder
	b.WriteString(esc(f.Kind))
	if f.Component != "" && !startsWith(subject, f.Component) && !startsWith(how, f.Component) {
		b.WriteString(" " + esc(f.Component))
	}
	b.WriteString(": ")
	if subject != "" {
		b.WriteString(esc(subject))
		if short := change.Short(f.ID); short != "" && !strings.Contains(subject, short) && !strings.Contains(how, short) {
			b.WriteString(" (" + esc(short) + ")")
		}
		b.WriteString(": ")
	}
	b.WriteString(esc(how))
	return b.String()
}

func plain(s string) string { return s }

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// checkWidth is the width the check's Markdown keeps to: a CI log.
const checkWidth = 120

// WriteCheckMarkdown writes the outcome of kdelta check for a CI log or a
// job summary, as plain Markdown that reads the same raw and rendered: a
// headline, a table of downstream x check kind (pass, FAIL (n), skipped,
// - when not run), then the findings and the skipped checks as list
// items. A finding the same on several downstreams is one item naming
// them, as is a check skipped for the same reason. Lines keep to 120
// columns (a long item wraps, its next lines indented); repository text is
// escaped with backslashes only (mdPlain), never with HTML entities.
func WriteCheckMarkdown(w io.Writer, r *analyzer.CheckResult) error {
	if r == nil {
		return errors.New("report: no check result")
	}
	g := newCheckGrid(r)
	var b bytes.Buffer
	b.WriteString(wrapMarkdown(mdPlain(checkHeadline(r, g)), "", "", checkWidth) + "\n")
	if len(g.downstreams) > 0 {
		b.WriteString("\n")
		head := []string{"downstream"}
		for _, k := range g.kinds {
			head = append(head, mdPlain(k))
		}
		var rows [][]string
		for _, d := range g.downstreams {
			row := []string{mdPlain(d)}
			for _, k := range g.kinds {
				row = append(row, checkCell(g.cells[[2]string{d, k}]))
			}
			rows = append(rows, row)
		}
		mdTable(&b, head, nil, rows)
	}
	// Items in the order of their first downstream and kind, each naming
	// every downstream it holds for.
	type item struct {
		text  string
		where []string
	}
	var findings, skipped []*item
	add := func(list *[]*item, text, d string) {
		for _, it := range *list {
			if it.text == text {
				it.where = append(it.where, d)
				return
			}
		}
		*list = append(*list, &item{text: text, where: []string{d}})
	}
	for _, d := range g.downstreams {
		for _, k := range g.kinds {
			c := g.cells[[2]string{d, k}]
			if c == nil {
				continue
			}
			for _, f := range c.Findings {
				if f.Kind == "" {
					f.Kind = c.Kind
				}
				add(&findings, findingLine(f, mdPlain), d)
			}
			switch {
			case c.Skipped != "" && len(c.Findings) == 0 && c.NoResults:
				add(&skipped, mdPlain(k)+" did not run\x00"+mdPlain(c.Skipped), d)
			case c.Skipped != "" && len(c.Findings) == 0:
				add(&skipped, mdPlain(k)+" skipped\x00"+mdPlain(c.Skipped), d)
			}
		}
	}
	if len(findings) > 0 {
		b.WriteString("\nRegressions:\n\n")
		for _, it := range findings {
			b.WriteString(wrapMarkdown(mdPlain(strings.Join(it.where, ", "))+": "+it.text, "- ", "  ", checkWidth) + "\n")
		}
	}
	if len(skipped) > 0 {
		b.WriteString("\nSkipped:\n\n")
		for _, it := range skipped {
			what, why, _ := strings.Cut(it.text, "\x00")
			line := what + " on " + mdPlain(strings.Join(it.where, ", ")) + ": " + why
			if len(it.where) == 1 && strings.Contains(why, mdPlain(it.where[0])) {
				line = what + ": " + why // the reason names the downstream
			}
			b.WriteString(wrapMarkdown(line, "- ", "  ", checkWidth) + "\n")
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// mdPlain makes untrusted text safe in Markdown meant to be read raw as
// well as rendered (a CI log, a job summary): line breaks and control
// characters become spaces, and only what would change the rendering is
// escaped, with a backslash: the table's |, emphasis, code, links, HTML
// tags (<) and entities (&name;). No HTML entity is written.
func mdPlain(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		switch r {
		case '_':
			// Inside a word, _ is no emphasis (GFM): keep snake_case plain.
			if i > 0 && i+1 < len(rs) && isWordRune(rs[i-1]) && isWordRune(rs[i+1]) {
				b.WriteByte('_')
			} else {
				b.WriteString("\\_")
			}
		case '&':
			if entityAt(rs[i+1:]) {
				b.WriteByte('\\')
			}
			b.WriteByte('&')
		case '\\', '`', '*', '[', ']', '|', '~', '<':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
				b.WriteByte(' ')
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// entityAt says whether rs (what follows an &) would make an HTML entity:
// a name or a number, then ;.
func entityAt(rs []rune) bool {
	for i, r := range rs {
		switch {
		case r == ';':
			return i > 0
		case i < 32 && (r == '#' && i == 0 || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'):
		default:
			return false
		}
	}
	return false
}

// wrapMarkdown wraps text at spaces to width columns: the first line
// starts with first, the next ones with indent (which keeps them in a list
// item). A line never starts with a word Markdown would read as the start
// of a block (a list marker, a heading, a quote, a table row, a setext
// underline): such a word stays at the end of the line before. A word
// longer than a line stays whole.
func wrapMarkdown(text, first, indent string, width int) string {
	words := strings.Fields(text)
	var b strings.Builder
	line := first
	n := utf8.RuneCountInString(line)
	empty := true
	for _, w := range words {
		wl := utf8.RuneCountInString(w)
		if !empty && n+1+wl > width && !startsBlock(w) {
			b.WriteString(line + "\n")
			line, n, empty = indent, utf8.RuneCountInString(indent), true
		}
		if !empty {
			line += " "
			n++
		}
		line += w
		n += wl
		empty = false
	}
	b.WriteString(line)
	return b.String()
}

// startsBlock says whether a word at the start of a line could start a
// Markdown block: a list marker (-, +, *, 1., 1)), a heading (#), a quote
// (>), a table row (|), a setext underline (=, -), a fence (`, ~).
func startsBlock(w string) bool {
	switch w[0] {
	case '-', '+', '*', '#', '>', '|', '=', '`', '~':
		return true
	}
	i := 0
	for i < len(w) && w[i] >= '0' && w[i] <= '9' {
		i++
	}
	return i > 0 && i < len(w) && (w[i] == '.' || w[i] == ')')
}

// checkCell is one check in the table.
func checkCell(c *analyzer.Check) string {
	switch {
	case c == nil:
		return "-"
	case len(c.Findings) > 0:
		return fmt.Sprintf("FAIL (%d)", len(c.Findings))
	case c.NoResults:
		return "no results"
	case c.Skipped != "":
		return "skipped"
	}
	return "pass"
}

// The JUnit XML elements, as Jenkins, GitLab and GitHub read them.
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Skipped  int          `xml:"skipped,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Properties []junitProperty `xml:"properties>property,omitempty"`
		Cases      []junitCase     `xml:"testcase"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Classname string        `xml:"classname,attr"`
		Name      string        `xml:"name,attr"`
		Failure   *junitFailure `xml:"failure,omitempty"`
		Skipped   *junitSkipped `xml:"skipped,omitempty"`
	}
	junitFailure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
	junitSkipped struct {
		Message string `xml:"message,attr"`
	}
)

// MarshalXML writes a failure with its findings on lines of their own
// (encoding/xml would write the line breaks of a chardata field as &#xA;).
func (f junitFailure) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	start.Attr = []xml.Attr{{Name: xml.Name{Local: "message"}, Value: f.Message}, {Name: xml.Name{Local: "type"}, Value: f.Type}}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if err := e.EncodeToken(xml.CharData("\n" + f.Text + "\n")); err != nil {
		return err
	}
	return e.EncodeToken(start.End())
}

// WriteJUnit writes the outcome of kdelta check as JUnit XML: a
// <testsuites name="kdelta check"> with one <testsuite> per downstream and
// one <testcase classname="kdelta.check.DOWNSTREAM" name="KIND"> per
// check. A check with findings has a <failure> listing them one per line;
// a skipped check has a <skipped> saying why. The root and each suite
// count their tests, failures and skipped checks.
func WriteJUnit(w io.Writer, r *analyzer.CheckResult) error {
	if r == nil {
		return errors.New("report: no check result")
	}
	g := newCheckGrid(r)
	root := junitSuites{Name: "kdelta check"}
	for _, d := range g.downstreams {
		s := junitSuite{Name: d}
		if r.Baseline != "" {
			s.Properties = []junitProperty{{Name: "baseline", Value: r.Baseline}}
		}
		for _, k := range g.kinds {
			c := g.cells[[2]string{d, k}]
			if c == nil {
				continue
			}
			tc := junitCase{Classname: "kdelta.check." + d, Name: k}
			switch {
			case len(c.Findings) > 0:
				lines := make([]string, len(c.Findings))
				for i, f := range c.Findings {
					if f.Kind == "" {
						f.Kind = c.Kind
					}
					lines[i] = findingLine(f, plain)
				}
				tc.Failure = &junitFailure{Message: plural(len(c.Findings), "regression", "regressions"), Type: k, Text: strings.Join(lines, "\n")}
				s.Failures++
			case c.Skipped != "":
				tc.Skipped = &junitSkipped{Message: c.Skipped}
				s.Skipped++
			}
			s.Tests++
			s.Cases = append(s.Cases, tc)
		}
		root.Tests += s.Tests
		root.Failures += s.Failures
		root.Skipped += s.Skipped
		root.Suites = append(root.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
