package gitrepo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A clone from an ssh:// URL that cannot be reached says what ssh and git
// said, whole: ssh's reason first, then git's, and its advice. It said
// only git's last line, "and the repository exists.".
func TestMirrorOfAnUnreachableURLSaysWhy(t *testing.T) {
	dir := t.TempDir()
	// ssh as an unreachable host makes it: it says why on stderr, exits 255.
	fakeSSH := filepath.Join(dir, "ssh")
	script := "#!/bin/sh\necho 'ssh: connect to host git.example.invalid port 22: Connection refused' >&2\nexit 255\n"
	if err := os.WriteFile(fakeSSH, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GIT_SSH_COMMAND", fakeSSH)
	_, err := Mirror(context.Background(), "ssh://git@git.example.invalid/linux.git", filepath.Join(dir, "mirror"), MirrorGit, nil)
	if err == nil {
		t.Fatal("the clone of an unreachable URL succeeded")
	}
	msg := err.Error()
	for _, want := range []string{"Connection refused", "Could not read from remote repository", "and the repository exists"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error lacks %q: %s", want, msg)
		}
	}
	if strings.ContainsAny(msg, "\n\r") {
		t.Errorf("the error is not one line: %q", msg)
	}
	if strings.Index(msg, "Connection refused") > strings.Index(msg, "Could not read") {
		t.Errorf("ssh's reason should come first: %s", msg)
	}
}

func TestGitMessage(t *testing.T) {
	tests := []struct{ stderr, want string }{
		{"", ""},
		{"fatal: repository 'x' not found\n", "fatal: repository 'x' not found"},
		{"Cloning into bare repository '/tmp/x'...\nssh: connect to host h port 22: No route to host\r\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n",
			"ssh: connect to host h port 22: No route to host fatal: Could not read from remote repository. Please make sure you have the correct access rights and the repository exists."},
		{"Receiving objects:  10% (1/10)\rReceiving objects: 100% (10/10)\nhint: use --force\nerror: object file is empty\n", "error: object file is empty"},
		{strings.Repeat("x", 3000), strings.Repeat("x", maxGitMessage) + " ..."},
	}
	for _, tc := range tests {
		if got := gitMessage(tc.stderr); got != tc.want {
			t.Errorf("gitMessage(%.60q) = %.80q, want %.80q", tc.stderr, got, tc.want)
		}
	}
}
