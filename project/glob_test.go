package project

import (
	"path"
	"strings"
	"testing"
)

func TestGlobMatchesPathMatch(t *testing.T) {
	patterns := []string{
		"drivers/infiniband/core/cm*", "include/rdma/rdma_cm*.h", "a/?.c", "a/[abc]x", "a/[^abc]x",
		"a/[a-c]*", "*.spec", "*/x", "a/*/c", "a/*b*c*", "é/[é-ê]",
	}
	names := []string{
		"drivers/infiniband/core/cm.c", "drivers/infiniband/core/cma.c", "drivers/infiniband/core/cm/x.c",
		"include/rdma/rdma_cm.h", "include/rdma/rdma_cm_ib.h", "include/rdma/rdma_cm.c", "a/b.c", "a/bb.c",
		"a/ax", "a/dx", "a/bx", "a/b/c", "a/bc", "a/xbyc", "a/xbyc/d", "x.spec", "d/x.spec", "d/x", "é/ê", "é/f",
		"a//c", "", "a/",
	}
	for _, p := range patterns {
		cp, err := compilePattern(p)
		if err != nil {
			t.Fatalf("compilePattern(%q): %v", p, err)
		}
		for _, n := range names {
			want, err := path.Match(p, n)
			if err != nil {
				t.Fatal(err)
			}
			if got := matchGlob(cp.glob, n); got != want {
				t.Errorf("%q matching %q = %v, path.Match says %v", p, n, got, want)
			}
		}
	}
}

func TestGlobDoubleStar(t *testing.T) {
	tests := []struct {
		pattern string
		yes, no []string
	}{
		{"a/**/b", []string{"a/b", "a/x/b", "a/x/y/b"}, []string{"a/xb", "b", "a/b/c"}},
		{"**/Kconfig", []string{"Kconfig", "drivers/Kconfig", "a/b/Kconfig"}, []string{"xKconfig", "Kconfig.x"}},
		{"drivers/**", []string{"drivers/a", "drivers/a/b"}, []string{"drivers", "driversx/a"}},
		{"drivers/**.c", []string{"drivers/a.c", "drivers/a/b.c"}, []string{"drivers/a.h"}},
		{"providers/*/dr_*", []string{"providers/mlx5/dr_rule.c"}, []string{"providers/mlx5/x/dr_rule.c"}},
		{"drivers/*/mlx5/", []string{"drivers/vdpa/mlx5/core.c", "drivers/vdpa/mlx5/a/b.c"}, []string{"drivers/a/b/mlx5/x.c"}},
	}
	for _, tt := range tests {
		p, err := compilePattern(tt.pattern)
		if err != nil {
			t.Fatalf("compilePattern(%q): %v", tt.pattern, err)
		}
		for _, n := range tt.yes {
			if !matchGlob(p.glob, n) {
				t.Errorf("%q does not match %q", tt.pattern, n)
			}
		}
		for _, n := range tt.no {
			if matchGlob(p.glob, n) {
				t.Errorf("%q matches %q", tt.pattern, n)
			}
		}
	}
}

func TestCompilePatternErrors(t *testing.T) {
	for p, want := range map[string]string{
		"":              "is empty",
		"/a":            "is absolute; expected a path relative to the top of the tree",
		"a/../b":        `contains ".."; expected a path inside the tree`,
		"..":            `contains ".."; expected a path inside the tree`,
		"./a":           `is not a clean path (empty or "." part); expected a form like "drivers/infiniband/hw/mlx5/"`,
		"a[":            `has an unterminated "[" class`,
		"a[]":           `has an empty "[]" class`,
		"a[z-a]":        "has a backwards range z-a",
		"a[-a]":         `has a "-" out of place in a "[...]" class`,
		"*/*/*/*/*/*/*": `has more than 6 "*" wildcards`,
	} {
		err := checkPattern(p)
		if err == nil || err.Error() != want {
			t.Errorf("checkPattern(%q) = %v, want %s", p, err, want)
		}
	}
}

// FuzzGlob checks that the backtracking matcher used for simple globs and the
// position-set matcher agree, and that both agree with path.Match when the
// pattern has no "**".
func FuzzGlob(f *testing.F) {
	f.Add("a/*/b", "a/x/b")
	f.Add("a/**/b*", "a/x/y/bz")
	f.Add("[a-c]?*", "b/x")
	f.Fuzz(func(t *testing.T, pattern, name string) {
		p, err := compilePattern(pattern)
		if err != nil || p.kind != patGlob || len(name) > 300 {
			return
		}
		dp := matchGlob(p.glob, name)
		if simpleGlob(p.glob) {
			if bt := matchSimple(p.glob, name); bt != dp {
				t.Fatalf("%q on %q: backtracking %v, position sets %v", pattern, name, bt, dp)
			}
		}
		if !strings.Contains(pattern, "**") && !strings.HasSuffix(pattern, "/") && !strings.Contains(pattern, "[") {
			if pm, err := path.Match(pattern, name); err == nil && pm != dp {
				t.Fatalf("%q on %q: path.Match %v, matchGlob %v", pattern, name, pm, dp)
			}
		}
	})
}
