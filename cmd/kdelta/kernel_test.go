package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/internal/world"
	"github.com/kdelta/kdelta/store"
)

// TestKernelUpstreamRefsAndSources syncs the kernel-mini world (issue 14:
// Linus' tree with its stable branches and point-release tags, and a
// RHEL-like distro on v5.14) in the three ways a user can give the
// upstream, and asserts that the distro's delta is the same in each:
//   - one: linux with refs = ["master"] (the world's own project file);
//   - two: the same plus a linux-stable source (kind stable, a repository
//     of its own holding the stable branches and their tags);
//   - three: linux with the stable branches among its refs.
//
// In three the upstream holds every stable backport twice, the mainline
// commit and its "commit X upstream." copy: the delta lists each change
// once. The first release of every mainline RDMA commit is the same in
// one and three: a stable point-release tag is a release of the stable
// copies only.
func TestKernelUpstreamRefsAndSources(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH")
	}
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "world")
	w, err := world.Build(world.Options{Seed: 1, Size: world.KernelMini, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	git := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("git", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	linux := w.Repos["linux"]
	branches := strings.Fields(git("-C", linux, "for-each-ref", "--format=%(refname:short)", "refs/heads/linux-*"))
	stableTag := regexp.MustCompile(`^v\d+\.\d+\.\d+$`)
	var stableTags []string
	push := []string{"-C", linux, "push", "-q", filepath.Join(dir, "stable.git")}
	for _, b := range branches {
		push = append(push, "refs/heads/"+b+":refs/heads/"+b)
	}
	for _, tag := range strings.Fields(git("-C", linux, "tag")) {
		if stableTag.MatchString(tag) {
			stableTags = append(stableTags, tag)
			push = append(push, "refs/tags/"+tag+":refs/tags/"+tag)
		}
	}
	if len(branches) < 2 || len(stableTags) < 2 {
		t.Fatalf("the world has stable branches %q and tags %q; want some of each", branches, stableTags)
	}
	git("init", "-q", "--bare", filepath.Join(dir, "stable.git"))
	git(push...)

	base, err := os.ReadFile(w.Config)
	if err != nil {
		t.Fatal(err)
	}
	quoted := `"master"`
	for _, b := range branches {
		quoted += `, "` + b + `"`
	}
	configs := map[string]string{
		"one": string(base),
		"two": strings.Replace(string(base), `"kdelta.db"`, `"two.db"`, 1) + "\n[[source]]\nname = \"linux-stable\"\nkind = \"stable\"\nurl = \"stable.git\"\n" +
			"refs = [" + strings.TrimPrefix(quoted, `"master", `) + "]\nupstream = \"linux\"\n",
		"three": strings.Replace(strings.Replace(string(base), `"kdelta.db"`, `"three.db"`, 1), `refs = ["master"]`+"\nlayout", "refs = ["+quoted+"]\nlayout", 1),
	}
	deltas := map[string]string{}
	for _, name := range []string{"one", "two", "three"} {
		config := filepath.Join(dir, name+".toml")
		if err := os.WriteFile(config, []byte(configs[name]), 0o644); err != nil {
			t.Fatal(err)
		}
		do := kdeltaOn(t, config)
		sync := []string{"sync", "--no-snapshot", "linux", "rhel"}
		if name == "two" {
			sync = append(sync, "linux-stable")
		}
		if out, stderr, code := do(sync...); code != exitOK {
			t.Fatalf("%s: sync: exit %d\n%s%s", name, code, out, stderr)
		}
		out, stderr, code := do("delta", "rhel", "--format", "json")
		if code != exitOK {
			t.Fatalf("%s: delta rhel: exit %d: %s", name, code, stderr)
		}
		// How the base was found names the upstream's refs; the rest is
		// the answer.
		deltas[name] = regexp.MustCompile(`"base_how": "[^"]*"`).ReplaceAllString(out, `"base_how": ""`)
	}
	for _, name := range []string{"two", "three"} {
		if deltas[name] != deltas["one"] {
			t.Errorf("delta rhel with %s differs from the delta with linux@master alone:\n%s", name, firstDifference(deltas["one"], deltas[name], "one", name))
		}
	}

	// First releases, read from the stores of one and three.
	ctx := context.Background()
	releases := func(path string) map[string]string {
		db, err := store.Open(ctx, path, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		src, _, err := db.FindRef(ctx, "linux", "master")
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, c := range w.Truth.Upstream.Commits {
			rel, err := db.Release(ctx, src.ID, c.ID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				t.Fatal(err)
			}
			out[c.ID] = rel
		}
		return out
	}
	one, three := releases(filepath.Join(dir, "kdelta.db")), releases(filepath.Join(dir, "three.db"))
	released := 0
	for id, rel := range one {
		if three[id] != rel {
			t.Errorf("%.12s: first release %q with the stable branches among the refs; %q without", id, three[id], rel)
		}
		if stableTag.MatchString(three[id]) {
			t.Errorf("%.12s: first release is the stable tag %s", id, three[id])
		}
		if rel != "" {
			released++
		}
	}
	if released < len(one)/2 {
		t.Errorf("only %d of %d mainline RDMA commits have a first release", released, len(one))
	}
}
