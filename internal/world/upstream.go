package world

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
)

// The upstream history: a kernel-like RDMA tree with release tags, topic
// branches merged by maintainers, fixes with Fixes: chains, stable and CVE
// markers, reverts, renames, a mode change, a binary file, a non-ASCII path
// and author, and one message that is not UTF-8.

// ucommit is one upstream commit and what the scenario knows about it.
type ucommit struct {
	idx        int
	id         oid
	obj        commitObj
	subject    string
	body       string // message after the subject line
	area       *area
	change     *changeSet
	fixes      []int
	stable     bool
	cves       []string
	reverts    int // index of the commit it reverts, or -1
	revertedBy int // index of the commit that reverts it, or -1
	merge      bool
	release    string // tag name of a release commit
	onMaster   bool   // reachable from master (topic commits once merged)
	isFix      bool
	generic    bool  // a subject that repeats
	lists      []int // release notes: the commits they list
	regen      int   // a documentation change: the bot's regeneration after it (0: none)
}

func (c *ucommit) backportable() bool {
	return !c.merge && c.release == "" && c.change != nil && c.area != nil && c.area.rdma && c.change.onlyText()
}

type tagRec struct {
	name      string
	idx       int // commit index
	annotated bool
	object    oid // tag object id (annotated only)
}

type snapshot struct {
	root      *dir
	idx       int
	prefixEnd uint64
}

type topicState struct {
	area    *area
	root    *dir
	tip     oid
	want    int
	commits []int
	changed map[string]bool
	name    string
}

type upstreamGen struct {
	r        *rand.Rand
	cfg      sizeConfig
	pw       *packWriter
	commits  []*ucommit
	root     *dir // master
	tip      oid
	topic    *topicState
	clock    int64
	step     int64
	touched  map[string][]int
	tags     []tagRec
	snaps    map[string]snapshot
	events   map[int]string
	pending  []string
	progress func(done int)
}

var releases = []struct {
	name      string
	v, p      int
	annotated bool
}{
	{"v5.10", 5, 10, true}, {"v5.11", 5, 11, false}, {"v5.12", 5, 12, true}, {"v5.13", 5, 13, true},
	{"v5.14", 5, 14, true}, {"v5.15", 5, 15, true}, {"v5.16", 5, 16, false}, {"v5.17", 5, 17, true},
	{"v5.18", 5, 18, true}, {"v5.19", 5, 19, true}, {"v6.0", 6, 0, true}, {"v6.1", 6, 1, false},
	{"v6.2", 6, 2, true}, {"v6.3", 6, 3, true}, {"v6.4", 6, 4, true}, {"v6.5", 6, 5, false},
	{"v6.6", 6, 6, true}, {"v6.7", 6, 7, true}, {"v6.8", 6, 8, true}, {"v6.9", 6, 9, true},
}

const startTime = 1577836800 // 2020-01-01T00:00:00Z

func newUpstream(r *rand.Rand, cfg sizeConfig, pw *packWriter) *upstreamGen {
	g := &upstreamGen{r: r, cfg: cfg, pw: pw, touched: map[string][]int{}, snaps: map[string]snapshot{}, events: map[int]string{}}
	g.clock = startTime
	g.step = int64(5*365*24*3600) / int64(cfg.upstream)
	n := cfg.upstream
	lo, hi := n/4, n*19/20
	for _, ev := range []string{"rename", "rename-edit", "rename", "mode", "binary", "latin1", "create", "create", "create", "delete", "revert", "revert", "revert"} {
		at := lo + r.Intn(hi-lo)
		for g.events[at] != "" {
			at++
		}
		g.events[at] = ev
	}
	g.plantEvents(r, lo, hi)
	return g
}

func (g *upstreamGen) tick() int64 {
	g.clock += g.step/2 + g.r.Int63n(g.step)
	return g.clock
}

// initialTree is the content of the first commit.
func (g *upstreamGen) initialTree() *dir {
	var root *dir
	for i := range areas {
		a := &areas[i]
		c := code{r: g.r, a: a}
		for _, f := range a.files {
			path := a.dir + f
			var lines []string
			switch {
			case a.text:
				lines = c.textDoc(strings.TrimSuffix(f[strings.LastIndex(f, "/")+1:], ".rst"), 60+g.r.Intn(120))
			case strings.HasSuffix(f, ".h"):
				lines = c.hFile(path, 120+g.r.Intn(200))
			default:
				lines = c.cFile(200 + g.r.Intn(260))
			}
			root = root.set(path, textFile(lines))
		}
		for _, h := range a.headers {
			if root.get(h) == nil {
				root = root.set(h, textFile(c.hFile(h, 150+g.r.Intn(200))))
			}
		}
	}
	root = root.set(pathMaintainers, textFile(maintainersFile(g.r)))
	root = root.set(pathMakefile, textFile(makefile(5, 9)))
	root = root.set(pathScript, textFile(scriptFile()))
	return root
}

func (g *upstreamGen) writeCommit(c *ucommit, root *dir) error {
	tree, err := g.pw.putTree(root)
	if err != nil {
		return err
	}
	c.obj.tree = tree
	c.obj.message = c.subject + "\n"
	if c.body != "" {
		c.obj.message += "\n" + c.body
	}
	c.id, err = g.pw.put(objCommit, c.obj.encode())
	c.obj.message = "" // subject and body keep it; do not hold it twice
	return err
}

func (g *upstreamGen) add(c *ucommit) {
	c.idx = len(g.commits)
	g.commits = append(g.commits, c)
	if c.change != nil {
		for _, p := range c.change.paths() {
			t := g.touched[p]
			if len(t) >= 64 {
				t = append(t[:0], t[len(t)-48:]...)
			}
			g.touched[p] = append(t, c.idx)
		}
	}
}

func (g *upstreamGen) run() error {
	n := g.cfg.upstream
	root := g.initialTree()
	first := &ucommit{reverts: -1, revertedBy: -1, onMaster: true, subject: "Import the RDMA subsystem tree",
		body: "Start the tree from the RDMA, mlx5 and networking sources as of the merge window.\n\nSigned-off-by: " + releaser.name + " <" + releaser.email + ">\n"}
	t := g.tick()
	first.obj = commitObj{author: releaser, authorTime: t, committer: releaser, commitTime: t}
	if err := g.writeCommit(first, root); err != nil {
		return err
	}
	g.add(first)
	g.root, g.tip = root, first.id

	nextTag := 0
	tagAt := func(k int) int { return (k + 1) * n / (len(releases) + 1) }
	merges := max(3, n/400)
	nextTopic := 0
	checked := 0
	for len(g.commits) < n {
		i := len(g.commits)
		if g.progress != nil && i%500 == 0 {
			g.progress(i)
		}
		if nextTag < len(releases) && i >= tagAt(nextTag) {
			if g.topic != nil {
				if err := g.mergeTopic(); err != nil {
					return err
				}
				continue
			}
			if err := g.release(nextTag); err != nil {
				return err
			}
			nextTag++
			continue
		}
		if g.topic == nil && nextTopic < merges && i >= (2*nextTopic+1)*n/(2*merges) {
			g.startTopic()
			nextTopic++
		}
		if g.topic != nil && len(g.topic.commits) >= g.topic.want {
			if err := g.mergeTopic(); err != nil {
				return err
			}
			continue
		}
		onTopic := g.topic != nil && chance(g.r, 0.5)
		for ; checked <= i; checked++ {
			if ev := g.events[checked]; ev != "" {
				g.pending = append(g.pending, ev)
			}
		}
		if !onTopic && len(g.pending) > 0 {
			ok, err := g.special(g.pending[0])
			if err != nil {
				return err
			}
			ev := g.pending[0]
			g.pending = g.pending[1:]
			if ok {
				continue
			}
			g.pending = append(g.pending, ev) // not possible yet: retry later
		}
		if err := g.normal(onTopic); err != nil {
			return err
		}
	}
	if g.topic != nil {
		if err := g.mergeTopic(); err != nil {
			return err
		}
	}
	// Rare commits that found no place yet go at the end.
	for _, ev := range g.pending {
		if _, err := g.special(ev); err != nil {
			return err
		}
	}
	return nil
}

// branch returns the state a new commit builds on.
func (g *upstreamGen) branch(onTopic bool) (*dir, oid) {
	if onTopic {
		return g.topic.root, g.topic.tip
	}
	return g.root, g.tip
}

func (g *upstreamGen) advance(onTopic bool, c *ucommit, root *dir) {
	if onTopic {
		g.topic.root, g.topic.tip = root, c.id
		g.topic.commits = append(g.topic.commits, c.idx)
		for _, p := range c.change.paths() {
			g.topic.changed[p] = true
		}
		return
	}
	c.onMaster = true
	g.root, g.tip = root, c.id
}

func (g *upstreamGen) maintainer(a *area) person {
	switch a.name {
	case "mlx5_core", "mlx4_core", "rds":
		return pick(g.r, netMaintainers)
	case "xprtrdma":
		return reviewers[3]
	case "ext4":
		return otherMaints[0]
	case "mm":
		return otherMaints[1]
	}
	return pick(g.r, rdmaMaintainers)
}

func (g *upstreamGen) author(a *area) person {
	if chance(g.r, 0.7) {
		var same []person
		for _, d := range developers {
			if strings.HasSuffix(d.email, "@"+a.domain) {
				same = append(same, d)
			}
		}
		if len(same) > 0 {
			return pick(g.r, same)
		}
	}
	return pick(g.r, developers)
}

func pickArea(r *rand.Rand, exclude *area) *area {
	total := 0
	for i := range areas {
		if &areas[i] != exclude {
			total += areas[i].weight
		}
	}
	k := r.Intn(total)
	for i := range areas {
		if &areas[i] == exclude {
			continue
		}
		if k < areas[i].weight {
			return &areas[i]
		}
		k -= areas[i].weight
	}
	return &areas[0]
}

// areaFiles lists an area's editable files in root.
func areaFiles(root *dir, a *area) []string {
	var out []string
	for _, p := range root.getDir(a.dir).files(a.dir, nil) {
		if areaOfPath(p) != a || root.get(p).binary() {
			continue
		}
		if generatedPath(p) || p == pathNews || root.get(manPath(p)) != nil {
			// Written by a bot, release notes, and the sources of generated
			// man pages (changed only with their regeneration, docRegen).
			continue
		}
		if a.text || strings.HasSuffix(p, ".c") || strings.HasSuffix(p, ".h") {
			out = append(out, p)
		}
	}
	return out
}

func prefixFor(r *rand.Rand, a *area, path string) string {
	if a.name == "mlx5_core" {
		base := path[strings.LastIndex(path, "/")+1:]
		switch {
		case strings.HasPrefix(base, "en"):
			return pick(r, []string{"net/mlx5e", "net/mlx5e", "net/mlx5e: TC,"})
		case strings.HasPrefix(base, "eswitch"):
			return "net/mlx5: E-Switch,"
		case strings.Contains(path, "/lag/"):
			return "net/mlx5: Lag,"
		}
		return "net/mlx5"
	}
	return pick(r, a.prefixes)
}

func fill(s, fn string) string { return strings.ReplaceAll(s, "%s", fn) }

// normal generates one ordinary commit on master or on the topic.
func (g *upstreamGen) normal(onTopic bool) error {
	root, tip := g.branch(onTopic)
	var exclude *area
	if g.topic != nil && !onTopic {
		exclude = g.topic.area
	}
	for try := 0; try < 20; try++ {
		a := pickArea(g.r, exclude)
		if onTopic {
			a = g.topic.area
		}
		if !onTopic && chance(g.r, 0.01) {
			if ok, err := g.revert(); ok || err != nil {
				return err
			}
		}
		c, newRoot, ok := g.compose(root, a, onTopic)
		if !ok {
			continue
		}
		c.obj.parents = []oid{tip}
		if err := g.writeCommit(c, newRoot); err != nil {
			return err
		}
		g.add(c)
		g.advance(onTopic, c, newRoot)
		return nil
	}
	return fmt.Errorf("upstream: no commit could be generated at %d", len(g.commits))
}

// compose builds a commit of area a on root, without writing it.
func (g *upstreamGen) compose(root *dir, a *area, onTopic bool) (*ucommit, *dir, bool) {
	files := areaFiles(root, a)
	if len(files) == 0 {
		return nil, nil, false
	}
	cd := code{r: g.r, a: a}
	want := ""
	var target *ucommit
	path := pick(g.r, files)
	if chance(g.r, 0.35) {
		want = "fix"
		target = g.fixTarget(path, onTopic)
	}
	var near []string
	if target != nil {
		near = target.change.addedLines(path)
	}
	f := root.get(path)
	e, ok := cd.editFile(path, f.lines, want, near)
	if !ok {
		return nil, nil, false
	}
	ch := &changeSet{Files: []fileChange{{Op: opModify, Path: path, Hunks: e.hunks}}}
	// A second file: a header of the area, another file of it, or docs.
	if !onTopic && chance(g.r, 0.25) {
		var other string
		if len(a.headers) > 0 && chance(g.r, 0.6) && (g.topic == nil || areaOfPath(a.headers[0]) != g.topic.area) {
			other = pick(g.r, a.headers)
		} else {
			other = pick(g.r, files)
		}
		if other != path && root.get(other) != nil {
			oc := code{r: g.r, a: a}
			if e2, ok := oc.editFile(other, root.get(other).lines, "", nil); ok {
				ch.Files = append(ch.Files, fileChange{Op: opModify, Path: other, Hunks: e2.hunks})
			}
		}
	}
	if !onTopic && a.rdma && chance(g.r, 0.03) {
		docs := areaByName("docs")
		if g.topic == nil || g.topic.area != docs {
			other := pick(g.r, areaFiles(root, docs))
			if chance(g.r, 0.4) {
				other = pathMaintainers
			}
			if e2, ok := (code{r: g.r, a: docs}).editText(root.get(other).lines); ok {
				ch.Files = append(ch.Files, fileChange{Op: opModify, Path: other, Hunks: e2.hunks})
			}
		}
	}
	res, ok := applyChange(root, ch, true)
	if !ok {
		return nil, nil, false
	}
	au := g.author(a)
	t := g.tick()
	c := &ucommit{reverts: -1, revertedBy: -1, area: a, change: ch, isFix: e.fix || target != nil, generic: e.generic}
	c.obj = commitObj{author: au, authorTime: t, committer: g.maintainer(a), commitTime: t + g.step/4}
	c.subject = joinSubject(prefixFor(g.r, a, path), fill(e.what, e.fn))
	var tr trailers
	if target != nil {
		c.fixes = []int{target.idx}
		tr.fixes = append(tr.fixes, target)
	}
	if c.isFix && a.rdma && chance(g.r, 0.35) {
		c.stable = true
		if chance(g.r, 0.08) {
			c.cves = []string{fmt.Sprintf("CVE-%d-%d", 2020+int((t-startTime)/(365*24*3600)), 20000+g.r.Intn(30000))}
		}
	}
	c.body = g.body(c, e, au, tr)
	return c, res.root, true
}

// fixTarget picks the commit a fix of path fixes: often a recent one, now
// and then a fix itself (a fix of a fix) or an old one.
func (g *upstreamGen) fixTarget(path string, onTopic bool) *ucommit {
	var cand []*ucommit
	for _, i := range g.touched[path] {
		c := g.commits[i]
		if c.change == nil || c.release != "" || c.reverts >= 0 || c.revertedBy >= 0 {
			continue
		}
		if c.onMaster || (onTopic && g.topic != nil && containsInt(g.topic.commits, i)) {
			cand = append(cand, c)
		}
	}
	if len(cand) == 0 {
		return nil
	}
	if chance(g.r, 0.3) {
		var fixes []*ucommit
		for _, c := range cand {
			if len(c.fixes) > 0 {
				fixes = append(fixes, c)
			}
		}
		if len(fixes) > 0 {
			return pick(g.r, fixes)
		}
	}
	if chance(g.r, 0.6) {
		return cand[max(0, len(cand)-1-g.r.Intn(min(len(cand), 6)))]
	}
	return pick(g.r, cand)
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// revert reverts a recent master commit whose inverse still applies.
func (g *upstreamGen) revert() (bool, error) {
	for back := 1; back < 60 && back < len(g.commits); back++ {
		c := g.commits[len(g.commits)-back]
		if !c.onMaster || c.change == nil || c.release != "" || c.reverts >= 0 || c.revertedBy >= 0 || !c.area.rdma || !c.change.onlyText() {
			continue
		}
		if g.topic != nil {
			clash := false
			for _, p := range c.change.paths() {
				if areaOfPath(p) == g.topic.area {
					clash = true
				}
			}
			if clash {
				continue
			}
		}
		inv := c.change.inverse()
		if len(inv.Files) != len(c.change.Files) {
			continue // a mode change is not reverted
		}
		res, ok := applyChange(g.root, inv, true)
		if !ok || !chance(g.r, 0.5) {
			continue
		}
		a := c.area
		au := g.author(a)
		t := g.tick()
		rc := &ucommit{reverts: c.idx, revertedBy: -1, area: a, change: inv, isFix: true}
		rc.obj = commitObj{parents: []oid{g.tip}, author: au, authorTime: t, committer: g.maintainer(a), commitTime: t + g.step/4}
		rc.subject = "Revert \"" + c.subject + "\""
		rc.body = "This reverts commit " + c.id.String() + ".\n\n" +
			fmt.Sprintf("The commit causes a regression when %s: %s.\nRevert it until a proper fix is found.\n\n", pick(g.r, prose),
				pick(g.r, []string{"traffic stops after a few seconds", "the driver fails to load", "rdma-core tests time out", "a WARN_ON triggers on unload"})) +
			"Link: " + g.link(t, au) + "\n" + sob(au) + sob(rc.obj.committer)
		if err := g.writeCommit(rc, res.root); err != nil {
			return false, err
		}
		g.add(rc)
		c.revertedBy = rc.idx
		g.advance(false, rc, res.root)
		return true, nil
	}
	return false, nil
}

func (g *upstreamGen) link(t int64, p person) string {
	user := p.email[:strings.IndexByte(p.email, '@')]
	return fmt.Sprintf("https://lore.kernel.org/r/%s.%d-%d-%s@%s", fmtCompact(t), 100000+g.r.Intn(900000), 1+g.r.Intn(9), user, p.email[strings.IndexByte(p.email, '@')+1:])
}

func (g *upstreamGen) release(k int) error {
	rel := releases[k]
	if g.cfg.plant {
		if err := g.news(rel.name); err != nil {
			return err
		}
	}
	f := g.root.get(pathMakefile)
	add := []string{fmt.Sprintf("VERSION = %d", rel.v), fmt.Sprintf("PATCHLEVEL = %d", rel.p)}
	ch := &changeSet{Files: []fileChange{{Op: opModify, Path: pathMakefile, Hunks: []hunk{mkHunk(f.lines, 1, 2, add)}}}}
	res, ok := applyChange(g.root, ch, true)
	if !ok {
		return fmt.Errorf("upstream: release %s does not apply", rel.name)
	}
	t := g.tick()
	name := fmt.Sprintf("Linux %d.%d", rel.v, rel.p)
	c := &ucommit{reverts: -1, revertedBy: -1, change: ch, release: rel.name, subject: name}
	c.obj = commitObj{parents: []oid{g.tip}, author: releaser, authorTime: t, committer: releaser, commitTime: t}
	if err := g.writeCommit(c, res.root); err != nil {
		return err
	}
	g.add(c)
	g.advance(false, c, res.root)
	tr := tagRec{name: rel.name, idx: c.idx, annotated: rel.annotated}
	if rel.annotated {
		obj, err := g.pw.put(objTag, encodeTag(c.id, rel.name, releaser, t+3600, name+"\n"))
		if err != nil {
			return err
		}
		tr.object = obj
	}
	g.tags = append(g.tags, tr)
	for _, b := range []string{g.cfg.distroBase, g.cfg.vendorBase, g.cfg.vendorFork} {
		if b == rel.name {
			g.snaps[b] = snapshot{root: g.root, idx: c.idx, prefixEnd: g.pw.off}
		}
	}
	if rel.name == g.cfg.distroBase {
		g.forget(c.idx - 100)
	}
	return nil
}

// forget drops what no downstream can use of the commits before upTo (no
// downstream starts before the distro base): the context and removed lines
// of their hunks. Their added lines stay, for fixes that target them.
func (g *upstreamGen) forget(upTo int) {
	for _, c := range g.commits[:max(0, upTo)] {
		if c.change == nil {
			continue
		}
		for i := range c.change.Files {
			f := &c.change.Files[i]
			for j := range f.Hunks {
				f.Hunks[j].Before, f.Hunks[j].Del, f.Hunks[j].After = nil, nil, nil
			}
			if f.Op == opDelete {
				f.Lines = nil
			}
		}
	}
}

func (g *upstreamGen) startTopic() {
	var cand []*area
	for _, n := range []string{"mlx5_ib", "mlx5_core", "mlx5_core", "core", "rxe", "ipoib", "irdma", "hfi1", "bnxt_re"} {
		cand = append(cand, areaByName(n))
	}
	a := pick(g.r, cand)
	g.topic = &topicState{area: a, root: g.root, tip: g.tip, want: 3 + g.r.Intn(6), changed: map[string]bool{}}
	date := fmtDay(g.clock)
	switch a.name {
	case "mlx5_core":
		g.topic.name = "mlx5-updates-" + date
	case "mlx5_ib":
		g.topic.name = "mlx5-next"
	default:
		g.topic.name = "for-next"
	}
}

func (g *upstreamGen) mergeTopic() error {
	tp := g.topic
	g.topic = nil
	if len(tp.commits) == 0 {
		return nil
	}
	root := g.root
	paths := make([]string, 0, len(tp.changed))
	for p := range tp.changed {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		root = root.set(p, tp.root.get(p))
	}
	m := g.maintainer(tp.area)
	t := g.tick()
	c := &ucommit{reverts: -1, revertedBy: -1, merge: true, onMaster: true}
	c.obj = commitObj{parents: []oid{g.tip, tp.tip}, author: m, authorTime: t, committer: m, commitTime: t}
	var list strings.Builder
	for k, i := range tp.commits {
		fmt.Fprintf(&list, "%d) %s\n", k+1, g.commits[i].subject)
		g.commits[i].onMaster = true
	}
	sub := g.commits[tp.commits[0]].obj.committer
	if tp.area.name == "mlx5_core" {
		c.subject = fmt.Sprintf("Merge tag '%s' of git://git.kernel.org/pub/scm/linux/kernel/git/%s/linux", tp.name, strings.Split(sub.email, "@")[0])
		c.body = fmt.Sprintf("%s says:\n\n====================\n%s\n\nThis series provides misc updates to the mlx5 driver:\n%s====================\n\nLink: https://lore.kernel.org/r/%s@kernel.org\n%s",
			sub.name, tp.name, list.String(), fmtCompact(t), sob(m))
	} else {
		c.subject = fmt.Sprintf("Merge branch '%s' of git://git.kernel.org/pub/scm/linux/kernel/git/rdma/rdma", tp.name)
		c.body = fmt.Sprintf("Pull rdma updates from %s:\n\n%s\n%s", sub.name, list.String(), sob(m))
	}
	if err := g.writeCommit(c, root); err != nil {
		return err
	}
	g.add(c)
	g.root, g.tip = root, c.id
	return nil
}

// special makes one of the rare commits: renames, a mode change, a binary
// file, a latin-1 message, new and deleted files, forced reverts.
func (g *upstreamGen) special(ev string) (bool, error) {
	root := g.root
	var a *area
	var ch *changeSet
	var subject, why string
	latin1 := false
	switch ev {
	case "revert":
		return g.revert()
	case "man-init":
		return g.manInit()
	case "doc-regen":
		return g.docRegen()
	case "kunit":
		return g.kunitTest()
	case "rename", "rename-edit":
		for try := 0; try < 10; try++ {
			a = pickArea(g.r, nil)
			if !a.rdma || (g.topic != nil && g.topic.area == a) {
				continue
			}
			files := areaFiles(root, a)
			if len(files) == 0 {
				continue
			}
			from := pick(g.r, files)
			if !strings.HasSuffix(from, ".c") {
				continue
			}
			base := from[strings.LastIndex(from, "/")+1:]
			to := from[:len(from)-len(base)] + strings.TrimSuffix(base, ".c") + pick(g.r, []string{"_core.c", "_lib.c", "_ops.c", "_main.c"})
			if root.get(to) != nil {
				continue
			}
			fc := fileChange{Op: opRename, Path: to, OldPath: from}
			subject = joinSubject(pick(g.r, a.prefixes), fmt.Sprintf("Rename %s to %s", base, to[strings.LastIndex(to, "/")+1:]))
			why = "The file holds more than its name says. Rename it to match its content."
			if ev == "rename-edit" {
				if e, ok := (code{r: g.r, a: a}).editFile(from, root.get(from).lines, "cleanup", nil); ok {
					fc.Hunks = e.hunks
					why += " While at it, " + strings.ToLower(fill(e.what, e.fn)[:1]) + fill(e.what, e.fn)[1:] + "."
				}
			}
			ch = &changeSet{Files: []fileChange{fc}}
			break
		}
	case "mode":
		if f := root.get(pathScript); f != nil && f.mode != modeExec {
			a = areaByName("core")
			ch = &changeSet{Files: []fileChange{{Op: opMode, Path: pathScript, Mode: modeExec}}}
			subject = "selftests: rdma: Make rdma_netns.sh executable"
			why = "The test runner skips scripts without the executable bit. Set it."
		}
	case "binary":
		a = areaByName("docs")
		ch = &changeSet{Files: []fileChange{{Op: opCreate, Path: pathImage, Data: binaryBlob(g.r, "\x89PNG\r\n\x1a\n", 3000), Mode: modeFile}}}
		subject = "Documentation: infiniband: Add RDMA stack diagram"
		why = "Add a picture of the RDMA stack layers, referenced from the userspace verbs document."
	case "create":
		for try := 0; try < 10 && ch == nil; try++ {
			a = pickArea(g.r, nil)
			if !a.rdma || (g.topic != nil && g.topic.area == a) {
				continue
			}
			noun := pick(g.r, a.nouns)
			path := a.dir + noun + "_" + pick(g.r, []string{"offload", "steering", "stats", "trace", "debugfs"}) + ".c"
			if areaOfPath(path) != a || root.get(path) != nil {
				continue
			}
			ch = &changeSet{Files: []fileChange{{Op: opCreate, Path: path, Lines: (code{r: g.r, a: a}).cFile(120 + g.r.Intn(100)), Mode: modeFile}}}
			subject = joinSubject(pick(g.r, a.prefixes), fmt.Sprintf("Add %s support", path[strings.LastIndex(path, "/")+1:len(path)-2]))
			why = "Add a new file for the " + noun + " handling so that the main file stays readable."
		}
	case "delete":
		for i := len(g.commits) - 1; i >= 0 && ch == nil; i-- {
			c := g.commits[i]
			if c.change == nil || c.revertedBy >= 0 || len(c.change.Files) != 1 || c.change.Files[0].Op != opCreate || c.change.Files[0].Data != nil {
				continue
			}
			p := c.change.Files[0].Path
			f := root.get(p)
			if f == nil || (g.topic != nil && areaOfPath(p) == g.topic.area) {
				continue
			}
			a = c.area
			ch = &changeSet{Files: []fileChange{{Op: opDelete, Path: p, Lines: f.lines, Mode: f.mode}}}
			subject = joinSubject(pick(g.r, a.prefixes), fmt.Sprintf("Remove %s", p[strings.LastIndex(p, "/")+1:]))
			why = "Nothing uses this code any more. Remove it."
		}
	case "latin1":
		a = areaByName("mlx4_core")
		if g.topic != nil && g.topic.area == a {
			return false, nil
		}
		files := areaFiles(root, a)
		path := pick(g.r, files)
		e, ok := (code{r: g.r, a: a}).editFile(path, root.get(path).lines, "fix", nil)
		if !ok {
			return false, nil
		}
		ch = &changeSet{Files: []fileChange{{Op: opModify, Path: path, Hunks: e.hunks}}}
		subject = joinSubject(prefixFor(g.r, a, path), fill(e.what, e.fn))
		why = fill(e.why, e.fn) + "\n\nThanks to Fran\xe7ois D\xe9sir\xe9 for the analysis."
		latin1 = true
	}
	if ch == nil {
		return false, nil
	}
	res, ok := applyChange(root, ch, true)
	if !ok {
		return false, nil
	}
	au := g.author(a)
	t := g.tick()
	c := &ucommit{reverts: -1, revertedBy: -1, area: a, change: ch, subject: subject}
	c.obj = commitObj{parents: []oid{g.tip}, author: au, authorTime: t, committer: g.maintainer(a), commitTime: t + g.step/4}
	c.body = wrap(why) + "\n\n"
	if latin1 {
		c.body += "Reported-by: J\xf6rg M\xfcller <jmueller@example.de>\n"
	}
	c.body += "Link: " + g.link(t, au) + "\n" + sob(au) + sob(c.obj.committer)
	if err := g.writeCommit(c, res.root); err != nil {
		return false, err
	}
	g.add(c)
	g.advance(false, c, res.root)
	return true, nil
}
