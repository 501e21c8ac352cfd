package report

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/analyzer/status"
)

// openRows are the table rows a reader sees without unfolding anything:
// those in no closed <details>.
func openRows(n *node) []*node {
	return n.all(func(x *node) bool {
		if x.name != "tr" {
			return false
		}
		for p := x.parent; p != nil; p = p.parent {
			if p.name == "details" && p.attrs["open"] == "" {
				return false
			}
		}
		return true
	})
}

// bigOverview is a downstream with long lists: what made the demo report
// a hundred thousand pixels tall.
func bigOverview() analyzer.Overview {
	o := fixtureDocument().Downstreams[0]
	for i := range 40 {
		o.MissingFixes = append(o.MissingFixes, analyzer.MissingFix{Commit: analyzer.Commit{ID: oid(fmt.Sprint("many-fix-", i)), Subject: "fix " + fmt.Sprint(i),
			Fixes: []string{oid("base-1")}}, Priority: analyzer.Priority{Rank: analyzer.RankRelease, Reason: "fixes code in 9.2"},
			FixesWhat: []analyzer.FixedRef{{ID: oid("base-1")}}})
		o.Critical = append(o.Critical, o.MissingFixes[len(o.MissingFixes)-1])
	}
	for i := range 30 {
		o.Carried = append(o.Carried, analyzer.Carried{ID: oid(fmt.Sprint("many-never-", i)), Subject: "RHEL-only " + fmt.Sprint(i),
			Status: status.Status{Status: status.Never}})
	}
	for i := range 200 {
		o.Backports = append(o.Backports, analyzer.Backport{Upstream: oid(fmt.Sprint("many-bp-", i)), Subject: "backport " + fmt.Sprint(i)})
	}
	for i := range 100 {
		o.Tests = append(o.Tests, analyzer.TestStatus{Test: fmt.Sprint("t.", i), Status: "PASS", Target: "rhel@9.4"})
	}
	all := o.Components[0]
	all.MissingFixes += 40
	all.Carried += 30
	all.ByStatus = map[string]int{}
	for k, v := range o.Components[0].ByStatus {
		all.ByStatus[k] = v
	}
	all.ByStatus[status.Never] += 30
	all.Backported += 200
	o.Components = append([]analyzer.ComponentSummary{all}, o.Components[1:]...)
	return o
}

// TestHTMLAtAGlance: each downstream opens with a summary (its critical
// commits, linked to their rows, the counts and the trend); the long
// lists are folded, so what shows unfolded is the summary, the
// components and the short lists, however long the lists are.
func TestHTMLAtAGlance(t *testing.T) {
	d := fixtureDocument()
	d.Downstreams[0] = bigOverview()
	_, root := renderHTML(t, d)
	sections := root.all(classed("section", "downstream"))
	o := d.Downstreams[0]
	sum := sections[0].all(classed("div", "summary"))
	if len(sum) != 1 {
		t.Fatalf("%d summaries in %s's section", len(sum), o.Downstream)
	}
	// The summary comes before every table of the section.
	first := sections[0].all(func(n *node) bool { return n.name == "div" || n.name == "table" || n.name == "details" })
	if len(first) == 0 || first[0] != sum[0] {
		t.Error("the summary is not the first thing of the section")
	}
	items := sum[0].all(named("li"))
	if len(items) != len(o.Critical) {
		t.Errorf("the summary lists %d critical commits, want all %d (the first %d open)", len(items), len(o.Critical), summaryCritical)
	}
	shown := 0
	for _, li := range items {
		if !li.inside("details") {
			shown++
		}
	}
	if shown != summaryCritical {
		t.Errorf("%d critical commits unfolded, want %d", shown, summaryCritical)
	}
	if !strings.Contains(items[0].textOf(), "CVE-2025-0002") || !strings.Contains(items[1].textOf(), "CVE-2025-0001") {
		t.Errorf("the first critical items are not the CVEs, most critical first: %q, %q", items[0].textOf(), items[1].textOf())
	}
	// A critical commit that is a missing fix links to its row.
	if a := items[1].all(named("a")); len(a) != 1 || a[0].attrs["href"] != "#c-"+oid("fix-1") {
		t.Errorf("the CVE missing fix does not link to its row: %v", a)
	}
	text := sum[0].textOf()
	for _, want := range []string{"45 upstream commits: 43 missing fixes, 2 naming a CVE", "36 changes upstream lacks (mainline 1, queued 1, submitted 1, rejected 1, never 31, unknown 1)",
		"missing 50 → 47 → 45"} {
		if !strings.Contains(strings.Join(strings.Fields(text), " "), want) {
			t.Errorf("the summary does not say %q:\n%s", want, text)
		}
	}
	// Long lists are folded; what shows is the components table and the
	// short lists.
	rows := openRows(sections[0])
	comps := len(o.Components) + 2 // the two header rows
	if len(rows) > comps+12 {
		t.Errorf("%d table rows show unfolded in %s's section; want at most the components (%d) and 12 of short lists", len(rows), o.Downstream, comps)
	}
	for _, tb := range []string{"fixes", "backports"} {
		for _, table := range sections[0].all(classed("table", tb)) {
			if !table.inside("details") {
				t.Errorf("the %s table is not folded", tb)
			}
		}
	}
}

// TestHTMLMatrixSeverity: a matrix cell is coloured by its worst item (a
// class per severity), and the legend names every severity.
func TestHTMLMatrixSeverity(t *testing.T) {
	d := fixtureDocument()
	_, root := renderHTML(t, d)
	m := root.all(classed("section", "matrix"))
	if len(m) == 0 {
		m = root.all(func(n *node) bool { return n.name == "section" && n.attrs["id"] == "matrix" })
	}
	if len(m) != 1 {
		t.Fatal("no matrix section")
	}
	legend := m[0].all(classed("ul", "legend"))
	if len(legend) != 1 || len(legend[0].all(named("li"))) != len(analyzer.Severities()) {
		t.Fatalf("the legend does not name the %d severities", len(analyzer.Severities()))
	}
	want := map[string]string{ // component -> severity per downstream (rhel, ofed)
		"(all)": "cve fix", "core": "cve -", "ipoib": "fix -", "mlx5": "cve fix", "rxe": "- missing",
	}
	for _, tr := range m[0].all(named("tr"))[1:] {
		th := tr.all(named("th"))[0].textOf()
		var got []string
		for _, td := range tr.all(named("td")) {
			sev := "-"
			for _, c := range strings.Fields(td.attrs["class"]) {
				if s, ok := strings.CutPrefix(c, "sev-"); ok {
					sev = s
				}
			}
			got = append(got, sev)
		}
		if g := strings.Join(got, " "); g != want[th] {
			t.Errorf("row %s: severities %q, want %q", th, g, want[th])
		}
	}
}

// TestHTMLFitsTheScreen: the page is at most 1,400 px wide and every list
// table takes the page's width with its columns shared out (fixed layout),
// so that no table pushes it wider; the components table has one column
// per count, status, tests and change.
func TestHTMLFitsTheScreen(t *testing.T) {
	raw, root := renderHTML(t, fixtureDocument())
	css := string(raw[strings.Index(string(raw), "<style>"):strings.Index(string(raw), "</style>")])
	if m := regexp.MustCompile(`body \{[^}]*max-width: (\d+)px`).FindStringSubmatch(css); m == nil {
		t.Error("the page has no maximum width")
	} else if w, _ := strconv.Atoi(m[1]); w > 1400 {
		t.Errorf("the page may be %d px wide, want at most 1400", w)
	}
	if !strings.Contains(css, "table.fit { width: 100%; table-layout: fixed; }") {
		t.Error("list tables do not share out the page's width")
	}
	for _, class := range []string{"fixes", "carried", "backports", "tests", "suspects"} {
		for _, tb := range root.all(classed("table", class)) {
			if !strings.Contains(" "+tb.attrs["class"]+" ", " fit ") {
				t.Errorf("a %s table is not fitted to the page", class)
			}
		}
	}
	for _, tb := range root.all(classed("table", "components")) {
		head := tb.all(named("tr"))[1]
		if n := len(head.all(named("th"))); n > 14 {
			t.Errorf("the components table has %d columns", n)
		}
	}
}

// TestHTMLLogLinks: a test's log URL is a link; one that is no web
// address is not made one.
func TestHTMLLogLinks(t *testing.T) {
	d := fixtureDocument()
	d.Downstreams[0].Tests[1].LogURL = "javascript:alert(1)"
	_, root := renderHTML(t, d)
	var hrefs []string
	for _, a := range root.all(named("a")) {
		if h := a.attrs["href"]; !strings.HasPrefix(h, "#") {
			hrefs = append(hrefs, h)
		}
	}
	if len(hrefs) == 0 || hrefs[0] != "https://lab.example.org/log/1" {
		t.Errorf("log links: %q", hrefs)
	}
	for _, h := range hrefs {
		if strings.HasPrefix(h, "javascript:") {
			t.Errorf("a javascript: log became a link: %q", h)
		}
	}
}

// TestBaseOnce: an explicit commit base is named once, in every format.
func TestBaseOnce(t *testing.T) {
	d := fixtureDocument()
	base := d.Downstreams[1].Base[:10]
	var md bytes.Buffer
	if err := WriteMarkdown(&md, d); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(md.String(), "\n") {
		if strings.HasPrefix(line, "- base:") && strings.Count(line, base) > 1 {
			t.Errorf("markdown names the base twice: %q", line)
		}
	}
	_, root := renderHTML(t, d)
	for _, dd := range root.all(named("dd")) {
		if strings.Count(dd.textOf(), base) > 1 {
			t.Errorf("html names the base twice: %q", dd.textOf())
		}
	}
}

// TestComparisonSection: a report that compares a pair shows, per
// component, the counts of each side and the commits ranked above other
// (the feature is counted, not listed); kdelta compare's Markdown lists
// them all, and what each side carries alone.
func TestComparisonSection(t *testing.T) {
	d := fixtureDocument()
	var md bytes.Buffer
	if err := WriteMarkdown(&md, d); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	for _, want := range []string{"## rhel@main and ofed@24.10 compared", "| mlx5 | 2 (1 fixes, CVEs, stable) | 0 (0 fixes, CVEs, stable) | 2 | 1 | 1 |",
		"What rhel@main would gain with ofed@24.10 (upstream commits ofed@24.10 has and rhel@main lacks): 2, 1 of them fixes, CVEs or stable.",
		"cve: CVE-2025-0001"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if strings.Contains(out, "add a steering mode") {
		t.Error("the report lists a feature of the comparison")
	}
	var full bytes.Buffer
	if err := WriteComparisonMarkdown(&full, &d.Comparisons[0]); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"add a steering mode", "net/mlx5: queued change", "| `mlx5.roce.rping` | FAIL on rhel@9.4 (unh-iol, ConnectX-6) | PASS on ofed@24.10-1 (unh-iol) |"} {
		if !strings.Contains(full.String(), want) {
			t.Errorf("kdelta compare's Markdown lacks %q", want)
		}
	}
	_, root := renderHTML(t, d)
	sec := root.all(classed("section", "comparison"))
	if len(sec) != 1 {
		t.Fatalf("%d comparison sections", len(sec))
	}
	if rows := sec[0].all(classed("table", "ranked"))[0].all(named("tr")); len(rows) != 2 {
		t.Errorf("the comparison lists %d rows, want the header and the one CVE fix", len(rows))
	}
}
