package gitrepo

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestLargeBlobIsRefusedUnread checks that memory is bounded by the
// limits, not by the input: a blob over Limits.MaxBlob is refused from
// its header, loose, packed, or packed as a delta (from the size the
// delta makes), before its content is read.
func TestLargeBlobIsRefusedUnread(t *testing.T) {
	needGit(t)
	const blobSize = 48 << 20
	for _, name := range []string{"loose", "packed", "delta"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			gitRun(t, dir, nil, "init", "-q")
			path := filepath.Join(dir, "drivers", "infiniband", "hw", "mlx5")
			if err := os.MkdirAll(path, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(path, "main.c"), []byte("int x;\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			gitRun(t, dir, nil, "add", ".")
			gitRun(t, dir, nil, "commit", "-q", "-m", "first")
			line := "static const char fw_blob[] = \"0123456789abcdef0123456789abcdef\";\n"
			big := strings.Repeat(line, blobSize/len(line))
			if err := os.WriteFile(filepath.Join(path, "fw.h"), []byte(big), 0o644); err != nil {
				t.Fatal(err)
			}
			gitRun(t, dir, nil, "add", ".")
			gitRun(t, dir, nil, "commit", "-q", "-m", "add firmware")
			if name == "delta" {
				// A new version: the diff reads the old one first, which
				// git packs as a delta against the new.
				if err := os.WriteFile(filepath.Join(path, "fw.h"), []byte(big+"static int fw_version = 2;\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				gitRun(t, dir, nil, "commit", "-q", "-am", "update firmware")
			}
			big = ""
			if name != "loose" {
				gitRun(t, dir, nil, "repack", "-adq")
			}
			r, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			tip, err := r.Resolve("HEAD")
			if err != nil {
				t.Fatal(err)
			}
			n, err := r.Node(tip)
			if err != nil {
				t.Fatal(err)
			}
			p, err := r.Node(n.Parents[0])
			if err != nil {
				t.Fatal(err)
			}
			if name == "delta" {
				old := strings.Fields(gitRun(t, dir, nil, "rev-parse", "HEAD~:drivers/infiniband/hw/mlx5/fw.h"))[0]
				p, off, err := r.obj.findPacked(plumbing.NewHash(old))
				if err != nil || p == nil {
					t.Fatalf("old firmware %s not packed: %v", old, err)
				}
				in := r.obj.inflater(p, off)
				e, err := in.header(off)
				r.obj.done(in)
				if err != nil || e.kind != objOfsDelta {
					t.Fatalf("old firmware %s is packed as kind %d (%v), want a delta: the case tests nothing", old, e.kind, err)
				}
			}
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err = r.DiffTrees(p.Tree, n.Tree, NewScope([]string{"drivers/infiniband/"}), Limits{MaxBlob: 1 << 20, MaxTotal: 8 << 20})
			runtime.ReadMemStats(&after)
			var tooLarge *TooLargeError
			if !errors.As(err, &tooLarge) {
				t.Fatalf("diff of a %d MiB blob over a 1 MiB limit: %v, want a TooLargeError", blobSize>>20, err)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
				t.Errorf("refusing a %d MiB blob allocated %d MiB: it was read before its size was checked", blobSize>>20, grew>>20)
			}
		})
	}
}

// TestResolveAbsentCommit: a full commit id the repository lacks is an
// unknown ref ("no such commit"), not a damaged repository.
func TestResolveAbsentCommit(t *testing.T) {
	needGit(t)
	dir := t.TempDir()
	gitRun(t, dir, nil, "init", "-q")
	gitRun(t, dir, nil, "commit", "-q", "--allow-empty", "-m", "one")
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, err = r.Resolve(strings.Repeat("ab", 20))
	if !errors.Is(err, ErrUnknownRef) || errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "no such commit") {
		t.Errorf("Resolve of an absent commit: %v, want an unknown ref saying no such commit", err)
	}
}
