package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

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

// findingLine is one finding as a line: kind, component, subject, was ->
// now, detail; esc escapes each piece of text for the format.
func findingLine(f analyzer.Finding, esc func(string) string) string {
	var b strings.Builder
	b.WriteString(esc(f.Kind))
	if f.Component != "" {
		b.WriteString(" " + esc(f.Component))
	}
	b.WriteString(": " + esc(f.Subject))
	if f.ID != "" && !strings.Contains(f.Subject, change.Short(f.ID)) {
		b.WriteString(" (" + esc(change.Short(f.ID)) + ")")
	}
	fmt.Fprintf(&b, ": %s -> %s", esc(orNone(f.Was)), esc(orNone(f.Now)))
	if f.Detail != "" {
		b.WriteString("; " + esc(f.Detail))
	}
	return b.String()
}

func plain(s string) string { return s }

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// WriteCheckMarkdown writes the outcome of kdelta check for a CI log or
// job summary: a one-line headline, a table of downstream x check kind
// (pass, FAIL (n), skipped), then each finding and each skipped check on
// a line. Repository text is escaped as in WriteMarkdown.
func WriteCheckMarkdown(w io.Writer, r *analyzer.CheckResult) error {
	if r == nil {
		return errors.New("report: no check result")
	}
	g := newCheckGrid(r)
	var b bytes.Buffer
	b.WriteString(mdText(checkHeadline(r, g)) + "\n")
	if len(g.downstreams) > 0 {
		b.WriteString("\n")
		head := []string{"downstream"}
		for _, k := range g.kinds {
			head = append(head, mdText(k))
		}
		var rows [][]string
		for _, d := range g.downstreams {
			row := []string{mdText(d)}
			for _, k := range g.kinds {
				row = append(row, checkCell(g.cells[[2]string{d, k}]))
			}
			rows = append(rows, row)
		}
		mdTable(&b, head, nil, rows)
	}
	var lines, skipped []string
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
				lines = append(lines, "- "+mdText(d)+" "+findingLine(f, mdText))
			}
			if c.Skipped != "" && len(c.Findings) == 0 {
				skipped = append(skipped, "- "+mdText(d)+" "+mdText(k)+" skipped: "+mdText(c.Skipped))
			}
		}
	}
	if len(lines) > 0 {
		b.WriteString("\nRegressions:\n\n" + strings.Join(lines, "\n") + "\n")
	}
	if len(skipped) > 0 {
		b.WriteString("\nSkipped:\n\n" + strings.Join(skipped, "\n") + "\n")
	}
	_, err := w.Write(b.Bytes())
	return err
}

// checkCell is one check in the table.
func checkCell(c *analyzer.Check) string {
	switch {
	case c == nil:
		return "-"
	case len(c.Findings) > 0:
		return fmt.Sprintf("FAIL (%d)", len(c.Findings))
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
