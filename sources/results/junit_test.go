package results

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestJUnitFixture(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "unh-iol.junit.xml"))
	if err != nil {
		t.Fatal(err)
	}
	f := mustParse(t, "unh-iol.junit.xml", string(data), "")
	if f.Format != FormatJUnit {
		t.Errorf("format %q", f.Format)
	}
	ofed := Target{Source: "mlnx-ofed", Ref: "24.04-0.6.6"}
	rhel := Target{Source: "rhel-9.4", Ref: "kernel-5.14.0-427.el9"}
	ipoibProps := map[string]string{"lab": "unh-iol", "target": "mlnx-ofed@24.04-0.6.6", "hardware": "x86_64 ConnectX-6 Dx", "fabric": "ib-hdr"}
	checkCases(t, f.Cases, []Case{
		{Path: "ipoib.connected_mode.ping", Suite: "ipoib", Status: StatusPass, Start: utc("2024-05-01T10:00:00Z"),
			Duration: 1500 * time.Millisecond, Lab: "unh-iol", Hardware: "x86_64 ConnectX-6 Dx", Target: ofed,
			Properties: ipoibProps, Where: "line 13"},
		{Path: "ipoib.connected_mode.mtu_65520", Suite: "ipoib", Status: StatusFail, Start: utc("2024-05-01T10:00:00Z"),
			Duration: 250 * time.Millisecond, Message: "mtu stuck at 2044", Lab: "unh-iol", Hardware: "x86_64 ConnectX-6 Dx", Target: ofed,
			Properties: ipoibProps, Where: "line 14"},
		{Path: "ipoib.datagram_ping", Suite: "ipoib", Status: StatusSkip, Start: utc("2024-05-01T10:00:00Z"),
			Lab: "unh-iol", Hardware: "x86_64 ConnectX-6 Dx", Target: ofed, Properties: ipoibProps, Where: "line 18"},
		{Path: "rdma_cm.connect", Suite: "rdma_cm", Status: StatusError, Start: utc("2024-05-01T10:00:00Z"),
			Duration: 30 * time.Second, Message: "timeout after 30s", Lab: "unh-iol", Hardware: "aarch64 ConnectX-7", Target: rhel,
			Properties: map[string]string{"lab": "unh-iol", "target": "rhel-9.4@kernel-5.14.0-427.el9", "hardware": "aarch64 ConnectX-7"},
			Where:      "line 23"},
		{Path: "rdma_cm.perf", Suite: "rdma_cm", Status: StatusDone, Start: utc("2024-05-01T10:00:00Z"),
			Lab: "unh-iol", Target: ofed, Properties: map[string]string{"lab": "unh-iol", "target": "mlnx-ofed@24.04-0.6.6"},
			Where: "line 33"},
	})
}

// junitGood are JUnit files that parse, with what they hold.
func junitGood() []goodCase {
	return []goodCase{
		{"empty testsuites", `<testsuites/>`, nil},
		{"empty testsuite with properties", `<testsuite name="s"><properties><property name="lab" value="x"/></properties></testsuite>`, nil},
		{"single testsuite root, no classname", `<testsuite name="mlx5"><testcase name="probe"/></testsuite>`,
			[]Case{{Path: "mlx5.probe", Suite: "mlx5", Status: StatusPass, Where: "line 1"}}},
		{"no suite name, no classname", `<testsuite><testcase name="probe" time=""/></testsuite>`,
			[]Case{{Path: "probe", Status: StatusPass, Where: "line 1"}}},
		{"bom and crlf", "\xef\xbb\xbf<?xml version=\"1.0\"?>\r\n<testsuite name=\"s\">\r\n<testcase classname=\"a.b\" name=\"c\" time=\"2\">\r\n<failure>\r\n\r\n  boom  \r\nmore</failure></testcase>\r\n</testsuite>\r\n",
			[]Case{{Path: "a.b.c", Suite: "s", Status: StatusFail, Duration: 2 * time.Second, Message: "boom", Where: "line 3"}}},
		{"nested suites: innermost name and timestamp, outer properties first",
			`<testsuites>
<testsuite name="outer" timestamp="2024-01-02T03:04:05">
<properties><property name="lab" value="outer-lab"/><property name="k" value="outer"/></properties>
<testsuite name="inner">
<testcase classname="x" name="y">
<properties><property name="k" value="case"/></properties>
</testcase>
<properties><property name="hardware" value="cx7"/><property name="k" value="inner"/></properties>
</testsuite>
<testcase name="z"/>
</testsuite>
</testsuites>`,
			[]Case{
				{Path: "x.y", Suite: "inner", Status: StatusPass, Start: utc("2024-01-02T03:04:05Z"), Lab: "outer-lab", Hardware: "cx7",
					Properties: map[string]string{"lab": "outer-lab", "k": "case", "hardware": "cx7"}, Where: "line 5"},
				{Path: "outer.z", Suite: "outer", Status: StatusPass, Start: utc("2024-01-02T03:04:05Z"), Lab: "outer-lab",
					Properties: map[string]string{"lab": "outer-lab", "k": "outer"}, Where: "line 10"},
			}},
		{"worst outcome wins, its message kept",
			`<testsuite name="s"><testcase name="t"><skipped message="later"/><error message="err"/><failure message=" real &amp; first "/><error/></testcase></testsuite>`,
			[]Case{{Path: "s.t", Suite: "s", Status: StatusFail, Message: "real & first", Where: "line 1"}}},
		{"skipped message from text, CDATA",
			"<testsuite name=\"s\"><testcase name=\"t\"><skipped><![CDATA[\n no HCA\n]]></skipped></testcase></testsuite>",
			[]Case{{Path: "s.t", Suite: "s", Status: StatusSkip, Message: "no HCA", Where: "line 1"}}},
		{"status attribute: kcidb words override, others ignored",
			`<testsuite name="s">
<testcase name="a" status="MISS"><skipped/></testcase>
<testcase name="b" status="run"/>
<testcase name="c" status="notrun"><skipped/></testcase>
<testcase name="d" status=" Pass "/>
</testsuite>`,
			[]Case{
				{Path: "s.a", Suite: "s", Status: StatusMiss, Where: "line 2"},
				{Path: "s.b", Suite: "s", Status: StatusPass, Where: "line 3"},
				{Path: "s.c", Suite: "s", Status: StatusSkip, Where: "line 4"},
				{Path: "s.d", Suite: "s", Status: StatusPass, Where: "line 5"},
			}},
		{"unknown elements skipped, system-out ignored, testcase timestamp",
			`<testsuites><vendor><testcase name="hidden"/></vendor>
<testsuite name="s" hostname="h" tests="1">
<testcase name="t" timestamp="2024-05-01 08:00:00+0100" file="x.py" line="3">
<system-out>PASS</system-out><flakyFailure message="f"/><rerunFailure/>
</testcase>
</testsuite></testsuites>`,
			[]Case{{Path: "s.t", Suite: "s", Status: StatusPass, Start: utc("2024-05-01T07:00:00Z"), Where: "line 3"}}},
		{"property target without ref, property text, empty value",
			`<testsuite name="s"><properties><property name="target" value="upstream"/><property name="note">  two
lines </property><property name="empty" value=""/></properties><testcase name="t"/></testsuite>`,
			[]Case{{Path: "s.t", Suite: "s", Status: StatusPass, Target: Target{Source: "upstream"},
				Properties: map[string]string{"target": "upstream", "note": "two\nlines", "empty": ""}, Where: "line 2"}}},
		{"latin-1",
			"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<testsuite name=\"s\"><testcase name=\"t\"><failure message=\"caf\xe9\"/></testcase></testsuite>",
			[]Case{{Path: "s.t", Suite: "s", Status: StatusFail, Message: "café", Where: "line 2"}}},
		{"namespaces and comments",
			`<!-- c --><j:testsuite xmlns:j="urn:x" name="s"><j:testcase name="t"/><!-- c --></j:testsuite><!-- after -->`,
			[]Case{{Path: "s.t", Suite: "s", Status: StatusPass, Where: "line 1"}}},
	}
}

func TestJUnitGood(t *testing.T) {
	runGood(t, FormatJUnit, junitGood())
}

func TestJUnitLongMessage(t *testing.T) {
	long := strings.Repeat("x", 2000)
	f := mustParse(t, "x.xml", `<testsuite name="s"><testcase name="t"><failure>`+long+`</failure></testcase></testsuite>`, FormatJUnit)
	if got := f.Cases[0].Message; got != long[:500] {
		t.Errorf("message of %d bytes, want 500", len(got))
	}
}

// junitBad are JUnit files that must be refused.
func junitBad() []badCase {
	return []badCase{
		{"empty", "", "", "no root element"},
		{"only declaration", `<?xml version="1.0"?>` + "\n", "", "no root element"},
		{"wrong root", "\n\n<html><body/></html>", "line 3", "root element is <html>; want <testsuites> or <testsuite>"},
		{"root testcase", `<testcase name="x"/>`, "line 1", "root element is <testcase>"},
		{"unclosed", "<testsuites>\n<testsuite name=\"s\">\n<testcase name=\"t\">\n", "line 4", "malformed XML: unexpected EOF"},
		{"mismatched tags", "<testsuites>\n<testsuite>\n</testsuites>", "line 3", "malformed XML: element <testsuite> closed by </testsuites>"},
		{"bad attribute", "<testsuites>\n<testsuite name=s>", "line 2", "malformed XML: unquoted or missing attribute value"},
		{"unknown entity", "<testsuite name=\"s\">\n<testcase name=\"&bomb;\"/></testsuite>", "line 2", "malformed XML: invalid character entity &bomb;"},
		{"invalid utf-8", "<testsuite name=\"s\">\n<testcase name=\"\xff\"/></testsuite>", "line 2", "malformed XML: invalid UTF-8"},
		{"doctype", "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">]>\n<testsuites/>", "line 2", "<!DOCTYPE> declaration refused"},
		{"entity inside root", "<testsuites>\n<!ENTITY x \"y\">\n</testsuites>", "line 2", "<!ENTITY> declaration refused"},
		{"second root", "<testsuites/>\n<testsuites/>", "line 2", "second root element <testsuites>"},
		{"text after root", "<testsuites/>\ntrailing", "line 1", "text outside the root element"},
		{"testcase without name", "<testsuites>\n<testsuite name=\"s\">\n<testcase classname=\"a\"/>\n</testsuite>\n</testsuites>", "line 3", "<testcase> has no name attribute"},
		{"testcase with blank name", "<testsuite name=\"s\"><testcase name=\"  \"/></testsuite>", "line 1", "<testcase> has no name attribute"},
		{"bad time", "<testsuite name=\"s\">\n\n<testcase name=\"t\" time=\"1,234.5\"/></testsuite>", "line 3", `<testcase name="t"> time "1,234.5" is not a number of seconds`},
		{"negative time", "<testsuite name=\"s\"><testcase name=\"t\" time=\"-1\"/></testsuite>", "line 1", `time "-1" is not a number of seconds`},
		{"huge time", "<testsuite name=\"s\"><testcase name=\"t\" time=\"1e300\"/></testsuite>", "line 1", `time "1e300"`},
		{"bad suite timestamp", "<testsuites>\n<testsuite name=\"s\" timestamp=\"May 1st\">", "line 2", `<testsuite> timestamp "May 1st" is not a date and time`},
		{"bad testsuites timestamp", "<testsuites timestamp=\"2024-05-01\"/>", "line 1", `<testsuites> timestamp "2024-05-01"`},
		{"bad testcase timestamp", "<testsuite>\n<testcase name=\"t\" timestamp=\"1714564800\"/></testsuite>", "line 2", `<testcase name="t"> timestamp "1714564800"`},
		{"property without name", "<testsuite name=\"s\">\n<properties>\n<property value=\"x\"/>\n</properties></testsuite>", "line 3", "<property> has no name attribute"},
		{"case property with empty name", "<testsuite><testcase name=\"t\"><properties>\n<property name=\"\" value=\"x\"/></properties></testcase></testsuite>", "line 2", "<property> has no name attribute"},
		{"unsupported encoding", "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n<testsuites/>", "line 1", `encoding "Shift_JIS" is not supported`},
		{"error after good cases", "<testsuite name=\"s\">\n<testcase name=\"a\"/>\n<testcase name=\"b\" time=\"x\"/>\n</testsuite>", "line 3", `time "x"`},
	}
}

func TestJUnitBad(t *testing.T) {
	runBad(t, FormatJUnit, junitBad())
}

func TestJUnitPropertyBudget(t *testing.T) {
	m := merger{copied: maxPropertyEntries - 2}
	if _, err := m.merge(map[string]string{"a": "1"}, map[string]string{"b": "2"}, 7); err != nil {
		t.Fatalf("merge within the budget: %v", err)
	}
	_, err := m.merge(nil, map[string]string{"c": "3"}, 9)
	if err == nil || err.Where != "line 9" || !strings.Contains(err.Msg, "properties repeated over too many") {
		t.Fatalf("merge over the budget: %v", err)
	}
}

func TestJUnitSharedSuiteProperties(t *testing.T) {
	f := mustParse(t, "s.xml", `<testsuite name="s"><properties><property name="lab" value="l"/></properties>
<testcase name="a"/><testcase name="b"><properties><property name="own" value="x"/></properties></testcase><testcase name="c"/></testsuite>`, FormatJUnit)
	want := []map[string]string{{"lab": "l"}, {"lab": "l", "own": "x"}, {"lab": "l"}}
	for i, c := range f.Cases {
		if !reflect.DeepEqual(c.Properties, want[i]) || c.Lab != "l" {
			t.Errorf("case %d: %+v", i, c)
		}
	}
}
