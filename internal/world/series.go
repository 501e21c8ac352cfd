package world

import (
	"fmt"
	"math/rand"
	"path/filepath"
	"sort"
	"strings"
)

// The SUSE kernel-source tree: sles/series.conf and sles/patches.suse/,
// exported from the distro repository's commits after its base. Each patch
// is the commit's diff exactly (the same `git patch-id --stable`) under
// SUSE's headers: Patch-mainline:, Git-commit: and References:. Backports
// name the first release that contains their upstream commit (or say they
// are queued, for a commit in no release yet), most with a Git-commit: (a
// partial backport says so) and some without, so that matching must work
// by diff. Downstream-only patches say Never, No or Submitted; a planted
// conflict claims a release although no upstream commit matches.
//
// The series applies to the base tag in its order: a commit is exported
// only when every earlier distro commit touching its files was exported
// and goes before it in series.conf (which sorts mainline backports by
// upstream order, as SUSE's series_sort does).

// seriesOut is an exported series: its truth and what it posts.
type seriesOut struct {
	truth SeriesInfo
	posts []*slesPost
}

// slesPost is a SUSE patch marked Submitted, posted to the list.
type slesPost struct {
	path    string
	subject string
	author  person
	when    int64
	body    string // the message: prose and Signed-off-by
	p       *patch
	index   int // in truth.Patches
}

// slesPatch is a distro commit chosen for the series.
type slesPatch struct {
	e        Entry
	p        *patch
	group    int   // 0 sorted mainline, 1 queued, 2 out-of-tree, 3 SUSE-specific
	order    int64 // position in series.conf
	header   string
	status   string
	release  string
	commits  []string
	partial  bool
	conflict bool
	guard    string
	post     *slesPost
	name     string
}

// Section headers of series.conf, in order.
const (
	slesGroupSorted = iota
	slesGroupQueued
	slesGroupOutOfTree
	slesGroupSUSE
)

// conflictRelease is the release a planted conflict claims.
const conflictRelease = "v6.2"

// queuedHeader is the Patch-mainline: value of a patch taken from a
// maintainer's tree; slesMinQueued is how many patches at least say it.
const (
	queuedHeader  = "Queued in subsystem maintainer repository"
	slesMinQueued = 2
)

// The fates of distro-only patches, in turn from a random start.
var slesFates = []string{"submitted", "never", "submitted", "no"}

var neverReasons = []string{"SLES-specific", "SLE-specific kABI workaround", "SUSE-specific default", "SLES-specific, handled by the installer"}
var noReasons = []string{"needs rework before submission", "out-of-tree driver feature", "not suitable for upstream in this form"}

func (x *extras) buildSLES(r *rand.Rand) error {
	ds := x.truth.Downstream(distroName)
	target := min(x.cfg.series, len(ds.Commits)*2/5)
	conflictAt := x.upPos[x.tagCommit(conflictRelease)]
	dirty := map[string]bool{}
	last := map[string]int64{}
	var picked []*slesPatch
	conflicts, fate := 0, r.Intn(len(slesFates))
	for i, e := range ds.Commits {
		if len(picked) >= target {
			break
		}
		paths := x.rhel.g.commits[i].paths
		sp := &slesPatch{e: e}
		ok := e.Kind != KindRevert && e.Kind != KindBinary && e.RevertedBy == "" && chance(r, 0.85)
		switch {
		case !ok:
		case len(e.Upstream) > 0:
			sp.release = x.release(e.Upstream)
			sp.status, sp.header, sp.group = "mainline", sp.release, slesGroupSorted
			if sp.release == "" {
				sp.header, sp.group = queuedHeader, slesGroupQueued
			}
			sp.order = int64(x.upPos[e.Upstream[0]])
			sp.partial = e.Kind == KindPartial || e.Kind == KindSplit
			if !chance(r, 0.2) {
				sp.commits = e.Upstream
			}
		case conflicts < x.cfg.conflicts && len(picked) >= target/4:
			sp.conflict, sp.status, sp.header, sp.group = true, "unknown", conflictRelease, slesGroupSorted
			sp.order = int64(conflictAt)
		default:
			sp.group, sp.order = slesGroupOutOfTree, int64(i)
			switch slesFates[fate%len(slesFates)] {
			case "submitted":
				sp.status = "submitted"
			case "never":
				sp.status, sp.group = "never", slesGroupSUSE
				sp.header = "Never, " + pick(r, neverReasons)
			default:
				sp.status, sp.header = "never", "No, "+pick(r, noReasons)
			}
			fate++
		}
		sp.order += int64(sp.group) << 40
		for _, f := range paths {
			if dirty[f] || last[f] > sp.order {
				ok = false
			}
		}
		if ok {
			sp.p = x.rhel.read(i)
			ok = sp.p != nil && sp.p.exportable()
		}
		if !ok {
			for _, f := range paths {
				dirty[f] = true
			}
			continue
		}
		if sp.conflict {
			conflicts++
		}
		for _, f := range paths {
			last[f] = sp.order
		}
		picked = append(picked, sp)
	}
	sort.SliceStable(picked, func(i, j int) bool { return picked[i].order < picked[j].order })
	// A SUSE header can lag behind: a backport taken from the maintainer's
	// tree still says it is queued after its release. Make sure a few do,
	// taking the last mainline backports whose files no patch they would
	// now go after touches (so that the series still applies).
	queued := 0
	for _, sp := range picked {
		if sp.group == slesGroupQueued {
			queued++
		}
	}
	after := map[string]bool{}
	for k := len(picked) - 1; k >= 0 && queued < slesMinQueued; k-- {
		sp := picked[k]
		if sp.group > slesGroupSorted {
			continue
		}
		free := !sp.conflict
		for _, f := range sp.p.paths() {
			free = free && !after[f]
			after[f] = true
		}
		if free {
			sp.group, sp.header = slesGroupQueued, queuedHeader
			sp.order += 1 << 40
			queued++
		}
	}
	sort.SliceStable(picked, func(i, j int) bool { return picked[i].order < picked[j].order })
	for k := max(0, len(picked)-slesMaxGuard); k < len(picked); k++ {
		picked[k].guard = []string{"+needs_update", "+review"}[k%2]
	}

	out := &seriesOut{truth: SeriesInfo{Source: slesName, Format: "series", BaseTag: slesBaseTag, Patches: []SeriesPatch{}}}
	names := map[string]bool{}
	var submitted []*slesPatch
	for _, sp := range picked {
		text, subject := x.slesText(r, sp)
		name := uniqueName(names, patchFileName(0, subject))
		sp.name = "patches.suse/" + name
		if err := writeFile(filepath.Join(x.dir, slesDir), sp.name, []byte(text)); err != nil {
			return err
		}
		tp := SeriesPatch{Path: sp.name, Kind: sp.e.Kind, Upstream: sp.e.Upstream, From: sp.e.ID, Status: sp.status,
			Release: sp.release, Header: sp.header, GitCommit: sp.commits, Partial: sp.partial && len(sp.commits) > 0,
			Conflict: sp.conflict, Guard: sp.guard}
		if sp.post != nil {
			sp.post.path, sp.post.index = sp.name, len(out.truth.Patches)
			if sp.guard == "" {
				submitted = append(submitted, sp)
			}
		}
		out.truth.Patches = append(out.truth.Patches, tp)
	}
	r.Shuffle(len(submitted), func(i, j int) { submitted[i], submitted[j] = submitted[j], submitted[i] })
	for _, sp := range submitted[:min(len(submitted), x.cfg.slesPosted)] {
		out.posts = append(out.posts, sp.post)
	}
	sort.Slice(out.posts, func(i, j int) bool { return out.posts[i].index < out.posts[j].index })
	if err := writeFile(filepath.Join(x.dir, slesDir), "series.conf", []byte(seriesConf(picked))); err != nil {
		return err
	}
	x.sles = out
	x.files[slesName] = filepath.Join(x.dir, slesDir)
	return nil
}

// tagCommit returns the commit id an upstream tag names.
func (x *extras) tagCommit(name string) string {
	for _, t := range x.up.tags {
		if t.name == name {
			return x.up.commits[t.idx].id.String()
		}
	}
	return ""
}

func uniqueName(seen map[string]bool, name string) string {
	base := strings.TrimSuffix(name, ".patch")
	for k := 2; seen[name]; k++ {
		name = fmt.Sprintf("%s-%d.patch", base, k)
	}
	seen[name] = true
	return name
}

// slesText writes a SUSE patch file and returns it with its subject: the
// upstream one for a backport (with the upstream author and date), the
// distro's without its markers otherwise.
func (x *extras) slesText(r *rand.Rand, sp *slesPatch) (string, string) {
	suse := pick(r, suseEngineers)
	author, when, subject := pick(r, suseEngineers), sp.p.when, subjectOnly(sp.p.subject)
	var body string
	if len(sp.e.Upstream) > 0 {
		u := x.up.commits[x.upPos[sp.e.Upstream[0]]]
		author, when, subject = u.obj.author, u.obj.authorTime, u.subject
		body = u.body
	} else {
		body = proseOf(sp.p.body) + "\n\n" + sob(author)
	}
	body += fmt.Sprintf("Acked-by: %s <%s>\n", suse.name, suse.email)
	if sp.status == "submitted" {
		post := when + 86400 + r.Int63n(3*86400)
		sp.header = "Submitted, " + fmtDay(post) + " " + listAddress
		sp.post = &slesPost{subject: subject, author: author, when: post, body: proseOf(sp.p.body) + "\n\n" + sob(author), p: sp.p}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s <%s>\nDate: %s\nSubject: [PATCH] %s\nPatch-mainline: %s\n", author.name, author.email, rfc2822(when, author.tz), subject, sp.header)
	if sp.group == slesGroupQueued {
		b.WriteString("Git-repo: git://git.kernel.org/pub/scm/linux/kernel/git/rdma/rdma.git\n")
	}
	for _, id := range sp.commits {
		b.WriteString("Git-commit: " + id)
		if sp.partial {
			b.WriteString(" (partial)")
		}
		b.WriteString("\n")
	}
	refs := []string{fmt.Sprintf("bsc#%d", 1190000+r.Intn(60000))}
	if chance(r, 0.5) {
		refs = append(refs, fmt.Sprintf("jsc#PED-%d", 1000+r.Intn(9000)))
	}
	b.WriteString("References: " + strings.Join(refs, " ") + "\n\n")
	b.WriteString(strings.TrimLeft(body, "\n"))
	b.WriteString(patchTail(sp.p))
	return b.String(), subject
}

// seriesConf writes series.conf for the picked patches, in order.
func seriesConf(picked []*slesPatch) string {
	var b strings.Builder
	b.WriteString(`# Kernel patches configuration file
# vim: set ts=8 sw=8 noet:
#
# One patch per line, applied in order. A line may start with a guard
# (see guards(1)):
# +symbol       apply the patch only when symbol is defined;
# -symbol       apply it unless symbol is defined;
# -             never apply it.
# A normal build defines no symbol.

	########################################################
	# stable updates
	# none for this code stream
	########################################################

	########################################################
	# build fixes that apply to the vanilla kernel too
	########################################################

`)
	rule := "\t########################################################\n"
	b.WriteString(rule + "\t# sorted patches\n" + rule)
	group := slesGroupSorted
	suse := false
	for _, sp := range picked {
		for group < sp.group {
			group++
			switch group {
			case slesGroupQueued:
				b.WriteString("\n\t# rdma/rdma for-next\n")
			case slesGroupOutOfTree:
				b.WriteString("\n\t# out-of-tree patches\n")
			case slesGroupSUSE:
				b.WriteString("\n" + rule + "\t# end of sorted patches\n" + rule)
				b.WriteString("\n" + rule + "\t# Infiniband: SUSE specific\n" + rule)
				suse = true
			}
		}
		if sp.guard != "" {
			b.WriteString(sp.guard + "\t" + sp.name + "\n")
		} else {
			b.WriteString("\t" + sp.name + "\n")
		}
	}
	if !suse {
		b.WriteString("\n" + rule + "\t# end of sorted patches\n" + rule)
	}
	b.WriteString("\n" + rule + "\t# kABI consistency patches\n" + rule)
	return b.String()
}
