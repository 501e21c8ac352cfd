package series

import (
	"bytes"
	"errors"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const suseConf = `# Kernel patches configuration file
# vim: set ts=8 sw=8 noet:
#
# +symbol       include this patch if symbol is defined; otherwise exclude.
# -symbol       exclude this patch if symbol is defined; otherwise include.
# -             exclude this patch.

	########################################################
	# sorted patches
	########################################################
	patches.suse/RDMA-mlx5-Return-the-firmware-result-upon-destroying-QP-RQ.patch
	patches.suse/RDMA-irdma-Add-missing-read-barriers.patch	# partial backport

	########################################################
	# kABI
	########################################################
+needs_update	patches.kabi/kabi-protect-ib_device.patch
	-arm64 +!rt	patches.suse/ib-core-fix-for-x86.patch
	#+trenn	patches.suse/disabled.patch
	- patches.suse/excluded.patch
	patches.suse/with#hash.patch
	patches.suse/continued.patch \
		-R
`

func TestParseSeries(t *testing.T) {
	tests := []struct {
		name, text string
		want       []Entry
	}{
		{"series.conf", suseConf, []Entry{
			{Path: "patches.suse/RDMA-mlx5-Return-the-firmware-result-upon-destroying-QP-RQ.patch", Line: 11, Strip: 1},
			{Path: "patches.suse/RDMA-irdma-Add-missing-read-barriers.patch", Line: 12, Strip: 1},
			{Path: "patches.kabi/kabi-protect-ib_device.patch", Line: 17, Guards: []string{"+needs_update"}, Strip: 1},
			{Path: "patches.suse/ib-core-fix-for-x86.patch", Line: 18, Guards: []string{"-arm64", "+!rt"}, Strip: 1},
			{Path: "patches.suse/excluded.patch", Line: 20, Guards: []string{"-"}, Strip: 1},
			{Path: "patches.suse/with#hash.patch", Line: 21, Strip: 1},
			{Path: "patches.suse/continued.patch", Line: 22, Strip: 1, Reverse: true},
		}},
		{"quilt series", "# quilt\n\n  0001-first.patch\n0002-second.patch -p0\nsub/./0003-third.patch -p1 -R   # reverted\r\n0004-ab.patch -pab\n", []Entry{
			{Path: "0001-first.patch", Line: 3, Strip: 1},
			{Path: "0002-second.patch", Line: 4, Strip: 0},
			{Path: "sub/0003-third.patch", Line: 5, Strip: 1, Reverse: true},
			{Path: "0004-ab.patch", Line: 6, Strip: 1},
		}},
		{"empty", "", nil},
		{"comments only", "# nothing\n   # here\n\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSeries(tt.name, strings.NewReader(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseSeriesErrors(t *testing.T) {
	tests := []struct{ text, want string }{
		{"a.patch\nb.patch\n./a.patch\n", "s:3: a.patch is listed twice (first at line 1)"},
		{"../linux.patch\n", "s:1: path ../linux.patch leaves the tree"},
		{"x/../../y.patch\n", "s:1: path x/../../y.patch leaves the tree"},
		{"/etc/passwd\n", "s:1: absolute path /etc/passwd"},
		{"\n\na.patch -F3\n", `s:3: unknown option "-F3" after a.patch: expected -pN or -R`},
		{"a.patch -px\n", `s:1: bad option "-px"`},
		{"a.patch b.patch\n", `s:1: a second patch "b.patch" on the line of a.patch`},
		{"+needs_update\n", "s:1: guards +needs_update without a patch"},
		{"a.patch \\", "s:1: the file ends in a line continued with a backslash"},
		{".\n", "s:1: path . leaves the tree"},
	}
	for _, tt := range tests {
		_, err := ParseSeries("s", strings.NewReader(tt.text))
		var se *Error
		if !errors.As(err, &se) || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q...", tt.text, err, tt.want)
		}
	}
}

// mkTree writes files (slash-separated path -> content; content "->X" makes
// a symbolic link to X) under a new temporary directory.
func mkTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "->"); ok {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestOpen(t *testing.T) {
	tests := []struct {
		name   string
		files  map[string]string
		format string
		file   string // relative to the tree
		base   string
		paths  []string
	}{
		{"SUSE kernel-source", map[string]string{
			"series.conf":               "\tpatches.suse/b.patch\n+needs_update\tpatches.kabi/a.patch\n",
			"patches.suse/b.patch":      "x",
			"patches.kabi/a.patch":      "x",
			"patches.suse/unused.patch": "x",
			"series":                    "ignored.patch\n",
		}, "suse", "series.conf", "", []string{"patches.suse/b.patch", "patches.kabi/a.patch"}},
		{"quilt series next to its patches (stable-queue)", map[string]string{
			"series":                          "rdma-cma-fix.patch\nib-core-fix.patch\n",
			"rdma-cma-fix.patch":              "x",
			"patches/ib-core-fix.patch":       "x",
			"patches/rdma-cma-fix.patch":      "not this one",
			"patches/series-of-nothing.patch": "x",
		}, "quilt", "series", "", []string{"rdma-cma-fix.patch", "patches/ib-core-fix.patch"}},
		{"quilt patches/series", map[string]string{
			"patches/series":           "# comment\nfirst.patch\nsub/second.patch -p0\n",
			"patches/first.patch":      "x",
			"patches/sub/second.patch": "x",
		}, "quilt", "patches/series", "", []string{"patches/first.patch", "patches/sub/second.patch"}},
		{"MLNX_OFED", map[string]string{
			"LINUX_BASE_BRANCH": "39cd87c4eb2b893354f3b850f916353f2658ae6f\n",
			"backports/0010-BACKPORT-drivers-infiniband-core-cma.c.patch":   "x",
			"backports/0002-BACKPORT-drivers-infiniband-core-addr.c.patch":  "x",
			"backports/0002-BACKPORT-drivers-infiniband-core-cache.c.patch": "x",
			"backports/100-BACKPORT-late.patch":                             "x",
			"backports/README":                                              "x",
			"backports/0003-notes.txt":                                      "x",
			"backports/0004-dir.patch/x":                                    "x",
			"backports/-.patch":                                             "x",
		}, "ofed", "backports", "39cd87c4eb2b893354f3b850f916353f2658ae6f", []string{
			"backports/0002-BACKPORT-drivers-infiniband-core-addr.c.patch",
			"backports/0002-BACKPORT-drivers-infiniband-core-cache.c.patch",
			"backports/0010-BACKPORT-drivers-infiniband-core-cma.c.patch",
			"backports/100-BACKPORT-late.patch",
		}},
		{"OFED base in ofed_scripts", map[string]string{
			"ofed_scripts/LINUX_BASE_BRANCH":        "\n  v6.1  \n\n",
			"backports/0001-BACKPORT-ib_core.patch": "x",
		}, "ofed", "backports", "v6.1", []string{"backports/0001-BACKPORT-ib_core.patch"}},
		{"OFED without a base", map[string]string{"backports/README": "x"}, "ofed", "backports", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := mkTree(t, tt.files)
			s, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			var paths []string
			for _, e := range s.Entries {
				paths = append(paths, e.Path)
			}
			if s.Format != tt.format || s.File != filepath.Join(dir, filepath.FromSlash(tt.file)) || s.Base != tt.base || !reflect.DeepEqual(paths, tt.paths) {
				t.Errorf("got %s %s base %q %q\nwant %s %s base %q %q", s.Format, s.File, s.Base, paths, tt.format, tt.file, tt.base, tt.paths)
			}
			for _, e := range s.Entries {
				if s.Format == "ofed" && e.Line != 0 || s.Format != "ofed" && e.Line == 0 {
					t.Errorf("%s: line %d", e.Path, e.Line)
				}
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "evil.patch"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		files map[string]string
		want  string // after the tree's directory
	}{
		{"missing patch", map[string]string{"series.conf": "# c\n\tpatches.suse/a.patch\n\tpatches.suse/gone.patch\n", "patches.suse/a.patch": "x"},
			"/series.conf:3: patch patches.suse/gone.patch: no such file in the tree"},
		{"missing quilt patch", map[string]string{"series": "gone.patch\n"},
			"/series:1: patch gone.patch or patches/gone.patch: no such file in the tree"},
		{"a directory is no patch", map[string]string{"patches/series": "d\n", "patches/d/x": "x"},
			"/patches/series:1: patch patches/d: no such file in the tree"},
		{"symbolic link out of the tree", map[string]string{"series.conf": "patches.suse/evil.patch\n", "patches.suse/evil.patch": "->" + filepath.Join(outside, "evil.patch")},
			"/series.conf:1: patch patches.suse/evil.patch leads outside the tree"},
		{"OFED backport out of the tree", map[string]string{"backports/0001-x.patch": "->" + filepath.Join(outside, "evil.patch")},
			"/backports: patch backports/0001-x.patch leads outside the tree"},
		{"bad base", map[string]string{"backports/0001-x.patch": "x", "LINUX_BASE_BRANCH": "v6.1\nv6.2\n"},
			"/LINUX_BASE_BRANCH:2: a second line"},
		{"base with spaces", map[string]string{"backports/0001-x.patch": "x", "LINUX_BASE_BRANCH": "based on v6.1\n"},
			`/LINUX_BASE_BRANCH:1: "based on v6.1": expected one commit id, branch or tag`},
		{"empty base", map[string]string{"backports/0001-x.patch": "x", "LINUX_BASE_BRANCH": "\n"},
			"/LINUX_BASE_BRANCH: empty"},
		{"nothing", map[string]string{"README": "x"}, ": no series.conf, series, patches/series or backports/ directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := mkTree(t, tt.files)
			_, err := Open(dir)
			var se *Error
			if !errors.As(err, &se) || !strings.HasPrefix(err.Error(), dir+tt.want) {
				t.Errorf("error %v, want %s%s...", err, dir, tt.want)
			}
		})
	}
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o644)
	for _, p := range []string{file, filepath.Join(file, "missing")} {
		if _, err := Open(p); err == nil || !strings.HasPrefix(err.Error(), p+": ") {
			t.Errorf("Open(%s): %v", p, err)
		}
	}
}

func FuzzParseSeries(f *testing.F) {
	f.Add(suseConf)
	f.Add("a.patch -p0 -R\n\\\nb.patch\n")
	f.Add("+x -!y\tdir/../c.patch # c\n")
	f.Add("a\n./a\n")
	f.Fuzz(func(t *testing.T, text string) {
		entries, err := ParseSeries("f", strings.NewReader(text))
		if err != nil {
			var se *Error
			if !errors.As(err, &se) || se.File != "f" || se.Line < 1 || se.Line > strings.Count(text, "\n")+1 {
				t.Fatalf("error %v: want a *Error with a line of the file", err)
			}
			return
		}
		seen := map[string]bool{}
		last := 0
		var again bytes.Buffer
		for _, e := range entries {
			if e.Path == "" || path.Clean(e.Path) != e.Path || strings.HasPrefix(e.Path, "/") ||
				e.Path == ".." || strings.HasPrefix(e.Path, "../") || seen[e.Path] {
				t.Fatalf("bad or repeated path %q", e.Path)
			}
			seen[e.Path] = true
			if e.Line <= last || e.Strip < 0 {
				t.Fatalf("entry %+v after line %d", e, last)
			}
			last = e.Line
			// Written back one per line, the entries read the same.
			for _, g := range e.Guards {
				again.WriteString(g + " ")
			}
			if strings.ContainsAny(e.Path[:1], "#+-") {
				again.WriteString("./") // not a comment or a guard
			}
			again.WriteString(e.Path)
			if e.Strip != 1 {
				again.WriteString(" -p" + string(rune('0'+e.Strip%10)))
				if e.Strip >= 10 {
					return // not worth writing back
				}
			}
			if e.Reverse {
				again.WriteString(" -R")
			}
			again.WriteString("\n")
		}
		back, err := ParseSeries("again", &again)
		if err != nil || len(back) != len(entries) {
			t.Fatalf("written back: %v, %d entries of %d\n%s", err, len(back), len(entries), again.String())
		}
		for i := range back {
			back[i].Line = entries[i].Line
		}
		if !reflect.DeepEqual(back, entries) {
			t.Fatalf("written back: %+v\nwant %+v", back, entries)
		}
	})
}

func TestEntryApplies(t *testing.T) {
	for guards, want := range map[string]bool{
		"": true, "+needs_update": false, "-arm64": true, "+!rt": true, "-!rt": false, "-": false, "-arm64 +!rt": true, "-arm64 +x": false,
	} {
		if got := (Entry{Guards: strings.Fields(guards)}).Applies(); got != want {
			t.Errorf("guards %q: Applies = %v, want %v", guards, got, want)
		}
	}
}
