package report

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kdelta/kdelta/analyzer"
)

func TestJUnit(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJUnit(&b, fixtureCheck()); err != nil {
		t.Fatal(err)
	}
	type failure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
	type skipped struct {
		Message string `xml:"message,attr"`
	}
	type testcase struct {
		Classname string   `xml:"classname,attr"`
		Name      string   `xml:"name,attr"`
		Failure   *failure `xml:"failure"`
		Skipped   *skipped `xml:"skipped"`
	}
	type suite struct {
		Name     string     `xml:"name,attr"`
		Tests    int        `xml:"tests,attr"`
		Failures int        `xml:"failures,attr"`
		Skipped  int        `xml:"skipped,attr"`
		Cases    []testcase `xml:"testcase"`
	}
	var got struct {
		XMLName  xml.Name `xml:"testsuites"`
		Name     string   `xml:"name,attr"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Skipped  int      `xml:"skipped,attr"`
		Suites   []suite  `xml:"testsuite"`
	}
	dec := xml.NewDecoder(bytes.NewReader(b.Bytes()))
	dec.Strict = true
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("the JUnit XML does not parse: %v\n%s", err, b.String())
	}
	if got.Name != "kdelta check" || got.Tests != 10 || got.Failures != 2 || got.Skipped != 2 || len(got.Suites) != 2 {
		t.Fatalf("root: %q tests=%d failures=%d skipped=%d suites=%d, want \"kdelta check\" 10 2 2 2", got.Name, got.Tests, got.Failures, got.Skipped, len(got.Suites))
	}
	for _, s := range got.Suites {
		tests, failures, skips := 0, 0, 0
		for _, c := range s.Cases {
			tests++
			if c.Classname != "kdelta.check."+s.Name {
				t.Errorf("classname %q in suite %q", c.Classname, s.Name)
			}
			if c.Failure != nil {
				failures++
				if c.Failure.Type != c.Name {
					t.Errorf("failure type %q of check %q", c.Failure.Type, c.Name)
				}
			}
			if c.Skipped != nil {
				skips++
				if c.Skipped.Message == "" {
					t.Errorf("%s %s: skipped without a reason", s.Name, c.Name)
				}
			}
		}
		if tests != s.Tests || failures != s.Failures || skips != s.Skipped {
			t.Errorf("suite %s: says %d/%d/%d, has %d/%d/%d", s.Name, s.Tests, s.Failures, s.Skipped, tests, failures, skips)
		}
	}
	rhel := got.Suites[0]
	if rhel.Name != "rhel@main" || len(rhel.Cases) != 5 || rhel.Cases[0].Name != analyzer.CheckStatus {
		t.Fatalf("first suite %q with %d cases", rhel.Name, len(rhel.Cases))
	}
	status := rhel.Cases[0].Failure
	if status == nil || status.Message != "1 regression" || !strings.Contains(status.Text, plantedXML) || !strings.Contains(status.Text, plantedScript) {
		t.Errorf("status failure: %+v", status)
	}
	if !strings.Contains(b.String(), "a &lt; b &amp;&amp; &#34;c&#34; fix") {
		t.Error("the finding's subject is not escaped in the XML")
	}
	fixes := rhel.Cases[2].Failure
	if fixes == nil || fixes.Message != "2 regressions" || len(strings.Fields(strings.ReplaceAll(fixes.Text, " ", "_"))) != 2 {
		t.Errorf("missing-fix failure: want 2 findings on 2 lines: %+v", fixes)
	}
	if rhel.Cases[3].Skipped == nil || rhel.Cases[3].Skipped.Message != "turned off by the policy" {
		t.Errorf("growth: %+v", rhel.Cases[3])
	}
}

func TestCheckMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCheckMarkdown(&b, fixtureCheck()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	if lines[0] != "kdelta check: 3 regressions in 8 checks against baseline.json" {
		t.Errorf("headline %q", lines[0])
	}
	if !strings.Contains(b.String(), "| rhel@main | FAIL (1) | pass | FAIL (2) | skipped | pass |") {
		t.Errorf("no rhel row in:\n%s", b.String())
	}
	if strings.Contains(strings.ReplaceAll(b.String(), `\<`, ""), "<") {
		t.Errorf("unescaped markup (a < without a backslash):\n%s", b.String())
	}

	// Nothing found.
	clean := &analyzer.CheckResult{Baseline: "snapshot 12", Checks: []analyzer.Check{
		{Downstream: "rhel@main", Kind: analyzer.CheckStatus}, {Downstream: "rhel@main", Kind: analyzer.CheckTest, Skipped: "off"},
	}}
	b.Reset()
	if err := WriteCheckMarkdown(&b, clean); err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(b.String(), "\n"); first != "kdelta check: no regressions (1 check against snapshot 12)" {
		t.Errorf("headline %q", first)
	}
	if !strings.Contains(b.String(), "| rhel@main | pass | - | - | - | skipped |") {
		t.Errorf("table:\n%s", b.String())
	}
	b.Reset()
	if err := WriteCheckMarkdown(&b, &analyzer.CheckResult{}); err != nil || !strings.HasPrefix(b.String(), "kdelta check: no regressions (0 checks against the baseline)") {
		t.Errorf("empty: %v %q", err, b.String())
	}
}

// TestCheckMarkdownForCILog checks that the check's Markdown reads as
// plain text in a CI log: no HTML entities, nothing said twice on a line,
// lines of at most 120 columns that Markdown still reads as one list item,
// and a table that stays valid whatever the subjects hold.
func TestCheckMarkdownForCILog(t *testing.T) {
	long := "RDMA/mlx5: Fix the <ib_umem> | *refcount* leak in mlx5_ib_reg_user_mr() when the odp path fails & takes 10 retries - 2 times"
	res := &analyzer.CheckResult{Baseline: "/var/lib/ci/very/long/path/to/the/baselines/of/the/rdma/stack/kdelta-baseline-rhel-9.4.json"}
	for _, d := range []string{"rhel@main", "ofed@master"} {
		res.Checks = append(res.Checks,
			analyzer.Check{Downstream: d, Kind: analyzer.CheckStatus, Findings: []analyzer.Finding{
				{Kind: analyzer.CheckStatus, Component: "mlx5", Subject: long, ID: oid("st"), Was: "submitted", Now: "unknown",
					Detail: "submitted -> unknown: posted to linux-rdma as v2 on 2024-01-02, message-id <20240102.1-mlx5@example.org>"},
			}},
			analyzer.Check{Downstream: d, Kind: analyzer.CheckBackport, Findings: []analyzer.Finding{
				{Kind: analyzer.CheckBackport, Component: "mlx5", Subject: "net/mlx5: Fix spelling mistake", ID: oid("bp"),
					Was: "backported as " + oid("carrier")[:12], Now: "gone",
					Detail: "upstream " + oid("bp")[:12] + " was carried by " + oid("carrier")[:12] + " and no change carries it now (dropped in a rebase, or reverted)"},
			}},
			analyzer.Check{Downstream: d, Kind: analyzer.CheckMissingFix, Findings: []analyzer.Finding{
				{Kind: analyzer.CheckMissingFix, Component: "mlx5", Subject: "net/mlx5: Fix missing argument", ID: oid("mf"), Was: "not missing", Now: "missing fix",
					Detail: "upstream " + oid("mf")[:12] + ` fixes 3552260ebc31 ("net/mlx5: Pass true"), which the downstream has`},
			}},
			analyzer.Check{Downstream: d, Kind: analyzer.CheckGrowth, Findings: []analyzer.Finding{
				{Kind: analyzer.CheckGrowth, Component: "mlx5", Subject: "mlx5 carried", Was: "3", Now: "5",
					Detail: "mlx5 carries 2 more downstream-only changes than the baseline; the policy allows 1"},
			}},
			analyzer.Check{Downstream: d, Kind: analyzer.CheckTest, Skipped: "turned off by the policy"},
		)
	}
	var b bytes.Buffer
	if err := WriteCheckMarkdown(&b, res); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, entity := range []string{"&lt;", "&gt;", "&quot;", "&amp;", "&#"} {
		if strings.Contains(out, entity) {
			t.Errorf("the output holds the HTML entity %s:\n%s", entity, out)
		}
	}
	// One list item per finding, naming both downstreams.
	items := 0
	for _, line := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(line); n > 120 {
			t.Errorf("a line of %d columns: %q", n, line)
		}
		if strings.HasPrefix(line, "- ") {
			items++
			continue
		}
		// A wrapped line is indented and cannot start a block of its own.
		if strings.HasPrefix(line, "  ") {
			if rest := strings.TrimLeft(line, " "); rest == "" || strings.ContainsAny(rest[:1], "-+*#>|=`~") {
				t.Errorf("a continuation line starts a Markdown block: %q", line)
			}
		}
	}
	if items != 5 {
		t.Errorf("%d list items, want 4 findings and 1 skipped check, each once for both downstreams:\n%s", items, out)
	}
	joined := strings.Join(strings.Fields(out), " ") // the items as one line each, unwrapped
	for _, want := range []string{
		"- rhel@main, ofed@master: status mlx5: RDMA/mlx5: Fix the \\<ib_umem> \\| \\*refcount\\* leak in mlx5_ib_reg_user_mr() when the odp path fails & takes 10 retries - 2 times (" + oid("st")[:12] + "): submitted -> unknown: posted to linux-rdma",
		"- rhel@main, ofed@master: backport mlx5: net/mlx5: Fix spelling mistake: upstream " + oid("bp")[:12] + " was carried by",
		"- rhel@main, ofed@master: missing-fix mlx5: net/mlx5: Fix missing argument: upstream " + oid("mf")[:12] + ` fixes 3552260ebc31 ("net/mlx5: Pass true"), which`,
		"- rhel@main, ofed@master: growth: mlx5 carries 2 more downstream-only changes",
		"- test skipped on rhel@main, ofed@master: turned off by the policy",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	// Nothing said twice in an item: no id, status change or component
	// repeated.
	for _, item := range strings.Split(joined, " - ") {
		for _, word := range []string{oid("st")[:12], oid("bp")[:12], oid("mf")[:12], "submitted -> unknown", "backported as", "not missing", "mlx5 carried"} {
			if strings.Count(item, word) > 1 {
				t.Errorf("%q is said twice in %q", word, item)
			}
		}
	}
	// The table stays valid: every row has the header's cells.
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "|") && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != 7 {
			t.Errorf("a table row with another number of cells: %q", line)
		}
	}
}
