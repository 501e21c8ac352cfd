package world

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/project"
)

// forEachRef lists a repository's refs as git sees them: "name object
// peeled" lines (peeled is empty unless the ref is an annotated tag).
func forEachRef(t *testing.T, repo string) []string {
	t.Helper()
	return nonEmptyLines(gitCmd(t, repo, "for-each-ref", "--format=%(refname) %(objectname) %(*objectname)"))
}

// renameBranches renames a downstream's branches as an export does.
func renameBranches(lines []string, source string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		if b, ok := strings.CutPrefix(l, "refs/heads/"); ok {
			l = "refs/heads/" + source + "/" + b
		}
		out[i] = l
	}
	return out
}

// union merges ref lists, sorted and without duplicates.
func union(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestExportLayouts exports the small world in each layout and checks,
// with the git CLI, that every repository has the refs the layout
// promises and every object they reach, and that the exported kdelta.toml
// reads each git source's ref at the commit the world's repository has.
func TestExportLayouts(t *testing.T) {
	needGit(t)
	w := buildSmall(t, 1)
	refsOf := map[string][]string{
		"linux": forEachRef(t, w.Repos["linux"]),
		"rhel":  renameBranches(forEachRef(t, w.Repos["rhel"]), "rhel"),
		"ofed":  renameBranches(forEachRef(t, w.Repos["ofed"]), "ofed"),
	}
	// The source world's tip of each git source's configured ref.
	tips := map[string]string{
		"linux":     revParse(t, w.Repos["linux"], "master"),
		"rdma-next": revParse(t, w.Repos["linux"], "for-next"),
		"rhel":      revParse(t, w.Repos["rhel"], "main"),
		"ofed":      revParse(t, w.Repos["ofed"], "master"),
	}
	tests := []struct {
		layout Layout
		repos  map[string][]string // repository -> the trees whose refs it has
		urls   map[string]string   // git source -> its repository
	}{
		{OneRepo,
			map[string][]string{"rdma.git": {"linux", "rhel", "ofed"}},
			map[string]string{"linux": "rdma.git", "rdma-next": "rdma.git", "rhel": "rdma.git", "ofed": "rdma.git"}},
		{Separate,
			map[string][]string{"linux.git": {"linux"}, "rhel.git": {"rhel"}, "ofed.git": {"ofed"}},
			map[string]string{"linux": "linux.git", "rdma-next": "linux.git", "rhel": "rhel.git", "ofed": "ofed.git"}},
		{Published,
			map[string][]string{"linux.git": {"linux", "rhel", "ofed"}, "rhel.git": {"rhel"}, "ofed.git": {"ofed"}},
			map[string]string{"linux": "linux.git", "rdma-next": "linux.git", "rhel": "rhel.git", "ofed": "ofed.git"}},
		{Clones,
			map[string][]string{"linux.git": {"linux"}, "rhel.git": {"linux", "rhel"}, "ofed.git": {"linux", "ofed"}},
			map[string]string{"linux": "linux.git", "rdma-next": "linux.git", "rhel": "rhel.git", "ofed": "ofed.git"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.layout), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "x")
			x, err := Export(w.Dir, tt.layout, dir)
			if err != nil {
				t.Fatal(err)
			}
			ents, err := filepath.Glob(filepath.Join(dir, "*.git"))
			if err != nil {
				t.Fatal(err)
			}
			if len(ents) != len(tt.repos) {
				t.Errorf("repositories %v, want %d: %v", ents, len(tt.repos), tt.repos)
			}
			for repo, trees := range tt.repos {
				path := filepath.Join(dir, repo)
				var want [][]string
				for _, tr := range trees {
					want = append(want, refsOf[tr])
				}
				if got, want := forEachRef(t, path), union(want...); !slices.Equal(got, want) {
					t.Errorf("%s refs:\n%s\nwant (the refs of %v):\n%s", repo, strings.Join(got, "\n"), trees, strings.Join(want, "\n"))
				}
				gitCmd(t, path, "fsck", "--connectivity-only", "--no-dangling")
			}

			cfg, err := project.Load(x.Config)
			if err != nil {
				t.Fatalf("the exported kdelta.toml: %v", err)
			}
			orig, err := project.Load(w.Config)
			if err != nil {
				t.Fatal(err)
			}
			if len(cfg.Sources) != len(orig.Sources) {
				t.Fatalf("%d sources, want the world's %d", len(cfg.Sources), len(orig.Sources))
			}
			for i, s := range cfg.Sources {
				o := orig.Sources[i]
				if s.Name != o.Name || s.Kind != o.Kind || s.Format != o.Format || s.Upstream != o.Upstream || s.Base != o.Base || s.Layout != o.Layout {
					t.Errorf("source %d is %+v, want the world's %+v but for url and refs", i, s, o)
				}
				if !s.IsGit() {
					if s.URL != orig.SourceURL(&o) {
						t.Errorf("%s: url %s, want the world's file %s", s.Name, s.URL, orig.SourceURL(&o))
					}
					continue
				}
				if want := filepath.Join(dir, tt.urls[s.Name]); s.URL != want || x.Repos[s.Name] != want {
					t.Errorf("%s: url %s (Repos %s), want %s", s.Name, s.URL, x.Repos[s.Name], want)
				}
				want := o.Refs[0]
				if s.Name == "rhel" || s.Name == "ofed" {
					want = s.Name + "/" + want
				}
				if len(s.Refs) != 1 || s.Refs[0] != want || !slices.Equal(x.Refs[s.Name], s.Refs) {
					t.Errorf("%s: refs %v (Refs %v), want [%s]", s.Name, s.Refs, x.Refs[s.Name], want)
					continue
				}
				if got := revParse(t, s.URL, s.Refs[0]+"^{commit}"); got != tips[s.Name] {
					t.Errorf("%s@%s is %s in %s, want the world's %s", s.Name, s.Refs[0], got, s.URL, tips[s.Name])
				}
			}
			if b := x.Truth.Downstream("rhel").Branch; b != "rhel/main" {
				t.Errorf("the export's truth names rhel's branch %q, want rhel/main", b)
			}
			if len(x.Results) == 0 || x.Files["sles"] == "" {
				t.Errorf("results %v, files %v: want the world's", x.Results, x.Files)
			}
			for _, f := range append(slices.Clone(x.Results), x.Files["sles"], x.Files["linux-rdma"]) {
				if _, err := os.Stat(f); err != nil {
					t.Errorf("%v", err)
				}
			}
		})
	}
}

// TestExportRefreshShowsAForcePush rebases rhel in the source world and
// exports again onto each earlier export: rhel/main moves to the new tip
// wherever the layout carries it, the repositories stay whole, and the old
// tip is still an object (as after a real force-push) that no branch
// reaches.
func TestExportRefreshShowsAForcePush(t *testing.T) {
	needGit(t)
	w := buildSmall(t, 1)
	oldTip := revParse(t, w.Repos["rhel"], "main")
	dirs := map[Layout]string{}
	for _, l := range Layouts() {
		dirs[l] = filepath.Join(t.TempDir(), string(l))
		if _, err := Export(w.Dir, l, dirs[l]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Rebase(w.Dir, "rhel", 3); err != nil {
		t.Fatal(err)
	}
	newTip := revParse(t, w.Repos["rhel"], "main")
	if newTip == oldTip {
		t.Fatal("the rebase did not move rhel's main")
	}
	carriers := map[Layout][]string{
		OneRepo: {"rdma.git"}, Separate: {"rhel.git"}, Published: {"linux.git", "rhel.git"}, Clones: {"rhel.git"},
	}
	for _, l := range Layouts() {
		t.Run(string(l), func(t *testing.T) {
			x, err := Export(w.Dir, l, dirs[l])
			if err != nil {
				t.Fatal(err)
			}
			if got := revParse(t, x.Repos["rhel"], "rhel/main"); got != newTip {
				t.Errorf("rhel/main is %s after the refresh, want the rebased %s", got, newTip)
			}
			for _, repo := range carriers[l] {
				path := filepath.Join(dirs[l], repo)
				if got := revParse(t, path, "rhel/main"); got != newTip {
					t.Errorf("%s: rhel/main is %s, want %s", repo, got, newTip)
				}
				gitCmd(t, path, "fsck", "--connectivity-only", "--no-dangling")
				gitCmd(t, path, "cat-file", "-e", oldTip+"^{commit}")
				if refs := gitCmd(t, path, "for-each-ref", "--contains", oldTip, "refs/heads"); refs != "" {
					t.Errorf("%s: branches still reach the old tip %s:\n%s", repo, oldTip, refs)
				}
			}
			// Tags keep pointing at the old commits, as Rebase leaves them.
			tag := x.Truth.Downstream("rhel").Tags[7]
			if got := revParse(t, x.Repos["rhel"], tag.Name); got != tag.Commit {
				t.Errorf("tag %s is %s, want %s", tag.Name, got, tag.Commit)
			}
		})
	}
}

func TestExportRefuses(t *testing.T) {
	w := buildSmall(t, 1)
	tmp := t.TempDir()
	other := filepath.Join(tmp, "other")
	os.MkdirAll(other, 0o755)
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644)
	done := filepath.Join(tmp, "done")
	if _, err := Export(w.Dir, Separate, done); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		src    string
		layout Layout
		dir    string
		want   string
	}{
		{"unknown layout", w.Dir, "monorepo", filepath.Join(tmp, "a"), `unknown layout "monorepo"`},
		{"a directory that holds something else", w.Dir, Separate, other, "is not empty and holds no export"},
		{"an export of another layout", w.Dir, OneRepo, done, "holds an export in the separate layout (want one-repo"},
		{"no world", tmp, Separate, filepath.Join(tmp, "b"), "truth.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Export(tt.src, tt.layout, tt.dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
	if b, err := os.ReadFile(filepath.Join(other, "notes.txt")); err != nil || string(b) != "mine" {
		t.Errorf("the refused directory changed: %q %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(tmp, "b")); err == nil {
		t.Errorf("a failed export left its directory behind")
	}
}
