package mbox

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// inboxRepo is a bare repository built object by object, as
// public-inbox's fast-import writes them.
type inboxRepo struct {
	t   *testing.T
	r   *git.Repository
	tip plumbing.Hash
	n   int
}

func newInboxRepo(t *testing.T, dir string) *inboxRepo {
	t.Helper()
	r, err := git.PlainInit(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	return &inboxRepo{t: t, r: r}
}

func (ir *inboxRepo) blob(data string) plumbing.Hash {
	ir.t.Helper()
	obj := ir.r.Storer.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	w, _ := obj.Writer()
	w.Write([]byte(data))
	w.Close()
	h, err := ir.r.Storer.SetEncodedObject(obj)
	if err != nil {
		ir.t.Fatal(err)
	}
	return h
}

// tree stores a tree of blobs by path (one directory level at most).
func (ir *inboxRepo) tree(files map[string]plumbing.Hash) plumbing.Hash {
	ir.t.Helper()
	dirs := map[string]map[string]plumbing.Hash{}
	var entries []object.TreeEntry
	for p, h := range files {
		if d, f, ok := strings.Cut(p, "/"); ok {
			if dirs[d] == nil {
				dirs[d] = map[string]plumbing.Hash{}
			}
			dirs[d][f] = h
			continue
		}
		entries = append(entries, object.TreeEntry{Name: p, Mode: filemode.Regular, Hash: h})
	}
	for d, fs := range dirs {
		entries = append(entries, object.TreeEntry{Name: d, Mode: filemode.Dir, Hash: ir.tree(fs)})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
	obj := ir.r.Storer.NewEncodedObject()
	if err := (&object.Tree{Entries: entries}).Encode(obj); err != nil {
		ir.t.Fatal(err)
	}
	h, err := ir.r.Storer.SetEncodedObject(obj)
	if err != nil {
		ir.t.Fatal(err)
	}
	return h
}

// commit stores a commit of tree on the tip and moves master to it.
func (ir *inboxRepo) commit(tree plumbing.Hash) plumbing.Hash {
	ir.t.Helper()
	ir.n++
	sig := object.Signature{Name: "public-inbox", Email: "pi@example.org", When: time.Unix(1700000000+int64(ir.n), 0).UTC()}
	c := &object.Commit{Author: sig, Committer: sig, Message: "msg\n", TreeHash: tree}
	if !ir.tip.IsZero() {
		c.ParentHashes = []plumbing.Hash{ir.tip}
	}
	obj := ir.r.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		ir.t.Fatal(err)
	}
	h, err := ir.r.Storer.SetEncodedObject(obj)
	if err != nil {
		ir.t.Fatal(err)
	}
	if err := ir.r.Storer.SetReference(plumbing.NewHashReference("refs/heads/master", h)); err != nil {
		ir.t.Fatal(err)
	}
	ir.tip = h
	return h
}

// v2 adds a commit whose tree is the single blob name ("m" or "d").
func (ir *inboxRepo) v2(name, raw string) plumbing.Hash {
	return ir.commit(ir.tree(map[string]plumbing.Hash{name: ir.blob(raw)}))
}

func rawMail(id, subject string, day int) string {
	return "From: A U Thor <a@example.org>\nSubject: " + subject + "\nDate: " +
		time.Date(2024, 1, day, 12, 0, 0, 0, time.UTC).Format(time.RFC1123Z) +
		"\nMessage-ID: <" + id + ">\n\nBody of " + subject + ".\n"
}

// v1Path returns the path of a message in a v1 inbox.
func v1PathOf(id string) string {
	sum := sha1.Sum([]byte(id))
	h := hex.EncodeToString(sum[:])
	return h[:2] + "/" + h[2:]
}

func ids(msgs []Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.MessageID)
	}
	return out
}

func TestReadPublicInboxV1(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "linux-rdma")
	ir := newInboxRepo(t, dir)
	files := map[string]plumbing.Hash{}
	// Delivered out of date order; b is spam, removed by the last commit.
	for _, m := range []struct {
		id  string
		day int
	}{{"c@x", 3}, {"a@x", 1}, {"b@x", 2}} {
		files[v1PathOf(m.id)] = ir.blob(rawMail(m.id, "[PATCH] "+m.id, m.day))
		ir.commit(ir.tree(files))
	}
	delete(files, v1PathOf("b@x"))
	ir.commit(ir.tree(files))

	for _, read := range []func(string) ([]Message, []Skip, error){ReadPublicInbox, Read} {
		msgs, skips, err := read(dir)
		if err != nil || skips != nil {
			t.Fatal(err, skips)
		}
		if got := ids(msgs); !reflect.DeepEqual(got, []string{"a@x", "c@x"}) {
			t.Errorf("messages %q", got)
		}
		if msgs[0].File != dir || msgs[0].Line != 0 || msgs[0].Subject != "[PATCH] a@x" || msgs[0].Body != "Body of [PATCH] a@x." {
			t.Errorf("%+v", msgs[0])
		}
	}
}

func TestReadPublicInboxV2(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "linux-rdma")
	e0 := newInboxRepo(t, filepath.Join(dir, "git", "0.git"))
	e1 := newInboxRepo(t, filepath.Join(dir, "git", "1.git"))
	newInboxRepo(t, filepath.Join(dir, "git", "2.git")) // no commit yet
	if err := os.MkdirAll(filepath.Join(dir, "git", "tmp.git"), 0o755); err != nil {
		t.Fatal(err)
	}
	b := rawMail("b@x", "spam", 2)
	e0.v2("m", rawMail("a@x", "[PATCH 1/2] a", 1))
	e0.v2("m", b)
	e0.v2("m", rawMail("c@x", "[PATCH 2/2] c", 3))
	e1.v2("m", rawMail("d@x", "[PATCH] d", 4))
	e1.v2("d", b) // the same blob: removed
	e1.v2("m", rawMail("e@x", "[PATCH] e", 5))
	// A removal whose blob differs from the message (headers rewritten):
	// found by Message-ID.
	e1.v2("d", strings.Replace(rawMail("c@x", "[PATCH 2/2] c", 3), "From: A U Thor", "From: Someone", 1))

	for _, read := range []func(string) ([]Message, []Skip, error){ReadPublicInbox, Read} {
		msgs, skips, err := read(dir)
		if err != nil || skips != nil {
			t.Fatal(err, skips)
		}
		if got := ids(msgs); !reflect.DeepEqual(got, []string{"a@x", "d@x", "e@x"}) {
			t.Errorf("messages %q", got)
		}
		if msgs[1].File != filepath.Join(dir, "git", "1.git") {
			t.Errorf("File %q", msgs[1].File)
		}
	}
	// One epoch alone reads as v2, without what later epochs removed.
	msgs, _, err := ReadPublicInbox(filepath.Join(dir, "git", "0.git"))
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(msgs); !reflect.DeepEqual(got, []string{"a@x", "b@x", "c@x"}) {
		t.Errorf("epoch 0: %q", got)
	}
}

func TestReadPublicInboxErrors(t *testing.T) {
	dir := t.TempDir()
	_, _, err := ReadPublicInbox(dir)
	var e *Error
	if !errors.As(err, &e) || e.File != dir || !strings.Contains(e.Msg, "not a public-inbox") {
		t.Errorf("plain directory: %v", err)
	}

	// A git repository that is no inbox (a kernel tree).
	kernel := filepath.Join(dir, "linux")
	kr := newInboxRepo(t, kernel)
	kc := kr.commit(kr.tree(map[string]plumbing.Hash{"Makefile": kr.blob("all:\n"), "drivers/Makefile": kr.blob("obj-y += infiniband/\n")}))
	_, _, err = Read(kernel)
	if !errors.As(err, &e) || e.File != kernel || !strings.Contains(e.Msg, "commit "+kc.String()+": not a public-inbox") {
		t.Errorf("kernel tree: %v", err)
	}

	// A repository whose only commit's tree is missing: neither v1 nor v2
	// can be told.
	bare := filepath.Join(dir, "bare.git")
	br := newInboxRepo(t, bare)
	c := br.commit(plumbing.NewHash("0123456789abcdef0123456789abcdef01234567"))
	_, _, err = ReadPublicInbox(bare)
	if !errors.As(err, &e) || e.File != bare || !strings.Contains(e.Msg, "commit "+c.String()) {
		t.Errorf("missing tree: %v", err)
	}
	if !strings.HasPrefix(err.Error(), bare+": commit "+c.String()) {
		t.Errorf("Error() = %q", err.Error())
	}
}

// TestReadDamagedPublicInbox reads a v2 inbox whose clone lacks objects: a
// message blob, a tree, a commit of the history. Each is a Skip naming the
// object and the commit, and every other message is read.
func TestReadDamagedPublicInbox(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "linux-rdma")
	e0 := newInboxRepo(t, filepath.Join(dir, "git", "0.git"))
	e1 := newInboxRepo(t, filepath.Join(dir, "git", "1.git"))
	e0.v2("m", rawMail("a@x", "[PATCH] a", 1))
	lost := e0.blob(rawMail("b@x", "[PATCH] b", 2))
	bc := e0.commit(e0.tree(map[string]plumbing.Hash{"m": lost}))
	e0.v2("m", rawMail("c@x", "[PATCH] c", 3))
	noTree := plumbing.NewHash("0123456789abcdef0123456789abcdef01234567")
	tc := e0.commit(noTree)
	e0.v2("m", rawMail("d@x", "[PATCH] d", 4))
	// Epoch 1 starts on a commit the clone lacks (a shallow or cut copy).
	e1.tip = plumbing.NewHash("89abcdef0123456789abcdef0123456789abcdef")
	e1.v2("m", rawMail("e@x", "[PATCH] e", 5))
	removeObject(t, filepath.Join(dir, "git", "0.git"), lost)

	msgs, skips, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(msgs); !reflect.DeepEqual(got, []string{"a@x", "c@x", "d@x", "e@x"}) {
		t.Errorf("messages %q", got)
	}
	want := []struct{ object, commit, reason string }{
		{"blob " + lost.String(), bc.String(), "the message of commit " + bc.String() + " not read"},
		{"tree " + noTree.String(), tc.String(), "the message of commit " + tc.String() + " not read"},
		{"commit ", "", "the messages before it in this epoch not read"},
	}
	if len(skips) != len(want) {
		t.Fatalf("skips %+v, want %d", skips, len(want))
	}
	for i, w := range want {
		sk := skips[i]
		if !strings.HasPrefix(sk.Object, w.object) || !strings.Contains(sk.Reason, w.reason) ||
			!strings.Contains(sk.Reason, "object not found") || strings.Contains(sk.Reason, "\n") {
			t.Errorf("skip %d = %+v, want %s: %s", i, sk, w.object, w.reason)
		}
		if w.commit != "" && sk.Commit != w.commit {
			t.Errorf("skip %d commit %q, want %s", i, sk.Commit, w.commit)
		}
	}
	if skips[2].File != filepath.Join(dir, "git", "1.git") || skips[2].Object != "commit 89abcdef0123456789abcdef0123456789abcdef" {
		t.Errorf("missing history: %+v", skips[2])
	}
}

// removeObject deletes a loose object from a bare repository, as a damaged
// clone lacks it.
func removeObject(t *testing.T, repo string, h plumbing.Hash) {
	t.Helper()
	s := h.String()
	if err := os.Remove(filepath.Join(repo, "objects", s[:2], s[2:])); err != nil {
		t.Fatal(err)
	}
}
