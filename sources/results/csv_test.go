package results

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestCSVFixture(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "iol.csv"))
	if err != nil {
		t.Fatal(err)
	}
	f := mustParse(t, "iol.csv", string(data), "")
	if f.Format != FormatCSV {
		t.Errorf("format %q", f.Format)
	}
	run := map[string]string{"Run ID": "r1"}
	checkCases(t, f.Cases, []Case{
		{Path: "ipoib.connected_mode.ping", Suite: "ipoib", Status: StatusPass, Start: utc("2024-05-01T12:00:00Z"),
			Duration: 1500 * time.Millisecond, LogURL: "https://logs.example/1", Lab: "unh-iol", Hardware: "x86_64 CX6",
			Target: Target{Source: "rhel-9.4", Ref: "kernel-5.14.0-427.el9"}, Properties: run, Where: "line 2"},
		{Path: "rdma_cm.connect", Suite: "rdma_cm", Status: StatusFail, Start: utc("2024-05-01T12:01:00Z"),
			Duration: 30 * time.Second, Message: "timeout", Lab: "unh-iol",
			Target: Target{Source: "rhel-9.4", Ref: "0123456789ab"}, Properties: run, Where: "line 4"},
	})
}

// csvGood are CSV files that parse, with what they hold.
func csvGood() []goodCase {
	return []goodCase{
		{"header only", "test,status\n", nil},
		{"header only, crlf, bom", "\xef\xbb\xbftest,status\r\n\r\n", nil},
		{"every status word",
			"status,test\nfail,a.f\nError,a.e\nMISS,a.m\npass,a.p\ndone,a.d\nskip,a.s\nPassed,a.p2\nFAILED,a.f2\nskipped,a.s2\n",
			[]Case{
				{Path: "a.f", Suite: "a", Status: StatusFail, Where: "line 2"},
				{Path: "a.e", Suite: "a", Status: StatusError, Where: "line 3"},
				{Path: "a.m", Suite: "a", Status: StatusMiss, Where: "line 4"},
				{Path: "a.p", Suite: "a", Status: StatusPass, Where: "line 5"},
				{Path: "a.d", Suite: "a", Status: StatusDone, Where: "line 6"},
				{Path: "a.s", Suite: "a", Status: StatusSkip, Where: "line 7"},
				{Path: "a.p2", Suite: "a", Status: StatusPass, Where: "line 8"},
				{Path: "a.f2", Suite: "a", Status: StatusFail, Where: "line 9"},
				{Path: "a.s2", Suite: "a", Status: StatusSkip, Where: "line 10"},
			}},
		{"suite column, spaces trimmed, empty rows skipped, empty extras left out",
			" Suite , TEST ,status,build,notes\n\n,,,,\nIB Logo , ipoib.ping , PASS ,42,\n,rdma,skip,,x\n",
			[]Case{
				{Path: "ipoib.ping", Suite: "IB Logo", Status: StatusPass, Properties: map[string]string{"build": "42"}, Where: "line 4"},
				{Path: "rdma", Suite: "rdma", Status: StatusSkip, Properties: map[string]string{"notes": "x"}, Where: "line 5"},
			}},
		{"multi-line quoted message, invalid utf-8",
			"test,status,message\n\"a.b\",FAIL,\"\n  first \xff line\nsecond\"\nc.d,PASS,\"\"\n",
			[]Case{
				{Path: "a.b", Suite: "a", Status: StatusFail, Message: "first \uFFFD line", Where: "line 2"},
				{Path: "c.d", Suite: "c", Status: StatusPass, Where: "line 5"},
			}},
		{"target without ref, start without zone",
			"test,status,target,start,duration\nx,PASS,upstream,2024-05-01T12:00:00,0\n",
			[]Case{{Path: "x", Suite: "x", Status: StatusPass, Target: Target{Source: "upstream"}, Start: utc("2024-05-01T12:00:00Z"), Where: "line 2"}}},
	}
}

func TestCSVGood(t *testing.T) {
	runGood(t, FormatCSV, csvGood())
}

// csvBad are CSV files that must be refused.
func csvBad() []badCase {
	return []badCase{
		{"empty", "", "", "empty file; want a header row naming the columns: test,status["},
		{"blank lines only", "\n\n\r\n", "", "empty file"},
		{"no test column", "name,status\na,PASS\n", "line 1", `header has no "test" column; want test,status[,suite,lab,hardware,target,start,duration,log_url,message]`},
		{"no status column", "\n\ntest,result\n", "line 3", `header has no "status" column`},
		{"duplicate header", "test,status,Test\n", "line 1", `header names column "Test" twice (columns 1 and 3)`},
		{"duplicate extra column", "test,status,run,RUN \n", "line 1", `header names column "RUN" twice (columns 3 and 4)`},
		{"unnamed column", "test,,status\n", "line 1", "header column 2 has no name"},
		{"too many fields", "test,status\na,PASS\nb,PASS,extra\n", "line 3", "has 3 fields; want 2, as many as the header"},
		{"too few fields", "test,status,lab\n\n\nb,PASS\n", "line 4", "has 2 fields; want 3"},
		{"bare quote", "test,status\na\"b,PASS\n", "line 2", `malformed CSV: bare " in non-quoted-field`},
		{"unterminated quote", "test,status\n\"a,PASS\nb,FAIL\n", "line 3", "malformed CSV: extraneous or missing \" in quoted-field (the record starts on line 2)"},
		{"bad header quote", "\"test,status\n", "line 1", "malformed CSV"},
		{"empty test", "test,status\n,PASS\n", "line 2", "test is empty"},
		{"empty status", "test,status\na,\n", "line 2", "status is empty; want FAIL, ERROR, MISS, PASS, DONE or SKIP (or passed, failed, skipped)"},
		{"unknown status", "test,status\na,PASS\n\nb,flaky\n", "line 4", `status "flaky" is not one of FAIL, ERROR, MISS, PASS, DONE or SKIP`},
		{"bad start", "test,status,start\na,PASS,05/01/2024\n", "line 2", `start "05/01/2024" is not RFC 3339`},
		{"bad duration", "test,status,duration\na,PASS,12s\n", "line 2", `duration "12s" is not a number of seconds`},
		{"negative duration", "test,status,duration\na,PASS,-3\n", "line 2", `duration "-3"`},
		{"crlf line numbers", "test,status\r\na,PASS\r\n\"b\r\nc\",PASS\r\nd,nope\r\n", "line 5", `status "nope"`},
	}
}

func TestCSVBad(t *testing.T) {
	runBad(t, FormatCSV, csvBad())
}
