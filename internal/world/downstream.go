package world

import (
	"fmt"
	"hash/fnv"
	"io"
	"math/rand"
	"regexp"
	"sort"
	"strings"

	"github.com/kdelta/kdelta/change"
)

// Downstream histories: a distro kernel and a vendor fork, each starting
// from an upstream release tag and carrying backports of later upstream
// commits (exact, with every trailer style, and reworked in every way),
// downstream-only patches and reverts. Every backport is really applied to
// the downstream tree with the edit model, so the commit contains what its
// kind says.

type dsSpec struct {
	name, kind, branch, baseTag string
	n                           int
	mix                         []kindShare
	// plant is how many cases of each phenomenon to plant (issue 13; see
	// phenomena.go); none in the small world, whose fixtures other tests
	// read.
	plant map[Phenomenon]int
	// forkTag, when set, is the release the branch forks from before it
	// merges baseTag (plantTwins).
	forkTag string
	// keep is how many commits from the start keep their file versions
	// for the extra sources (see genRepo); downstream-only commits
	// always keep them.
	keep int
}

type kindShare struct {
	kind  Kind
	style change.RefStyle
	frac  float64
}

var distroMix = []kindShare{
	{KindCherryPick, change.RHELCommit, 0.10}, {KindCherryPick, change.CherryPicked, 0.06},
	{KindCherryPick, change.CommitUpstream, 0.05}, {KindCherryPick, change.UpstreamCommit, 0.04},
	{KindCherryPick, change.GitCommit, 0.05}, {KindExact, "", 0.14}, {KindContext, "", 0.09},
	{KindPartial, "", 0.06}, {KindSquash, "", 0.05}, {KindSplit, "", 0.04}, {KindConflict, "", 0.07},
	{KindIdentity, "", 0.05}, {KindDownstreamOnly, "", 0.12}, {KindRevert, "", 0.02},
}

var vendorMix = []kindShare{
	{KindExact, "", 0.22}, {KindCherryPick, change.CherryPicked, 0.10}, {KindIfdef, "", 0.22},
	{KindContext, "", 0.05}, {KindConflict, "", 0.05}, {KindPartial, "", 0.03},
	{KindDownstreamOnly, "", 0.18}, {KindLanded, "", 0.12}, {KindBinary, "", 0},
}

// dcommit is a downstream commit as the generator remembers it.
type dcommit struct {
	entry Entry
	paths []string
	pre   []*fileVer // the files before, for a downstream revert and the extras
	post  []*fileVer
	obj   commitObj // without tree and parents
	plain bool      // only text files modified, created or deleted
}

type downGen struct {
	spec    dsSpec
	r       *rand.Rand
	up      *upstreamGen
	base    snapshot
	pw      *packWriter
	root    *dir
	tip     oid
	clock   int64
	step    int64
	avail   []int
	where   []int32 // upstream index -> position in avail, or -1
	nextUp  int
	carried map[int]bool
	fixedBy map[int][]int
	upKeys  map[uint64]int  // changeKey of every upstream file change -> how many commits make it (duplicatesUpstream)
	upAdded map[uint64]bool // upLineKey of every line an upstream commit adds (coincides)
	upIdx   map[string]int  // upstream id -> index
	// renamedDown maps an upstream path to the name the downstream gave
	// the file (plantRename).
	renamedDown map[string]string
	upRenamed   map[string][]string // upstream path -> the paths upstream renamed to it after the base (downPath)
	releases    int                 // release commits so far (plantRelease)
	commits     []*dcommit
	landed      []Landed
	merges      []string

	// the merge request being built (distro only): its base and size
	mrBase  oid
	mrStart int
	mrSize  int
}

func newDownstream(r *rand.Rand, up *upstreamGen, spec dsSpec, pw *packWriter) *downGen {
	b := up.snaps[spec.baseTag]
	d := &downGen{spec: spec, r: r, up: up, base: b, pw: pw, root: b.root, tip: up.commits[b.idx].id,
		nextUp: b.idx + 1, carried: map[int]bool{}, fixedBy: map[int][]int{}}
	if f, ok := up.snaps[spec.forkTag]; ok && spec.forkTag != "" {
		// Start from the fork; plantTwins brings the branch to the base.
		d.root, d.tip, d.nextUp, b = f.root, up.commits[f.idx].id, f.idx+1, f
	}
	d.where = make([]int32, len(up.commits))
	for i := range d.where {
		d.where[i] = -1
	}
	for _, c := range up.commits {
		for _, f := range c.fixes {
			d.fixedBy[f] = append(d.fixedBy[f], c.idx)
		}
	}
	start := up.commits[b.idx].obj.commitTime + 86400
	end := up.clock + 30*86400
	d.clock = start
	// The planted phenomena make commits on top of the kinds' n; the
	// commits after the base share the time to the end.
	from := start
	if d.base.idx != b.idx {
		from = up.commits[d.base.idx].obj.commitTime + 86400
	}
	d.step = max(60, (end-from)/int64(spec.n+plantedCommits(spec.plant)+1))
	return d
}

func (d *downGen) tick() int64 {
	d.clock += d.step/2 + d.r.Int63n(d.step)
	const lag = 2 * 86400
	for d.nextUp < len(d.up.commits) && d.up.commits[d.nextUp].obj.commitTime < d.clock-lag {
		c := d.up.commits[d.nextUp]
		if c.backportable() && !d.carried[c.idx] {
			d.where[c.idx] = int32(len(d.avail))
			d.avail = append(d.avail, c.idx)
		}
		d.nextUp++
	}
	return d.clock
}

func (d *downGen) take(idx int) {
	d.carried[idx] = true
	p := d.where[idx]
	if p < 0 {
		return
	}
	last := d.avail[len(d.avail)-1]
	d.avail[p] = last
	d.where[last] = p
	d.avail = d.avail[:len(d.avail)-1]
	d.where[idx] = -1
}

func (d *downGen) weight(c *ucommit) float64 {
	w := 1.0
	if c.isFix {
		w += 2
	}
	if c.stable {
		w += 4
	}
	if c.reverts >= 0 && d.carried[c.reverts] {
		w += 10
	}
	if c.revertedBy >= 0 && d.up.commits[c.revertedBy].obj.commitTime < d.clock {
		return 0
	}
	if d.spec.kind == "vendor" && c.area.domain == "nvidia.com" {
		w += 2
	}
	return w
}

// sample picks an available upstream commit, biased toward fixes, stable
// and reverts of carried commits.
func (d *downGen) sample() *ucommit {
	if len(d.avail) == 0 {
		return nil
	}
	for try := 0; try < 64; try++ {
		c := d.up.commits[d.avail[d.r.Intn(len(d.avail))]]
		if w := d.weight(c); w > 0 && d.r.Float64()*17 < w {
			return c
		}
	}
	return nil
}

func schedule(r *rand.Rand, n int, mix []kindShare) []kindShare {
	var out []kindShare
	for _, m := range mix {
		k := max(1, int(m.frac*float64(n)+0.5))
		if m.kind == KindSplit {
			k = max(1, k/2)
		}
		for i := 0; i < k; i++ {
			out = append(out, m)
		}
	}
	for len(out) < n {
		out = append(out, mix[0])
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func (d *downGen) run(progress func(int)) error {
	if d.spec.forkTag != "" {
		if err := d.plantTwins(); err != nil {
			return err
		}
	}
	var sched []slot
	for _, s := range schedule(d.r, d.spec.n, d.spec.mix) {
		sched = append(sched, slot{share: s})
	}
	sched = d.withPhenomena(sched)
	for k := 0; k < len(sched); k++ {
		if progress != nil && k%100 == 0 {
			progress(len(d.commits))
		}
		s := sched[k]
		if d.spec.kind == "distro" && d.mrSize == 0 {
			d.mrBase, d.mrStart, d.mrSize = d.tip, len(d.commits), 2+d.r.Intn(10)
		}
		ok, err := d.makeSlot(s)
		if err != nil {
			return err
		}
		if ok {
			if d.mrSize > 0 && len(d.commits)-d.mrStart >= d.mrSize {
				if err := d.mergeRequest(); err != nil {
					return err
				}
			}
			continue
		}
		if s.deferred < 3 && k+1 < len(sched) {
			// Nothing suitable yet (too early in the timeline): try later.
			at := k + 1 + d.r.Intn(len(sched)-k-1)
			s.deferred++
			sched = append(sched[:at+1], sched[at:]...)
			sched[at] = s
			continue
		}
		for _, fb := range []kindShare{{KindExact, "", 0}, {KindDownstreamOnly, "", 0}} {
			if ok, err = d.make(fb); ok || err != nil {
				break
			}
		}
		if err != nil {
			return err
		}
	}
	if d.mrSize > 0 && len(d.commits) > d.mrStart {
		return d.mergeRequest()
	}
	return nil
}

// mergeRequest merges the commits made since the merge request started,
// as CentOS Stream's GitLab does: a merge commit whose first parent is the
// branch before them.
func (d *downGen) mergeRequest() error {
	commits := d.commits[d.mrStart:]
	d.mrSize = 0
	if d.mrBase == d.tip {
		return nil
	}
	first := commits[0].entry.Subject
	a := "RDMA"
	if i := strings.Index(first, ": "); i > 0 && !strings.HasPrefix(first, "[") && !strings.HasPrefix(first, "Revert") && !strings.HasPrefix(first, "RHEL-only") {
		a = first[:i]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Merge: %s: %s\n\n", a, pick(d.r, []string{"bug fixes", "update to upstream", "backport fixes from upstream", "stable fixes", "CVE fixes"}))
	fmt.Fprintf(&b, "MR: https://gitlab.com/redhat/centos-stream/src/kernel/centos-stream-9/-/merge_requests/%d\n\n", 100+d.r.Intn(5000))
	b.WriteString(jira(d.r) + "\n")
	for _, c := range commits {
		b.WriteString("  - " + firstLine(c.entry.Subject) + "\n")
	}
	r := pick(d.r, rhelEngineers)
	fmt.Fprintf(&b, "\nApproved-by: %s <%s>\n", r.name, r.email)
	m := rhelMaintainer
	b.WriteString(sob(m))
	d.tick()
	obj := commitObj{tree: oid{}, parents: []oid{d.mrBase, d.tip}, author: m, authorTime: d.clock, committer: m, commitTime: d.clock, message: b.String()}
	tree, err := d.pw.putTree(d.root)
	if err != nil {
		return err
	}
	obj.tree = tree
	id, err := d.pw.put(objCommit, obj.encode())
	if err != nil {
		return err
	}
	d.merges = append(d.merges, id.String())
	d.tip = id
	return nil
}

// slot is one commit to make: of a kind, or a case of a planted
// phenomenon.
type slot struct {
	share    kindShare
	ph       Phenomenon
	deferred int
}

func (d *downGen) makeSlot(s slot) (bool, error) {
	if s.ph != "" {
		d.tick()
		return d.plantOne(s.ph)
	}
	return d.make(s.share)
}

func (d *downGen) make(s kindShare) (bool, error) {
	d.tick()
	switch s.kind {
	case KindSquash:
		return d.squash()
	case KindSplit:
		return d.split()
	case KindDownstreamOnly:
		return d.only()
	case KindRevert:
		return d.revert()
	case KindBinary:
		return d.binary()
	case KindLanded:
		return d.landedPatch()
	}
	return d.backport(s.kind, s.style)
}

// commit writes one downstream commit on top of the branch.
func (d *downGen) commit(root *dir, ch []*changeSet, obj commitObj, e Entry) error {
	obj.parents = []oid{d.tip}
	tree, err := d.pw.putTree(root)
	if err != nil {
		return err
	}
	obj.tree = tree
	id, err := d.pw.put(objCommit, obj.encode())
	if err != nil {
		return err
	}
	e.ID = id.String()
	obj.tree, obj.parents = oid{}, nil
	dc := &dcommit{entry: e, obj: obj, plain: true}
	seen := map[string]bool{}
	for _, c := range ch {
		for _, f := range c.Files {
			if f.Data != nil || f.Op != opModify && f.Op != opCreate && f.Op != opDelete {
				dc.plain = false
			}
			for _, p := range []string{f.OldPath, f.Path} {
				if p != "" && !seen[p] {
					seen[p] = true
					dc.paths = append(dc.paths, p)
					dc.pre = append(dc.pre, d.root.get(p))
					dc.post = append(dc.post, root.get(p))
				}
			}
		}
	}
	d.commits = append(d.commits, dc)
	if k := len(d.commits) - 1 - revertWindow; k >= 0 && k >= d.spec.keep && d.commits[k].entry.Kind != KindDownstreamOnly {
		// Too old to be reverted and not needed by the extras: let the
		// file versions go.
		d.commits[k].pre, d.commits[k].post = nil, nil
	}
	d.root, d.tip = root, id
	return nil
}

func (d *downGen) engineer(style change.RefStyle) person {
	if d.spec.kind == "vendor" {
		return pick(d.r, vendorEngineers)
	}
	switch style {
	case change.GitCommit:
		return pick(d.r, suseEngineers)
	case change.UpstreamCommit:
		return pick(d.r, ubuntuEngineers)
	case change.CommitUpstream:
		return pick(d.r, stableMaints)
	}
	return pick(d.r, rhelEngineers)
}

// releaseOf is the first upstream release tag containing commit idx.
func (up *upstreamGen) releaseOf(idx int) string {
	i := sort.Search(len(up.tags), func(i int) bool { return up.tags[i].idx >= idx })
	if i < len(up.tags) {
		return up.tags[i].name
	}
	return ""
}

var reCall = regexp.MustCompile(`([a-z][a-z0-9_]+)\(`)

// ifdefWrap turns a hunk into its OFED compat form.
func ifdefWrap(h hunk, a *area) hunk {
	sym := ""
	for _, l := range append(append([]string(nil), h.Add...), h.Del...) {
		if m := reCall.FindStringSubmatch(l); m != nil && !strings.HasPrefix(m[1], "if") {
			sym = m[1]
			break
		}
	}
	if sym == "" {
		sym = a.ident + "_support"
	}
	sym = "HAVE_" + strings.ToUpper(sym)
	var add []string
	switch {
	case len(h.Del) == 0:
		add = concat([]string{"#ifdef " + sym}, h.Add, []string{"#endif"})
	case len(h.Add) == 0:
		add = concat([]string{"#ifndef " + sym}, h.Del, []string{"#endif"})
	default:
		add = concat([]string{"#ifdef " + sym}, h.Add, []string{"#else"}, h.Del, []string{"#endif"})
	}
	h.Add = add
	return h
}

// conflicted alters one or two changed lines of ch the way a hand-resolved
// conflict does; ok is false when no line could be altered.
func (d *downGen) conflicted(ch *changeSet, a *area) (*changeSet, bool) {
	cd := code{r: d.r, a: a}
	changed := 0
	out := ch.mapHunks(func(path string, h hunk) hunk {
		if changed >= 2 || len(h.Add) == 0 {
			return h
		}
		add := append([]string(nil), h.Add...)
		for _, i := range d.r.Perm(len(add)) {
			if n, _, ok := cd.mutate(add[i]); ok && (d.spec.plant == nil || !d.coincides(path, n)) {
				// (In the worlds that plant issue 13's phenomena, a hand
				// resolution never writes a line as some upstream commit
				// does: the backport would then carry that commit too.)
				add[i] = n
				changed++
				break
			}
		}
		h.Add = add
		return h
	})
	if d.spec.plant == nil {
		// The small world keeps the conflicts it always had (other tests'
		// fixtures).
		return out, changed > 0
	}
	// A conflict resolved by hand keeps some of upstream's lines: one that
	// rewrote every line that says something would carry nothing
	// recognizable, and no matcher could be asked to find it.
	kept := 0
	for i, f := range out.Files {
		for j, h := range f.Hunks {
			orig := ch.Files[i].Hunks[j].Add
			for k, l := range h.Add {
				if l == orig[k] && substantive(l) {
					kept++
				}
			}
			for _, l := range h.Del {
				if substantive(l) {
					kept++
				}
			}
		}
	}
	return out, changed > 0 && kept > 0
}

// substantive says whether a changed line says something on its own: not
// a brace, a bare return or goto, or a comment.
func substantive(l string) bool {
	t := strings.TrimSpace(l)
	for _, p := range []string{"return", "goto", "break", "continue", "//", "/*", "*", "}", "{", "#"} {
		if strings.HasPrefix(t, p) {
			return false
		}
	}
	return len(t) >= 8
}

// backport carries one upstream commit as kind.
func (d *downGen) backport(kind Kind, style change.RefStyle) (bool, error) {
	return d.backportWith(kind, style, nil, nil)
}

// backportWith carries one upstream commit as kind, picked by choose (nil:
// any available one) and with its commit and entry adjusted by restyle
// (nil: as the kind writes them).
func (d *downGen) backportWith(kind Kind, style change.RefStyle, choose func() *ucommit, restyle func(obj *commitObj, e *Entry, u *ucommit)) (bool, error) {
	if choose == nil {
		choose = d.sample
	}
	for try := 0; try < 40; try++ {
		u := choose()
		if u == nil {
			return false, nil
		}
		ch := u.change
		if kind != KindExact && kind != KindCherryPick && d.spec.plant != nil && d.ambiguous(u) {
			continue
		}
		var res applyResult
		ok := false
		switch kind {
		case KindExact, KindCherryPick:
			res, ok = applyChange(d.root, ch, true)
		case KindContext:
			res, ok = applyChange(d.root, ch, false)
			ok = ok && res.fuzzy > 0
		case KindConflict:
			if c2, ok2 := d.conflicted(ch, u.area); ok2 {
				ch = c2
				res, ok = applyChange(d.root, ch, false)
			}
		case KindPartial:
			n := ch.hunks()
			if n < 2 || !allModify(ch) {
				continue
			}
			mask := make([]bool, n)
			kept := 0
			for i := range mask {
				mask[i] = chance(d.r, 0.5)
				if mask[i] {
					kept++
				}
			}
			if kept == 0 || kept == n {
				k := d.r.Intn(n)
				mask[k] = !mask[k]
			}
			ch = ch.subset(func(i int) bool { return mask[i] })
			res, ok = applyChange(d.root, ch, false)
		case KindIfdef:
			if !allModify(ch) {
				continue
			}
			ch = ch.mapHunks(func(_ string, h hunk) hunk { return ifdefWrap(h, u.area) })
			res, ok = applyChange(d.root, ch, false)
		case KindIdentity:
			ch, ok = d.rework(u)
			if ok {
				res, ok = applyChange(d.root, ch, true)
			}
		}
		if !ok {
			continue
		}
		obj, e := d.message(kind, style, u, nil, ch)
		e.Upstream = []string{u.id.String()}
		if restyle != nil {
			restyle(&obj, &e, u)
		}
		d.take(u.idx)
		return true, d.commit(res.root, []*changeSet{ch}, obj, e)
	}
	if kind == KindContext && restyle == nil {
		return d.divergedContext()
	}
	return false, nil
}

// divergedContext makes a context backport when none occurs naturally: a
// downstream-only patch first changes a line near where an upstream
// commit applies (outside the lines a fuzzy apply needs), then the
// upstream commit is carried with that changed context.
func (d *downGen) divergedContext() (bool, error) {
	for try := 0; try < 40; try++ {
		u := d.sample()
		if u == nil {
			return false, nil
		}
		if !allModify(u.change) || len(u.change.Files) == 0 {
			continue
		}
		if _, ok := applyChange(d.root, u.change, true); !ok {
			continue
		}
		// The upstream commit must then apply only with fuzz.
		withUpstream := func(_ *changeSet, withOnly *dir) (*dir, bool) {
			r2, ok := applyChange(withOnly, u.change, false)
			return r2.root, ok && r2.fuzzy > 0
		}
		only, root, ok := d.contextChange(u, withUpstream)
		if !ok {
			continue
		}
		if err := d.writeOnly(only.area, only.path, only.e, only.ch, only.root); err != nil {
			return false, err
		}
		d.tick()
		obj, en := d.message(KindContext, "", u, nil, u.change)
		en.Upstream = []string{u.id.String()}
		d.take(u.idx)
		return true, d.commit(root, []*changeSet{u.change}, obj, en)
	}
	return false, nil
}

func allModify(ch *changeSet) bool {
	for _, f := range ch.Files {
		if f.Op != opModify {
			return false
		}
	}
	return true
}

// rework writes a different change to the files u touched.
func (d *downGen) rework(u *ucommit) (*changeSet, bool) {
	out := &changeSet{}
	root := d.root
	for _, f := range u.change.Files {
		if f.Op != opModify {
			continue
		}
		cur := root.get(f.Path)
		if cur == nil || cur.binary() {
			continue
		}
		a := areaOfPath(f.Path)
		if a == nil {
			a = u.area
		}
		e, ok := (code{r: d.r, a: a}).editFile(f.Path, cur.lines, "", nil)
		if !ok {
			continue
		}
		out.Files = append(out.Files, fileChange{Op: opModify, Path: f.Path, Hunks: e.hunks})
	}
	return out, len(out.Files) > 0 && !d.duplicatesUpstream(out)
}

// message builds the commit object fields and truth entry of a backport.
func (d *downGen) message(kind Kind, style change.RefStyle, u *ucommit, more []*ucommit, ch *changeSet) (commitObj, Entry) {
	now := d.clock
	eng := d.engineer(style)
	obj := commitObj{author: eng, authorTime: now - int64(d.r.Intn(3600*24)), committer: eng, commitTime: now}
	keep := func() { obj.author, obj.authorTime = u.obj.author, u.obj.authorTime }
	e := Entry{Kind: kind, Subject: u.subject}
	vendor := d.spec.kind == "vendor"
	trail := ""
	if vendor {
		trail = fmt.Sprintf("Issue: %d\nChange-Id: %s\n", 3000000+d.r.Intn(900000), changeID(d.r))
	}
	switch kind {
	case KindCherryPick:
		msg, kept := styled(d.r, string(style), u, d.up.releaseOf(u.idx), eng)
		obj.message = msg
		if kept {
			keep()
		}
		e.Trailer = style
	case KindExact, KindIdentity:
		obj.message = upstreamMessage(u)
		if vendor && kind == KindExact {
			obj.message += trail
		}
		keep()
	case KindIfdef:
		sub := u.subject
		obj.message = fmt.Sprintf("%s\n\nBackport to the kernels MLNX_OFED supports: keep the old code under\nthe HAVE_* compat checks.\n\n%s%s", sub, trail, sob(eng))
		if chance(d.r, 0.5) {
			keep()
		}
	default: // reworked: context, partial, conflict, squash, split
		sub := u.subject
		if chance(d.r, 0.2) {
			sub = rewordSubject(d.r, sub, u.area)
		}
		var b strings.Builder
		b.WriteString(sub + "\n\n")
		if !vendor {
			b.WriteString(jira(d.r) + "\n")
		}
		short := strings.TrimSpace(u.subject[strings.Index(u.subject, ":")+1:])
		fmt.Fprintf(&b, "Backport the upstream change \"%s\".\n\n", short)
		paths := ch.paths()
		switch kind {
		case KindContext:
			fmt.Fprintf(&b, "Conflicts: %s: context differs, the surrounding code was\nreworked upstream in commits this tree does not have.\n\n", paths[0])
		case KindPartial:
			fmt.Fprintf(&b, "Only the %s part applies to this tree; the rest touches code\nthat is not shipped here.\n\n", paths[0])
		case KindConflict:
			fmt.Fprintf(&b, "Conflicts: %s: resolved by hand, the helpers have a different\nsignature in this tree.\n\n", paths[0])
		case KindSquash:
			for _, m := range more {
				fmt.Fprintf(&b, "This also carries the follow-up change \"%s\".\n", m.subject)
			}
			b.WriteString("\n")
		}
		b.WriteString(trail)
		b.WriteString(sob(eng))
		obj.message = b.String()
		if chance(d.r, 0.4) {
			keep()
		}
	}
	if obj.commitTime < obj.authorTime {
		obj.commitTime = obj.authorTime + 3600
		d.clock = obj.commitTime
	}
	return obj, e
}

func (d *downGen) squash() (bool, error) {
	for try := 0; try < 40; try++ {
		u := d.sample()
		if u == nil {
			return false, nil
		}
		group := []*ucommit{u}
		for _, f := range d.fixedBy[u.idx] {
			if d.where[f] >= 0 && len(group) < 3 {
				group = append(group, d.up.commits[f])
			}
		}
		for j := u.idx + 1; j < min(len(d.up.commits), u.idx+80) && len(group) < 2; j++ {
			c := d.up.commits[j]
			if d.where[j] >= 0 && c.area == u.area && sharesPath(c.change, u.change) {
				group = append(group, c)
			}
		}
		if len(group) < 2 {
			continue
		}
		root := d.root
		ok := true
		var chs []*changeSet
		for _, c := range group {
			res, ok2 := applyChange(root, c.change, false)
			if !ok2 {
				ok = false
				break
			}
			root = res.root
			chs = append(chs, c.change)
		}
		if !ok {
			continue
		}
		merged := &changeSet{}
		for _, c := range chs {
			merged.Files = append(merged.Files, c.Files...)
		}
		obj, e := d.message(KindSquash, "", u, group[1:], merged)
		e.Phenomenon = PhSquash
		for _, c := range group {
			e.Upstream = append(e.Upstream, c.id.String())
			d.take(c.idx)
		}
		return true, d.commit(root, chs, obj, e)
	}
	return false, nil
}

func sharesPath(a, b *changeSet) bool {
	if a == nil || b == nil {
		return false
	}
	for _, p := range a.paths() {
		for _, q := range b.paths() {
			if p == q {
				return true
			}
		}
	}
	return false
}

func (d *downGen) split() (bool, error) {
	for try := 0; try < 40; try++ {
		u := d.sample()
		if u == nil {
			return false, nil
		}
		n := u.change.hunks()
		if n < 2 || !allModify(u.change) {
			continue
		}
		cut := 1 + d.r.Intn(n-1)
		p1 := u.change.subset(func(i int) bool { return i < cut })
		p2 := u.change.subset(func(i int) bool { return i >= cut })
		r1, ok := applyChange(d.root, p1, false)
		if !ok {
			continue
		}
		r2, ok := applyChange(r1.root, p2, false)
		if !ok {
			continue
		}
		d.take(u.idx)
		for part, pr := range []struct {
			ch   *changeSet
			root *dir
		}{{p1, r1.root}, {p2, r2.root}} {
			obj, e := d.message(KindSplit, "", u, nil, pr.ch)
			e.Upstream, e.Phenomenon = []string{u.id.String()}, PhSquash
			obj.message = strings.Replace(obj.message, "\n\n", fmt.Sprintf("\n\nThis is part %d of 2 of the upstream change, split by file.\n\n", part+1), 1)
			if err := d.commit(pr.root, []*changeSet{pr.ch}, obj, e); err != nil {
				return false, err
			}
			if part == 0 {
				d.tick()
			}
		}
		return true, nil
	}
	return false, nil
}

// only writes a downstream-only patch.
func (d *downGen) only() (bool, error) {
	for try := 0; try < 20; try++ {
		a := pickArea(d.r, nil)
		if !a.rdma {
			continue
		}
		files := areaFiles(d.root, a)
		if len(files) == 0 {
			continue
		}
		path := pick(d.r, files)
		f := d.root.get(path)
		e, ok := (code{r: d.r, a: a}).editFile(path, f.lines, "", nil)
		if !ok {
			continue
		}
		ch := &changeSet{Files: []fileChange{{Op: opModify, Path: path, Hunks: e.hunks}}}
		if d.duplicatesUpstream(ch) {
			continue
		}
		res, ok := applyChange(d.root, ch, true)
		if !ok {
			continue
		}
		return true, d.writeOnly(a, path, e, ch, res.root)
	}
	return false, nil
}

// writeOnly commits a downstream-only change.
func (d *downGen) writeOnly(a *area, path string, e edit, ch *changeSet, root *dir) error {
	obj, subject := onlyMessage(d.r, d.spec.kind, a, path, e, d.engineer(""), d.clock)
	return d.commit(root, []*changeSet{ch}, obj, Entry{Kind: KindDownstreamOnly, Subject: subject})
}

// onlyMessage writes the message of a downstream-only patch in the
// conventions of a distro or a vendor.
func onlyMessage(r *rand.Rand, kind string, a *area, path string, e edit, eng person, now int64) (commitObj, string) {
	obj := commitObj{author: eng, authorTime: now - int64(r.Intn(86400)), committer: eng, commitTime: now}
	what := fill(e.what, e.fn)
	var subject, body string
	if kind == "vendor" {
		subject = joinSubject(prefixFor(r, a, path), what)
		if chance(r, 0.3) {
			subject += " (MLNX_OFED only)"
		}
		body = wrap(fill(e.why, e.fn)) + "\n\nThis is needed by MLNX_OFED until the upstream solution is available.\n\n" +
			fmt.Sprintf("Issue: %d\nChange-Id: %s\n", 3000000+r.Intn(900000), changeID(r)) + sob(eng)
	} else {
		switch r.Intn(3) {
		case 0:
			subject = "[redhat] " + joinSubject(prefixFor(r, a, path), what)
		case 1:
			subject = joinSubject(prefixFor(r, a, path), what) + " (RHEL-only)"
		default:
			subject = "RHEL-only: " + joinSubject(prefixFor(r, a, path), what)
		}
		body = jira(r) + "Upstream Status: RHEL-only\n\n" + wrap(fill(e.why, e.fn)) + "\n\n" + sob(eng)
	}
	obj.message = subject + "\n\n" + body
	return obj, subject
}

// duplicatesUpstream says whether a change written downstream (not a
// backport) changes a file exactly as some upstream commit does (the same
// removed and added lines, whatever the context): every tool, git cherry
// first, would call it that upstream commit, so the truth could not call
// it downstream-only or a rework.
func (d *downGen) duplicatesUpstream(ch *changeSet) bool {
	d.indexUpstream()
	for _, f := range ch.Files {
		if d.upKeys[changeKey(f)] > 0 {
			return true
		}
	}
	return false
}

// ambiguous says whether another upstream commit than u makes one of u's
// file changes too: a reworked backport of u could then be that commit's
// change exactly, and no truth could say which it carries.
func (d *downGen) ambiguous(u *ucommit) bool {
	d.indexUpstream()
	for _, f := range u.change.Files {
		if f.Op == opModify && d.upKeys[changeKey(f)] > 1 {
			return true
		}
	}
	return false
}

// coincides says whether line, written by hand into path, is a line some
// upstream commit adds to that path.
func (d *downGen) coincides(path, line string) bool {
	d.indexUpstream()
	return d.upAdded[upLineKey(path, line)]
}

func (d *downGen) indexUpstream() {
	if d.upKeys != nil {
		return
	}
	d.upKeys, d.upAdded = map[uint64]int{}, map[uint64]bool{}
	for _, c := range d.up.commits {
		if c.change == nil || c.merge {
			continue
		}
		for _, f := range c.change.Files {
			if f.Op == opModify && len(f.Hunks) > 0 {
				d.upKeys[changeKey(f)]++
			}
			for _, h := range f.Hunks {
				for _, l := range h.Add {
					d.upAdded[upLineKey(f.Path, l)] = true
				}
			}
		}
	}
}

// changeKey names what a file change removes and adds, without context
// (a hash: the world keeps one for every upstream file change).
func changeKey(f fileChange) uint64 {
	h := fnv.New64a()
	io.WriteString(h, f.Path)
	for _, hk := range f.Hunks {
		io.WriteString(h, "\x00@")
		for _, l := range hk.Del {
			io.WriteString(h, "\x00-")
			io.WriteString(h, l)
		}
		for _, l := range hk.Add {
			io.WriteString(h, "\x00+")
			io.WriteString(h, l)
		}
	}
	return h.Sum64()
}

// upLineKey names a line of a file.
func upLineKey(path, line string) uint64 {
	h := fnv.New64a()
	io.WriteString(h, path)
	io.WriteString(h, "\x00")
	io.WriteString(h, line)
	return h.Sum64()
}

// revertWindow is how far back a downstream revert may reach.
const revertWindow = 40

// revert reverts a recent backport whose files are unchanged since.
func (d *downGen) revert() (bool, error) {
	for back := 1; back <= revertWindow && back <= len(d.commits); back++ {
		dc := d.commits[len(d.commits)-back]
		if ok, err := d.revertCommit(dc, ""); ok || err != nil {
			return ok, err
		}
	}
	return false, nil
}

// revertCommit reverts the backport dc if its files are unchanged since.
// When upstream reverted the commit dc carries before now, the downstream
// revert carries that upstream revert: it is the same change.
func (d *downGen) revertCommit(dc *dcommit, ph Phenomenon) (bool, error) {
	k := dc.entry.Kind
	if dc.entry.RevertedBy != "" || (k != KindExact && k != KindCherryPick && k != KindContext && k != KindConflict) {
		return false, nil
	}
	root := d.root
	for i, p := range dc.paths {
		if root.get(p) != dc.post[i] {
			return false, nil
		}
		root = root.set(p, dc.pre[i])
	}
	eng := d.engineer("")
	now := d.clock
	subject := "Revert \"" + firstLine(dc.entry.Subject) + "\""
	obj := commitObj{author: eng, authorTime: now, committer: eng, commitTime: now}
	obj.message = subject + "\n\n" + jira(d.r) + "\nThis reverts commit " + dc.entry.ID + ".\n\n" +
		"The backport causes a regression in the " + pick(d.r, []string{"kdump", "NFS over RDMA", "SR-IOV", "OVS offload", "RoCE LAG"}) + " tests of this release.\n\n" + sob(eng)
	fake := &changeSet{}
	for _, p := range dc.paths {
		fake.Files = append(fake.Files, fileChange{Op: opModify, Path: p})
	}
	e := Entry{Kind: KindRevert, Reverts: dc.entry.ID, Subject: subject, Phenomenon: ph}
	if r := d.upstreamRevertOf(dc.entry.Upstream); r != nil && r.obj.commitTime < now {
		e.Upstream = []string{r.id.String()}
		d.take(r.idx)
	}
	if err := d.commit(root, []*changeSet{fake}, obj, e); err != nil {
		return false, err
	}
	dc.entry.RevertedBy = d.commits[len(d.commits)-1].entry.ID
	return true, nil
}

// upstreamRevertOf is the upstream revert of the one upstream commit ids
// names, or nil.
func (d *downGen) upstreamRevertOf(ids []string) *ucommit {
	if d.upIdx == nil {
		d.upIdx = make(map[string]int, len(d.up.commits))
		for _, c := range d.up.commits {
			d.upIdx[c.id.String()] = c.idx
		}
	}
	if len(ids) != 1 {
		return nil
	}
	i, ok := d.upIdx[ids[0]]
	if !ok || d.up.commits[i].revertedBy < 0 {
		return nil
	}
	return d.up.commits[d.up.commits[i].revertedBy]
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func (d *downGen) binary() (bool, error) {
	if d.root.get(pathFirmware) != nil {
		return false, nil
	}
	ch := &changeSet{Files: []fileChange{{Op: opCreate, Path: pathFirmware, Data: binaryBlob(d.r, "MLX5FW\x01", 8192), Mode: modeFile}}}
	res, ok := applyChange(d.root, ch, true)
	if !ok {
		return false, nil
	}
	eng := d.engineer("")
	subject := "net/mlx5: Add ConnectX-7 firmware image for MLNX_OFED"
	obj := commitObj{author: eng, authorTime: d.clock, committer: eng, commitTime: d.clock}
	obj.message = subject + "\n\nShip the firmware image the OFED installer flashes on ConnectX-7 adapters.\n\n" +
		fmt.Sprintf("Issue: %d\nChange-Id: %s\n", 3000000+d.r.Intn(900000), changeID(d.r)) + sob(eng)
	return true, d.commit(res.root, []*changeSet{ch}, obj, Entry{Kind: KindBinary, Subject: subject})
}

// landedPatch writes a vendor patch that upstream merges later, reworked:
// the upstream commit is one authored well after now, and the vendor
// version differs in some changed lines.
func (d *downGen) landedPatch() (bool, error) {
	from := sort.Search(len(d.up.commits), func(i int) bool { return d.up.commits[i].obj.authorTime > d.clock+14*86400 })
	if from >= len(d.up.commits) {
		return false, nil
	}
	for try := 0; try < 40; try++ {
		j := from + d.r.Intn(min(len(d.up.commits)-from, 400))
		u := d.up.commits[j]
		if !u.backportable() || d.carried[j] || u.reverts >= 0 || !allModify(u.change) {
			continue
		}
		if n := u.area.name; n != "mlx5_ib" && n != "mlx5_core" && n != "mlx4_ib" && n != "mlx4_core" && n != "core" && n != "ipoib" {
			continue
		}
		ch, ok := d.conflicted(u.change, u.area)
		if !ok {
			continue
		}
		res, ok := applyChange(d.root, ch, false)
		if !ok {
			continue
		}
		now := d.clock
		sub := u.subject
		var obj commitObj
		if d.spec.kind == "vendor" {
			obj = commitObj{author: u.obj.author, authorTime: now - int64(d.r.Intn(86400)), committer: pick(d.r, vendorEngineers), commitTime: now}
			if chance(d.r, 0.3) {
				sub = strings.Replace(sub, ": ", ": [ofed] ", 1)
			}
			obj.message = fmt.Sprintf("%s\n\nFirst version of this change, submitted upstream in parallel.\n\nIssue: %d\nChange-Id: %s\n%s",
				sub, 3000000+d.r.Intn(900000), changeID(d.r), sob(u.obj.author))
		} else {
			// (Planted distro case, issue 13: a fix the distro carries
			// while it is reviewed upstream.)
			obj = commitObj{author: u.obj.author, authorTime: now - int64(d.r.Intn(86400)), committer: rhelMaintainer, commitTime: now}
			obj.message = fmt.Sprintf("%s\n\n%sUpstream Status: posted, under review\n\nCarried until the upstream version lands.\n\n%s",
				sub, jira(d.r), sob(u.obj.author))
		}
		d.carried[j] = true
		e := Entry{Kind: KindLanded, Upstream: []string{u.id.String()}, Subject: sub, Phenomenon: PhUpstreamed}
		if err := d.commit(res.root, []*changeSet{ch}, obj, e); err != nil {
			return false, err
		}
		d.landed = append(d.landed, Landed{Commit: d.commits[len(d.commits)-1].entry.ID, Upstream: u.id.String()})
		return true, nil
	}
	return false, nil
}
