package report

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/analyzer/status"
)

// What the formats share: the order things are shown in and how they are
// grouped, so that every format tells the same story.

// componentName is how a component is shown: the whole is "(all)".
func componentName(c string) string {
	if c == "" {
		return "(all)"
	}
	return c
}

// componentList shows a list of components.
func componentList(cs []string) string {
	if len(cs) == 0 {
		return ""
	}
	return strings.Join(cs, ", ")
}

// day is a date as shown in tables; "" for none.
func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

// stamp is a time as shown in headings.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "an unknown time"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// signed shows a change of a count: +2, -1, 0.
func signed(n int) string {
	if n > 0 {
		return fmt.Sprintf("+%d", n)
	}
	return fmt.Sprint(n)
}

// plural is "1 thing" or "n things".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// changeCell shows a component's change: backported / missing / missing
// fixes / carried, or "-" when there is no earlier snapshot.
func changeCell(c *analyzer.CountChange) string {
	if c == nil {
		return "-"
	}
	return fmt.Sprintf("%s / %s / %s / %s", signed(c.Backported), signed(c.Missing), signed(c.MissingFixes), signed(c.Carried))
}

// changeSince says which snapshots the changes of the components are
// counted from: "snapshot 11 (2025-02-01)", or "" when none has a change.
func changeSince(cs []analyzer.ComponentSummary) string {
	var out []string
	seen := map[int64]bool{}
	for _, c := range cs {
		if c.Change == nil || seen[c.Change.Since] {
			continue
		}
		seen[c.Change.Since] = true
		s := fmt.Sprintf("snapshot %d", c.Change.Since)
		if d := day(c.Change.SinceDate); d != "" {
			s += " (" + d + ")"
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

// statusColumns are the statuses the components of a downstream are
// counted by: every status in order, then any other found in the counts.
func statusColumns(cs []analyzer.ComponentSummary) []string {
	cols := status.All()
	known := map[string]bool{}
	for _, s := range cols {
		known[s] = true
	}
	var extra []string
	for _, c := range cs {
		for s := range c.ByStatus {
			if !known[s] {
				known[s] = true
				extra = append(extra, s)
			}
		}
	}
	sort.Strings(extra)
	return append(cols, extra...)
}

// carriedGroup is the carried changes of one status.
type carriedGroup struct {
	Status  string
	Changes []analyzer.Carried
}

// groupCarried groups carried changes by status: mainline, queued,
// submitted, rejected, never, unknown, then any other status in order of
// appearance; within a group the changes keep their order. Empty groups
// are left out.
func groupCarried(cs []analyzer.Carried) []carriedGroup {
	order := status.All()
	idx := map[string]int{}
	for i, s := range order {
		idx[s] = i
	}
	groups := make([]carriedGroup, len(order))
	for i, s := range order {
		groups[i].Status = s
	}
	for _, c := range cs {
		i, ok := idx[c.Status.Status]
		if !ok {
			i = len(groups)
			idx[c.Status.Status] = i
			groups = append(groups, carriedGroup{Status: c.Status.Status})
		}
		groups[i].Changes = append(groups[i].Changes, c)
	}
	out := groups[:0]
	for _, g := range groups {
		if len(g.Changes) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// statusName is how a status is shown; a change with none is "(none)".
func statusName(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// evidenceFacts are the facts of a carried change's status besides its
// evidence list, as "label: value" pairs in a fixed order.
func evidenceFacts(s status.Status) [][2]string {
	var out [][2]string
	if s.Release != "" {
		out = append(out, [2]string{"release", s.Release})
	}
	if s.MessageID != "" {
		out = append(out, [2]string{"message-id", "<" + s.MessageID + ">"})
	}
	if s.Version != 0 {
		out = append(out, [2]string{"version", fmt.Sprintf("v%d", s.Version)})
	}
	if !s.Date.IsZero() {
		out = append(out, [2]string{"posted", day(s.Date)})
	}
	if s.Reason != "" {
		out = append(out, [2]string{"reason", s.Reason})
	}
	return out
}

// fixesOf is what a missing fix fixes: FixesWhat, then any id of Fixes
// that FixesWhat does not name (with no subject).
func fixesOf(m analyzer.MissingFix) []analyzer.FixedRef {
	out := append([]analyzer.FixedRef(nil), m.FixesWhat...)
	for _, id := range m.Fixes {
		dup := false
		for _, f := range m.FixesWhat {
			if samePrefix(f.ID, id) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, analyzer.FixedRef{ID: id})
		}
	}
	return out
}

// samePrefix says whether two commit ids, either possibly abbreviated,
// name the same commit.
func samePrefix(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	n := min(len(a), len(b))
	return n >= 7 && strings.EqualFold(a[:n], b[:n]) || a == b
}

// summaryCritical is how many critical items the summary lists before it
// points to the full lists.
const summaryCritical = 8

// statusCounts says how the carried changes split by status: "never 3,
// submitted 1", in the order of the statuses; "" when none.
func statusCounts(c analyzer.ComponentSummary) string {
	var parts []string
	for _, s := range statusColumns([]analyzer.ComponentSummary{c}) {
		if n := c.ByStatus[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", statusName(s), n))
		}
	}
	return strings.Join(parts, ", ")
}

// whole is the whole-downstream summary of an overview (component "").
func whole(o *analyzer.Overview) analyzer.ComponentSummary {
	for _, c := range o.Components {
		if c.Component == "" {
			return c
		}
	}
	return analyzer.ComponentSummary{ByStatus: map[string]int{}}
}

// trendText tells the trend of the counts in words: "missing 50 → 47 →
// 45, missing fixes 1 → 2 → 3, carried 7 → 6 → 6 over snapshots 40 to 42
// (2025-01-15 to 2025-03-01)", the last six snapshots at most; "" with
// fewer than two.
func trendText(ps []analyzer.TrendPoint) string {
	if len(ps) < 2 {
		return ""
	}
	ps = ps[max(len(ps)-6, 0):]
	series := func(name string, v func(analyzer.TrendPoint) int) string {
		vals := make([]string, len(ps))
		for i, p := range ps {
			vals[i] = fmt.Sprint(v(p))
		}
		return name + " " + strings.Join(vals, " → ")
	}
	first, last := ps[0], ps[len(ps)-1]
	return fmt.Sprintf("%s, %s, %s over snapshots %d to %d (%s to %s)",
		series("missing", func(p analyzer.TrendPoint) int { return p.Missing }),
		series("missing fixes", func(p analyzer.TrendPoint) int { return p.MissingFixes }),
		series("carried", func(p analyzer.TrendPoint) int { return p.Carried }),
		first.Snapshot, last.Snapshot, day(first.Date), day(last.Date))
}

// flags are a commit's priority marks: stable, then its CVEs.
func flags(c analyzer.Commit) []string {
	var out []string
	if c.Stable {
		out = append(out, "stable")
	}
	return append(out, c.CVEs...)
}

// failingTests are the failing ones, in their order.
func failingTests(ts []analyzer.TestStatus) []analyzer.TestStatus {
	var out []analyzer.TestStatus
	for _, t := range ts {
		if analyzer.Failing(t.Status) {
			out = append(out, t)
		}
	}
	return out
}

// where is a test's setup: "lab, hardware".
func where(lab, hardware string) string {
	return strings.Trim(lab+", "+hardware, ", ")
}

// matrix is the component x downstream table of a report on several
// downstreams.
type matrix struct {
	Downstreams []string
	Rows        []matrixRow
}

// matrixRow is one component across the downstreams.
type matrixRow struct {
	Component string
	Cells     []matrixCell
}

// matrixCell is one component of one downstream.
type matrixCell struct {
	Present                        bool // the downstream has the component
	MissingFixes, Missing, Carried int
	CVE                            bool   // a missing commit names a CVE
	Failing                        bool   // it has failing tests
	Severity                       string // its worst item (analyzer.Severities)
}

// Text is the cell as shown: "missing fixes / missing / carried", marked
// with "*" when a missing commit names a CVE and "!" when it has failing
// tests, "-" when absent.
func (c matrixCell) Text() string {
	if !c.Present {
		return "-"
	}
	s := fmt.Sprintf("%d / %d / %d", c.MissingFixes, c.Missing, c.Carried)
	if c.CVE {
		s += " *"
	}
	if c.Failing {
		s += " !"
	}
	return s
}

// matrixLegend explains a matrix cell in words, for the formats without
// colours.
const matrixLegend = "Each cell: missing fixes / missing / carried (changes upstream lacks); * marks a component with a missing CVE fix, ! one with failing tests, - one the downstream does not have."

// buildMatrix lays the components of every downstream side by side: the
// whole first, then by name.
func buildMatrix(ds []analyzer.Overview) matrix {
	var m matrix
	names := map[string]bool{}
	for _, o := range ds {
		m.Downstreams = append(m.Downstreams, o.Downstream)
		for _, c := range o.Components {
			names[c.Component] = true
		}
	}
	comps := make([]string, 0, len(names))
	for c := range names {
		comps = append(comps, c)
	}
	sort.Strings(comps) // "" sorts first
	for _, name := range comps {
		row := matrixRow{Component: name}
		for _, o := range ds {
			var cell matrixCell
			for _, c := range o.Components {
				if c.Component == name {
					cell = matrixCell{Present: true, MissingFixes: c.MissingFixes, Missing: c.Missing, Carried: c.Carried, CVE: c.CVEs > 0,
						Failing: c.Tests.Fail > 0, Severity: c.Severity}
					if cell.Severity == "" {
						cell.Severity = analyzer.SeverityOf(c.CVEs, c.MissingFixes, c.Tests.Fail, c.Missing)
					}
					break
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		m.Rows = append(m.Rows, row)
	}
	return m
}

// isMissingFix says whether id names one of the missing fixes (a fix of a
// fix).
func isMissingFix(ms []analyzer.MissingFix, id string) bool {
	for _, m := range ms {
		if samePrefix(m.ID, id) {
			return true
		}
	}
	return false
}
