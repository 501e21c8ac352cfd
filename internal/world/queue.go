package world

import (
	"math/rand"
	"path/filepath"
	"sort"

	"github.com/kdelta/kdelta/sources/fingerprint"
)

// The maintainer's queue: a for-next branch in the upstream repository,
// master plus commits that apply some posted vendor patches, with the same
// diff (the same patch-id), the same author and the subject without the
// vendor's tag, each with a Link: to its latest posting; the maintainer
// answers the posting "applied". The new objects go in a second pack of
// the upstream repository.

// queueWindow is how old a posting the maintainer still queues.
const queueWindow = 365 * 86400

// buildQueue picks the latest posted vendor patches that apply to master
// unchanged and writes the branch.
func (x *extras) buildQueue(r *rand.Rand) error {
	pp := x.posts
	cands := make([]*postedCommit, 0, len(pp.order))
	for _, id := range pp.order {
		cands = append(cands, pp.bySource[id])
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].latest().date > cands[j].latest().date })
	type queued struct {
		pc *postedCommit
		ch *changeSet
	}
	var picked []queued
	used := map[string]bool{}
	fb := fingerprint.NewBuilder()
	for _, pc := range cands {
		if len(picked) >= x.cfg.queued || pc.latest().date < x.up.clock-queueWindow {
			break
		}
		ch, ok := x.onMaster(fb, pc.p)
		for _, p := range pc.p.paths() {
			ok = ok && !used[p]
		}
		if !ok {
			continue
		}
		for _, p := range pc.p.paths() {
			used[p] = true
		}
		picked = append(picked, queued{pc, ch})
	}
	sort.SliceStable(picked, func(i, j int) bool { return picked[i].pc.latest().date < picked[j].pc.latest().date })

	repoDir := filepath.Join(x.dir, upstreamName+".git")
	q := QueueInfo{Source: queueName, Repo: upstreamName, Branch: queueBranch, Base: x.up.tip.String(), Head: x.up.tip.String(), Commits: []QueueCommit{}}
	if len(picked) == 0 {
		x.truth.Queues = append(x.truth.Queues, q)
		return writeFile(repoDir, "refs/heads/"+queueBranch, []byte(q.Head+"\n"))
	}
	pw, err := newPackWriter(filepath.Join(repoDir, "objects", "pack", "tmp_pack_queue"), objectsPerCommit*len(picked))
	if err != nil {
		return err
	}
	pw.ext = x.up.pw
	root, tip := x.up.root, x.up.tip
	clock := x.up.clock + 86400
	maint := rdmaMaintainers[0]
	for _, pk := range picked {
		pc := pk.pc
		res, ok := applyChange(root, pk.ch, true)
		if !ok {
			continue // cannot happen: the picks touch different files
		}
		post := pc.latest()
		clock = max(clock, post.date) + 3600 + r.Int63n(5*86400)
		subject := subjectOnly(pc.p.subject)
		msg := subject + "\n\n" + proseOf(pc.p.body) + "\n\nLink: https://lore.kernel.org/r/" + post.messageID + "\n" + sob(pc.p.author) + sob(maint)
		obj := commitObj{parents: []oid{tip}, author: pc.p.author, authorTime: post.date, committer: maint, commitTime: clock, message: msg}
		if obj.tree, err = pw.putTree(res.root); err != nil {
			return err
		}
		id, err := pw.put(objCommit, obj.encode())
		if err != nil {
			return err
		}
		root, tip = res.root, id
		pp.queued[pc.e.ID] = id.String()
		q.Commits = append(q.Commits, QueueCommit{ID: id.String(), Subject: subject, Carries: Carried{Source: vendorName, Commit: pc.e.ID, SameDiff: true}})
		x.reply(post, maint, clock-600, "Thanks, applied to for-next.")
	}
	if err := pw.finish(repoDir); err != nil {
		return err
	}
	if err := writeFile(repoDir, "refs/heads/"+queueBranch, []byte(tip.String()+"\n")); err != nil {
		return err
	}
	q.Head = tip.String()
	x.truth.Queues = append(x.truth.Queues, q)
	return nil
}

// onMaster returns p's change as the edit model applies it to the
// upstream master tree, when it applies there exactly and gives the same
// patch-id.
func (x *extras) onMaster(fb *fingerprint.Builder, p *patch) (*changeSet, bool) {
	ch := &changeSet{}
	for _, f := range p.files {
		if f.OldPath == "" || f.OldPath != f.NewPath {
			return nil, false
		}
		mf := x.up.root.get(f.OldPath)
		if mf == nil || mf.binary() || mf.mode != f.OldMode {
			return nil, false
		}
		ch.Files = append(ch.Files, fileChange{Op: opModify, Path: f.OldPath, Hunks: diffLines(splitLines(f.Old), splitLines(f.New))})
	}
	res, ok := applyChange(x.up.root, ch, true)
	if !ok {
		return nil, false
	}
	var files []fingerprint.File
	for _, f := range p.files {
		old, cur := x.up.root.get(f.OldPath).bytes(), res.root.get(f.NewPath).bytes()
		files = append(files, fingerprint.File{OldPath: f.OldPath, NewPath: f.NewPath, OldMode: f.OldMode, NewMode: f.NewMode,
			OldID: f.OldID, NewID: f.NewID, Old: old, New: cur})
	}
	return ch, fb.Build(files).PatchID == p.patchID
}
