package project

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// example is the project file of the design brief.
const example = `[store]
path = "kdelta.db"            # default; SQLite file, relative to the project file's directory
mirrors = "kdelta-mirrors"    # default; where git sources are mirrored, relative likewise

[[source]]
name = "linux"
kind = "upstream"             # upstream | distro | vendor | stable | queue
url = "https://example.org/linux.git"   # remote URL, file:// URL, or local path
refs = ["master"]
layout = "linux"              # linux | rdma-core | winofed | custom ; default linux
mirror = "auto"               # auto | go-git | git ; default auto

[[source]]
name = "rhel9"
kind = "distro"
url = "/srv/mirrors/rhel9-kernel.git"
refs = ["main"]
upstream = "linux"            # the upstream source this one is measured against
base = "v5.14"                # optional; default: merge-base with the upstream ref

[[component]]                 # optional: extends or overrides the default map
name = "mlx5"
paths = { linux = ["drivers/infiniband/hw/mlx5/", "drivers/net/ethernet/mellanox/mlx5/"] }
subjects = ["mlx5"]
`

func parse(t *testing.T, text string) *Config {
	t.Helper()
	c, err := ParseConfig(strings.NewReader(text), "kdelta.toml")
	if err != nil {
		t.Fatalf("ParseConfig: %v", err)
	}
	return c
}

func TestParseExample(t *testing.T) {
	c := parse(t, example)
	want := []Source{
		{Name: "linux", Kind: "upstream", URL: "https://example.org/linux.git", Refs: []string{"master"},
			Layout: "linux", Mirror: "auto", Format: "git"},
		{Name: "rhel9", Kind: "distro", URL: "/srv/mirrors/rhel9-kernel.git", Refs: []string{"main"},
			Layout: "linux", Upstream: "linux", Base: "v5.14", Mirror: "auto", Format: "git"},
	}
	if !reflect.DeepEqual(c.Sources, want) {
		t.Errorf("Sources =\n%+v\nwant\n%+v", c.Sources, want)
	}
	if c.Store != (Store{Path: "kdelta.db", Mirrors: "kdelta-mirrors"}) {
		t.Errorf("Store = %+v", c.Store)
	}
	wantComp := []ComponentSpec{{
		Name:     "mlx5",
		Paths:    map[string][]string{"linux": {"drivers/infiniband/hw/mlx5/", "drivers/net/ethernet/mellanox/mlx5/"}},
		Subjects: []string{"mlx5"},
	}}
	if !reflect.DeepEqual(c.ComponentSpecs, wantComp) {
		t.Errorf("ComponentSpecs = %+v", c.ComponentSpecs)
	}
	if s := c.Source("rhel9"); s == nil || s.Upstream != "linux" {
		t.Errorf("Source(rhel9) = %+v", s)
	}
	if s := c.Source("nope"); s != nil {
		t.Errorf("Source(nope) = %+v", s)
	}
	if d := c.Downstreams("linux"); len(d) != 1 || d[0].Name != "rhel9" {
		t.Errorf("Downstreams(linux) = %v", d)
	}
}

func TestParseDefaults(t *testing.T) {
	c := parse(t, "[[source]]\nname = \"a\"\nkind = \"upstream\"\nurl = \"a.git\"\nrefs = [\"main\"]\n")
	s := c.Sources[0]
	if s.Layout != LayoutLinux || s.Mirror != MirrorAuto || s.Format != FormatGit {
		t.Errorf("defaults not filled: %+v", s)
	}
	if c.Store.Path != DefaultStorePath || c.Store.Mirrors != DefaultMirrorDir {
		t.Errorf("store defaults not filled: %+v", c.Store)
	}
	// An empty file is a valid project with no sources.
	c = parse(t, "")
	if len(c.Sources) != 0 || c.Store.Path != DefaultStorePath {
		t.Errorf("empty file: %+v", c)
	}
	// Inline arrays of tables are the same as [[source]].
	c = parse(t, `source = [{ name = "a", kind = "upstream", url = "u", refs = ["m"] }]`)
	if len(c.Sources) != 1 || c.Sources[0].Name != "a" {
		t.Errorf("inline source: %+v", c.Sources)
	}
	// A downstream without upstream can be browsed alone.
	parse(t, "[[source]]\nname = \"ofed\"\nkind = \"vendor\"\nurl = \"o\"\nrefs = [\"m\"]\nlayout = \"ofed\"\n")
}

// src is a valid source entry to build bad files from.
const src = "[[source]]\nname = \"linux\"\nkind = \"upstream\"\nurl = \"https://example.org/linux.git\"\nrefs = [\"master\"]\n"

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"syntax", "[store\npath = 1\n",
			`kdelta.toml:1: invalid TOML: expected '.' or ']' to end table name, but got '\n' instead`},
		{"syntax in array", "a = [1,\n 2\nb = 3\n",
			`kdelta.toml:3: invalid TOML: expected a comma (',') or array terminator (']'), but got 'b'`},
		{"duplicate key", src + "name = \"x\"\n",
			`kdelta.toml:6: invalid TOML: Key 'source.name' has already been defined.`},
		{"unknown top key", "[stor]\npath = \"x\"\n",
			`kdelta.toml:1: unknown key "stor"; did you mean "store"?`},
		{"unknown top key far", "colour = 1\n",
			`kdelta.toml:1: unknown key "colour"; expected one of store, report, source, component, test_rule`},
		{"unknown store key", "[store]\npaht = \"x\"\n",
			`kdelta.toml:2: store: unknown key "paht"; did you mean "path"?`},
		{"store type", "[store]\npath = 3\n",
			`kdelta.toml:2: store: path must be a string, not integer 3`},
		{"store empty", "[store]\nmirrors = \"\"\n",
			`kdelta.toml:2: store: mirrors is empty; expected a directory name like "kdelta-mirrors", or leave the key out`},
		{"store array", "[[store]]\npath = \"x\"\n",
			`kdelta.toml:1: store must be a table ([store]), not an array`},
		{"urll", "[[source]]\nname = \"rhel9\"\nkind = \"distro\"\nurll = \"x\"\nrefs = [\"m\"]\n",
			`kdelta.toml:4: source "rhel9": unknown key "urll"; did you mean "url"?`},
		{"unknown source key", src + "colour = \"red\"\n",
			`kdelta.toml:6: source "linux": unknown key "colour"; expected one of name, kind, url, refs, layout, upstream, base, mirror, format, project`},
		{"source as table", "[source]\nname = \"x\"\n",
			`kdelta.toml:1: source must be an array of tables, not a table; write each entry as [[source]]`},
		{"source element not table", "source = [1]\n",
			`kdelta.toml:1: source[0] must be a table, not integer 1; write each entry as [[source]]`},
		{"missing name", "[[source]]\nkind = \"upstream\"\nurl = \"u\"\nrefs = [\"m\"]\n",
			`kdelta.toml:1: source #1: name is missing; expected a name like "linux" or "rhel9"`},
		{"name type", "[[source]]\nname = 7\nkind = \"upstream\"\nurl = \"u\"\nrefs = [\"m\"]\n",
			`kdelta.toml:2: source #1: name must be a string, not integer 7`},
		{"bad name", "[[source]]\nname = \"rhel 9\"\nkind = \"upstream\"\nurl = \"u\"\nrefs = [\"m\"]\n",
			`kdelta.toml:2: source "rhel 9": name must start with a letter or digit and use only letters, digits, '.', '_' and '-' (at most 64)`},
		{"missing url", "[[source]]\nname = \"a\"\nkind = \"upstream\"\nrefs = [\"m\"]\n",
			`kdelta.toml:1: source "a": url is missing; expected a remote URL, a file:// URL or a local path to a git repository`},
		{"missing refs", "[[source]]\nname = \"a\"\nkind = \"upstream\"\nurl = \"u\"\n",
			`kdelta.toml:1: source "a": refs is missing; expected the branches or tags to read, like refs = ["master"]`},
		{"empty refs", "[[source]]\nname = \"a\"\nkind = \"upstream\"\nurl = \"u\"\nrefs = []\n",
			`kdelta.toml:5: source "a": refs is empty; expected the branches or tags to read, like refs = ["master"]`},
		{"refs string", "[[source]]\nname = \"a\"\nkind = \"upstream\"\nurl = \"u\"\nrefs = \"master\"\n",
			`kdelta.toml:5: source "a": refs must be an array of strings, like refs = ["master"], not string "master"`},
		{"empty ref entry", "[[source]]\nname = \"a\"\nkind = \"upstream\"\nurl = \"u\"\nrefs = [\n  \"master\",\n  \"\",\n]\n",
			`kdelta.toml:7: source "a": refs[1] is empty; expected a branch or tag name`},
		{"ref entry type", "[[source]]\nname = \"a\"\nkind = \"upstream\"\nurl = \"u\"\nrefs = [\"m\", 5]\n",
			`kdelta.toml:5: source "a": refs[1] must be a string, not integer 5`},
		{"duplicate ref", "[[source]]\nname = \"a\"\nkind = \"upstream\"\nurl = \"u\"\nrefs = [\"m\", \"m\"]\n",
			`kdelta.toml:5: source "a": refs lists "m" twice; expected each ref once`},
		{"bad ref", "[[source]]\nname = \"a\"\nkind = \"upstream\"\nurl = \"u\"\nrefs = [\"a b\"]\n",
			`kdelta.toml:5: source "a": refs[0] "a b" is not a valid git ref name`},
		{"missing kind", "[[source]]\nname = \"a\"\nurl = \"u\"\nrefs = [\"m\"]\n",
			`kdelta.toml:1: source "a": kind is missing; expected one of upstream, distro, vendor, stable, queue, list`},
		{"bad kind", "\n\n\n\n\n\n\n\n\n\n\n[[source]]\nname = \"rhel9\"\nkind = \"distr\"\nurl = \"u\"\nrefs = [\"m\"]\n",
			`kdelta.toml:14: source "rhel9": kind "distr" is not one of upstream, distro, vendor, stable, queue, list`},
		{"list kind", "[[source]]\nname = \"a\"\nkind = \"list\"\nurl = \"u\"\nrefs = [\"m\"]\n",
			`kdelta.toml:3: source "a": kind list needs format mbox or patchwork, not "git"`},
		{"list with refs", "[[source]]\nname = \"a\"\nkind = \"list\"\nformat = \"mbox\"\nurl = \"u.mbox\"\nrefs = [\"m\"]\n",
			`kdelta.toml:6: source "a": refs is set on a mbox source; expected refs only on git sources`},
		{"patchwork without project", "[[source]]\nname = \"pw\"\nkind = \"list\"\nformat = \"patchwork\"\nurl = \"https://patchwork.kernel.org\"\n",
			`kdelta.toml:4: source "pw": a patchwork source needs project, like project = "linux-rdma"`},
		{"patchwork not http", "[[source]]\nname = \"pw\"\nkind = \"list\"\nformat = \"patchwork\"\nurl = \"pw.local\"\nproject = \"linux-rdma\"\n",
			`kdelta.toml:5: source "pw": url "pw.local" is not an http(s) URL; expected the Patchwork server's URL, like "https://patchwork.kernel.org"`},
		{"remote series", "[[source]]\nname = \"sles\"\nkind = \"distro\"\nformat = \"series\"\nurl = \"https://example.org/kernel-source.git\"\n",
			`kdelta.toml:5: source "sles": url "https://example.org/kernel-source.git" is remote; expected a local path to a quilt tree (a series file) or a SUSE kernel-source tree (series.conf) (download series sources first)`},
		{"mbox as vendor", "[[source]]\nname = \"linux\"\nkind = \"upstream\"\nurl = \"l\"\nrefs = [\"m\"]\n[[source]]\nname = \"w\"\nkind = \"vendor\"\nformat = \"mbox\"\nurl = \"w\"\n",
			`kdelta.toml:8: source "w": format mbox is a mailing-list archive; expected kind = "list", not "vendor"`},
		{"bad layout", src + "layout = \"winofed2\"\n",
			`kdelta.toml:6: source "linux": layout "winofed2" is not one of linux, rdma-core, winofed, ofed, custom`},
		{"empty layout", src + "layout = \"\"\n",
			`kdelta.toml:6: source "linux": layout is empty; expected one of linux, rdma-core, winofed, ofed, custom, or leave the key out`},
		{"bad mirror", src + "mirror = \"libgit2\"\n",
			`kdelta.toml:6: source "linux": mirror "libgit2" is not one of auto, go-git, git`},
		{"mbox upstream", src + "format = \"mbox\"\n",
			`kdelta.toml:3: source "linux": format mbox is a mailing-list archive; expected kind = "list", not "upstream"`},
		{"series upstream", "[[source]]\nname = \"linux\"\nkind = \"upstream\"\nurl = \"l\"\nformat = \"series\"\n",
			`kdelta.toml:5: source "linux": an upstream must be a git source; format "series" cannot be measured against`},
		{"unknown format", src + "format = \"svn\"\n",
			`kdelta.toml:6: source "linux": format "svn" is not one of git, series, ofed, snapshot, mbox, patchwork`},
		{"duplicate name", src + "\n" + src,
			`kdelta.toml:8: source "linux" is defined twice (first at line 2); expected unique source names`},
		{"unknown upstream", src + "[[source]]\nname = \"rhel9\"\nkind = \"distro\"\nurl = \"r\"\nrefs = [\"m\"]\nupstream = \"linx\"\n",
			`kdelta.toml:11: source "rhel9": upstream "linx" is not a source in this file; did you mean "linux"?`},
		{"unknown upstream far", src + "[[source]]\nname = \"rhel9\"\nkind = \"distro\"\nurl = \"r\"\nrefs = [\"m\"]\nupstream = \"kernel\"\n",
			`kdelta.toml:11: source "rhel9": upstream "kernel" is not a source in this file; expected the name of a source of kind upstream`},
		{"upstream not upstream", src + "[[source]]\nname = \"rhel9\"\nkind = \"distro\"\nurl = \"r\"\nrefs = [\"m\"]\nupstream = \"linux\"\n" +
			"[[source]]\nname = \"rhel9.4\"\nkind = \"distro\"\nurl = \"r\"\nrefs = [\"m9.4\"]\nupstream = \"rhel9\"\n",
			`kdelta.toml:17: source "rhel9.4": upstream "rhel9" is a source of kind "distro"; expected a source of kind upstream`},
		{"upstream itself", "[[source]]\nname = \"a\"\nkind = \"vendor\"\nurl = \"u\"\nrefs = [\"m\"]\nupstream = \"a\"\n",
			`kdelta.toml:6: source "a": upstream "a" names the source itself; expected another source, of kind upstream`},
		{"upstream on upstream", src + "upstream = \"x\"\n",
			`kdelta.toml:6: source "linux": upstream "x" is set on a source of kind upstream; expected upstream only on distro, vendor, stable, queue and list sources`},
		{"base without upstream", "[[source]]\nname = \"a\"\nkind = \"vendor\"\nurl = \"u\"\nrefs = [\"m\"]\nbase = \"v5.14\"\n",
			`kdelta.toml:6: source "a": base "v5.14" is set without upstream; expected upstream to name the source base belongs to`},
		{"mirror conflict", src + "mirror = \"git\"\n[[source]]\nname = \"b\"\nkind = \"stable\"\nurl = \"https://example.org/linux\"\nrefs = [\"x\"]\nmirror = \"go-git\"\n",
			`kdelta.toml:12: source "b": mirror "go-git" differs from source "linux"'s "git", which names the same repository; expected the same mirror method`},
		{"component no name", "[[component]]\nsubjects = [\"x\"]\n",
			`kdelta.toml:1: component #1: name is missing; expected a name like "mlx5"`},
		{"component other", "[[component]]\nname = \"other\"\nsubjects = [\"x\"]\n",
			`kdelta.toml:2: component "other": the name "other" is reserved for files no component claims; expected another name`},
		{"component empty", "[[component]]\nname = \"x\"\n",
			`kdelta.toml:1: component "x": gives neither paths nor subjects; expected paths = { linux = [...] } or subjects = [...]`},
		{"component twice", "[[component]]\nname = \"x\"\nsubjects = [\"x\"]\n[[component]]\nname = \"x\"\nsubjects = [\"y\"]\n",
			`kdelta.toml:5: component "x" is defined twice (first at line 2); expected one entry per component`},
		{"component unknown key", "[[component]]\nname = \"x\"\npath = { linux = [\"a/\"] }\n",
			`kdelta.toml:3: component "x": unknown key "path"; did you mean "paths"?`},
		{"paths not table", "[[component]]\nname = \"x\"\npaths = [\"a/\"]\n",
			`kdelta.toml:3: component "x": paths must be a table of layout = [patterns], like paths = { linux = ["drivers/infiniband/hw/mlx5/"] }, not an array`},
		{"paths list type", "[[component]]\nname = \"x\"\npaths = { linux = \"a/\" }\n",
			`kdelta.toml:3: component "x": paths.linux must be an array of strings, like ["drivers/infiniband/hw/mlx5/"], not string "a/"`},
		{"unknown layout key", "[[component]]\nname = \"x\"\n[component.paths]\nlinux = [\"a/\"]\nwindows = [\"b/\"]\n",
			`kdelta.toml:5: component "x": paths key "windows" is not a layout; expected one of linux, rdma-core, winofed, ofed, custom`},
		{"layout key typo", "[[component]]\nname = \"x\"\npaths = { rdmacore = [\"a/\"] }\n",
			`kdelta.toml:3: component "x": paths key "rdmacore" is not a layout; did you mean "rdma-core"?`},
		{"absolute pattern", "[[component]]\nname = \"x\"\npaths = { linux = [\n  \"a/\",\n  \"/drivers/x/\",\n] }\n",
			`kdelta.toml:5: component "x": paths.linux[1] "/drivers/x/" is absolute; expected a path relative to the top of the tree`},
		{"dotdot pattern", "[[component]]\nname = \"x\"\npaths = { winofed = [\"core/../hw/\"] }\n",
			`kdelta.toml:3: component "x": paths.winofed[0] "core/../hw/" contains ".."; expected a path inside the tree`},
		{"unclean pattern", "[[component]]\nname = \"x\"\npaths = { linux = [\"a//b\"] }\n",
			`kdelta.toml:3: component "x": paths.linux[0] "a//b" is not a clean path (empty or "." part); expected a form like "drivers/infiniband/hw/mlx5/"`},
		{"backslash pattern", "[[component]]\nname = \"x\"\npaths = { winofed = ['core\\ibat\\'] }\n",
			`kdelta.toml:3: component "x": paths.winofed[0] "core\\ibat\\" contains "\"; expected "/" between directories`},
		{"bad glob", "[[component]]\nname = \"x\"\npaths = { linux = [\"a/[b\"] }\n",
			`kdelta.toml:3: component "x": paths.linux[0] "a/[b" has an unterminated "[b" class`},
		{"empty pattern", "[[component]]\nname = \"x\"\npaths = { linux = [\"\"] }\n",
			`kdelta.toml:3: component "x": paths.linux[0] "" is empty`},
		{"bad subject", "[[component]]\nname = \"x\"\nsubjects = [\"mlx5\", \"--\"]\n",
			`kdelta.toml:3: component "x": subjects[1] "--" has no letters or digits; expected a word like "mlx5"`},
		{"subject star", "[[component]]\nname = \"x\"\nsubjects = [\"*roce\"]\n",
			`kdelta.toml:3: component "x": subjects[0] "*roce" uses "*" other than at the end; expected a word like "mlx5" or a prefix like "roce*"`},
		{"first error wins", "[[source]]\nname = \"a\"\nkind = \"nope\"\nurl = \"u\"\nrefs = [\"m\"]\nlayout = \"nope\"\n",
			`kdelta.toml:3: source "a": kind "nope" is not one of upstream, distro, vendor, stable, queue, list`},
		{"quoted key", src + "\"ur l\" = \"x\"\n",
			`kdelta.toml:6: source "linux": unknown key "ur l"; did you mean "url"?`},
		{"dotted key", src + "url2.x = \"x\"\n",
			`kdelta.toml:6: source "linux": unknown key "url2"; did you mean "url"?`},
		{"lines per table", src + "layout = \"lnux\"\n[[source]]\nname = \"b\"\nkind = \"bogus\"\nurl = \"x\"\nrefs = [\"m\"]\n",
			`kdelta.toml:6: source "linux": layout "lnux" is not one of linux, rdma-core, winofed, ofed, custom`},
		{"second table's line", src + "[[source]]\nname = \"b\"\nkind = \"bogus\"\nurl = \"x\"\nrefs = [\"m\"]\n",
			`kdelta.toml:8: source "b": kind "bogus" is not one of upstream, distro, vendor, stable, queue, list`},
		{"new component matching nothing", "[[component]]\nname = \"x\"\npaths = { linux = [] }\n",
			`kdelta.toml:3: component "x": is a new component with no patterns and no subjects, so it can match nothing; expected at least one of them`},
		{"override to nothing is fine", "[[component]]\nname = \"mlx4\"\npaths = { linux = [] }\nsubjects = []\n[[source]]\nname = 7\n",
			`kdelta.toml:6: source #1: name must be a string, not integer 7`},
		{"invalid utf-8", "[[source]]\nname = \"a\xff\"\n",
			`kdelta.toml:2: invalid TOML: invalid UTF-8 byte: 0xff`},
		{"control character in key", "[[source]]\n\"a\\nb\" = 1\nname = \"a\"\n",
			`kdelta.toml:2: source "a": unknown key "a\nb"; expected one of name, kind, url, refs, layout, upstream, base, mirror, format, project`},
		{"nul bytes", "a\x00b", `kdelta.toml:1: invalid TOML: files cannot contain NULL bytes; probably using UTF-16; TOML files must be UTF-8`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig(strings.NewReader(tt.text), "kdelta.toml")
			if err == nil {
				t.Fatalf("no error; want %s", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", got, tt.want)
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Errorf("error is %T, not *Error", err)
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	big := strings.Repeat("# padding\n", maxFileSize/10+1)
	_, err := ParseConfig(strings.NewReader(big), "big.toml")
	if want := "big.toml: file is larger than 4 MiB; expected a small TOML project file"; err == nil || err.Error() != want {
		t.Errorf("big file: %v", err)
	}
	_, err = ParseConfig(iotest.ErrReader(errors.New("disk on fire")), "x.toml")
	if want := "x.toml: cannot read: disk on fire"; err == nil || err.Error() != want {
		t.Errorf("read error: %v", err)
	}
	// A file name with a line break still gives a one-line error.
	_, err = ParseConfig(strings.NewReader("x = 1"), "a\nb.toml")
	if err == nil || strings.Contains(err.Error(), "\n") {
		t.Errorf("error %q", err)
	}
}

func TestStarterParses(t *testing.T) {
	c := parse(t, Starter)
	if len(c.Sources) != 0 {
		t.Fatalf("the starter enables %d sources: a first sync would fetch what nobody asked for", len(c.Sources))
	}
	if _, err := c.Components(); err != nil {
		t.Fatalf("Components: %v", err)
	}
	// Every field of a source and a component is explained.
	for _, k := range append(append(append([]string(nil), sourceKeys...), componentKeys...), append(append(storeKeys, reportKeys...), testRuleKeys...)...) {
		if !strings.Contains(Starter, "#   "+k+" ") && !strings.Contains(Starter, "\n"+k+" = ") {
			t.Errorf("starter does not explain %q", k)
		}
	}
	// The commented examples are valid too, once uncommented.
	var b strings.Builder
	for _, line := range strings.Split(Starter, "\n") {
		if rest, ok := strings.CutPrefix(line, "# "); ok && (strings.HasPrefix(rest, "[[") || strings.Contains(rest, " = ")) {
			line = rest
		}
		b.WriteString(line + "\n")
	}
	c = parse(t, b.String())
	if len(c.Sources) < 4 || len(c.ComponentSpecs) != 1 {
		t.Errorf("uncommented starter: %d sources, %d components", len(c.Sources), len(c.ComponentSpecs))
	}
	if _, err := c.Components(); err != nil {
		t.Fatalf("uncommented starter Components: %v", err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "kdelta.toml")
	_, err := Load(p)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load of a missing file: %v, want fs.ErrNotExist", err)
	}
	if want := p + ": cannot read: no such file"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	text := "[store]\npath = \"db/k.db\"\nmirrors = \"/var/mirrors\"\n" +
		"[[source]]\nname = \"local\"\nkind = \"upstream\"\nurl = \"repos/linux.git\"\nrefs = [\"master\"]\n" +
		"[[source]]\nname = \"same\"\nkind = \"stable\"\nurl = \"file://" + filepath.ToSlash(dir) + "/repos/linux/\"\nrefs = [\"linux-6.1.y\"]\nupstream = \"local\"\n"
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Dir != dir {
		t.Errorf("Dir = %q, want %q", c.Dir, dir)
	}
	if got, want := c.StorePath(), filepath.Join(dir, "db", "k.db"); got != want {
		t.Errorf("StorePath = %q, want %q", got, want)
	}
	if got := c.MirrorDir(); got != "/var/mirrors" {
		t.Errorf("MirrorDir = %q", got)
	}
	if got, want := c.SourceURL(&c.Sources[0]), filepath.Join(dir, "repos", "linux.git"); got != want {
		t.Errorf("SourceURL = %q, want %q", got, want)
	}
	if a, b := c.MirrorPath(&c.Sources[0]), c.MirrorPath(&c.Sources[1]); a != b {
		t.Errorf("same repository, different mirrors: %q, %q", a, b)
	}
	// A syntax error names the path as given.
	if err := os.WriteFile(p, []byte("[[source]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p); err == nil || !strings.HasPrefix(err.Error(), p+":1: invalid TOML: ") {
		t.Errorf("Load of a bad file: %v", err)
	}
}

func TestDefaultConfig(t *testing.T) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.StorePath() != "kdelta.db" || c.MirrorDir() != "kdelta-mirrors" {
		t.Errorf("StorePath %q MirrorDir %q", c.StorePath(), c.MirrorDir())
	}
	cs, err := c.Components()
	if err != nil {
		t.Fatal(err)
	}
	if got := cs.Classify(LayoutLinux, []string{"drivers/infiniband/hw/mlx5/main.c"}, ""); !reflect.DeepEqual(got, []string{"mlx5"}) {
		t.Errorf("default map: %v", got)
	}
}

func TestValidateInCode(t *testing.T) {
	c := DefaultConfig()
	c.Sources = []Source{
		{Name: "linux", Kind: KindUpstream, URL: "u", Refs: []string{"master"}},
		{Name: "sles", Kind: KindDistro, URL: "s", Refs: []string{"SLE15"}, Upstream: "linus"},
	}
	err := c.Validate()
	if want := `source "sles": upstream "linus" is not a source in this file; did you mean "linux"?`; err == nil || err.Error() != want {
		t.Errorf("Validate = %v, want %s", err, want)
	}
	if c.Sources[0].Layout != LayoutLinux || c.Sources[0].Format != FormatGit || c.Sources[0].Mirror != MirrorAuto {
		t.Errorf("defaults not filled: %+v", c.Sources[0])
	}

	// After the parse, a Config edited in code gets no wrong line.
	c = parse(t, src+"[[source]]\nname = \"b\"\nkind = \"distro\"\nurl = \"b\"\nrefs = [\"m\"]\n")
	c.Sources[0], c.Sources[1] = c.Sources[1], c.Sources[0]
	c.Sources[1].Kind = "bogus"
	err = c.Validate()
	if want := `kdelta.toml: source "linux": kind "bogus" is not one of upstream, distro, vendor, stable, queue, list`; err == nil || err.Error() != want {
		t.Errorf("Validate = %v, want %s", err, want)
	}
}
