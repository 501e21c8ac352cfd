package gitrepo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
)

// How a mirror is made or updated.
const (
	MirrorAuto  = "auto"   // the git CLI when it is on PATH (clone and fetch), go-git otherwise
	MirrorGoGit = "go-git" // go-git only
	MirrorGit   = "git"    // the git CLI only
)

// mirrorRefSpecs are the refs a mirror keeps: every branch and tag.
var mirrorRefSpecs = []config.RefSpec{"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"}

// MirrorResult says what Mirror did.
type MirrorResult struct {
	Cloned  bool // the mirror was made now
	Changed bool // the mirror's refs moved
	With    string
}

// Mirror makes dir a bare mirror of url (a remote URL, file:// URL or
// local path), cloning on first use and fetching after. Progress text goes
// to progress (may be nil). A half-made clone is never left behind: it is
// made in a temporary directory and renamed into place.
func Mirror(ctx context.Context, url, dir, how string, progress io.Writer) (MirrorResult, error) {
	if err := useStdlibSHA1(); err != nil {
		return MirrorResult{}, err
	}
	if how == "" {
		how = MirrorAuto
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return MirrorResult{}, fmt.Errorf("mirror %s: %w", url, err)
	}
	// Two projects may share a mirrors directory: one process at a time
	// makes or fetches a mirror, the other waits and then fetches.
	unlock, err := lockMirror(ctx, dir)
	if err != nil {
		return MirrorResult{}, fmt.Errorf("mirror %s: %w", url, err)
	}
	defer unlock()
	if _, err := os.Stat(filepath.Join(dir, "HEAD")); err == nil {
		return fetch(ctx, url, dir, how, progress)
	}
	if err := checkLocal(url); err != nil {
		return MirrorResult{}, err
	}
	useGit := how == MirrorGit
	if how == MirrorAuto {
		if _, err := exec.LookPath("git"); err == nil {
			useGit = true
		}
	}
	// A clone a killed run left half made is nobody's now: the lock says so.
	stale, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".partial-"+filepath.Base(dir)+"-*"))
	for _, p := range stale {
		os.RemoveAll(p)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".partial-"+filepath.Base(dir)+"-")
	if err != nil {
		return MirrorResult{}, fmt.Errorf("mirror %s: %w", url, err)
	}
	defer os.RemoveAll(tmp)
	res := MirrorResult{Cloned: true, Changed: true}
	if useGit {
		res.With = "git"
		if err := runGit(ctx, progress, "clone", "--mirror", "--quiet", url, tmp); err != nil {
			return MirrorResult{}, fmt.Errorf("mirror %s: %w", url, err)
		}
		// The walk reads commit headers from a commit-graph (commitgraph.go);
		// clone writes none. Without one the walk reads the commits, so a
		// failure here costs time, not the mirror.
		if err := runGit(ctx, nil, "--git-dir", tmp, "commit-graph", "write", "--reachable", "--no-progress"); err != nil && ctx.Err() != nil {
			return MirrorResult{}, fmt.Errorf("mirror %s: %w", url, err)
		}
	} else {
		res.With = "go-git"
		r, err := git.PlainInitWithOptions(tmp, &git.PlainInitOptions{Bare: true})
		if err != nil {
			return MirrorResult{}, fmt.Errorf("mirror %s: %w", url, err)
		}
		if _, err := r.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{url}, Fetch: mirrorRefSpecs, Mirror: true}); err != nil {
			return MirrorResult{}, fmt.Errorf("mirror %s: %w", url, err)
		}
		err = interruptible(ctx, func() error {
			return r.FetchContext(ctx, &git.FetchOptions{RemoteName: "origin", RefSpecs: mirrorRefSpecs, Tags: git.AllTags, Force: true, Progress: progress})
		})
		if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
			return MirrorResult{}, fmt.Errorf("mirror %s: %w", url, err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		return MirrorResult{}, fmt.Errorf("mirror %s: %w", url, err)
	}
	return res, nil
}

func fetch(ctx context.Context, url, dir, how string, progress io.Writer) (MirrorResult, error) {
	if err := checkLocal(url); err != nil {
		return MirrorResult{}, err
	}
	// At kernel size go-git's fetch takes about three times git's time
	// and twice its memory (BENCHMARKS.md, "Kernel scale"), and it writes
	// no commit-graph: auto fetches with the git CLI when it is there.
	useGit := how == MirrorGit
	if how == MirrorAuto {
		if _, err := exec.LookPath("git"); err == nil {
			useGit = true
		}
	}
	if useGit {
		// Fetch writes moved refs as loose refs next to packed-refs: what
		// changed is told by listing the refs before and after.
		before := listRefs(ctx, dir)
		if err := runGit(ctx, progress, "-c", "fetch.writeCommitGraph=true", "--git-dir", dir, "fetch", "--quiet", "--prune", url, "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"); err != nil {
			return MirrorResult{}, fmt.Errorf("fetch %s: %w", url, err)
		}
		return MirrorResult{Changed: !bytes.Equal(before, listRefs(ctx, dir)), With: "git"}, nil
	}
	r, err := git.PlainOpen(dir)
	if err != nil {
		return MirrorResult{}, fmt.Errorf("mirror %s: %w", dir, err)
	}
	rem, err := r.Remote("origin")
	if err != nil || len(rem.Config().URLs) == 0 || rem.Config().URLs[0] != url {
		// The project file may have changed the URL: follow it.
		_ = r.DeleteRemote("origin")
		if _, err := r.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{url}, Fetch: mirrorRefSpecs, Mirror: true}); err != nil {
			return MirrorResult{}, fmt.Errorf("mirror %s: %w", dir, err)
		}
	}
	// go-git's Prune reports a change on every fetch; a branch deleted
	// upstream therefore stays in the mirror, which is harmless.
	err = interruptible(ctx, func() error {
		return r.FetchContext(ctx, &git.FetchOptions{RemoteName: "origin", RefSpecs: mirrorRefSpecs, Tags: git.AllTags, Force: true, Progress: progress})
	})
	switch {
	case errors.Is(err, git.NoErrAlreadyUpToDate):
		return MirrorResult{With: "go-git"}, nil
	case err != nil:
		return MirrorResult{}, fmt.Errorf("fetch %s: %w", url, err)
	}
	return MirrorResult{Changed: true, With: "go-git"}, nil
}

// listRefs is every ref of the repository at dir with its target, as
// git for-each-ref prints them; nil when git cannot list them.
func listRefs(ctx context.Context, dir string) []byte {
	out, err := exec.CommandContext(ctx, "git", "--git-dir", dir, "for-each-ref", "--format=%(objectname) %(refname)").Output()
	if err != nil {
		return nil
	}
	return out
}

// checkLocal gives a plain error for a local path that is not a repository,
// before any transport tries it.
func checkLocal(url string) error {
	path := strings.TrimPrefix(url, "file://")
	if strings.Contains(path, "://") || strings.Contains(path, "@") && strings.Contains(path, ":") {
		return nil // remote
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("repository %s does not exist: %w", url, ErrNotRepository)
	}
	for _, p := range []string{filepath.Join(path, "HEAD"), filepath.Join(path, ".git")} {
		if _, err := os.Stat(p); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%s: %w", url, ErrNotRepository)
}

func runGit(ctx context.Context, progress io.Writer, args ...string) error {
	cmd := exec.CommandContext(ctx, "git", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if progress != nil {
		cmd.Stdout = progress
	}
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err() // interrupted: git was killed, which is not git failing
		}
		msg := gitMessage(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("git %s: %s", args[0], msg)
	}
	return nil
}

// maxGitMessage bounds what of git's stderr an error keeps.
const maxGitMessage = 2000

// gitMessage is what git said on stderr, whole, on one line: its lines
// (ssh's "connect to host ... Connection refused" comes before git's
// "fatal: Could not read from remote repository" and the advice after it)
// joined with spaces, without its progress ("Cloning into ...", counts
// redrawn with carriage returns) and hints, cut at maxGitMessage bytes.
func gitMessage(stderr string) string {
	var parts []string
	for _, line := range strings.FieldsFunc(stderr, func(r rune) bool { return r == '\n' || r == '\r' }) {
		line = strings.TrimSpace(line)
		switch {
		case line == "", strings.HasPrefix(line, "hint:"), strings.HasPrefix(line, "Cloning into"),
			strings.HasPrefix(line, "remote: Enumerating"), strings.HasPrefix(line, "remote: Counting"),
			strings.HasPrefix(line, "remote: Compressing"), strings.HasPrefix(line, "remote: Total"),
			strings.HasPrefix(line, "Receiving objects"), strings.HasPrefix(line, "Resolving deltas"):
			continue
		}
		parts = append(parts, line)
	}
	msg := strings.Join(parts, " ")
	if len(msg) > maxGitMessage {
		i := maxGitMessage
		for i > 0 && !utf8.RuneStart(msg[i]) {
			i--
		}
		msg = msg[:i] + " ..."
	}
	return msg
}

// interruptible runs fn, returning at once with ctx's error when ctx ends
// first: go-git's fetch from a local repository does not always look at
// its context, and an interrupted clone must stop within a second. fn
// goes on in the background until it notices; what it writes is in a
// temporary directory its caller removes.
func interruptible(ctx context.Context, fn func() error) error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// lockMirror takes the lock of the mirror at dir (a file in .locks next
// to it), waiting while another process holds it. The kernel releases it when
// the process dies, so a killed run leaves no stale lock.
func lockMirror(ctx context.Context, dir string) (func(), error) {
	locks := filepath.Join(filepath.Dir(dir), ".locks")
	if err := os.MkdirAll(locks, 0o755); err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	name := filepath.Join(locks, filepath.Base(dir)+".lock")
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", name, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
