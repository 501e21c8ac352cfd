package fingerprint

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/internal/fileerr"
)

// DiffError is a malformed diff: the 1-based line of the diff text where
// the problem is and what was expected there ("line N: msg"; no File).
type DiffError = fileerr.Error

// MaxPatchLines is the most lines Patch reads: a 64 MiB patch of real code
// has about two million.
const MaxPatchLines = 8 << 20

// Patch fingerprints the unified diff of a patch file or email: the text
// from its first "diff --git" (or "--- a/..."/"+++ b/..." pair, for patches
// made without git) to the end.
//
// The whole patch-id is Text(diff): what `git patch-id --stable` prints for
// the text ("" for a diff without "diff " lines, as git prints nothing
// then). Each file's record is what Builder.Build makes of the same change:
// its PatchID is that of the file's section of the text alone.
//
// Files are split the way `git apply` splits them: a file starts at a
// "diff --git" line, or at "--- "/"+++ "/"@@ -" lines; a hunk ends when the
// line counts of its "@@ -a,b +c,d @@" header are used up, so text after
// the last hunk (a format-patch signature "-- \n2.39.5") is not part of
// it. Lines between files that start none are skipped, as git apply
// skips them ("Index:" lines of quilt, "Only in" lines of diff -r). Paths
// lose their first component ("a/", "b/", "linux.orig/"), as with -p1.
//
// A malformed diff (a hunk cut short or longer than its header says, a
// hunk header that cannot be read, a "---" line without "+++", no file at
// all) is a *DiffError.
func Patch(diff []byte) (patchID string, files []change.File, err error) {
	if n := bytes.Count(diff, []byte("\n")); n > MaxPatchLines {
		return "", nil, &DiffError{Line: MaxPatchLines + 1, Msg: fmt.Sprintf("%d lines, more than the %d a patch may have", n, MaxPatchLines)}
	}
	p := patchParser{lines: splitLines(diff)}
	if err := p.parse(); err != nil {
		return "", nil, err
	}
	if len(p.files) == 0 {
		return "", nil, &DiffError{Line: 1, Msg: `no file diff: expected a "diff --git" line or "--- a/..." and "+++ b/..." lines`}
	}
	return Text(diff), p.files, nil
}

// patchParser holds the state of one Patch call.
//
// It is not github.com/sourcegraph/go-diff: that reads a hunk until a line
// that cannot belong to one, without checking the header's counts, so it
// takes a format-patch signature "-- " for a removed line; it leaves the
// names of a binary file with a mode change empty; and it has no line
// numbers to report in a multi-file diff.
type patchParser struct {
	lines [][]byte // each with its "\n", the last one maybe without
	files []change.File
	// endsInHunk is set when the last file read ended with a hunk.
	endsInHunk bool
}

func splitLines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, b)
			break
		}
		out = append(out, b[:i+1])
		b = b[i+1:]
	}
	return out
}

func (p *patchParser) errorf(i int, format string, args ...any) error {
	return &DiffError{Line: i + 1, Msg: fmt.Sprintf(format, args...)}
}

func (p *patchParser) has(i int, prefix string) bool {
	return i < len(p.lines) && bytes.HasPrefix(p.lines[i], []byte(prefix))
}

// parse reads every file of the diff.
func (p *patchParser) parse() error {
	afterHunk := false // the previous line ended a hunk
	for i := 0; i < len(p.lines); {
		var next int
		var err error
		switch {
		case p.has(i, "diff --git "):
			next, err = p.gitFile(i)
		case p.has(i, "--- ") && p.has(i+1, "+++ ") && p.has(i+2, "@@ -"):
			next, err = p.traditionalFile(i)
		case p.has(i, "@@ -"):
			return p.errorf(i, `hunk header outside a file diff: expected "diff --git" or "--- "/"+++ " lines before it`)
		default:
			if afterHunk {
				if err := p.checkAfterHunk(i); err != nil {
					return err
				}
			}
			afterHunk = false
			i++
			continue
		}
		if err != nil {
			return err
		}
		afterHunk = p.endsInHunk
		i = next
	}
	return nil
}

// checkAfterHunk rejects a line right after a complete hunk that looks
// like one more line of it: the hunk was longer than its header says. A
// format-patch signature ("-- ") is not such a line.
func (p *patchParser) checkAfterHunk(i int) error {
	l := trimEOL(p.lines[i])
	if len(l) == 0 || string(l) == "-- " || bytes.HasPrefix(l, []byte("--- ")) {
		return nil
	}
	switch l[0] {
	case '+', '-', ' ':
		return p.errorf(i, "a hunk line after the end of the hunk: the hunk header's line counts are too small")
	}
	return nil
}

func trimEOL(l []byte) []byte {
	l = bytes.TrimSuffix(l, []byte("\n"))
	return bytes.TrimSuffix(l, []byte("\r"))
}

// gitHeaders are the extended header lines git writes after "diff --git".
var gitHeaders = [...]string{
	"old mode ", "new mode ", "deleted file mode ", "new file mode ",
	"copy from ", "copy to ", "rename old ", "rename new ", "rename from ", "rename to ",
	"similarity index ", "dissimilarity index ", "index ",
}

// fileHead is what the header lines of one file say.
type fileHead struct {
	defName          string // from the "diff --git" line; "" when ambiguous
	oldName, newName string // from "---"/"+++"; "" for /dev/null or absent
	oldNull, newNull bool   // "---"/"+++" named /dev/null (or the epoch)
	renameFrom       string
	renameTo         string
	copyTo           string
	isNew, isDelete  bool
	modeChange       bool
	binary           bool
}

// gitFile reads the file that starts with the "diff --git" line at i and
// returns the index of the line after it.
func (p *patchParser) gitFile(i int) (int, error) {
	start := i
	h := fileHead{defName: gitHeaderName(string(trimEOL(p.lines[i][len("diff --git "):])))}
	j := i + 1
headers:
	for ; j < len(p.lines); j++ {
		l := string(trimEOL(p.lines[j]))
		for _, k := range gitHeaders {
			if !strings.HasPrefix(l, k) {
				continue
			}
			v := l[len(k):]
			switch k {
			case "old mode ", "new mode ":
				h.modeChange = true
			case "deleted file mode ":
				h.isDelete = true
			case "new file mode ":
				h.isNew = true
			case "copy to ":
				h.copyTo = unquoteName(v)
			case "rename from ", "rename old ":
				h.renameFrom = unquoteName(v)
			case "rename to ", "rename new ":
				h.renameTo = unquoteName(v)
			}
			continue headers
		}
		break
	}
	p.endsInHunk = false
	var rec change.File
	switch {
	case p.has(j, "--- "):
		if !p.has(j+1, "+++ ") {
			return 0, p.errorf(j+1, `expected a "+++ " line after the "--- " line`)
		}
		h.oldName, h.oldNull = traditionalName(p.lines[j][4:])
		h.newName, h.newNull = traditionalName(p.lines[j+1][4:])
		j += 2
		if !p.has(j, "@@ -") {
			return 0, p.errorf(j, `expected a hunk header "@@ -a,b +c,d @@" after the "+++ " line`)
		}
		fallthrough
	case p.has(j, "@@ -"):
		var err error
		if j, err = p.hunks(j, &rec); err != nil {
			return 0, err
		}
		p.endsInHunk = true
	case p.has(j, "GIT binary patch"):
		h.binary = true
		var err error
		if j, err = p.binaryPatch(j + 1); err != nil {
			return 0, err
		}
	case p.has(j, "Binary files ") && bytes.HasSuffix(trimEOL(p.lines[j]), []byte(" differ")):
		h.binary = true
		j++
	default:
		if !h.isNew && !h.isDelete && !h.modeChange && h.renameFrom == "" && h.copyTo == "" {
			return 0, p.errorf(start, `"diff --git" without a change: expected mode, rename or copy lines, a binary patch or hunks`)
		}
	}
	if err := h.record(&rec); err != nil {
		return 0, p.errorf(start, "%s", err.Error())
	}
	p.add(rec, start, j)
	return j, nil
}

// traditionalFile reads the file whose "--- " line is at i (a diff made
// without git), and returns the index of the line after it.
func (p *patchParser) traditionalFile(i int) (int, error) {
	start := i
	if i > 0 && p.has(i-1, "diff ") && !p.has(i-1, "diff --git ") {
		start = i - 1 // GNU diff -r names the file first; git patch-id starts there
	}
	var h fileHead
	h.oldName, h.oldNull = traditionalName(p.lines[i][4:])
	h.newName, h.newNull = traditionalName(p.lines[i+1][4:])
	var rec change.File
	j, err := p.hunks(i+2, &rec)
	if err != nil {
		return 0, err
	}
	p.endsInHunk = true
	if h.oldNull {
		h.isNew = true
	} else if h.newNull {
		h.isDelete = true
	} else if h.oldName != "" && len(h.oldName) < len(h.newName) && strings.HasPrefix(h.newName, h.oldName) {
		// git apply takes the shorter name when one extends the other
		// ("x.c" and "x.c.new").
		h.newName = h.oldName
	}
	if err := h.record(&rec); err != nil {
		return 0, p.errorf(i, "%s", err.Error())
	}
	p.add(rec, start, j)
	return j, nil
}

// add appends a file record whose section of the text is lines [start, end).
func (p *patchParser) add(rec change.File, start, end int) {
	id := NewPatchID()
	for _, l := range p.lines[start:end] {
		id.Line(l)
	}
	rec.PatchID = id.Sum()
	p.files = append(p.files, rec)
}

// record fills in the path and status of a file record as Builder.one does.
func (h *fileHead) record(rec *change.File) error {
	rec.Binary = h.binary
	rec.Status = change.Modified
	switch {
	case h.renameFrom != "" && h.renameTo != "" && h.renameFrom != h.renameTo:
		rec.Status = change.Renamed
		rec.Path, rec.OldPath = h.renameTo, h.renameFrom
	case h.copyTo != "":
		// A copy leaves its source alone: to kdelta it adds a file.
		rec.Status = change.Added
		rec.Path = h.copyTo
	case h.isNew || h.oldNull:
		rec.Status = change.Added
		rec.Path = firstOf(h.newName, h.defName)
	case h.isDelete || h.newNull:
		rec.Status = change.Deleted
		rec.Path = firstOf(h.oldName, h.defName)
	default:
		rec.Path = firstOf(h.newName, h.oldName, h.defName, h.renameTo)
	}
	if rec.Path == "" {
		return fmt.Errorf(`cannot tell the file's name: expected "--- a/..." and "+++ b/..." lines or a "diff --git a/X b/X" line with one name`)
	}
	return nil
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// hunks reads the hunks that start at line i, counts their changed lines
// and signatures into rec as Builder.one does, and returns the index of the
// line after the last one.
func (p *patchParser) hunks(i int, rec *change.File) (int, error) {
	for p.has(i, "@@ -") {
		hdr := i
		before, after, ok := hunkRange(trimEOL(p.lines[i]))
		if !ok {
			return 0, p.errorf(i, `bad hunk header: expected "@@ -a,b +c,d @@"`)
		}
		i++
		changed := false
		for before > 0 || after > 0 {
			if i >= len(p.lines) {
				return 0, p.errorf(i-1, "the diff ends inside the hunk of line %d: %d old and %d new lines missing", hdr+1, before, after)
			}
			l := p.lines[i]
			c := byte(' ') // an empty line is an empty context line whose space was lost
			if len(trimEOL(l)) > 0 {
				c = l[0]
			}
			switch c {
			case ' ':
				before--
				after--
			case '-':
				before--
				changed = true
				rec.Deleted++
				if h, ok := signatureHash(l[1:]); ok {
					rec.Minus = append(rec.Minus, h)
				}
			case '+':
				after--
				changed = true
				rec.Added++
				if h, ok := signatureHash(l[1:]); ok {
					rec.Plus = append(rec.Plus, h)
				}
			case '\\': // "\ No newline at end of file"
			default:
				return 0, p.errorf(i, "expected a hunk line starting with ' ', '-' or '+': the hunk of line %d still has %d old and %d new lines", hdr+1, before, after)
			}
			if before < 0 || after < 0 {
				// One side ran out while the other still expects lines: a
				// patch cut short (a mail cut inside a hunk) or a wrong header.
				over, short := "old", "new"
				if after < 0 {
					over, short = "new", "old"
				}
				return 0, p.errorf(i, "the hunk of line %d does not match its header: more %s lines than it says while %d %s lines it promises are missing (a patch cut short, or a wrong header)",
					hdr+1, over, max(before, after), short)
			}
			i++
		}
		if p.has(i, "\\") {
			i++
		}
		if !changed {
			return 0, p.errorf(hdr, "the hunk changes nothing: expected '-' or '+' lines")
		}
	}
	return i, nil
}

// hunkRange reads the old and new line counts of "@@ -a[,b] +c[,d] @@...".
func hunkRange(l []byte) (before, after int, ok bool) {
	rest, ok := bytes.CutPrefix(l, []byte("@@ -"))
	if !ok {
		return 0, 0, false
	}
	before, rest, ok = readRange(rest)
	if !ok {
		return 0, 0, false
	}
	if rest, ok = bytes.CutPrefix(rest, []byte(" +")); !ok {
		return 0, 0, false
	}
	after, rest, ok = readRange(rest)
	if !ok || !bytes.HasPrefix(rest, []byte(" @@")) {
		return 0, 0, false
	}
	return before, after, true
}

// readRange reads "start[,count]" and returns count (1 when left out).
func readRange(b []byte) (int, []byte, bool) {
	n := digits(b)
	if n == 0 || n > 9 {
		return 0, b, false
	}
	b = b[n:]
	if len(b) == 0 || b[0] != ',' {
		return 1, b, true
	}
	b = b[1:]
	n = digits(b)
	if n == 0 || n > 9 {
		return 0, b, false
	}
	return atoi(b[:n]), b[n:], true
}

// binaryPatch skips the one or two "literal N"/"delta N" blocks of a
// "GIT binary patch" whose first block line is at i.
func (p *patchParser) binaryPatch(i int) (int, error) {
	for block := 0; block < 2; block++ {
		if !p.has(i, "literal ") && !p.has(i, "delta ") {
			if block == 0 {
				return 0, p.errorf(i, `expected "literal N" or "delta N" after "GIT binary patch"`)
			}
			break
		}
		i++
		for i < len(p.lines) && len(trimEOL(p.lines[i])) > 0 && !p.has(i, "diff --git ") {
			i++
		}
		if i < len(p.lines) && len(trimEOL(p.lines[i])) == 0 {
			i++
		}
	}
	return i, nil
}

// traditionalName reads the name of a "--- "/"+++ " line (the text after
// the marker): quoted or up to a tab or a trailing timestamp, without its
// first path component. null reports /dev/null, or the epoch timestamp
// GNU diff -N gives a missing file.
func traditionalName(b []byte) (name string, null bool) {
	s := string(trimEOL(b))
	var stamp string
	if strings.HasPrefix(s, `"`) {
		q, rest, ok := unquoteC(s)
		if ok {
			s, stamp = q, strings.TrimSpace(rest)
		}
	} else if t := strings.IndexByte(s, '\t'); t >= 0 {
		// git ends a name that has a space with a tab; the name may
		// end in spaces then.
		s, stamp = s[:t], strings.TrimSpace(s[t+1:])
	} else {
		if n, st := cutTimestamp(s); st != "" {
			s, stamp = n, st
		}
		s = strings.TrimRight(s, " ")
	}
	if s == "/dev/null" || (stamp != "" && isEpoch(stamp)) {
		return "", true
	}
	return stripComponent(s), false
}

// cutTimestamp splits "name 2024-01-05 10:11:12.000000000 +0100" (a
// timestamp after a space rather than a tab) into name and timestamp.
func cutTimestamp(s string) (string, string) {
	f := strings.Split(s, " ")
	for k := len(f) - 1; k >= 1 && k >= len(f)-3; k-- {
		st := strings.Join(f[k:], " ")
		if _, ok := parseStamp(st); ok {
			return strings.Join(f[:k], " "), st
		}
	}
	return s, ""
}

var stampLayouts = [...]string{
	"2006-01-02 15:04:05.999999999 -0700",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05",
	"Mon Jan _2 15:04:05 2006",
	"Mon Jan _2 15:04:05.999999999 2006",
}

func parseStamp(s string) (time.Time, bool) {
	for _, l := range stampLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func isEpoch(stamp string) bool {
	t, ok := parseStamp(stamp)
	return ok && t.Unix() == 0
}

// stripComponent removes the first path component ("a/", "linux.orig/"),
// as git apply -p1 does; a name without a slash is kept.
func stripComponent(s string) string {
	i := strings.IndexByte(s, '/')
	if i < 0 {
		return s
	}
	s = strings.TrimLeft(s[i+1:], "/")
	return s
}

// unquoteName reads a name of a "rename from"/"copy to" line: C-quoted or
// as is.
func unquoteName(v string) string {
	if strings.HasPrefix(v, `"`) {
		if q, rest, ok := unquoteC(v); ok && rest == "" {
			return q
		}
	}
	return v
}

// gitHeaderName finds the name in the "a/X b/X" part of a "diff --git"
// line, when both halves name the same file (as they do when no rename
// header follows); "" when they do not or it is ambiguous.
func gitHeaderName(s string) string {
	if strings.HasPrefix(s, `"`) {
		a, rest, ok := unquoteC(s)
		if !ok || !strings.HasPrefix(rest, " ") {
			return ""
		}
		rest = rest[1:]
		b := rest
		if strings.HasPrefix(rest, `"`) {
			var tail string
			if b, tail, ok = unquoteC(rest); !ok || tail != "" {
				return ""
			}
		}
		return sameName(a, b)
	}
	if q := strings.Index(s, ` "`); q >= 0 {
		b, tail, ok := unquoteC(s[q+1:])
		if ok && tail == "" {
			return sameName(s[:q], b)
		}
	}
	for k := 0; k < len(s); k++ {
		if s[k] == ' ' {
			if n := sameName(s[:k], s[k+1:]); n != "" {
				return n
			}
		}
	}
	return ""
}

// sameName returns the name both prefixed names have once their first
// component is removed, or "".
func sameName(a, b string) string {
	if strings.IndexByte(a, '/') < 0 || strings.IndexByte(b, '/') < 0 {
		return ""
	}
	a, b = stripComponent(a), stripComponent(b)
	if a == "" || a != b {
		return ""
	}
	return a
}

// unquoteC reads a C-style quoted string at the start of s, as git writes
// names (quote_c_style), and returns it and what follows the closing quote.
func unquoteC(s string) (string, string, bool) {
	if !strings.HasPrefix(s, `"`) {
		return "", s, false
	}
	var b []byte
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			return string(b), s[i+1:], true
		case '\\':
			i++
			if i >= len(s) {
				return "", s, false
			}
			switch e := s[i]; e {
			case 'a':
				b = append(b, '\a')
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'v':
				b = append(b, '\v')
			case '\\', '"':
				b = append(b, e)
			case '0', '1', '2', '3':
				if i+2 >= len(s) || !isOctal(s[i+1]) || !isOctal(s[i+2]) {
					return "", s, false
				}
				b = append(b, (e-'0')<<6|(s[i+1]-'0')<<3|(s[i+2]-'0'))
				i += 2
			default:
				return "", s, false
			}
		default:
			b = append(b, c)
		}
	}
	return "", s, false
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }
