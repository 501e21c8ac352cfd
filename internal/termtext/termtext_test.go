package termtext

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostile holds what a commit subject can carry to take over a terminal.
const hostile = "\x1b]0;pwned\x07 \x1b[2J\x1b[31mred\x1b[0m \x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\ a\rb\bc\x00d\x7fe\u0085f\u009b2Jg \u202eevil\u202c \u2066iso\u2069\u2028\ttab\nline \xff\xc3"

// leaks returns the first character of s a terminal would obey, or "".
func leaks(s string, lines bool) string {
	for i, r := range s {
		if r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD") {
			return s[i : i+1]
		}
		if lines && (r == '\n' || r == '\t') {
			continue
		}
		if Unsafe(r) {
			return string(r)
		}
	}
	return ""
}

func TestSafe(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain text is kept", "RDMA/mlx5: Fix a race in mlx5_ib_dereg_mr()", "RDMA/mlx5: Fix a race in mlx5_ib_dereg_mr()"},
		{"non-ASCII letters are kept", "José Ibáñez Muñoz 张三 Zoë", "José Ibáñez Muñoz 张三 Zoë"},
		{"a backslash is kept", `Fix \n handling`, `Fix \n handling`},
		{"OSC title", "a\x1b]0;pwned\x07b", `a\x1b]0;pwned\x07b`},
		{"clear screen", "\x1b[2J", `\x1b[2J`},
		{"OSC 8 hyperlink", "\x1b]8;;https://e.example/\x1b\\x\x1b]8;;\x1b\\", `\x1b]8;;https://e.example/\x1b\x\x1b]8;;\x1b\`},
		{"carriage return, backspace, NUL", "a\rb\bc\x00", `a\rb\x08c\x00`},
		{"tab and newline in a field", "a\tb\nc", `a\tb\nc`},
		{"DEL and C1 controls", "a\x7fb\u0085c\u009b", `a\u007fb\u0085c\u009b`},
		{"bidi overrides and isolates", "\u202eabc\u202c \u2066x\u2069 \u200f\u061c", `\u202eabc\u202c \u2066x\u2069 \u200f\u061c`},
		{"line and paragraph separators", "a\u2028b\u2029", `a\u2028b\u2029`},
		{"bytes that are not UTF-8", "a\xffb\xc3", `a\xffb\xc3`},
		{"an 8-bit CSI byte", "\x9b2J", `\x9b2J`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Safe(tt.in)
			if got != tt.want {
				t.Errorf("Safe(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if l := leaks(got, false); l != "" {
				t.Errorf("Safe(%q) leaks %q", tt.in, l)
			}
			if again := Safe(got); again != got {
				t.Errorf("Safe is not idempotent: %q then %q", got, again)
			}
		})
	}
}

func TestTextKeepsLinesAndTabs(t *testing.T) {
	in := "+\tif (x)\r\n+\t\x1b[2Jreturn;\n"
	want := "+\tif (x)\\r\n+\t\\x1b[2Jreturn;\n"
	if got := Text(in); got != want {
		t.Errorf("Text(%q) = %q, want %q", in, got, want)
	}
	if l := leaks(Text(hostile), true); l != "" {
		t.Errorf("Text leaks %q", l)
	}
}

func TestScreenKeepsStylesOnly(t *testing.T) {
	tests := []struct{ in, want string }{
		{"\x1b[1mbold\x1b[0m \x1b[38;5;196mred\x1b[m", "\x1b[1mbold\x1b[0m \x1b[38;5;196mred\x1b[m"},
		{"\x1b[1mok\x1b[0m \x1b]0;pwned\x07", "\x1b[1mok\x1b[0m \\x1b]0;pwned\\x07"},
		{"\x1b[2J\x1b[H", `\x1b[2J\x1b[H`},
		{"\x1b[", `\x1b[`},
		{"a\nb\tc\u202e", "a\nb\tc\\u202e"},
	}
	for _, tt := range tests {
		if got := Screen(tt.in); got != tt.want {
			t.Errorf("Screen(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTruncateNeverCutsAnEscape(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly ten", 11, "exactly ten"},
		{"a longer subject", 8, "a longe…"},
		{"ab\x1b]0;x", 5, "ab…"},         // \x1b does not fit whole in the 2 left
		{"ab\x1b]0;x", 7, `ab\x1b…`},     // it does here
		{"ab\x1b]0;x", 10, `ab\x1b]0;x`}, // all of it: 10 characters
		{"\u202eevil", 3, "…"},
		{"张三李四", 3, "张三…"},
		{"x", 0, ""},
	}
	for _, tt := range tests {
		got := Truncate(tt.in, tt.n)
		if got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
		if n := utf8.RuneCountInString(got); n > tt.n {
			t.Errorf("Truncate(%q, %d) has %d characters", tt.in, tt.n, n)
		}
	}
	// Every width of the hostile line: nothing leaks, and what is kept is
	// a prefix of Safe's whole output.
	full := Safe(hostile)
	for n := 1; n <= utf8.RuneCountInString(full)+1; n++ {
		got := Truncate(hostile, n)
		if l := leaks(got, false); l != "" {
			t.Fatalf("Truncate(hostile, %d) leaks %q", n, l)
		}
		if !strings.HasPrefix(full, strings.TrimSuffix(got, "…")) {
			t.Fatalf("Truncate(hostile, %d) = %q is not a prefix of %q", n, got, full)
		}
	}
}

func TestWriterAcrossWrites(t *testing.T) {
	// The stream split at every byte: a character cut between two writes
	// is escaped as a whole, the output is Text of the whole stream.
	in := "ok é " + hostile + " € \U0001F600 end"
	want := Text(in)
	for cut := 0; cut <= len(in); cut++ {
		var out bytes.Buffer
		w := NewWriter(&out)
		for _, part := range []string{in[:cut], in[cut:]} {
			if n, err := w.Write([]byte(part)); err != nil || n != len(part) {
				t.Fatalf("cut %d: Write = %d, %v", cut, n, err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Fatalf("cut %d: wrote %q, want %q", cut, out.String(), want)
		}
	}
	// A character that never ends is written out, escaped, by Flush.
	var out bytes.Buffer
	w := NewWriter(&out)
	w.Write([]byte("a\xe2\x80"))
	if out.String() != "a" {
		t.Errorf("before Flush: %q", out.String())
	}
	w.Flush()
	if out.String() != `a\xe2\x80` {
		t.Errorf("after Flush: %q", out.String())
	}
}

func TestWriterKeepsJSONExact(t *testing.T) {
	// (encoding/json writes bytes that are not UTF-8 as U+FFFD.)
	v := map[string]string{"subject": strings.TrimSuffix(hostile, " \xff\xc3"), "author": "Zoë \u202eØdegård", "plain": "a\\b"}
	var raw, out bytes.Buffer
	enc := json.NewEncoder(&raw)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	w := NewWriter(&out)
	w.Write(raw.Bytes())
	w.Flush()
	if l := leaks(out.String(), true); l != "" {
		t.Errorf("JSON through the writer leaks %q", l)
	}
	var back map[string]string
	if err := json.Unmarshal(out.Bytes(), &back); err != nil {
		t.Fatalf("the escaped JSON does not parse: %v\n%s", err, out.String())
	}
	for k := range v {
		if back[k] != v[k] {
			t.Errorf("%s: read back %q, want %q", k, back[k], v[k])
		}
	}
}

func TestCleanTextIsNotCopied(t *testing.T) {
	s := strings.Repeat("RDMA/mlx5: Fix a race in mlx5_ib_dereg_mr() — José Ibáñez ", 4)
	for name, f := range map[string]func(string) string{"Safe": Safe, "Text": Text, "Screen": Screen} {
		if n := testing.AllocsPerRun(100, func() { _ = f(s) }); n != 0 {
			t.Errorf("%s allocates %.0f times on clean text", name, n)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = Truncate(s, 500) }); n != 0 {
		t.Errorf("Truncate allocates %.0f times on clean text that fits", n)
	}
	var out bytes.Buffer
	w := NewWriter(&out)
	p := []byte(s)
	if n := testing.AllocsPerRun(100, func() { out.Reset(); w.Write(p) }); n != 0 {
		t.Errorf("Writer allocates %.0f times on clean text", n)
	}
}

func FuzzSafe(f *testing.F) {
	f.Add(hostile, 10)
	f.Add("plain", 3)
	f.Fuzz(func(t *testing.T, s string, n int) {
		n = n % 200
		for name, got := range map[string]string{"Safe": Safe(s), "Truncate": Truncate(s, n)} {
			if l := leaks(got, false); l != "" {
				t.Fatalf("%s(%q) leaks %q", name, s, l)
			}
		}
		if l := leaks(Text(s), true); l != "" {
			t.Fatalf("Text(%q) leaks %q", s, l)
		}
		if c := utf8.RuneCountInString(Truncate(s, n)); c > max(n, 0) {
			t.Fatalf("Truncate(%q, %d) has %d characters", s, n, c)
		}
	})
}

func BenchmarkSafeClean(b *testing.B) {
	s := "RDMA/mlx5: Fix a race in mlx5_ib_dereg_mr() when the MR cache is disabled"
	for b.Loop() {
		_ = Safe(s)
	}
}
