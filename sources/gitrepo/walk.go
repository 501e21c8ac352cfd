package gitrepo

import (
	"bufio"
	"bytes"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"io"
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
// from the repository's node cache. Only the commit's header is parsed.
func (r *Repo) Node(h plumbing.Hash) (*Node, error) {
	if n := r.nodes[h]; n != nil {
		return n, nil
	}
	obj, err := r.r.Storer.EncodedObject(plumbing.CommitObject, h)
	if err != nil {
		return nil, damaged("commit "+h.String(), err)
	}
	rd, err := obj.Reader()
	if err != nil {
		return nil, damaged("commit "+h.String(), err)
	}
	defer rd.Close()
	n, err := parseHeader(h, rd)
	if err != nil {
		return nil, damaged("commit "+h.String(), err)
	}
	if r.nodes == nil {
		r.nodes = map[plumbing.Hash]*Node{}
	}
	r.nodes[h] = n
	return n, nil
}

// parseHeader reads the tree, parents and committer time of a commit
// object, stopping at the blank line that ends its header.
func parseHeader(h plumbing.Hash, rd io.Reader) (*Node, error) {
	n := &Node{Hash: h}
	br := bufio.NewReaderSize(rd, 512)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) <= 1 || err != nil && err != bufio.ErrBufferFull {
			break
		}
		switch {
		case bytes.HasPrefix(line, []byte("tree ")) && len(line) >= 45:
			n.Tree = plumbing.NewHash(string(line[5:45]))
		case bytes.HasPrefix(line, []byte("parent ")) && len(line) >= 47:
			n.Parents = append(n.Parents, plumbing.NewHash(string(line[7:47])))
		case bytes.HasPrefix(line, []byte("committer ")):
			n.Time = signatureTime(line)
		}
		for err == bufio.ErrBufferFull { // the rest of an overlong line
			_, err = br.ReadSlice('\n')
		}
	}
	if n.Tree.IsZero() {
		return nil, fmt.Errorf("not a commit: no tree")
	}
	return n, nil
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
// without waiting for the end of the walk.
func (r *Repo) Walk(ctx context.Context, tips []plumbing.Hash, fn func(*Node) error) error {
	seen := map[plumbing.Hash]bool{}
	q := &commitQueue{}
	for _, h := range tips {
		if seen[h] {
			continue
		}
		seen[h] = true
		n, err := r.Node(h)
		if err != nil {
			return err
		}
		heap.Push(q, n)
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
			if seen[p] {
				continue
			}
			seen[p] = true
			pn, err := r.Node(p)
			if err != nil {
				return err
			}
			heap.Push(q, pn)
		}
	}
	return nil
}
