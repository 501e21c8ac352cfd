package patchdiff

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/kdelta/kdelta/change"
)

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
	copyFrom, copyTo string
	isNew, isDelete  bool
	modeChange       bool
	binary           bool
}

// gitHeader reads the git header lines of the file whose "diff --git" line
// is at g, up to line to at most (go-diff's extended headers): the known
// header lines, then a binary patch or a "Binary files ... differ" line.
// It returns the index of the line after them.
func (p *parser) gitHeader(g, to int) (*fileHead, int, error) {
	h := &fileHead{defName: gitHeaderName(string(trimEOL(p.lines[g][len("diff --git "):])))}
	j := g + 1
headers:
	for ; j < to; j++ {
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
			case "copy from ":
				h.copyFrom = unquoteName(v)
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
	switch {
	case j < to && p.has(j, "GIT binary patch"):
		h.binary = true
		var err error
		if j, err = p.binaryPatch(j+1, to); err != nil {
			return nil, 0, err
		}
	case j < to && p.has(j, "Binary files ") && bytes.HasSuffix(trimEOL(p.lines[j]), []byte(" differ")):
		h.binary = true
		j++
	}
	return h, j, nil
}

// binaryPatch skips the one or two "literal N"/"delta N" blocks of a "GIT
// binary patch" whose first block line is at i.
func (p *parser) binaryPatch(i, to int) (int, error) {
	for block := 0; block < 2; block++ {
		if !p.has(i, "literal ") && !p.has(i, "delta ") {
			if block == 0 {
				return 0, p.errorf(i, `expected "literal N" or "delta N" after "GIT binary patch"`)
			}
			break
		}
		i++
		for i < to && len(trimEOL(p.lines[i])) > 0 {
			i++
		}
		if i < to && len(trimEOL(p.lines[i])) == 0 {
			i++
		}
	}
	return i, nil
}

// names reads the names of the "---" and "+++" lines.
func (h *fileHead) names(minus, plus []byte) {
	h.oldName, h.oldNull = traditionalName(minus[4:])
	h.newName, h.newNull = traditionalName(plus[4:])
}

// traditional completes the head of a diff made without git.
func (h *fileHead) traditional() {
	if h.oldNull {
		h.isNew = true
	} else if h.newNull {
		h.isDelete = true
	} else if h.oldName != "" && len(h.oldName) < len(h.newName) && strings.HasPrefix(h.newName, h.oldName) {
		// git apply takes the shorter name when one extends the other
		// ("x.c" and "x.c.new").
		h.newName = h.oldName
	}
}

// record fills in the path and status of a file.
func (h *fileHead) record(f *File) error {
	f.Binary = h.binary
	f.Status = change.Modified
	switch {
	case h.renameFrom != "" && h.renameTo != "" && h.renameFrom != h.renameTo:
		f.Status = change.Renamed
		f.Path, f.OldPath = h.renameTo, h.renameFrom
	case h.copyTo != "":
		// A copy leaves its source alone: to kdelta it adds a file.
		f.Status = change.Added
		f.Path, f.CopyFrom = h.copyTo, h.copyFrom
	case h.isNew || h.oldNull:
		f.Status = change.Added
		f.Path = firstOf(h.newName, h.defName)
	case h.isDelete || h.newNull:
		f.Status = change.Deleted
		f.Path = firstOf(h.oldName, h.defName)
	default:
		f.Path = firstOf(h.newName, h.oldName, h.defName, h.renameTo)
	}
	if f.Path == "" {
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
