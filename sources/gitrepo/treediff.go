package gitrepo

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/kdelta/kdelta/sources/fingerprint"
	"github.com/kdelta/kdelta/sources/gitdiff"
)

// Scope limits a walk to the paths under some prefixes, as a pathspec
// does for `git log -- paths`. A prefix ending in "/" names a directory;
// any other names one file. An empty Scope covers everything.
type Scope struct {
	prefixes []string
	// kids maps each directory on the way to a prefix, and not itself in
	// a directory prefix, to the names in it that lead to a prefix: the
	// tree diff looks only at those entries there ("drivers" and
	// "include" of the kernel's root tree), not at every entry.
	kids map[string][]string
}

// NewScope returns the scope of the given prefixes.
func NewScope(prefixes []string) *Scope {
	s := &Scope{kids: map[string][]string{}}
	for _, p := range prefixes {
		if p == "" || p == "/" {
			return &Scope{}
		}
		s.prefixes = append(s.prefixes, strings.TrimPrefix(p, "/"))
	}
	for _, p := range s.prefixes {
		parts := strings.Split(strings.TrimSuffix(p, "/"), "/")
		for i := range parts {
			dir := strings.Join(parts[:i], "/")
			if !slices.Contains(s.kids[dir], parts[i]) {
				s.kids[dir] = append(s.kids[dir], parts[i])
			}
		}
	}
	for dir := range s.kids {
		for _, p := range s.prefixes {
			if strings.HasSuffix(p, "/") && strings.HasPrefix(dir+"/", p) {
				delete(s.kids, dir) // all of it is in scope
				break
			}
		}
	}
	return s
}

// children returns the names in directory dir (no trailing slash; ""
// for the root) that can lead to something in scope, or false when any
// name there can. Only for a directory descend accepts.
func (s *Scope) children(dir string) ([]string, bool) {
	names, ok := s.kids[dir]
	return names, ok
}

// Pathspec returns the prefixes as `git log -- <paths>` arguments.
func (s *Scope) Pathspec() []string {
	var out []string
	for _, p := range s.prefixes {
		out = append(out, strings.TrimSuffix(p, "/"))
	}
	return out
}

func (s *Scope) all() bool { return len(s.prefixes) == 0 }

// descend says whether a directory (without trailing slash) can hold
// something in scope.
func (s *Scope) descend(dir string) bool {
	if s.all() {
		return true
	}
	d := dir + "/"
	for _, p := range s.prefixes {
		if strings.HasPrefix(p, d) || strings.HasPrefix(d, p) && strings.HasSuffix(p, "/") {
			return true
		}
	}
	return false
}

// covers says whether a file path is in scope.
func (s *Scope) covers(path string) bool {
	if s.all() {
		return true
	}
	for _, p := range s.prefixes {
		if strings.HasSuffix(p, "/") {
			if strings.HasPrefix(path, p) {
				return true
			}
		} else if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// entry is one side of a changed path.
type entry struct {
	path string
	mode filemode.FileMode
	hash plumbing.Hash
}

func (e entry) valid() bool { return e.mode != 0 }

type pair struct {
	from, to entry
	score    int // rename similarity, gitdiff.MaxScore scale
}

// Limits bound what Diff will read; beyond them the commit is reported as
// too large rather than fingerprinted.
type Limits struct {
	MaxBlob  int64 // bytes of one file version
	MaxTotal int64 // bytes of all file versions of one commit
}

// DefaultLimits are generous for source code and keep a pathological
// commit (a huge generated table, a firmware image) from exhausting memory.
var DefaultLimits = Limits{MaxBlob: 32 << 20, MaxTotal: 256 << 20}

// TooLargeError says a commit's diff was not read because of Limits.
type TooLargeError struct{ What string }

func (e *TooLargeError) Error() string { return e.What }

// tree is a tree object's bytes, checked once by checkTree: entries of
// "<octal mode> <name>\0" and a 20-byte id. The diff reads the entries
// from the bytes as it goes, so a tree costs no allocation beyond its
// bytes (decoding go-git's object.Tree was 145 MB of allocations on the
// kernel-mini world's walk).
type tree []byte

// treeEntry is one entry of a tree. Name points into the tree's bytes.
type treeEntry struct {
	Name []byte
	Mode filemode.FileMode
	Hash plumbing.Hash
}

// cursor walks the entries of a tree in order: only those named in want
// when filter is set (see Scope.children).
type cursor struct {
	t      tree
	filter bool
	want   []string
	e      treeEntry // the current entry, when ok
	ok     bool
}

// advance moves to the next entry, skipping unwanted ones without
// decoding them.
func (c *cursor) advance() {
	for len(c.t) > 0 {
		if c.filter {
			sp := bytes.IndexByte(c.t, ' ')
			nul := sp + 1 + bytes.IndexByte(c.t[sp+1:], 0)
			if !wanted(c.t[sp+1:nul], c.want) {
				c.t = c.t[nul+21:]
				continue
			}
		}
		c.e, c.t = c.t.next()
		c.ok = true
		return
	}
	c.ok = false
}

func wanted(name []byte, want []string) bool {
	for _, w := range want {
		if string(name) == w {
			return true
		}
	}
	return false
}

// next decodes the first entry of t, which checkTree accepted, and
// returns the rest of t.
func (t tree) next() (treeEntry, tree) {
	var e treeEntry
	i := 0
	for ; t[i] != ' '; i++ {
		e.Mode = e.Mode<<3 | filemode.FileMode(t[i]-'0')
	}
	nul := i + 1 + bytes.IndexByte(t[i+1:], 0)
	e.Name = t[i+1 : nul]
	copy(e.Hash[:], t[nul+1:nul+21])
	return e, t[nul+21:]
}

// checkTree checks that data is a sequence of well-formed tree entries.
func checkTree(data []byte) error {
	for i := 0; i < len(data); {
		j := i
		for ; j < len(data) && data[j] != ' '; j++ {
			if c := data[j]; c < '0' || c > '7' || j-i > 7 {
				return fmt.Errorf("entry at byte %d: mode %q is not octal", i, data[i:j+1])
			}
		}
		nul := -1
		if j < len(data) {
			nul = bytes.IndexByte(data[j+1:], 0)
		}
		if j == i || nul < 1 || j+1+nul+21 > len(data) {
			return fmt.Errorf("entry at byte %d cut short: want \"<mode> <name>\\0<id>\"", i)
		}
		i = j + 1 + nul + 21
	}
	return nil
}

// tree reads a tree, from the cache of decoded trees when it can: the
// trees a commit shares with its parent are decoded once.
func (r *Repo) tree(h plumbing.Hash) (tree, error) {
	if h.IsZero() {
		return nil, nil
	}
	if t, ok := r.trees.get(h); ok {
		return t, nil
	}
	data, err := r.read(h, plumbing.TreeObject)
	if err != nil {
		return nil, damaged("tree "+h.String(), err)
	}
	if err := checkTree(data); err != nil {
		return nil, damaged("tree "+h.String(), err)
	}
	r.trees.put(h, data)
	return data, nil
}

// treeCache keeps recently decoded trees in two generations: when the
// young one is full it becomes the old one, so the memory is bounded and a
// lookup is one or two map reads.
type treeCache struct {
	young, old map[plumbing.Hash]tree
}

// treeCacheSize is the number of trees per generation: more than a commit
// of the RDMA scope touches, and far more than consecutive commits need.
const treeCacheSize = 4096

func (c *treeCache) get(h plumbing.Hash) (tree, bool) {
	if t, ok := c.young[h]; ok {
		return t, true
	}
	if t, ok := c.old[h]; ok {
		c.put(h, t)
		return t, true
	}
	return nil, false
}

func (c *treeCache) put(h plumbing.Hash, t tree) {
	if c.young == nil || len(c.young) >= treeCacheSize {
		c.old, c.young = c.young, make(map[plumbing.Hash]tree, treeCacheSize)
	}
	c.young[h] = t
}

// Diff returns the files commit c (non-merge) changes in scope relative to
// its first parent, in `git log -p` order, with renames paired as git
// pairs them, contents loaded: ready for fingerprint.Build. It returns no
// files, having read no blob, when the commit changes nothing in scope.
// The tree walk descends only into subtrees that changed and can hold
// something in scope.
func (r *Repo) Diff(c *object.Commit, s *Scope, lim Limits) ([]fingerprint.File, error) {
	oldTree := plumbing.ZeroHash
	if len(c.ParentHashes) > 0 {
		p, err := r.Node(c.ParentHashes[0])
		if err != nil {
			return nil, fmt.Errorf("parent of %s: %w", c.Hash, err)
		}
		oldTree = p.Tree
	}
	return r.DiffTrees(oldTree, c.TreeHash, s, lim)
}

// DiffTrees is Diff given the two trees: the parent's (zero for a root
// commit) and the commit's.
func (r *Repo) DiffTrees(oldTree, newTree plumbing.Hash, s *Scope, lim Limits) ([]fingerprint.File, error) {
	var pairs []pair
	if err := r.diffTrees(oldTree, newTree, "", s, &pairs); err != nil {
		return nil, err
	}
	if len(pairs) == 0 {
		return nil, nil
	}
	ld := &loader{r: r, lim: lim, cache: map[plumbing.Hash][]byte{}}
	pairs, err := r.renames(pairs, ld)
	if err != nil {
		return nil, err
	}
	out := make([]fingerprint.File, 0, len(pairs))
	for _, p := range pairs {
		f := fingerprint.File{}
		if p.from.valid() {
			f.OldPath, f.OldMode = p.from.path, uint32(p.from.mode)
			if f.Old, err = ld.content(p.from); err != nil {
				return nil, err
			}
		}
		if p.to.valid() {
			f.NewPath, f.NewMode = p.to.path, uint32(p.to.mode)
			if f.New, err = ld.content(p.to); err != nil {
				return nil, err
			}
		}
		if f.OldPath != "" && f.NewPath != "" && f.OldPath != f.NewPath {
			f.Similarity = gitdiff.SimilarityPercent(p.score)
		}
		// Abbreviated ids reach the patch-id only for binary files; only
		// there is git's uniqueness rule worth its look-ups.
		bin := gitdiff.IsBinary(f.Old) || gitdiff.IsBinary(f.New)
		f.OldID = r.abbrev(p.from.hash, bin)
		f.NewID = r.abbrev(p.to.hash, bin)
		out = append(out, f)
	}
	return out, nil
}

func (r *Repo) abbrev(h plumbing.Hash, unique bool) string {
	if unique {
		return r.Abbrev(h)
	}
	r.abbrevOnce.Do(func() { r.abbrevLen = r.defaultAbbrev() })
	return h.String()[:r.abbrevLen]
}

// diffTrees appends the changed files between two trees, in git's order
// (tree entry order, where a directory sorts as if its name ended in "/").
func (r *Repo) diffTrees(a, b plumbing.Hash, dir string, s *Scope, out *[]pair) error {
	if a == b {
		return nil
	}
	ta, err := r.tree(a)
	if err != nil {
		return err
	}
	tb, err := r.tree(b)
	if err != nil {
		return err
	}
	want, filter := s.children(dir)
	ca := cursor{t: ta, filter: filter, want: want}
	cb := cursor{t: tb, filter: filter, want: want}
	ca.advance()
	cb.advance()
	for ca.ok || cb.ok {
		x, y := &ca.e, &cb.e
		var cmp int
		switch {
		case !ca.ok:
			cmp = 1
		case !cb.ok:
			cmp = -1
		default:
			cmp = compareEntries(x, y)
		}
		var err error
		switch {
		case cmp < 0:
			err = r.side(*x, dir, s, out, true)
		case cmp > 0:
			err = r.side(*y, dir, s, out, false)
		case x.Hash == y.Hash && x.Mode == y.Mode:
		case x.Mode == filemode.Dir:
			if path := join(dir, x.Name); s.descend(path) {
				err = r.diffTrees(x.Hash, y.Hash, path, s, out)
			}
		default:
			if path := join(dir, x.Name); s.covers(path) {
				*out = append(*out, pair{
					from: entry{path: path, mode: x.Mode, hash: x.Hash},
					to:   entry{path: path, mode: y.Mode, hash: y.Hash},
				})
			}
		}
		if err != nil {
			return err
		}
		if cmp <= 0 {
			ca.advance()
		}
		if cmp >= 0 {
			cb.advance()
		}
	}
	return nil
}

// side records an entry that exists on one side only (a deletion when old
// is true, else an addition), recursing into directories.
func (r *Repo) side(e treeEntry, dir string, s *Scope, out *[]pair, old bool) error {
	path := join(dir, e.Name)
	if e.Mode == filemode.Dir {
		if !s.descend(path) {
			return nil
		}
		if old {
			return r.diffTrees(e.Hash, plumbing.ZeroHash, path, s, out)
		}
		return r.diffTrees(plumbing.ZeroHash, e.Hash, path, s, out)
	}
	if !s.covers(path) {
		return nil
	}
	en := entry{path: path, mode: e.Mode, hash: e.Hash}
	if old {
		*out = append(*out, pair{from: en})
	} else {
		*out = append(*out, pair{to: en})
	}
	return nil
}

func join(dir string, name []byte) string {
	if dir == "" {
		return string(name)
	}
	return dir + "/" + string(name)
}

// compareEntries orders tree entries as git does: by name, a directory
// compared as if its name ended in "/".
func compareEntries(a, b *treeEntry) int {
	n := min(len(a.Name), len(b.Name))
	if c := bytes.Compare(a.Name[:n], b.Name[:n]); c != 0 {
		return c
	}
	ca, cb := nextByte(a, n), nextByte(b, n)
	switch {
	case ca < cb:
		return -1
	case ca > cb:
		return 1
	}
	return 0
}

func nextByte(e *treeEntry, n int) int {
	if n < len(e.Name) {
		return int(e.Name[n])
	}
	if e.Mode == filemode.Dir {
		return '/'
	}
	return 0
}

// renames pairs deletions with additions as git's diffcore-rename does and
// rebuilds the list: a rename takes the place of its addition, and its
// deletion is dropped.
func (r *Repo) renames(pairs []pair, ld *loader) ([]pair, error) {
	var dels, adds []gitdiff.Candidate
	var delAt, addAt []int
	for i, p := range pairs {
		switch {
		case p.from.valid() && !p.to.valid() && renamable(p.from.mode):
			dels = append(dels, ld.candidate(p.from))
			delAt = append(delAt, i)
		case !p.from.valid() && p.to.valid() && renamable(p.to.mode):
			adds = append(adds, ld.candidate(p.to))
			addAt = append(addAt, i)
		}
	}
	if len(dels) == 0 || len(adds) == 0 {
		return pairs, nil
	}
	found, err := gitdiff.DetectRenames(dels, adds)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return pairs, nil
	}
	drop := map[int]bool{}
	for _, f := range found {
		from := pairs[delAt[f.From]].from
		at := addAt[f.To]
		pairs[at] = pair{from: from, to: pairs[at].to, score: f.Score}
		drop[delAt[f.From]] = true
	}
	out := pairs[:0]
	for i, p := range pairs {
		if !drop[i] {
			out = append(out, p)
		}
	}
	return out, nil
}

func renamable(m filemode.FileMode) bool {
	return m == filemode.Regular || m == filemode.Executable || m == filemode.Symlink || m == filemode.Deprecated
}

// loader reads blob contents once per Diff and enforces Limits.
type loader struct {
	r     *Repo
	lim   Limits
	total int64
	cache map[plumbing.Hash][]byte
}

func (l *loader) candidate(e entry) gitdiff.Candidate {
	return gitdiff.Candidate{
		Path: e.path,
		Mode: uint32(e.mode),
		Hash: e.hash,
		Data: func() ([]byte, error) { return l.content(e) },
	}
}

func (l *loader) content(e entry) ([]byte, error) {
	if e.mode == filemode.Submodule {
		return []byte("Subproject commit " + e.hash.String() + "\n"), nil
	}
	if b, ok := l.cache[e.hash]; ok {
		return b, nil
	}
	// The store refuses a blob over what is left of the limits from its
	// header, before reading it.
	limit := int64(noLimit)
	if l.lim.MaxBlob > 0 {
		limit = l.lim.MaxBlob
	}
	if l.lim.MaxTotal > 0 && (limit < 0 || l.lim.MaxTotal-l.total < limit) {
		limit = max(l.lim.MaxTotal-l.total, 0)
	}
	typ, b, err := l.r.obj.read(e.hash, limit)
	var big *tooBigError
	if errors.As(err, &big) {
		if l.lim.MaxBlob > 0 && big.size > l.lim.MaxBlob {
			return nil, &TooLargeError{What: fmt.Sprintf("%s is %s, over the %s limit of one file", e.path, sizeText(big.size), sizeText(l.lim.MaxBlob))}
		}
		return nil, &TooLargeError{What: fmt.Sprintf("the diff reads over %s of files", sizeText(l.lim.MaxTotal))}
	}
	if err == nil && typ != plumbing.BlobObject {
		err = fmt.Errorf("is a %s, not a blob", typ)
	}
	if err != nil {
		return nil, damaged(fmt.Sprintf("blob %s (%s)", e.hash, e.path), err)
	}
	l.total += int64(len(b))
	l.cache[e.hash] = b
	return b, nil
}

// sizeText writes a byte count for people: 512 B, 12 KiB, 32 MiB.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// Covers says whether a file path is in scope.
func (s *Scope) Covers(path string) bool { return s.covers(path) }

// TreeFile is one file of a commit's tree.
type TreeFile struct {
	Path string
	Blob string // hex blob id
	Mode uint32
}

// Files lists the files of a commit's tree that are in scope, by path,
// descending only into directories that can hold something in scope.
func (r *Repo) Files(commit plumbing.Hash, s *Scope) ([]TreeFile, error) {
	c, err := r.Node(commit)
	if err != nil {
		return nil, err
	}
	var out []TreeFile
	var walk func(h plumbing.Hash, dir string) error
	walk = func(h plumbing.Hash, dir string) error {
		t, err := r.tree(h)
		if err != nil {
			return err
		}
		for len(t) > 0 {
			var e treeEntry
			e, t = t.next()
			p := join(dir, e.Name)
			switch {
			case e.Mode == filemode.Dir:
				if s.descend(p) {
					if err := walk(e.Hash, p); err != nil {
						return err
					}
				}
			case e.Mode == filemode.Submodule:
			case s.covers(p):
				out = append(out, TreeFile{Path: p, Blob: e.Hash.String(), Mode: uint32(e.Mode)})
			}
		}
		return nil
	}
	if err := walk(c.Tree, ""); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}
