package patchdiff

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/change"
)

// shape summarizes a Diff: per file its path, status, section and hunks
// (header line-body end), 1-based lines.
func shape(d *Diff) []string {
	var out []string
	for _, f := range d.Files {
		s := fmt.Sprintf("%s%c %d-%d", f.Path, f.Status, f.Start+1, f.End)
		if f.OldPath != "" {
			s += " from " + f.OldPath
		}
		if f.Binary {
			s += " binary"
		}
		for _, h := range f.Hunks {
			s += fmt.Sprintf(" @%d-%d", h.Line+1, h.End)
		}
		out = append(out, s)
	}
	return out
}

const head = "diff --git a/x.c b/x.c\nindex 1111111..2222222 100644\n--- a/x.c\n+++ b/x.c\n"

// TestParse covers what go-diff reads differently from git apply and
// git patch-id, and what the adapter makes of it.
func TestParse(t *testing.T) {
	tests := []struct {
		name, diff string
		want       []string
	}{
		{"signature after the last hunk is not a removed line",
			head + "@@ -1,2 +1,2 @@\n a\n-b\n+c\n-- \n2.39.5\n\n", []string{"x.cM 1-8 @5-8"}},
		{"no newline markers after a removed and an added line",
			head + "@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n", []string{"x.cM 1-9 @5-9"}},
		{"CRLF lines", strings.ReplaceAll(head+"@@ -1,3 +1,3 @@\n a\n-b\n+c\n\n", "\n", "\r\n"), []string{"x.cM 1-9 @5-9"}},
		{"a timestamp go-diff cannot read", "--- a/x.c\t(revision 12)\n+++ b/x.c\t(working copy)\n@@ -1 +1 @@\n-a\n+b\n", []string{"x.cM 1-5 @3-5"}},
		{"a stray --- line before a quilt diff",
			"Fix it.\n--- this line is text\nIndex: x.c\n===\n--- x.c.orig\n+++ x.c\n@@ -1 +1 @@\n-a\n+b\n", []string{"x.cM 5-9 @7-9"}},
		{"removed and added lines that look like a file header, by the counts",
			head + "@@ -1,2 +1,2 @@\n a\n--- b\n+++ c\n@@ -9 +9 @@\n-x\n+y\n", []string{"x.cM 1-11 @5-8 @9-11"}},
		{"a binary file, then a diff made without git",
			"diff --git a/fw.bin b/fw.bin\nindex 1111111..2222222 100644\nBinary files a/fw.bin and b/fw.bin differ\n--- a/y.c\n+++ b/y.c\n@@ -1 +1 @@\n-a\n+b\n",
			[]string{"fw.binM 1-3 binary", "y.cM 4-8 @6-8"}},
		{"a GIT binary patch and a rename",
			"diff --git a/fw.bin b/fw.bin\nindex 1111111..2222222 100644\nGIT binary patch\nliteral 5\nMcmZQb%FHtY00Y(mYybcN\n\nliteral 4\nLcmZQb%FF`*0%`#|\n\ndiff --git a/o.c b/n.c\nsimilarity index 100%\nrename from o.c\nrename to n.c\n",
			[]string{"fw.binM 1-9 binary", "n.cR 10-13 from o.c"}},
		{"mode change and new empty file",
			"diff --git a/s.sh b/s.sh\nold mode 100644\nnew mode 100755\ndiff --git a/e.h b/e.h\nnew file mode 100644\nindex 0000000..e69de29\n",
			[]string{"s.shM 1-3", "e.hA 4-6"}},
		{"diff -r with Only in lines",
			"Only in a/dir: gone.c\ndiff -urN a/x.c b/x.c\n--- a/x.c\t2024-01-05 10:00:00.000000000 +0100\n+++ b/x.c\t1970-01-01 01:00:00.000000000 +0100\n@@ -1 +0,0 @@\n-gone\nOnly in b/dir: new.c\n",
			[]string{"x.cD 2-6 @5-6"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse([]byte(tt.diff))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := shape(d); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestParseErrors: a malformed diff names the diff's own line.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, diff string
		want       string
	}{
		{"cut hunk", head + "@@ -1,3 +1,3 @@\n a\n-b\n+c\n", "line 8: the diff ends inside the hunk of line 5: 1 old and 1 new lines missing"},
		{"hunk too long", head + "@@ -1 +1 @@\n-b\n+c\n+d\n", "line 8: a hunk line after the end of the hunk: the hunk header's line counts are too small"},
		{"bad hunk header", head + "@@ -1,x +1 @@\n-b\n+c\n", `line 5: bad hunk header: expected "@@ -a,b +c,d @@"`},
		{"negative count", head + "@@ -1,-1 +1 @@\n-b\n+c\n", `line 5: bad hunk header: expected "@@ -a,b +c,d @@"`},
		{"git file without +++", "diff --git a/x.c b/x.c\n--- a/x.c\nfoo\n", `line 3: expected a "+++ " line after the "--- " line`},
		{"hunk outside a file", "text\n@@ -1 +1 @@\n-a\n+b\n", `line 2: hunk header outside a file diff: expected "diff --git" or "--- "/"+++ " lines before it`},
		{"header without a change", "diff --git a/x.c b/x.c\nindex 1111111..2222222 100644\n", `line 1: "diff --git" without a change: expected mode, rename or copy lines, a binary patch or hunks`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.diff))
			var e *Error
			if !errors.As(err, &e) || err.Error() != tt.want {
				t.Errorf("got %v, want %s", err, tt.want)
			}
		})
	}
}

// TestParseKeepsCutHunk: with the error, the files read so far and the
// lines of the cut hunk are there for readers that show what they can.
func TestParseKeepsCutHunk(t *testing.T) {
	d, err := Parse([]byte(head + "@@ -1,3 +1,3 @@\n a\n-b\n+c\n"))
	if err == nil || len(d.Files) != 1 || len(d.Files[0].Hunks) != 1 || !d.Files[0].Hunks[0].Cut || d.Files[0].Hunks[0].End != 8 {
		t.Fatalf("got %v, %+v", err, d.Files)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(head + "@@ -1,2 +1,2 @@\n a\n-b\n+c\n-- \n2.39.5\n"))
	f.Add([]byte(head + "@@ -1,2 +1,2 @@\n a\n--- b\n+++ c\n@@ -9 +9 @@\n-x\n+y\n"))
	f.Add([]byte("diff --git a/fw.bin b/fw.bin\nindex 1111111..2222222 100644\nGIT binary patch\nliteral 5\nMcmZQb%FHtY00Y(mYybcN\n\n--- a/y\n+++ b/y\n@@ -1 +1 @@\n-a\n+b\n"))
	f.Add([]byte("Index: x\n===\n--- x.orig\t(revision 1)\n+++ x\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\nOnly in a: b\n"))
	f.Add([]byte("--- \n+++ \n@@ -1 +1 @@\r\n-a\r\n+b\r\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		d, err := Parse(text)
		n := len(d.Lines)
		if !bytes.Equal(bytes.Join(d.Lines, nil), text) {
			t.Fatal("Lines are not the text")
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Line < 1 || e.Line > n+1 || e.Msg == "" {
				t.Fatalf("error %v: want an *Error with a line of the text", err)
			}
			if strings.Contains(e.Msg, "lost its place") {
				t.Fatalf("the adapter lost its place in go-diff's reading: %v\n%q", err, text)
			}
		}
		last := 0
		for i, f := range d.Files {
			if f.Start < last || f.End < f.Start || f.End > n || f.Path == "" {
				t.Fatalf("file %d: section %d-%d after %d, path %q", i, f.Start, f.End, last, f.Path)
			}
			switch f.Status {
			case change.Added, change.Deleted, change.Modified, change.Renamed:
			default:
				t.Fatalf("status %q", f.Status)
			}
			last = f.End
			for _, h := range f.Hunks {
				if h.Line < f.Start || h.End > f.End || h.End <= h.Line {
					t.Fatalf("hunk %d-%d outside its file %d-%d", h.Line, h.End, f.Start, f.End)
				}
				if !bytes.HasPrefix(d.Lines[h.Line], []byte("@@ ")) {
					t.Fatalf("hunk header %q", d.Lines[h.Line])
				}
				if h.Cut {
					continue
				}
				old, new := 0, 0
				for _, l := range d.Lines[h.Line+1 : h.End] {
					c := byte(' ')
					if l := trimEOL(l); len(l) > 0 {
						c = l[0]
					}
					switch c {
					case ' ':
						old++
						new++
					case '-':
						old++
					case '+':
						new++
					}
				}
				if old != h.OldLines || new != h.NewLines {
					t.Fatalf("hunk of %d old and %d new lines, its header says %d and %d", old, new, h.OldLines, h.NewLines)
				}
			}
		}
	})
}

// TestParseSignedCounts: go-diff reads hunk numbers with fmt.Sscanf, which
// takes signs git apply does not.
func TestParseSignedCounts(t *testing.T) {
	for _, h := range []string{"@@ -+1 +1 @@", "@@ -1,+1 +1 @@", "@@ -1 +-1 @@", "@@ -1 +1,+1 @@"} {
		_, err := Parse([]byte(head + h + "\n-b\n+c\n"))
		if err == nil || err.Error() != `line 5: bad hunk header: expected "@@ -a,b +c,d @@"` {
			t.Errorf("%s: got %v", h, err)
		}
	}
}
