// Package patchfile reads one patch file: the headers it carries (mail
// headers of git format-patch, SUSE kernel-source tags such as
// Patch-mainline: and Git-commit:), the commit message, and the diff.
//
// Three styles are read: an email as git format-patch writes it (a
// "From <id> Mon Sep 17 00:00:00 2001" line, then mail headers), a header
// block without that line (SUSE patches, quilt patches with From: and
// Subject:), and free text followed by the diff (quilt), or the diff alone.
// The diff itself is not checked here: sources/fingerprint.Patch reads it.
package patchfile

import (
	"bytes"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/kdelta/kdelta/internal/fileerr"
)

// MaxSize is the largest patch file Parse reads.
const MaxSize = 64 << 20

// maxLines is the most lines Parse reads (fingerprint.MaxPatchLines).
const maxLines = 8 << 20

// Patch is one patch file: its headers, the commit message it carries, and its diff.
type Patch struct {
	File        string    // the path as given, for messages
	AuthorName  string    // From: (or DEP-3 Author:)
	AuthorEmail string    // From:
	Date        time.Time // Date: (zero when absent or unreadable)
	// Subject is the Subject: header with "[PATCH ...]" and "[RFC ...]"
	// tags removed; without one, the description's first paragraph; for a
	// patch with neither, the file's base name.
	Subject string
	// Message is a git-style commit message: the subject line, a blank
	// line, the header lines kdelta cares about (Patch-mainline:,
	// Git-repo:, Git-commit:, Alt-commit:, References:, No-Fix:, Upstream
	// Status:) as "Key: value" lines, a blank line and the description.
	// sources/trailers.Parse reads it.
	Message       string
	PatchMainline string      // Patch-mainline: value, verbatim ("v6.2-rc1", "Never, SLES-specific", ...)
	GitCommits    []GitCommit // Git-commit: lines
	AltCommits    []string    // Alt-commit: ids, lower case
	References    []string    // References: split on spaces and commas (bsc#123, jsc#PED-4, CVE-...)
	NoFix         []string    // No-Fix: ids
	// Diff is the text from the first line of the diff to the end, without
	// a format-patch signature ("-- \n2.39.5\n").
	Diff     []byte
	DiffLine int // 1-based line of the diff's first line in the file
}

// GitCommit is one SUSE Git-commit: line.
type GitCommit struct {
	ID      string // 7 to 40 hex digits, lower case
	Partial bool   // "(partial)" follows the id
}

// Error is a patch file that cannot be read (Line 0 when the error is
// not about one line).
type Error = fileerr.Error

// Parse reads the patch file name, whose contents are data.
//
// Text that is not UTF-8 is kept with its bad bytes replaced (in the
// message and headers; the diff is kept as it is). A file larger than
// MaxSize, a compressed file, a file without a diff, a mail whose body is
// transfer-encoded or multipart, and a Git-commit:/Alt-commit: line
// without a commit id are errors.
func Parse(name string, data []byte) (*Patch, error) {
	if len(data) > MaxSize {
		return nil, &Error{File: name, Msg: fmt.Sprintf("%d bytes, more than the %d MiB a patch may have", len(data), MaxSize>>20)}
	}
	if kind := compressed(data); kind != "" {
		return nil, &Error{File: name, Msg: kind + "-compressed data: expected a plain-text patch"}
	}
	if n := bytes.Count(data, []byte("\n")); n > maxLines {
		return nil, &Error{File: name, Msg: fmt.Sprintf("%d lines, more than the %d a patch may have", n, maxLines)}
	}
	r := reader{name: name, data: data, lines: splitLines(data)}
	return r.parse()
}

// compressed names the compression format data starts with, or "".
func compressed(data []byte) string {
	for _, m := range [...]struct{ magic, name string }{
		{"\x1f\x8b", "gzip"}, {"BZh", "bzip2"}, {"\xfd7zXZ\x00", "xz"}, {"\x28\xb5\x2f\xfd", "zstd"},
	} {
		if bytes.HasPrefix(data, []byte(m.magic)) {
			return m.name
		}
	}
	return ""
}

// line is one line of the file: its text without the line end, and the
// offset where it starts.
type line struct {
	text string
	off  int
}

func splitLines(data []byte) []line {
	var out []line
	for off := 0; off < len(data); {
		end := bytes.IndexByte(data[off:], '\n')
		next := len(data)
		if end < 0 {
			end = len(data)
		} else {
			end += off
			next = end + 1
		}
		out = append(out, line{text: strings.TrimSuffix(string(data[off:end]), "\r"), off: off})
		off = next
	}
	return out
}

// reader holds the state of one Parse call.
type reader struct {
	name  string
	data  []byte
	lines []line
	p     Patch
	keep  []string // header lines for the message, in order
}

func (r *reader) errorf(i int, format string, args ...any) error {
	return &Error{File: r.name, Line: i + 1, Msg: fmt.Sprintf(format, args...)}
}

func (r *reader) parse() (*Patch, error) {
	r.p.File = r.name
	i := 0
	for i < len(r.lines) && strings.TrimSpace(r.lines[i].text) == "" {
		i++
	}
	email := i < len(r.lines) && isMboxFrom(r.lines[i].text)
	if email {
		i++
	}
	hs, end := readHeaders(r.lines, i)
	if email || isPatchHeader(hs) {
		if err := r.headers(hs); err != nil {
			return nil, err
		}
		i = end
		if email {
			var err error
			if i, err = r.inBodyHeaders(i); err != nil {
				return nil, err
			}
		}
	}
	msgEnd := i
	for msgEnd < len(r.lines) && !patchBreak(r.lines[msgEnd].text) {
		msgEnd++
	}
	start, err := r.diffStart(msgEnd)
	if err != nil {
		return nil, err
	}
	if err := r.secondPatch(start); err != nil {
		return nil, err
	}
	r.p.DiffLine = start + 1
	r.p.Diff = r.data[r.lines[start].off:r.diffEnd(start)]
	r.message(i, msgEnd)
	return &r.p, nil
}

// isMboxFrom reports whether l is the "From " line that starts a mail in
// an mbox ("From 22664c06e997... Mon Sep 17 00:00:00 2001" in git
// format-patch output): "From ", a sender or commit id, and a date with a
// time of day, so that a description that starts with "From now on" is not
// taken for one.
func isMboxFrom(l string) bool {
	rest, ok := strings.CutPrefix(l, "From ")
	if !ok {
		return false
	}
	f := strings.Fields(rest)
	if len(f) < 5 {
		return false
	}
	for _, w := range f[1:] {
		if len(w) >= 5 && w[2] == ':' && isDigits(w[:2]) && isDigits(w[3:5]) {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// patchBreak reports whether a line ends the commit message of a patch, by
// git mailinfo's rules: a "diff -" or "Index: " line, a "---" separator
// (maybe followed by white space), or a "--- name" line.
func patchBreak(l string) bool {
	if strings.HasPrefix(l, "diff -") || strings.HasPrefix(l, "Index: ") {
		return true
	}
	rest, ok := strings.CutPrefix(l, "---")
	if !ok {
		return false
	}
	if strings.TrimSpace(rest) == "" {
		return true
	}
	return rest[0] == ' ' && len(rest) > 1 && !isSpace(rest[1])
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' }

// diffStart finds the diff's first line at or after line i: a "diff "
// line, an "Index: " line that a file header follows, or a "--- "/"+++ "
// pair.
func (r *reader) diffStart(i int) (int, error) {
	for ; i < len(r.lines); i++ {
		l := r.lines[i].text
		switch {
		case strings.HasPrefix(l, "diff "):
			return i, nil
		case strings.HasPrefix(l, "Index: "):
			for j := i + 1; j < len(r.lines) && j <= i+3; j++ {
				if r.fileHeader(j) {
					return i, nil
				}
			}
		case r.fileHeader(i):
			return i, nil
		}
	}
	return 0, &Error{File: r.name, Msg: `no diff: expected a "diff --git" line or "--- a/..." and "+++ b/..." lines`}
}

// fileHeader reports whether line i starts a "--- "/"+++ " pair.
func (r *reader) fileHeader(i int) bool {
	return i+1 < len(r.lines) && strings.HasPrefix(r.lines[i].text, "--- ") &&
		strings.HasPrefix(r.lines[i+1].text, "+++ ")
}

// secondPatch rejects a file that holds more than one format-patch email.
func (r *reader) secondPatch(start int) error {
	for i := start; i < len(r.lines); i++ {
		l := r.lines[i].text
		if rest, ok := strings.CutPrefix(l, "From "); ok && len(rest) > 41 && rest[40] == ' ' && isHexID(rest[:40]) {
			return r.errorf(i, "a second patch starts here: expected one patch per file")
		}
	}
	return nil
}

// diffEnd returns the offset where the diff that starts at line start
// ends: before a format-patch signature ("-- " and a version line), or at
// the end of the file.
func (r *reader) diffEnd(start int) int {
	for i := len(r.lines) - 1; i > start; i-- {
		if r.lines[i].text != "-- " {
			continue
		}
		// A signature is followed by a version line and maybe blank lines;
		// a "-- " with hunk lines after it is a removed "- " line.
		text := false
		for _, l := range r.lines[i+1:] {
			if l.text == "" {
				continue
			}
			switch l.text[0] {
			case ' ', '+', '-', '@', '\\':
				return len(r.data)
			}
			text = true
		}
		if text && len(r.lines)-i <= 4 {
			return r.lines[i].off
		}
		return len(r.data)
	}
	return len(r.data)
}

// message builds Subject and Message from the description in lines
// [from, to) and the kept header lines.
func (r *reader) message(from, to int) {
	var desc []string
	for _, l := range r.lines[from:to] {
		desc = append(desc, strings.TrimRight(validUTF8(l.text), " \t\r"))
	}
	for len(desc) > 0 && desc[0] == "" {
		desc = desc[1:]
	}
	for len(desc) > 0 && desc[len(desc)-1] == "" {
		desc = desc[:len(desc)-1]
	}
	if r.p.Subject == "" && len(desc) > 0 {
		// The first paragraph is the subject, joined as git's %s does.
		n := 0
		for n < len(desc) && desc[n] != "" {
			n++
		}
		r.p.Subject = strings.Join(desc[:n], " ")
		desc = desc[n:]
		for len(desc) > 0 && desc[0] == "" {
			desc = desc[1:]
		}
	}
	if r.p.Subject == "" {
		r.p.Subject = validUTF8(path.Base(strings.ReplaceAll(r.name, "\\", "/")))
	}
	parts := []string{r.p.Subject}
	if len(r.keep) > 0 {
		parts = append(parts, strings.Join(r.keep, "\n"))
	}
	if len(desc) > 0 {
		parts = append(parts, strings.Join(desc, "\n"))
	}
	r.p.Message = strings.Join(parts, "\n\n") + "\n"
}

// validUTF8 replaces the bytes of s that are not UTF-8.
func validUTF8(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

func isHexID(s string) bool {
	if len(s) < 7 || len(s) > 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
