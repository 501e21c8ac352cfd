package snapshot

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// git runs git in dir and returns its output.
func git(t *testing.T, dir string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

// gitFiles parses `git ls-files -s` into Files (sizes left 0).
func gitFiles(t *testing.T, out []byte) []File {
	t.Helper()
	var fs []File
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var mode uint32
		var blob, stage, path string
		meta, path, ok := strings.Cut(line, "\t")
		if _, err := fmt.Sscanf(meta, "%o %s %s", &mode, &blob, &stage); err != nil || !ok {
			t.Fatalf("bad ls-files line %q", line)
		}
		fs = append(fs, File{Path: path, Blob: blob, Mode: mode})
	}
	return fs
}

func withoutSizes(fs []File) []File {
	fs = slices.Clone(fs)
	for i := range fs {
		fs[i].Size = 0
	}
	return fs
}

// TestAgainstGit checks Read against git itself: blob ids and modes equal
// what git records for the same tree, read as a directory, as the tar.gz
// that `git archive` makes, and as tarballs GNU tar and xz make.
func TestAgainstGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	work := t.TempDir()
	repo := filepath.Join(work, "repo")
	tree{
		"drivers/infiniband/hw/mlx5/main.c": "// SPDX\nint mlx5;\n",
		"drivers/infiniband/hw/mlx5/cq.c":   strings.Repeat("static int cq;\n", 5000),
		"scripts/checkpatch.pl":             "x:#!/usr/bin/perl\n",
		"include/rdma":                      "->../drivers/infiniband",
		"empty.txt":                         "",
		"crlf.txt":                          "a\r\nb\r\n",
		"binary.bin":                        "\x00\x01\x02\xff",
	}.build(t, repo)
	git(t, repo, "init", "-q")
	git(t, repo, "add", ".")
	git(t, repo, "commit", "-q", "-m", "x")
	want := gitFiles(t, git(t, repo, "ls-files", "-s"))

	check := func(name, path, stripped string) {
		t.Helper()
		s, err := Read(context.Background(), path, Limits{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s.Stripped != stripped || !slices.Equal(withoutSizes(s.Files), want) {
			t.Errorf("%s: stripped %q, files\n got %v\nwant %v", name, s.Stripped, s.Files, want)
		}
		for _, f := range s.Files {
			if f.Mode != ModeSymlink {
				continue
			}
			if got := strings.TrimSpace(string(git(t, repo, "cat-file", "-s", f.Blob))); got != fmt.Sprint(f.Size) {
				t.Errorf("%s: %s size %d, git says %s", name, f.Path, f.Size, got)
			}
		}
	}
	check("directory", repo, "")

	out := filepath.Join(work, "git-archive.tgz")
	git(t, repo, "archive", "--format=tar.gz", "--prefix=rdma-1.0/", "-o", out, "HEAD")
	check("git archive", out, "rdma-1.0")

	for _, f := range want {
		if f.Mode == ModeSymlink {
			continue
		}
		got := strings.TrimSpace(string(git(t, repo, "hash-object", filepath.FromSlash(f.Path))))
		if got != f.Blob {
			t.Errorf("git hash-object %s = %s, ls-files says %s", f.Path, got, f.Blob)
		}
	}

	if _, err := exec.LookPath("tar"); err != nil {
		return
	}
	for _, c := range []struct{ name, flag string }{{"gnu tar", ""}, {"gnu tar gzip", "-z"}, {"gnu tar xz", "-J"}} {
		p := filepath.Join(work, strings.ReplaceAll(c.name, " ", "-"))
		args := []string{"-c", "--exclude=.git", "-f", p, "repo"}
		if c.flag != "" {
			args = append([]string{c.flag}, args...)
		}
		cmd := exec.Command("tar", args...)
		cmd.Dir = work
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Logf("%s: %v %s", c.name, err, out)
			continue
		}
		check(c.name, p, "repo")
	}
}

// TestXZTool reads tarballs made by the xz program with its settings that
// change the structure of the file: several blocks (-T2 with small
// blocks), each kind of check, several streams one after the other.
func TestXZTool(t *testing.T) {
	if _, err := exec.LookPath("xz"); err != nil {
		t.Skip("no xz")
	}
	var ents []ent
	for i := range 50 {
		ents = append(ents, file(fmt.Sprintf("d/f%02d", i), strings.Repeat(fmt.Sprintf("line %d\n", i), 3000)))
	}
	raw := tarOf(t, ents...)
	xzRun := func(in []byte, args ...string) []byte {
		cmd := exec.Command("xz", append([]string{"-c"}, args...)...)
		cmd.Stdin = bytes.NewReader(in)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("xz %v: %v", args, err)
		}
		return out
	}
	cases := map[string][]byte{
		"default":        xzRun(raw),
		"-9e":            xzRun(raw, "-9e"),
		"blocks":         xzRun(raw, "-T2", "--block-size=64KiB"),
		"check none":     xzRun(raw, "--check=none"),
		"check crc32":    xzRun(raw, "--check=crc32"),
		"check sha256":   xzRun(raw, "--check=sha256"),
		"two streams":    append(xzRun(raw[:100000]), xzRun(raw[100000:])...),
		"stream padding": append(append(xzRun(raw[:100000]), 0, 0, 0, 0), append(xzRun(raw[100000:]), make([]byte, 8)...)...),
	}
	for name, data := range cases {
		p := writeTemp(t, "x.txz", data)
		s, err := Read(context.Background(), p, Limits{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if s.Stripped != "d" || len(s.Files) != 50 || s.Files[7].Blob != blobID([]byte(ents[7].body)) {
			t.Errorf("%s: got %q %d files", name, s.Stripped, len(s.Files))
		}
	}
	// Bad stream padding (not a multiple of 4) is refused, as xz -d does.
	p := writeTemp(t, "x.txz", append(xzRun(raw), 0, 0))
	if _, err := Read(context.Background(), p, Limits{}); err == nil || !strings.Contains(err.Error(), "padding") {
		t.Errorf("bad padding: err = %v", err)
	}
}
