package gitrepo

import (
	"bytes"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// Node is a commit as a walk sees it: its place in the graph and its tree.
type Node struct {
	Hash    plumbing.Hash
	Parents []plumbing.Hash
	Tree    plumbing.Hash
	Time    time.Time // committer time
}

// Node reads the graph facts of one commit, once: later calls are served
// from the repository's node cache. Only the commit's header is parsed,
// or, when the repository has a commit-graph file that lists the commit,
// nothing (commitgraph.go).
func (r *Repo) Node(h plumbing.Hash) (*Node, error) {
	if n := r.known(h); n != nil {
		return n, nil
	}
	data, err := r.read(h, plumbing.CommitObject)
	if err != nil {
		return nil, damaged("commit "+h.String(), err)
	}
	n, err := parseHeader(h, data)
	if err != nil {
		return nil, damaged("commit "+h.String(), err)
	}
	r.nodes[h] = n
	return n, nil
}

// known returns a commit's node from the node cache or the commit-graph
// file, reading no object; nil when neither has it.
func (r *Repo) known(h plumbing.Hash) *Node {
	if n := r.nodes[h]; n != nil {
		return n
	}
	if r.nodes == nil {
		r.nodes = map[plumbing.Hash]*Node{}
	}
	if n := r.graphNode(h); n != nil {
		r.nodes[h] = n
		return n
	}
	return nil
}

// parseHeader reads the tree, parents and committer time of a commit
// object, stopping at the blank line that ends its header.
func parseHeader(h plumbing.Hash, data []byte) (*Node, error) {
	n := &Node{Hash: h}
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		data = rest
		if len(line) == 0 {
			break
		}
		switch {
		case bytes.HasPrefix(line, []byte("tree ")) && len(line) >= 45:
			n.Tree = hashOf(line[5:45])
		case bytes.HasPrefix(line, []byte("parent ")) && len(line) >= 47:
			n.Parents = append(n.Parents, hashOf(line[7:47]))
		case bytes.HasPrefix(line, []byte("committer ")):
			n.Time = signatureTime(line)
		}
	}
	if n.Tree.IsZero() {
		return nil, fmt.Errorf("not a commit: no tree")
	}
	return n, nil
}

// hashOf reads a 40-digit hex id; a malformed one is the zero id.
func hashOf(hex []byte) plumbing.Hash {
	var h plumbing.Hash
	for i := 0; i+1 < len(hex) && i/2 < len(h); i += 2 {
		a, ok1 := hexNibble(hex[i])
		b, ok2 := hexNibble(hex[i+1])
		if !ok1 || !ok2 {
			return plumbing.ZeroHash
		}
		h[i/2] = a<<4 | b
	}
	return h
}

// signatureTime reads "<unix seconds> <+hhmm>" at the end of an author or
// committer line.
func signatureTime(line []byte) time.Time {
	line = bytes.TrimRight(line, "\n")
	gt := bytes.LastIndexByte(line, '>')
	if gt < 0 {
		return time.Time{}
	}
	f := bytes.Fields(line[gt+1:])
	if len(f) < 1 {
		return time.Time{}
	}
	sec, err := strconv.ParseInt(string(f[0]), 10, 64)
	if err != nil {
		return time.Time{}
	}
	t := time.Unix(sec, 0)
	if len(f) > 1 && len(f[1]) == 5 {
		if tz, err := strconv.Atoi(string(f[1][1:])); err == nil {
			off := (tz/100*60 + tz%100) * 60
			if f[1][0] == '-' {
				off = -off
			}
			t = t.In(time.FixedZone("", off))
		}
	}
	return t
}

// slop is how many uninteresting commits the walk goes on reading after
// everything left is uninteresting, as git's limit_list does, so that a
// commit with a skewed clock is still classified right.
const slop = 5

// RevList returns the commits reachable from include but not from exclude
// (`git rev-list --full-history include ^exclude`), newest first by
// committer time. It reads only commit headers, through the node cache.
func (r *Repo) RevList(ctx context.Context, include, exclude []plumbing.Hash) ([]Node, error) {
	const (
		seen = 1 << iota
		uninteresting
	)
	flags := map[plumbing.Hash]uint8{}
	q := &commitQueue{}
	push := func(h plumbing.Hash, bad bool) error {
		f := flags[h]
		if bad && f&uninteresting == 0 {
			f |= uninteresting
			flags[h] = f
			if f&seen != 0 {
				// Already read: its ancestors must learn it too.
				heap.Push(q, r.nodes[h])
				return nil
			}
		}
		if f&seen != 0 {
			return nil
		}
		n, err := r.Node(h)
		if err != nil {
			return err
		}
		flags[h] = f | seen
		heap.Push(q, n)
		return nil
	}
	for _, h := range exclude {
		if err := push(h, true); err != nil {
			return nil, err
		}
	}
	for _, h := range include {
		if err := push(h, false); err != nil {
			return nil, err
		}
	}
	bad := func(h plumbing.Hash) bool { return flags[h]&uninteresting != 0 }
	extra := slop
	for q.Len() > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if q.allBad(bad) {
			if extra == 0 {
				break
			}
			extra--
		}
		n := heap.Pop(q).(*Node)
		isBad := bad(n.Hash)
		for _, p := range n.Parents {
			if err := push(p, isBad); err != nil {
				return nil, err
			}
		}
	}
	out := make([]Node, 0, len(flags))
	for h, f := range flags {
		if f&uninteresting == 0 {
			out = append(out, *r.nodes[h])
		}
	}
	sortNewestFirst(out)
	return out, nil
}

// FastForward returns the commits tips reach that old do not (`git
// rev-list tips ^old`), when the refs only moved forward: every commit of
// old is in the repository and reached from tips. ok is false otherwise
// (a force-push, a ref gone), and the caller starts over.
func (r *Repo) FastForward(ctx context.Context, old, tips []plumbing.Hash) (fresh []Node, ok bool, err error) {
	graph := Graph{r}
	for _, h := range old {
		if !r.Has(h) {
			return nil, false, nil
		}
		reached, err := graph.IsAncestor(ctx, h, tips)
		if err != nil || !reached {
			return nil, false, err
		}
	}
	fresh, err = r.RevList(ctx, tips, old)
	if err != nil {
		return nil, false, err
	}
	return fresh, true, nil
}

// MergeBase finds the newest commit of this repository's history from tip
// that the other history also has, given that history's commit set; zero
// when they share nothing.
func (r *Repo) MergeBase(ctx context.Context, tip plumbing.Hash, has func(plumbing.Hash) bool) (plumbing.Hash, error) {
	var base plumbing.Hash
	err := r.Walk(ctx, []plumbing.Hash{tip}, func(n *Node) error {
		if has(n.Hash) {
			base = n.Hash
			return errFound
		}
		return nil
	})
	if err != nil && err != errFound {
		return plumbing.ZeroHash, err
	}
	return base, nil
}

// errFound stops a walk early.
var errFound = errors.New("found")

// commitQueue is a max-heap by committer time.
type commitQueue []*Node

func (q commitQueue) Len() int { return len(q) }
func (q commitQueue) Less(i, j int) bool {
	if !q[i].Time.Equal(q[j].Time) {
		return q[i].Time.After(q[j].Time)
	}
	return bytes.Compare(q[i].Hash[:], q[j].Hash[:]) < 0
}
func (q commitQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *commitQueue) Push(x any)   { *q = append(*q, x.(*Node)) }
func (q *commitQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

func (q commitQueue) allBad(bad func(plumbing.Hash) bool) bool {
	for _, n := range q {
		if !bad(n.Hash) {
			return false
		}
	}
	return true
}

// sortNewestFirst orders nodes by committer time, newest first, ties by id.
func sortNewestFirst(ns []Node) {
	sort.Slice(ns, func(i, j int) bool {
		if !ns[i].Time.Equal(ns[j].Time) {
			return ns[i].Time.After(ns[j].Time)
		}
		return bytes.Compare(ns[i].Hash[:], ns[j].Hash[:]) < 0
	})
}

// Walk calls fn for every commit reachable from tips, newest first by
// committer time, as it reads them: `git rev-list --full-history tips`
// without waiting for the end of the walk. A commit that cannot be read
// ends it (WalkDamaged walks around such commits).
func (r *Repo) Walk(ctx context.Context, tips []plumbing.Hash, fn func(*Node) error) error {
	return r.WalkDamaged(ctx, tips, fn, func(_, _ plumbing.Hash, err error) error { return err })
}

// WalkDamaged is Walk over a repository that may be damaged: a commit that
// cannot be read is handed to missing, with the commit that names it as a
// parent (zero for a tip), instead of ending the walk. The history behind
// a missing commit is walked only as far as other commits reach it. An
// error from fn or missing ends the walk with it.
func (r *Repo) WalkDamaged(ctx context.Context, tips []plumbing.Hash, fn func(*Node) error,
	missing func(h, child plumbing.Hash, err error) error) error {
	seen := map[plumbing.Hash]bool{}
	q := &commitQueue{}
	visit := func(h, child plumbing.Hash) error {
		if seen[h] {
			return nil
		}
		seen[h] = true
		n, err := r.Node(h)
		if errors.Is(err, ErrDamaged) {
			return missing(h, child, err)
		}
		if err != nil {
			return err
		}
		heap.Push(q, n)
		return nil
	}
	for _, h := range tips {
		if err := visit(h, plumbing.ZeroHash); err != nil {
			return err
		}
	}
	for q.Len() > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := heap.Pop(q).(*Node)
		if err := fn(n); err != nil {
			return err
		}
		for _, p := range n.Parents {
			if err := visit(p, n.Hash); err != nil {
				return err
			}
		}
	}
	return nil
}

// Graph reads commit headers from one or more repositories that share
// object ids: a commit is read from the first repository that has it.
// Upstream and downstream trees kept in separate repositories (a distro
// kernel next to Linus' tree) form one commit graph this way, as git's
// own merge-base sees it once both are fetched into one repository.
type Graph []*Repo

// Node reads a commit's header from the first repository that holds it.
func (g Graph) Node(h plumbing.Hash) (*Node, error) {
	var first error
	// What the caches and commit-graphs know first: a downstream's
	// repository lacks most of upstream's commits, and looking for each
	// in its packs and loose objects before upstream's commit-graph was
	// most of a kernel-size distro's merge-base.
	for _, r := range g {
		if r == nil {
			continue
		}
		if n := r.known(h); n != nil {
			return n, nil
		}
	}
	for _, r := range g {
		if r == nil {
			continue
		}
		n, err := r.Node(h)
		if err == nil {
			return n, nil
		}
		if first == nil {
			first = err
		}
	}
	if first == nil {
		first = damaged("commit "+h.String(), errors.New("no repository"))
	}
	return nil, first
}

// MergeBases returns the best common ancestors of the commits one and the
// commits other (`git merge-base --all` of one against the octopus of
// other): the commits reachable from both sides that no other such commit
// reaches. Most pairs have one; criss-cross merges may give several,
// newest first. None when the histories share nothing.
func (g Graph) MergeBases(ctx context.Context, one, other []plumbing.Hash) ([]plumbing.Hash, error) {
	cands, err := g.paintDown(ctx, one, other)
	if err != nil || len(cands) < 2 {
		return cands, err
	}
	return g.independent(ctx, cands)
}

// IsAncestor says whether a is reachable from any of tips.
func (g Graph) IsAncestor(ctx context.Context, a plumbing.Hash, tips []plumbing.Hash) (bool, error) {
	for _, t := range tips {
		if t == a {
			return true, nil
		}
	}
	bases, err := g.paintDown(ctx, []plumbing.Hash{a}, tips)
	if err != nil {
		return false, err
	}
	for _, b := range bases {
		if b == a {
			return true, nil
		}
	}
	return false, nil
}

// paintDown is git's paint_down_to_common: both sides are walked
// together, newest first by committer time; a commit reached from both is
// a candidate, and everything below a candidate is stale. The walk stops
// when only stale commits are left, so it reads no more of either history
// than lies above the merge-base.
func (g Graph) paintDown(ctx context.Context, one, other []plumbing.Hash) ([]plumbing.Hash, error) {
	const (
		p1 = 1 << iota
		p2
		stale
		result
	)
	flags := map[plumbing.Hash]uint8{}
	queued := map[plumbing.Hash]int{} // entries of each commit in the queue
	nonStale := 0                     // entries whose commit is not stale
	q := &commitQueue{}
	push := func(h plumbing.Hash, f uint8) error {
		n, err := g.Node(h)
		if err != nil {
			return err
		}
		old := flags[h]
		flags[h] = old | f
		if old&stale == 0 && f&stale != 0 {
			nonStale -= queued[h] // its entries already queued are stale now
		}
		heap.Push(q, n)
		queued[h]++
		if flags[h]&stale == 0 {
			nonStale++
		}
		return nil
	}
	for _, h := range one {
		if err := push(h, p1); err != nil {
			return nil, err
		}
	}
	for _, h := range other {
		if err := push(h, p2); err != nil {
			return nil, err
		}
	}
	var out []plumbing.Hash
	for nonStale > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n := heap.Pop(q).(*Node)
		queued[n.Hash]--
		f := flags[n.Hash]
		if f&stale == 0 {
			nonStale--
		}
		paint := f & (p1 | p2 | stale)
		if paint == p1|p2 {
			if f&result == 0 {
				flags[n.Hash] |= result
				out = append(out, n.Hash)
			}
			paint |= stale
		}
		for _, p := range n.Parents {
			if flags[p]&paint == paint {
				continue
			}
			if err := push(p, paint); err != nil {
				return nil, err
			}
		}
	}
	// A candidate that a newer candidate reaches was painted stale when
	// that one was found: it is not a best common ancestor.
	kept := out[:0]
	for _, h := range out {
		if flags[h]&stale == 0 {
			kept = append(kept, h)
		}
	}
	return kept, nil
}

// independent drops every candidate that another candidate reaches
// (git's remove_redundant), and orders the rest newest first.
func (g Graph) independent(ctx context.Context, cands []plumbing.Hash) ([]plumbing.Hash, error) {
	var out []plumbing.Hash
	for i, c := range cands {
		var others []plumbing.Hash
		for j, o := range cands {
			if j != i {
				others = append(others, o)
			}
		}
		reached, err := g.IsAncestor(ctx, c, others)
		if err != nil {
			return nil, err
		}
		if !reached {
			out = append(out, c)
		}
	}
	nodes := make([]Node, 0, len(out))
	for _, h := range out {
		n, err := g.Node(h)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, *n)
	}
	sortNewestFirst(nodes)
	out = out[:0]
	for _, n := range nodes {
		out = append(out, n.Hash)
	}
	return out, nil
}
