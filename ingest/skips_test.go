package ingest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
)

// bareRepo is a bare repository built object by object with go-git, every
// object loose, so that a test can take one away as a damaged clone lacks
// it.
type bareRepo struct {
	t   *testing.T
	dir string
	r   *git.Repository
	n   int
}

func newBareRepo(t *testing.T, dir string) *bareRepo {
	t.Helper()
	r, err := git.PlainInit(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	return &bareRepo{t: t, dir: dir, r: r}
}

func (b *bareRepo) store(o interface {
	Encode(plumbing.EncodedObject) error
}) plumbing.Hash {
	b.t.Helper()
	obj := b.r.Storer.NewEncodedObject()
	if err := o.Encode(obj); err != nil {
		b.t.Fatal(err)
	}
	h, err := b.r.Storer.SetEncodedObject(obj)
	if err != nil {
		b.t.Fatal(err)
	}
	return h
}

func (b *bareRepo) blob(text string) plumbing.Hash {
	b.t.Helper()
	obj := b.r.Storer.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	w, _ := obj.Writer()
	w.Write([]byte(text))
	w.Close()
	h, err := b.r.Storer.SetEncodedObject(obj)
	if err != nil {
		b.t.Fatal(err)
	}
	return h
}

// tree stores the tree of files (path -> contents) and returns its id and
// the id of every tree and blob in it, by path ("" for the root).
func (b *bareRepo) tree(files map[string]string) (plumbing.Hash, map[string]plumbing.Hash) {
	ids := map[string]plumbing.Hash{}
	var build func(dir string) plumbing.Hash
	build = func(dir string) plumbing.Hash {
		entries := map[string]object.TreeEntry{}
		for p, text := range files {
			rest, ok := strings.CutPrefix(p, dir)
			if !ok {
				continue
			}
			name, _, sub := strings.Cut(rest, "/")
			if _, done := entries[name]; done {
				continue
			}
			if sub {
				entries[name] = object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: build(dir + name + "/")}
			} else {
				h := b.blob(text)
				ids[p] = h
				entries[name] = object.TreeEntry{Name: name, Mode: filemode.Regular, Hash: h}
			}
		}
		t := &object.Tree{}
		for _, e := range entries {
			t.Entries = append(t.Entries, e)
		}
		sort.Slice(t.Entries, func(i, j int) bool { return t.Entries[i].Name < t.Entries[j].Name })
		h := b.store(t)
		ids[strings.TrimSuffix(dir, "/")] = h
		return h
	}
	return build(""), ids
}

// commit stores a commit of files on parents and returns its id and those
// of its tree's objects.
func (b *bareRepo) commit(subject string, files map[string]string, parents ...plumbing.Hash) (plumbing.Hash, map[string]plumbing.Hash) {
	b.t.Helper()
	b.n++
	tree, ids := b.tree(files)
	sig := object.Signature{Name: "Ana Author", Email: "ana@example.org", When: time.Unix(1700000000+int64(b.n)*3600, 0).UTC()}
	return b.store(&object.Commit{Author: sig, Committer: sig, Message: subject + "\n\nSigned-off-by: Ana Author <ana@example.org>\n",
		TreeHash: tree, ParentHashes: parents}), ids
}

func (b *bareRepo) branch(name string, h plumbing.Hash) {
	b.t.Helper()
	if err := b.r.Storer.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName(name), h)); err != nil {
		b.t.Fatal(err)
	}
}

// looseObject is the path of a loose object of the repository at dir.
func looseObject(dir string, h plumbing.Hash) string {
	s := h.String()
	return filepath.Join(dir, "objects", s[:2], s[2:])
}

// takeAway deletes a loose object from a repository and returns its bytes,
// so that it can come back.
func takeAway(t *testing.T, dir string, h plumbing.Hash) []byte {
	t.Helper()
	data, err := os.ReadFile(looseObject(dir, h))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(looseObject(dir, h)); err != nil {
		t.Fatal(err)
	}
	return data
}

func putBack(t *testing.T, dir string, h plumbing.Hash, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(looseObject(dir, h)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(looseObject(dir, h), data, 0o444); err != nil {
		t.Fatal(err)
	}
}

// damagedKernel is a small kernel-like repository whose clone lacks
// objects: the new blob of one commit, a tree of another, a commit of a
// side branch merged into master, and the tip of the branch "next".
type damagedKernel struct {
	dir                      string
	c1, c2, c3, c4, c5       plumbing.Hash // master's first-parent line
	s1, s2, merge, next      plumbing.Hash
	blob, tree               plumbing.Hash // what c2 and c4 lack
	lost                     map[plumbing.Hash][]byte
	stored, damaged, missing []plumbing.Hash
}

func buildDamagedKernel(t *testing.T, dir string) *damagedKernel {
	t.Helper()
	b := newBareRepo(t, dir)
	k := &damagedKernel{dir: dir, lost: map[plumbing.Hash][]byte{}}
	files := map[string]string{
		"Makefile":                          "obj-y += drivers/\n",
		"drivers/infiniband/core/cma.c":     "int cma(void)\n{\n\treturn 0;\n}\n",
		"drivers/infiniband/hw/mlx5/qp.c":   "int qp(void)\n{\n\treturn 0;\n}\n",
		"drivers/infiniband/hw/mlx4/main.c": "int main4(void)\n{\n\treturn 0;\n}\n",
	}
	with := func(path, text string) map[string]string {
		out := map[string]string{}
		for p, t := range files {
			out[p] = t
		}
		out[path] = text
		files = out
		return out
	}
	k.c1, _ = b.commit("RDMA/core: Add the first drivers", files)
	first := files
	var ids map[string]plumbing.Hash
	k.c2, ids = b.commit("RDMA/mlx5: Check the QP state", with("drivers/infiniband/hw/mlx5/qp.c", "int qp(void)\n{\n\treturn -EINVAL;\n}\n"), k.c1)
	k.blob = ids["drivers/infiniband/hw/mlx5/qp.c"]
	k.c3, _ = b.commit("RDMA/cma: Return the error", with("drivers/infiniband/core/cma.c", "int cma(void)\n{\n\treturn -ENODEV;\n}\n"), k.c2)
	k.c4, ids = b.commit("RDMA/rxe: Add the soft RoCE driver", with("drivers/infiniband/sw/rxe/rxe.c", "int rxe(void)\n{\n\treturn 0;\n}\n"), k.c3)
	k.tree = ids["drivers/infiniband/sw"]
	k.c5, _ = b.commit("RDMA/mlx4: Fail the probe", with("drivers/infiniband/hw/mlx4/main.c", "int main4(void)\n{\n\treturn -EIO;\n}\n"), k.c4)
	master := files
	// A side branch from c1 (with() copies: master stays as it is), merged
	// into master.
	files = first
	k.s1, _ = b.commit("IB/ipoib: Add the driver", with("drivers/infiniband/ulp/ipoib/ipoib_main.c", "int ipoib(void)\n{\n\treturn 0;\n}\n"), k.c1)
	k.s2, _ = b.commit("IB/ipoib: Fail the open", with("drivers/infiniband/ulp/ipoib/ipoib_main.c", "int ipoib(void)\n{\n\treturn -EIO;\n}\n"), k.s1)
	merged := map[string]string{}
	for p, t := range master {
		merged[p] = t
	}
	merged["drivers/infiniband/ulp/ipoib/ipoib_main.c"] = files["drivers/infiniband/ulp/ipoib/ipoib_main.c"]
	k.merge, _ = b.commit("Merge branch 'ipoib'", merged, k.c5, k.s2)
	files = merged
	k.next, _ = b.commit("RDMA/core: Next", with("drivers/infiniband/core/cma.c", "int cma(void)\n{\n\treturn 1;\n}\n"), k.merge)
	b.branch("master", k.merge)
	b.branch("next", k.next)
	for _, h := range []plumbing.Hash{k.blob, k.tree, k.s1, k.next} {
		k.lost[h] = takeAway(t, dir, h)
	}
	k.stored = []plumbing.Hash{k.c1, k.c3, k.c5}
	k.damaged = []plumbing.Hash{k.c2, k.c4, k.s2}
	k.missing = []plumbing.Hash{k.s1}
	return k
}

// buildInbox makes the public-inbox of testdata/public-inbox in dir from
// its fast-import streams, and deletes the blob of mark :900 (see the
// fixture's README) as a damaged clone lacks it. It returns that blob's
// id and bytes.
func buildInbox(t *testing.T, dir string) (plumbing.Hash, []byte) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH")
	}
	src := filepath.Join("..", "testdata", "public-inbox", "linux-rdma", "git")
	streams, err := filepath.Glob(filepath.Join(src, "*.git.fi"))
	if err != nil || len(streams) != 2 {
		t.Fatalf("fixture streams %v: %v", streams, err)
	}
	var damaged plumbing.Hash
	var alternates []string
	for _, s := range streams {
		epoch := filepath.Join(dir, "git", strings.TrimSuffix(filepath.Base(s), ".fi"))
		in, err := os.Open(s)
		if err != nil {
			t.Fatal(err)
		}
		marks := filepath.Join(t.TempDir(), "marks")
		for _, args := range [][]string{{"init", "--quiet", "--bare", epoch},
			{"--git-dir", epoch, "fast-import", "--quiet", "--export-marks=" + marks}} {
			cmd := exec.Command("git", args...)
			if args[0] != "init" {
				cmd.Stdin = in
			}
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("git %s: %v: %s", args[0], err, out)
			}
		}
		in.Close()
		m, err := os.ReadFile(marks)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(m), "\n") {
			if id, ok := strings.CutPrefix(line, ":900 "); ok {
				damaged = plumbing.NewHash(id)
			}
		}
		alternates = append(alternates, filepath.Join("..", "..", "git", filepath.Base(epoch), "objects"))
	}
	// all.git: empty, its alternates naming every epoch, as public-inbox keeps it.
	all := filepath.Join(dir, "all.git")
	if out, err := exec.Command("git", "init", "--quiet", "--bare", all).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v: %s", err, out)
	}
	if err := os.WriteFile(filepath.Join(all, "objects", "info", "alternates"), []byte(strings.Join(alternates, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if damaged.IsZero() {
		t.Fatal("no mark :900 in the fixture")
	}
	return damaged, takeAway(t, filepath.Join(dir, "git", "1.git"), damaged)
}

// skipsProject writes a project of a damaged kernel clone and a damaged
// public-inbox clone of linux-rdma.
func skipsProject(t *testing.T) (*project.Config, *damagedKernel, plumbing.Hash, []byte) {
	t.Helper()
	dir := t.TempDir()
	k := buildDamagedKernel(t, filepath.Join(dir, "linux.git"))
	blob, data := buildInbox(t, filepath.Join(dir, "linux-rdma"))
	text := `[[source]]
name = "linux"
kind = "upstream"
url = "linux.git"
refs = ["master", "next"]

[[source]]
name = "linux-rdma"
kind = "list"
format = "mbox"
url = "linux-rdma"
`
	file := filepath.Join(dir, "kdelta.toml")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := project.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, k, blob, data
}

// TestDamagedSourcesAreRecordedSkips syncs a kernel clone and a
// public-inbox clone that lack objects. Every object that cannot be read
// is a recorded skip naming the source, the commit or message and the
// object; the rest of each source is stored; the sync says how many it
// skipped. Once the objects come back the next sync reads them.
func TestDamagedSourcesAreRecordedSkips(t *testing.T) {
	cfg, k, blob, blobData := skipsProject(t)
	ctx := context.Background()
	rep, err := Sync(ctx, cfg, Options{Now: fixedNow, Workers: 2})
	if err != nil {
		t.Fatalf("a damaged clone aborted the sync: %v", err)
	}

	db := openStore(t, cfg)
	skips, err := db.Skips(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		source, ref, commit string // commit "" matches any
		object, reason      string
	}{
		{"linux", "master", k.c2.String(), "blob " + k.blob.String() + " (drivers/infiniband/hw/mlx5/qp.c)", "diff not read: blob " + k.blob.String()},
		{"linux", "master", k.c4.String(), "tree " + k.tree.String(), "diff not read: tree " + k.tree.String()},
		{"linux", "master", k.s1.String(), "commit " + k.s1.String(), "neither it nor the history behind it read (a parent of " + k.s2.String()[:12] + ")"},
		{"linux", "master", k.s2.String(), "commit " + k.s1.String(), "diff not read: its parent"},
		{"linux", "next", "", "object " + k.next.String(), "ref next not read: its tip object " + k.next.String()},
		{"linux-rdma", "mbox", "", "blob " + blob.String(), "the message of commit "},
	}
	for _, w := range want {
		found := false
		for _, s := range skips {
			if s.Source != w.source || s.Ref != w.ref || w.commit != "" && s.Commit != w.commit || s.Object != w.object {
				continue
			}
			found = true
			if s.Kind != store.SkipDamaged || !strings.Contains(s.Reason, w.reason) || !strings.Contains(s.Reason, "not found") ||
				strings.Contains(s.Reason, "\n") {
				t.Errorf("skip of %s: got %q %q, want damaged, a one-line reason with %q", w.object, s.Kind, s.Reason, w.reason)
			}
		}
		if !found {
			t.Errorf("no skip of %s@%s %.12s %s; skips: %+v", w.source, w.ref, w.commit, w.object, skips)
		}
	}
	if len(rep.Skips) != len(want) || len(skips) != len(want) {
		t.Errorf("the sync reports %d skips and the store holds %d, want %d: %+v", len(rep.Skips), len(skips), len(want), skips)
	}

	// What could be read is stored; what could not is not stored at all,
	// not even partly.
	for _, h := range k.stored {
		if fp, err := db.Fingerprint(ctx, h.String(), ""); err != nil || fp.PatchID == "" {
			t.Errorf("%.12s not stored whole: %+v, %v", h, fp, err)
		}
	}
	for _, h := range append(k.damaged, k.missing...) {
		if fp, err := db.Fingerprint(ctx, h.String(), ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("damaged %.12s stored: %+v, %v", h, fp, err)
		}
	}
	master := refReport(t, rep, "linux")
	if master.Ref != "master" || master.Walked != 6 || master.Fingerprinted != 3 || master.Unread != 4 {
		t.Errorf("master: %+v; want 6 walked, 3 fingerprinted, 4 not read", master)
	}
	members, err := db.RefCommitIDs(ctx, refIDOf(t, db, "linux", "master"))
	if err != nil || len(members) != len(k.stored) {
		t.Errorf("master holds %d commits (%v), want %d", len(members), err, len(k.stored))
	}

	// The list: every message but the damaged one, the ISO-8859-1 one
	// decoded.
	src, _, err := db.FindRef(ctx, "linux-rdma", "")
	if err != nil {
		t.Fatal(err)
	}
	posts, err := db.Postings(ctx, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	subjects := map[string]string{}
	for _, p := range posts {
		subjects[p.MessageID] = p.Subject
	}
	const legacy = "20240711083015.4177-1-adne@example.no"
	wantPosts := map[string]string{
		"20240603070000.1-yaelc@example.com":  "[PATCH rdma-next 0/2] RDMA/mlx5: Two fixes for the MR cache",
		"20240603070000.2-yaelc@example.com":  "[PATCH rdma-next 1/2] RDMA/mlx5: Fix the MR cache entry leak on error",
		"20240603070000.3-yaelc@example.com":  "[PATCH rdma-next 2/2] RDMA/mlx5: Check the umem page size before reuse",
		legacy:                                "[PATCH for-next] RDMA/rxe: Drop the \"déjà vu\" retry path",
		"20240715070102.2211-1-bo@example.se": "[PATCH v2] RDMA/siw: Fix a typo in a comment",
	}
	if len(subjects) != len(wantPosts) {
		t.Errorf("postings %q, want %d", subjects, len(wantPosts))
	}
	for id, subject := range wantPosts {
		if subjects[id] != subject {
			t.Errorf("posting <%s>: subject %q, want %q", id, subjects[id], subject)
		}
	}
	fp, err := db.Fingerprint(ctx, messageKey(legacy), "")
	if err != nil {
		t.Fatal(err)
	}
	if fp.AuthorName != "Ådne Sæther" || fp.Subject != "RDMA/rxe: Drop the \"déjà vu\" retry path" ||
		!strings.Contains(fp.Body, "the \"déjà vu\" case") || len(fp.Files) != 1 || fp.Files[0].Path != "drivers/infiniband/sw/rxe/rxe_comp.c" {
		t.Errorf("ISO-8859-1 posting: author %q, subject %q, body %q, files %+v", fp.AuthorName, fp.Subject, fp.Body, fp.Files)
	}
	if lr := refReport(t, rep, "linux-rdma"); lr.Walked != 6 || lr.Fingerprinted != 4 || lr.Unread != 1 {
		t.Errorf("linux-rdma: %+v; want 6 messages read, 4 patches, 1 not read", lr)
	}

	// A sync while the objects are still missing finds the same skips, and
	// one more: the mirror cannot be fetched from the damaged repository,
	// so it is read as it was.
	again, err := Sync(ctx, cfg, Options{Now: fixedNow, Workers: 2})
	if err != nil || len(again.Skips) != len(want)+1 {
		t.Fatalf("second sync: %v, %d skips, want %d: %+v", err, len(again.Skips), len(want)+1, again.Skips)
	}
	if f := again.Skips[0]; f.Source != "linux" || f.Ref != "" || !strings.Contains(f.Reason, "fetch ") || !strings.HasSuffix(f.Reason, "read the mirror as it was") {
		t.Errorf("fetch from the damaged repository: %+v", f)
	}

	// The objects come back (the repository was repaired and the mirror
	// fetched again, the inbox was cloned again): the next sync reads
	// them, and clears their skips.
	mirror := cfg.MirrorPath(cfg.Source("linux"))
	for h, data := range k.lost {
		putBack(t, k.dir, h, data)
		putBack(t, mirror, h, data)
	}
	putBack(t, filepath.Join(cfg.Dir, "linux-rdma", "git", "1.git"), blob, blobData)
	healed, err := Sync(ctx, cfg, Options{Now: fixedNow, Workers: 2})
	if err != nil || len(healed.Skips) != 0 {
		t.Fatalf("after the objects came back: %v, skips %+v", err, healed.Skips)
	}
	if skips, err := db.Skips(ctx); err != nil || len(skips) != 0 {
		t.Errorf("skips left after the objects came back: %+v, %v", skips, err)
	}
	ours, err := db.PatchIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range append(append([]plumbing.Hash{k.next}, k.damaged...), k.missing...) {
		if ours[h.String()] == "" {
			t.Errorf("%.12s not fingerprinted once readable", h)
		}
	}
	// The commit retried agrees with git.
	show, err := exec.Command("git", "--git-dir", mirror, "show", k.c2.String()).Output()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "patch-id", "--stable")
	cmd.Stdin = bytes.NewReader(show)
	out, err := cmd.Output()
	if f := strings.Fields(string(out)); err != nil || len(f) != 2 || f[0] != ours[k.c2.String()] {
		t.Errorf("patch-id of %.12s: ours %s, git %q (%v)", k.c2, ours[k.c2.String()], out, err)
	}
	if _, err := db.Fingerprint(ctx, messageKey("20240712121500.9931-1-tkr@example.com"), ""); err != nil {
		t.Errorf("the message back in the inbox is not stored: %v", err)
	}
	// And nothing is left to do.
	quiet, err := Sync(ctx, cfg, Options{Now: fixedNow, Workers: 2})
	if err != nil || len(quiet.Skips) != 0 {
		t.Fatalf("last sync: %v, %+v", err, quiet.Skips)
	}
	for _, r := range quiet.Refs {
		if !r.Unchanged {
			t.Errorf("%s@%s read again with nothing new: %+v", r.Source, r.Ref, r)
		}
	}
}

// TestDamagedArchivesAreRecordedSkips damages one source that is not a git
// repository after a clean sync: a release tarball cut short, a posting
// whose diff cannot be read. The next sync records a skip for it with the
// reason, keeps what that source held before (the tarball) or the rest of
// it (the archive), syncs every other source, and says one thing was
// skipped.
func TestDamagedArchivesAreRecordedSkips(t *testing.T) {
	tests := []struct {
		name, source, kind, object, reason string
		damage                             func(t *testing.T, path string) string // returns the object it damaged
	}{
		{"a tarball cut short", "winofed-3.1", store.SkipDamaged, "winofed-3.1.tar.xz", "snapshot not read: ",
			func(t *testing.T, path string) string {
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, data[:len(data)/2], 0o644); err != nil {
					t.Fatal(err)
				}
				return "winofed-3.1.tar.xz"
			}},
		{"a posting whose diff cannot be read", "linux-rdma", store.SkipUnreadable, "", "linux-rdma.mbox:",
			func(t *testing.T, path string) string {
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				hunk := regexp.MustCompile(`(?m)^@@ -(\d+),\d+ \+(\d+),\d+ @@`)
				at := hunk.FindIndex(data)
				if at == nil {
					t.Fatal("no hunk in the archive")
				}
				ids := regexp.MustCompile(`(?mi)^Message-ID: <([^>]+)>`).FindAllSubmatch(data[:at[0]], -1)
				if len(ids) == 0 {
					t.Fatal("no Message-ID before the first hunk")
				}
				out := append(append(append([]byte(nil), data[:at[0]]...), hunk.ReplaceAll(data[at[0]:at[1]], []byte("@@ -$1,1 +$2,1 @@"))...), data[at[1]:]...)
				if err := os.WriteFile(path, out, 0o644); err != nil {
					t.Fatal(err)
				}
				return "<" + string(ids[len(ids)-1][1]) + ">"
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			_, cfg := smallWorld(t)
			syncAll(t, cfg)
			db := openStore(t, cfg)
			before, _, err := db.Summary(ctx)
			if err != nil {
				t.Fatal(err)
			}
			object := tt.damage(t, cfg.SourceURL(cfg.Source(tt.source)))
			rep := syncAll(t, cfg)
			if len(rep.Skips) != 1 {
				t.Fatalf("skips %+v, want one", rep.Skips)
			}
			sk := rep.Skips[0]
			if sk.Source != tt.source || sk.Kind != tt.kind || sk.Object != object || !strings.Contains(sk.Reason, tt.reason) ||
				strings.Contains(sk.Reason, "\n") {
				t.Errorf("skip %+v, want %s %s %s: ...%s", sk, tt.source, tt.kind, object, tt.reason)
			}
			if r := refReport(t, rep, tt.source); r.Unread != 1 {
				t.Errorf("%s: %+v, want 1 not read", tt.source, r)
			}
			after, _, err := db.Summary(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for i, b := range before {
				a := after[i]
				switch {
				case b.Source != tt.source:
					if a != b {
						t.Errorf("%s@%s changed: %+v, then %+v", b.Source, b.Ref, b, a)
					}
				case tt.kind == store.SkipDamaged:
					if a != b {
						t.Errorf("the damaged %s@%s does not keep what it held: %+v, then %+v", b.Source, b.Ref, b, a)
					}
				default:
					if a.Commits != b.Commits-1 {
						t.Errorf("%s@%s holds %d patches, want the %d before but the unreadable one", a.Source, a.Ref, a.Commits, b.Commits)
					}
				}
			}
		})
	}
}
