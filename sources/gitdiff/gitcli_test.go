package gitdiff

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// requireGit skips the test when no git binary is available.
func requireGit(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not on PATH; skipping differential test")
	}
}

// gitEnv isolates git from the user's and the system's configuration so
// that e.g. diff.algorithm or core.autocrlf cannot change the output.
func gitEnv(home string) []string {
	env := []string{}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GIT_") || strings.HasPrefix(kv, "HOME=") ||
			strings.HasPrefix(kv, "XDG_CONFIG_HOME=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"HOME="+home,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL="+os.DevNull,
		"LC_ALL=C",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com",
		"GIT_AUTHOR_DATE=2020-01-01T00:00:00Z",
		"GIT_COMMITTER_DATE=2020-01-01T00:00:00Z",
	)
}

// runGit runs git in dir and returns its stdout. okCodes lists the exit
// codes besides 0 that are not errors.
func runGit(t testing.TB, dir string, okCodes []int, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv(dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		for _, c := range okCodes {
			if ee.ExitCode() == c {
				err = nil
			}
		}
	}
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// gitDiffer runs `git diff --no-index` on pairs of buffers in one
// scratch directory.
type gitDiffer struct {
	t   testing.TB
	dir string
}

func newGitDiffer(t testing.TB) *gitDiffer {
	requireGit(t)
	return &gitDiffer{t: t, dir: t.TempDir()}
}

// hunks returns git's output for a -> b with the header lines before the
// first hunk removed and function names stripped from hunk headers, i.e.
// what Unified is specified to produce.
func (g *gitDiffer) hunks(a, b []byte) []byte {
	g.t.Helper()
	if err := os.WriteFile(filepath.Join(g.dir, "old"), a, 0o644); err != nil {
		g.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(g.dir, "new"), b, 0o644); err != nil {
		g.t.Fatal(err)
	}
	out := runGit(g.t, g.dir, []int{1}, "diff", "--no-index", "--no-color",
		"--indent-heuristic", "-U3", "old", "new")
	return stripGitHeaders(out)
}

func stripGitHeaders(out []byte) []byte {
	var res []byte
	inHunks := false
	for len(out) > 0 {
		line := out
		if i := bytes.IndexByte(out, '\n'); i >= 0 {
			line, out = out[:i+1], out[i+1:]
		} else {
			out = nil
		}
		if bytes.HasPrefix(line, []byte("@@ -")) {
			inHunks = true
			rest := line[len("@@ -"):]
			if i := bytes.Index(rest, []byte(" @@")); i >= 0 {
				line = append(append([]byte("@@ -"), rest[:i]...), " @@\n"...)
			}
		}
		if inHunks {
			res = append(res, line...)
		}
	}
	return res
}

// firstDifference describes where two outputs diverge, for test failures.
func firstDifference(got, want []byte) string {
	gl := strings.SplitAfter(string(got), "\n")
	wl := strings.SplitAfter(string(want), "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			lo := max(0, i-3)
			return fmt.Sprintf("first difference at output line %d:\n got: %q\nwant: %q\ncontext (want): %q",
				i+1, g, w, wl[lo:min(len(wl), i+4)])
		}
	}
	return "identical"
}
