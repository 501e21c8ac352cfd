package tui

import (
	"context"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/change"
)

// TestDetailActionIgnoreThisDownstream answers x's question with its
// default, this downstream: the fix leaves rhel's missing lists and stays
// in ofed's.
func TestDetailActionIgnoreThisDownstream(t *testing.T) {
	w := newTestWorld(t)
	ctx := context.Background()
	c := w.common(t)
	missingIn := func(target, id string) bool {
		t.Helper()
		r, err := c.Analysis(ctx, target)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range r.Component("").Missing {
			if m.ID == id {
				return true
			}
		}
		return false
	}
	r, err := c.Analysis(ctx, "rhel@main")
	if err != nil {
		t.Fatal(err)
	}
	var fix analyzer.Commit
	for _, m := range r.Component("").MissingFixes {
		if missingIn("ofed@master", m.ID) {
			fix = m
			break
		}
	}
	if fix.ID == "" {
		t.Fatal("no missing fix of rhel@main is missing in ofed@master too")
	}
	tm := openDetail(t, c, "rhel@main", fix.ID, "missing fix: rhel@main lacks it")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x")})
	waitForAll(t, tm, "Keep "+change.Short(fix.ID)+" out of the missing lists of", "› 1 rhel only", "2 every downstream")
	enter(tm)
	waitFor(t, tm, "Why is "+change.Short(fix.ID)+" no issue for rhel only?")
	typeKeys(tm, "rhel does not build it")
	enter(tm)
	waitForAll(t, tm, "ignoring "+change.Short(fix.ID)+" for rhel only: rhel does not build it", "ignored: on the ignore list for rhel only")
	list, err := w.db.Ignores(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Target != fix.ID || list[0].Scope != "rhel" {
		t.Fatalf("after x: the ignore list is %+v, want %s for rhel", list, change.Short(fix.ID))
	}
	if missingIn("rhel@main", fix.ID) {
		t.Error("rhel@main still lacks the fix its ignore list keeps out")
	}
	if !missingIn("ofed@master", fix.ID) {
		t.Error("ofed@master no longer lacks the fix only rhel's ignore list names")
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("u")})
	waitForAll(t, tm, "undone: ignoring "+change.Short(fix.ID), "missing fix: rhel@main lacks it")
	if list, _ := w.db.Ignores(ctx); len(list) != 0 {
		t.Fatalf("after undo the ignore list is %+v", list)
	}
	finalView(t, tm)
}
