package gitrepo

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kdelta/kdelta/internal/world"
)

// smallWorldRepo builds the small synthetic world and returns a copy of
// its upstream repository (two packs, as the world writes them) that the
// test may repack.
func smallWorldRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := world.Build(world.Options{Seed: 1, Size: world.Small, Dir: dir}); err != nil {
		t.Fatal(err)
	}
	cp := filepath.Join(t.TempDir(), "linux.git")
	gitRun(t, dir, nil, "clone", "-q", "--mirror", "--no-hardlinks", filepath.Join(dir, "linux.git"), cp)
	return cp
}

// catObject is one object as `git cat-file --batch` prints it.
type catObject struct {
	hash plumbing.Hash
	typ  string
	data []byte
}

// catFileAll reads every object of the repository at dir with git.
func catFileAll(t *testing.T, dir string) []catObject {
	t.Helper()
	cmd := exec.Command("git", "cat-file", "--batch-all-objects", "--batch")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git cat-file --batch-all-objects in %s: %v", dir, err)
	}
	var objs []catObject
	br := bufio.NewReader(bytes.NewReader(out))
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			break
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("cat-file printed %q, want \"<id> <type> <size>\"", line)
		}
		n, _ := strconv.Atoi(f[2])
		data := make([]byte, n+1)
		if _, err := io.ReadFull(br, data); err != nil {
			t.Fatalf("cat-file output of %s cut short: %v", f[0], err)
		}
		objs = append(objs, catObject{hash: plumbing.NewHash(f[0]), typ: f[1], data: data[:n]})
	}
	if len(objs) == 0 {
		t.Fatalf("git cat-file listed no objects in %s", dir)
	}
	return objs
}

// packStats says what the packs of a repository hold: how many entries
// of each delta kind, the longest delta chain, and how many offsets come
// from the 64-bit table of the index.
type packStats struct {
	packs, ofs, ref, large, depth int
}

func statsOf(t *testing.T, s *objectStore) packStats {
	t.Helper()
	st := packStats{packs: len(s.packs)}
	for _, p := range s.packs {
		depth := map[int64]int{}
		var depthAt func(off int64) int
		depthAt = func(off int64) int {
			if d, ok := depth[off]; ok {
				return d
			}
			in := s.inflater(p, off)
			e, err := in.header(off)
			s.done(in)
			if err != nil {
				t.Fatalf("pack %s at %d: %v", p.path, off, err)
			}
			d := 0
			switch e.kind {
			case objOfsDelta:
				d = 1 + depthAt(e.baseOff)
			case objRefDelta:
				if boff, ok, _ := p.idx.find(e.baseRef); ok {
					d = 1 + depthAt(boff)
				}
			}
			depth[off] = d
			return d
		}
		for i := 0; i < p.idx.n; i++ {
			off, err := p.idx.offset(i)
			if err != nil {
				t.Fatal(err)
			}
			if p.idx.data[idxNames+24*p.idx.n+4*i]&0x80 != 0 {
				st.large++
			}
			in := s.inflater(p, off)
			e, err := in.header(off)
			s.done(in)
			if err != nil {
				t.Fatalf("pack %s at %d: %v", p.path, off, err)
			}
			switch e.kind {
			case objOfsDelta:
				st.ofs++
			case objRefDelta:
				st.ref++
			}
			st.depth = max(st.depth, depthAt(off))
		}
	}
	return st
}

// TestObjectsAgreeWithCatFile reads every object of a world repository,
// packed in the ways git packs, through the object store, and compares
// type, size and bytes with `git cat-file --batch`. Each case also checks
// that its packs hold what it is there to exercise.
func TestObjectsAgreeWithCatFile(t *testing.T) {
	needGit(t)
	cases := []struct {
		name  string
		prep  func(t *testing.T, dir string)
		check func(st packStats) error
	}{
		{"as the world wrote it", func(*testing.T, string) {}, func(st packStats) error {
			if st.packs < 2 {
				return fmt.Errorf("%d packs, want several", st.packs)
			}
			return nil
		}},
		{"deep OFS_DELTA chains", func(t *testing.T, dir string) {
			gitRun(t, dir, nil, "repack", "-adfq", "--depth=50", "--window=50")
		}, func(st packStats) error {
			if st.ofs == 0 || st.ref != 0 || st.depth < 10 {
				return fmt.Errorf("%d OFS_DELTA, %d REF_DELTA, chains of %d; want OFS_DELTA chains of 10 and more", st.ofs, st.ref, st.depth)
			}
			return nil
		}},
		{"REF_DELTA", func(t *testing.T, dir string) {
			// Without delta-base-offset, pack-objects names each base by id.
			gitRun(t, dir, nil, "-c", "repack.useDeltaBaseOffset=false", "repack", "-adfq", "--depth=50", "--window=50")
		}, func(st packStats) error {
			if st.ref == 0 || st.ofs != 0 || st.depth < 10 {
				return fmt.Errorf("%d OFS_DELTA, %d REF_DELTA, chains of %d; want REF_DELTA chains of 10 and more", st.ofs, st.ref, st.depth)
			}
			return nil
		}},
		{"64-bit offsets", func(t *testing.T, dir string) {
			gitRun(t, dir, nil, "repack", "-adfq", "--depth=50")
			packs, _ := filepath.Glob(filepath.Join(dir, "objects", "pack", "*.pack"))
			for _, p := range packs {
				// Every object above offset 4096 goes to the index's 64-bit table
				// (git refuses an index where all do: the first object never needs it).
				idx := strings.TrimSuffix(p, ".pack") + ".idx"
				gitRun(t, dir, nil, "index-pack", "--index-version=2,0x1000", "-o", idx+".new", p)
				if err := os.Rename(idx+".new", idx); err != nil {
					t.Fatal(err)
				}
			}
		}, func(st packStats) error {
			if st.large == 0 {
				return errors.New("no offset in a 64-bit table")
			}
			return nil
		}},
		{"several packs and loose objects", func(t *testing.T, dir string) {
			gitRun(t, dir, nil, "repack", "-adfq")
			tip := strings.TrimSpace(gitRun(t, dir, nil, "rev-parse", "master"))
			commit := func(i int) string {
				blob := strings.TrimSpace(gitRun(t, dir, []byte(cSource("extra", 40+i, fmt.Sprint(i))), "hash-object", "-w", "--stdin"))
				tree := strings.TrimSpace(gitRun(t, dir, []byte("100644 blob "+blob+"\textra.c\n"), "mktree"))
				tip = strings.TrimSpace(gitRun(t, dir, nil, "commit-tree", tree, "-p", tip, "-m", fmt.Sprint("extra ", i)))
				return tip
			}
			for i := 0; i < 3; i++ {
				commit(i)
			}
			gitRun(t, dir, nil, "update-ref", "refs/heads/extra", tip)
			gitRun(t, dir, nil, "repack", "-dq") // a second pack of the loose objects
			for i := 3; i < 6; i++ {
				commit(i) // and loose objects after it
			}
			gitRun(t, dir, nil, "update-ref", "refs/heads/extra", tip)
		}, func(st packStats) error {
			if st.packs < 2 {
				return fmt.Errorf("%d packs, want several", st.packs)
			}
			return nil
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := smallWorldRepo(t)
			c.prep(t, dir)
			want := catFileAll(t, dir)
			r, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if err := c.check(statsOf(t, r.obj)); err != nil {
				t.Fatalf("the packs do not exercise the case: %v", err)
			}
			loose := 0
			for _, o := range want {
				if _, err := os.Stat(filepath.Join(dir, "objects", o.hash.String()[:2], o.hash.String()[2:])); err == nil {
					loose++
				}
			}
			if strings.Contains(c.name, "loose") && loose == 0 {
				t.Fatalf("no loose object among %d", len(want))
			}
			// Abbreviated ids: what the store lists for a prefix is what
			// git has with it, packed or loose.
			for i := 0; i < len(want); i += len(want)/20 + 1 {
				for _, n := range []int{2, 3, 4, 5} {
					prefix := want[i].hash.String()[:n]
					var have []string
					for _, o := range want {
						if strings.HasPrefix(o.hash.String(), prefix) {
							have = append(have, o.hash.String())
						}
					}
					var got []string
					for _, h := range r.obj.withPrefix(prefix) {
						got = append(got, h.String())
					}
					sort.Strings(got)
					if strings.Join(got, " ") != strings.Join(have, " ") {
						t.Errorf("objects with prefix %s: %v, git has %v", prefix, got, have)
					}
				}
			}
			// Four readers at once on the one store, as the diff workers are.
			var wg sync.WaitGroup
			errs := make(chan error, 4*len(want))
			for w := 0; w < 4; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					for i := range want {
						o := want[(i+w*len(want)/4)%len(want)]
						typ, data, err := r.obj.read(o.hash, noLimit)
						if err != nil {
							errs <- fmt.Errorf("read %s: %v", o.hash, err)
							continue
						}
						if typ.String() != o.typ || !bytes.Equal(data, o.data) {
							errs <- fmt.Errorf("%s: read a %s of %d bytes, git has a %s of %d bytes (same bytes: %v)",
								o.hash, typ, len(data), o.typ, len(o.data), bytes.Equal(data, o.data))
						}
						ityp, size, err := r.obj.info(o.hash)
						if err != nil || ityp.String() != o.typ || size != int64(len(o.data)) {
							errs <- fmt.Errorf("%s: info says %s of %d bytes (%v), git has a %s of %d bytes", o.hash, ityp, size, err, o.typ, len(o.data))
						}
					}
				}(w)
			}
			wg.Wait()
			close(errs)
			n := 0
			for err := range errs {
				if n++; n <= 5 {
					t.Error(err)
				}
			}
			if n > 5 {
				t.Errorf("... %d errors in all, over %d objects", n, len(want))
			}
		})
	}
}

// TestReposShareOneStore: a Repo and its Workers (the diff workers of a
// sync) share one object store, which lives until the last of them is
// closed; and a pack written after the store was opened (a fetch, a
// repack) is found when an object is not.
func TestReposShareOneStore(t *testing.T) {
	needGit(t)
	dir := smallWorldRepo(t)
	a, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := a.Worker()
	if err != nil {
		t.Fatal(err)
	}
	if a.obj != b.obj {
		t.Fatalf("a Repo and its worker on %s have two object stores", dir)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	tip, err := b.Resolve("master")
	if err != nil {
		t.Fatalf("resolve after the other Repo closed: %v", err)
	}
	if _, err := b.Commit(tip); err != nil {
		t.Fatalf("read after the other Repo closed: %v", err)
	}

	// A commit made and packed after the store opened (repack -d packs
	// the loose objects into a new pack and deletes them).
	blob := strings.TrimSpace(gitRun(t, dir, []byte("int late;\n"), "hash-object", "-w", "--stdin"))
	tree := strings.TrimSpace(gitRun(t, dir, []byte("100644 blob "+blob+"\tlate.c\n"), "mktree"))
	late := strings.TrimSpace(gitRun(t, dir, nil, "commit-tree", tree, "-p", tip.String(), "-m", "late"))
	gitRun(t, dir, nil, "update-ref", "refs/heads/late", late)
	gitRun(t, dir, nil, "repack", "-dq")
	if _, err := os.Stat(filepath.Join(dir, "objects", late[:2], late[2:])); err == nil {
		t.Fatal("repack -d left the new commit loose: the case tests nothing")
	}
	n, err := b.Node(plumbing.NewHash(late))
	if err != nil {
		t.Fatalf("a commit packed after open: %v", err)
	}
	if n.Tree.String() != tree || len(n.Parents) != 1 || n.Parents[0] != tip {
		t.Errorf("commit %s read as tree %s parents %v; git made tree %s parent %s", late, n.Tree, n.Parents, tree, tip)
	}
	closed := b.obj
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.obj == closed {
		t.Error("a Repo opened after all others closed got the closed store back")
	}
	if d, err := b.Worker(); err == nil {
		d.Close()
		t.Error("a closed Repo gave a Worker")
	}
}

// TestDamagedPackObject flips a byte inside a packed commit's compressed
// data: reading it is a DamagedError naming the commit and the pack,
// not wrong bytes.
func TestDamagedPackObject(t *testing.T) {
	needGit(t)
	dir := smallWorldRepo(t)
	gitRun(t, dir, nil, "repack", "-adfq")
	tip := strings.TrimSpace(gitRun(t, dir, nil, "rev-parse", "master"))
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	p, off, err := r.obj.findPacked(plumbing.NewHash(tip))
	if err != nil || p == nil {
		t.Fatalf("commit %s not in a pack: %v", tip, err)
	}
	in := r.obj.inflater(p, off)
	e, err := in.header(off)
	at := in.br.pos + 8 // past the header and into the deflate data
	r.obj.done(in)
	r.Close()
	if err != nil || e.kind != objCommit {
		t.Fatalf("commit %s at %d: kind %d, %v; want a whole commit", tip, off, e.kind, err)
	}
	if err := os.Chmod(p.path, 0o644); err != nil { // git writes packs read-only
		t.Fatal(err)
	}
	f, err := os.OpenFile(p.path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	var b [1]byte
	if _, err := f.ReadAt(b[:], at); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0x55
	if _, err := f.WriteAt(b[:], at); err != nil {
		t.Fatal(err)
	}
	f.Close()

	r, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, err = r.Commit(plumbing.NewHash(tip))
	var de *DamagedError
	if !errors.As(err, &de) || de.Object != "commit "+tip || !strings.Contains(err.Error(), filepath.Base(p.path)) {
		t.Errorf("commit with a damaged byte: %v; want a DamagedError naming commit %s and its pack", err, tip)
	}
}

// TestScopedTreeDiffAgreesWithGit: the tree diff, which looks only at the
// entries of a directory that lead to the scope, lists the files `git
// diff-tree -r --no-renames -- <pathspec>` lists, for every commit of a
// world repository and scopes of directories, nested directories and a
// single file.
func TestScopedTreeDiffAgreesWithGit(t *testing.T) {
	needGit(t)
	dir := smallWorldRepo(t)
	var file string
	for _, f := range strings.Fields(gitRun(t, dir, nil, "ls-tree", "-r", "--name-only", "master", "drivers/infiniband/")) {
		if strings.HasSuffix(f, ".c") {
			file = f
			break
		}
	}
	if file == "" {
		t.Fatal("no C file under drivers/infiniband/ in the world")
	}
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	commits := strings.Fields(gitRun(t, dir, nil, "rev-list", "--no-merges", "master"))
	for _, prefixes := range [][]string{
		{"drivers/infiniband/", "include/rdma/"},
		{"drivers/", "drivers/infiniband/hw/"},
		{file},
	} {
		s := NewScope(prefixes)
		args := append([]string{"diff-tree", "-r", "--no-renames", "--name-only", "--root", "--stdin", "--"}, s.Pathspec()...)
		stdin := strings.Join(commits, "\n") + "\n"
		// With --stdin, git prints each commit's id and then its files.
		gitOut := gitRun(t, dir, []byte(stdin), args...)
		want := map[string][]string{}
		cur := ""
		for _, line := range strings.Split(strings.TrimSpace(gitOut), "\n") {
			if len(line) == 40 && isHex(line) {
				cur = line
				continue
			}
			if line != "" {
				want[cur] = append(want[cur], line)
			}
		}
		changed := 0
		for _, c := range commits {
			n, err := r.Node(plumbing.NewHash(c))
			if err != nil {
				t.Fatal(err)
			}
			var parent plumbing.Hash
			if len(n.Parents) > 0 {
				p, err := r.Node(n.Parents[0])
				if err != nil {
					t.Fatal(err)
				}
				parent = p.Tree
			}
			var pairs []pair
			if err := r.diffTrees(parent, n.Tree, "", s, &pairs); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range pairs {
				if p.to.valid() {
					got = append(got, p.to.path)
				} else {
					got = append(got, p.from.path)
				}
			}
			sort.Strings(got)
			w := want[c]
			sort.Strings(w)
			if strings.Join(got, " ") != strings.Join(w, " ") {
				t.Errorf("scope %v, commit %.12s: diff lists %v, git %v", prefixes, c, got, w)
			}
			if len(w) > 0 {
				changed++
			}
		}
		if changed == 0 {
			t.Errorf("scope %v: no commit changes anything in it: the case tests nothing", prefixes)
		}
	}
}
