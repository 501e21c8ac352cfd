package results

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kdelta/kdelta/internal/fileerr"
)

// badCase is a file that must be refused.
type badCase struct {
	name   string
	data   string
	where  string // the exact Where
	substr string // part of Msg
}

// goodCase is a file that must parse to want.
type goodCase struct {
	name string
	data string
	want []Case
}

// runGood parses each good file as format and checks its cases.
func runGood(t *testing.T, format string, tests []goodCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := mustParse(t, "good."+format, tc.data, format)
			if f.Format != format {
				t.Errorf("format %q, want %q", f.Format, format)
			}
			checkCases(t, f.Cases, tc.want)
		})
	}
}

// runBad parses each bad file as format and checks the *fileerr.Error.
func runBad(t *testing.T, format string, tests []badCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse("bad."+format, []byte(tc.data), format)
			checkErr(t, f, err, "bad."+format, tc.where, tc.substr)
		})
	}
}

// checkErr checks that err is an *fileerr.Error for file at where whose message
// holds substr, and that no File came with it.
func checkErr(t *testing.T, f *File, err error, file, where, substr string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; got %d cases: %+v", len(f.Cases), f.Cases)
	}
	if f != nil {
		t.Errorf("a File came with the error")
	}
	var e *fileerr.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v, want *fileerr.Error", err, err)
	}
	if e.File != file {
		t.Errorf("File %q, want %q", e.File, file)
	}
	if e.Where != where {
		t.Errorf("Where %q, want %q (error: %v)", e.Where, where, err)
	}
	if !strings.Contains(e.Msg, substr) {
		t.Errorf("Msg %q does not contain %q", e.Msg, substr)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, file+": ") || strings.Contains(msg, "\n") {
		t.Errorf("error %q is not one line starting with the file name", msg)
	}
}

func mustParse(t *testing.T, name, data, format string) *File {
	t.Helper()
	f, err := Parse(name, []byte(data), format)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f
}

func checkCases(t *testing.T, got, want []Case) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d cases, want %d", len(got), len(want))
	}
	for i := 0; i < len(got) && i < len(want); i++ {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("case %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestStatuses(t *testing.T) {
	want := []string{"FAIL", "ERROR", "MISS", "PASS", "DONE", "SKIP"}
	got := Statuses()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Statuses() = %v, want %v", got, want)
	}
	got[0] = "x"
	if Statuses()[0] != "FAIL" {
		t.Fatal("Statuses shares its slice between calls")
	}
}

// TestErrorText: the whole one-line texts a refused file gets: the file,
// where in it (a line, a kcidb element) when known, what was expected; what
// the input holds shown escaped, never obeyed.
func TestErrorText(t *testing.T) {
	for _, tc := range []struct {
		name, file, data, format, want string
	}{
		{"a line", "a.xml", "<testsuites>\n<testsuite name=\"s\">\n<testcase name=\"t\"></testsuite>\n", FormatJUnit, "a.xml: line 3: malformed XML: element <testcase> closed by </testsuite>"},
		{"a kcidb element", "k.json", `{"version": {"major": 4}, "tests": [{"id": "t1", "origin": "o", "build_id": "b", "path": "a.b"}]}`, FormatKCIDB,
			"k.json: tests[0]: status missing; want FAIL, ERROR, MISS, PASS, DONE or SKIP (kcidb allows none, but a result without one cannot be judged)"},
		{"the whole file", "r.txt", "nothing here\n", "",
			"r.txt: cannot tell the format (want JUnit XML, kcidb JSON, or CSV with a header naming test and status columns); pass --format junit|kcidb|csv"},
		{"escaped", "evil\nname.csv", "test,status\na.b,\x1b[2Jbad\n", FormatCSV,
			`evil\nname.csv: line 2: status "\x1b[2Jbad" is not one of FAIL, ERROR, MISS, PASS, DONE or SKIP (or passed, failed, skipped)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.file, []byte(tc.data), tc.format)
			if err == nil || err.Error() != tc.want {
				t.Errorf("error %q, want %q", err, tc.want)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		name, data, want string
	}{
		{"xml decl", `<?xml version="1.0"?><testsuites/>`, FormatJUnit},
		{"bom and space", "\xef\xbb\xbf \r\n\t<testsuite/>", FormatJUnit},
		{"any xml", "<html>", FormatJUnit},
		{"json", `{"version":{"major":4}}`, FormatKCIDB},
		{"json after bom", "\xef\xbb\xbf\n  {}", FormatKCIDB},
		{"csv", "test,status\na.b,PASS\n", FormatCSV},
		{"csv any case and order", "Lab , STATUS,Test\r\n", FormatCSV},
		{"csv quoted header", "\"test\",\"status\",\"a,b\"\n", FormatCSV},
		{"csv after bom and blank lines", "\xef\xbb\xbf\n\ntest,status\n", FormatCSV},
		{"csv header only, no newline", "test,status", FormatCSV},
		{"csv without status", "test,result\na,PASS\n", ""},
		{"csv status on second line", "name\ntest,status\n", ""},
		{"csv with semicolons", "test;status\n", ""},
		{"json array", `[{"path":"a"}]`, ""},
		{"text", "PASS a.b\n", ""},
		{"empty", "", ""},
		{"only space", " \n\t ", ""},
		{"only bom", "\xef\xbb\xbf", ""},
		{"bad quote", "\"test,status\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Detect([]byte(tc.data))
			if got != tc.want || ok != (tc.want != "") {
				t.Errorf("Detect(%q) = %q, %v; want %q", tc.data, got, ok, tc.want)
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	f, err := Parse("x.txt", []byte("PASS a.b\n"), "")
	checkErr(t, f, err, "x.txt", "", "pass --format junit|kcidb|csv")
	f, err = Parse("x.txt", nil, "")
	checkErr(t, f, err, "x.txt", "", "pass --format junit|kcidb|csv")
	f, err = Parse("x.txt", []byte("<testsuites/>"), "tap")
	checkErr(t, f, err, "x.txt", "", `unknown format "tap" (want junit, kcidb or csv)`)

	// An explicit format wins over detection, in any case.
	f = mustParse(t, "x.csv", "test,status\n<a.b>,PASS\n", "CSV")
	if f.Format != FormatCSV || len(f.Cases) != 1 || f.Cases[0].Path != "<a.b>" {
		t.Errorf("got %+v", f)
	}
	f, err = Parse("x.xml", []byte("test,status\na,PASS\n"), FormatJUnit)
	checkErr(t, f, err, "x.xml", "line 1", "text outside the root element")

	// Detected formats.
	for data, want := range map[string]string{
		"<testsuites/>":     FormatJUnit,
		`{"tests": []}`:     FormatKCIDB,
		"test,status\n":     FormatCSV,
		"\ufefftest,status": FormatCSV,
	} {
		f := mustParse(t, "x", data, "")
		if f.Format != want || len(f.Cases) != 0 {
			t.Errorf("%q: got %+v, want format %s and no cases", data, f, want)
		}
	}

	big := make([]byte, MaxSize+1)
	f, err = Parse("big.xml", big, FormatJUnit)
	checkErr(t, f, err, "big.xml", "", "larger than the 256 MiB limit")
}

// openAll opens path with Open and reads every case with Each into a
// File, so that checkErr can judge it.
func openAll(path, format string) (*File, error) {
	s, err := Open(path, format)
	if err != nil {
		return nil, err
	}
	f := &File{Format: s.Format(), Digest: s.Digest()}
	err = s.Each(2, func(cs []Case) error {
		f.Cases = append(f.Cases, cs...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

func TestOpenFile(t *testing.T) {
	for _, tc := range []struct {
		file, format string
		cases        int
	}{
		{"unh-iol.junit.xml", FormatJUnit, 5},
		{"cki.kcidb.json", FormatKCIDB, 4},
		{"iol.csv", FormatCSV, 2},
	} {
		f, err := openAll(filepath.Join("testdata", tc.file), "")
		if err != nil {
			t.Errorf("%s: %v", tc.file, err)
			continue
		}
		if f.Format != tc.format || len(f.Cases) != tc.cases {
			t.Errorf("%s: format %s with %d cases, want %s with %d", tc.file, f.Format, len(f.Cases), tc.format, tc.cases)
		}
	}

	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.xml")
	f, err := openAll(missing, "")
	checkErr(t, f, err, missing, "", "cannot read: no such file or directory")

	f, err = openAll(dir, "")
	checkErr(t, f, err, dir, "", "is a directory")

	big := filepath.Join(dir, "big.xml")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, MaxSize+1); err != nil { // sparse: costs no disk
		t.Fatal(err)
	}
	f, err = openAll(big, "")
	checkErr(t, f, err, big, "", "larger than the 256 MiB limit")

	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("test,status\na,MAYBE\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err = openAll(bad, "")
	checkErr(t, f, err, bad, "line 2", `status "MAYBE" is not one of`)

	unknown := filepath.Join(dir, "r.txt")
	if err := os.WriteFile(unknown, []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err = openAll(unknown, "")
	checkErr(t, f, err, unknown, "", "cannot tell the format")
	f, err = openAll(unknown, "tap")
	checkErr(t, f, err, unknown, "", `unknown format "tap" (want junit, kcidb or csv)`)
}

func TestFirstLine(t *testing.T) {
	long := strings.Repeat("é", 300) // 600 bytes
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"  one  ", "one"},
		{"\n\n  first \r\nsecond", "first"},
		{"a\rb", "a"},
		{"bad \xff byte", "bad \uFFFD byte"},
		{long, strings.Repeat("é", 250)},
		{strings.Repeat("x", 499) + "é", strings.Repeat("x", 499)},
	} {
		got := firstLine(tc.in)
		if got != tc.want {
			t.Errorf("firstLine(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if len(got) > 500 || !utf8.ValidString(got) {
			t.Errorf("firstLine(%q) = %q: too long or invalid", tc.in, got)
		}
	}
}

func TestParseTime(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2024-05-01T12:00:00Z", "2024-05-01T12:00:00Z"},
		{"2024-05-01T12:00:00", "2024-05-01T12:00:00Z"},
		{"2024-05-01 12:00:00", "2024-05-01T12:00:00Z"},
		{"2024-05-01T12:00:00.250+02:00", "2024-05-01T10:00:00.25Z"},
		{"2024-05-01T12:00:00+0200", "2024-05-01T10:00:00Z"},
		{"2024-05-01T12:00:00-05", "2024-05-01T17:00:00Z"},
		{" 2024-05-01T12:00:00.123456 ", "2024-05-01T12:00:00.123456Z"},
	} {
		got, ok := parseTime(tc.in)
		if !ok || !got.Equal(utc(tc.want)) || got.Location() != time.UTC {
			t.Errorf("parseTime(%q) = %v, %v; want %s", tc.in, got, ok, tc.want)
		}
	}
	for _, in := range []string{"", "yesterday", "2024-05-01", "2024-13-01T00:00:00Z", "1714564800", "2024-05-01T12:00Z"} {
		if got, ok := parseTime(in); ok {
			t.Errorf("parseTime(%q) = %v, want refusal", in, got)
		}
	}
}

func TestParseSeconds(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"0": 0, "1.5": 1500 * time.Millisecond, " 30 ": 30 * time.Second, "1e-3": time.Millisecond, "0.0000000004": 0,
	} {
		if got, ok := parseSeconds(in); !ok || got != want {
			t.Errorf("parseSeconds(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "-1", "NaN", "Inf", "1,5", "1s", "1e10"} {
		if got, ok := parseSeconds(in); ok {
			t.Errorf("parseSeconds(%q) = %v, want refusal", in, got)
		}
	}
}

func TestParseTarget(t *testing.T) {
	for in, want := range map[string]Target{
		"":                    {},
		"rhel-9.4":            {Source: "rhel-9.4"},
		"rhel-9.4@v5.14":      {Source: "rhel-9.4", Ref: "v5.14"},
		" upstream @ abc123 ": {Source: "upstream", Ref: "abc123"},
		"ofed@24.04@rc1":      {Source: "ofed", Ref: "24.04@rc1"},
		"@v6.1":               {Ref: "v6.1"},
	} {
		if got := parseTarget(in); got != want {
			t.Errorf("parseTarget(%q) = %+v, want %+v", in, got, want)
		}
	}
}

// TestDigest: a file's digest is that of its bytes, the same however it
// is named, and another file's differs.
func TestDigest(t *testing.T) {
	a := []byte("test,status\nipoib.ping,PASS\n")
	f1, err := Parse("a.csv", a, "")
	if err != nil {
		t.Fatal(err)
	}
	f2, _ := Parse("copy.csv", a, "csv")
	f3, _ := Parse("b.csv", []byte("test,status\nipoib.ping,FAIL\n"), "")
	if f1.Digest == "" || f1.Digest != f2.Digest || f1.Digest == f3.Digest {
		t.Errorf("digests %q %q %q: want the first two equal and the third different", f1.Digest, f2.Digest, f3.Digest)
	}
}
