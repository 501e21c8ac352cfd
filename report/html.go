package report

import (
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/analyzer/status"
	"github.com/kdelta/kdelta/change"
)

//go:embed html.tmpl
var htmlSource string

// htmlTemplate parses the page template; it is parsed per call, so that
// the package holds no mutable state.
func htmlTemplate() (*template.Template, error) {
	return template.New("report").Funcs(template.FuncMap{
		"short":  change.Short,
		"day":    day,
		"comp":   componentName,
		"comps":  componentList,
		"signed": signed,
		"where":  where,
		"plural": plural,
		"status": statusName,
		"pct":    func(f float64) string { return fmt.Sprintf("%.0f%%", 100*f) },
		"base":   analyzer.BaseText,
		"add":    func(a, b int) int { return a + b },
	}).Parse(htmlSource)
}

// WriteHTML writes d as one self-contained HTML page: no stylesheet,
// script, font or image is fetched from anywhere (a Content-Security-Policy
// forbids it too). Tables sort when a header is clicked; the charts are
// inline SVG; every commit a missing fix fixes links to a row of the page.
// All repository text is escaped by html/template.
func WriteHTML(w io.Writer, d *Document) error {
	if d == nil {
		return errors.New("report: no document")
	}
	t, err := htmlTemplate()
	if err != nil {
		return fmt.Errorf("report: html template: %w", err)
	}
	return t.Execute(w, newHTMLPage(filled(d, cleanText)))
}

// cleanText makes repository text fit for an HTML (and XML) document:
// invalid UTF-8 and control characters other than tab and newline become
// U+FFFD, as do the non-characters XML forbids.
func cleanText(s string) string {
	ok := true
	for _, r := range s {
		if r == utf8.RuneError || unfit(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if unfit(r) {
			r = '\uFFFD'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func unfit(r rune) bool {
	return r != '\t' && r != '\n' && unicode.IsControl(r) || r == 0xFFFE || r == 0xFFFF
}

// htmlPage is what the template shows.
type htmlPage struct {
	Generated   string
	Generator   string
	Schema      int
	Matrix      *matrix
	Legend      [][2]string // the matrix's severities, worst first, with what each means
	Downstreams []*htmlDownstream
	Comparisons []*htmlComparison
}

// htmlComparison is a pair of downstreams compared.
type htmlComparison struct {
	Section    string
	C          *analyzer.Comparison
	Rows       []comparisonRow
	Components []htmlCompared
}

// htmlCompared is one component of a comparison: the commits ranked above
// other on each side (the counts say how many more), what each carries
// alone by status, the tests that differ.
type htmlCompared struct {
	Name             string
	ALacks, BLacks   []analyzer.RankedCommit
	ALacksN, BLacksN int
	AAlone, BAlone   string // by status, in words
	AAloneN, BAloneN int
	Tests            []analyzer.TestDiff
}

// foldAbove is how many rows a list shows before it is folded: a longer
// one is shown closed (<details>), its count in its summary.
const foldAbove = 10

// htmlDownstream is one downstream's section.
type htmlDownstream struct {
	Section      string // the section's anchor
	O            *analyzer.Overview
	Bars         barChart
	Trend        trendChart
	StatusCols   []string
	Components   []htmlComponent
	ChangeSince  string
	Whole        analyzer.ComponentSummary
	StatusCounts string    // the carried changes by status, in words
	Critical     []htmlFix // the first critical missing commits, for the summary
	CriticalRest []htmlFix // the others, folded
	TrendText    string    // the trend in words; "" with fewer than two snapshots
	FoldFixes    bool      // the missing fixes are many: their table is folded
	MissingFixes []htmlFix
	Fixed        []htmlFixed // commits fixed by missing fixes that no other row lists
	Groups       []htmlGroup
	Backports    []htmlBackport
	Pass         int
	Fail         int
	Other        int
	Failing      []analyzer.TestStatus
	Regressions  []htmlRegression
}

// htmlComponent is a row of the components table.
type htmlComponent struct {
	analyzer.ComponentSummary
	ByStatusCols []int // ByStatus in StatusCols order
}

// link is a commit shown with a link to its row, when the page has one.
type link struct {
	ID      string
	Subject string
	Href    string // "#anchor", or "" when the page has no row for it
	Note    string
}

// htmlFix is a missing fix.
type htmlFix struct {
	analyzer.MissingFix
	Anchor string // the row's own anchor
	Href   string // a link to its row elsewhere (the summary's), "" when none
	Fixes  []link
	Flags  []string
}

// htmlFixed is a commit a missing fix fixes that the downstream has from
// its base or carries without a backport row.
type htmlFixed struct {
	Anchor  string
	ID      string
	Subject string
	Carried []link
	FixedBy []link
}

// htmlGroup is the carried changes of one status.
type htmlGroup struct {
	Status string
	Folded bool // inside <details>: a long list
	Rows   []htmlCarried
}

// htmlCarried is a carried change.
type htmlCarried struct {
	analyzer.Carried
	Anchor   string
	Upstream []link
	Facts    [][2]string
}

// htmlBackport is a backport.
type htmlBackport struct {
	analyzer.Backport
	Anchor  string
	Carried []link
}

// htmlRegression is a group of regressions.
type htmlRegression struct {
	analyzer.RegressionGroup
	Suspects     []htmlSuspect
	MissingFixes []htmlRegressionFix
}

// htmlSuspect is a ranked suspect.
type htmlSuspect struct {
	analyzer.Suspect
	Rank int
	Href string
}

// htmlRegressionFix is a missing fix of a regression's components.
type htmlRegressionFix struct {
	analyzer.Commit
	Href  string
	Fixes []link
	Flags []string
}

// anchors names the rows of the page: "c-<full id>", unique in the page;
// the same commit in a second downstream's section gets "c-<id>-<n>".
type anchors struct {
	used map[string]bool
}

// rowAnchors are the anchors of one downstream's rows.
type rowAnchors struct {
	page     *anchors
	section  int
	up, down *commitRows // upstream and downstream commits
}

// commitRows are the anchors of rows by commit id, found by full or
// abbreviated id.
type commitRows struct {
	anchor map[string]string
	sorted []idAnchor // by lower-case id, for abbreviations; nil after an add
	short  []string   // the abbreviated ids among them
}

// idAnchor is a row's lower-case id and anchor.
type idAnchor struct{ id, anchor string }

func newCommitRows() *commitRows { return &commitRows{anchor: map[string]string{}} }

func (a *anchors) forSection(n int) *rowAnchors {
	return &rowAnchors{page: a, section: n, up: newCommitRows(), down: newCommitRows()}
}

// add gives the row of commit id an anchor, once.
func (r *rowAnchors) add(in *commitRows, id string) string {
	if a, ok := in.anchor[id]; ok {
		return a
	}
	name := "c-" + anchorID(id)
	if r.page.used[name] {
		base := fmt.Sprintf("%s-%d", name, r.section)
		name = base
		for i := 2; r.page.used[name]; i++ {
			name = fmt.Sprintf("%s-%d", base, i)
		}
	}
	r.page.used[name] = true
	in.anchor[id] = name
	in.sorted = nil
	if len(id) < 40 {
		in.short = append(in.short, id)
	}
	return name
}

// find returns the anchor of a commit's row: by its id, else by the one
// row whose id it abbreviates or that abbreviates it; "" when none.
func (in *commitRows) find(id string) string {
	if a, ok := in.anchor[id]; ok {
		return a
	}
	if len(id) < 7 {
		return ""
	}
	found := map[string]bool{}
	for _, k := range in.short {
		if samePrefix(k, id) {
			found[in.anchor[k]] = true
		}
	}
	if len(id) < 40 {
		if in.sorted == nil {
			in.sorted = make([]idAnchor, 0, len(in.anchor))
			for k, a := range in.anchor {
				in.sorted = append(in.sorted, idAnchor{strings.ToLower(k), a})
			}
			sort.Slice(in.sorted, func(i, j int) bool { return in.sorted[i].id < in.sorted[j].id })
		}
		low := strings.ToLower(id)
		i := sort.Search(len(in.sorted), func(i int) bool { return in.sorted[i].id >= low })
		for ; i < len(in.sorted) && strings.HasPrefix(in.sorted[i].id, low) && len(found) < 2; i++ {
			found[in.sorted[i].anchor] = true
		}
	}
	if len(found) != 1 {
		return ""
	}
	for a := range found {
		return a
	}
	return ""
}

func href(anchor string) string {
	if anchor == "" {
		return ""
	}
	return "#" + anchor
}

// anchorID keeps an id's letters, digits, '.' and '-' and writes any
// other byte as _XX, so that anchors are plain and distinct.
func anchorID(id string) string {
	var b strings.Builder
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' || c == '-' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "_%02x", c)
		}
	}
	return b.String()
}

func newHTMLPage(d *Document) *htmlPage {
	p := &htmlPage{Generated: stamp(d.Generated), Generator: generator(d), Schema: d.SchemaVersion}
	if len(d.Downstreams) > 1 {
		m := buildMatrix(d.Downstreams)
		p.Matrix = &m
		p.Legend = analyzer.Severities()
	}
	for i := range d.Comparisons {
		c := &d.Comparisons[i]
		hc := &htmlComparison{Section: fmt.Sprintf("cmp%d", i+1), C: c, Rows: comparisonRows(c)}
		for _, cc := range c.Components {
			hc.Components = append(hc.Components, htmlCompared{Name: componentName(cc.Component),
				ALacks: critical(cc.ALacks), BLacks: critical(cc.BLacks), ALacksN: len(cc.ALacks), BLacksN: len(cc.BLacks),
				AAlone: cleanText(carriedByStatus(cc.AAlone)), BAlone: cleanText(carriedByStatus(cc.BAlone)),
				AAloneN: len(cc.AAlone), BAloneN: len(cc.BAlone), Tests: cc.Tests})
		}
		p.Comparisons = append(p.Comparisons, hc)
	}
	page := &anchors{used: map[string]bool{}}
	for i := range d.Downstreams {
		p.Downstreams = append(p.Downstreams, newHTMLDownstream(&d.Downstreams[i], page.forSection(i+1)))
	}
	return p
}

func newHTMLDownstream(o *analyzer.Overview, ra *rowAnchors) *htmlDownstream {
	v := &htmlDownstream{Section: fmt.Sprintf("d%d", ra.section), O: o, Bars: newBarChart(o.Components), Trend: newTrendChart(o.Trend),
		StatusCols: statusColumns(o.Components), ChangeSince: changeSince(o.Components), Whole: whole(o),
		TrendText: trendText(o.Trend), FoldFixes: len(o.MissingFixes) > foldAbove}
	v.StatusCounts = cleanText(statusCounts(v.Whole)) // map keys, which filled leaves as they are
	for _, c := range o.Components {
		hc := htmlComponent{ComponentSummary: c}
		for _, s := range v.StatusCols {
			hc.ByStatusCols = append(hc.ByStatusCols, c.ByStatus[s])
		}
		v.Components = append(v.Components, hc)
	}
	for i, c := range v.StatusCols {
		v.StatusCols[i] = cleanText(c) // a map key, which filled leaves as it is
	}
	// Anchors first, links after: a link may point to any row.
	for _, m := range o.MissingFixes {
		ra.add(ra.up, m.ID)
	}
	for _, b := range o.Backports {
		ra.add(ra.up, b.Upstream)
	}
	for _, c := range o.Carried {
		ra.add(ra.down, c.ID)
	}
	// A row claims its anchor; a second row of the same commit (data
	// listing it twice) gets none, so that ids stay unique.
	claimed := map[string]bool{}
	claim := func(anchor string) string {
		if claimed[anchor] {
			return ""
		}
		claimed[anchor] = true
		return anchor
	}
	carriedLinks := func(ids []string) []link {
		var out []link
		for _, id := range ids {
			out = append(out, link{ID: id, Href: href(ra.down.find(id))})
		}
		return out
	}
	// A fixed commit no row lists gets one, in the order first fixed.
	fixedAt := map[string]int{}
	for _, m := range o.MissingFixes {
		for _, f := range fixesOf(m) {
			if ra.up.find(f.ID) != "" {
				continue
			}
			i, ok := fixedAt[f.ID]
			if !ok {
				i = len(v.Fixed)
				fixedAt[f.ID] = i
				v.Fixed = append(v.Fixed, htmlFixed{ID: f.ID, Subject: f.Subject, Carried: carriedLinks(f.Carried)})
			}
			if v.Fixed[i].Subject == "" {
				v.Fixed[i].Subject = f.Subject
			}
			v.Fixed[i].FixedBy = append(v.Fixed[i].FixedBy, link{ID: m.ID, Subject: m.Subject, Href: href(ra.up.anchor[m.ID])})
		}
	}
	for i := range v.Fixed {
		v.Fixed[i].Anchor = claim(ra.add(ra.up, v.Fixed[i].ID))
	}
	backport := map[string]bool{}
	for _, b := range o.Backports {
		backport[ra.up.anchor[b.Upstream]] = true
	}
	fixRow := map[string]bool{}
	for _, m := range o.MissingFixes {
		fixRow[ra.up.anchor[m.ID]] = true
	}
	// Every fixed commit has a row now.
	for _, m := range o.MissingFixes {
		hf := htmlFix{MissingFix: m, Anchor: claim(ra.up.anchor[m.ID]), Flags: flags(m.Commit)}
		for _, f := range fixesOf(m) {
			a := ra.up.find(f.ID)
			l := link{ID: f.ID, Subject: f.Subject, Href: href(a)}
			switch {
			case fixRow[a]:
				l.Note = "missing fix"
			case backport[a]:
				l.Note = "backport"
			case len(f.Carried) > 0:
				l.Note = "carried"
			default:
				l.Note = "in base"
			}
			hf.Fixes = append(hf.Fixes, l)
		}
		v.MissingFixes = append(v.MissingFixes, hf)
	}
	// The summary's critical commits link to their rows when the page has
	// them (a missing fix); a CVE that fixes nothing the downstream has
	// has none.
	for i, m := range o.Critical {
		hf := htmlFix{MissingFix: m, Href: href(ra.up.find(m.ID)), Flags: flags(m.Commit)}
		if i < summaryCritical {
			v.Critical = append(v.Critical, hf)
		} else {
			v.CriticalRest = append(v.CriticalRest, hf)
		}
	}
	for _, g := range groupCarried(o.Carried) {
		hg := htmlGroup{Status: g.Status, Folded: g.Status == status.Mainline || len(g.Changes) > foldAbove}
		for _, c := range g.Changes {
			hc := htmlCarried{Carried: c, Anchor: claim(ra.down.anchor[c.ID]), Facts: evidenceFacts(c.Status)}
			for _, u := range c.Status.Upstream {
				hc.Upstream = append(hc.Upstream, link{ID: u, Href: href(ra.up.find(u))})
			}
			hg.Rows = append(hg.Rows, hc)
		}
		v.Groups = append(v.Groups, hg)
	}
	for _, b := range o.Backports {
		v.Backports = append(v.Backports, htmlBackport{Backport: b, Anchor: claim(ra.up.anchor[b.Upstream]), Carried: carriedLinks(b.Carried)})
	}
	n := analyzer.CountTests(o.Tests)
	v.Pass, v.Fail, v.Other = n.Pass, n.Fail, n.Other
	v.Failing = failingTests(o.Tests)
	for _, g := range analyzer.GroupRegressions(o.Regressions) {
		hr := htmlRegression{RegressionGroup: g}
		for i, s := range g.First.Suspects {
			hr.Suspects = append(hr.Suspects, htmlSuspect{Suspect: s, Rank: i + 1, Href: href(ra.down.find(s.ID))})
		}
		for _, m := range g.First.MissingFixes {
			rf := htmlRegressionFix{Commit: m, Href: href(ra.up.find(m.ID)), Flags: flags(m)}
			for _, f := range m.Fixes {
				rf.Fixes = append(rf.Fixes, link{ID: f, Href: href(ra.up.find(f))})
			}
			hr.MissingFixes = append(hr.MissingFixes, rf)
		}
		v.Regressions = append(v.Regressions, hr)
	}
	return v
}
