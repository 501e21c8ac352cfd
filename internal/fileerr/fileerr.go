// Package fileerr holds the one error type of kdelta's readers of files
// (project files, patch series, patch files, mailing-list archives, diffs,
// test results, snapshots): a problem at a position of a file, said on one
// line, and OneLine, how every one-line error shows text it did not write.
package fileerr

import (
	"strconv"
	"strings"

	"github.com/kdelta/kdelta/internal/termtext"
)

// Error is one problem with a file. Its text is a single line:
// "file:line: what is wrong; what was expected", "file: ..." when the line
// is not known, "line N: ..." when the file is not named (a text given in
// code, a diff inside a message). A position that is not a line (a kcidb
// element, an archive entry) is Where, after the file and line:
// "file: tests[3]: ...", "drop.tgz: \"a/b.c\": ...".
type Error struct {
	File  string // the file as named to the reader; "" when there is none
	Line  int    // 1-based line; 0 when unknown or not about one line
	Where string // a position the reader names itself ("tests[3]", "line 12", a quoted entry); "" when none
	Msg   string // what is wrong and what was expected
	Err   error  // the underlying error, if any (for errors.Is, e.g. fs.ErrNotExist)
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(OneLine(e.File))
		if e.Line > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Line))
		}
		b.WriteString(": ")
	} else if e.Line > 0 {
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteString(": ")
	}
	if e.Where != "" {
		b.WriteString(OneLine(e.Where))
		b.WriteString(": ")
	}
	b.WriteString(OneLine(e.Msg))
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// OneLine is s for a one-line error: every control character (line
// breaks and tabs included), bidi control and byte that is not UTF-8 is
// shown as its escape (\n, \x1b, \u202e, \xff), as termtext.Safe shows
// them. The error stays one line, a terminal shows what the input holds
// rather than obeying it, and a file named "a\nb" is not taken for one
// named "a b". Text that needs nothing escaped is s itself.
func OneLine(s string) string { return termtext.Safe(s) }
