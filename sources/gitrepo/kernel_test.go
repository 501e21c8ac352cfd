package gitrepo

import (
	"context"
	"os"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kdelta/kdelta/internal/world"
)

// BenchmarkKernelWalk is the upstream walk of a first sync on the
// kernel-mini world (issue 14): every commit's header read, every
// non-merge commit's tree diffed against its parent's in the RDMA scope,
// the in-scope changes loaded. It is what to profile:
//
//	go test ./sources/gitrepo -run '^$' -bench KernelWalk -benchtime 1x -cpuprofile cpu.out -memprofile mem.out
//
// KDELTA_KERNEL_WORLD names an already built kernel world to skip the build.
func BenchmarkKernelWalk(b *testing.B) {
	dir := os.Getenv("KDELTA_KERNEL_WORLD")
	if dir == "" {
		dir = b.TempDir()
		if _, err := world.Build(world.Options{Seed: 1, Size: world.KernelMini, Dir: dir}); err != nil {
			b.Fatal(err)
		}
	}
	scope := NewScope([]string{"drivers/infiniband/", "drivers/net/ethernet/mellanox/", "include/rdma/", "include/uapi/rdma/"})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := Open(dir + "/linux.git")
		if err != nil {
			b.Fatal(err)
		}
		tip, err := r.Resolve("master")
		if err != nil {
			b.Fatal(err)
		}
		var commits, inScope int
		err = r.Walk(context.Background(), []plumbing.Hash{tip}, func(n *Node) error {
			commits++
			if len(n.Parents) > 1 {
				return nil
			}
			var parent plumbing.Hash
			if len(n.Parents) == 1 {
				p, err := r.Node(n.Parents[0])
				if err != nil {
					return err
				}
				parent = p.Tree
			}
			files, err := r.DiffTrees(parent, n.Tree, scope, DefaultLimits)
			if err != nil {
				return err
			}
			if len(files) > 0 {
				inScope++
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		r.Close()
		b.ReportMetric(float64(commits), "commits")
		b.ReportMetric(float64(inScope), "in-scope")
	}
}
