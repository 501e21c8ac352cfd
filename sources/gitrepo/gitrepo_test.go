package gitrepo

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kdelta/kdelta/sources/fingerprint"
)

// gitRun runs git in dir with a fixed identity and clock.
func gitRun(t *testing.T, dir string, stdin []byte, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=Ana Author", "GIT_AUTHOR_EMAIL=ana@example.org",
		"GIT_COMMITTER_NAME=Carl Committer", "GIT_COMMITTER_EMAIL=carl@example.org",
		"GIT_AUTHOR_DATE=2023-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2023-01-01T00:00:00Z",
		"GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %s: %v: %s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

func needGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH")
	}
}

func cSource(name string, n int, variant string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "// SPDX-License-Identifier: GPL-2.0\n#include <linux/module.h>\n\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "static int %s_op%d(struct ib_device *dev)\n{\n\tint ret = %d;\n\n\tif (!dev)\n\t\treturn -EINVAL;\n\tret = %s_hw_call(dev, %d%s);\n\treturn ret;\n}\n\n", name, i, i, name, i, variant)
	}
	return b.String()
}

// buildEdgeRepo makes a repository whose commits cover what patch-ids are
// hard to get right on: renames with and without edits, binary files,
// mode changes, symlinks, type changes, non-ASCII and quoted paths, files
// without a final newline, empty files, deletions, and paths out of scope.
func buildEdgeRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	gitRun(t, dir, nil, "init", "-q", "-b", "master")
	write := func(path, content string, mode os.FileMode) {
		p := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	commit := func(msg string) {
		gitRun(t, dir, nil, "add", "-A")
		gitRun(t, dir, nil, "commit", "-q", "--allow-empty", "-m", msg)
	}
	ib := "drivers/infiniband/"
	write(ib+"hw/mlx5/qp.c", cSource("mlx5_qp", 12, ""), 0o644)
	write(ib+"hw/mlx5/cq.c", cSource("mlx5_cq", 10, ""), 0o644)
	write(ib+"core/verbs.c", cSource("ib_verbs", 15, ""), 0o644)
	write("fs/ext4/inode.c", cSource("ext4", 3, ""), 0o644)
	write("MAINTAINERS", "RDMA\nM: someone\n", 0o644)
	commit("initial")

	write(ib+"hw/mlx5/qp.c", strings.Replace(cSource("mlx5_qp", 12, ""), "ret = 3;", "ret = 33;", 1), 0o644)
	write("fs/ext4/inode.c", cSource("ext4", 3, ", 1"), 0o644)
	commit("RDMA/mlx5: change one line, and ext4 out of scope")

	write("fs/ext4/inode.c", cSource("ext4", 4, ", 1"), 0o644)
	commit("ext4: out of scope only")

	os.Rename(filepath.Join(dir, ib+"hw/mlx5/cq.c"), filepath.Join(dir, ib+"hw/mlx5/cq_main.c"))
	commit("RDMA/mlx5: rename cq.c exactly")

	os.Remove(filepath.Join(dir, ib+"hw/mlx5/cq_main.c"))
	write(ib+"hw/mlx5/cq_core.c", strings.Replace(cSource("mlx5_cq", 10, ""), "ret = 4;", "ret = 44;", 1), 0o644)
	commit("RDMA/mlx5: rename cq with an edit")

	write(ib+"hw/mlx5/fw.bin", "\x7fELF\x00\x01\x02binary\x00", 0o644)
	commit("RDMA/mlx5: add a firmware blob")
	write(ib+"hw/mlx5/fw.bin", "\x7fELF\x00\x01\x03binary changed\x00", 0o644)
	commit("RDMA/mlx5: update the firmware blob")
	write(ib+"hw/mlx5/fw.bin", "\x7fELF\x00\x01\x04binary again\x00", 0o644)
	write(ib+"hw/mlx5/qp.c", cSource("mlx5_qp", 12, ", 2"), 0o644)
	commit("RDMA/mlx5: firmware and the code after it in one commit")

	write(ib+"hw/mlx5/gen.sh", "#!/bin/sh\necho hi\n", 0o644)
	commit("RDMA/mlx5: add a script")
	write(ib+"hw/mlx5/gen.sh", "#!/bin/sh\necho hi\n", 0o755)
	commit("RDMA/mlx5: make the script executable")
	write(ib+"hw/mlx5/gen.sh", "#!/bin/sh\necho hello\n", 0o644)
	commit("RDMA/mlx5: mode and content change together")

	write(ib+"core/naïve répertoire/doc.txt", "accents\n", 0o644)
	write(ib+"core/with space.c", "int x;\n", 0o644)
	write(ib+"core/quote\"name.c", "int y;\n", 0o644)
	commit("RDMA/core: non-ASCII and quoted paths")
	write(ib+"core/naïve répertoire/doc.txt", "accents changed", 0o644)
	write(ib+"core/with space.c", "int x = 1;", 0o644)
	commit("RDMA/core: no final newline")

	write(ib+"core/empty.h", "", 0o644)
	commit("RDMA/core: add an empty file")

	if err := os.Symlink("verbs.c", filepath.Join(dir, ib+"core/link.c")); err != nil {
		t.Fatal(err)
	}
	commit("RDMA/core: add a symlink")
	os.Remove(filepath.Join(dir, ib+"core/link.c"))
	write(ib+"core/link.c", "now a file\n", 0o644)
	commit("RDMA/core: symlink becomes a file")

	os.Remove(filepath.Join(dir, ib+"core/empty.h"))
	os.Remove(filepath.Join(dir, ib+"hw/mlx5/fw.bin"))
	commit("RDMA: delete files")

	v := cSource("ib_verbs", 15, "")
	v = strings.Replace(v, "static int ib_verbs_op7(struct ib_device *dev)\n{\n", "static int ib_verbs_op7(struct ib_device *dev)\n{\n\tint extra = 0;\n\n\tif (extra)\n\t\treturn extra;\n", 1)
	v = strings.Replace(v, "ib_verbs_hw_call(dev, 12)", "ib_verbs_hw_call(dev, 12, 0)", 1)
	write(ib+"core/verbs.c", v, 0o644)
	write("MAINTAINERS", "RDMA\nM: someone else\n", 0o644)
	commit("RDMA/core: two hunks, and MAINTAINERS out of scope")
	return dir
}

var edgeScope = []string{"drivers/infiniband/"}

// TestPatchIDsAgreeWithGit compares, for every commit, the patch-id of our
// own tree diff with `git log -p -- <scope> | git patch-id --stable`.
func TestPatchIDsAgreeWithGit(t *testing.T) {
	needGit(t)
	dir := buildEdgeRepo(t)
	args := append([]string{"log", "-p", "--no-merges", "--full-history", "--format=commit %H", "--"}, edgeScope...)
	logp := gitRun(t, dir, nil, args...)
	want := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(gitRun(t, dir, []byte(logp), "patch-id", "--stable")), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 {
			want[f[1]] = f[0]
		}
	}
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	tip, err := r.Resolve("master")
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := r.RevList(context.Background(), []plumbing.Hash{tip}, nil)
	if err != nil {
		t.Fatal(err)
	}
	scope := NewScope(edgeScope)
	b := fingerprint.NewBuilder()
	checked := 0
	for _, n := range nodes {
		c, err := r.Commit(n.Hash)
		if err != nil {
			t.Fatal(err)
		}
		files, err := r.Diff(c, scope, DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		touches := len(files) > 0
		_, inGit := want[n.Hash.String()]
		if touches != inGit {
			t.Errorf("%s %q: in scope=%v, git log lists it: %v", n.Hash, c.Message, touches, inGit)
			continue
		}
		if !touches {
			continue
		}
		got := b.Build(files)
		if got.PatchID != want[n.Hash.String()] {
			show := gitRun(t, dir, nil, "show", "--format=", n.Hash.String(), "--", edgeScope[0])
			t.Errorf("%.12s %q: patch-id %s, git %s\n--- ours:\n%s--- git:\n%s", n.Hash, strings.TrimSpace(c.Message),
				got.PatchID, want[n.Hash.String()], got.Text, show)
		}
		checked++
	}
	if checked != len(want) {
		t.Errorf("checked %d commits, git has %d", checked, len(want))
	}
}

func TestResolveAndMirror(t *testing.T) {
	needGit(t)
	src := buildEdgeRepo(t)
	gitRun(t, src, nil, "tag", "-a", "-m", "release", "v6.1")
	gitRun(t, src, nil, "tag", "v6.0", "HEAD~3")
	for _, how := range []string{MirrorGoGit, MirrorGit} {
		t.Run(how, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "m.git")
			res, err := Mirror(context.Background(), src, dir, how, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Cloned {
				t.Errorf("first mirror did not clone: %+v", res)
			}
			res, err = Mirror(context.Background(), src, dir, how, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Cloned || res.Changed {
				t.Errorf("second mirror with nothing new: %+v", res)
			}
			r, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			head := strings.TrimSpace(gitRun(t, src, nil, "rev-parse", "HEAD"))
			for _, name := range []string{"master", "refs/heads/master", "v6.1", head[:10]} {
				h, err := r.Resolve(name)
				if err != nil || h.String() != head {
					t.Errorf("resolve %s = %s, %v; want %s", name, h, err, head)
				}
			}
			if _, err := r.Resolve("no-such-branch"); err == nil {
				t.Errorf("an unknown ref resolved")
			}
			tags, err := r.Tags()
			if err != nil || len(tags) != 2 || tags[0].Name != "v6.0" || tags[1].Commit.String() != head {
				t.Errorf("tags %+v, %v", tags, err)
			}
		})
	}
}

func TestMirrorRefusesWhatIsNotARepository(t *testing.T) {
	dir := t.TempDir()
	for _, url := range []string{filepath.Join(dir, "missing"), dir} {
		_, err := Mirror(context.Background(), url, filepath.Join(t.TempDir(), "m.git"), MirrorAuto, nil)
		if err == nil || !strings.Contains(err.Error(), url) {
			t.Errorf("mirror %s: err = %v, want an error naming it", url, err)
		}
	}
}

func TestRevListExcludes(t *testing.T) {
	needGit(t)
	dir := buildEdgeRepo(t)
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	tip, _ := r.Resolve("master")
	old, _ := r.Resolve(strings.TrimSpace(gitRun(t, dir, nil, "rev-parse", "HEAD~4")))
	nodes, err := r.RevList(context.Background(), []plumbing.Hash{tip}, []plumbing.Hash{old})
	if err != nil {
		t.Fatal(err)
	}
	// Every commit has the same date here, so only the set is compared.
	want := strings.Fields(gitRun(t, dir, nil, "rev-list", "master", "^"+old.String()))
	got := map[string]bool{}
	for _, n := range nodes {
		got[n.Hash.String()] = true
	}
	if len(nodes) != len(want) || len(want) != 4 {
		t.Fatalf("%d commits, git rev-list says %d (want 4)", len(nodes), len(want))
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("missing %s", w)
		}
	}
}
