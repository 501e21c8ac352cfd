package gitdiff

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

type diffCase struct {
	name string
	a, b string
}

// L builds file content from lines, each terminated by '\n'.
func L(lines ...string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

// seq returns lines "prefix0".."prefix<n-1>".
func seq(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

func cat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func rep(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// handCases are hand-made inputs covering the corners of git's output.
func handCases() []diffCase {
	ten := seq("line", 10)
	cfunc := func(name, body string) []string {
		return []string{"static int " + name + "(void)", "{", "\t" + body, "\treturn 0;", "}"}
	}
	// Interleave unique lines with lines that occur many times on the
	// other side, so that xdl_cleanup_records discards multi-match lines
	// sitting in runs of no-match lines.
	var uniqA, uniqB []string
	for i := 0; i < 200; i++ {
		uniqA = append(uniqA, fmt.Sprintf("only in a %d", i))
		uniqB = append(uniqB, fmt.Sprintf("only in b %d", i))
		if i%3 == 0 {
			uniqA = append(uniqA, "}")
			uniqB = append(uniqB, "}")
		}
		if i%7 == 0 {
			uniqA = append(uniqA, "")
		}
	}
	common := seq("common", 40)

	cases := []diffCase{
		{"identical", L(ten...), L(ten...)},
		{"both empty", "", ""},
		{"empty to one line", "", "a\n"},
		{"one line to empty", "a\n", ""},
		{"empty to no newline", "", "a"},
		{"no newline to empty", "a", ""},
		{"empty to many", "", L(ten...)},
		{"many to empty", L(ten...), ""},
		{"single line changed", "a\n", "b\n"},
		{"single line no newline changed", "a", "b"},
		{"add final newline", "a\nb\nc", "a\nb\nc\n"},
		{"remove final newline", "a\nb\nc\n", "a\nb\nc"},
		{"no newline both, change before", L(ten...) + "last", L(cat(ten[:4], []string{"X"}, ten[5:])...) + "last"},
		{"no newline both, change last", L(ten...) + "last", L(ten...) + "LAST"},
		{"no newline old, append", L(ten...) + "last", L(ten...) + "last\nmore\n"},
		{"no newline new, delete tail", L(ten...) + "last\nmore\n", L(ten...) + "last"},
		{"only newline char", "\n", "\n\n"},
		{"blank lines only", L("", "", ""), L("", "")},
		{"insert at start", L(ten...), L(cat([]string{"new"}, ten)...)},
		{"insert at end", L(ten...), L(cat(ten, []string{"new"})...)},
		{"insert in middle", L(ten...), L(cat(ten[:5], []string{"new1", "new2"}, ten[5:])...)},
		{"delete at start", L(ten...), L(ten[2:]...)},
		{"delete at end", L(ten...), L(ten[:8]...)},
		{"delete in middle", L(ten...), L(cat(ten[:3], ten[6:])...)},
		{"replace everything", L(ten...), L(seq("other", 7)...)},
		{"two changes gap 6 merge", L(seq("x", 20)...),
			L(cat(seq("x", 20)[:3], []string{"A"}, seq("x", 20)[4:10], []string{"B"}, seq("x", 20)[11:])...)},
		{"two changes gap 7 split", L(seq("x", 20)...),
			L(cat(seq("x", 20)[:3], []string{"A"}, seq("x", 20)[4:11], []string{"B"}, seq("x", 20)[12:])...)},
		{"changes at both ends", L(ten...), L(cat([]string{"S"}, ten[1:9], []string{"E"})...)},
		{"crlf file change", "a\r\nb\r\nc\r\nd\r\n", "a\r\nB\r\nc\r\nd\r\n"},
		{"crlf to lf", "a\r\nb\r\nc\r\n", "a\nb\nc\n"},
		{"mixed crlf no final newline", "a\r\nb\nc\r", "a\r\nb\r\nc\r"},
		{"lone cr", "a\rb\nc\n", "a\rB\nc\n"},
		{"whitespace only change", L("int a;", "\tint b;", "}"), L("int a;", "        int b;", "}")},
		{"trailing whitespace", L("a", "b", "c"), L("a", "b ", "c")},
		{"blank line slide: new function", L(cat(cfunc("a", "x();"), []string{""}, cfunc("c", "z();"))...),
			L(cat(cfunc("a", "x();"), []string{""}, cfunc("b", "y();"), []string{""}, cfunc("c", "z();"))...)},
		{"blank line slide: delete function", L(cat(cfunc("a", "x();"), []string{""}, cfunc("b", "y();"), []string{""}, cfunc("c", "z();"))...),
			L(cat(cfunc("a", "x();"), []string{""}, cfunc("c", "z();"))...)},
		{"slide: add if block", L("\tfoo();", "", "\tbar();", "}"),
			L("\tfoo();", "", "\tif (x) {", "\t\tbaz();", "\t}", "", "\tbar();", "}")},
		{"slide: closing braces", L("if (a) {", "\tif (b) {", "\t\tx();", "\t}", "}"),
			L("if (a) {", "\tif (b) {", "\t\tx();", "\t}", "\tif (c) {", "\t\ty();", "\t}", "}")},
		{"slide: add at end after blank", L("a", "", "b", ""), L("a", "", "b", "", "c", "")},
		{"slide: many blanks", L(cat([]string{"x"}, rep("", 25), []string{"y"})...), L(cat([]string{"x"}, rep("", 27), []string{"y"})...)},
		{"slide: form feed and vtab indent", L("a", "\f", "\fb", "\f", "\fc"), L("a", "\f", "\fb", "\f", "\fb", "\f", "\fc")},
		{"slide: vtab lines", L("x", "\v", "\vy", "\v", "z"), L("x", "\v", "\vy", "\v", "\vy", "\v", "z")},
		{"slide: cr only lines", L("x", "\r", " y", "\r", "z"), L("x", "\r", " y", "\r", " y", "\r", "z")},
		{"slide: deep indentation", L(strings.Repeat(" ", 210)+"a", "", strings.Repeat(" ", 205)+"a", "", "b"),
			L(strings.Repeat(" ", 210)+"a", "", strings.Repeat(" ", 205)+"a", "", strings.Repeat(" ", 205)+"a", "", "b")},
		{"slide: tabs and spaces", L("\tx", "  \ty", "", "\tx", "  \ty", "", "z"), L("\tx", "  \ty", "", "z")},
		{"c functions with braces", L(cat(cfunc("a", "x();"), []string{""}, cfunc("b", "y();"))...),
			L(cat(cfunc("a", "x(1);"), []string{""}, cfunc("b", "y();"), []string{"", "/* tail */"})...)},
		{"moved block", L(cat(seq("a", 10), seq("b", 10), seq("c", 10))...), L(cat(seq("a", 10), seq("c", 10), seq("b", 10))...)},
		{"swapped halves", L(cat(seq("p", 30), seq("q", 30))...), L(cat(seq("q", 30), seq("p", 30))...)},
		{"repeated lines", L(rep("}", 30)...), L(rep("}", 27)...)},
		{"repeated lines with insert", L(cat(rep("x", 10), []string{"y"}, rep("x", 10))...), L(cat(rep("x", 12), []string{"y"}, rep("x", 10), []string{"z"})...)},
		{"alternating", L(strings.Split(strings.Repeat("a,b,", 20), ",")...), L(strings.Split(strings.Repeat("b,a,", 20), ",")...)},
		{"discard runs of unique lines", L(cat(common, uniqA, common)...), L(cat(common, uniqB, common)...)},
		{"unique lines one side only", L(cat(common, uniqA)...), L(cat(common, rep("}", 50))...)},
		{"multi-match in unique run", L(cat(seq("u", 30), rep("", 1), seq("v", 30), rep("", 1), common)...),
			L(cat(seq("w", 30), rep("", 1), seq("z", 30), rep("", 1), common)...)},
		{"many equal lines over eqlimit", L(cat(rep("same", 1200), []string{"a"})...), L(cat([]string{"b"}, rep("same", 1199), []string{"a"})...)},
		{"slide longer than 100 lines", L(cat([]string{"a"}, rep("x", 300), []string{"b"})...), L(cat([]string{"a"}, rep("x", 450), []string{"b"})...)},
		{"slide over long blank runs", L(cat([]string{"a", "\tb"}, rep("", 30), []string{"\tc", "d"}, rep("", 30), []string{"e"})...),
			L(cat([]string{"a", "\tb"}, rep("", 30), []string{"\tc", "d"}, rep("", 30), []string{"\tc", "d"}, rep("", 30), []string{"e"})...)},
		{"insert between identical blocks", L(cat(seq("h", 5), seq("h", 5))...), L(cat(seq("h", 5), seq("n", 3), seq("h", 5))...)},
	}
	// git's isspace() (git-compat-util.h) is only space, \t, \n and \r:
	// the same slider cases with \f or \v "blank" lines must follow it.
	base := cases
	for _, ws := range []string{"\f", "\v", "\r", " \t"} {
		blank := func(c diffCase) diffCase {
			r := strings.NewReplacer("\n\n", "\n"+ws+"\n")
			return diffCase{fmt.Sprintf("%s with %q blank lines", c.name, ws), r.Replace(r.Replace(c.a)), r.Replace(r.Replace(c.b))}
		}
		for _, c := range base {
			if strings.HasPrefix(c.name, "blank line slide") || strings.HasPrefix(c.name, "slide: add") {
				cases = append(cases, blank(c))
			}
		}
		cases = append(cases, diffCase{fmt.Sprintf("indent with %q", ws),
			L("x {", ws+"a", ws+"b", "}", "", "y {", ws+"a", ws+"b", "}"),
			L("x {", ws+"a", ws+"b", "}", "", "z {", ws+"a", ws+"b", "}", "", "y {", ws+"a", ws+"b", "}")})
	}
	return cases
}

// checkAgainstGit compares Unified with git for one case and reports
// whether they agreed.
func checkAgainstGit(t *testing.T, g *gitDiffer, name string, a, b []byte) bool {
	t.Helper()
	want := g.hunks(a, b)
	got := Unified(nil, a, b)
	if !bytes.Equal(got, want) {
		t.Errorf("%s: Unified disagrees with git\n%s", name, firstDifference(got, want))
		return false
	}
	return true
}

func TestUnifiedHandCases(t *testing.T) {
	g := newGitDiffer(t)
	agreed := 0
	cases := handCases()
	for _, c := range cases {
		if checkAgainstGit(t, g, c.name, []byte(c.a), []byte(c.b)) {
			agreed++
		}
		// And the reverse direction.
		if checkAgainstGit(t, g, c.name+" (reversed)", []byte(c.b), []byte(c.a)) {
			agreed++
		}
	}
	t.Logf("hand cases: %d/%d agreed with git", agreed, 2*len(cases))
}

// randomCase builds the i-th pseudo-random pair of C-like files.
func randomCase(i int) (a, b []byte) {
	r := rand.New(rand.NewPCG(20240601, uint64(i)))
	size := 20 + r.IntN(300)
	if i%25 == 0 {
		size = 1500 + r.IntN(1500)
	}
	orig := genCFile(r, size)
	edits := 1 + r.IntN(6)
	if i%10 == 0 {
		edits = 20 + r.IntN(40)
	}
	next := mutate(r, orig, edits)
	finalA, finalB := r.IntN(8) != 0, r.IntN(8) != 0
	crlf := r.IntN(20) == 0
	return joinLines(orig, finalA, crlf), joinLines(next, finalB, crlf)
}

const numRandomCases = 400

func TestUnifiedRandomAgainstGit(t *testing.T) {
	g := newGitDiffer(t)
	agreed := 0
	for i := 0; i < numRandomCases; i++ {
		a, b := randomCase(i)
		if checkAgainstGit(t, g, fmt.Sprintf("random case %d", i), a, b) {
			agreed++
		}
	}
	t.Logf("random C-like cases: %d/%d agreed with git", agreed, numRandomCases)
}

// stressCase builds inputs large and different enough to reach the
// XDL_HEUR snake heuristic and the XDL_MAX_COST cut-off of xdl_split.
func stressCase(i int) (string, []byte, []byte) {
	r := rand.New(rand.NewPCG(777, uint64(i)))
	switch i % 4 {
	case 3:
		// Like "snakes in noise" but with more than 65536 records in
		// total, so that mxcost exceeds XDL_HEUR_MIN_COST and the
		// snake heuristic of xdl_split is reachable.
		// With short noise the snakes dominate, so the heuristic
		// finds diagonals with v > XDL_K_HEUR * ec.
		noiseMin, noiseSpread := 15, 40
		if i%8 == 7 {
			noiseMin, noiseSpread = 1, 6
		}
		var a, b []string
		for len(a) < 36000 {
			shared := seq(fmt.Sprintf("S%d_", len(a)), 22+r.IntN(15))
			a = append(a, shared...)
			b = append(b, shared...)
			for j := 0; j < noiseMin+r.IntN(noiseSpread); j++ {
				a = append(a, fmt.Sprintf("n%d", r.IntN(300)))
			}
			for j := 0; j < noiseMin+r.IntN(noiseSpread); j++ {
				b = append(b, fmt.Sprintf("n%d", r.IntN(300)))
			}
		}
		return "huge snakes in noise", joinLines(a, true, false), joinLines(b, true, false)
	case 0:
		// Random lines over a small vocabulary: no long snakes, high
		// cost, so xdl_split hits mxcost.
		vocab := 20 + r.IntN(60)
		mk := func(n int) []string {
			out := make([]string, n)
			for j := range out {
				out[j] = fmt.Sprintf("v%d", r.IntN(vocab))
			}
			return out
		}
		return "small vocabulary", joinLines(mk(1500+r.IntN(1500)), true, false), joinLines(mk(1500+r.IntN(1500)), true, false)
	case 1:
		// Long shared runs separated by unrelated noise: good snakes at
		// high cost, the XDL_HEUR heuristic.
		var a, b []string
		for blk := 0; blk < 60; blk++ {
			shared := seq(fmt.Sprintf("s%d_", blk), 25+r.IntN(20))
			a = append(a, shared...)
			b = append(b, shared...)
			for j := 0; j < 10+r.IntN(30); j++ {
				a = append(a, fmt.Sprintf("n%d", r.IntN(40)))
			}
			for j := 0; j < 10+r.IntN(30); j++ {
				b = append(b, fmt.Sprintf("n%d", r.IntN(40)))
			}
		}
		return "snakes in noise", joinLines(a, true, false), joinLines(b, true, false)
	default:
		// A big C file heavily rewritten.
		orig := genCFile(r, 3000)
		return "heavy rewrite", joinLines(orig, true, false), joinLines(mutate(r, orig, 300), true, false)
	}
}

func TestUnifiedStressAgainstGit(t *testing.T) {
	g := newGitDiffer(t)
	n := 12
	if testing.Short() {
		n = 3
	}
	agreed := 0
	for i := 0; i < n; i++ {
		name, a, b := stressCase(i)
		if checkAgainstGit(t, g, fmt.Sprintf("stress %d (%s)", i, name), a, b) {
			agreed++
		}
	}
	t.Logf("stress cases: %d/%d agreed with git", agreed, n)
}

// TestUnifiedConcurrent checks that pooled workspaces are not shared
// between concurrent calls (run with -race).
func TestUnifiedConcurrent(t *testing.T) {
	type job struct{ a, b, want []byte }
	var jobs []job
	for i := 0; i < 40; i++ {
		a, b := randomCase(i)
		jobs = append(jobs, job{a, b, Unified(nil, a, b)})
	}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var buf []byte
			for k := 0; k < 3*len(jobs); k++ {
				j := jobs[(k*7+w)%len(jobs)]
				if buf = Unified(buf[:0], j.a, j.b); !bytes.Equal(buf, j.want) {
					t.Errorf("worker %d: concurrent result differs", w)
					return
				}
			}
		}(w)
	}
	wg.Wait()
}

func TestIsBinary(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 8000)
	tests := []struct {
		name string
		data []byte
		want bool
	}{
		{"empty", nil, false},
		{"text", []byte("hello\nworld\n"), false},
		{"nul at start", []byte("\x00abc"), true},
		{"nul at 7999", append(bytes.Repeat([]byte("x"), 7999), 0), true},
		{"nul at 8000", append(big, 0), false},
		{"high bytes", []byte("\xff\xfe\x80"), false},
	}
	for _, tt := range tests {
		if got := IsBinary(tt.data); got != tt.want {
			t.Errorf("%s: IsBinary = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestUnifiedAppendsToDst(t *testing.T) {
	prefix := []byte("prefix\n")
	out := Unified(append([]byte(nil), prefix...), []byte("a\n"), []byte("b\n"))
	want := "prefix\n@@ -1 +1 @@\n-a\n+b\n"
	if string(out) != want {
		t.Fatalf("got %q, want %q", out, want)
	}
	if out := Unified(prefix, []byte("same\n"), []byte("same\n")); !bytes.Equal(out, prefix) {
		t.Fatalf("identical inputs changed dst: %q", out)
	}
}
