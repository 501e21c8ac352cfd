// Package series reads trees that carry a kernel as a list of patches: a
// quilt tree (a "series" file), a SUSE kernel-source tree ("series.conf"
// naming patches under patches.*/), and an OFED or MLNX_OFED tree (a
// backports/ directory of NNNN-*.patch files and a LINUX_BASE_BRANCH file
// naming the upstream base). It finds the patches and their order; the
// patches themselves are read by sources/patchfile.
package series

import (
	"bytes"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/kdelta/kdelta/internal/fileerr"
)

// MaxSize is the largest series file ParseSeries reads.
const MaxSize = 64 << 20

// Entry is one patch named by a series.
type Entry struct {
	// Path is the patch, slash-separated and cleaned; it never leaves the
	// tree. From ParseSeries it is as the series file wrote it; from Open
	// it is relative to the tree's root.
	Path   string
	Line   int      // 1-based line in the series file (0 for OFED backports)
	Guards []string // SUSE series.conf guards ("+needs_update", "-arm64", "-"), in order
	Strip  int      // quilt -pN: leading path components the patch's names carry (1 unless the series says otherwise)
	// Reverse is quilt's -R: the patch is applied in reverse.
	Reverse bool
}

// Applies says whether the entry is applied in a build that defines no
// guard symbol, as SUSE's scripts/guards decides: "+x" needs x, "-!x" needs
// x, a bare "-" never applies; "-x" and "+!x" hold without x.
func (e Entry) Applies() bool {
	for _, g := range e.Guards {
		if g == "-" || strings.HasPrefix(g, "+") && !strings.HasPrefix(g, "+!") || strings.HasPrefix(g, "-!") {
			return false
		}
	}
	return true
}

// Series is a parsed tree: which file named the patches and the patches in apply order.
type Series struct {
	Format  string // "quilt", "suse" or "ofed"
	File    string // the series file (or backports directory) read
	Base    string // OFED: the LINUX_BASE_BRANCH value (a commit id or a ref), "" otherwise
	Entries []Entry
}

// Error is a series that cannot be read (Line 0 when the error is not
// about one line).
type Error = fileerr.Error

// ParseSeries reads a quilt series file or a SUSE series.conf, named name
// for errors.
//
// A line holds guards ("+sym", "-sym", "+!sym", "-!sym", or "-" alone, as
// SUSE's scripts/guards reads them), then one patch, then quilt options
// (-pN, -pab, -R). "#" starts a comment at the start of a line or after
// white space; a line ending in a backslash continues on the next. Blank
// lines are skipped. A patch named twice, a path that is absolute or
// leaves the tree, an unknown option or a second patch on a line is an
// error.
func ParseSeries(name string, r io.Reader) ([]Entry, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, &Error{File: name, Msg: err.Error()}
	}
	if len(data) > MaxSize {
		return nil, &Error{File: name, Msg: fmt.Sprintf("more than the %d MiB a series file may have", MaxSize>>20)}
	}
	var entries []Entry
	seen := map[string]int{}
	var joined []byte // a line continued with a backslash
	first := 0        // the line joined starts at
	for n, raw := range bytes.Split(data, []byte("\n")) {
		l := stripComment(bytes.TrimRight(raw, "\r"))
		if len(joined) == 0 {
			first = n + 1
		}
		if cont, ok := bytes.CutSuffix(l, []byte(`\`)); ok {
			joined = append(append(joined, cont...), ' ')
			continue
		}
		l = append(joined, l...)
		joined = nil
		e, ok, err := parseLine(string(l))
		if err != nil {
			return nil, &Error{File: name, Line: first, Msg: err.Error()}
		}
		if !ok {
			continue
		}
		e.Line = first
		if prev, dup := seen[e.Path]; dup {
			return nil, &Error{File: name, Line: first, Msg: fmt.Sprintf("%s is listed twice (first at line %d)", e.Path, prev)}
		}
		seen[e.Path] = first
		entries = append(entries, e)
	}
	if len(joined) > 0 {
		return nil, &Error{File: name, Line: first, Msg: "the file ends in a line continued with a backslash"}
	}
	return entries, nil
}

// stripComment removes a "#" comment that starts the line or follows
// white space.
func stripComment(l []byte) []byte {
	for i, c := range l {
		if c == '#' && (i == 0 || isSpace(rune(l[i-1]))) {
			return l[:i]
		}
	}
	return l
}

// parseLine reads the tokens of one series line; ok is false for a line
// without a patch.
func parseLine(l string) (e Entry, ok bool, err error) {
	e.Strip = 1
	fields := strings.FieldsFunc(l, isSpace)
	k := 0
	for ; k < len(fields) && (fields[k][0] == '+' || fields[k][0] == '-'); k++ {
		e.Guards = append(e.Guards, fields[k])
	}
	if k == len(fields) {
		if len(e.Guards) > 0 {
			return e, false, fmt.Errorf("guards %s without a patch", strings.Join(e.Guards, " "))
		}
		return e, false, nil
	}
	if e.Path, err = cleanPath(fields[k]); err != nil {
		return e, false, err
	}
	for _, opt := range fields[k+1:] {
		switch {
		case opt == "-R":
			e.Reverse = true
		case opt == "-pab":
			e.Strip = 1 // quilt's "a/" and "b/" prefixes
		case strings.HasPrefix(opt, "-p"):
			n, err := strconv.Atoi(opt[2:])
			if err != nil || n < 0 || n > 64 || opt[2] == '+' {
				return e, false, fmt.Errorf("bad option %q: expected -pN with N a number of path components", opt)
			}
			e.Strip = n
		case opt[0] == '-' || opt[0] == '+':
			return e, false, fmt.Errorf("unknown option %q after %s: expected -pN or -R", opt, fields[k])
		default:
			return e, false, fmt.Errorf("a second patch %q on the line of %s: expected one patch per line", opt, fields[k])
		}
	}
	return e, true, nil
}

// isSpace reports white space as scripts/guards splits on it (ASCII only).
func isSpace(c rune) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' }

// cleanPath cleans a patch path of a series and refuses one that is
// absolute or leaves the directory it is relative to.
func cleanPath(p string) (string, error) {
	if strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("absolute path %s: expected a path inside the tree", p)
	}
	if strings.Contains(p, `\`) {
		return "", fmt.Errorf("path %s has a backslash: expected '/' between directories", p)
	}
	c := path.Clean(p)
	if c == "." || c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("path %s leaves the tree: expected a path inside it", p)
	}
	return c, nil
}
