package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/analyzer"
)

// node is an element of a parsed page.
type node struct {
	name   string
	attrs  map[string]string
	kids   []*node
	text   string // its own character data
	parent *node
}

// parsePage parses an HTML page written as XHTML-compatible markup with
// encoding/xml in strict mode: every element closed, every attribute
// quoted, every entity known to XML.
func parsePage(data []byte) (*node, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	root := &node{name: "#document", attrs: map[string]string{}}
	cur := root
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: tok.Name.Local, attrs: map[string]string{}, parent: cur}
			for _, a := range tok.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			cur.kids = append(cur.kids, n)
			cur = n
		case xml.EndElement:
			cur = cur.parent
		case xml.CharData:
			cur.text += string(tok)
		}
	}
	return root, nil
}

// all returns the elements under n (n included) that match.
func (n *node) all(match func(*node) bool) []*node {
	var out []*node
	var walk func(*node)
	walk = func(x *node) {
		if match(x) {
			out = append(out, x)
		}
		for _, k := range x.kids {
			walk(k)
		}
	}
	walk(n)
	return out
}

func named(name string) func(*node) bool { return func(n *node) bool { return n.name == name } }

func classed(name, class string) func(*node) bool {
	return func(n *node) bool {
		return n.name == name && strings.Contains(" "+n.attrs["class"]+" ", " "+class+" ")
	}
}

// textOf is the text of n and everything under it.
func (n *node) textOf() string {
	s := n.text
	for _, k := range n.kids {
		s += k.textOf()
	}
	return s
}

// inside says whether n has an ancestor named name.
func (n *node) inside(name string) bool {
	for p := n.parent; p != nil; p = p.parent {
		if p.name == name {
			return true
		}
	}
	return false
}

func renderHTML(t *testing.T, d *Document) ([]byte, *node) {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, d); err != nil {
		t.Fatal(err)
	}
	root, err := parsePage(b.Bytes())
	if err != nil {
		t.Fatalf("the page does not parse: %v", err)
	}
	return b.Bytes(), root
}

func TestHTMLStructure(t *testing.T) {
	d := fixtureDocument()
	_, root := renderHTML(t, d)

	sections := root.all(classed("section", "downstream"))
	if len(sections) != len(d.Downstreams) {
		t.Fatalf("%d downstream sections, want %d", len(sections), len(d.Downstreams))
	}
	if m := root.all(func(n *node) bool { return n.attrs["id"] == "matrix" }); len(m) != 1 {
		t.Errorf("%d matrix sections, want 1 (two downstreams)", len(m))
	} else if rows := m[0].all(named("tr")); len(rows) != 1+5 {
		t.Errorf("matrix: %d rows, want a header and 5 components", len(rows))
	}
	for i, s := range sections {
		o := d.Downstreams[i]
		if h := s.all(named("h2")); len(h) == 0 || !strings.Contains(h[0].textOf(), o.Downstream) || !strings.Contains(h[0].textOf(), o.Upstream) {
			t.Errorf("section %d: heading does not name %s and %s", i, o.Downstream, o.Upstream)
		}
		bars := s.all(classed("svg", "bars"))
		if len(bars) != 1 {
			t.Errorf("%s: %d bar charts, want 1", o.Downstream, len(bars))
			continue
		}
		comps := 0
		for _, c := range o.Components {
			if c.Component != "" {
				comps++
			}
		}
		if groups := bars[0].all(named("g")); len(groups) != comps {
			t.Errorf("%s: %d bar groups, want one per component (%d)", o.Downstream, len(groups), comps)
		}
		if rects := bars[0].all(named("rect")); len(rects) != 3+3*comps {
			t.Errorf("%s: %d bars, want 3 legend swatches and 3 per component", o.Downstream, len(rects))
		}
		trend := s.all(classed("svg", "trend"))
		if len(o.Trend) >= 2 {
			if len(trend) != 1 {
				t.Errorf("%s: %d trend charts, want 1", o.Downstream, len(trend))
				continue
			}
			lines := trend[0].all(named("polyline"))
			if len(lines) != 2 {
				t.Errorf("%s: %d trend lines, want carried and missing", o.Downstream, len(lines))
			}
			for _, l := range lines {
				if n := len(strings.Fields(l.attrs["points"])); n != len(o.Trend) {
					t.Errorf("%s: a trend line of %d points, want %d", o.Downstream, n, len(o.Trend))
				}
			}
		} else if len(trend) != 0 || !strings.Contains(s.textOf(), "One snapshot so far") {
			t.Errorf("%s: %d trend points: want no chart and \"One snapshot so far\"", o.Downstream, len(o.Trend))
		}
	}
	// The bars have the counts: mlx5's missing is the widest bar.
	var widest *node
	for _, r := range sections[0].all(named("rect")) {
		if widest == nil || len(r.attrs["width"]) > len(widest.attrs["width"]) || r.attrs["width"] > widest.attrs["width"] && len(r.attrs["width"]) == len(widest.attrs["width"]) {
			widest = r
		}
	}
	if widest == nil || widest.textOf() != "missing: 30" {
		t.Errorf("the widest bar is not mlx5's 30 missing")
	}

	// Sortable tables: a header, a body, as many cells in a row as headers.
	tables := root.all(classed("table", "sortable"))
	if len(tables) < 10 {
		t.Errorf("%d sortable tables", len(tables))
	}
	for _, tb := range tables {
		heads := tb.all(named("thead"))
		bodies := tb.all(named("tbody"))
		if len(heads) != 1 || len(bodies) != 1 {
			t.Errorf("table %q: %d thead, %d tbody", tb.attrs["class"], len(heads), len(bodies))
			continue
		}
		hrows := heads[0].all(named("tr"))
		last := hrows[len(hrows)-1].all(named("th"))
		if len(last) == 0 {
			t.Errorf("table %q: no header cells", tb.attrs["class"])
		}
		for _, r := range bodies[0].all(named("tr")) {
			cells := r.all(func(n *node) bool { return (n.name == "td" || n.name == "th") && n.parent == r })
			if len(cells) != len(last) {
				t.Errorf("table %q: a row of %d cells under %d headers", tb.attrs["class"], len(cells), len(last))
				break
			}
		}
	}

	// Long lists open folded.
	for _, tb := range root.all(classed("table", "backports")) {
		if !tb.inside("details") {
			t.Error("the backports are not inside <details>")
		}
	}
	for _, s := range sections {
		for _, g := range s.all(classed("details", "carried-group")) {
			if !strings.Contains(g.all(named("summary"))[0].textOf(), "mainline") {
				t.Errorf("a folded carried group that is not mainline: %s", g.all(named("summary"))[0].textOf())
			}
		}
		for _, tb := range s.all(classed("table", "carried")) {
			if tb.inside("details") {
				continue
			}
			for _, tr := range tb.all(named("tr")) {
				if strings.Contains(tr.textOf(), "add eswitch offloads") {
					t.Error("the mainline carried change is not folded")
				}
			}
		}
	}
}

// TestHTMLLinks: ids are unique and every in-page link has its target;
// every commit a missing fix fixes is a link to a row for that commit.
func TestHTMLLinks(t *testing.T) {
	d := fixtureDocument()
	_, root := renderHTML(t, d)
	ids := map[string]*node{}
	for _, n := range root.all(func(n *node) bool { return n.attrs["id"] != "" }) {
		if ids[n.attrs["id"]] != nil {
			t.Errorf("id %q twice", n.attrs["id"])
		}
		ids[n.attrs["id"]] = n
	}
	links := root.all(func(n *node) bool { return n.name == "a" && strings.HasPrefix(n.attrs["href"], "#") })
	for _, a := range links {
		if ids[strings.TrimPrefix(a.attrs["href"], "#")] == nil {
			t.Errorf("link %s has no target", a.attrs["href"])
		}
	}
	sections := root.all(classed("section", "downstream"))
	checked := 0
	for i, s := range sections {
		for _, m := range d.Downstreams[i].MissingFixes {
			var row *node
			for _, tb := range s.all(classed("table", "fixes")) {
				for _, tr := range tb.all(named("tr")) {
					if c := tr.all(named("code")); len(c) > 0 && c[0].attrs["title"] == m.ID {
						row = tr
					}
				}
			}
			if row == nil || !strings.HasPrefix(row.attrs["id"], "c-"+m.ID) {
				t.Errorf("%s: no row anchored c-%s for missing fix %.12s", d.Downstreams[i].Downstream, m.ID, m.ID)
				continue
			}
			fixesCell := row.all(named("td"))[6]
			as := fixesCell.all(named("a"))
			want := fixesOf(m)
			if len(as) != len(want) {
				t.Errorf("%.12s: %d links to fixed commits, want %d", m.ID, len(as), len(want))
				continue
			}
			for j, a := range as {
				target := ids[strings.TrimPrefix(a.attrs["href"], "#")]
				if target == nil || target.name != "tr" {
					t.Errorf("%.12s fixes %.12s: link %s goes to no row", m.ID, want[j].ID, a.attrs["href"])
					continue
				}
				if c := target.all(named("code")); len(c) == 0 || !samePrefix(c[0].attrs["title"], want[j].ID) {
					t.Errorf("%.12s fixes %.12s: link %s goes to another commit's row", m.ID, want[j].ID, a.attrs["href"])
				}
				if !strings.HasPrefix(target.attrs["id"], "c-") {
					t.Errorf("anchor %q is not c-<id>", target.attrs["id"])
				}
				checked++
			}
		}
	}
	if checked < 5 {
		t.Errorf("only %d fixed-commit links checked", checked)
	}
	// The fixed commit that came as a backport links to the backports
	// table; the one from the base to the table of fixed commits.
	for _, want := range []struct{ id, table string }{{oid("backport-1"), "backports"}, {oid("base-1"), "fixed"}, {oid("base-2"), "fixed"}} {
		n := ids["c-"+want.id]
		if n == nil {
			t.Errorf("no anchor c-%s", want.id)
			continue
		}
		ok := false
		for p := n.parent; p != nil; p = p.parent {
			if p.name == "table" && strings.Contains(p.attrs["class"], want.table) {
				ok = true
			}
		}
		if !ok {
			t.Errorf("c-%.12s is not a row of the %s table", want.id, want.table)
		}
	}
}

// TestHTMLSelfContained: nothing is fetched from anywhere, and the page
// asks the browser to refuse it too.
func TestHTMLSelfContained(t *testing.T) {
	raw, root := renderHTML(t, fixtureDocument())
	for _, name := range []string{"link", "img", "iframe", "object", "embed", "image", "use", "base", "audio", "video", "source", "track"} {
		if n := root.all(named(name)); len(n) > 0 {
			t.Errorf("%d <%s> elements", len(n), name)
		}
	}
	remote := regexp.MustCompile(`(?i)^\s*(https?:)?//`)
	for _, n := range root.all(func(*node) bool { return true }) {
		if _, ok := n.attrs["src"]; ok {
			t.Errorf("<%s src=%q>", n.name, n.attrs["src"])
		}
		for _, a := range []string{"href", "xlink:href", "action", "data", "poster", "background"} {
			// A link (a test's log) fetches nothing until it is followed.
			if v, ok := n.attrs[a]; ok && (remote.MatchString(v) && n.name != "a" || a != "href") {
				t.Errorf("<%s %s=%q>", n.name, a, v)
			}
		}
	}
	lower := strings.ToLower(string(raw))
	for _, bad := range []string{"@import", "url(", "src=", "<link"} {
		if strings.Contains(lower, bad) {
			t.Errorf("the page has %q", bad)
		}
	}
	csp := root.all(func(n *node) bool { return n.name == "meta" && n.attrs["http-equiv"] == "Content-Security-Policy" })
	if len(csp) != 1 || !strings.Contains(csp[0].attrs["content"], "default-src 'none'") {
		t.Error("no Content-Security-Policy forbidding fetches")
	}
	style := root.all(named("style"))
	if len(style) != 1 {
		t.Fatalf("%d <style>", len(style))
	}
	css := style[0].textOf()
	for _, want := range []string{"@media print", "position: static", "break-inside: avoid", "@media (max-width", "print-color-adjust: exact"} {
		if !strings.Contains(css, want) {
			t.Errorf("the stylesheet has no %q", want)
		}
	}
}

// TestHTMLEscapes: a commit subject that is a script shows as text.
func TestHTMLEscapes(t *testing.T) {
	raw, root := renderHTML(t, fixtureDocument())
	scripts := root.all(named("script"))
	if len(scripts) != 1 || !strings.Contains(scripts[0].textOf(), "table.sortable") {
		t.Fatalf("%d <script> elements, want only the sort script", len(scripts))
	}
	if bytes.Contains(raw, []byte("<script>alert")) || bytes.Contains(raw, []byte("alert(1)</script>")) {
		t.Error("the planted script is in the page unescaped")
	}
	shown := root.all(func(n *node) bool { return strings.Contains(n.text, plantedScript) })
	if len(shown) < 3 {
		t.Errorf("the planted subject shows as text in %d elements, want at least 3", len(shown))
	}
	for _, n := range shown {
		if n.name == "script" || n.name == "style" {
			t.Errorf("the planted subject is inside <%s>", n.name)
		}
	}
	// No attribute carries markup either (titles, ids).
	for _, n := range root.all(func(*node) bool { return true }) {
		for k, v := range n.attrs {
			if strings.HasPrefix(k, "on") {
				t.Errorf("<%s %s=%q>", n.name, k, v)
			}
		}
	}
}

// TestHTMLOddText: control characters and invalid UTF-8 from a repository
// keep the page well-formed; small documents render.
func TestHTMLOddText(t *testing.T) {
	d := fixtureDocument()
	d.Downstreams[0].Carried[0].Subject = "esc \x1b[31m red \xff\xfe bad \x00 nul \ufffe"
	d.Downstreams[0].MissingFixes[0].Author = "Zoë \u202eevil"
	// Data that lists a commit twice, and a status with a control character.
	o := &d.Downstreams[0]
	o.Backports = append(o.Backports, o.Backports[0])
	o.Carried = append(o.Carried, o.Carried[1])
	o.MissingFixes = append(o.MissingFixes, o.MissingFixes[0])
	o.Components[0].ByStatus["odd\x01"] = 1
	_, root := renderHTML(t, d)
	ids := map[string]bool{}
	for _, n := range root.all(func(n *node) bool { _, ok := n.attrs["id"]; return ok }) {
		if ids[n.attrs["id"]] || n.attrs["id"] == "" {
			t.Errorf("id %q twice or empty", n.attrs["id"])
		}
		ids[n.attrs["id"]] = true
	}
	if !strings.Contains(root.textOf(), "esc \ufffd[31m red") {
		t.Error("the control character was not replaced")
	}
	// One downstream: no matrix; none: a page all the same.
	one := &Document{SchemaVersion: SchemaVersion, Generator: Generator, Downstreams: []analyzer.Overview{{Downstream: "x@y"}}}
	_, r := renderHTML(t, one)
	if len(r.all(func(n *node) bool { return n.attrs["id"] == "matrix" })) != 0 {
		t.Error("a matrix for one downstream")
	}
	if len(r.all(classed("svg", "bars"))) != 1 {
		t.Error("no bar chart for a downstream with no components")
	}
	renderHTML(t, &Document{})
}

// TestMarkdownCells: repository text stays in its table cell and carries
// no HTML.
func TestMarkdownCells(t *testing.T) {
	var b bytes.Buffer
	if err := WriteMarkdown(&b, fixtureDocument()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(strings.ReplaceAll(out, "<br>", ""), "<") {
		t.Error("a < other than <br> in the Markdown")
	}
	// Every row of a table has as many cells as its header.
	lines := strings.Split(out, "\n")
	width := 0
	found := map[string]bool{}
	for _, l := range lines {
		if !strings.HasPrefix(l, "|") {
			width = 0
			continue
		}
		cells := splitRow(l)
		if width == 0 {
			width = len(cells)
		} else if len(cells) != width {
			t.Errorf("a row of %d cells in a table of %d: %s", len(cells), width, l)
		}
		for i, c := range cells {
			for _, want := range []string{plantedPipe, "net/mlx5: rejected with a newline", plantedScript, "Pipe | Author"} {
				if unescapeMD(c) == want {
					found[want] = true
					if strings.Count(c, "`")-strings.Count(c, "\\`") != 0 {
						t.Errorf("cell %d has an unescaped backtick: %s", i, c)
					}
				}
			}
		}
	}
	for _, want := range []string{plantedPipe, "net/mlx5: rejected with a newline", plantedScript, "Pipe | Author"} {
		if !found[want] {
			t.Errorf("no cell reads %q", want)
		}
	}
}

// splitRow splits a Markdown table row at its unescaped pipes.
func splitRow(l string) []string {
	var cells []string
	var cur strings.Builder
	esc := false
	for _, r := range strings.TrimSpace(l)[1:] {
		switch {
		case esc:
			esc = false
		case r == '\\':
			esc = true
		case r == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
			continue
		}
		cur.WriteRune(r)
	}
	return cells
}

// unescapeMD reads a cell as a renderer would: backslash escapes and the
// entities mdText writes.
func unescapeMD(s string) string {
	var b strings.Builder
	esc := false
	for _, r := range s {
		if !esc && r == '\\' {
			esc = true
			continue
		}
		esc = false
		b.WriteRune(r)
	}
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&amp;", "&").Replace(b.String())
}

// TestHTMLSortScript runs the page's script on a small fake table with
// node, when it is installed: numbers sort by value (before text), a
// second click reverses, text sorts in natural order.
func TestHTMLSortScript(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	_, root := renderHTML(t, fixtureDocument())
	script := root.all(named("script"))[0].textOf()
	harness := `
function cell(text, sort) {
  return { textContent: text, attrs: sort === undefined ? {} : {'data-sort': sort},
    getAttribute(n) { return n in this.attrs ? this.attrs[n] : null; },
    setAttribute(n, v) { this.attrs[n] = v; }, removeAttribute(n) { delete this.attrs[n]; },
    addEventListener(ev, fn) { this['on' + ev] = fn; } };
}
const heads = [cell('name'), cell('count'), cell('share')];
const group = { cells: [cell('')] };
const headRow = { cells: heads };
heads.forEach(h => { h.parentNode = headRow; });
const rows = [['b', '10', '0.5'], ['a', '9', '0.25'], ['c10', '-', '0.125'], ['c9', '+100', '1']].map(r => ({ id: r[0], cells: [cell(r[0]), cell(r[1]), cell(r[2] + '%', r[2])] }));
const body = { rows: rows.slice(), appendChild(r) { this.rows.splice(this.rows.indexOf(r), 1); this.rows.push(r); } };
const table = { tHead: { rows: [group, headRow] }, tBodies: [body] };
global.document = { querySelectorAll(sel) { return sel === 'table.sortable' ? [table] : []; }, getElementById() { return null; }, addEventListener() {} };
global.window = { addEventListener() {} };
global.location = { hash: '' };
eval(SCRIPT);
const order = () => body.rows.map(r => r.id).join(',');
heads[1].onclick(); console.log(order());
heads[1].onclick(); console.log(order());
heads[0].onclick(); console.log(order());
heads[2].onkeydown({ key: 'Enter', preventDefault() {} }); console.log(order());
console.log(heads[2].getAttribute('aria-sort'), heads[0].getAttribute('aria-sort'));
`
	quoted, _ := json.Marshal(script)
	file := filepath.Join(t.TempDir(), "sort.js")
	if err := os.WriteFile(file, []byte(strings.Replace(harness, "SCRIPT", string(quoted), 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, file).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	want := "a,b,c9,c10\nc10,c9,b,a\na,b,c9,c10\nc10,a,b,c9\nascending null\n"
	if string(out) != want {
		t.Errorf("sorted:\n%s\nwant:\n%s", out, want)
	}
}

// TestPartial: an overview read from an incomplete snapshot says so.
func TestPartial(t *testing.T) {
	d := fixtureDocument()
	_, root := renderHTML(t, d)
	if p := root.all(classed("p", "partial")); len(p) != 1 || !strings.Contains(p[0].textOf(), d.Downstreams[1].Partial) {
		t.Error("the HTML does not say the overview is partial")
	}
	var b bytes.Buffer
	if err := WriteMarkdown(&b, d); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "**Partial:** missing fixes before snapshot 40 were not kept") {
		t.Error("the Markdown does not say the overview is partial")
	}
}

func TestCommitRowsFind(t *testing.T) {
	page := &anchors{used: map[string]bool{}}
	ra := page.forSection(1)
	full1 := "abcdef0123456789abcdef0123456789abcdef01"
	full2 := "abcdef0999999999999999999999999999999999"
	ra.add(ra.up, full1)
	ra.add(ra.up, full2)
	ra.add(ra.up, "1234567890ab") // an abbreviated id with a row of its own
	for _, tc := range []struct{ id, want string }{
		{full1, "c-" + full1},
		{"ABCDEF012345", "c-" + full1}, // an abbreviation, any case
		{"abcdef0", ""},                // both: ambiguous
		{"1234567890abcdef0000000000000000000000000", "c-1234567890ab"}, // a full id the row abbreviates
		{"abc", ""}, // too short to trust
		{"ffffffffffff", ""},
	} {
		if got := ra.up.find(tc.id); got != tc.want {
			t.Errorf("find(%s) = %q, want %q", tc.id, got, tc.want)
		}
	}
	// The same commit in another section gets its own anchor.
	other := page.forSection(2)
	if a := other.add(other.up, full1); a != "c-"+full1+"-2" {
		t.Errorf("second anchor %q", a)
	}
	if a := anchorID("a b_c/<d>"); a != "a_20b_5fc_2f_3cd_3e" {
		t.Errorf("anchorID: %q", a)
	}
}
