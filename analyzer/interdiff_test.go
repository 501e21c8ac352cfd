package analyzer

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// gitDiff builds a git diff of one file from its hunks.
func gitDiff(path string, hunks ...string) string {
	return "diff --git a/" + path + " b/" + path + "\nindex 1111111..2222222 100644\n--- a/" + path + "\n+++ b/" + path + "\n" +
		strings.Join(hunks, "")
}

const (
	hunkA = "@@ -10,6 +10,7 @@\n \tint err;\n \n \terr = foo(dev);\n+\tbar(dev);\n \tif (err)\n \t\treturn err;\n \n"
	// hunkAMoved is hunkA at other line numbers, with other context and
	// other indentation.
	hunkAMoved = "@@ -20,5 +21,6 @@\n \tint ret;\n \n \tret = foo(dev);\n+    bar(dev);  \n \tif (ret)\n \n"
	hunkB      = "@@ -40,6 +41,6 @@\n \tspin_lock(&dev->lock);\n-\tif (err) {\n+\tif (err && err != -EAGAIN) {\n \t\tpr_err(\"x\");\n \t}\n \tspin_unlock(&dev->lock);\n \n"
	// hunkBConflict resolves hunkB by hand: another condition.
	hunkBConflict = "@@ -38,6 +38,6 @@\n \tspin_lock(&dev->lock);\n-\tif (err) {\n+\tif (err && err != -EBUSY) {\n \t\tpr_err(\"x\");\n \t}\n \tspin_unlock(&dev->lock);\n \n"
	hunkC         = "@@ -70,4 +71,7 @@\n \treturn 0;\n }\n \n+static void baz(void)\n+{\n+}\n \n"
	// hunkIfdef is an OFED-style wrapper hunk downstream adds.
	hunkIfdef = "@@ -1,3 +1,5 @@\n+#ifdef HAVE_FOO_BAR\n #include <linux/foo.h>\n+#endif\n #include <linux/bar.h>\n \n"
)

// flags summarizes an interdiff: per file "up->down:" then each side's
// hunks as s (same) or c (changed).
func flags(files []InterFile) []string {
	var out []string
	for _, f := range files {
		up, down := "-", "-"
		if f.Upstream != nil {
			up = f.Upstream.Path
		}
		if f.Downstream != nil {
			down = f.Downstream.Path
		}
		s := up + "->" + down + ":"
		for _, h := range f.Up {
			s += map[bool]string{true: "s", false: "c"}[h.Same]
		}
		s += "/"
		for _, h := range f.Down {
			s += map[bool]string{true: "s", false: "c"}[h.Same]
		}
		out = append(out, s)
	}
	return out
}

func TestInterdiff(t *testing.T) {
	const x, y = "drivers/infiniband/hw/mlx5/qp.c", "drivers/infiniband/hw/mlx5/cq.c"
	tests := []struct {
		name     string
		up, down string
		want     []string
		rows     [][]HunkRow // per file, when checked
	}{
		{name: "identical", up: gitDiff(x, hunkA, hunkB), down: gitDiff(x, hunkA, hunkB),
			want: []string{x + "->" + x + ":ss/ss"}, rows: [][]HunkRow{{{0, 0}, {1, 1}}}},
		{name: "context-only difference is the same hunk", up: gitDiff(x, hunkA), down: gitDiff(x, hunkAMoved),
			want: []string{x + "->" + x + ":s/s"}},
		{name: "a changed line", up: gitDiff(x, hunkA, hunkB), down: gitDiff(x, hunkA, hunkBConflict),
			want: []string{x + "->" + x + ":sc/sc"}, rows: [][]HunkRow{{{0, 0}, {1, 1}}}},
		{name: "a dropped hunk", up: gitDiff(x, hunkA, hunkB, hunkC), down: gitDiff(x, hunkA, hunkC),
			want: []string{x + "->" + x + ":scs/ss"}, rows: [][]HunkRow{{{0, 0}, {1, -1}, {2, 1}}}},
		{name: "an extra downstream hunk", up: gitDiff(x, hunkA, hunkB), down: gitDiff(x, hunkIfdef, hunkA, hunkB),
			want: []string{x + "->" + x + ":ss/css"}, rows: [][]HunkRow{{{-1, 0}, {0, 1}, {1, 2}}}},
		{name: "a reworked hunk sits by its upstream hunk, an extra one alone",
			up: gitDiff(x, hunkA, hunkB, hunkC), down: gitDiff(x, hunkA, hunkIfdef, hunkBConflict, hunkC),
			want: []string{x + "->" + x + ":scs/sccs"}, rows: [][]HunkRow{{{0, 0}, {-1, 1}, {1, 2}, {2, 3}}}},
		{name: "a renamed file", up: gitDiff(x, hunkA, hunkB), down: gitDiff(y, hunkAMoved, hunkBConflict),
			want: []string{x + "->" + y + ":sc/sc"}},
		{name: "a file renamed by the change itself",
			up:   "diff --git a/" + x + " b/" + y + "\nsimilarity index 90%\nrename from " + x + "\nrename to " + y + "\n--- a/" + x + "\n+++ b/" + y + "\n" + hunkA,
			down: gitDiff(x, hunkA),
			want: []string{y + "->" + x + ":s/s"}},
		{name: "a file only upstream", up: gitDiff(x, hunkA) + gitDiff(y, hunkC), down: gitDiff(x, hunkA),
			want: []string{x + "->" + x + ":s/s", y + "->-:c/"}},
		{name: "a file only downstream", up: gitDiff(x, hunkA), down: gitDiff(x, hunkA) + gitDiff(y, hunkC),
			want: []string{x + "->" + x + ":s/s", "-->" + y + ":/c"}},
		{name: "a hunk moved to another file after a rename",
			up:   gitDiff(x, hunkA, hunkC),
			down: gitDiff(y, hunkA) + gitDiff("drivers/infiniband/hw/mlx5/main.c", hunkC),
			want: []string{x + "->" + y + ":ss/s", "-->drivers/infiniband/hw/mlx5/main.c:/s"}},
		{name: "two upstream commits, one squashed backport", up: gitDiff(x, hunkA) + gitDiff(x, hunkB),
			down: gitDiff(x, hunkA, hunkB), want: []string{x + "->" + x + ":ss/ss"}},
		// Paths lose their first component, as git apply -p1 reads them.
		{name: "a plain diff with other top directories",
			up:   gitDiff(x, hunkA),
			down: "--- linux-5.14.orig/" + x + "\t2024-01-01\n+++ linux-5.14/" + x + "\t2024-01-02\n" + hunkAMoved,
			want: []string{x + "->" + x + ":s/s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Interdiff(tt.up, tt.down)
			if g := flags(got); !reflect.DeepEqual(g, tt.want) {
				t.Errorf("interdiff: got %q, want %q", g, tt.want)
			}
			for i, want := range tt.rows {
				if i >= len(got) {
					break
				}
				if rows := got[i].Rows(); !reflect.DeepEqual(rows, want) {
					t.Errorf("file %d rows: got %v, want %v", i, rows, want)
				}
			}
		})
	}
}

func TestInterdiffPairs(t *testing.T) {
	const x = "net/rds/ib_cm.c"
	f := Interdiff(gitDiff(x, hunkA, hunkB), gitDiff(x, hunkB, hunkA))
	if len(f) != 1 {
		t.Fatalf("got %d files, want 1", len(f))
	}
	if f[0].Up[0].Pair != 1 || f[0].Up[1].Pair != 0 || f[0].Down[0].Pair != 1 {
		t.Errorf("pairs of swapped hunks: up %d %d, down %d %d", f[0].Up[0].Pair, f[0].Up[1].Pair, f[0].Down[0].Pair, f[0].Down[1].Pair)
	}
	// Crossed pairs cannot both sit side by side: every hunk is still shown once.
	seenUp, seenDown := map[int]int{}, map[int]int{}
	for _, r := range f[0].Rows() {
		if r.Up >= 0 {
			seenUp[r.Up]++
		}
		if r.Down >= 0 {
			seenDown[r.Down]++
		}
	}
	if len(seenUp) != 2 || len(seenDown) != 2 || seenUp[0] != 1 || seenUp[1] != 1 || seenDown[0] != 1 || seenDown[1] != 1 {
		t.Errorf("rows of swapped hunks show up %v, down %v; want each once", seenUp, seenDown)
	}
}

func TestParseDiff(t *testing.T) {
	const x = "drivers/infiniband/core/mad.c"
	// A patch file: a message, a hunk whose removed line looks like a
	// header, a "\ No newline" note, a pure rename, a signature.
	patch := "From: A <a@example.com>\nSubject: [PATCH] x\n\n---\n " + x + " | 2 +-\n\n" +
		gitDiff(x, "@@ -1,3 +1,3 @@\n a\n--- b\n+++ c\n d\n\\ No newline at end of file\n") +
		"diff --git a/old.c b/new.c\nsimilarity index 100%\nrename from old.c\nrename to new.c\n" +
		"-- \n2.34.1\n"
	files := ParseDiff(patch)
	var got []string
	for _, f := range files {
		s := fmt.Sprintf("%s<%s:%d", f.Path, f.OldPath, len(f.Hunks))
		for _, h := range f.Hunks {
			s += fmt.Sprintf("[%q]", h.Lines)
		}
		got = append(got, s)
	}
	want := []string{
		x + `<:1[[" a" "--- b" "+++ c" " d" "\\ No newline at end of file"]]`,
		"new.c<old.c:0",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseDiff:\n got %q\nwant %q", got, want)
	}
	add, rm := files[0].Hunks[0].Changed()
	if !reflect.DeepEqual(add, []string{"++ c"}) || !reflect.DeepEqual(rm, []string{"-- b"}) {
		t.Errorf("Changed: added %q removed %q", add, rm)
	}
	if n := len(ParseDiff("no diff here\n")); n != 0 {
		t.Errorf("a text with no diff has %d files", n)
	}
}

// TestParseDiffCutHunk: a diff cut inside a hunk (a mail cut short) still
// shows the files before it and the lines of the cut hunk it has.
func TestParseDiffCutHunk(t *testing.T) {
	const x, y = "drivers/infiniband/core/mad.c", "drivers/infiniband/core/cm.c"
	text := gitDiff(x, hunkA) + gitDiff(y, "@@ -1,4 +1,4 @@\n a\n-b\n+c\n")
	files := ParseDiff(text)
	if len(files) != 2 || files[0].Path != x || files[1].Path != y {
		t.Fatalf("got %+v, want %s and %s", files, x, y)
	}
	if got := files[1].Hunks[0].Lines; !reflect.DeepEqual(got, []string{" a", "-b", "+c"}) {
		t.Errorf("cut hunk lines %q", got)
	}
}
