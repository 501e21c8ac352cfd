package tui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/kdelta/kdelta/analyzer"
)

// The tables of the test pages: columns fitted to the width, rows with a
// cursor mark, coloured by a result's status.

// statusStyle colours a row by its status; the selected row is reversed.
func statusStyle(s *Styles, status string, selected bool) lipgloss.Style {
	switch {
	case selected:
		return s.Selected
	case analyzer.Failing(status):
		return s.Bad
	case status == "ERROR":
		return s.Warn
	case status == "PASS":
		return s.Good
	}
	return s.Dim
}

// selectedInfo is the line under a table about its selected result,
// after what names it: the whole message, or its log when it has none.
func selectedInfo(name string, r analyzer.TestStatus, s *Styles) string {
	name = safe(name)
	switch {
	case r.Message != "":
		return s.Bold.Render(name+": ") + safe(firstLine(r.Message))
	case r.LogURL != "":
		return s.Bold.Render(name+": ") + "log " + safe(r.LogURL)
	}
	return s.Bold.Render(name+": ") + s.Dim.Render("no message")
}

// column is one column of a table.
type column struct {
	title   string
	min     int  // the narrowest it gets when the table is too wide (0: it may go)
	keepEnd bool // cut from the left: the end says more (a release tag)
	cut     bool // cut without an ellipsis (a commit id)
}

// fitColumns gives each column the width of its widest cell, then narrows
// the columns in the order given (each down to its minimum) until the
// table, after the two cells of the cursor mark and a space between
// columns, fits in width.
func fitColumns(cols []column, cells [][]string, width int, order []int) []int {
	w := make([]int, len(cols))
	for i, c := range cols {
		w[i] = ansi.StringWidth(c.title)
	}
	for _, row := range cells {
		for i, cell := range row {
			w[i] = max(w[i], ansi.StringWidth(cell))
		}
	}
	total := func() int {
		n := 2
		for _, x := range w {
			if x > 0 {
				n += x + 1
			}
		}
		return n - 1
	}
	for _, i := range order {
		over := total() - width
		if over <= 0 {
			break
		}
		w[i] = max(cols[i].min, w[i]-over)
	}
	return w
}

// tableRow draws one row (the titles when cells is nil) with the cursor
// mark when selected, cut to the width (when even the narrowest columns
// are too wide); the selected row fills the width.
func tableRow(cols []column, widths []int, cells []string, selected bool, width int) string {
	var b strings.Builder
	if selected {
		b.WriteString("› ")
	} else {
		b.WriteString("  ")
	}
	first := true
	for i, c := range cols {
		if widths[i] == 0 {
			continue
		}
		if !first {
			b.WriteString(" ")
		}
		first = false
		text := c.title
		if cells != nil {
			text = cells[i]
		}
		switch {
		case cells != nil && c.keepEnd:
			b.WriteString(padRight(keepEnd(text, widths[i]), widths[i]))
		case cells != nil && c.cut && len(text) > widths[i]:
			b.WriteString(text[:widths[i]])
		default:
			b.WriteString(padRight(text, widths[i]))
		}
	}
	line := truncate(strings.TrimRight(b.String(), " "), width)
	if selected {
		line = padRight(line, width)
	}
	return line
}

// keepEnd cuts a text to w cells from the left: "…5.14.0-358.el9".
func keepEnd(s string, w int) string {
	if ansi.StringWidth(s) <= w {
		return s
	}
	if w <= 1 {
		return strings.Repeat("…", max(w, 0))
	}
	r := []rune(s)
	for len(r) > 0 && ansi.StringWidth(string(r))+1 > w {
		r = r[1:]
	}
	return "…" + string(r)
}
