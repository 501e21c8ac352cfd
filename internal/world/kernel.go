package world

// The kernel-size world (issue 14): a Linux-size upstream (a million
// non-merge commits on a tree of 60,000 files in 4,000 directories), a
// RHEL-like distro repository with 100,000 commits of its own since v5.14
// and an OFED-like vendor repository on v6.1. Unlike the other sizes it
// keeps no edit model of the out-of-scope files: the generator streams
// the history, keeping only the current tree (a persistent dir, tree.go)
// and, for the 2% of commits that touch RDMA paths, their line edits, so
// that the downstreams can backport them. Objects go straight into one
// pack per repository (pack.go), as for the other sizes.
//
// kernel-mini is the same world at 1/20 of the size, for tests and for
// trying the bench pipeline.

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kdelta/kdelta/change"
)

// The kernel sizes.
const (
	Kernel     Size = "kernel"
	KernelMini Size = "kernel-mini"
)

// IsKernel says whether s is one of the kernel sizes.
func IsKernel(s Size) bool { return s == Kernel || s == KernelMini }

type kernelConfig struct {
	commits  int // upstream non-merge commits on master before the window
	files    int // files in the initial tree
	dirs     int // leaf directories
	tagEvery int // non-merge commits per release
	huge     int // huge (treewide) commits, and how many files each touches
	hugeSize int
	distro   int // distro commits after base, of which backports are RDMA backports
	backport int
	vendor   int // vendor commits after base, of which vendorBP are backports
	vendorBP int
	stable   int // commits on each stable branch
	window   int // commits of the merge window the bench advances to, windowRDMA of them RDMA
	windowR  int
}

func kernelConfigFor(s Size) kernelConfig {
	if s == KernelMini {
		return kernelConfig{commits: 50000, files: 3000, dirs: 200, tagEvery: 500, huge: 5, hugeSize: 100,
			distro: 5000, backport: 250, vendor: 200, vendorBP: 40, stable: 20, window: 500, windowR: 15}
	}
	return kernelConfig{commits: 1000000, files: 60000, dirs: 4000, tagEvery: 10000, huge: 5, hugeSize: 2000,
		distro: 100000, backport: 5000, vendor: 2000, vendorBP: 300, stable: 100, window: 10000, windowR: 300}
}

// The RDMA directories of the kernel tree, under the linux layout's
// component paths.
var kernelRDMADirs = []string{
	"drivers/infiniband/core", "drivers/infiniband/hw/mlx5", "drivers/infiniband/hw/mlx4",
	"drivers/infiniband/ulp/ipoib", "drivers/infiniband/ulp/srp", "drivers/infiniband/ulp/isert",
	"drivers/infiniband/sw/rxe", "drivers/net/ethernet/mellanox/mlx5/core", "include/rdma", "include/uapi/rdma",
}

var kernelTops = []string{"arch", "block", "crypto", "drivers", "fs", "include", "kernel", "lib", "mm",
	"net", "sound", "tools", "Documentation", "security", "scripts", "virt"}

var kernelRDMAPrefix = map[string]string{
	"drivers/infiniband/core": "RDMA/core", "drivers/infiniband/hw/mlx5": "RDMA/mlx5", "drivers/infiniband/hw/mlx4": "IB/mlx4",
	"drivers/infiniband/ulp/ipoib": "IB/ipoib", "drivers/infiniband/ulp/srp": "IB/srp", "drivers/infiniband/ulp/isert": "IB/isert",
	"drivers/infiniband/sw/rxe": "RDMA/rxe", "drivers/net/ethernet/mellanox/mlx5/core": "net/mlx5",
	"include/rdma": "RDMA/core", "include/uapi/rdma": "RDMA/uapi",
}

var kernelVerbs = []string{"Fix", "Remove", "Add", "Use", "Avoid", "Clean up", "Refactor", "Correct", "Simplify", "Handle"}
var kernelNouns = []string{"a use-after-free in", "a NULL dereference in", "the error path of", "a race in", "the locking of",
	"a memory leak in", "the counters of", "an overflow in", "the teardown of", "the init of"}

// kedit is one line edit of an RDMA commit: line at of path replaced by
// (or, when insert, a new line text inserted before it).
type kedit struct {
	path   string
	at     int
	text   string
	insert bool
}

// krdma is an upstream commit that touches RDMA paths.
type krdma struct {
	id      oid
	idx     int // position among the master commits
	subject string
	body    string
	author  person
	time    int64
	edits   []kedit
	release string
}

// ktag is a release of the kernel world.
type ktag struct {
	name    string
	commit  oid
	object  oid
	idx     int // master commits before it (its position)
	rdma    int // RDMA commits before it
	root    *dir
	packEnd uint64
}

// kgen writes one repository's history: a current tree and a tip.
type kgen struct {
	r    *rand.Rand
	pw   *packWriter
	root *dir
	tip  oid
	t    int64
	n    int // commits written
}

func (g *kgen) tick() int64 {
	g.t += 60 + int64(g.r.Intn(600))
	return g.t
}

func kperson(r *rand.Rand, kind string, n int) person {
	k := r.Intn(n)
	return person{name: fmt.Sprintf("%s Developer %d", kind, k), email: fmt.Sprintf("%s%d@example.org", strings.ToLower(kind), k), tz: 60 * (r.Intn(19) - 9)}
}

// commit writes the current tree as a commit on parents.
func (g *kgen) commit(parents []oid, author person, msg string) (oid, error) {
	tree, err := g.pw.putTree(g.root)
	if err != nil {
		return oid{}, err
	}
	t := g.tick()
	c := &commitObj{tree: tree, parents: parents, author: author, authorTime: t - int64(g.r.Intn(86400)), committer: author, commitTime: t, message: msg}
	id, err := g.pw.put(objCommit, c.encode())
	if err != nil {
		return oid{}, err
	}
	g.n++
	return id, nil
}

// touchBulk gives an out-of-scope file a new version.
func (g *kgen) touchBulk(path string, stamp string) {
	g.root = g.root.set(path, textFile([]string{"// SPDX-License-Identifier: GPL-2.0", "// " + path, "// " + stamp}))
}

// applyEdits applies RDMA line edits to the current tree; a file the
// tree lacks is created from the edited lines alone.
func (g *kgen) applyEdits(edits []kedit) {
	for _, e := range edits {
		var lines []string
		if f := g.root.get(e.path); f != nil {
			lines = append(make([]string, 0, len(f.lines)+1), f.lines...)
		}
		at := min(e.at, len(lines))
		switch {
		case e.insert || at == len(lines):
			lines = append(lines, "")
			copy(lines[at+1:], lines[at:])
			lines[at] = e.text
		default:
			lines[at] = e.text
		}
		g.root = g.root.set(e.path, textFile(lines))
	}
}

// kupstream is the upstream generator.
type kupstream struct {
	kgen
	cfg    kernelConfig
	bulk   []string // out-of-scope file paths
	rdma   []string // RDMA file paths
	ids    []oid    // master's non-merge commits, in order
	merges int
	rdmaC  []*krdma
	tags   []*ktag
	keep   map[string]bool // tags whose tree is kept (bases, stable branches)
	// stable branches: name -> tip, and their tags
	branches map[string]oid
	stags    []ref
	window   oid // master's tip after the merge window
	released int // RDMA commits on master before the window
	progress func(int)
}

func kernelTagName(k int) string {
	switch {
	case k < 21:
		return fmt.Sprintf("v4.%d", k)
	case k < 41:
		return fmt.Sprintf("v5.%d", k-21)
	}
	return fmt.Sprintf("v6.%d", k-41)
}

func (u *kupstream) initialTree() {
	var dirs []string
	for i := 0; len(dirs) < u.cfg.dirs-len(kernelRDMADirs); i++ {
		top := kernelTops[i%len(kernelTops)]
		j := i / len(kernelTops)
		dirs = append(dirs, fmt.Sprintf("%s/%s%d/%s%d", top, top[:1], j%50, "m", j/50))
	}
	rdmaFiles := u.cfg.files / 50 // 2% of the files
	per := max(1, rdmaFiles/len(kernelRDMADirs))
	for _, d := range kernelRDMADirs {
		for k := 0; k < per; k++ {
			p := fmt.Sprintf("%s/%s_%d.c", d, filepath.Base(d), k)
			u.rdma = append(u.rdma, p)
			lines := []string{"// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB", "#include <rdma/ib_verbs.h>", ""}
			for l := 0; l < 40; l++ {
				lines = append(lines, fmt.Sprintf("\t%s_op_%d_%d();", filepath.Base(d), k, l))
			}
			u.root = u.root.set(p, textFile(lines))
		}
	}
	for len(u.bulk) < u.cfg.files-len(u.rdma) {
		d := dirs[len(u.bulk)%len(dirs)]
		p := fmt.Sprintf("%s/f%d.c", d, len(u.bulk))
		u.bulk = append(u.bulk, p)
		u.touchBulk(p, "initial")
	}
}

// rdmaCommit composes and applies an RDMA commit.
func (u *kupstream) rdmaCommit() (string, []kedit) {
	r := u.r
	nfiles := 1 + r.Intn(3)
	base := u.rdma[r.Intn(len(u.rdma))]
	d := filepath.Dir(base)
	var edits []kedit
	for f := 0; f < nfiles; f++ {
		path := base
		if f > 0 {
			// another file of the same driver when there is one
			for _, p := range u.rdma[r.Intn(len(u.rdma)):] {
				if filepath.Dir(p) == d {
					path = p
					break
				}
			}
		}
		for k := 0; k < 1+r.Intn(3); k++ {
			edits = append(edits, kedit{path: path, at: 3 + r.Intn(40), insert: chance(r, 0.3),
				text: fmt.Sprintf("\t%s_fix_%d_%d(dev, %d);", filepath.Base(d), len(u.rdmaC), k, r.Intn(1000))})
		}
	}
	u.applyEdits(edits)
	subject := fmt.Sprintf("%s: %s %s %s", kernelRDMAPrefix[d], kernelVerbs[r.Intn(len(kernelVerbs))], kernelNouns[r.Intn(len(kernelNouns))],
		strings.TrimSuffix(filepath.Base(base), ".c"))
	// A rename now and then (the edits above name the old path).
	if chance(r, 0.005) {
		i := r.Intn(len(u.rdma))
		old := u.rdma[i]
		if f := u.root.get(old); f != nil {
			nu := strings.TrimSuffix(old, ".c") + "_r.c"
			u.root = u.root.set(old, nil).set(nu, f)
			u.rdma[i] = nu
		}
	}
	return subject, edits
}

// plainCommit writes one non-merge commit of the out-of-scope bulk or,
// with probability pRDMA, one that touches RDMA paths.
func (u *kupstream) plainCommit(parent oid, pRDMA float64) (oid, error) {
	r := u.r
	author := kperson(r, "Kernel", 4000)
	n := len(u.ids)
	var subject string
	var edits []kedit
	var huge bool
	if u.cfg.huge > 0 && n%(u.cfg.commits/u.cfg.huge) == u.cfg.commits/(2*u.cfg.huge) {
		huge = true
		subject = "treewide: Replace GPL boilerplate with SPDX identifiers"
		for k := 0; k < u.cfg.hugeSize; k++ {
			u.touchBulk(u.bulk[r.Intn(len(u.bulk))], fmt.Sprintf("treewide %d", n))
		}
	} else if chance(r, pRDMA) {
		subject, edits = u.rdmaCommit()
		if chance(r, 0.2) {
			u.touchBulk(u.bulk[r.Intn(len(u.bulk))], fmt.Sprintf("rev %d", n))
		}
	} else {
		p := u.bulk[r.Intn(len(u.bulk))]
		subject = fmt.Sprintf("%s: %s %s %s", strings.SplitN(p, "/", 2)[0], kernelVerbs[r.Intn(len(kernelVerbs))], kernelNouns[r.Intn(len(kernelNouns))], filepath.Base(filepath.Dir(p)))
		for k := 0; k < 1+r.Intn(3); k++ {
			u.touchBulk(u.bulk[(r.Intn(len(u.bulk))+k)%len(u.bulk)], fmt.Sprintf("rev %d.%d", n, k))
		}
		if chance(r, 0.01) { // a rename
			i := r.Intn(len(u.bulk))
			if f := u.root.get(u.bulk[i]); f != nil {
				nu := filepath.Join(filepath.Dir(u.bulk[(i+1)%len(u.bulk)]), fmt.Sprintf("r%d.c", n))
				u.root = u.root.set(u.bulk[i], nil).set(nu, f)
				u.bulk[i] = nu
			}
		}
	}
	body := fmt.Sprintf("Change %d of the synthetic kernel history.\n\n", n)
	if huge {
		body = "Based on the normalized pattern of the license text.\n\n"
	}
	msg := subject + "\n\n" + body + sob(author)
	id, err := u.commit([]oid{parent}, author, msg)
	if err != nil {
		return oid{}, err
	}
	u.ids = append(u.ids, id)
	if edits != nil {
		u.rdmaC = append(u.rdmaC, &krdma{id: id, idx: n, subject: subject, body: body, author: author, time: u.t, edits: edits})
	}
	if u.progress != nil && n%10000 == 0 {
		u.progress(n)
	}
	return id, nil
}

// topic writes a topic branch of k commits forked from the tip and
// merges it (no fast-forward, as a maintainer's pull).
func (u *kupstream) topic(k int, pRDMA float64) error {
	fork := u.tip
	head := fork
	for i := 0; i < k; i++ {
		id, err := u.plainCommit(head, pRDMA)
		if err != nil {
			return err
		}
		head = id
	}
	msg := fmt.Sprintf("Merge tag 'for-linus-%d' of git://git.kernel.org/pub/scm/linux/kernel/git/maint%d/linux\n\nPull updates.\n", u.merges, u.r.Intn(200))
	m, err := u.commit([]oid{fork, head}, person{name: "Linus Torvalds", email: "torvalds@linux-foundation.org", tz: -420}, msg)
	if err != nil {
		return err
	}
	u.merges++
	u.tip = m
	return nil
}

// mainline writes master up to until non-merge commits.
func (u *kupstream) mainline(until int, pRDMA float64) error {
	for len(u.ids) < until {
		left := until - len(u.ids)
		if chance(u.r, 0.2) || left < 10 {
			id, err := u.plainCommit(u.tip, pRDMA)
			if err != nil {
				return err
			}
			u.tip = id
			continue
		}
		if err := u.topic(min(left, 5+u.r.Intn(120)), pRDMA); err != nil {
			return err
		}
	}
	return nil
}

func (u *kupstream) release(k int) error {
	name := kernelTagName(k)
	u.root = u.root.set("Makefile", textFile([]string{"VERSION = " + name, "NAME = Synthetic"}))
	linus := person{name: "Linus Torvalds", email: "torvalds@linux-foundation.org", tz: -420}
	id, err := u.commit([]oid{u.tip}, linus, "Linux "+strings.TrimPrefix(name, "v")+"\n")
	if err != nil {
		return err
	}
	u.tip = id
	u.ids = append(u.ids, id)
	obj, err := u.pw.put(objTag, encodeTag(id, name, linus, u.t+3600, "Linux "+strings.TrimPrefix(name, "v")+"\n"))
	if err != nil {
		return err
	}
	t := &ktag{name: name, commit: id, object: obj, idx: len(u.ids), rdma: len(u.rdmaC), packEnd: u.pw.off}
	if u.keep[name] {
		t.root = u.root
	}
	for _, c := range u.rdmaC[u.lastRDMA():] {
		c.release = name
	}
	u.tags = append(u.tags, t)
	return nil
}

func (u *kupstream) lastRDMA() int {
	if len(u.tags) == 0 {
		return 0
	}
	return u.tags[len(u.tags)-1].rdma
}

func (u *kupstream) tag(name string) *ktag {
	for _, t := range u.tags {
		if t.name == name {
			return t
		}
	}
	return nil
}

// stableBranch writes linux-X.Y.y on tag t: cherry-picks of later RDMA
// commits ("commit X upstream."), tagged every fifth as a point release.
func (u *kupstream) stableBranch(t *ktag) error {
	g := &kgen{r: u.r, pw: u.pw, root: t.root, tip: t.commit, t: u.t}
	later := u.rdmaC[t.rdma:u.released]
	if len(later) == 0 {
		return nil
	}
	gkh := person{name: "Greg Kroah-Hartman", email: "gregkh@linuxfoundation.org", tz: 60}
	for i := 0; i < u.cfg.stable; i++ {
		c := later[u.r.Intn(len(later))]
		g.applyEdits(c.edits)
		msg := c.subject + "\n\ncommit " + c.id.String() + " upstream.\n\n" + c.body + sob(c.author) + sob(gkh)
		id, err := g.commit([]oid{g.tip}, c.author, msg)
		if err != nil {
			return err
		}
		g.tip = id
		if (i+1)%5 == 0 {
			u.stags = append(u.stags, ref{name: fmt.Sprintf("refs/tags/%s.%d", t.name, (i+1)/5), target: id})
		}
	}
	u.branches["linux-"+strings.TrimPrefix(t.name, "v")+".y"] = g.tip
	u.t = g.t
	return nil
}

func (u *kupstream) run() error {
	u.initialTree()
	first, err := u.commit(nil, person{name: "Linus Torvalds", email: "torvalds@linux-foundation.org", tz: -420}, "Linux-2.6.12-rc2\n\nInitial import of the synthetic tree.\n")
	if err != nil {
		return err
	}
	u.tip = first
	u.ids = append(u.ids, first)
	for k := 0; len(u.ids) < u.cfg.commits; k++ {
		if err := u.mainline(min(u.cfg.commits, len(u.ids)+u.cfg.tagEvery-1), 0.02); err != nil {
			return err
		}
		if err := u.release(k); err != nil {
			return err
		}
	}
	u.released = len(u.rdmaC)
	// Stable branches on the bases and the last three releases.
	var names []string
	for name := range u.keep {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if t := u.tag(name); t != nil && t.root != nil {
			if err := u.stableBranch(t); err != nil {
				return err
			}
		}
	}
	// The merge window the bench advances master to.
	master := u.tip
	if err := u.mainline(len(u.ids)+u.cfg.window, float64(u.cfg.windowR)/float64(u.cfg.window)); err != nil {
		return err
	}
	u.window, u.tip = u.tip, master
	return nil
}

// kdownstream is a distro or vendor repository on an upstream tag.
type kdownstream struct {
	kgen
	name, kind string
	entries    []Entry
	merges     []string
}

func (d *kdownstream) backport(c *krdma, vendor bool, eng person) (oid, Entry, error) {
	r := d.r
	edits := c.edits
	reworked := chance(r, 0.1)
	if reworked {
		edits = append([]kedit(nil), edits...)
		edits[0].text += " /* backport */"
	}
	d.applyEdits(edits)
	var b strings.Builder
	e := Entry{Kind: KindCherryPick, Upstream: []string{c.id.String()}, Subject: c.subject}
	if reworked {
		e.Kind = KindConflict
	}
	if vendor {
		e.Trailer = change.CherryPicked
		b.WriteString(c.subject + "\n\n" + c.body + sob(c.author))
		b.WriteString("(cherry picked from commit " + c.id.String() + ")\n")
		if reworked {
			b.WriteString("[ adjusted for the vendor tree ]\n")
		}
		b.WriteString(sob(eng))
	} else {
		e.Trailer = change.RHELCommit
		fmt.Fprintf(&b, "%s\n\nJIRA: https://issues.redhat.com/browse/RHEL-%d\n\n", c.subject, 1000+r.Intn(40000))
		fmt.Fprintf(&b, "commit %s\nAuthor: %s <%s>\nDate:   %s\n\n", c.id, c.author.name, c.author.email, gitDate(c.time, c.author.tz))
		b.WriteString(indent(c.subject + "\n\n" + c.body + sob(c.author)))
		b.WriteString("\n")
		if reworked {
			fmt.Fprintf(&b, "Conflicts: %s: context differs from upstream\n\n", edits[0].path)
		}
		b.WriteString(sob(eng))
	}
	id, err := d.commit([]oid{d.tip}, eng, b.String())
	e.ID = id.String()
	return id, e, err
}

func (d *kdownstream) own(u *kupstream, vendor bool, eng person) (oid, Entry, error) {
	r := d.r
	e := Entry{Kind: KindDownstreamOnly}
	var msg string
	if vendor || chance(r, 0.02) {
		// a carried RDMA patch
		p := u.rdma[r.Intn(len(u.rdma))]
		d.applyEdits([]kedit{{path: p, at: 3 + r.Intn(40), insert: true, text: fmt.Sprintf("\t%s_carry_%d();", d.name, d.n)}})
		e.Subject = fmt.Sprintf("%s: %s-only tuning of %s", kernelRDMAPrefix[filepath.Dir(p)], d.kind, filepath.Base(p))
	} else {
		p := u.bulk[r.Intn(len(u.bulk))]
		d.touchBulk(p, fmt.Sprintf("%s %d", d.name, d.n))
		e.Subject = fmt.Sprintf("[redhat] %s: backport of %s updates", strings.SplitN(p, "/", 2)[0], filepath.Base(filepath.Dir(p)))
	}
	if vendor {
		msg = e.Subject + "\n\nIssue: " + fmt.Sprint(3000000+r.Intn(900000)) + "\n\n" + sob(eng)
	} else {
		msg = fmt.Sprintf("%s\n\nJIRA: https://issues.redhat.com/browse/RHEL-%d\nUpstream Status: RHEL-only\n\n%s", e.Subject, 1000+r.Intn(40000), sob(eng))
	}
	id, err := d.commit([]oid{d.tip}, eng, msg)
	e.ID = id.String()
	return id, e, err
}

// run writes n commits, picks of them backports of upstream RDMA commits
// after base, in merge requests merged every now and then.
func (d *kdownstream) run(u *kupstream, base *ktag, n, picks int, vendor bool) error {
	cands := u.rdmaC[base.rdma:u.released] // not the window's: master reaches them only after AdvanceKernel
	var chosen []*krdma
	if picks > len(cands) {
		picks = len(cands)
	}
	for _, i := range d.r.Perm(len(cands))[:picks] {
		chosen = append(chosen, cands[i])
	}
	sort.Slice(chosen, func(i, j int) bool { return chosen[i].idx < chosen[j].idx })
	eng := kperson(d.r, "Distro", 200)
	written := 0
	for written < n {
		fork := d.tip
		k := min(n-written, 1+d.r.Intn(40))
		for i := 0; i < k; i++ {
			var id oid
			var e Entry
			var err error
			// spread the backports evenly over the history
			if len(chosen) > 0 && (written+i)*picks >= (picks-len(chosen))*n {
				id, e, err = d.backport(chosen[0], vendor, eng)
				chosen = chosen[1:]
			} else {
				id, e, err = d.own(u, vendor, eng)
			}
			if err != nil {
				return err
			}
			d.tip = id
			d.entries = append(d.entries, e)
		}
		written += k
		if !vendor && k > 1 {
			m, err := d.commit([]oid{fork, d.tip}, eng, fmt.Sprintf("Merge: %s update\n\nMR: https://gitlab.com/redhat/centos-stream/src/kernel/centos-stream-9/-/merge_requests/%d\n", d.name, d.n))
			if err != nil {
				return err
			}
			d.tip = m
			d.merges = append(d.merges, m.String())
		}
	}
	return nil
}

// buildKernel writes the kernel world (Build with a kernel size).
func buildKernel(opts Options, dir string) (*World, error) {
	kc := kernelConfigFor(opts.Size)
	const distroBase, vendorBase = "v5.14", "v6.1"
	r := rand.New(rand.NewSource(opts.Seed))
	upSeed, distroSeed, vendorSeed := r.Int63(), r.Int63(), r.Int63()
	w := &World{Dir: dir, Config: filepath.Join(dir, "kdelta.toml"), Repos: map[string]string{}, Files: map[string]string{}}
	truth := &Truth{Seed: opts.Seed, Size: opts.Size}

	upDir := filepath.Join(dir, upstreamName+".git")
	if err := initRepo(upDir); err != nil {
		return nil, err
	}
	pw, err := newPackWriter(filepath.Join(upDir, "objects", "pack", "tmp_pack"), 10*(kc.commits+kc.window)) // kernel-mini: 9.4 objects a commit
	if err != nil {
		return nil, err
	}
	u := &kupstream{kgen: kgen{r: rand.New(rand.NewSource(upSeed)), pw: pw, t: 1430000000}, cfg: kc, branches: map[string]oid{}}
	ntags := kc.commits / kc.tagEvery
	u.keep = map[string]bool{distroBase: true, vendorBase: true}
	for k := max(0, ntags-3); k < ntags; k++ {
		u.keep[kernelTagName(k)] = true
	}
	if opts.Progress != nil {
		u.progress = func(done int) { opts.Progress(upstreamName, min(done, kc.commits), kc.commits) }
	}
	if err := u.run(); err != nil {
		return nil, fmt.Errorf("world: %s: %w", upstreamName, err)
	}
	if err := pw.finish(upDir); err != nil {
		return nil, fmt.Errorf("world: %s: %w", upstreamName, err)
	}
	refs := []ref{{name: "refs/heads/" + upstreamBranch, target: u.tip}}
	for _, t := range u.tags {
		refs = append(refs, ref{name: "refs/tags/" + t.name, target: t.object, peeled: t.commit, tag: true})
	}
	for name, tip := range u.branches {
		refs = append(refs, ref{name: "refs/heads/" + name, target: tip})
	}
	refs = append(refs, u.stags...)
	if err := writeRefs(upDir, upstreamBranch, refs); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, kernelWindowFile), []byte(u.window.String()+"\n"), 0o644); err != nil {
		return nil, err
	}
	w.Repos[upstreamName] = upDir
	truth.Upstream = u.truth()

	for _, s := range []struct {
		name, kind, branch, base string
		n, picks                 int
		vendor                   bool
		seed                     int64
	}{
		{distroName, "distro", distroBranch, distroBase, kc.distro, kc.backport, false, distroSeed},
		{vendorName, "vendor", vendorBranch, vendorBase, kc.vendor, kc.vendorBP, true, vendorSeed},
	} {
		base := u.tag(s.base)
		if base == nil || base.root == nil {
			return nil, fmt.Errorf("world: %s: base tag %s not generated", s.name, s.base)
		}
		repo := filepath.Join(dir, s.name+".git")
		if err := initRepo(repo); err != nil {
			return nil, err
		}
		dpw, err := newPackWriter(filepath.Join(repo, "objects", "pack", "tmp_pack"), 6*s.n)
		if err != nil {
			return nil, err
		}
		if err := dpw.sharePrefix(pw, base.packEnd); err != nil {
			return nil, err
		}
		d := &kdownstream{kgen: kgen{r: rand.New(rand.NewSource(s.seed)), pw: dpw, root: base.root, tip: base.commit, t: u.t}, name: s.name, kind: s.kind}
		if err := d.run(u, base, s.n, s.picks, s.vendor); err != nil {
			return nil, fmt.Errorf("world: %s: %w", s.name, err)
		}
		if err := dpw.finish(repo); err != nil {
			return nil, fmt.Errorf("world: %s: %w", s.name, err)
		}
		drefs := []ref{{name: "refs/heads/" + s.branch, target: d.tip}}
		for _, t := range u.tags {
			if t.idx <= base.idx {
				drefs = append(drefs, ref{name: "refs/tags/" + t.name, target: t.object, peeled: t.commit, tag: true})
			}
		}
		if err := writeRefs(repo, s.branch, drefs); err != nil {
			return nil, err
		}
		w.Repos[s.name] = repo
		truth.Downstreams = append(truth.Downstreams, Downstream{Source: s.name, Kind: s.kind, Branch: s.branch, BaseTag: s.base,
			BaseCommit: base.commit.String(), Head: d.tip.String(), Commits: d.entries, Merges: d.merges})
		if opts.Progress != nil {
			opts.Progress(s.name, s.n, s.n)
		}
	}
	cfg := sizeConfig{vendorBase: vendorBase}
	if err := os.WriteFile(w.Config, []byte(kernelConfigText(cfg)), 0o644); err != nil {
		return nil, err
	}
	if err := truth.save(filepath.Join(dir, "truth.json")); err != nil {
		return nil, err
	}
	w.Truth = truth
	return w, nil
}

// kernelWindowFile holds the id of the commit master reaches after the
// merge window (see AdvanceKernel).
const kernelWindowFile = "linux-window"

// AdvanceKernel moves the upstream master of the kernel world in dir to
// the end of its merge window (written at build time, not reachable from
// any ref until then) and returns master's new tip.
func AdvanceKernel(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, kernelWindowFile))
	if err != nil {
		return "", fmt.Errorf("world: not a kernel world: %w", err)
	}
	tip := strings.TrimSpace(string(b))
	if len(tip) != 40 {
		return "", fmt.Errorf("world: %s: want a commit id, got %q", kernelWindowFile, tip)
	}
	ref := filepath.Join(dir, upstreamName+".git", "refs", "heads", upstreamBranch)
	if err := os.WriteFile(ref, []byte(tip+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("world: %w", err)
	}
	return tip, nil
}

func (u *kupstream) truth() UpstreamInfo {
	info := UpstreamInfo{Source: upstreamName, Branch: upstreamBranch, Head: u.tip.String(), Reverts: []Revert{}, Fixes: []FixLink{}}
	for _, t := range u.tags {
		info.Tags = append(info.Tags, Tag{Name: t.name, Commit: t.commit.String(), Annotated: true, Object: t.object.String()})
	}
	// Only the commits in scope: the million others would only weigh.
	for _, c := range u.rdmaC {
		var files []string
		for _, e := range c.edits {
			if len(files) == 0 || files[len(files)-1] != e.path {
				files = append(files, e.path)
			}
		}
		info.Commits = append(info.Commits, UpstreamCommit{ID: c.id.String(), Subject: c.subject, Release: c.release, Files: files})
	}
	return info
}

func kernelConfigText(cfg sizeConfig) string {
	var b strings.Builder
	b.WriteString("# The synthetic kernel-size world (see truth.json for the ground truth of the RDMA commits).\n\n[store]\npath = \"kdelta.db\"\n\n")
	fmt.Fprintf(&b, "[[source]]\nname = %q\nkind = \"upstream\"\nurl = %q\nrefs = [%q]\nlayout = \"linux\"\n\n", upstreamName, upstreamName+".git", upstreamBranch)
	fmt.Fprintf(&b, "[[source]]\nname = %q\nkind = \"distro\"\nurl = %q\nrefs = [%q]\nupstream = %q\n\n", distroName, distroName+".git", distroBranch, upstreamName)
	fmt.Fprintf(&b, "[[source]]\nname = %q\nkind = \"vendor\"\nurl = %q\nrefs = [%q]\nupstream = %q\nbase = %q\n", vendorName, vendorName+".git", vendorBranch, upstreamName, cfg.vendorBase)
	return b.String()
}
