package tui

import (
	"bytes"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
)

func bytesContains(b []byte, s string) bool { return bytes.Contains(b, []byte(s)) }

// TestOverviewGolden draws the matrix of the small world and moves the
// cursor: the screen is compared with testdata/TestOverviewGolden.golden.
func TestOverviewGolden(t *testing.T) {
	w := newTestWorld(t)
	tm := start(t, w.common(t), NewOverview(w.common(t)))
	waitFor(t, tm, "missing fixes / missing / carried")
	tm.Send(tea.KeyMsg{Type: tea.KeyDown})
	tm.Send(tea.KeyMsg{Type: tea.KeyRight})
	view := finalView(t, tm)
	golden.RequireEqual(t, []byte(view))
	if !strings.Contains(view, "› ") {
		t.Error("no cursor mark on the selected cell")
	}
}

// TestOverviewHelpAndResize: ? shows the keys, any key closes the help,
// and a resize redraws at the new size.
func TestOverviewHelpAndResize(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	tm := start(t, c, NewOverview(c))
	waitFor(t, tm, "missing fixes / missing / carried")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("?")})
	waitFor(t, tm, "Press any key to close this help.")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x")})
	tm.Send(tea.WindowSizeMsg{Width: 120, Height: 40})
	view := finalView(t, tm)
	lines := strings.Split(view, "\n")
	if len(lines) != 40 {
		t.Errorf("after a resize to 120x40 the screen has %d lines", len(lines))
	}
	if strings.Contains(view, "Press any key") {
		t.Error("the help stayed open")
	}
	if !strings.Contains(view, "mlnx-ofed@ofed") {
		t.Error("at 120 columns every downstream fits")
	}
}
