package patchwork

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"regexp"
	"unicode"
	"unicode/utf8"
)

// Hash returns Patchwork's hash of a diff: the value the REST API gives as a
// patch's "hash" and filters on with ?hash=, so a carried patch's diff can be
// looked up with ByHash.
//
// It follows Patchwork's hash_diff (patchwork/hasher.py, formerly in
// parser.py) step for step:
//   - every CR is removed, then white space is trimmed from both ends of the
//     whole text (Python's str.strip: Unicode white space plus U+001C..U+001F);
//   - the text is cut at LF and empty lines are skipped;
//   - a "--- X" or "+++ X" line (X the run of non-space characters after the
//     one space) becomes "--- a/" or "+++ b/" followed by X without its first
//     path component ("--- a/drivers/x.c" and "--- linux/drivers/x.c" both
//     give "--- a/drivers/x.c"; "--- /dev/null" gives "--- a/dev/null");
//   - a hunk header "@@ -A[,B] +C[,D] @@..." becomes "@@ -B +D @@": the line
//     numbers and the function context are dropped, the counts kept (a count
//     left out is 1; Unicode decimal digits count as digits, as in Python);
//   - any other line that starts with '-', '+' or ' ' is kept as it is;
//   - every other line (diff --git, index, new file mode, "\ No newline at
//     end of file", commit message text) is skipped;
//   - the SHA-1 of the kept lines, each followed by LF, is returned in lower
//     case hex.
//
// Patchwork hashes the diff part of the mail only (its parser stops at the
// last hunk, so the "-- " signature of git format-patch is not part of it):
// pass a diff, not a whole mail or patch file, or the trailing "-- " line and
// any "---"-led text are hashed too. Patchwork hashes text it decoded from
// the mail, as UTF-8; for a diff that is valid UTF-8 the result is the same,
// for one that is not, bytes that are not UTF-8 are hashed as they are.
func Hash(diff []byte) string {
	text := bytes.ReplaceAll(diff, []byte{'\r'}, nil)
	text = bytes.TrimFunc(text, isPySpace)

	h := sha1.New()
	for len(text) > 0 {
		line := text
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = nil
		}
		if len(line) == 0 {
			continue
		}
		if norm, ok := fileHeader(line); ok {
			line = norm
		} else if norm, ok := hunkHeader(line); ok {
			line = norm
		} else if line[0] != '-' && line[0] != '+' && line[0] != ' ' {
			continue
		}
		h.Write(line)
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// fileHeader normalizes a "--- X" or "+++ X" line as Patchwork does, and
// reports whether line is one.
func fileHeader(line []byte) ([]byte, bool) {
	var side string
	switch {
	case bytes.HasPrefix(line, []byte("--- ")):
		side = "--- a/"
	case bytes.HasPrefix(line, []byte("+++ ")):
		side = "+++ b/"
	default:
		return nil, false
	}
	rest := line[4:]
	end := 0
	for end < len(rest) {
		r, size := utf8.DecodeRune(rest[end:])
		if isPySpace(r) {
			break
		}
		end += size
	}
	if end == 0 {
		return nil, false
	}
	name := rest[:end]
	out := []byte(side)
	if i := bytes.IndexByte(name, '/'); i >= 0 {
		out = append(out, name[i+1:]...)
	}
	return out, true
}

// hunkRE is Patchwork's HUNK_RE (patchwork/hasher.py) as it is: the hash
// must be the one Patchwork computes, so a hunk header is whatever this
// regular expression matches, anywhere in the text (Python's \d is any
// Unicode decimal digit, Go's \p{Nd}), not what a diff reader takes for one.
var hunkRE = regexp.MustCompile(`^@@ -\p{Nd}+(?:,(\p{Nd}+))? \+\p{Nd}+(?:,(\p{Nd}+))? @@`)

// hunkHeader normalizes a hunk header line "@@ -A[,B] +C[,D] @@..." to
// "@@ -B +D @@" as Patchwork does, and reports whether line is one.
func hunkHeader(line []byte) ([]byte, bool) {
	if !bytes.HasPrefix(line, []byte("@@ -")) {
		return nil, false
	}
	m := hunkRE.FindSubmatchIndex(line)
	if m == nil {
		return nil, false
	}
	count := func(k int) []byte {
		if m[2*k] < 0 {
			return []byte("1")
		}
		return pyInt(line[m[2*k]:m[2*k+1]])
	}
	out := make([]byte, 0, 16)
	out = append(out, "@@ -"...)
	out = append(out, count(1)...)
	out = append(out, " +"...)
	out = append(out, count(2)...)
	out = append(out, " @@"...)
	return out, true
}

// pyInt is a run of decimal digits (of any script) as Python's
// '%d' % int(run) prints it: ASCII digits without leading zeros.
func pyInt(b []byte) []byte {
	var value []byte
	for _, r := range string(b) {
		d, _ := digitValue(r)
		if d != 0 || len(value) > 0 {
			value = append(value, byte('0'+d))
		}
	}
	if len(value) == 0 {
		value = []byte("0")
	}
	return value
}

// digitValue returns the value of a decimal digit of any script. Unicode
// keeps every Nd digit in a run of whole decades 0..9, so the value is the
// distance from the start of the run, modulo ten.
func digitValue(r rune) (int, bool) {
	if r >= '0' && r <= '9' {
		return int(r - '0'), true
	}
	if r < 0x80 || !unicode.Is(unicode.Nd, r) {
		return 0, false
	}
	start := r
	for unicode.Is(unicode.Nd, start-1) {
		start--
	}
	return int(r-start) % 10, true
}

// isPySpace reports whether Python's str.isspace (and so str.strip and the
// \s of a str regex) counts r as white space: Go's Unicode white space plus
// the four separator controls U+001C..U+001F.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}
