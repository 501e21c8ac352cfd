package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/change"
)

// A comparison of two downstreams (analyzer.Comparison) is shown the same
// way in `kdelta compare --format md` and as a section of a report: a
// table of the components with the counts of each side, then per
// component what B has that A lacks (most critical for A first), what A
// has that B lacks, what each carries alone by status, and the tests that
// pass on one and fail on the other. In a report only the commits ranked
// above "other" are listed (the counts say how many more); `kdelta
// compare` lists them all.

// comparisonRow is one component of a comparison in numbers.
type comparisonRow struct {
	Component                   string
	ALacks, ALacksCritical      int // B has, A lacks; of them ranked above other
	BLacks, BLacksCritical      int
	AAlone, BAlone, TestsDiffer int
}

func comparisonRows(c *analyzer.Comparison) []comparisonRow {
	var out []comparisonRow
	for _, cc := range c.Components {
		out = append(out, comparisonRow{Component: cc.Component, ALacks: len(cc.ALacks), ALacksCritical: analyzer.AboveOther(cc.ALacks),
			BLacks: len(cc.BLacks), BLacksCritical: analyzer.AboveOther(cc.BLacks), AAlone: len(cc.AAlone), BAlone: len(cc.BAlone), TestsDiffer: len(cc.Tests)})
	}
	return out
}

// critical keeps the commits ranked above other.
func critical(cs []analyzer.RankedCommit) []analyzer.RankedCommit {
	var out []analyzer.RankedCommit
	for _, c := range cs {
		if c.Rank != analyzer.RankOther {
			out = append(out, c)
		}
	}
	return out
}

// WriteComparisonMarkdown writes a comparison as Markdown, every commit
// listed.
func WriteComparisonMarkdown(w io.Writer, c *analyzer.Comparison) error {
	if c == nil {
		return errors.New("report: no comparison")
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s and %s compared\n", mdText(c.A), mdText(c.B))
	markdownComparison(&b, c, true, "##")
	_, err := w.Write(b.Bytes())
	return err
}

// markdownComparison writes the body of a comparison; full lists every
// commit, else only those ranked above other. h is the level of its
// headings.
func markdownComparison(b *bytes.Buffer, c *analyzer.Comparison, full bool, h string) {
	a, bb := mdText(c.A), mdText(c.B)
	fmt.Fprintf(b, "\nBoth against %s: %s from %s, %s from %s.\n\n", mdText(c.Upstream), a, mdText(c.BaseA), bb, mdText(c.BaseB))
	var rows [][]string
	for _, r := range comparisonRows(c) {
		rows = append(rows, []string{mdText(componentName(r.Component)),
			fmt.Sprintf("%d (%d fixes, CVEs, stable)", r.ALacks, r.ALacksCritical),
			fmt.Sprintf("%d (%d fixes, CVEs, stable)", r.BLacks, r.BLacksCritical),
			fmt.Sprint(r.AAlone), fmt.Sprint(r.BAlone), fmt.Sprint(r.TestsDiffer)})
	}
	mdTable(b, []string{"component", bb + " has, " + a + " lacks", a + " has, " + bb + " lacks",
		a + " carries alone", bb + " carries alone", "tests pass on one, fail on the other"},
		[]bool{false, true, true, true, true, true}, rows)
	for _, cc := range c.Components {
		name := mdText(componentName(cc.Component))
		fmt.Fprintf(b, "\n%s %s\n", h, name)
		list := func(title string, cs []analyzer.RankedCommit) {
			shown := cs
			if !full {
				shown = critical(cs)
			}
			fmt.Fprintf(b, "\n%s: %d", title, len(cs))
			if !full && len(shown) < len(cs) {
				fmt.Fprintf(b, ", %d of them fixes, CVEs or stable", len(shown))
			}
			b.WriteString(".\n")
			if len(shown) == 0 {
				return
			}
			b.WriteString("\n")
			var rows [][]string
			for _, x := range shown {
				rows = append(rows, []string{mdCode(change.Short(x.ID)), mdText(x.Priority.Text()), mdText(x.Subject), day(x.Date)})
			}
			mdTable(b, []string{"id", "priority", "subject", "date"}, nil, rows)
		}
		list(fmt.Sprintf("What %s would gain with %s (upstream commits %s has and %s lacks)", a, bb, bb, a), cc.ALacks)
		list(fmt.Sprintf("What %s has that %s lacks", a, bb), cc.BLacks)
		for _, side := range []struct {
			who   string
			alone []analyzer.Carried
		}{{a, cc.AAlone}, {bb, cc.BAlone}} {
			fmt.Fprintf(b, "\n%s carries alone: %d", side.who, len(side.alone))
			if st := carriedByStatus(side.alone); st != "" {
				fmt.Fprintf(b, " (%s)", mdText(st))
			}
			b.WriteString(".\n")
			if !full || len(side.alone) == 0 {
				continue
			}
			b.WriteString("\n")
			var rows [][]string
			for _, x := range side.alone {
				rows = append(rows, []string{mdCode(change.Short(x.ID)), mdText(statusName(x.Status.Status)), mdText(x.Subject), day(x.Date)})
			}
			mdTable(b, []string{"id", "status", "subject", "date"}, nil, rows)
		}
		if len(cc.Tests) > 0 {
			fmt.Fprintf(b, "\nTests that pass on one and fail on the other: %d.\n\n", len(cc.Tests))
			var rows [][]string
			for _, t := range cc.Tests {
				rows = append(rows, []string{mdCode(t.Test), mdText(testCell(t.A)), mdText(testCell(t.B))})
			}
			mdTable(b, []string{"test", a, bb}, nil, rows)
		}
	}
}

// carriedByStatus says how carried changes split by status: "never 3,
// submitted 1"; "" when none.
func carriedByStatus(cs []analyzer.Carried) string {
	var parts []string
	for _, g := range groupCarried(cs) {
		parts = append(parts, fmt.Sprintf("%s %d", statusName(g.Status), len(g.Changes)))
	}
	return strings.Join(parts, ", ")
}

// testCell is one side of a test that differs: "FAIL on rhel@9.4 (lab,
// hardware)".
func testCell(t analyzer.TestStatus) string {
	s := t.Status + " on " + t.Target
	if w := where(t.Lab, t.Hardware); w != "" {
		s += " (" + w + ")"
	}
	return s
}
