package project

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// FuzzParseConfig checks that ParseConfig never panics, that every error is
// one line naming the file, and that whatever it accepts compiles into a
// component map that classifies without trouble. The seed corpus is in
// testdata/fuzz/FuzzParseConfig.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(example))
	f.Add([]byte(Starter))
	f.Add([]byte(src))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(bytes.NewReader(data), "fuzz.toml")
		if err != nil {
			msg := err.Error()
			if strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error is not one line: %q", msg)
			}
			if !strings.HasPrefix(msg, "fuzz.toml:") {
				t.Fatalf("error does not name the file: %q", msg)
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error is %T, not *Error", err)
			}
			return
		}
		cs, err := c.Components()
		if err != nil {
			t.Fatalf("accepted config does not compile: %v", err)
		}
		for _, l := range append(Layouts(), "nonsense") {
			got := cs.Classify(l, []string{"drivers/infiniband/core/cma.c", "a/b/c", "x"}, string(data))
			for i := 1; i < len(got); i++ {
				if got[i-1] >= got[i] {
					t.Fatalf("Classify result not sorted and unique: %q", got)
				}
			}
			cs.Prefixes(l)
			cs.InScope(l, "include/rdma/ib_verbs.h")
		}
		for i := range c.Sources {
			if k := MirrorKey(c.Sources[i].URL); strings.ContainsAny(k, "/\\\x00 ") {
				t.Fatalf("MirrorKey(%q) = %q", c.Sources[i].URL, k)
			}
		}
	})
}

// FuzzKeyLines checks that the key scanner agrees with the TOML parser on
// every document the parser accepts, so that errors keep their lines.
func FuzzKeyLines(f *testing.F) {
	f.Add(example)
	f.Add(Starter)
	f.Add("a = { b = [ { c = '''x\n''' }, ], d.e = \"\"\"q\"\"\"\" }\n[t.'u v'] # c\n[[w]]\n")
	f.Fuzz(func(t *testing.T, text string) {
		var m map[string]any
		md, err := safeDecode(text, &m)
		if err != nil {
			return
		}
		if keyLines(text, md.Keys()) == nil {
			t.Fatalf("scan disagrees with the parser on %q; keys %q", text, md.Keys())
		}
	})
}
