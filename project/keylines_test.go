package project

import (
	"testing"

	"github.com/BurntSushi/toml"
)

func TestKeyLines(t *testing.T) {
	const doc = "\ufeff# comment [[source]]\n" + // 1
		`top = """` + "\n" + // 2
		`name = "not a key" [x]` + "\n" + // 3
		`"""` + "\n" + // 4
		`lit = '''a` + "\n" + // 5
		`b''''` + "\n" + // 6 (content ends with a quote)
		`[store]  # the store` + "\n" + // 7
		`path = "a#b" # c` + "\n" + // 8
		`"quoted \u0041key" = 1` + "\n" + // 9
		`dotted . key = 2021-01-02 10:00:00` + "\n" + // 10
		`[[source]]` + "\n" + // 11
		`name = 'a'` + "\n" + // 12
		`refs = [` + "\n" + // 13
		`  "x", # one` + "\n" + // 14
		`  "y",` + "\n" + // 15
		`]` + "\n" + // 16
		`[[ source ]]` + "\n" + // 17
		`name = "b"` + "\n" + // 18
		`[source.sub]` + "\n" + // 19
		`k = [[1, 2], [3]]` + "\n" + // 20
		`[[component]]` + "\n" + // 21
		`paths = {` + "\n" + // 22
		`  linux = ["a/"],` + "\n" + // 23
		`  "rdma-core" = [` + "\n" + // 24
		`    "b/",` + "\n" + // 25
		`  ],` + "\n" + // 26
		`}` + "\n" + // 27
		`inline = [ { a = 1 }, {` + "\n" + // 28
		`  b = 2 } ]` + "\n" // 29
	var m map[string]any
	md, err := toml.Decode(doc, &m)
	if err != nil {
		t.Fatal(err)
	}
	lines := keyLines(doc, md.Keys())
	if lines == nil {
		t.Fatalf("scan disagrees with the parser's keys: %v", md.Keys())
	}
	want := map[string]int{
		"top":                             2,
		"lit":                             5,
		"store":                           7,
		"store.path":                      8,
		`store."quoted Akey"`:             9,
		"store.dotted":                    10,
		"store.dotted.key":                10,
		"source":                          11,
		"source[0]":                       11,
		"source[0].name":                  12,
		"source[0].refs":                  13,
		"source[0].refs[0]":               14,
		"source[0].refs[1]":               15,
		"source[1]":                       17,
		"source[1].name":                  18,
		"source[1].sub":                   19,
		"source[1].sub.k[1]":              20,
		"source[1].sub.k[1][0]":           20,
		"component[0].paths":              22,
		"component[0].paths.linux":        23,
		`component[0].paths.rdma-core`:    24,
		`component[0].paths.rdma-core[0]`: 25,
		"component[0].inline[1]":          28,
		"component[0].inline[1].b":        29,
		"component[0].inline[0].a":        28,
	}
	for path, line := range want {
		if got, ok := lines[path]; !ok || got != line {
			t.Errorf("line of %s = %d (found %v), want %d", path, got, ok, line)
		}
	}
	if _, ok := lines["name"]; ok {
		t.Errorf("a key inside a multi-line string was recorded")
	}

	// When the scan and the parser disagree, there are no lines at all.
	if got := keyLines(doc, md.Keys()[1:]); got != nil {
		t.Errorf("keyLines with other keys = %v, want nil", got)
	}
}

func TestUnescapeBasic(t *testing.T) {
	for in, want := range map[string]string{
		`plain`: "plain", `a\tb`: "a\tb", `\u00e9\U0001F600`: "é😀", `\x41\e`: "A\x1b", `\"\\`: `"\`,
	} {
		if got, ok := unescapeBasic(in); !ok || got != want {
			t.Errorf("unescapeBasic(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{`\`, `\q`, `\u12`, `\uD800`} {
		if _, ok := unescapeBasic(in); ok {
			t.Errorf("unescapeBasic(%q) succeeded", in)
		}
	}
}
