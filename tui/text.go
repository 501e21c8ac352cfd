package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/kdelta/kdelta/internal/termtext"
)

// Text a page did not write itself (a subject, an author, a file name, a
// posting, a test, a lab, a message, an error that quotes them) goes
// through safe before it is measured and laid out: on one line, every
// control character and bidi override shown escaped (\x1b, \u202e), never
// obeyed by the terminal. App.View guards the whole screen as well
// (termtext.Screen).

// safe shows untrusted text on one line.
func safe(s string) string { return termtext.Safe(s) }

// safeCells makes each cell of a table row safe.
func safeCells(cells ...string) []string {
	for i, c := range cells {
		cells[i] = safe(c)
	}
	return cells
}

// truncate cuts a line (which may hold styles) to w cells.
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// padRight pads plain text to w cells, or cuts it.
func padRight(s string, w int) string {
	n := ansi.StringWidth(s)
	if n > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-n)
}

// padLeft right-aligns plain text in w cells.
func padLeft(s string, w int) string {
	n := ansi.StringWidth(s)
	if n > w {
		return ansi.Truncate(s, w, "…")
	}
	return strings.Repeat(" ", w-n) + s
}

// firstLine keeps the first line of a text.
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(s)
}
