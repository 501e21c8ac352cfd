// Package match pairs downstream changes with the upstream commits they
// carry. It is a pure function of fingerprints: build an Index once per
// upstream set, then Match a downstream's commits against it.
//
// Order, cheapest and most certain first (DESIGN.md, "Matching"): a
// manual override, references in the message (in trailers or in prose),
// exact whole-commit patch-id (whatever the message says: kdelta finds at
// least what git cherry finds), per-file patch-ids, fuzzy changed-line
// similarity (candidates from an inverted index of rare lines; files paired
// by name or by what they change), identity (author, author time and
// subject all equal), and last a downstream revert that is no upstream
// change. Then a match with upstream commits older than the base is a
// duplicate, and the parts of an upstream commit split across downstream
// commits are partial. Methods lists the methods a match can have.
//
// What release branches do is taken into account (issue 13): subjects are
// compared without branch and backport tags and truncation (subject.go);
// an upstream commit written after the downstream one is not its source
// unless its author upstreamed it; release engineering pairs only with
// the same version's (release.go); lines count by how rare they are.
package match

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/sources/trailers"
)

// The methods a Match can have.
const (
	MethodManual   = "manual"
	MethodRevert   = "revert"
	MethodTrailer  = "trailer"
	MethodPatchID  = "patch-id"
	MethodFuzzy    = "fuzzy"
	MethodSquash   = "squash"
	MethodIdentity = "identity"
	// MethodPartial: the downstream commit carries part of the upstream
	// commit: its reference says so ("(partial)", "Partially cherry-picked
	// from"), or it is one of the downstream commits an upstream commit
	// was split into.
	MethodPartial = "partial"
	// MethodUpstreamed: the downstream commit is older than the upstream
	// commit it matches, which its author upstreamed later.
	MethodUpstreamed = "upstreamed"
	MethodNone       = "none"
	// MethodDuplicate: the downstream commit is a copy of upstream commits
	// at or before its base (it merged upstream since it carried them).
	MethodDuplicate = "duplicate"
)

// Method is one way a match can be made, with what it means.
type Method struct {
	Name    string
	Meaning string
}

// Methods lists every method a Match can have, most certain first.
func Methods() []Method {
	return []Method{
		{MethodManual, "set by hand (kdelta match)"},
		{MethodTrailer, "the message references the upstream commits (cherry-pick, stable, RHEL, SUSE, ChromeOS trailers, or in prose)"},
		{MethodPartial, "carries part of the upstream commit: a partial reference, or one of the downstream commits it was split into"},
		{MethodPatchID, "the same patch-id (git patch-id --stable), for the whole commit or file by file"},
		{MethodDuplicate, "a copy of upstream commits the base already has (the downstream merged upstream since)"},
		{MethodUpstreamed, "older than the upstream commit: its author upstreamed it later"},
		{MethodFuzzy, "its changed lines agree with the upstream commit's (another context, rework, #ifdef, renamed file)"},
		{MethodSquash, "carries several upstream commits, each with its share of the lines"},
		{MethodIdentity, "author, author time and subject equal the upstream commit's"},
		{MethodRevert, "reverts a downstream commit and is no upstream change"},
		{MethodNone, "no upstream counterpart: downstream-only"},
	}
}

// MethodNames lists the names of Methods, in order.
func MethodNames() []string {
	var out []string
	for _, m := range Methods() {
		out = append(out, m.Name)
	}
	return out
}

// Match pairs one downstream commit with the upstream commits it carries.
// Its JSON form is the `kdelta matches` contract.
type Match struct {
	Downstream string   `json:"downstream"` // 40-hex id
	Upstream   []string `json:"upstream"`   // 40-hex ids; [] for a downstream-only commit
	Method     string   `json:"method"`     // one of Methods()
	Score      float64  `json:"score"`      // confidence in [0,1]
	Why        string   `json:"why"`        // what a maintainer can check
}

// MarshalJSON writes the `kdelta matches` contract: upstream is a list,
// [] for a downstream-only commit, however the Match was made or read
// back (gob, which keeps analyses in the store, decodes an empty list as
// nil).
func (m Match) MarshalJSON() ([]byte, error) {
	type fields Match // the same fields, without this method
	f := fields(m)
	if f.Upstream == nil {
		f.Upstream = []string{}
	}
	return json.Marshal(f)
}

// Problem is something in the downstream that matching could not trust:
// a reference that does not resolve upstream, an ambiguous abbreviation.
type Problem struct {
	Downstream string `json:"downstream"` // 40-hex id of the downstream commit
	Ref        string `json:"ref"`        // the id as written
	Why        string `json:"why"`
}

// Index is an upstream set prepared for matching.
type Index struct {
	ups    []*change.Fingerprint
	byID   map[string]int32
	sorted []string // ids, sorted, for abbreviated references

	byPatch     map[string][]int32 // whole-commit patch-id
	byFilePatch map[string][]int32 // per-file patch-id
	byIdentity  map[identity][]int32
	bySubject   map[string][]int32 // subject key (subjectKey)
	subjectKeys []string           // the keys of bySubject, sorted
	keys        []string           // each upstream commit's subject key
	// release says an upstream commit is release engineering (release.go),
	// and version is the version its subject names.
	release []bool
	version []string
	// nSince: ups[:nSince] are after the base, the rest at or before it.
	nSince int

	// lines maps a normalized changed-line hash to the upstream commits
	// that add or remove it, for hashes in at most rareLineDF commits.
	lines map[uint64][]int32
	// df is how many upstream commits change a line, capped at 65535.
	df map[uint64]uint16
	// rareDF, commonDF: rareLineDF and commonLineDF scaled to the size
	// of the upstream set.
	rareDF, commonDF int
	// sig is each upstream commit's deduplicated, sorted signature, and
	// upTotal its weighted size (see matcher.weight).
	sig     []signature
	upTotal []float64
}

type identity struct {
	email   string
	name    string
	unix    int64
	subject string
}

// signature is a commit's changed lines as sets: plus and minus hold
// distinct hashes, sorted.
type signature struct {
	plus, minus []uint64
}

// Thresholds. They were chosen on the synthetic worlds (demo size, seeds
// 1-3, and small size, seeds 7, 11 and 23, all in TestAccuracyAgainstTruth)
// by looking at the scores of true and false pairs of every kind, and set
// in the gap between them rather than at the edge of any one case.
const (
	// rareLineDF: a changed line is a candidate key when at most this many
	// upstream commits change it. Lines such as "return -EINVAL;" occur
	// in hundreds of commits and would make candidate lists long; with 8
	// a few follow-up fixes whose only line recurs in a dozen commits
	// were never candidates.
	rareLineDF = 32
	// commonLineDF: lines changed by more upstream commits than this
	// count for little evidence (weight commonWeight) when scoring.
	commonLineDF = 40
	commonWeight = 0.1
	// rareLineShare, commonLineShare: the same limits as shares of the
	// upstream commits (32 and 40 of the demo world's ~3,000), used when
	// they are larger: in a 100,000-commit upstream a line that 50
	// commits change is still rare. rareLineDF and commonLineDF stay as
	// floors for small upstreams.
	rareLineShare   = 0.01
	commonLineShare = 0.0133
	// maxCandidates bounds how many upstream commits are scored per
	// downstream commit (the ones sharing the most rare lines).
	maxCandidates = 24
	// minCoverDown: the chosen upstream commits must explain at least this
	// share of the downstream commit's (weighted) changed lines: a
	// conflict-resolved two-line fix keeps half of its lines.
	minCoverDown = 0.5
	// minCoverUp: a chosen upstream commit must have at least this share of
	// its own changed lines present downstream. Partial and split
	// backports carry a subset of hunks, so this is low; together with
	// minCoverDown it still rejects chance overlaps.
	minCoverUp = 0.15
	// minCoverUpAlone, manyLines: without the same subject, lines pair
	// two commits when most of the upstream commit is present, or when
	// several rare lines agree, and only when the author agrees too. In
	// the demo-size worlds a downstream-only patch shares at most two
	// lines (half of a small upstream commit) with some upstream commit
	// by chance, while true backports with a reworded subject carry
	// nearly all of theirs. In the bench world (100,000 upstream
	// commits) whole downstream-only clean-ups equal upstream ones line
	// for line (same dead function removed), so no line threshold
	// separates them; the author (kept by git cherry-pick) does. The
	// same holds for patch-id matches (Index.corroborated).
	minCoverUpAlone = 0.6
	manyLines       = 4
	// minCommon: weighted changed lines in common, at least: one line that
	// is not common upstream. Most synthetic fixes change one or two lines,
	// as many real ones do.
	minCommon = 1.0
	// onlyCoverUp, onlyCoverDown: a commit that declares itself
	// downstream-only ("Upstream Status: RHEL-only", "(MLNX_OFED only)")
	// matches by its lines only when nearly all of them agree both ways.
	onlyCoverUp   = 0.8
	onlyCoverDown = 0.9
	// minSquashGain: a further upstream commit joins a squash when it
	// explains at least this share of the downstream's lines not yet
	// explained, and at least squashCoverUp of its own lines are present.
	minSquashGain = 0.1
	squashCoverUp = 0.6
	// namedCoverUp: an upstream commit whose subject the downstream
	// message quotes is a first pick with this share of its lines present.
	namedCoverUp = 0.5
	// maxSquash: at most this many upstream commits in one squash.
	maxSquash = 6
	// subjectCoverDown: with an equal (normalized) subject, a weaker line
	// agreement is enough; a subject alone never is.
	subjectCoverDown = 0.3
	// subjectMinWeighted: and, weighed by rarity, at least this share of
	// the downstream's lines must agree: a generic subject ("Fix typo",
	// "Add missing NULL check in ...") over a line that hundreds of
	// upstream commits change is no evidence.
	subjectMinWeighted = 0.2
	subjectFlatUp      = 0.3

	// fileSubjectCoverUp is the share of an upstream commit's lines an
	// OFED backports/ patch (named for a file, so no subject to compare)
	// must show, with onlyCoverDown of its own lines explained: such a
	// patch keeps upstream's removed lines in its #else branch, so of a
	// one-for-one replacement it shows half. Set from the ifdef patches of
	// the small and demo worlds, whose upstream commits replace lines.
	fileSubjectCoverUp = 0.5
	// minFilePatchLines: a per-file patch-id match counts by itself only
	// when that file's diff has at least this many signature lines; a
	// smaller one (a two-line locking fix recurs in many drivers) needs
	// the same subject too.
	minFilePatchLines = 3
)

// NewIndex prepares an upstream set for matching.
func NewIndex(upstream []*change.Fingerprint) *Index {
	return NewIndexWithBase(upstream, nil)
}

// NewIndexWithBase prepares an upstream set for matching: since are
// upstream's commits after the downstream's base, older those at or before
// it. Every upstream commit's fingerprint is in the store, and a
// downstream that merged upstream since carries copies of older ones: a
// match with older commits only is a duplicate (MethodDuplicate).
func NewIndexWithBase(since, older []*change.Fingerprint) *Index {
	upstream := since
	if len(older) > 0 {
		upstream = append(append(make([]*change.Fingerprint, 0, len(since)+len(older)), since...), older...)
	}
	ix := newIndex(upstream)
	ix.nSince = len(since)
	return ix
}

func newIndex(upstream []*change.Fingerprint) *Index {
	ix := &Index{
		ups:         upstream,
		byID:        make(map[string]int32, len(upstream)),
		sorted:      make([]string, 0, len(upstream)),
		byPatch:     make(map[string][]int32, len(upstream)),
		byFilePatch: make(map[string][]int32, 2*len(upstream)),
		byIdentity:  make(map[identity][]int32, len(upstream)),
		bySubject:   make(map[string][]int32, len(upstream)),
		sig:         make([]signature, len(upstream)),
		keys:        make([]string, len(upstream)),
		release:     make([]bool, len(upstream)),
		version:     make([]string, len(upstream)),
	}
	count := make(map[uint64]int32, 16*len(upstream))
	for i, u := range upstream {
		k := int32(i)
		id := strings.ToLower(u.ID)
		if _, dup := ix.byID[id]; dup {
			continue
		}
		ix.byID[id] = k
		ix.sorted = append(ix.sorted, id)
		if u.PatchID != "" {
			ix.byPatch[u.PatchID] = append(ix.byPatch[u.PatchID], k)
		}
		seen := map[string]bool{}
		for _, f := range u.Files {
			if f.PatchID != "" && !seen[f.PatchID] {
				seen[f.PatchID] = true
				ix.byFilePatch[f.PatchID] = append(ix.byFilePatch[f.PatchID], k)
			}
		}
		ix.byIdentity[identOf(u)] = append(ix.byIdentity[identOf(u)], k)
		ix.keys[i] = normSubject(u.Subject)
		if ix.release[i] = releaseEngineering(u); ix.release[i] {
			ix.version[i] = versionOf(u.Subject)
		}
		if s := ix.keys[i]; s != "" {
			ix.bySubject[s] = append(ix.bySubject[s], k)
		}
		ix.sig[i] = signatureOf(u)
		for _, h := range ix.sig[i].plus {
			count[h]++
		}
		for _, h := range ix.sig[i].minus {
			if !contains(ix.sig[i].plus, h) {
				count[h]++
			}
		}
	}
	sort.Strings(ix.sorted)
	ix.subjectKeys = make([]string, 0, len(ix.bySubject))
	for k := range ix.bySubject {
		ix.subjectKeys = append(ix.subjectKeys, k)
	}
	sort.Strings(ix.subjectKeys)
	ix.rareDF = max(rareLineDF, int(rareLineShare*float64(len(ix.sorted))))
	ix.commonDF = max(commonLineDF, int(commonLineShare*float64(len(ix.sorted))))
	ix.df = make(map[uint64]uint16, len(count))
	ix.lines = make(map[uint64][]int32, len(count))
	for h, n := range count {
		ix.df[h] = uint16(min(n, 65535))
		if int(n) <= ix.rareDF {
			ix.lines[h] = make([]int32, 0, n)
		}
	}
	ix.upTotal = make([]float64, len(upstream))
	for i := range upstream {
		k := int32(i)
		for _, h := range ix.sig[i].plus {
			ix.upTotal[i] += ix.weight(h)
		}
		for _, h := range ix.sig[i].minus {
			ix.upTotal[i] += ix.weight(h)
		}
		for _, h := range ix.sig[i].plus {
			if p, ok := ix.lines[h]; ok {
				ix.lines[h] = append(p, k)
			}
		}
		for _, h := range ix.sig[i].minus {
			if p, ok := ix.lines[h]; ok && !contains(ix.sig[i].plus, h) {
				ix.lines[h] = append(p, k)
			}
		}
	}
	return ix
}

func identOf(f *change.Fingerprint) identity {
	return identity{email: strings.ToLower(f.AuthorEmail), name: f.AuthorName, unix: f.AuthorTime.Unix(), subject: strings.TrimSpace(f.Subject)}
}

func signatureOf(f *change.Fingerprint) signature {
	var s signature
	for _, fl := range f.Files {
		s.plus = append(s.plus, fl.Plus...)
		s.minus = append(s.minus, fl.Minus...)
	}
	s.plus = uniq(s.plus)
	s.minus = uniq(s.minus)
	return s
}

func uniq(h []uint64) []uint64 {
	if len(h) == 0 {
		return nil
	}
	sort.Slice(h, func(i, j int) bool { return h[i] < h[j] })
	out := h[:1]
	for _, x := range h[1:] {
		if x != out[len(out)-1] {
			out = append(out, x)
		}
	}
	return out[:len(out):len(out)]
}

func contains(sorted []uint64, h uint64) bool {
	i := sort.Search(len(sorted), func(i int) bool { return sorted[i] >= h })
	return i < len(sorted) && sorted[i] == h
}

var reRevertOf = regexp.MustCompile(`(?m)This reverts commit ([0-9a-fA-F]{7,40})`)

// references are the upstream references of d's message: those parsed
// when it was stored, and those the parser finds now in its body (a store
// synced by an older kdelta lacks the references written in prose).
func references(d *change.Fingerprint) []change.Ref {
	refs := d.Trailers.Upstream
	if d.Body == "" {
		return refs
	}
	_, _, t := trailers.Parse(d.Subject + "\n\n" + d.Body)
	for _, r := range t.Upstream {
		dup := false
		for _, q := range refs {
			dup = dup || strings.HasPrefix(q.ID, r.ID) || strings.HasPrefix(r.ID, q.ID)
		}
		if !dup {
			refs = append(refs[:len(refs):len(refs)], r)
		}
	}
	return refs
}

// resolve finds the upstream commit an id, possibly abbreviated, names.
func (ix *Index) resolve(ref string) (int32, string) {
	ref = strings.ToLower(strings.TrimSpace(ref))
	if k, ok := ix.byID[ref]; ok {
		return k, ""
	}
	if len(ref) < 4 || len(ref) >= 40 {
		return -1, "does not exist upstream"
	}
	i := sort.SearchStrings(ix.sorted, ref)
	if i >= len(ix.sorted) || !strings.HasPrefix(ix.sorted[i], ref) {
		return -1, "does not exist upstream"
	}
	if i+1 < len(ix.sorted) && strings.HasPrefix(ix.sorted[i+1], ref) {
		return -1, "is ambiguous upstream"
	}
	return ix.byID[ix.sorted[i]], ""
}

func (ix *Index) id(k int32) string { return ix.ups[k].ID }

// Match pairs each downstream commit with the upstream commits it
// carries, in the order given. overrides maps a downstream id to the
// upstream ids it carries (an empty slice: downstream-only) and wins over
// every method.
func (ix *Index) Match(downstream []*change.Fingerprint, overrides map[string][]string) ([]Match, []Problem) {
	out := make([]Match, 0, len(downstream))
	var problems []Problem
	m := newMatcher(ix)
	for _, d := range downstream {
		res, probs := m.one(d, overrides)
		ix.markDuplicate(&res)
		ix.shareParts(&res, d)
		out = append(out, res)
		problems = append(problems, probs...)
	}
	ix.markSplits(out, downstream)
	return out, problems
}

func (m *matcher) one(d *change.Fingerprint, overrides map[string][]string) (Match, []Problem) {
	ix := m.ix
	res := Match{Downstream: d.ID, Upstream: []string{}}
	if ups, ok := overrides[d.ID]; ok {
		res.Method, res.Score = MethodManual, 1
		res.Upstream = append(res.Upstream, ups...)
		if len(ups) == 0 {
			res.Why = "manual override: downstream-only"
		} else {
			res.Why = "manual override"
		}
		return res, nil
	}
	var problems []Problem

	// 1. References in the message.
	var refs []int32
	var styles []string
	var unresolvedAlt []change.Ref
	partial := false
	for _, r := range references(d) {
		k, why := ix.resolve(r.ID)
		if k < 0 {
			if r.Style == change.AltCommit || r.Style == trailers.Prose {
				unresolvedAlt = append(unresolvedAlt, r)
				continue
			}
			problems = append(problems, Problem{Downstream: d.ID, Ref: r.ID, Why: fmt.Sprintf("%s reference %s %s; not trusted", r.Style, r.ID, why)})
			continue
		}
		if !containsInt(refs, k) {
			refs = append(refs, k)
			s := string(r.Style)
			if r.Partial {
				s += " (partial)"
				// Ubuntu's "backported from" says modified, not a part.
				partial = partial || r.Style != change.BackportedFrom
			}
			styles = append(styles, fmt.Sprintf("%s %s", s, change.Short(ix.id(k))))
		}
	}
	if len(refs) == 0 {
		for _, r := range unresolvedAlt {
			problems = append(problems, Problem{Downstream: d.ID, Ref: r.ID, Why: fmt.Sprintf("%s reference %s does not resolve upstream; not trusted", r.Style, r.ID)})
		}
	}
	if len(refs) > 0 {
		res.Method, res.Score = MethodTrailer, 1
		if partial {
			res.Method = MethodPartial
		}
		res.Upstream = ix.ids(refs)
		res.Why = "message references " + strings.Join(styles, ", ")
		return res, problems
	}

	// 2. Exact whole-commit patch-id: the same change, whatever the
	// message says (it is git cherry's answer, and kdelta never finds less
	// than git cherry). Only a reference to another commit, above,
	// overrides it.
	if d.PatchID != "" {
		if ks := ix.byPatch[d.PatchID]; len(ks) > 0 {
			return ix.patchIDMatch(d, ks), problems
		}
	}
	// Per-file patch-ids: a partial backport carries a subset of the
	// upstream files unchanged. (Not for release engineering: the same
	// release notes file recurs in every release.)
	if r, ok := m.filePatchIDs(d); ok && (!declaredOnly(d) || signatureLines(d) >= manyLines) && !releaseEngineering(d) {
		r.Downstream = d.ID
		return r, problems
	}

	// 3. Fuzzy, and 4. identity.
	m.load(d)
	fz, fok := m.fuzzy(d)
	idk := ix.identityOf(d)
	// Identity (author, author time and subject) wins over line evidence
	// that points elsewhere unless that evidence has the same subject too:
	// in a large upstream a reworked diff often equals another change.
	if fok && (idk < 0 || containsInt(fz.chosen, idk) || fz.strong() && fz.scores[0].subject) {
		return m.result(d, fz), problems
	}
	if idk >= 0 {
		res.Method, res.Score = MethodIdentity, 0.9
		res.Upstream = []string{ix.id(idk)}
		res.Why = fmt.Sprintf("author %s <%s>, author time %s and subject equal those of %s",
			d.AuthorName, d.AuthorEmail, d.AuthorTime.UTC().Format("2006-01-02 15:04:05"), change.Short(ix.id(idk)))
		if fz.best >= 0 && fz.best != idk && fz.bestDown > 0 {
			res.Why += fmt.Sprintf("; by lines, %s shares %.0f%% of this change's (another subject or author)", change.Short(ix.id(fz.best)), 100*fz.bestDown)
		}
		return res, problems
	}
	if fok {
		return m.result(d, fz), problems
	}
	// A downstream revert of a downstream commit that is no upstream
	// change carries nothing. (One that is the same change as an upstream
	// revert, by patch-id or lines, paired with it above: a backport's
	// revert is upstream's revert of the same commit.)
	if strings.HasPrefix(d.Subject, "Revert \"") {
		if sm := reRevertOf.FindStringSubmatch(d.Body); sm != nil {
			if k, _ := ix.resolve(sm[1]); k < 0 {
				res.Method, res.Score = MethodRevert, 1
				res.Why = fmt.Sprintf("reverts %s, which is not an upstream commit, and is no upstream change", change.Short(sm[1]))
				return res, problems
			}
		}
	}
	res.Method = MethodNone
	res.Why = "no reference, patch-id, similar upstream change or identity found"
	if m.dRelease {
		res.Why += "; release engineering (version bump, release notes) pairs by lines only with a release of the same version"
	}
	if fz.best >= 0 {
		res.Why += fmt.Sprintf("; closest %s shares %.0f%% of this change's lines", change.Short(ix.id(fz.best)), 100*fz.bestDown)
	}
	return res, problems
}

func signatureLines(d *change.Fingerprint) int {
	n := 0
	for _, f := range d.Files {
		n += len(f.Plus) + len(f.Minus)
	}
	return n
}

func containsInt(s []int32, k int32) bool {
	for _, x := range s {
		if x == k {
			return true
		}
	}
	return false
}

func (ix *Index) ids(ks []int32) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = ix.id(k)
	}
	return out
}

// markDuplicate turns a match with upstream commits older than the base,
// only, into a duplicate: the downstream has them twice, by ancestry and
// as a copy.
func (ix *Index) markDuplicate(res *Match) {
	switch res.Method {
	case MethodManual, MethodRevert, MethodNone, MethodDuplicate:
		return
	}
	if len(res.Upstream) == 0 {
		return
	}
	for _, id := range res.Upstream {
		if k, ok := ix.byID[strings.ToLower(id)]; !ok || int(k) < ix.nSince {
			return
		}
	}
	res.Why = fmt.Sprintf("a copy of %s, which the base already has (found by %s): %s", change.ShortList(res.Upstream), res.Method, res.Why)
	res.Method = MethodDuplicate
}

// corroborated says whether a diff match with upstream commit k is
// backed by the message: the same subject, or the same author (git
// cherry-pick keeps it).
func (ix *Index) corroborated(k int32, d *change.Fingerprint) bool {
	return keysAgree(ix.keys[k], normSubject(d.Subject)) || sameAuthor(ix.ups[k], d)
}

// patchIDMatch pairs d with the upstream commit of the same patch-id,
// and, when several have it, with the one whose subject and author agree
// (the others are named, for a maintainer to check).
func (ix *Index) patchIDMatch(d *change.Fingerprint, ks []int32) Match {
	k := ix.prefer(ks, d)
	res := Match{Downstream: d.ID, Upstream: []string{ix.id(k)}, Method: MethodPatchID, Score: 1}
	var b strings.Builder
	fmt.Fprintf(&b, "same patch-id %s as %s", change.Short(d.PatchID), change.Short(ix.id(k)))
	if !ix.corroborated(k, d) {
		// A bot or the stable maintainer re-authored it, a tool retitled
		// it: the diff is upstream's all the same.
		res.Score = 0.95
		b.WriteString("; subject and author differ, and no reference names another commit")
	}
	if declaredOnly(d) {
		b.WriteString("; the message says downstream-only, but the diff is upstream's")
	}
	if len(ks) > 1 {
		res.Score = min(res.Score, 0.9)
		var others []string
		for _, o := range ks {
			if o != k {
				others = append(others, change.Short(ix.id(o)))
			}
		}
		fmt.Fprintf(&b, "; %s %s the same patch-id (chosen: subject, then author, then the oldest)", strings.Join(others, ", "), plural(len(others), "has", "have"))
	}
	res.Why = b.String()
	if u := ix.ups[k]; !d.CommitTime.IsZero() && u.AuthorTime.After(d.CommitTime.Add(clockSlack)) {
		res.Method = MethodUpstreamed
		res.Why = upstreamedWhy(d, u) + "; " + res.Why
	}
	return res
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// prefer picks among upstream commits with the same patch-id the one
// whose subject agrees with d, then whose author does, else the first.
func (ix *Index) prefer(ks []int32, d *change.Fingerprint) int32 {
	best, bestScore := ks[0], -1
	dk := normSubject(d.Subject)
	for _, k := range ks {
		u := ix.ups[k]
		s := 0
		if keysAgree(ix.keys[k], dk) {
			s += 2
		}
		if sameAuthor(u, d) {
			s++
		}
		if s > bestScore {
			best, bestScore = k, s
		}
	}
	return best
}

// identityOf is the one upstream commit whose author, author time and
// subject equal d's, or -1.
func (ix *Index) identityOf(d *change.Fingerprint) int32 {
	ks := ix.byIdentity[identOf(d)]
	if len(ks) != 1 {
		return -1
	}
	return ks[0]
}

// filePatchIDs matches d when every file it changes has the patch-id of a
// file of one upstream commit (or, failing that, of a few: a squash of
// whole files).
func (m *matcher) filePatchIDs(d *change.Fingerprint) (Match, bool) {
	ix := m.ix
	var files []change.File
	for _, f := range d.Files {
		if f.PatchID != "" {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return Match{}, false
	}
	hits := map[int32][]int{}
	ds := normSubject(d.Subject)
	for i, f := range files {
		for _, k := range ix.byFilePatch[f.PatchID] {
			// A small file diff pairs only with the commit of the same subject.
			if len(f.Plus)+len(f.Minus) >= minFilePatchLines || keysAgree(ix.keys[k], ds) {
				hits[k] = append(hits[k], i)
			}
		}
	}
	if len(hits) == 0 {
		return Match{}, false
	}
	// Greedy cover of d's files by upstream commits, most files first.
	covered := make([]bool, len(files))
	var chosen []int32
	var why []string
	for len(chosen) < maxSquash {
		best, bestN := int32(-1), 0
		for k, fs := range hits {
			n := 0
			for _, i := range fs {
				if !covered[i] {
					n++
				}
			}
			if n > bestN || n == bestN && n > 0 && k < best {
				best, bestN = k, n
			}
		}
		if best < 0 {
			break
		}
		chosen = append(chosen, best)
		var paths []string
		for _, i := range hits[best] {
			if !covered[i] {
				covered[i] = true
				paths = append(paths, files[i].Path)
			}
		}
		u := ix.ups[best]
		why = append(why, fmt.Sprintf("%s has the same patch-id for %s (%d of its %d files)", change.Short(u.ID), strings.Join(paths, ", "), len(hits[best]), len(u.Files)))
	}
	corr := false
	for _, k := range chosen {
		corr = corr || keysAgree(ix.keys[k], ds)
	}
	if !corr && !ix.corroborated(chosen[0], d) {
		return Match{}, false
	}
	for i, c := range covered {
		// A file too small to pair by itself counts when one of the
		// chosen commits has it with the same patch-id.
		if !c && !m.inChosen(files[i].PatchID, chosen) {
			return Match{}, false
		}
	}
	res := Match{Upstream: ix.ids(chosen), Method: MethodPatchID, Score: 0.95,
		Why: "per-file patch-ids: " + strings.Join(why, "; ")}
	if len(chosen) > 1 {
		res.Method = MethodSquash
		res.Score = 0.9
	}
	return res, true
}

func (m *matcher) inChosen(patchID string, chosen []int32) bool {
	for _, k := range chosen {
		for _, f := range m.ix.ups[k].Files {
			if f.PatchID == patchID {
				return true
			}
		}
	}
	return false
}
