package gitrepo

import (
	"bytes"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"
	commitgraph "github.com/go-git/go-git/v5/plumbing/format/commitgraph/v2"
)

// graphNode reads a commit's graph facts from the repository's
// commit-graph file (objects/info/commit-graph, or a split chain under
// objects/info/commit-graphs), which `git clone`, `git gc` and `git fetch`
// write: a commit it lists costs a binary-search lookup instead of
// inflating the commit object. The file is opened on first use; a
// repository without one, or with one that cannot be read, is walked by
// reading commit objects, as is a commit newer than the file.
func (r *Repo) graphNode(h plumbing.Hash) *Node {
	if !r.graphTried {
		r.graphTried = true
		r.graph = openGraph(r.gitDir())
	}
	if r.graph == nil {
		return nil
	}
	i, err := r.graph.GetIndexByHash(h)
	if err != nil {
		return nil
	}
	d, err := r.graph.GetCommitDataByIndex(i)
	if err != nil || d.TreeHash.IsZero() {
		return nil
	}
	// The file keeps the committer time in seconds, not its zone: the
	// walk orders by the instant, and the store keeps Unix seconds.
	return &Node{Hash: h, Parents: d.ParentHashes, Tree: d.TreeHash, Time: d.When}
}

// openGraph opens the commit-graph of the repository at gitDir, or nil.
// Its files are read into memory: go-git reads them with a few pread
// calls per lookup, which cost as much as inflating the commit (measured
// on the kernel-mini world: 0.62 s of a 2.2 s walk of 51,000 commits; and
// 0.53 s of a 0.7 s resync after a fetch, which leaves a split chain).
func openGraph(gitDir string) commitgraph.Index {
	if b, err := os.ReadFile(filepath.Join(gitDir, "objects", "info", "commit-graph")); err == nil {
		if idx, err := commitgraph.OpenFileIndex(memFile{bytes.NewReader(b)}); err == nil {
			return idx
		}
		return nil
	}
	return openGraphChain(filepath.Join(gitDir, "objects", "info", "commit-graphs"))
}

// openGraphChain opens a split commit-graph (`git commit-graph write
// --split`, or what a fetch leaves): the files its chain file lists, each
// layer on the ones before it.
func openGraphChain(dir string) commitgraph.Index {
	b, err := os.ReadFile(filepath.Join(dir, "commit-graph-chain"))
	if err != nil {
		return nil
	}
	chain, err := commitgraph.OpenChainFile(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	var idx commitgraph.Index
	for _, h := range chain {
		g, err := os.ReadFile(filepath.Join(dir, "graph-"+h+".graph"))
		if err == nil {
			idx, err = commitgraph.OpenFileIndexWithParent(memFile{bytes.NewReader(g)}, idx)
		}
		if err != nil {
			return nil
		}
	}
	return idx
}

// memFile is a commit-graph file read into memory.
type memFile struct{ *bytes.Reader }

func (memFile) Close() error { return nil }

func (r *Repo) closeGraph() {
	if r.graph != nil {
		r.graph.Close()
		r.graph = nil
	}
}
