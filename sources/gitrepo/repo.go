// Package gitrepo reads git repositories for kdelta: it mirrors them
// (go-git, or the git CLI for a first clone), resolves refs and tags, walks
// history like `git rev-list --full-history`, and diffs commits against
// their parent with its own tree diff, pruned to the paths in scope, so
// that fingerprints agree with `git log -p | git patch-id --stable`.
// It reads git objects itself (objects.go, packfile.go: pack indexes in
// place, packs with pread, a bounded cache of delta bases), so that memory
// does not grow with the number of objects; go-git reads refs and config
// and fetches.
package gitrepo

import (
	"crypto"
	"crypto/sha1"
	"errors"
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/go-git/go-billy/v5/osfs"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	commitgraph "github.com/go-git/go-git/v5/plumbing/format/commitgraph/v2"
	"github.com/go-git/go-git/v5/plumbing/hash"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// useStdlibSHA1 registers the standard library's SHA-1 with go-git in
// place of its collision-detecting one: objects read here come from
// mirrors git itself verified, and the plain hash is measurably faster.
var useStdlibSHA1 = sync.OnceValue(func() error {
	return hash.RegisterHash(crypto.SHA1, sha1.New)
})

// Errors callers may test with errors.Is.
var (
	ErrUnknownRef    = errors.New("unknown ref")
	ErrNotRepository = errors.New("not a git repository")
	ErrDamaged       = errors.New("repository damaged or incomplete")
)

// DamagedError is an object the repository should have but that could not
// be read. It is ErrDamaged for errors.Is.
type DamagedError struct {
	Object string // the object and what it is: "commit 1f3e...", "blob 9a0c... (drivers/infiniband/core/cma.c)"
	Err    error  // what reading it said
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("%s: %v: %v", e.Object, ErrDamaged, e.Err)
}

// Unwrap gives ErrDamaged and the read error.
func (e *DamagedError) Unwrap() []error { return []error{ErrDamaged, e.Err} }

// damaged wraps an error reading an object the repository should have.
func damaged(what string, err error) error {
	return &DamagedError{Object: what, Err: err}
}

// Repo is an opened (bare or non-bare) repository. It is for one
// goroutine at a time: a worker gets its own handle from Worker, which
// shares the object store (objects.go: the mapped indexes, the delta base
// cache) that reads every object gitrepo reads; go-git is kept for refs,
// config and fetching.
type Repo struct {
	Path  string
	r     *git.Repository
	st    *filesystem.Storage
	obj   *objectStore
	trees treeCache
	nodes map[plumbing.Hash]*Node

	graph      commitgraph.Index // see commitgraph.go; nil when absent
	graphTried bool

	abbrevOnce sync.Once
	abbrevLen  int
}

// cacheSize bounds go-git's object cache, which only what is left of
// go-git's object reading uses (a fetch, a caller of object.Commit's
// methods): objects.go reads the objects.
const cacheSize = 4 * cache.MiByte

// largeObject is the size above which go-git hands out a blob without
// reading it.
const largeObject = 4 << 20

// Open opens the repository at path (a bare repository or a work tree).
func Open(path string) (*Repo, error) { return open(path, nil) }

// open opens the repository at path with the object store obj, or a store
// of its own when obj is nil.
func open(path string, obj *objectStore) (*Repo, error) {
	if err := useStdlibSHA1(); err != nil {
		return nil, err
	}
	gitDir := path
	if fi, err := os.Stat(filepath.Join(path, ".git")); err == nil && fi.IsDir() {
		gitDir = filepath.Join(path, ".git")
	}
	if _, err := os.Stat(filepath.Join(gitDir, "HEAD")); err != nil {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("repository %s does not exist: %w", path, ErrNotRepository)
		}
		return nil, fmt.Errorf("%s: %w (no HEAD)", path, ErrNotRepository)
	}
	st := filesystem.NewStorageWithOptions(osfs.New(gitDir), cache.NewObjectLRU(cacheSize),
		filesystem.Options{ExclusiveAccess: true, KeepDescriptors: true, LargeObjectThreshold: largeObject})
	r, err := git.Open(st, nil)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("repository %s: %v: %w", path, err, ErrNotRepository)
	}
	if obj == nil {
		if obj, err = openStore(filepath.Join(gitDir, "objects"), 0); err != nil {
			st.Close()
			return nil, fmt.Errorf("repository %s: %w: %w", path, err, ErrDamaged)
		}
		obj.refs = 1
	} else {
		obj.acquire()
	}
	return &Repo{Path: path, r: r, st: st, obj: obj}, nil
}

// Worker opens another handle on the repository for another goroutine
// (a diff worker of a sync): its own caches, and the object store of r,
// so that the indexes are mapped once and one delta base cache serves
// all. Close it as any Repo; the store closes with the last handle.
func (r *Repo) Worker() (*Repo, error) {
	if r.obj == nil {
		return nil, fmt.Errorf("repository %s: closed", r.Path)
	}
	return open(r.Path, r.obj)
}

// Close releases the repository's files.
func (r *Repo) Close() error {
	if r.obj == nil {
		return nil // closed already
	}
	r.closeGraph()
	err := r.obj.release()
	r.obj = nil
	if e := r.st.Close(); err == nil {
		err = e
	}
	return err
}

// Resolve turns a ref name (branch, tag, full ref name, or commit id) into
// the commit it names, peeling annotated tags.
func (r *Repo) Resolve(name string) (plumbing.Hash, error) {
	candidates := []plumbing.ReferenceName{
		plumbing.ReferenceName(name),
		plumbing.NewBranchReferenceName(name),
		plumbing.NewTagReferenceName(name),
		plumbing.NewRemoteReferenceName("origin", name),
	}
	for _, c := range candidates {
		ref, err := r.r.Reference(c, true)
		if err != nil {
			continue
		}
		return r.peel(ref.Hash())
	}
	if len(name) >= 4 && len(name) <= 40 && isHex(name) {
		if len(name) == 40 {
			h := plumbing.NewHash(name)
			if _, _, err := r.obj.info(h); errors.Is(err, plumbing.ErrObjectNotFound) {
				return plumbing.ZeroHash, fmt.Errorf("%s: no such commit: %w in %s", name, ErrUnknownRef, r.Path)
			}
			return r.peel(h)
		}
		// An abbreviated id: the one object with the prefix that is, or
		// peels to, a commit.
		var found plumbing.Hash
		n := 0
		for _, h := range r.obj.withPrefix(name) {
			if c, err := r.peel(h); err == nil && c != found {
				found = c
				n++
			}
		}
		if n == 1 {
			return found, nil
		}
	}
	return plumbing.ZeroHash, fmt.Errorf("%s: %w in %s", name, ErrUnknownRef, r.Path)
}

// peel follows annotated tags to the commit they name.
func (r *Repo) peel(h plumbing.Hash) (plumbing.Hash, error) {
	for i := 0; i < 10; i++ {
		typ, _, err := r.obj.info(h)
		if err != nil {
			return plumbing.ZeroHash, damaged("object "+h.String(), err)
		}
		switch typ {
		case plumbing.CommitObject:
			return h, nil
		case plumbing.TagObject:
			_, data, err := r.obj.read(h, noLimit)
			if err != nil {
				return plumbing.ZeroHash, damaged("tag "+h.String(), err)
			}
			target, err := parseTagTarget(data)
			if err != nil {
				return plumbing.ZeroHash, fmt.Errorf("tag %s: %w", h, err)
			}
			h = target
		default:
			return plumbing.ZeroHash, fmt.Errorf("%s is a %s, not a commit", h, typ)
		}
	}
	return plumbing.ZeroHash, fmt.Errorf("tag chain at %s too long", h)
}

// Tag is a tag and the commit it names.
type Tag struct {
	Name   string
	Commit plumbing.Hash
}

// Tags lists the tags that name commits, sorted by name.
func (r *Repo) Tags() ([]Tag, error) {
	iter, err := r.r.Tags()
	if err != nil {
		return nil, fmt.Errorf("tags of %s: %w", r.Path, err)
	}
	var out []Tag
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		c, err := r.peel(ref.Hash())
		if err != nil {
			return nil // a tag of a tree or blob is not a release
		}
		out = append(out, Tag{Name: ref.Name().Short(), Commit: c})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("tags of %s: %w", r.Path, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Commit reads one commit.
func (r *Repo) Commit(h plumbing.Hash) (*object.Commit, error) {
	data, err := r.read(h, plumbing.CommitObject)
	if err != nil {
		return nil, damaged("commit "+h.String(), err)
	}
	obj := &plumbing.MemoryObject{}
	obj.SetType(plumbing.CommitObject)
	obj.SetSize(int64(len(data)))
	if _, err := obj.Write(data); err != nil {
		return nil, damaged("commit "+h.String(), err)
	}
	c, err := object.DecodeCommit(r.r.Storer, obj)
	if err != nil {
		return nil, damaged("commit "+h.String(), err)
	}
	c.Hash = h
	return c, nil
}

// read reads object h, which must be of type want.
func (r *Repo) read(h plumbing.Hash, want plumbing.ObjectType) ([]byte, error) {
	typ, data, err := r.obj.read(h, noLimit)
	if err != nil {
		return nil, err
	}
	if typ != want {
		return nil, fmt.Errorf("is a %s, not a %s", typ, want)
	}
	return data, nil
}

// Abbrev abbreviates an object id the way `git log -p` does on its
// "index" lines: the length git derives from the number of packed objects
// (at least 7), lengthened until no other object shares the prefix.
func (r *Repo) Abbrev(h plumbing.Hash) string {
	r.abbrevOnce.Do(func() { r.abbrevLen = r.defaultAbbrev() })
	full := h.String()
	n := r.abbrevLen
	if h.IsZero() {
		return full[:n]
	}
	for ; n < len(full); n++ {
		if r.unique(full[:n], h) {
			break
		}
	}
	return full[:n]
}

// defaultAbbrev is git's automatic abbreviation length: half the bits of
// the packed object count, rounded up, in hex digits; at least 7.
func (r *Repo) defaultAbbrev() int {
	count := uint64(r.obj.packedCount())
	if count == 0 {
		return 7
	}
	b := bits.Len64(count) // msb(count) + 1
	n := (b + 1) / 2
	return max(n, 7)
}

// unique says whether prefix names only h among the repository's objects.
func (r *Repo) unique(prefix string, h plumbing.Hash) bool {
	for _, o := range r.obj.withPrefix(prefix) {
		if o != h && strings.HasPrefix(o.String(), prefix) {
			return false
		}
	}
	return true
}

func (r *Repo) gitDir() string {
	if fi, err := os.Stat(filepath.Join(r.Path, ".git")); err == nil && fi.IsDir() {
		return filepath.Join(r.Path, ".git")
	}
	return r.Path
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// Has says whether the repository holds the commit h.
func (r *Repo) Has(h plumbing.Hash) bool {
	typ, _, err := r.obj.info(h)
	return err == nil && typ == plumbing.CommitObject
}
