package snapshot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckLinks(t *testing.T) {
	deep := map[string]string{}
	for i := range 45 {
		deep["l"+string(rune('A'+i))] = "l" + string(rune('A'+i+1)) + "/.."
	}
	tests := []struct {
		name  string
		links map[string]string
		bad   string // "" if all are fine
		msg   string
	}{
		{"sibling", map[string]string{"a/l": "b"}, "", ""},
		{"up and down", map[string]string{"a/b/l": "../../c/d"}, "", ""},
		{"to the root", map[string]string{"a/b/l": "../.."}, "", ""},
		{"dangling", map[string]string{"l": "no/such/../thing"}, "", ""},
		{"chain", map[string]string{"l": "m", "m": "n/x", "n": "d"}, "", ""},
		{"dot components", map[string]string{"l": "./a//./b/"}, "", ""},
		{"out", map[string]string{"l": ".."}, "l", "leads out of the root"},
		{"out and back", map[string]string{"a/l": "../../root/x"}, "a/l", "leads out of the root"},
		{"climb through a shallow link", map[string]string{"d/e/up": "../..", "l": "d/e/up/../x"}, "l", "leads out of the root"},
		{"climb through a link, fine", map[string]string{"d/e/up": "..", "l": "d/e/up/../x"}, "", ""},
		{"link to a deep link then up", map[string]string{"m": "d/e/up", "d/e/up": "../..", "l": "m/.."}, "l", "leads out of the root"},
		{"bad link reached first through another", map[string]string{"a": "z/x", "z": "../y"}, "z", "leads out of the root"},
		{"loop", map[string]string{"a": "b/..", "b": "a/.."}, "a", "loop"},
		{"self", map[string]string{"a": "a/x"}, "a", "loop"},
		{"too deep", deep, "lA", "more than 40 levels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad, msg := checkLinks(tt.links)
			if bad != tt.bad || !strings.Contains(msg, tt.msg) {
				t.Errorf("checkLinks = %q, %q; want %q, %q", bad, msg, tt.bad, tt.msg)
			}
			if bad == "" {
				checkOnDisk(t, tt.links)
			}
		})
	}
}

// checkOnDisk builds the symlinks under a root inside a bigger directory,
// fills both with directories of every name the links use (up to three
// deep, where no symlink is in the way), and checks with the system's own
// resolution that each link that resolves stays inside the root.
func checkOnDisk(t *testing.T, links map[string]string) {
	t.Helper()
	outer := t.TempDir()
	root := filepath.Join(outer, "root")
	nameSet := map[string]bool{}
	for p, target := range links {
		for _, c := range strings.Split(p+"/"+target, "/") {
			if c != "" && c != "." && c != ".." {
				nameSet[c] = true
			}
		}
	}
	var dirs []string
	for n := range nameSet {
		dirs = append(dirs, n)
	}
	for depth := 1; depth < 3; depth++ {
		for _, d := range dirs {
			if strings.Count(d, "/")+1 == depth {
				for n := range nameSet {
					dirs = append(dirs, d+"/"+n)
				}
			}
		}
	}
	for p, target := range links {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, full); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(outer, filepath.FromSlash(d)), 0o755); err != nil {
			t.Fatal(err)
		}
		blocked := false
		for q := range links {
			if d == q || strings.HasPrefix(d, q+"/") {
				blocked = true
			}
		}
		if !blocked {
			if err := os.MkdirAll(filepath.Join(root, filepath.FromSlash(d)), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		t.Fatal(err)
	}
	for p := range links {
		got, err := filepath.EvalSymlinks(filepath.Join(root, filepath.FromSlash(p)))
		if err != nil {
			continue // dangling, a loop, through a file: the system cannot follow it either
		}
		if got != realRoot && !strings.HasPrefix(got, realRoot+string(filepath.Separator)) {
			t.Errorf("checkLinks accepted %q -> %q, which the system resolves to %s, outside %s", p, links[p], got, realRoot)
		}
	}
}
