// Package termtext makes text kdelta did not write itself (commit
// subjects and authors, file names, diffs, mail subjects, test names and
// messages) safe to show on a terminal: a control character in it is
// shown, never obeyed. An escape sequence in a commit subject could
// otherwise set the window title, clear the screen, plant a hyperlink,
// move the cursor over what was printed before, or (Unicode bidi
// overrides) show text in another order than it is stored.
//
// What is shown escaped (see Unsafe): the C0 controls (tab, newline and
// carriage return as \t, \n, \r; the others as \x1b), DEL and the C1
// controls, the bidi formatting characters (U+061C, U+200E, U+200F,
// U+202A-U+202E, U+2066-U+2069) and the line and paragraph separators
// U+2028 and U+2029 (as \u007f, \u009b, \u202e); a byte that is not UTF-8
// is shown as \xff. The \u form is also JSON's, so that JSON passed
// through a Writer decodes to the exact text. A backslash is kept as it is:
// the escapes are for the eye, not for a parser.
//
// Safe is for a one-line field (a table cell), Text for several lines
// (a diff), Truncate for a field cut to a width, Writer for a whole output
// stream and Screen for a screen a terminal UI drew with colours. Each
// returns its argument, without copying it, when nothing needs escaping.
package termtext

import (
	"io"
	"strings"
	"unicode/utf8"
)

// Unsafe reports whether r is shown escaped.
func Unsafe(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r < 0xa0:
		return true
	case r < 0x61c:
		return false
	}
	switch r {
	case 0x061c, 0x200e, 0x200f, 0x2028, 0x2029:
		return true
	}
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

// keep says which controls a form leaves as they are.
type keep uint8

const (
	keepNone     keep = 0
	keepLines    keep = 1 << 0 // newline and tab
	keepSGRStyle keep = 1 << 1 // ESC [ params m: colours and attributes
)

// Safe returns s for one line: every control character, newline and tab
// included, and every bidi control shown as its escape.
func Safe(s string) string { return clean(s, keepNone) }

// Text returns s for several lines: like Safe, but newlines and tabs are
// kept.
func Text(s string) string { return clean(s, keepLines) }

// Screen returns what a terminal UI drew for the screen: like Text, but
// the SGR sequences (ESC [ digits and semicolons m) that set colours and
// attributes are kept. It is the last guard of a UI whose fields went
// through Safe: a field that did not is shown escaped all the same.
func Screen(s string) string { return clean(s, keepLines|keepSGRStyle) }

// Truncate returns Safe(s) cut to at most n characters (runes), the last
// of them "…" when it was cut. An escape is kept whole or left out whole,
// so a cut never leaves a sequence open or half an escape.
func Truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	width := 0
	pieces(s, func(piece string) bool {
		width += utf8.RuneCountInString(piece)
		return width <= n
	})
	if width <= n {
		return Safe(s)
	}
	var b strings.Builder
	room := n - 1 // for the ellipsis
	pieces(s, func(piece string) bool {
		w := utf8.RuneCountInString(piece)
		if w > room {
			return false
		}
		room -= w
		b.WriteString(piece)
		return true
	})
	b.WriteString("…")
	return b.String()
}

// pieces calls f with each piece of Safe(s) that is cut whole: a character
// kept as it is, or the escape of one; it stops when f returns false.
func pieces(s string, f func(piece string) bool) {
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		piece := s[:size]
		if r == utf8.RuneError && size == 1 || Unsafe(r) {
			piece = escapeAt(s)
		}
		if !f(piece) {
			return
		}
		s = s[size:]
	}
}

// clean returns s with what k does not keep escaped; s itself when there
// is nothing to escape.
func clean(s string, k keep) string {
	i := firstUnsafe(s, k)
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for {
		b.WriteString(s[:i])
		s = s[i:]
		if s == "" {
			return b.String()
		}
		_, size := utf8.DecodeRuneInString(s)
		b.WriteString(escapeAt(s))
		s = s[size:]
		i = firstUnsafe(s, k)
	}
}

// firstUnsafe returns the index of the first byte of s that k does not
// keep as it is, or len(s).
func firstUnsafe(s string, k keep) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		if c < 0x80 {
			switch {
			case k&keepLines != 0 && (c == '\n' || c == '\t'):
				i++
				continue
			case k&keepSGRStyle != 0 && c == 0x1b:
				if n := sgrLen(s[i:]); n > 0 {
					i += n
					continue
				}
			}
			return i
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || Unsafe(r) {
			return i
		}
		i += size
	}
	return len(s)
}

// firstUnsafeBytes is firstUnsafe of a byte slice, without copying it.
func firstUnsafeBytes(p []byte, k keep) int {
	for i := 0; i < len(p); {
		c := p[i]
		if c >= 0x20 && c < 0x7f || k&keepLines != 0 && (c == '\n' || c == '\t') {
			i++
			continue
		}
		if c < 0x80 {
			return i
		}
		r, size := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && size == 1 || Unsafe(r) {
			return i
		}
		i += size
	}
	return len(p)
}

const hexDigits = "0123456789abcdef"

// escapeAt is how the character (or the byte that is not UTF-8) s starts
// with is shown.
func escapeAt(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	switch {
	case r == utf8.RuneError && size == 1:
		return hexByte(s[0])
	case r == '\t':
		return `\t`
	case r == '\n':
		return `\n`
	case r == '\r':
		return `\r`
	case r < 0x20:
		return hexByte(byte(r))
	}
	return `\u` + string([]byte{hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf]})
}

func hexByte(c byte) string { return `\x` + string([]byte{hexDigits[c>>4], hexDigits[c&0xf]}) }

// sgrLen is the length of the SGR sequence s starts with (ESC [, digits,
// semicolons and colons, m), or 0 when it starts with none.
func sgrLen(s string) int {
	if len(s) < 3 || s[0] != 0x1b || s[1] != '[' {
		return 0
	}
	for i := 2; i < len(s) && i < 64; i++ {
		switch c := s[i]; {
		case c == 'm':
			return i + 1
		case c >= '0' && c <= '9' || c == ';' || c == ':':
		default:
			return 0
		}
	}
	return 0
}

// Writer passes what is written to it on to an io.Writer with every
// control character but newline and tab escaped, as Text escapes them: a
// whole output stream (a table, a Markdown report, JSON) made safe at
// once, whatever printed it. The bytes of a character cut between two
// Writes are held until the next one; Flush writes out what is held.
type Writer struct {
	w       io.Writer
	pending []byte // the start of a character the next Write may finish
	buf     []byte
}

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write writes p, escaped; it returns len(p) when every byte was taken.
func (w *Writer) Write(p []byte) (int, error) {
	n := len(p)
	if len(w.pending) > 0 {
		p = append(w.pending, p...)
		w.pending = nil
	}
	// Hold a character whose end has not come yet.
	end := len(p)
	for i := len(p) - 1; i >= 0 && i >= len(p)-utf8.UTFMax+1; i-- {
		if utf8.RuneStart(p[i]) {
			if p[i] >= 0x80 && !utf8.FullRune(p[i:]) {
				end = i
			}
			break
		}
	}
	if end < len(p) {
		w.pending = append([]byte(nil), p[end:]...)
		p = p[:end]
	}
	if firstUnsafeBytes(p, keepLines) == len(p) {
		if _, err := w.w.Write(p); err != nil {
			return 0, err
		}
		return n, nil
	}
	w.buf = append(w.buf[:0], Text(string(p))...)
	if _, err := w.w.Write(w.buf); err != nil {
		return 0, err
	}
	return n, nil
}

// Flush writes out the bytes held for a character that never ended, each
// escaped.
func (w *Writer) Flush() error {
	if len(w.pending) == 0 {
		return nil
	}
	s := Text(string(w.pending))
	w.pending = nil
	_, err := io.WriteString(w.w, s)
	return err
}
