package gitrepo

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestLargeBlobIsRefusedUnread checks that memory is bounded by the
// limits, not by the input: a blob over Limits.MaxBlob is refused from
// its header, loose or packed, before its content is read.
func TestLargeBlobIsRefusedUnread(t *testing.T) {
	needGit(t)
	const blobSize = 48 << 20
	for _, packed := range []bool{false, true} {
		name := "loose"
		if packed {
			name = "packed"
		}
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
			big = ""
			gitRun(t, dir, nil, "add", ".")
			gitRun(t, dir, nil, "commit", "-q", "-m", "add firmware")
			if packed {
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
