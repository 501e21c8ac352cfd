package project

import (
	"regexp"
	"testing"
)

func TestMirrorKey(t *testing.T) {
	same := [][]string{
		{
			"https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git",
			"https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux",
			"https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux/",
			"https://GIT.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/",
			"git://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git",
			"https://user@git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git",
			"  https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git  ",
		},
		{
			"git@github.com:linux-rdma/rdma-core.git",
			"ssh://git@github.com/linux-rdma/rdma-core",
			"https://github.com/linux-rdma/rdma-core.git",
		},
		{
			"/srv/mirrors/rhel9-kernel.git",
			"/srv/mirrors/rhel9-kernel.git/",
			"/srv/mirrors/rhel9-kernel",
			"/srv/mirrors//rhel9-kernel/",
			"/srv/mirrors/./rhel9-kernel",
			"file:///srv/mirrors/rhel9-kernel.git",
			"file://localhost/srv/mirrors/rhel9-kernel/",
			"FILE:///srv/mirrors/rhel9-kernel",
		},
		{
			"/srv/work/linux/.git",
			"/srv/work/linux",
		},
	}
	keys := map[string]string{}
	safe := regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]*-[0-9a-f]{12}$`)
	for _, group := range same {
		want := MirrorKey(group[0])
		if !safe.MatchString(want) || len(want) > 60 {
			t.Errorf("MirrorKey(%q) = %q is not a safe directory name", group[0], want)
		}
		for _, u := range group[1:] {
			if got := MirrorKey(u); got != want {
				t.Errorf("MirrorKey(%q) = %q, want %q (as %q)", u, got, want, group[0])
			}
		}
		if other, dup := keys[want]; dup {
			t.Errorf("%q and %q share key %q", group[0], other, want)
		}
		keys[want] = group[0]
	}
	if got := MirrorKey(same[0][0]); got != "torvalds-linux-422de406fba7" {
		t.Errorf("MirrorKey changed: %q (mirrors on disk would be fetched again)", got)
	}

	different := [][2]string{
		{"/srv/a/linux", "/srv/b/linux"},
		{"https://example.org/linux", "https://example.com/linux"},
		{"https://example.org/linux", "/example.org/linux"},
		{"example.org/linux", "https://example.org/linux"}, // a relative local path
		{"C:/repos/linux", "D:/repos/linux"},
	}
	for _, d := range different {
		if MirrorKey(d[0]) == MirrorKey(d[1]) {
			t.Errorf("MirrorKey(%q) == MirrorKey(%q)", d[0], d[1])
		}
	}
	for _, u := range []string{"", "/", ".git", "::::", "https://", "file://", "a/../../..", "\x00/\xff"} {
		if k := MirrorKey(u); !safe.MatchString(k) {
			t.Errorf("MirrorKey(%q) = %q is not a safe directory name", u, k)
		}
	}
}

func TestIsRemote(t *testing.T) {
	for u, want := range map[string]bool{
		"https://x/y": true, "git@host:x": true, "ssh://h/x": true,
		"/srv/x": false, "x/y": false, "file:///x": false, "C:/x": false, "./a:b": false,
	} {
		if got := isRemote(u); got != want {
			t.Errorf("isRemote(%q) = %v", u, got)
		}
	}
}
