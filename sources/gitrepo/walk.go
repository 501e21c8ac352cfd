package gitrepo

import (
	"container/heap"
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Node is a commit as a walk sees it.
type Node struct {
	Hash    plumbing.Hash
	Parents []plumbing.Hash
	Time    time.Time // committer time
}

// slop is how many uninteresting commits the walk goes on reading after
// everything left is uninteresting, as git's limit_list does, so that a
// commit with a skewed clock is still classified right.
const slop = 5

// RevList returns the commits reachable from include but not from exclude
// (`git rev-list --full-history include ^exclude`), newest first by
// committer time. It reads only commit objects.
func (r *Repo) RevList(ctx context.Context, include, exclude []plumbing.Hash) ([]Node, error) {
	const (
		seen = 1 << iota
		uninteresting
	)
	flags := map[plumbing.Hash]uint8{}
	nodes := map[plumbing.Hash]*Node{}
	q := &commitQueue{}
	push := func(h plumbing.Hash, bad bool) error {
		f := flags[h]
		if bad && f&uninteresting == 0 {
			f |= uninteresting
			flags[h] = f
			if f&seen != 0 {
				// Already read: its ancestors must learn it too.
				if n := nodes[h]; n != nil {
					heap.Push(q, queued{n: n})
				}
				return nil
			}
		}
		if f&seen != 0 {
			return nil
		}
		c, err := r.r.CommitObject(h)
		if err != nil {
			return fmt.Errorf("commit %s: %w", h, err)
		}
		n := &Node{Hash: h, Parents: c.ParentHashes, Time: c.Committer.When}
		nodes[h] = n
		flags[h] = f | seen
		heap.Push(q, queued{n: n})
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
	extra := slop
	for q.Len() > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if q.allBad(func(h plumbing.Hash) bool { return flags[h]&uninteresting != 0 }) {
			if extra == 0 {
				break
			}
			extra--
		}
		it := heap.Pop(q).(queued)
		bad := flags[it.n.Hash]&uninteresting != 0
		for _, p := range it.n.Parents {
			if err := push(p, bad); err != nil {
				return nil, err
			}
		}
	}
	out := make([]Node, 0, len(nodes))
	for h, n := range nodes {
		if flags[h]&uninteresting == 0 {
			out = append(out, *n)
		}
	}
	sortNewestFirst(out)
	return out, nil
}

// MergeBase finds the newest commit of this repository's ref tip that the
// other history also has, given that history's commit set.
func (r *Repo) MergeBase(ctx context.Context, tip plumbing.Hash, has func(plumbing.Hash) bool) (plumbing.Hash, error) {
	seen := map[plumbing.Hash]bool{tip: true}
	q := &commitQueue{}
	c, err := r.r.CommitObject(tip)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("commit %s: %w", tip, err)
	}
	heap.Push(q, queued{n: nodeOf(c)})
	for q.Len() > 0 {
		if err := ctx.Err(); err != nil {
			return plumbing.ZeroHash, err
		}
		it := heap.Pop(q).(queued)
		if has(it.n.Hash) {
			return it.n.Hash, nil
		}
		for _, p := range it.n.Parents {
			if seen[p] {
				continue
			}
			seen[p] = true
			pc, err := r.r.CommitObject(p)
			if err != nil {
				return plumbing.ZeroHash, fmt.Errorf("commit %s: %w", p, err)
			}
			heap.Push(q, queued{n: nodeOf(pc)})
		}
	}
	return plumbing.ZeroHash, nil
}

func nodeOf(c *object.Commit) *Node {
	return &Node{Hash: c.Hash, Parents: c.ParentHashes, Time: c.Committer.When}
}

type queued struct {
	n *Node
}

// commitQueue is a max-heap by committer time.
type commitQueue []queued

func (q commitQueue) Len() int { return len(q) }
func (q commitQueue) Less(i, j int) bool {
	if !q[i].n.Time.Equal(q[j].n.Time) {
		return q[i].n.Time.After(q[j].n.Time)
	}
	return q[i].n.Hash.String() < q[j].n.Hash.String()
}
func (q commitQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *commitQueue) Push(x any)   { *q = append(*q, x.(queued)) }
func (q *commitQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

func (q commitQueue) allBad(bad func(plumbing.Hash) bool) bool {
	for _, it := range q {
		if !bad(it.n.Hash) {
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
		return ns[i].Hash.String() < ns[j].Hash.String()
	})
}
