package world

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"

	"github.com/kdelta/kdelta/change"
	srctrailers "github.com/kdelta/kdelta/sources/trailers"
)

// Phenomena of real release and vendor branches (issue 13), planted in the
// downstreams of the demo and bench worlds with their ground truth, so
// that matching can be measured on each. The small world plants none: its
// repositories are the fixtures of other tests and stay as they were.
//
// What each looks like was checked against public histories: libfabric's
// release branches title backports "[v1.18.x] prov/efa: ..."; Android and
// ChromeOS kernels prefix subjects with UPSTREAM:, BACKPORT:, FROMGIT: and
// FROMLIST:; stable trees re-author nothing but their bots and stable
// maintainers do; rdma-core's stable branches (stable-vXX) bump versions
// and release notes on each branch by the same release manager.

// plantFor is how many cases of each phenomenon a downstream of a world
// of size s plants.
func plantFor(s Size, kind string) map[Phenomenon]int {
	var n int
	switch s {
	case Demo:
		n = 14
		if kind == "vendor" {
			n = 10
		}
	case Bench:
		n = 40
		if kind == "vendor" {
			n = 20
		}
	default:
		return nil
	}
	out := map[Phenomenon]int{}
	for _, p := range []Phenomenon{PhMetadata, PhSubject, PhRevert, PhRename, PhProse, PhRelease, PhRegenerated, PhBoilerplate} {
		out[p] = n
	}
	if kind == "vendor" {
		out[PhTwin] = 2*n + 4 // plantTwins, before the base
	}
	// On top of the vendor's landed patches (KindLanded), which are all
	// upstreamed later.
	out[PhUpstreamed] = n
	if kind == "vendor" {
		out[PhUpstreamed] = n
	}
	return out
}

// withPhenomena inserts the planted phenomena's slots into a schedule at
// random places.
func (d *downGen) withPhenomena(sched []slot) []slot {
	for _, p := range Phenomena() {
		if p == PhTwin {
			continue // planted before the schedule starts (plantTwins)
		}
		for i := 0; i < d.spec.plant[p]; i++ {
			at := d.r.Intn(len(sched) + 1)
			sched = append(sched[:at], append([]slot{{ph: p}}, sched[at:]...)...)
		}
	}
	return sched
}

// plantOne writes one case of phenomenon p; false when none can be
// written yet (the schedule tries again later).
func (d *downGen) plantOne(p Phenomenon) (bool, error) {
	switch p {
	case PhMetadata:
		return d.plantMetadata()
	case PhSubject:
		return d.plantSubject()
	case PhUpstreamed:
		return d.landedPatch()
	case PhRevert:
		return d.plantRevertPair()
	case PhRename:
		return d.plantRename()
	case PhProse:
		return d.plantProse()
	case PhRelease:
		return d.plantRelease()
	case PhRegenerated:
		return d.plantRegenerated()
	case PhBoilerplate:
		return d.plantBoilerplate()
	}
	return false, fmt.Errorf("phenomenon %s is not planted in a downstream", p)
}

// Bots that commit to release branches.
var (
	distroBot = mk("CKI Backport Bot", "cki-ci-bot+backport@redhat.com", 0)
	vendorBot = mk("ofed-ci", "ofed-ci@nvidia.com", 120)
)

// branchName is how a downstream's branch is named in subject tags.
func (d *downGen) branchName() string {
	if d.spec.kind == "vendor" {
		return "23.04.x"
	}
	return "5.14.y"
}

// taggedSubject is a subject as a release branch's tools and people write
// it: with a branch or backport tag, with a trailing period, or cut short.
func taggedSubject(r *rand.Rand, s, branch string) string {
	switch r.Intn(12) {
	case 0:
		return "[v" + branch + "] " + s
	case 1:
		return "[backport] " + s
	case 2:
		return s + " (for " + branch + ")"
	case 3:
		return "BACKPORT: " + s
	case 4:
		return "FROMGIT: " + s
	case 5:
		return "UPSTREAM: " + s
	case 6:
		return "FROMLIST: " + s
	case 7:
		return fmt.Sprintf("[PATCH %s v%d %d/%d] %s", branch, 2+r.Intn(3), 1+r.Intn(4), 5+r.Intn(4), s)
	case 8:
		return "[cherry-picked] " + s
	case 9:
		return s + "."
	}
	return truncatedSubject(r, s)
}

// titleLimits are the subject lengths tools cut titles at.
var titleLimits = []int{50, 56, 60}

// truncatedSubject cuts s at a word boundary before a tool's title limit,
// sometimes marking the cut; a subject within the limit gets a trailing
// period instead.
func truncatedSubject(r *rand.Rand, s string) string {
	limit := pick(r, titleLimits)
	if len(s) <= limit {
		return s + "."
	}
	cut := strings.LastIndexByte(s[:limit], ' ')
	if cut < limit/2 {
		return s + "."
	}
	t := s[:cut]
	if chance(r, 0.5) {
		t += "..."
	}
	return t
}

// retitle replaces the subject line of a message.
func retitle(msg, subject string) string {
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		return subject + msg[i:]
	}
	return subject + "\n"
}

// plantMetadata carries an upstream commit with its exact diff (so the
// same patch-id) and no reference, but a tagged or truncated subject and
// the author a bot or the stable maintainer gives it.
func (d *downGen) plantMetadata() (bool, error) {
	return d.backportWith(KindExact, "", nil, func(obj *commitObj, e *Entry, u *ucommit) {
		sub := taggedSubject(d.r, u.subject, d.branchName())
		obj.message = retitle(upstreamMessage(u), sub)
		who := distroBot
		switch {
		case d.spec.kind == "vendor":
			who = vendorBot
		case chance(d.r, 0.5):
			who = pick(d.r, stableMaints)
		}
		obj.author, obj.authorTime = who, obj.commitTime-int64(d.r.Intn(3600))
		obj.committer = who
		e.Subject, e.Phenomenon = sub, PhMetadata
	})
}

// plantSubject carries an upstream commit reworked (context, partial or
// conflict) without reference, by an engineer, under a tagged or
// truncated subject: the subject is what says where it came from.
func (d *downGen) plantSubject() (bool, error) {
	kind := pick(d.r, []Kind{KindContext, KindPartial, KindConflict})
	return d.backportWith(kind, "", nil, func(obj *commitObj, e *Entry, u *ucommit) {
		sub := taggedSubject(d.r, u.subject, d.branchName())
		obj.message = retitle(obj.message, sub)
		obj.author, obj.authorTime = obj.committer, obj.commitTime-int64(d.r.Intn(86400))
		e.Subject, e.Phenomenon = sub, PhSubject
	})
}

// plantEvents adds the upstream commits the planted phenomena need more
// of than chance gives: reverts of commits after the downstreams' bases
// (a downstream revert pairs with them).
func (g *upstreamGen) plantEvents(r *rand.Rand, lo, hi int) {
	if !g.cfg.plant {
		return
	}
	n := g.cfg.upstream
	// Reverts after the distro base (a quarter in), half of them after
	// the vendor base too; a downstream needs the revert committed a while
	// before it reverts the backport.
	for i := 0; i < 40; i++ {
		at := max(lo, n/3) + r.Intn(max(1, hi-max(lo, n/3)))
		for g.events[at] != "" {
			at++
		}
		g.events[at] = "revert"
	}
	// Generated man pages from the start, then documentation changes each
	// followed by a bot's regeneration of the man page.
	at := n / 20
	for g.events[at] != "" {
		at++
	}
	g.events[at] = "man-init"
	// KUnit tests, each file with the same scaffolding.
	for i := 0; i < 30; i++ {
		at := n/10 + r.Intn(max(1, hi-n/10))
		for g.events[at] != "" {
			at++
		}
		g.events[at] = "kunit"
	}
	for i := 0; i < 48; i++ {
		at := lo + r.Intn(max(1, hi-lo))
		for g.events[at] != "" {
			at++
		}
		g.events[at] = "doc-regen"
	}
}

// plantRevertPair carries an upstream commit that upstream has since
// reverted, and then reverts the backport downstream: the downstream
// revert is the same change as the upstream revert and carries it.
func (d *downGen) plantRevertPair() (bool, error) {
	const lag = 7 * 86400
	var cand []*ucommit
	for _, i := range d.avail {
		c := d.up.commits[i]
		if c.revertedBy < 0 || d.carried[c.revertedBy] {
			continue
		}
		if r := d.up.commits[c.revertedBy]; r.obj.commitTime < d.clock-lag {
			cand = append(cand, c)
		}
	}
	if len(cand) == 0 {
		return false, nil
	}
	sort.Slice(cand, func(i, j int) bool { return cand[i].idx < cand[j].idx })
	u := pick(d.r, cand)
	ok, err := d.backportWith(KindExact, "", func() *ucommit { return u }, nil)
	if !ok || err != nil {
		return ok, err
	}
	d.tick()
	return d.revertCommit(d.commits[len(d.commits)-1], PhRevert)
}

// maxDownRenames: a downstream renames at most this many files itself.
const maxDownRenames = 3

// downPath is where the downstream keeps the file upstream calls p: the
// same path, the path the downstream renamed it to, or the path it had
// before upstream renamed it (when the downstream did not take that
// rename); "" when the downstream has no such file.
func (d *downGen) downPath(p string) string {
	if q, ok := d.renamedDown[p]; ok {
		return q
	}
	if d.root.get(p) != nil {
		return p
	}
	if d.upRenamed == nil {
		d.upRenamed = map[string][]string{}
		for _, c := range d.up.commits[d.base.idx+1:] {
			if c.change == nil || c.merge {
				continue
			}
			for _, f := range c.change.Files {
				if f.Op == opRename {
					d.upRenamed[f.Path] = append(d.upRenamed[f.Path], f.OldPath)
				}
			}
		}
	}
	for _, old := range d.upRenamed[p] {
		if d.root.get(old) != nil {
			return old
		}
	}
	return ""
}

// onRenamed maps ch's paths to the downstream's names; ok is false when a
// file has no downstream counterpart, and moved when some path differs.
func (d *downGen) onRenamed(ch *changeSet) (out *changeSet, moved, ok bool) {
	out = &changeSet{}
	for _, f := range ch.Files {
		if f.Op != opModify {
			return nil, false, false
		}
		q := d.downPath(f.Path)
		if q == "" {
			return nil, false, false
		}
		moved = moved || q != f.Path
		g := f
		g.Path = q
		out.Files = append(out.Files, g)
	}
	return out, moved, true
}

// plantRename carries an upstream commit onto a file the downstream calls
// by another name: renamed upstream after the fork, or by the downstream
// itself (which it does first, when no such file has upstream work
// waiting).
func (d *downGen) plantRename() (bool, error) {
	if d.renamedDown == nil {
		d.renamedDown = map[string]string{}
	}
	for pass := 0; pass < 2; pass++ {
		var cand []*ucommit
		for _, i := range d.avail {
			u := d.up.commits[i]
			if d.weight(u) == 0 {
				continue
			}
			if _, moved, ok := d.onRenamed(u.change); ok && moved {
				cand = append(cand, u)
			}
		}
		sort.Slice(cand, func(i, j int) bool { return cand[i].idx < cand[j].idx })
		for len(cand) > 0 {
			k := d.r.Intn(len(cand))
			u := cand[k]
			cand = append(cand[:k], cand[k+1:]...)
			ch, _, _ := d.onRenamed(u.change)
			res, ok := applyChange(d.root, ch, false)
			if !ok {
				continue
			}
			kind := KindContext
			obj, e := d.message(kind, "", u, nil, ch)
			if chance(d.r, 0.4) {
				// Taken as it is, author and message kept: only the
				// file's name differs.
				obj.message = upstreamMessage(u)
				obj.author, obj.authorTime = u.obj.author, u.obj.authorTime
			}
			e.Upstream, e.Phenomenon = []string{u.id.String()}, PhRename
			d.take(u.idx)
			return true, d.commit(res.root, []*changeSet{ch}, obj, e)
		}
		if pass > 0 || len(d.renamedDown) >= maxDownRenames {
			return false, nil
		}
		if ok, err := d.renameDownstream(); !ok || err != nil {
			return ok, err
		}
		d.tick()
	}
	return false, nil
}

// renameDownstream renames, downstream only, the C file that the most
// waiting upstream commits change.
func (d *downGen) renameDownstream() (bool, error) {
	hot := map[string]int{}
	for _, i := range d.avail {
		u := d.up.commits[i]
		if d.weight(u) == 0 || !allModify(u.change) {
			continue
		}
		for _, f := range u.change.Files {
			if strings.HasSuffix(f.Path, ".c") && d.root.get(f.Path) != nil {
				hot[f.Path]++
			}
		}
	}
	best, n := "", 1
	for p, c := range hot {
		if c > n || c == n && best != "" && p < best {
			best, n = p, c
		}
	}
	if best == "" {
		return false, nil
	}
	base := best[strings.LastIndex(best, "/")+1:]
	to := best[:len(best)-len(base)] + strings.TrimSuffix(base, ".c") + pick(d.r, []string{"_main.c", "_core.c", "_compat.c"})
	if d.root.get(to) != nil {
		return false, nil
	}
	ch := &changeSet{Files: []fileChange{{Op: opRename, Path: to, OldPath: best}}}
	res, ok := applyChange(d.root, ch, true)
	if !ok {
		return false, nil
	}
	a := areaOfPath(best)
	if a == nil {
		return false, nil
	}
	eng := d.engineer("")
	obj := commitObj{author: eng, authorTime: d.clock, committer: eng, commitTime: d.clock}
	subject := joinSubject(prefixFor(d.r, a, best), fmt.Sprintf("Rename %s to %s", base, to[strings.LastIndex(to, "/")+1:]))
	body := "Keep this tree's compat code apart from the file upstream changes, so that backports\nshow what they change.\n\n"
	if d.spec.kind == "distro" {
		body = jira(d.r) + "Upstream Status: RHEL-only\n\n" + body
	}
	obj.message = subject + "\n\n" + body + sob(eng)
	for up, down := range d.renamedDown {
		if down == best {
			d.renamedDown[up] = to
		}
	}
	d.renamedDown[best] = to
	return true, d.commit(res.root, []*changeSet{ch}, obj, Entry{Kind: KindRename, Subject: subject})
}

// plantProse carries an upstream commit reworked, by an engineer, under a
// subject of the downstream's own, with the reference written in prose
// (partial backports say so), as vendor and distro engineers write it when
// no tool adds a trailer.
func (d *downGen) plantProse() (bool, error) {
	kind := pick(d.r, []Kind{KindPartial, KindPartial, KindContext, KindConflict})
	return d.backportWith(kind, "", nil, func(obj *commitObj, e *Entry, u *ucommit) {
		id := u.id.String()
		if chance(d.r, 0.4) {
			id = id[:12]
		}
		var line string
		e.Trailer = srctrailers.Prose
		if kind == KindPartial {
			line = pick(d.r, []string{
				"Partially cherry-picked from commit %s.",
				"(partial backport of %s)",
				"This is an extract of upstream commit %s: the rest does not apply here.",
			})
		} else {
			line = pick(d.r, []string{
				"This is a backport of upstream commit %s.",
				"Based on upstream commit %s, adjusted to this tree's helpers.",
				"Upstream: %s",
				"Upstream-commit: %s",
			})
			if strings.HasPrefix(line, "Upstream-commit:") {
				e.Trailer = change.RHELCommit
			}
		}
		sub := u.subject
		if chance(d.r, 0.5) {
			// A title of the downstream's own: only the reference says
			// where the change came from.
			sub = joinSubject(strings.SplitN(u.subject, ":", 2)[0], pick(d.r, []string{
				"fix from upstream for " + d.branchName(), "backport a fix", "sync with upstream", "stability fix"}))
		}
		msg := retitle(obj.message, sub)
		if i := strings.Index(msg, "\n\n"); i >= 0 {
			msg = msg[:i+2] + fmt.Sprintf(line, id) + "\n\n" + msg[i+2:]
		}
		obj.message = msg
		obj.author, obj.authorTime = obj.committer, obj.commitTime-int64(d.r.Intn(86400))
		e.Subject, e.Phenomenon = sub, PhProse
	})
}

// Release engineering (issue 13, phenomenon 6). Upstream updates its
// release notes before each release; a downstream updates the same file
// and its version on each of its own releases, listing the backports the
// release brings, whose subjects upstream's notes list too. The same
// people write both (a release manager who works upstream and on a
// branch), as on libfabric's and rdma-core's release branches.

const pathNews = "Documentation/infiniband/NEWS.rst"

// newsAuthors write upstream's release notes: a developer, and the
// distro's and the vendor's release managers.
var newsAuthors = []person{developers[0], rhelEngineers[0], vendorEngineers[4]}

// news commits upstream's release notes for release name: the RDMA fixes
// since the previous notes.
func (g *upstreamGen) news(name string) error {
	var items []string
	var listed []int
	for i := len(g.commits) - 1; i >= 0 && len(items) < 12; i-- {
		c := g.commits[i]
		if c.release != "" || c.lists != nil {
			break
		}
		if c.onMaster && c.isFix && c.backportable() && c.reverts < 0 {
			items = append(items, "- "+c.subject)
			listed = append(listed, i)
		}
	}
	section := append([]string{name, strings.Repeat("=", len(name)), ""}, items...)
	section = append(section, "")
	var ch *changeSet
	if f := g.root.get(pathNews); f == nil {
		ch = &changeSet{Files: []fileChange{{Op: opCreate, Path: pathNews, Lines: section, Mode: modeFile}}}
	} else {
		ch = &changeSet{Files: []fileChange{{Op: opModify, Path: pathNews, Hunks: []hunk{mkHunk(f.lines, 0, 0, section)}}}}
	}
	res, ok := applyChange(g.root, ch, true)
	if !ok {
		return fmt.Errorf("upstream: release notes for %s do not apply", name)
	}
	au := newsAuthors[len(g.tags)%len(newsAuthors)]
	t := g.tick()
	c := &ucommit{reverts: -1, revertedBy: -1, change: ch, area: areaByName("docs"), subject: "NEWS: Update for " + name, lists: append(listed, -1)}
	c.body = wrap("List the fixes of this release for the distributions and vendors that follow it.") + "\n\n" + sob(au) + sob(releaser)
	c.obj = commitObj{parents: []oid{g.tip}, author: au, authorTime: t, committer: releaser, commitTime: t}
	if err := g.writeCommit(c, res.root); err != nil {
		return err
	}
	g.add(c)
	g.advance(false, c, res.root)
	return nil
}

// plantRelease writes a downstream release: the fixes its release
// manager takes from the upstream release notes they wrote last, then its
// version bumped and its notes listing the backports since its previous
// release.
func (d *downGen) plantRelease() (bool, error) {
	eng := rhelEngineers[0]
	if d.spec.kind == "vendor" {
		eng = vendorEngineers[4]
	}
	const lag = 2 * 86400
	for i := d.nextUp - 1; i > d.base.idx; i-- {
		c := d.up.commits[i]
		if c.lists == nil || c.obj.author != eng || c.obj.commitTime > d.clock-lag {
			continue
		}
		taken := 0
		for _, j := range c.lists {
			if j < 0 || taken >= 6 || d.where[j] < 0 || d.weight(d.up.commits[j]) == 0 {
				continue
			}
			u := d.up.commits[j]
			if ok, err := d.backportWith(KindExact, "", func() *ucommit { return u }, nil); err != nil {
				return false, err
			} else if ok {
				taken++
				d.tick()
			}
		}
		break
	}
	news := d.root.get(pathNews)
	mk := d.root.get(pathMakefile)
	if news == nil || mk == nil {
		return false, nil
	}
	var items []string
	for i := len(d.commits) - 1; i >= 0 && len(items) < 12; i-- {
		e := d.commits[i].entry
		if e.Kind == KindRelease {
			break
		}
		if len(e.Upstream) == 1 && e.RevertedBy == "" && e.Kind != KindRevert {
			items = append(items, "- "+d.up.commits[d.upstreamIndex(e.Upstream[0])].subject)
		}
	}
	if len(items) < 3 {
		return false, nil
	}
	at := -1
	for i, l := range mk.lines {
		if strings.HasPrefix(l, "SUBLEVEL = ") {
			at = i
		}
	}
	if at < 0 {
		return false, nil
	}
	d.releases++
	var name, subject, verLine string
	if d.spec.kind == "vendor" {
		name = fmt.Sprintf("MLNX_OFED 23.04-%d", d.releases)
		subject = fmt.Sprintf("NEWS: Update for MLNX_OFED 23.04-%d", d.releases)
		verLine = fmt.Sprintf("SUBLEVEL = %d", 100+d.releases)
	} else {
		name = fmt.Sprintf("5.14.%d", d.releases)
		subject = fmt.Sprintf("Release %s: update NEWS and SUBLEVEL", name)
		verLine = fmt.Sprintf("SUBLEVEL = %d", d.releases)
	}
	section := append([]string{name, strings.Repeat("=", len(name)), ""}, items...)
	section = append(section, "")
	ch := &changeSet{Files: []fileChange{
		{Op: opModify, Path: pathMakefile, Hunks: []hunk{mkHunk(mk.lines, at, 1, []string{verLine})}},
		{Op: opModify, Path: pathNews, Hunks: []hunk{mkHunk(news.lines, 0, 0, section)}},
	}}
	res, ok := applyChange(d.root, ch, true)
	if !ok {
		return false, nil
	}
	obj := commitObj{author: eng, authorTime: d.clock, committer: eng, commitTime: d.clock}
	obj.message = subject + "\n\n" + wrap("Bump the version and list the fixes this release brings.") + "\n\n" + sob(eng)
	return true, d.commit(res.root, []*changeSet{ch}, obj, Entry{Kind: KindRelease, Subject: subject, Phenomenon: PhRelease})
}

// upstreamIndex is the index of the upstream commit id names.
func (d *downGen) upstreamIndex(id string) int {
	d.upstreamRevertOf(nil) // builds upIdx
	return d.upIdx[id]
}

// Regenerated files (issue 13, phenomenon 7). Upstream keeps man pages
// generated from the documentation's reStructuredText; a bot regenerates
// one after each change of its source. A downstream that backports the
// source change regenerates it with its own bot: the same generated lines,
// but its own date and version in the header.

// manSources are the documents that have a generated man page.
var manSources = []string{"Documentation/infiniband/ipoib.rst", "Documentation/infiniband/userspace-verbs.rst",
	"Documentation/infiniband/core_locking.rst", "Documentation/infiniband/sysfs.rst"}

var (
	docsBot       = mk("RDMA Docs Bot", "docs-bot@example.org", 0)
	distroDocsBot = mk("CKI Docs Bot", "cki-docs-bot@redhat.com", 0)
	vendorDocsBot = mk("ofed-docs", "ofed-docs@nvidia.com", 120)
)

// manPath is the generated man page of a source document.
func manPath(src string) string {
	base := src[strings.LastIndexByte(src, '/')+1:]
	return "Documentation/infiniband/man/" + strings.TrimSuffix(base, ".rst") + ".7"
}

// generatedPath says whether p is a generated file.
func generatedPath(p string) bool {
	return strings.HasPrefix(p, "Documentation/infiniband/man/")
}

// manPage generates the man page of a source document: a header with the
// date and version it was made for, then the text.
func manPage(src string, lines []string, date, version string) []string {
	name := strings.ToUpper(strings.TrimSuffix(src[strings.LastIndexByte(src, '/')+1:], ".rst"))
	out := []string{`.\" Generated from ` + src + `; do not edit.`, fmt.Sprintf(`.TH %s 7 "%s" "%s"`, name, date, version)}
	for _, l := range lines {
		switch {
		case l == "":
			out = append(out, ".PP")
		case strings.HasPrefix(l, "==="), strings.HasPrefix(l, "---"):
			out = append(out, ".SH")
		default:
			out = append(out, strings.ReplaceAll(l, "-", `\-`))
		}
	}
	return out
}

// regenerate is the change that brings the man page of src in root up to
// date for date and version; ok is false when it is (or src is missing).
func regenerate(root *dir, src, date, version string) (*changeSet, bool) {
	f, m := root.get(src), root.get(manPath(src))
	if f == nil {
		return nil, false
	}
	page := manPage(src, f.lines, date, version)
	if m == nil {
		return &changeSet{Files: []fileChange{{Op: opCreate, Path: manPath(src), Lines: page, Mode: modeFile}}}, true
	}
	// The header (line 1) changes every time; the text where the source
	// changed. As git does, one hunk when the two are close, else two.
	old, body := m.lines[2:], page[2:]
	p := 0
	for p < len(old) && p < len(body) && old[p] == body[p] {
		p++
	}
	q := 0
	for q < len(old)-p && q < len(body)-p && old[len(old)-1-q] == body[len(body)-1-q] {
		q++
	}
	header := page[1]
	var hunks []hunk
	switch {
	case p == len(old) && p == len(body):
		if m.lines[1] == header {
			return nil, false
		}
		hunks = []hunk{mkHunk(m.lines, 1, 1, []string{header})}
	case p <= 2*ctxLines:
		add := append(append([]string{header}, old[:p]...), body[p:len(body)-q]...)
		hunks = []hunk{mkHunk(m.lines, 1, 1+len(old)-q, add)}
	default:
		hunks = []hunk{mkHunk(m.lines, 1, 1, []string{header}), mkHunk(m.lines, 2+p, len(old)-p-q, clone(body[p:len(body)-q]))}
	}
	return &changeSet{Files: []fileChange{{Op: opModify, Path: manPath(src), Hunks: hunks}}}, true
}

// upVersion is the version upstream's generated files name: its latest
// release.
func (g *upstreamGen) upVersion() string {
	if len(g.tags) == 0 {
		return "Linux 5.9"
	}
	r := g.tags[len(g.tags)-1].name
	return "Linux " + strings.TrimPrefix(r, "v")
}

// manInit adds the generated man pages.
func (g *upstreamGen) manInit() (bool, error) {
	ch := &changeSet{}
	for _, src := range manSources {
		if c, ok := regenerate(g.root, src, fmtDay(g.clock), g.upVersion()); ok {
			ch.Files = append(ch.Files, c.Files...)
		}
	}
	if len(ch.Files) == 0 {
		return false, nil
	}
	return true, g.botCommit(ch, "Documentation: infiniband: Add generated man pages", nil)
}

// botCommit writes a docs bot's commit on master.
func (g *upstreamGen) botCommit(ch *changeSet, subject string, regenOf *ucommit) error {
	res, ok := applyChange(g.root, ch, true)
	if !ok {
		return fmt.Errorf("upstream: %s does not apply", subject)
	}
	t := g.tick()
	c := &ucommit{reverts: -1, revertedBy: -1, change: ch, area: areaByName("docs"), subject: subject}
	c.body = "Generated by the docs bot"
	if regenOf != nil {
		c.body += " after " + regenOf.id.short() + " (\"" + regenOf.subject + "\")"
		regenOf.regen = len(g.commits)
	}
	c.body += ".\n\n" + sob(docsBot)
	c.obj = commitObj{parents: []oid{g.tip}, author: docsBot, authorTime: t, committer: docsBot, commitTime: t}
	if err := g.writeCommit(c, res.root); err != nil {
		return err
	}
	g.add(c)
	g.advance(false, c, res.root)
	return nil
}

// docRegen changes a source document and has the bot regenerate its man
// page.
func (g *upstreamGen) docRegen() (bool, error) {
	if g.topic != nil && g.topic.area.name == "docs" {
		return false, nil
	}
	src := pick(g.r, manSources)
	f := g.root.get(src)
	if f == nil || g.root.get(manPath(src)) == nil {
		return false, nil
	}
	a := areaByName("docs")
	e, ok := (code{r: g.r, a: a}).editText(f.lines)
	if !ok {
		return false, nil
	}
	ch := &changeSet{Files: []fileChange{{Op: opModify, Path: src, Hunks: e.hunks}}}
	res, ok := applyChange(g.root, ch, true)
	if !ok {
		return false, nil
	}
	if rc, ok := regenerate(res.root, src, "", ""); !ok || len(rc.Files[0].Hunks) == 1 && len(rc.Files[0].Hunks[0].Add) == 1 {
		return false, nil // the generated text would not change: no change worth regenerating
	}
	au := g.author(a)
	t := g.tick()
	c := &ucommit{reverts: -1, revertedBy: -1, area: a, change: ch, regen: -1,
		subject: joinSubject("Documentation: infiniband", fill(e.what, e.fn)+" in "+src[strings.LastIndexByte(src, '/')+1:])}
	c.obj = commitObj{parents: []oid{g.tip}, author: au, authorTime: t, committer: g.maintainer(a), commitTime: t + g.step/4}
	c.body = wrap(fill(e.why, e.fn)) + "\n\n" + sob(au) + sob(c.obj.committer)
	if err := g.writeCommit(c, res.root); err != nil {
		return false, err
	}
	g.add(c)
	g.advance(false, c, res.root)
	rc, ok := regenerate(g.root, src, fmtDay(g.clock), g.upVersion())
	if !ok {
		return true, nil
	}
	return true, g.botCommit(rc, "Documentation: infiniband: Regenerate man pages", c)
}

// plantRegenerated backports an upstream documentation change and has the
// downstream's bot regenerate the man page: it carries the upstream
// regeneration of the same change.
func (d *downGen) plantRegenerated() (bool, error) {
	const lag = 2 * 86400
	var cand []*ucommit
	for _, c := range d.up.commits[d.base.idx+1 : d.nextUp] {
		if c.regen > 0 && !d.carried[c.idx] && !d.carried[c.regen] && d.up.commits[c.regen].obj.commitTime < d.clock-lag {
			cand = append(cand, c)
		}
	}
	for len(cand) > 0 {
		k := d.r.Intn(len(cand))
		u := cand[k]
		cand = append(cand[:k], cand[k+1:]...)
		res, ok := applyChange(d.root, u.change, true)
		if !ok {
			continue
		}
		src := u.change.Files[0].Path
		obj, e := d.message(KindExact, "", u, nil, u.change)
		e.Upstream = []string{u.id.String()}
		d.take(u.idx)
		if err := d.commit(res.root, []*changeSet{u.change}, obj, e); err != nil {
			return false, err
		}
		d.tick()
		bot, version := distroDocsBot, fmt.Sprintf("Linux 5.14.0-%d.el9", 70+len(d.commits))
		if d.spec.kind == "vendor" {
			bot, version = vendorDocsBot, "MLNX_OFED 23.04"
		}
		rc, ok := regenerate(d.root, src, fmtDay(d.clock), version)
		if !ok {
			return true, nil
		}
		r2, ok := applyChange(d.root, rc, true)
		if !ok {
			return true, nil
		}
		r := d.up.commits[u.regen]
		obj = commitObj{author: bot, authorTime: d.clock, committer: bot, commitTime: d.clock}
		obj.message = "Documentation: infiniband: Regenerate man pages\n\nGenerated by this tree's docs bot.\n\n" + sob(bot)
		d.take(r.idx)
		return true, d.commit(r2.root, []*changeSet{rc}, obj, Entry{Kind: KindRegenerated, Upstream: []string{r.id.String()},
			Subject: "Documentation: infiniband: Regenerate man pages", Phenomenon: PhRegenerated})
	}
	return false, nil
}

// Twins older than the base (issue 13, phenomenon 8). A branch that
// merges upstream now and then (a Debian packaging branch, a vendor
// branch that syncs) carries copies of upstream commits made before it
// merged the release that has them: after the merge, its base is that
// release, and the copies are equal to upstream commits older than the
// base. Cherry-picked in another order than upstream's, some apply with
// another context (another patch-id, the same lines).

// plantTwins forks the branch at spec.forkTag, carries commits of the
// next release out of order, then merges spec.baseTag; the branch goes on
// from there.
func (d *downGen) plantTwins() error {
	fork, base := d.up.snaps[d.spec.forkTag], d.up.snaps[d.spec.baseTag]
	var cand []*ucommit
	for _, c := range d.up.commits[fork.idx+1 : base.idx+1] {
		if c.onMaster && c.backportable() && allModify(c.change) && c.reverts < 0 &&
			(c.revertedBy < 0 || c.revertedBy > base.idx) {
			cand = append(cand, c)
		}
	}
	// A sample, a third of it commits whose context differs on the fork
	// (an earlier upstream commit the branch does not take changed lines
	// next to them), in upstream's order but for later commits of a file
	// taken before earlier ones of it.
	n := d.spec.plant[PhTwin]
	d.r.Shuffle(len(cand), func(i, j int) { cand[i], cand[j] = cand[j], cand[i] })
	var shifted, plain []*ucommit
	for _, c := range cand {
		if _, exact := applyChange(d.root, c.change, true); exact {
			plain = append(plain, c)
		} else if _, ok := applyChange(d.root, c.change, false); ok {
			shifted = append(shifted, c)
		}
	}
	k := min(len(shifted), n/3)
	cand = append(shifted[:k:k], plain[:min(len(plain), 2*n-k)]...)
	sort.Slice(cand, func(i, j int) bool { return cand[i].idx < cand[j].idx })
	for i := 0; i+1 < len(cand); i++ {
		if sharesPath(cand[i].change, cand[i+1].change) && chance(d.r, 0.7) {
			cand[i], cand[i+1] = cand[i+1], cand[i]
			i++
		}
	}
	end := d.up.commits[base.idx].obj.commitTime
	merged := base.root // the merge's tree: upstream's release and the branch's own changes
	diverge := max(3, n/4)
	for _, u := range cand {
		if n == 0 {
			break
		}
		if diverge > 0 {
			// The branch changed a line next to where u applies first:
			// u goes on with another context (another patch-id).
			onMerged := func(ch *changeSet, _ *dir) (*dir, bool) {
				m, ok := applyChange(merged, ch, false)
				return m.root, ok
			}
			if only, root, ok := d.contextChange(u, onMerged); ok {
				if r, ok := applyChange(only.root, u.change, false); ok && r.fuzzy > 0 {
					if err := d.writeOnly(only.area, only.path, only.e, only.ch, only.root); err != nil {
						return err
					}
					merged = root
					diverge--
				}
			}
		}
		res, ok := applyChange(d.root, u.change, false)
		if !ok {
			continue
		}
		d.clock = max(d.clock, u.obj.commitTime) + 3600 + d.r.Int63n(86400)
		kind := KindExact
		if res.fuzzy > 0 {
			kind = KindContext
		}
		// A plain cherry-pick without -x: the message and author kept.
		obj := commitObj{author: u.obj.author, authorTime: u.obj.authorTime, committer: pick(d.r, vendorEngineers), commitTime: d.clock,
			message: upstreamMessage(u)}
		e := Entry{Kind: kind, Upstream: []string{u.id.String()}, Subject: u.subject, Phenomenon: PhTwin}
		d.carried[u.idx] = true
		if err := d.commit(res.root, []*changeSet{u.change}, obj, e); err != nil {
			return err
		}
		n--
	}
	// The merge: upstream's release, which has every commit carried.
	eng := pick(d.r, vendorEngineers)
	d.clock = max(d.clock, end) + 86400
	obj := commitObj{parents: []oid{d.tip, d.up.commits[base.idx].id}, author: eng, authorTime: d.clock, committer: eng, commitTime: d.clock,
		message: fmt.Sprintf("Merge tag '%s' into %s\n\nSync with upstream %s.\n\n%s", d.spec.baseTag, d.spec.branch, d.spec.baseTag, sob(eng))}
	tree, err := d.pw.putTree(merged)
	if err != nil {
		return err
	}
	obj.tree = tree
	id, err := d.pw.put(objCommit, obj.encode())
	if err != nil {
		return err
	}
	d.merges = append(d.merges, id.String())
	d.root, d.tip = merged, id
	// What the release has is no longer to be backported.
	for i := fork.idx + 1; i <= base.idx; i++ {
		d.take(i)
	}
	d.nextUp = max(d.nextUp, base.idx+1)
	return nil
}

// plantedCommits is about how many commits after the base the planted
// phenomena add to a downstream (a revert pair and a regeneration are two,
// a release takes a few fixes first).
func plantedCommits(plant map[Phenomenon]int) int {
	n := 0
	for p, k := range plant {
		switch p {
		case PhTwin:
		case PhRevert, PhRegenerated:
			n += 2 * k
		case PhRelease:
			n += 4 * k
		default:
			n += k
		}
	}
	return n
}

// Copy-paste boilerplate (issue 13, phenomenon 10). KUnit test files
// share their scaffolding (license, includes, init function, suite
// declaration); the people who write them upstream write the vendor's and
// the distro's own tests too, copying it. Only the test itself differs.

const kunitDir = "drivers/infiniband/core/kunit/"

// kunitAuthors write KUnit tests upstream and downstream.
func kunitAuthors(domain string) []person {
	var out []person
	for _, p := range developers {
		if strings.HasSuffix(p.email, "@"+domain) {
			out = append(out, p)
		}
	}
	return out
}

// kunitFile is a KUnit test file of name testing fn on noun.
func kunitFile(c code, name, fn, noun string) []string {
	out := []string{"// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB", "/*",
		" * Copyright (c) 2023, NVIDIA CORPORATION & AFFILIATES. All rights reserved.", " */", "",
		"#include <kunit/test.h>", "#include <rdma/ib_verbs.h>", "#include \"../core_priv.h\"", "",
		"static int rdma_kunit_init(struct kunit *test)", "{",
		"\ttest->priv = kunit_kzalloc(test, sizeof(struct ib_device), GFP_KERNEL);",
		"\treturn test->priv ? 0 : -ENOMEM;", "}", "",
		fmt.Sprintf("static void %s(struct kunit *test)", fn), "{",
		"\tstruct ib_device *dev = test->priv;", ""}
	for i := 0; i < 2+c.r.Intn(3); i++ {
		f := c.field()
		out = append(out, fmt.Sprintf("\tKUNIT_EXPECT_EQ(test, %s(dev, %d), %s);", c.a.ident+"_"+noun+"_get_"+f, c.r.Intn(8), pick(c.r, errCodes)))
	}
	out = append(out, "}", "",
		fmt.Sprintf("static struct kunit_case %s_cases[] = {", name), fmt.Sprintf("\tKUNIT_CASE(%s),", fn), "\t{}", "};", "",
		fmt.Sprintf("static struct kunit_suite %s_suite = {", name), fmt.Sprintf("\t.name = \"%s\",", name),
		"\t.init = rdma_kunit_init,", fmt.Sprintf("\t.test_cases = %s_cases,", name), "};", "",
		fmt.Sprintf("kunit_test_suite(%s_suite);", name), "", "MODULE_LICENSE(\"Dual BSD/GPL\");")
	return out
}

// kunitTest adds an upstream KUnit test.
func (g *upstreamGen) kunitTest() (bool, error) {
	a := areaByName("core")
	if g.topic != nil && g.topic.area == a {
		return false, nil
	}
	c := code{r: g.r, a: a}
	noun, verb := c.noun(), c.verb()
	name := "rdma_" + noun + "_" + verb
	path := kunitDir + noun + "_" + verb + "_test.c"
	if g.root.get(path) != nil {
		return false, nil
	}
	ch := &changeSet{Files: []fileChange{{Op: opCreate, Path: path, Mode: modeFile, Lines: kunitFile(c, name, "rdma_test_"+noun+"_"+verb, noun)}}}
	res, ok := applyChange(g.root, ch, true)
	if !ok {
		return false, nil
	}
	au := pick(g.r, append(kunitAuthors("nvidia.com")[:4], kunitAuthors("redhat.com")...))
	t := g.tick()
	u := &ucommit{reverts: -1, revertedBy: -1, area: a, change: ch, subject: fmt.Sprintf("RDMA/core: Add KUnit test for %s %s", noun, verb)}
	u.obj = commitObj{parents: []oid{g.tip}, author: au, authorTime: t, committer: g.maintainer(a), commitTime: t + g.step/4}
	u.body = wrap(fmt.Sprintf("Cover %s() of the %s code with a KUnit test, so that regressions show in CI.", verb, noun)) + "\n\n" +
		"Link: " + g.link(t, au) + "\n" + sob(au) + sob(u.obj.committer)
	if err := g.writeCommit(u, res.root); err != nil {
		return false, err
	}
	g.add(u)
	g.advance(false, u, res.root)
	return true, nil
}

// plantBoilerplate adds a downstream-only KUnit test, by someone who
// writes them upstream too: its scaffolding is upstream's, line for line.
func (d *downGen) plantBoilerplate() (bool, error) {
	a := areaByName("core")
	c := code{r: d.r, a: a}
	noun, field := c.noun(), c.field()
	var path, name, subject, body string
	var au person
	if d.spec.kind == "vendor" {
		au = pick(d.r, kunitAuthors("nvidia.com")[:4])
		name = "mlnx_" + noun + "_" + field
		subject = fmt.Sprintf("RDMA/core: Add a KUnit test for the %s %s of ConnectX-8", noun, field)
		body = wrap("Test the values the ConnectX-8 firmware of this release reports.") + "\n\n" +
			fmt.Sprintf("Issue: %d\nChange-Id: %s\n", 3000000+d.r.Intn(900000), changeID(d.r))
	} else {
		au = pick(d.r, kunitAuthors("redhat.com"))
		name = "rhel_" + noun + "_" + field
		subject = fmt.Sprintf("RDMA/core: Add a KUnit test for the %s %s defaults", noun, field)
		body = jira(d.r) + "Upstream Status: RHEL-only\n\n" + wrap("Test the defaults this release ships.") + "\n\n"
	}
	path = kunitDir + name + "_test.c"
	if d.root.get(path) != nil {
		return false, nil
	}
	ch := &changeSet{Files: []fileChange{{Op: opCreate, Path: path, Mode: modeFile, Lines: kunitFile(c, name, "test_"+name, noun)}}}
	res, ok := applyChange(d.root, ch, true)
	if !ok {
		return false, nil
	}
	obj := commitObj{author: au, authorTime: d.clock - int64(d.r.Intn(86400)), committer: d.engineer(""), commitTime: d.clock,
		message: subject + "\n\n" + body + sob(au)}
	return true, d.commit(res.root, []*changeSet{ch}, obj, Entry{Kind: KindDownstreamOnly, Subject: subject, Phenomenon: PhBoilerplate})
}

// branchChange is a change of the branch's own, about to be committed.
type branchChange struct {
	area *area
	path string
	e    edit
	ch   *changeSet
	root *dir // the branch's tree with it
}

// contextChange makes a change of the branch's own to a line next to
// where upstream commit u's first hunk applies (outside the lines a fuzzy
// apply needs). It tries the lines in turn and keeps the first change
// that accept takes: accept gets the change and the branch's tree with it,
// and returns the tree the caller goes on with.
func (d *downGen) contextChange(u *ucommit, accept func(ch *changeSet, withIt *dir) (*dir, bool)) (branchChange, *dir, bool) {
	fc := u.change.Files[0]
	h := fc.Hunks[0]
	f := d.root.get(fc.Path)
	if f == nil {
		return branchChange{}, nil, false
	}
	pos, fit := locate(f.lines, h)
	if fit != fitExact {
		return branchChange{}, nil, false
	}
	a := areaOfPath(fc.Path)
	if a == nil {
		a = u.area
	}
	cd := code{r: d.r, a: a}
	var cand []int
	if len(h.Before) == ctxLines {
		cand = append(cand, pos-3, pos-2)
	}
	if len(h.After) == ctxLines {
		cand = append(cand, pos+len(h.Del)+1, pos+len(h.Del)+2)
	}
	for _, at := range cand {
		nl, what, ok := cd.mutate(f.lines[at])
		if !ok {
			continue
		}
		fn := "this"
		if sp := spanOf(funcSpans(f.lines), at); sp != nil {
			fn = sp.name
		}
		e := edit{fn: fn, what: what, why: "Adjust %s() for the hardware and firmware this release supports.",
			hunks: []hunk{mkHunk(f.lines, at, 1, []string{nl})}}
		if !uniqueHunk(f.lines, e.hunks[0]) {
			continue
		}
		ch := &changeSet{Files: []fileChange{{Op: opModify, Path: fc.Path, Hunks: e.hunks}}}
		if d.duplicatesUpstream(ch) {
			continue
		}
		r1, ok := applyChange(d.root, ch, true)
		if !ok {
			continue
		}
		next, ok := accept(ch, r1.root)
		if !ok {
			continue
		}
		return branchChange{area: a, path: fc.Path, e: e, ch: ch, root: r1.root}, next, true
	}
	return branchChange{}, nil, false
}
