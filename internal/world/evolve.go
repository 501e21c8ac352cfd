package world

// Evolving a built world the way real trees change between two CI runs of
// `kdelta check`: a downstream rebase that drops a backport (the upstream
// commit becomes missing again), an upstream revert of a commit a
// downstream carries, and a new upstream fix of a commit a downstream has.
// Like Advance, each writes loose objects, moves one branch and rewrites
// truth.json.

import (
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// RebaseInfo says what Rebase did.
type RebaseInfo struct {
	Dropped  string            // the dropped downstream commit
	Upstream []string          // the upstream commit(s) it carried
	Renamed  map[string]string // old id -> new id of every re-created commit (merges included)
}

// Rebase rewrites the branch of the downstream git source (rhel or ofed)
// in the world at dir as a rebase that drops one backport. It picks,
// deterministically from seed, an entry of kind cherry-pick, exact or
// context that is neither reverted nor a revert, whose files no later
// commit touches, whose upstream commits no other entry carries and
// Derive would list as missing once it is gone, and whose removal leaves
// no merge request empty. Every descendant of it on the branch (merges
// too, keeping their shape) is re-created with the same author, author
// date, committer name and message; its tree is the old one with the
// dropped commit's files as they were in its parent (files it added
// removed); committer dates are the old tip's plus one day, then one hour
// more per commit. The dropped commit's parent takes its place. The
// branch moves to the new tip; tags keep pointing at the old commits.
//
// truth.json loses the dropped entry; every id of a re-created commit is
// renamed wherever the truth names this branch's commits: the entries
// (reverts, reverted_by), head, merges, landed, statuses, the commits that
// postings and queue commits carry and that series patches were exported
// from. Tags and the test results (culprits between two old tags) keep
// the old ids. Then Derive: missing now lists the dropped upstream
// commits.
func Rebase(dir, source string, seed int64) (RebaseInfo, error) {
	truthPath := filepath.Join(dir, "truth.json")
	truth, err := LoadTruth(truthPath)
	if err != nil {
		return RebaseInfo{}, fmt.Errorf("rebase: %w", err)
	}
	ds := truth.Downstream(source)
	if ds == nil {
		return RebaseInfo{}, fmt.Errorf("rebase: %s: no downstream git source %q (want one of its downstreams)", truthPath, source)
	}
	repo, err := git.PlainOpen(filepath.Join(dir, source+".git"))
	if err != nil {
		return RebaseInfo{}, fmt.Errorf("rebase: %s: %w", source, err)
	}
	refName := plumbing.NewBranchReferenceName(ds.Branch)
	ref, err := repo.Reference(refName, true)
	if err != nil {
		return RebaseInfo{}, fmt.Errorf("rebase: %s: %s: %w", source, refName, err)
	}

	// What every entry touches, and the last entry touching each path.
	paths := make([][]string, len(ds.Commits))
	parents := make([]plumbing.Hash, len(ds.Commits))
	last := map[string]int{}
	for i, e := range ds.Commits {
		c, err := repo.CommitObject(plumbing.NewHash(e.ID))
		if err != nil {
			return RebaseInfo{}, fmt.Errorf("rebase: %s: truth entry %s: %w", source, e.ID, err)
		}
		if c.NumParents() != 1 {
			return RebaseInfo{}, fmt.Errorf("rebase: %s: truth entry %s has %d parents, want 1", source, e.ID, c.NumParents())
		}
		parents[i] = c.ParentHashes[0]
		if paths[i], err = commitPaths(c); err != nil {
			return RebaseInfo{}, fmt.Errorf("rebase: %s: %s: %w", source, e.ID, err)
		}
		for _, p := range paths[i] {
			last[p] = i
		}
	}
	mergeParents := map[string][]plumbing.Hash{}
	for _, m := range ds.Merges {
		c, err := repo.CommitObject(plumbing.NewHash(m))
		if err != nil {
			return RebaseInfo{}, fmt.Errorf("rebase: %s: truth merge %s: %w", source, m, err)
		}
		mergeParents[m] = c.ParentHashes
	}

	cands := rebaseCandidates(truth, ds, paths, parents, last, mergeParents)
	if len(cands) == 0 {
		return RebaseInfo{}, fmt.Errorf("rebase: %s: no backport can be dropped cleanly (want one whose files no later commit touches)", source)
	}
	drop := cands[rand.New(rand.NewSource(seed)).Intn(len(cands))]
	dropped := ds.Commits[drop]
	droppedID := plumbing.NewHash(dropped.ID)
	base := parents[drop]

	// The dropped commit's files as they were before it.
	baseCommit, err := repo.CommitObject(base)
	if err != nil {
		return RebaseInfo{}, fmt.Errorf("rebase: %s: %w", source, err)
	}
	restore, err := entriesAt(repo, baseCommit.TreeHash, paths[drop])
	if err != nil {
		return RebaseInfo{}, fmt.Errorf("rebase: %s: %w", source, err)
	}

	// The descendants of the dropped commit, parents first.
	onBranch := map[plumbing.Hash]bool{}
	for _, e := range ds.Commits {
		onBranch[plumbing.NewHash(e.ID)] = true
	}
	for _, m := range ds.Merges {
		onBranch[plumbing.NewHash(m)] = true
	}
	order, err := descendants(repo, ref.Hash(), droppedID, onBranch)
	if err != nil {
		return RebaseInfo{}, fmt.Errorf("rebase: %s: %w", source, err)
	}

	tipCommit, err := repo.CommitObject(ref.Hash())
	if err != nil {
		return RebaseInfo{}, fmt.Errorf("rebase: %s: %w", source, err)
	}
	clock := tipCommit.Committer.When.Unix() + 86400
	lw := looseWriter{repo.Storer}
	renamed := map[plumbing.Hash]plumbing.Hash{droppedID: base}
	info := RebaseInfo{Dropped: dropped.ID, Upstream: append([]string(nil), dropped.Upstream...), Renamed: map[string]string{}}
	for k, h := range order {
		raw, err := rawObject(repo, h)
		if err != nil {
			return info, fmt.Errorf("rebase: %s: %s: %w", source, h, err)
		}
		c, err := repo.CommitObject(h)
		if err != nil {
			return info, fmt.Errorf("rebase: %s: %w", source, err)
		}
		tree, err := patchTree(repo, lw, c.TreeHash, restore)
		if err != nil {
			return info, fmt.Errorf("rebase: %s: %s: %w", source, h, err)
		}
		var ps []oid
		for _, p := range c.ParentHashes {
			if n, ok := renamed[p]; ok {
				p = n
			}
			ps = append(ps, oid(p))
		}
		data, err := recommit(raw, tree, ps, clock+int64(k)*3600)
		if err != nil {
			return info, fmt.Errorf("rebase: %s: commit %s: %w", source, h, err)
		}
		id, err := lw.put(objCommit, data)
		if err != nil {
			return info, fmt.Errorf("rebase: %s: %w", source, err)
		}
		renamed[h] = plumbing.Hash(id)
		info.Renamed[h.String()] = id.String()
	}
	newTip := ref.Hash()
	if n, ok := renamed[newTip]; ok {
		newTip = n
	}
	if err := repo.Storer.SetReference(plumbing.NewHashReference(refName, newTip)); err != nil {
		return info, fmt.Errorf("rebase: %s: %w", source, err)
	}

	rename := func(id string) string {
		if n, ok := info.Renamed[id]; ok {
			return n
		}
		return id
	}
	kept := make([]Entry, 0, len(ds.Commits)-1)
	for i, e := range ds.Commits {
		if i == drop {
			continue
		}
		e.ID, e.Reverts, e.RevertedBy = rename(e.ID), renameSet(e.Reverts, rename), renameSet(e.RevertedBy, rename)
		kept = append(kept, e)
	}
	ds.Commits = kept
	ds.Head = newTip.String()
	for i := range ds.Merges {
		ds.Merges[i] = rename(ds.Merges[i])
	}
	for i := range ds.Landed {
		ds.Landed[i].Commit = rename(ds.Landed[i].Commit)
	}
	for i := range truth.Statuses {
		if truth.Statuses[i].Source == source {
			truth.Statuses[i].Commit = rename(truth.Statuses[i].Commit)
		}
	}
	for i := range truth.Postings {
		for j := range truth.Postings[i].Messages {
			if c := truth.Postings[i].Messages[j].Carries; c != nil && c.Source == source {
				c.Commit = rename(c.Commit)
			}
		}
	}
	for i := range truth.Queues {
		for j := range truth.Queues[i].Commits {
			if c := &truth.Queues[i].Commits[j].Carries; c.Source == source {
				c.Commit = rename(c.Commit)
			}
		}
	}
	for i := range truth.Series {
		for j := range truth.Series[i].Patches {
			p := &truth.Series[i].Patches[j]
			p.From = rename(p.From)
		}
	}
	truth.Derive()
	if err := truth.save(truthPath); err != nil {
		return info, fmt.Errorf("rebase: %w", err)
	}
	return info, nil
}

func renameSet(id string, rename func(string) string) string {
	if id == "" {
		return ""
	}
	return rename(id)
}

// rebaseCandidates lists, in branch order, the entries Rebase may drop.
func rebaseCandidates(truth *Truth, ds *Downstream, paths [][]string, parents []plumbing.Hash, last map[string]int, mergeParents map[string][]plumbing.Hash) []int {
	up := make(map[string]*UpstreamCommit, len(truth.Upstream.Commits))
	pos := make(map[string]int, len(truth.Upstream.Commits))
	for i := range truth.Upstream.Commits {
		c := &truth.Upstream.Commits[i]
		up[c.ID], pos[c.ID] = c, i
	}
	base, ok := pos[ds.BaseCommit]
	if !ok {
		return nil
	}
	revertedUp := map[string]bool{}
	for _, r := range truth.Upstream.Reverts {
		revertedUp[r.Reverted] = true
	}
	carriers := map[string]int{}
	for _, e := range ds.Commits {
		for _, u := range e.Upstream {
			carriers[u]++
		}
	}
	var out []int
next:
	for i, e := range ds.Commits {
		if e.Kind != KindCherryPick && e.Kind != KindExact && e.Kind != KindContext || len(e.Upstream) == 0 ||
			e.Reverts != "" || e.RevertedBy != "" || len(paths[i]) == 0 {
			continue
		}
		for _, u := range e.Upstream {
			c := up[u]
			if c == nil || pos[u] <= base || c.Merge || c.Release != "" || c.Reverts != "" || revertedUp[u] || carriers[u] != 1 {
				continue next
			}
		}
		for _, p := range paths[i] {
			if last[p] != i {
				continue next
			}
		}
		for _, ps := range mergeParents {
			// The only commit of its merge request: the merge would be empty.
			if len(ps) == 2 && ps[1].String() == e.ID && ps[0] == parents[i] {
				continue next
			}
		}
		out = append(out, i)
	}
	return out
}

// commitPaths lists the paths a one-parent commit changes, both sides of a
// rename, sorted.
func commitPaths(c *object.Commit) ([]string, error) {
	p, err := c.Parent(0)
	if err != nil {
		return nil, err
	}
	from, err := p.Tree()
	if err != nil {
		return nil, err
	}
	to, err := c.Tree()
	if err != nil {
		return nil, err
	}
	changes, err := object.DiffTree(from, to)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, ch := range changes {
		for _, n := range []string{ch.From.Name, ch.To.Name} {
			if n != "" && !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// entriesAt returns the file at each path in tree t (nil where there is
// none), as a stub that knows only its mode and blob id.
func entriesAt(repo *git.Repository, t plumbing.Hash, paths []string) (map[string]*fileVer, error) {
	tree, err := repo.TreeObject(t)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*fileVer, len(paths))
	for _, p := range paths {
		e, err := tree.FindEntry(p)
		if err != nil || e.Mode == filemode.Dir {
			out[p] = nil
			continue
		}
		out[p] = &fileVer{mode: uint32(e.Mode), hash: oid(e.Hash), hashed: true}
	}
	return out, nil
}

// shallowTree reads tree h, descending only into the directories on the
// way to paths; every other directory and every file is a stub that knows
// only its hash, which is all putTree needs of what did not change.
func shallowTree(repo *git.Repository, h plumbing.Hash, paths []string) (*dir, error) {
	t, err := repo.TreeObject(h)
	if err != nil {
		return nil, err
	}
	d := &dir{hash: oid(h), hashed: true}
	for _, e := range t.Entries {
		if e.Mode != filemode.Dir {
			d.entries = append(d.entries, entry{name: e.Name, file: &fileVer{mode: uint32(e.Mode), hash: oid(e.Hash), hashed: true}})
			continue
		}
		var sub []string
		for _, p := range paths {
			if strings.HasPrefix(p, e.Name+"/") {
				sub = append(sub, p[len(e.Name)+1:])
			}
		}
		sd := &dir{hash: oid(e.Hash), hashed: true}
		if len(sub) > 0 {
			if sd, err = shallowTree(repo, e.Hash, sub); err != nil {
				return nil, err
			}
		}
		d.entries = append(d.entries, entry{name: e.Name, sub: sd})
	}
	return d, nil
}

// patchTree writes tree t with each path of set replaced by its file (nil
// removes it) and returns the new tree's id.
func patchTree(repo *git.Repository, lw looseWriter, t plumbing.Hash, set map[string]*fileVer) (oid, error) {
	paths := make([]string, 0, len(set))
	for p := range set {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	root, err := shallowTree(repo, t, paths)
	if err != nil {
		return oid{}, err
	}
	for _, p := range paths {
		root = root.set(p, set[p])
	}
	return lw.putTree(root)
}

// descendants lists the commits reachable from tip, within onBranch, that
// descend from from (itself excluded), parents before children.
func descendants(repo *git.Repository, tip, from plumbing.Hash, onBranch map[plumbing.Hash]bool) ([]plumbing.Hash, error) {
	state := map[plumbing.Hash]int{} // 1: visiting, 2: does not descend, 3: descends
	var order []plumbing.Hash
	var visit func(h plumbing.Hash) (bool, error)
	visit = func(h plumbing.Hash) (bool, error) {
		if h == from {
			return true, nil
		}
		if !onBranch[h] {
			return false, nil
		}
		switch state[h] {
		case 1:
			return false, fmt.Errorf("commit %s is its own ancestor", h)
		case 2:
			return false, nil
		case 3:
			return true, nil
		}
		state[h] = 1
		c, err := repo.CommitObject(h)
		if err != nil {
			return false, err
		}
		desc := false
		for _, p := range c.ParentHashes {
			d, err := visit(p)
			if err != nil {
				return false, err
			}
			desc = desc || d
		}
		state[h] = 2
		if desc {
			state[h] = 3
			order = append(order, h)
		}
		return desc, nil
	}
	if _, err := visit(tip); err != nil {
		return nil, err
	}
	return order, nil
}

// rawObject returns the content of object h.
func rawObject(repo *git.Repository, h plumbing.Hash) ([]byte, error) {
	obj, err := repo.Storer.EncodedObject(plumbing.AnyObject, h)
	if err != nil {
		return nil, err
	}
	rd, err := obj.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

// recommit rewrites a raw commit object with a new tree, new parents and
// a new committer time; every other header and the message stay byte for
// byte.
func recommit(raw []byte, tree oid, parents []oid, commitTime int64) ([]byte, error) {
	head, msg, ok := bytes.Cut(raw, []byte("\n\n"))
	if !ok {
		return nil, fmt.Errorf("no blank line after the headers")
	}
	var b bytes.Buffer
	b.WriteString("tree " + tree.String() + "\n")
	for _, p := range parents {
		b.WriteString("parent " + p.String() + "\n")
	}
	committer := false
	for _, l := range strings.Split(string(head), "\n") {
		switch {
		case strings.HasPrefix(l, "tree "), strings.HasPrefix(l, "parent "):
			continue
		case strings.HasPrefix(l, "committer "):
			// "committer Name <email> 1700000000 +0100"
			i := strings.LastIndex(l, "> ")
			f := strings.Fields(l[max(i, 0)+2:])
			if i < 0 || len(f) != 2 {
				return nil, fmt.Errorf("malformed committer line %q (want \"committer Name <email> time zone\")", l)
			}
			l = l[:i+2] + strconv.FormatInt(commitTime, 10) + " " + f[1]
			committer = true
		}
		b.WriteString(l + "\n")
	}
	if !committer {
		return nil, fmt.Errorf("no committer line")
	}
	b.WriteString("\n")
	b.Write(msg)
	return b.Bytes(), nil
}

// upstreamTip opens the upstream repository of the world at dir and
// returns it with its branch's reference and tip.
func upstreamTip(dir string, truth *Truth) (*git.Repository, plumbing.ReferenceName, *object.Commit, error) {
	repo, err := git.PlainOpen(filepath.Join(dir, truth.Upstream.Source+".git"))
	if err != nil {
		return nil, "", nil, fmt.Errorf("%s: %w", truth.Upstream.Source, err)
	}
	refName := plumbing.NewBranchReferenceName(truth.Upstream.Branch)
	ref, err := repo.Reference(refName, true)
	if err != nil {
		return nil, "", nil, fmt.Errorf("%s: %s: %w", truth.Upstream.Source, refName, err)
	}
	tip, err := repo.CommitObject(ref.Hash())
	if err != nil {
		return nil, "", nil, fmt.Errorf("%s: %w", truth.Upstream.Source, err)
	}
	return repo, refName, tip, nil
}

// upstreamEntry finds an upstream commit of the truth by its full id.
func upstreamEntry(truth *Truth, id string) (*UpstreamCommit, error) {
	for i := range truth.Upstream.Commits {
		if truth.Upstream.Commits[i].ID == id {
			return &truth.Upstream.Commits[i], nil
		}
	}
	return nil, fmt.Errorf("%s is not a commit of %s (want a full 40-hex id from truth.json)", id, truth.Upstream.Source)
}

// appendUpstream writes a commit on top of the upstream tip, moves the
// branch to it and records it in the truth.
func appendUpstream(repo *git.Repository, refName plumbing.ReferenceName, tip *object.Commit, root *dir, obj commitObj, truth *Truth, uc UpstreamCommit) (string, error) {
	lw := looseWriter{repo.Storer}
	t, err := lw.putTree(root)
	if err != nil {
		return "", err
	}
	obj.tree, obj.parents = t, []oid{oid(tip.Hash)}
	id, err := lw.put(objCommit, obj.encode())
	if err != nil {
		return "", err
	}
	if err := repo.Storer.SetReference(plumbing.NewHashReference(refName, plumbing.Hash(id))); err != nil {
		return "", err
	}
	uc.ID = id.String()
	truth.Upstream.Commits = append(truth.Upstream.Commits, uc)
	truth.Upstream.Head = uc.ID
	if uc.Reverts != "" {
		truth.Upstream.Reverts = append(truth.Upstream.Reverts, Revert{Commit: uc.ID, Reverted: uc.Reverts})
	}
	if len(uc.Fixes) > 0 {
		truth.Upstream.Fixes = append(truth.Upstream.Fixes, FixLink{Commit: uc.ID, Fixes: uc.Fixes})
	}
	truth.Derive()
	return uc.ID, nil
}

func personOf(s object.Signature) person {
	_, off := s.When.Zone()
	return person{name: s.Name, email: s.Email, tz: off / 60}
}

// RevertUpstream appends to the upstream branch of the world at dir a
// revert of commit (a full id): `Revert "<subject>"`, "This reverts commit
// <id>." and the Signed-off-by of the maintainer who committed it, who
// authors and commits the revert an hour after the tip. Its tree is the
// tip's with the commit's files as they were in its parent (files it
// added removed), which is the exact inverse of its diff only when none of
// them changed since: a commit whose files did is refused, as are merges,
// release commits and commits already reverted. truth.json records the
// revert (the commit with reverts set, upstream.reverts) and is derived
// again. It returns the revert's id.
func RevertUpstream(dir, commit string) (string, error) {
	truthPath := filepath.Join(dir, "truth.json")
	truth, err := LoadTruth(truthPath)
	if err != nil {
		return "", fmt.Errorf("revert: %w", err)
	}
	uc, err := upstreamEntry(truth, commit)
	if err != nil {
		return "", fmt.Errorf("revert: %w", err)
	}
	switch {
	case uc.Merge:
		return "", fmt.Errorf("revert: %s: %s is a merge (want a one-parent commit)", truth.Upstream.Source, commit)
	case uc.Release != "":
		return "", fmt.Errorf("revert: %s: %s is the release commit of %s (want an ordinary commit)", truth.Upstream.Source, commit, uc.Release)
	}
	for _, r := range truth.Upstream.Reverts {
		if r.Reverted == commit {
			return "", fmt.Errorf("revert: %s: %s is already reverted by %s", truth.Upstream.Source, commit, r.Commit)
		}
	}
	repo, refName, tip, err := upstreamTip(dir, truth)
	if err != nil {
		return "", fmt.Errorf("revert: %w", err)
	}
	c, err := repo.CommitObject(plumbing.NewHash(commit))
	if err != nil {
		return "", fmt.Errorf("revert: %s: %s: %w", truth.Upstream.Source, commit, err)
	}
	if c.NumParents() != 1 {
		return "", fmt.Errorf("revert: %s: %s has %d parents (want 1)", truth.Upstream.Source, commit, c.NumParents())
	}
	paths, err := commitPaths(c)
	if err != nil {
		return "", fmt.Errorf("revert: %s: %s: %w", truth.Upstream.Source, commit, err)
	}
	if len(paths) == 0 {
		return "", fmt.Errorf("revert: %s: %s changes no file", truth.Upstream.Source, commit)
	}
	after, err := entriesAt(repo, c.TreeHash, paths)
	if err != nil {
		return "", fmt.Errorf("revert: %s: %w", truth.Upstream.Source, err)
	}
	now, err := entriesAt(repo, tip.TreeHash, paths)
	if err != nil {
		return "", fmt.Errorf("revert: %s: %w", truth.Upstream.Source, err)
	}
	for _, p := range paths {
		a, n := after[p], now[p]
		if (a == nil) != (n == nil) || a != nil && (a.hash != n.hash || a.mode != n.mode) {
			return "", fmt.Errorf("revert: %s: %s was changed again after %s (at tip %s): its revert would not be the exact inverse",
				truth.Upstream.Source, p, commit[:12], tip.Hash.String()[:12])
		}
	}
	parent, err := c.Parent(0)
	if err != nil {
		return "", fmt.Errorf("revert: %s: %w", truth.Upstream.Source, err)
	}
	restore, err := entriesAt(repo, parent.TreeHash, paths)
	if err != nil {
		return "", fmt.Errorf("revert: %s: %w", truth.Upstream.Source, err)
	}
	root, err := shallowTree(repo, tip.TreeHash, paths)
	if err != nil {
		return "", fmt.Errorf("revert: %s: %w", truth.Upstream.Source, err)
	}
	for _, p := range paths {
		root = root.set(p, restore[p])
	}
	m := personOf(c.Committer)
	t := tip.Committer.When.Unix() + 3600
	subject := "Revert \"" + uc.Subject + "\""
	obj := commitObj{author: m, authorTime: t, committer: m, commitTime: t + 600,
		message: subject + "\n\nThis reverts commit " + commit + ".\n\n" + sob(m)}
	id, err := appendUpstream(repo, refName, tip, root, obj, truth, UpstreamCommit{Subject: subject, Reverts: commit, Files: paths})
	if err != nil {
		return "", fmt.Errorf("revert: %s: %w", truth.Upstream.Source, err)
	}
	if err := truth.save(truthPath); err != nil {
		return id, fmt.Errorf("revert: %w", err)
	}
	return id, nil
}

// AddUpstreamFix appends to the upstream branch of the world at dir a fix
// of fixes (a full upstream id): it changes one line, in a C file the
// fixed commit touched that is still at the tip, that the fixed commit
// added (else one within three lines of such a line). The subject is the
// fixed subject's prefix (up to its first ':'), then "Fix <what> in
// <function>()" (or "in <file>"); the trailers are Fixes: with the 12-hex
// id and quoted subject, Cc: stable@vger.kernel.org and two Signed-off-by.
// Author, committer, the line and the dates (after the tip) come from
// seed. truth.json records it (a stable commit with fixes set, the fix
// link) and is derived again, so every downstream that has the fixed
// commit lists it in missing_fixes. It returns the fix's id.
func AddUpstreamFix(dir, fixes string, seed int64) (string, error) {
	truthPath := filepath.Join(dir, "truth.json")
	truth, err := LoadTruth(truthPath)
	if err != nil {
		return "", fmt.Errorf("fix: %w", err)
	}
	uc, err := upstreamEntry(truth, fixes)
	if err != nil {
		return "", fmt.Errorf("fix: %w", err)
	}
	if uc.Merge || uc.Release != "" {
		return "", fmt.Errorf("fix: %s: %s is a merge or release commit (want one that changes code)", truth.Upstream.Source, fixes)
	}
	repo, refName, tip, err := upstreamTip(dir, truth)
	if err != nil {
		return "", fmt.Errorf("fix: %w", err)
	}
	_, ch, err := (&advancer{upRepo: repo}).upstreamChange(fixes)
	if err != nil {
		return "", fmt.Errorf("fix: %s: %s: %w", truth.Upstream.Source, fixes, err)
	}
	if ch == nil {
		return "", fmt.Errorf("fix: %s: %s is not a plain text change (merge, rename or binary): nothing to fix", truth.Upstream.Source, fixes)
	}
	r := rand.New(rand.NewSource(seed))
	tipTree, err := tip.Tree()
	if err != nil {
		return "", fmt.Errorf("fix: %s: %w", truth.Upstream.Source, err)
	}
	var (
		path  string
		e     edit
		lines []string
		mode  filemode.FileMode
		found bool
	)
	for _, i := range r.Perm(len(ch.Files)) {
		fc := ch.Files[i]
		a := areaOfPath(fc.Path)
		if fc.Op != opModify && fc.Op != opCreate || a == nil || !strings.HasSuffix(fc.Path, ".c") && !strings.HasSuffix(fc.Path, ".h") {
			continue
		}
		f, err := tipTree.File(fc.Path)
		if err != nil {
			continue // gone since
		}
		cur, bin, err := fileLines(f)
		if err != nil {
			return "", fmt.Errorf("fix: %s: %s: %w", truth.Upstream.Source, fc.Path, err)
		}
		if bin {
			continue
		}
		if e, found = fixLineNear(code{r: r, a: a}, cur, ch.addedLines(fc.Path)); found {
			path, lines, mode = fc.Path, cur, f.Mode
			break
		}
	}
	if !found {
		return "", fmt.Errorf("fix: %s: no line %s added is still at the tip in a C file it touched: nothing to fix", truth.Upstream.Source, fixes[:12])
	}
	newLines, _, _, ok := applyHunks(lines, e.hunks, true)
	if !ok {
		return "", fmt.Errorf("fix: %s: %s: the fix does not apply", truth.Upstream.Source, path)
	}
	root, err := shallowTree(repo, tip.TreeHash, []string{path})
	if err != nil {
		return "", fmt.Errorf("fix: %s: %w", truth.Upstream.Source, err)
	}
	root = root.set(path, &fileVer{lines: newLines, mode: uint32(mode)})

	prefix := ""
	if i := strings.IndexByte(uc.Subject, ':'); i > 0 && !strings.HasPrefix(uc.Subject, "Revert ") {
		prefix = uc.Subject[:i]
	} else {
		prefix = strings.TrimSuffix(prefixFor(r, areaOfPath(path), path), ",")
		if i := strings.IndexByte(prefix, ':'); i > 0 {
			prefix = prefix[:i]
		}
	}
	where := e.fn + "()"
	if e.fn == "" || e.fn == "this" {
		where = path[strings.LastIndexByte(path, '/')+1:]
	}
	subject := prefix + ": Fix " + fixWhat(e.what) + " in " + where
	au := pick(r, developers)
	cm := pick(r, rdmaMaintainers)
	t := tip.Committer.When.Unix() + 3600 + r.Int63n(86400)
	var b strings.Builder
	b.WriteString(subject + "\n\n" + wrap(fill(e.why, e.fn)) + "\n\n")
	fmt.Fprintf(&b, "Fixes: %s (\"%s\")\nCc: stable@vger.kernel.org\n", fixes[:12], uc.Subject)
	b.WriteString(sob(au) + sob(cm))
	obj := commitObj{author: au, authorTime: t, committer: cm, commitTime: t + 600, message: b.String()}
	id, err := appendUpstream(repo, refName, tip, root, obj, truth, UpstreamCommit{Subject: subject, Stable: true, Fixes: []string{fixes}, Files: []string{path}})
	if err != nil {
		return "", fmt.Errorf("fix: %s: %w", truth.Upstream.Source, err)
	}
	if err := truth.save(truthPath); err != nil {
		return id, fmt.Errorf("fix: %w", err)
	}
	return id, nil
}

// fixLineNear proposes a one-line edit of lines that changes a line of
// added (the lines a fixed commit added), else a line within three lines
// of one.
func fixLineNear(c code, lines, added []string) (edit, bool) {
	if e, ok := c.fixNear(lines, added); ok {
		return e, true
	}
	set := map[string]bool{}
	for _, l := range added {
		if t := strings.TrimSpace(l); t != "" && t != "{" && t != "}" {
			set[l] = true
		}
	}
	var near []int
	seen := map[int]bool{}
	for i, l := range lines {
		if !set[l] {
			continue
		}
		for j := max(0, i-3); j <= min(len(lines)-1, i+3); j++ {
			if !seen[j] && strings.HasPrefix(lines[j], "\t") {
				seen[j] = true
				near = append(near, j)
			}
		}
	}
	for _, k := range c.r.Perm(len(near)) {
		if e, ok := c.modifyLine(lines, near[k]); ok {
			e.fix = true
			return e, true
		}
	}
	return edit{}, false
}

// fixWhat names what a one-line fix fixes, from the words of the edit.
func fixWhat(what string) string {
	for _, k := range []struct{ word, what string }{
		{"GFP_ATOMIC", "sleeping allocation in atomic context"},
		{"Return ", "wrong error code"},
		{"EAGAIN", "spurious failure on -EAGAIN"},
		{"error pointers", "error pointer dereference"},
		{"Clamp", "unbounded " + lastWord(what, " to ")},
		{"racy read", "data race"},
		{"kvzalloc", "allocation failure under memory pressure"},
		{"kvcalloc", "allocation failure under memory pressure"},
		{"kvfree", "mismatched free"},
		{"log level", "noisy error message"},
		{"Pass ", "missing argument"},
		{" instead of ", "wrong field"},
	} {
		if strings.Contains(what, k.word) {
			return k.what
		}
	}
	return "regression"
}

// lastWord returns the word of s just before sep ("Clamp x to ..." -> "x").
func lastWord(s, sep string) string {
	if i := strings.Index(s, sep); i > 0 {
		f := strings.Fields(s[:i])
		return f[len(f)-1]
	}
	return "value"
}
