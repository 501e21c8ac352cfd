package mbox

import (
	"compress/flate"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-billy/v5/osfs"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// isPublicInbox reports whether dir looks like a public-inbox: a v2 inbox
// (git/N.git epochs) or a v1 one (a git repository).
func isPublicInbox(dir string) bool {
	return len(epochs(dir)) > 0 || gitDir(dir) != ""
}

// epochs returns the epoch repositories of a v2 inbox, in epoch order.
func epochs(dir string) []string {
	entries, err := os.ReadDir(filepath.Join(dir, "git"))
	if err != nil {
		return nil
	}
	type epoch struct {
		n    int
		path string
	}
	var es []epoch
	for _, e := range entries {
		num, ok := strings.CutSuffix(e.Name(), ".git")
		if !ok || !e.IsDir() {
			continue
		}
		n, err := strconv.Atoi(num)
		if err != nil || n < 0 {
			continue
		}
		es = append(es, epoch{n, filepath.Join(dir, "git", e.Name())})
	}
	sort.Slice(es, func(i, j int) bool { return es[i].n < es[j].n })
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.path
	}
	return out
}

// gitDir returns the git directory of dir (dir itself when bare, dir/.git
// otherwise), or "" when dir is not a git repository.
func gitDir(dir string) string {
	for _, d := range []string{dir, filepath.Join(dir, ".git")} {
		if fi, err := os.Stat(filepath.Join(d, "HEAD")); err == nil && fi.Mode().IsRegular() && isDir(filepath.Join(d, "objects")) {
			return d
		}
	}
	return ""
}

// ReadPublicInbox reads a public-inbox archive at path, as cloned from
// lore.kernel.org: a v2 inbox (a directory whose git/0.git, git/1.git ...
// epochs hold one commit per message, each commit's tree a single blob "m",
// or "d" for a message removed later: the removed message, which the walk
// then drops), or a v1 inbox (one bare repository whose tree holds every
// message at a path made from the SHA-1 of its Message-ID, "ab/cdef..."; a
// removal deletes the path). A single epoch repository is read as v2.
// Messages come in archive order (v1: by date). Errors are *Error naming
// the repository and the commit.
//
// A clone that lacks objects is read around them: a message whose blob or
// tree is missing is a Skip, and so is a missing commit of an epoch's
// history, before which that epoch is not read.
func ReadPublicInbox(path string) ([]Message, []Skip, error) {
	r := &piReader{byBlob: map[plumbing.Hash]int{}, byID: map[string][]int{}}
	if eps := epochs(path); len(eps) > 0 {
		for _, ep := range eps {
			if err := r.repo(ep, true); err != nil {
				return nil, nil, err
			}
		}
	} else {
		d := gitDir(path)
		if d == "" {
			return nil, nil, &Error{File: path, Msg: "not a public-inbox: expected a git repository or a directory with git/0.git"}
		}
		if err := r.repo(d, false); err != nil {
			return nil, nil, err
		}
	}
	out := make([]Message, 0, len(r.msgs))
	for i := range r.msgs {
		if r.alive[i] {
			out = append(out, r.msgs[i])
		}
	}
	if r.sortByDate {
		sort.SliceStable(out, func(i, j int) bool {
			if !out[i].Date.Equal(out[j].Date) {
				return out[i].Date.Before(out[j].Date)
			}
			return out[i].MessageID < out[j].MessageID
		})
	}
	return out, r.skips, nil
}

// piReader holds the state of one ReadPublicInbox: the messages read so far
// over all epochs, how to find one a later "d" removes, and what could not
// be read.
type piReader struct {
	msgs       []Message
	alive      []bool
	byBlob     map[plumbing.Hash]int
	byID       map[string][]int
	sortByDate bool
	skips      []Skip
}

// skip records what a damaged clone lacks, when err says an object is
// missing or unreadable, and reports whether it did; other errors are the
// caller's.
func (p *piReader) skip(dir string, commit plumbing.Hash, object string, err error, what string) bool {
	if !missing(err) {
		return false
	}
	sk := Skip{File: dir, Object: object, Reason: fmt.Sprintf("%s: %v; %s", object, err, what)}
	if !commit.IsZero() {
		sk.Commit = commit.String()
	}
	p.skips = append(p.skips, sk)
	return true
}

// missing reports whether err is an object a clone should hold but could
// not read: absent, or corrupt.
func missing(err error) bool {
	var ce flate.CorruptInputError
	return errors.Is(err, plumbing.ErrObjectNotFound) || errors.Is(err, zlib.ErrChecksum) || errors.Is(err, zlib.ErrHeader) ||
		errors.As(err, &ce) || errors.Is(err, io.ErrUnexpectedEOF)
}

// repo reads one repository: a v2 epoch (v2 known), or an inbox of either
// version.
func (p *piReader) repo(dir string, v2 bool) error {
	st := filesystem.NewStorageWithOptions(osfs.New(dir), cache.NewObjectLRUDefault(),
		filesystem.Options{KeepDescriptors: true})
	defer st.Close()
	r, err := git.Open(st, nil)
	if err != nil {
		return &Error{File: dir, Msg: "expected a git repository: " + err.Error(), Err: err}
	}
	tip, ok, err := tipCommit(r)
	if err != nil {
		return &Error{File: dir, Msg: err.Error(), Err: err}
	}
	if !ok {
		return nil // an epoch with no commit yet
	}
	if v2 {
		return p.walk(r, dir, tip)
	}
	c, err := r.CommitObject(tip)
	if err != nil {
		return &Error{File: dir, Msg: fmt.Sprintf("commit %s: %v", tip, err), Err: err}
	}
	tree, err := c.Tree()
	if err != nil {
		return &Error{File: dir, Msg: fmt.Sprintf("commit %s: tree: %v", tip, err), Err: err}
	}
	if isV2Tree(tree) {
		return p.walk(r, dir, tip)
	}
	p.sortByDate = true
	return p.v1Tree(r, dir, tip, tree)
}

// tipCommit returns the commit of HEAD, else of refs/heads/master, else of
// the first branch by name; ok is false in a repository without commits.
func tipCommit(r *git.Repository) (plumbing.Hash, bool, error) {
	if ref, err := r.Head(); err == nil {
		return ref.Hash(), true, nil
	}
	if ref, err := r.Reference(plumbing.NewBranchReferenceName("master"), true); err == nil {
		return ref.Hash(), true, nil
	}
	iter, err := r.Branches()
	if err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("branches: %w", err)
	}
	var names []string
	hashes := map[string]plumbing.Hash{}
	_ = iter.ForEach(func(ref *plumbing.Reference) error {
		names = append(names, ref.Name().String())
		hashes[ref.Name().String()] = ref.Hash()
		return nil
	})
	if len(names) == 0 {
		return plumbing.ZeroHash, false, nil
	}
	sort.Strings(names)
	return hashes[names[0]], true, nil
}

// isV2Tree reports whether a tree is a v2 epoch's: a single blob "m" or "d".
func isV2Tree(t *object.Tree) bool {
	return len(t.Entries) == 1 && (t.Entries[0].Name == "m" || t.Entries[0].Name == "d") && t.Entries[0].Mode.IsFile()
}

// walk reads a v2 epoch: the first-parent history from tip, oldest first.
func (p *piReader) walk(r *git.Repository, dir string, tip plumbing.Hash) error {
	var chain []plumbing.Hash
	for h := tip; ; {
		if len(chain) > 2*MaxMessages {
			return &Error{File: dir, Msg: fmt.Sprintf("more than %d commits", 2*MaxMessages)}
		}
		c, err := r.CommitObject(h)
		if p.skip(dir, h, "commit "+h.String(), err, "it and the messages before it in this epoch not read") {
			break
		}
		if err != nil {
			return &Error{File: dir, Msg: fmt.Sprintf("commit %s: %v", h, err), Err: err}
		}
		chain = append(chain, h)
		if len(c.ParentHashes) == 0 {
			break
		}
		h = c.ParentHashes[0]
	}
	for i := len(chain) - 1; i >= 0; i-- {
		h := chain[i]
		c, err := r.CommitObject(h)
		if err != nil {
			return &Error{File: dir, Msg: fmt.Sprintf("commit %s: %v", h, err), Err: err}
		}
		tree, err := r.TreeObject(c.TreeHash)
		if p.skip(dir, h, "tree "+c.TreeHash.String(), err, "the message of commit "+h.String()+" not read") {
			continue
		}
		if err != nil {
			return &Error{File: dir, Msg: fmt.Sprintf("commit %s: tree: %v", h, err), Err: err}
		}
		for _, e := range tree.Entries {
			if !e.Mode.IsFile() {
				continue
			}
			var err error
			switch e.Name {
			case "m":
				err = p.add(r, dir, h, e.Hash)
			case "d":
				err = p.remove(r, dir, h, e.Hash)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// v1Tree reads every message blob of a v1 inbox's tree.
func (p *piReader) v1Tree(r *git.Repository, dir string, tip plumbing.Hash, tree *object.Tree) error {
	walker := object.NewTreeWalker(tree, true, nil)
	defer walker.Close()
	found := false
	for {
		name, e, err := walker.Next()
		if errors.Is(err, io.EOF) {
			if !found && len(tree.Entries) > 0 {
				return &Error{File: dir, Msg: fmt.Sprintf("commit %s: not a public-inbox: its tree holds neither a blob \"m\" nor messages at \"ab/cdef...\" paths", tip)}
			}
			return nil
		}
		if err != nil {
			return &Error{File: dir, Msg: fmt.Sprintf("commit %s: tree: %v", tip, err), Err: err}
		}
		if !e.Mode.IsFile() || !v1Path(name) {
			continue
		}
		found = true
		if err := p.add(r, dir, tip, e.Hash); err != nil {
			return err
		}
	}
}

// v1Path reports whether a tree path is a v1 message's: "ab/" and 38 hex
// digits.
func v1Path(name string) bool {
	dir, file, ok := strings.Cut(name, "/")
	return ok && len(dir) == 2 && len(file) == 38 && isHex(dir) && isHex(file)
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// readBlob returns a message blob's bytes.
func readBlob(r *git.Repository, dir string, commit, h plumbing.Hash) ([]byte, error) {
	b, err := r.BlobObject(h)
	if err != nil {
		return nil, &Error{File: dir, Msg: fmt.Sprintf("commit %s: blob %s: %v", commit, h, err), Err: err}
	}
	if b.Size > MaxMessageSize {
		return nil, &Error{File: dir, Msg: fmt.Sprintf("commit %s: message larger than %d bytes", commit, MaxMessageSize)}
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, &Error{File: dir, Msg: fmt.Sprintf("commit %s: blob %s: %v", commit, h, err), Err: err}
	}
	defer rd.Close()
	raw, err := io.ReadAll(io.LimitReader(rd, MaxMessageSize+1))
	if err != nil {
		return nil, &Error{File: dir, Msg: fmt.Sprintf("commit %s: blob %s: %v", commit, h, err), Err: err}
	}
	return raw, nil
}

// add reads a message blob.
func (p *piReader) add(r *git.Repository, dir string, commit, h plumbing.Hash) error {
	if len(p.msgs) >= MaxMessages {
		return &Error{File: dir, Msg: fmt.Sprintf("commit %s: more than %d messages", commit, MaxMessages)}
	}
	raw, err := readBlob(r, dir, commit, h)
	var e *Error
	if errors.As(err, &e) && p.skip(dir, commit, "blob "+h.String(), e.Err, "the message of commit "+commit.String()+" not read") {
		return nil
	}
	if err != nil {
		return err
	}
	m := parseMessage(raw, dir, 0)
	i := len(p.msgs)
	p.msgs = append(p.msgs, m)
	p.alive = append(p.alive, true)
	p.byBlob[h] = i
	if m.MessageID != "" {
		p.byID[m.MessageID] = append(p.byID[m.MessageID], i)
	}
	return nil
}

// remove drops the message a "d" blob names: the one stored as the same
// blob, else the latest with the same Message-ID.
func (p *piReader) remove(r *git.Repository, dir string, commit, h plumbing.Hash) error {
	if i, ok := p.byBlob[h]; ok && p.alive[i] {
		p.alive[i] = false
		return nil
	}
	raw, err := readBlob(r, dir, commit, h)
	var e *Error
	if errors.As(err, &e) && p.skip(dir, commit, "blob "+h.String(), e.Err, "the removal of commit "+commit.String()+" not applied") {
		return nil
	}
	if err != nil {
		return err
	}
	hd, _ := parseHeader(raw)
	id := firstMsgID(hd.get("message-id"))
	idx := p.byID[id]
	for k := len(idx) - 1; k >= 0; k-- {
		if p.alive[idx[k]] {
			p.alive[idx[k]] = false
			break
		}
	}
	return nil
}
