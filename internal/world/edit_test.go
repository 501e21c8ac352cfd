package world

import (
	"math/rand"
	"testing"
)

// TestEditRoundTrip checks the edit model on generated code: edits apply
// where they were made, their inverse restores the file, and diffLines
// recovers hunks that rebuild the new version.
func TestEditRoundTrip(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	c := code{r: r, a: areaByName("mlx5_ib")}
	applied, rebuilt := 0, 0
	for n := 0; n < 60; n++ {
		orig := c.cFile(300)
		cur := orig
		for k := 0; k < 1+r.Intn(4); k++ {
			e, ok := c.editFile("drivers/infiniband/hw/mlx5/qp.c", cur, "", nil)
			if !ok {
				continue
			}
			next, _, fz, ok := applyHunks(cur, e.hunks, true)
			if !ok || fz != 0 {
				t.Fatalf("edit %q does not apply exactly where it was made", e.what)
			}
			inv := make([]hunk, len(e.hunks))
			for i, h := range e.hunks {
				inv[i] = h.inverse()
			}
			back, _, _, ok := applyHunks(next, inv, false)
			if !ok || !sameLines(back, cur) {
				t.Fatalf("inverse of %q does not restore the file", e.what)
			}
			cur = next
			applied++
		}
		hunks := diffLines(orig, cur)
		got, _, _, ok := applyHunks(orig, hunks, true)
		if ok && sameLines(got, cur) {
			rebuilt++
		}
	}
	if applied < 60 {
		t.Errorf("only %d edits applied", applied)
	}
	if rebuilt < 55 {
		t.Errorf("diffLines rebuilt only %d of 60 files", rebuilt)
	}
}

func TestLocateFuzzy(t *testing.T) {
	lines := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i"}
	h := mkHunk(lines, 4, 1, []string{"E"})
	changed := append([]string(nil), lines...)
	changed[1] = "B" // outer context differs
	if _, f := locate(lines, h); f != fitExact {
		t.Errorf("exact fit not found")
	}
	if pos, f := locate(changed, h); f != fitFuzzy || pos != 4 {
		t.Errorf("fuzzy fit = %d at %d, want fuzzy at 4", f, pos)
	}
	changed[3] = "D" // the line next to the change differs: no fit
	if _, f := locate(changed, h); f != fitNone {
		t.Errorf("fit found with the adjacent line changed")
	}
}
