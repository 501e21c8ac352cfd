// Package fileerr holds the one error type of kdelta's readers of files
// (project files, patch series, patch files, mailing-list archives, diffs):
// a problem at a position of a file, said on one line.
package fileerr

import (
	"strconv"
	"strings"
)

// Error is one problem with a file. Its text is a single line:
// "file:line: what is wrong; what was expected", "file: ..." when the line
// is not known, "line N: ..." when the file is not named (a text given in
// code, a diff inside a message).
type Error struct {
	File string // the file as named to the reader; "" when there is none
	Line int    // 1-based line; 0 when unknown or not about one line
	Msg  string // what is wrong and what was expected
	Err  error  // the underlying error, if any (for errors.Is, e.g. fs.ErrNotExist)
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
	b.WriteString(OneLine(e.Msg))
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// OneLine folds the line breaks of s (CR, LF, CRLF, U+0085, U+2028,
// U+2029) into single spaces, so that a message built from input is
// always one line.
func OneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n\u0085\u2028\u2029") {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' || r == '\u0085'
	}), " ")
}
