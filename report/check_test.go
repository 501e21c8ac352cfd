package report

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

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
	if strings.Contains(b.String(), "<script") {
		t.Error("unescaped markup")
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
