package world

import (
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/kdelta/kdelta/change"
)

// Advance appends n new non-merge commits to the main branch of source in
// the world at dir, as loose objects, and records them in truth.json. On
// upstream they are ordinary RDMA commits (some of them fixes, with
// Fixes: and Cc: stable); on a downstream, cherry-picks (with a
// "(cherry picked from commit X)" trailer) of missing upstream commits
// that apply cleanly, and downstream-only patches. It returns the new
// commit ids, oldest first.
func Advance(dir string, source string, n int, seed int64) ([]string, error) {
	truthPath := filepath.Join(dir, "truth.json")
	truth, err := LoadTruth(truthPath)
	if err != nil {
		return nil, fmt.Errorf("advance: %w", err)
	}
	branch := ""
	var ds *Downstream
	if source == truth.Upstream.Source {
		branch = truth.Upstream.Branch
	} else if ds = truth.Downstream(source); ds != nil {
		branch = ds.Branch
	} else {
		return nil, fmt.Errorf("advance: unknown source %q", source)
	}
	repo, err := git.PlainOpen(filepath.Join(dir, source+".git"))
	if err != nil {
		return nil, fmt.Errorf("advance: %s: %w", source, err)
	}
	refName := plumbing.NewBranchReferenceName(branch)
	ref, err := repo.Reference(refName, true)
	if err != nil {
		return nil, fmt.Errorf("advance: %s: %s: %w", source, refName, err)
	}
	tip, err := repo.CommitObject(ref.Hash())
	if err != nil {
		return nil, fmt.Errorf("advance: %s: %w", source, err)
	}
	tree, err := tip.Tree()
	if err != nil {
		return nil, err
	}
	root, err := loadTree(repo, tree)
	if err != nil {
		return nil, fmt.Errorf("advance: %s: %w", source, err)
	}
	a := &advancer{r: rand.New(rand.NewSource(seed)), repo: repo, lw: looseWriter{repo.Storer}, truth: truth, ds: ds,
		root: root, tip: oid(tip.Hash), clock: tip.Committer.When.Unix()}
	if ds != nil {
		a.upRepo, err = git.PlainOpen(filepath.Join(dir, truth.Upstream.Source+".git"))
		if err != nil {
			return nil, fmt.Errorf("advance: %s: %w", truth.Upstream.Source, err)
		}
	}
	var ids []string
	for i := 0; i < n; i++ {
		id, err := a.step()
		if err != nil {
			return ids, fmt.Errorf("advance: %s: %w", source, err)
		}
		ids = append(ids, id)
	}
	if err := repo.Storer.SetReference(plumbing.NewHashReference(refName, plumbing.Hash(a.tip))); err != nil {
		return ids, fmt.Errorf("advance: %s: %w", source, err)
	}
	if ds != nil {
		ds.Head = a.tip.String()
	} else {
		truth.Upstream.Head = a.tip.String()
	}
	truth.Derive()
	if err := truth.save(truthPath); err != nil {
		return ids, fmt.Errorf("advance: %w", err)
	}
	return ids, nil
}

type advancer struct {
	r      *rand.Rand
	repo   *git.Repository
	upRepo *git.Repository
	lw     looseWriter
	truth  *Truth
	ds     *Downstream
	root   *dir
	tip    oid
	clock  int64
	tried  map[string]bool
}

func (a *advancer) step() (string, error) {
	a.clock += 3600 + a.r.Int63n(86400)
	if a.ds != nil && chance(a.r, 0.5) {
		if id, ok, err := a.cherryPick(); ok || err != nil {
			return id, err
		}
	}
	for try := 0; try < 50; try++ {
		ar := pickArea(a.r, nil)
		if !ar.rdma {
			continue
		}
		files := areaFiles(a.root, ar)
		if len(files) == 0 {
			continue
		}
		path := pick(a.r, files)
		f := a.root.get(path)
		e, ok := (code{r: a.r, a: ar}).editFile(path, f.lines, "", nil)
		if !ok {
			continue
		}
		ch := &changeSet{Files: []fileChange{{Op: opModify, Path: path, Hunks: e.hunks}}}
		res, ok := applyChange(a.root, ch, true)
		if !ok {
			continue
		}
		if a.ds != nil {
			eng := pick(a.r, rhelEngineers)
			if a.ds.Kind == "vendor" {
				eng = pick(a.r, vendorEngineers)
			}
			obj, subject := onlyMessage(a.r, a.ds.Kind, ar, path, e, eng, a.clock)
			id, err := a.commit(res.root, obj)
			a.ds.Commits = append(a.ds.Commits, Entry{ID: id, Kind: KindDownstreamOnly, Subject: subject})
			return id, err
		}
		return a.upstreamCommit(ar, path, e, res.root)
	}
	return "", fmt.Errorf("no commit could be generated")
}

func (a *advancer) upstreamCommit(ar *area, path string, e edit, root *dir) (string, error) {
	au := pick(a.r, developers)
	obj := commitObj{author: au, authorTime: a.clock, committer: pick(a.r, rdmaMaintainers), commitTime: a.clock + 600}
	subject := joinSubject(prefixFor(a.r, ar, path), fill(e.what, e.fn))
	uc := UpstreamCommit{Subject: subject, Files: []string{path}}
	var b strings.Builder
	b.WriteString(subject + "\n\n" + wrap(fill(e.why, e.fn)) + "\n\n")
	if e.fix || chance(a.r, 0.3) {
		commits := a.truth.Upstream.Commits
		for try := 0; try < 20 && len(commits) > 0; try++ {
			t := commits[len(commits)-1-a.r.Intn(min(200, len(commits)))]
			if t.Merge || t.Release != "" {
				continue
			}
			uc.Fixes = []string{t.ID}
			fmt.Fprintf(&b, "Fixes: %s (\"%s\")\n", t.ID[:12], t.Subject)
			if chance(a.r, 0.4) {
				uc.Stable = true
				b.WriteString("Cc: stable@vger.kernel.org\n")
			}
			break
		}
	}
	b.WriteString(sob(au) + sob(obj.committer))
	obj.message = b.String()
	id, err := a.commit(root, obj)
	if err != nil {
		return "", err
	}
	uc.ID = id
	a.truth.Upstream.Commits = append(a.truth.Upstream.Commits, uc)
	if len(uc.Fixes) > 0 {
		a.truth.Upstream.Fixes = append(a.truth.Upstream.Fixes, FixLink{Commit: id, Fixes: uc.Fixes})
	}
	return id, nil
}

// cherryPick carries a missing upstream commit that applies exactly.
func (a *advancer) cherryPick() (string, bool, error) {
	if a.tried == nil {
		a.tried = map[string]bool{}
	}
	for try := 0; try < 60; try++ {
		// Fixes for code the downstream has apply best; then anything.
		miss := a.ds.MissingFixes
		if try >= 30 || len(miss) == 0 {
			miss = a.ds.Missing
		}
		if len(miss) == 0 {
			break
		}
		id := miss[len(miss)-1-a.r.Intn(min(len(miss), 300))]
		if a.tried[id] {
			continue
		}
		a.tried[id] = true
		u, ch, err := a.upstreamChange(id)
		if err != nil {
			return "", false, err
		}
		if ch == nil {
			continue
		}
		res, ok := applyChange(a.root, ch, true)
		if !ok {
			continue
		}
		eng := pick(a.r, rhelEngineers)
		if a.ds.Kind == "vendor" {
			eng = pick(a.r, vendorEngineers)
		}
		msg, _ := styled(a.r, string(change.CherryPicked), u, "", eng)
		obj := commitObj{author: u.obj.author, authorTime: u.obj.authorTime, committer: eng, commitTime: a.clock, message: msg}
		nid, err := a.commit(res.root, obj)
		if err != nil {
			return "", false, err
		}
		a.ds.Commits = append(a.ds.Commits, Entry{ID: nid, Kind: KindCherryPick, Trailer: change.CherryPicked, Upstream: []string{id}, Subject: u.subject})
		a.truth.Derive()
		return nid, true, nil
	}
	return "", false, nil
}

// upstreamChange reads an upstream commit and its change (nil when it is a
// merge, renames or touches binary files).
func (a *advancer) upstreamChange(id string) (*ucommit, *changeSet, error) {
	c, err := a.upRepo.CommitObject(plumbing.NewHash(id))
	if err != nil {
		return nil, nil, err
	}
	if c.NumParents() != 1 {
		return nil, nil, nil
	}
	parent, err := c.Parent(0)
	if err != nil {
		return nil, nil, err
	}
	from, err := parent.Tree()
	if err != nil {
		return nil, nil, err
	}
	to, err := c.Tree()
	if err != nil {
		return nil, nil, err
	}
	changes, err := object.DiffTree(from, to)
	if err != nil {
		return nil, nil, err
	}
	ch := &changeSet{}
	for _, fc := range changes {
		act, err := fc.Action()
		if err != nil {
			return nil, nil, err
		}
		f1, f2, err := fc.Files()
		if err != nil {
			return nil, nil, err
		}
		old, bin1, err := fileLines(f1)
		if err != nil {
			return nil, nil, err
		}
		cur, bin2, err := fileLines(f2)
		if err != nil {
			return nil, nil, err
		}
		if bin1 || bin2 {
			return nil, nil, nil
		}
		switch act.String() {
		case "Insert":
			ch.Files = append(ch.Files, fileChange{Op: opCreate, Path: fc.To.Name, Lines: cur, Mode: uint32(fc.To.TreeEntry.Mode)})
		case "Delete":
			ch.Files = append(ch.Files, fileChange{Op: opDelete, Path: fc.From.Name, Lines: old})
		default:
			if fc.From.Name != fc.To.Name || fc.From.TreeEntry.Mode != fc.To.TreeEntry.Mode {
				return nil, nil, nil
			}
			ch.Files = append(ch.Files, fileChange{Op: opModify, Path: fc.To.Name, Hunks: diffLines(old, cur)})
		}
	}
	msg := c.Message
	subject, body, _ := strings.Cut(msg, "\n\n")
	u := &ucommit{id: oid(c.Hash), subject: strings.TrimSpace(subject), body: body}
	_, tzOff := c.Author.When.Zone()
	u.obj.author = person{name: c.Author.Name, email: c.Author.Email, tz: tzOff / 60}
	u.obj.authorTime = c.Author.When.Unix()
	return u, ch, nil
}

func fileLines(f *object.File) ([]string, bool, error) {
	if f == nil {
		return nil, false, nil
	}
	rd, err := f.Blob.Reader()
	if err != nil {
		return nil, false, err
	}
	defer rd.Close()
	b, err := io.ReadAll(rd)
	if err != nil {
		return nil, false, err
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return nil, true, nil
	}
	return splitLines(b), false, nil
}

func splitLines(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func (a *advancer) commit(root *dir, obj commitObj) (string, error) {
	t, err := a.lw.putTree(root)
	if err != nil {
		return "", err
	}
	obj.tree = t
	obj.parents = []oid{a.tip}
	if obj.commitTime <= a.clock {
		obj.commitTime = a.clock
	}
	id, err := a.lw.put(objCommit, obj.encode())
	if err != nil {
		return "", err
	}
	a.root, a.tip = root, id
	return id.String(), nil
}

// loadTree reads a git tree into the persistent tree the generator uses.
func loadTree(repo *git.Repository, t *object.Tree) (*dir, error) {
	d := &dir{hash: oid(t.Hash), hashed: true}
	for _, e := range t.Entries {
		if e.Mode == filemode.Dir {
			st, err := repo.TreeObject(e.Hash)
			if err != nil {
				return nil, err
			}
			sd, err := loadTree(repo, st)
			if err != nil {
				return nil, err
			}
			d.entries = append(d.entries, entry{name: e.Name, sub: sd})
			continue
		}
		blob, err := repo.BlobObject(e.Hash)
		if err != nil {
			return nil, err
		}
		rd, err := blob.Reader()
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(rd)
		rd.Close()
		if err != nil {
			return nil, err
		}
		f := &fileVer{mode: uint32(e.Mode), hash: oid(e.Hash), hashed: true}
		if bytes.IndexByte(b, 0) >= 0 {
			f.data = b
		} else {
			f.lines = splitLines(b)
		}
		d.entries = append(d.entries, entry{name: e.Name, file: f})
	}
	return d, nil
}

// looseWriter stores objects as loose objects through go-git.
type looseWriter struct {
	s storer.EncodedObjectStorer
}

func (l looseWriter) has(h oid) bool { return l.s.HasEncodedObject(plumbing.Hash(h)) == nil }

func (l looseWriter) put(t int, data []byte) (oid, error) {
	h := hashObject(t, data)
	if l.has(h) {
		return h, nil
	}
	obj := l.s.NewEncodedObject()
	obj.SetType(plumbing.ObjectType(t))
	obj.SetSize(int64(len(data)))
	w, err := obj.Writer()
	if err != nil {
		return h, err
	}
	if _, err := w.Write(data); err != nil {
		return h, err
	}
	if err := w.Close(); err != nil {
		return h, err
	}
	_, err = l.s.SetEncodedObject(obj)
	return h, err
}

func (l looseWriter) putTree(d *dir) (oid, error) {
	if d.hashed && l.has(d.hash) {
		return d.hash, nil
	}
	for _, e := range d.entries {
		var err error
		if e.sub != nil {
			_, err = l.putTree(e.sub)
		} else if !e.file.hashed || !l.has(e.file.hash) {
			_, err = l.put(objBlob, e.file.bytes())
			e.file.id()
		}
		if err != nil {
			return oid{}, err
		}
	}
	data := d.serialize()
	h, err := l.put(objTree, data)
	d.hash, d.hashed = h, true
	return h, err
}
