package tui

import (
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/analyzer/status"
)

// TestEndToEnd drives the UI as a maintainer would, with keys only: from
// the overview to rhel's mlx5 delta list, to a carried change's detail,
// annotates it, and goes back to the overview; the annotation is in the
// store and the list shows the new status.
func TestEndToEnd(t *testing.T) {
	w := newTestWorld(t)
	c := w.common(t)
	ctx := context.Background()
	tm := start(t, c, NewOverview(c))
	waitFor(t, tm, "missing fixes / missing / carried")

	// The cursor starts on (all) of the first downstream, rhel@main.
	var results []*analyzer.Result
	for _, d := range c.Downstreams() {
		r, err := c.Analysis(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, r)
	}
	row := -1
	for i, comp := range components(results) {
		if comp == "mlx5" {
			row = i
		}
	}
	for i := 0; i < row; i++ {
		tm.Send(tea.KeyMsg{Type: tea.KeyDown})
	}
	enter(tm)
	waitFor(t, tm, "rhel@main against linux@master · mlx5")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("4")})
	waitFor(t, tm, "[4 carried 5]")
	enter(tm)
	waitFor(t, tm, "carried: rhel@main carries it")

	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("a")})
	waitFor(t, tm, "Status of ")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("4")}) // rejected
	enter(tm)
	waitFor(t, tm, "rejected?")
	typeKeys(tm, "NACKed on linux-rdma")
	enter(tm)
	waitFor(t, tm, "rejected: NACKed on linux-rdma")

	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	waitFor(t, tm, "rejected") // the list reloaded with the new status
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
	waitFor(t, tm, "missing fixes / missing / carried")
	view := finalView(t, tm)
	if !strings.Contains(view, "kdelta › overview") || strings.Contains(view, "mlx5 ›") {
		t.Errorf("not back on the overview:\n%s", view)
	}
	notes, err := w.db.Annotations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 1 {
		t.Fatalf("the store has %d annotations, want 1: %+v", len(notes), notes)
	}
	for id, a := range notes {
		if a.Status != status.Rejected || a.Reason != "NACKed on linux-rdma" {
			t.Errorf("annotation of %.12s = %+v", id, a)
		}
	}
}
