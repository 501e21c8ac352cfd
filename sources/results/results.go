// Package results reads interop test result files, JUnit XML, kcidb JSON
// and CSV, into one form: a File holding Cases, each one test outcome with
// kcidb's status vocabulary (FAIL, ERROR, MISS, PASS, DONE, SKIP).
//
// A file is taken whole or not at all: the first problem refuses it with an
// *fileerr.Error naming the file, where in it (a line, or a kcidb element such as
// "tests[3]") and what was expected, and no partial File is returned.
// Parse detects the format from the content when it is not given.
//
// # JUnit XML
//
// The root is <testsuites> or a single <testsuite>; suites may nest. Each
// <testcase classname="..." name="..." time="..."> is one Case. Its Suite
// is the name of the innermost enclosing suite that has one (<testsuites>
// counts). Its path is classname + "." + name, or, without classname, Suite
// + "." + name (just name when both are empty). A <failure> child makes it
// FAIL, <error> ERROR, <skipped> SKIP, none PASS; with several, the highest
// in kcidb's order (FAIL, ERROR, SKIP) wins, and gives the Message: its
// message attribute, else the first line of its text. A status="..."
// attribute on the testcase holding one of the six kcidb words (any case)
// overrides all that, so a JUnit file can say MISS or DONE; any other value
// (gtest's "run", "notrun") is ignored. time is in seconds. Start is the
// testcase's own timestamp attribute, else that of the innermost suite that
// has one: ISO 8601, with or without a zone (none means UTC).
// <properties><property name="..." value="..."/></properties> of the
// enclosing suites, outer first, then of the testcase itself, each
// overriding the last, make Properties; a property without a value
// attribute takes its text. The properties "lab", "hardware" and "target"
// (SOURCE@REF) also fill those fields. Other elements (system-out,
// flakyFailure, ...) are ignored. Refused: malformed XML, another root, text
// or a second element after the root, a bad time or timestamp, a testcase
// without a name, a property without a name, and any <!DOCTYPE> or other
// <!...> declaration (no entity games). Encodings: UTF-8, US-ASCII and
// ISO-8859-1.
//
// # kcidb JSON
//
// An object as in kcidb-io schema v4 or v5: optional "version" {"major",
// "minor"} (a major other than 4 or 5 is refused), and "checkouts",
// "builds" and "tests" arrays. Each test is one Case: path, status,
// start_time (RFC 3339), duration (seconds), log_url; Lab is the test's
// origin, else its checkout's; Hardware is the build's architecture,
// then a space and environment.comment when there is one; Message is the
// first line of log_excerpt; Properties are the test's "misc" flattened to
// strings (nested keys joined with ".", up to 8 parts; arrays, and objects
// deeper down, as JSON text; null as ""), plus "kcidb.waived" = "true" for
// a waived test. The Target comes from the
// checkout of the test's build: tree_name is the Source, git_commit_name
// (else git_repository_branch) the Ref, git_commit_hash the Commit,
// git_repository_url the RepoURL; a build or checkout that is not in the
// file leaves it empty. Unknown fields are ignored. A test without a path,
// or with an unknown status, is refused; so is a test without a status:
// kcidb allows one, but a result that says nothing cannot be judged.
//
// # CSV
//
// Comma-separated (not semicolons or tabs), quoted as in RFC 4180, with
// CRLF or LF line ends. The first row is a header naming the columns, in any
// order; names are matched case-insensitively after trimming spaces, and
// must be non-empty and distinct:
//
//	test      required  the dot-separated test path, e.g. ipoib.connected_mode.ping
//	status    required  FAIL, ERROR, MISS, PASS, DONE or SKIP in any case;
//	                    also passed, failed, skipped
//	suite     optional  the suite name; empty means the first element of test
//	lab       optional  the lab that ran the test, e.g. unh-iol
//	hardware  optional  e.g. "x86_64 ConnectX-6 Dx"
//	target    optional  SOURCE@REF or SOURCE@COMMIT, e.g. rhel-9.4@kernel-5.14.0-427.el9
//	start     optional  when the test started, RFC 3339, e.g. 2024-05-01T12:00:00Z
//	                    (a time without a zone is UTC)
//	duration  optional  seconds, e.g. 12.5
//	log_url   optional  a link to the test's log
//	message   optional  the failure message; its first line is kept
//
// Any other column goes to Properties under its header name as written
// (trimmed); empty values are left out. Values are trimmed of surrounding
// spaces. Every row must have as many fields as the header; rows whose
// fields are all empty are skipped; a header alone is a file with no
// results. Errors name the line in the file, counting from 1 (a quoted
// value may span lines). For example:
//
//	test,status,lab,target,duration,log_url
//	ipoib.connected_mode.ping,PASS,unh-iol,rhel-9.4@kernel-5.14.0-427.el9,1.5,
//	rdma_cm.connect,FAIL,unh-iol,rhel-9.4@kernel-5.14.0-427.el9,30,https://logs.example/1
//
// In every format, leading UTF-8 BOMs are skipped, messages keep their first
// line trimmed to 500 bytes, Start is in UTC, and invalid UTF-8 in CSV
// fields becomes U+FFFD.
package results

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"io/fs"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kdelta/kdelta/internal/fileerr"
)

// Formats Parse and Open accept.
const (
	FormatJUnit = "junit"
	FormatKCIDB = "kcidb"
	FormatCSV   = "csv"
)

// Statuses, in kcidb's vocabulary and priority order (highest first).
const (
	StatusFail  = "FAIL"  // the test ran and found the tested code faulty
	StatusError = "ERROR" // the test itself failed; the code's state is unknown
	StatusMiss  = "MISS"  // the harness failed to run the test
	StatusPass  = "PASS"  // the test ran and found the code correct
	StatusDone  = "DONE"  // the test ran and reported no verdict (e.g. a measurement)
	StatusSkip  = "SKIP"  // the test did not run: not applicable
)

// Statuses returns the six statuses in kcidb's priority order: FAIL,
// ERROR, MISS, PASS, DONE, SKIP. The slice is new on every call.
func Statuses() []string {
	return []string{StatusFail, StatusError, StatusMiss, StatusPass, StatusDone, StatusSkip}
}

// Target is what the file itself says a result was run on; all fields are
// optional.
type Target struct {
	Source  string // a kdelta source name (kcidb checkout tree_name; CSV/JUnit "target" before '@')
	Ref     string // ref, tag or commit as written after '@'; kcidb: git_commit_name, else git_repository_branch
	Commit  string // full or abbreviated commit id when the file gives one (kcidb git_commit_hash)
	RepoURL string // kcidb git_repository_url
}

// Case is one test outcome.
type Case struct {
	Path     string        // dot-separated test path, e.g. "ipoib.connected_mode.ping"; never empty
	Suite    string        // JUnit testsuite name; kcidb: first path element; CSV "suite" column (default first path element)
	Status   string        // one of Statuses()
	Start    time.Time     // in UTC; zero when the file gives none
	Duration time.Duration // zero when the file gives none
	LogURL   string
	Message  string // failure/error/skip message, first line, trimmed to 500 bytes
	Lab      string // kcidb test (else checkout) origin; JUnit property "lab"; CSV "lab"
	Hardware string // kcidb build architecture + " " + environment.comment; JUnit property "hardware"; CSV "hardware"
	Target   Target
	// Properties are JUnit properties (the suites', outer first, then the
	// case's own, each overriding the last), kcidb test "misc" flattened to
	// strings, or CSV columns this package does not know; nil when none.
	// JUnit cases without properties of their own share their suite's
	// map: treat it as read-only.
	Properties map[string]string
	Where      string // where the case is in the file, for messages: "line 12" (JUnit/CSV) or "tests[3]" (kcidb)
}

// File is a parsed results file.
type File struct {
	Format string // FormatJUnit, FormatKCIDB or FormatCSV
	Cases  []Case // in file order
	Digest string // sha256 of the file's bytes, hex: the same file read twice is the same file
}

// MaxSize bounds a results file (256 MiB); a larger one is refused.
const MaxSize = 256 << 20

// The messages Parse and Open both refuse a file with.
const (
	msgTooLarge = "larger than the 256 MiB limit for a results file"
	msgNoFormat = "cannot tell the format (want JUnit XML, kcidb JSON, or CSV with a header naming test and status columns); pass --format junit|kcidb|csv"
)

// unknownFormat refuses a format that is none of FormatJUnit, FormatKCIDB
// and FormatCSV.
func unknownFormat(format string) *fileerr.Error {
	return &fileerr.Error{Msg: "unknown format " + strconv.Quote(format) + " (want junit, kcidb or csv)"}
}

// bom is the UTF-8 byte order mark.
const bom = "\xef\xbb\xbf"

// stripBOM drops leading UTF-8 byte order marks. It does not change line
// numbers.
func stripBOM(data []byte) []byte {
	for len(data) >= len(bom) && string(data[:len(bom)]) == bom {
		data = data[len(bom):]
	}
	return data
}

// Detect tells a results file's format from its content: after any UTF-8
// BOM and white space, '<' is JUnit XML and '{' kcidb JSON; a first line
// that is a CSV header with a "test" and a "status" column (in any case) is
// CSV. It returns false when it cannot tell.
func Detect(data []byte) (string, bool) {
	data = stripBOM(data)
	t := bytes.TrimLeft(data, " \t\r\n\f\v")
	if len(t) == 0 {
		return "", false
	}
	switch t[0] {
	case '<':
		return FormatJUnit, true
	case '{':
		return FormatKCIDB, true
	}
	// Only the first line: a quoted header field spanning lines is not a
	// header anyone writes, and this keeps detection cheap on big files.
	line := t
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	r := csv.NewReader(bytes.NewReader(line))
	r.FieldsPerRecord = -1
	rec, err := r.Read()
	if err != nil {
		return "", false
	}
	var test, status bool
	for _, h := range rec {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "test":
			test = true
		case "status":
			status = true
		}
	}
	if test && status {
		return FormatCSV, true
	}
	return "", false
}

// Parse parses data, the content of the file named name (used in errors
// only), as format: FormatJUnit, FormatKCIDB, FormatCSV, or "" to Detect it.
// Any problem refuses the whole file with an *fileerr.Error.
func Parse(name string, data []byte, format string) (*File, error) {
	if len(data) > MaxSize {
		return nil, &fileerr.Error{File: name, Msg: msgTooLarge}
	}
	format = strings.ToLower(strings.TrimSpace(format))
	if format == "" {
		f, ok := Detect(data)
		if !ok {
			return nil, &fileerr.Error{File: name, Msg: msgNoFormat}
		}
		format = f
	}
	sum := sha256.Sum256(data)
	data = stripBOM(data)
	var (
		cases []Case
		err   *fileerr.Error
	)
	switch format {
	case FormatJUnit:
		cases, err = parseJUnit(data)
	case FormatKCIDB:
		cases, err = parseKCIDB(data)
	case FormatCSV:
		cases, err = parseCSV(data)
	default:
		e := unknownFormat(format)
		e.File = name
		return nil, e
	}
	if err != nil {
		err.File = name
		return nil, err
	}
	return &File{Format: format, Cases: cases, Digest: hex.EncodeToString(sum[:])}, nil
}

// reason is err without the path a *fs.PathError repeats.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// errAt builds an *fileerr.Error whose File Parse fills in.
func errAt(where, msg string) *fileerr.Error {
	return &fileerr.Error{Where: where, Msg: msg}
}

func lineWhere(line int) string {
	return "line " + strconv.Itoa(line)
}

// kcidbStatus returns s upper-cased when it is one of Statuses().
func kcidbStatus(s string) (string, bool) {
	u := strings.ToUpper(strings.TrimSpace(s))
	switch u {
	case StatusFail, StatusError, StatusMiss, StatusPass, StatusDone, StatusSkip:
		return u, true
	}
	return "", false
}

// statusList is Statuses() for messages.
const statusList = "FAIL, ERROR, MISS, PASS, DONE or SKIP"

// parseTarget splits "SOURCE@REF" at the first '@'; without one the whole
// value is the source.
func parseTarget(s string) Target {
	src, ref, _ := strings.Cut(strings.TrimSpace(s), "@")
	return Target{Source: strings.TrimSpace(src), Ref: strings.TrimSpace(ref)}
}

// parseSeconds reads a non-negative number of seconds, such as "1.25".
func parseSeconds(s string) (time.Duration, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, false
	}
	return secondsDuration(f)
}

// secondsDuration converts a non-negative number of seconds that a
// time.Duration can hold.
func secondsDuration(f float64) (time.Duration, bool) {
	if math.IsNaN(f) || f < 0 || f*float64(time.Second) >= math.MaxInt64 {
		return 0, false
	}
	return time.Duration(math.Round(f * float64(time.Second))), true
}

// parseTime reads an ISO 8601 date and time: RFC 3339, with a space or 'T'
// between date and time, fractional seconds optional, the zone as Z,
// +hh:mm, +hhmm or +hh, or no zone at all, which means UTC. The result is
// in UTC.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range [...]string{
		time.RFC3339,
		"2006-01-02T15:04:05Z0700",
		"2006-01-02T15:04:05Z07",
		"2006-01-02T15:04:05",
		"2006-01-02 15:04:05Z07:00",
		"2006-01-02 15:04:05Z0700",
		"2006-01-02 15:04:05Z07",
		"2006-01-02 15:04:05",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// timeWant says what parseTime accepts, for messages.
const timeWant = "want ISO 8601 such as 2024-05-01T12:00:00Z or 2024-05-01T12:00:00"

// maxMessage bounds Case.Message in bytes.
const maxMessage = 500

// firstLine is the first non-blank line of s, trimmed, valid UTF-8, and cut
// to maxMessage bytes at a character boundary.
func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) > maxMessage {
		i := maxMessage
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i]
	}
	return s
}

// firstElement is the part of a dot path before the first dot.
func firstElement(path string) string {
	first, _, _ := strings.Cut(path, ".")
	return first
}
