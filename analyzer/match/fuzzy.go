package match

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/kdelta/kdelta/change"
)

// Fuzzy matching compares the normalized changed lines of a downstream
// commit with those of candidate upstream commits: added with added and
// removed with removed, so that a revert (the inverse diff) does not
// match. An OFED-style backport keeps the removed lines under #else, so
// an upstream removed line found among the downstream's added lines
// counts too, at crossWeight, and only alongside same-direction agreement.

const crossWeight = 0.5

// clockSlack: an upstream commit authored less than this after the
// downstream commit existed may still be its source (clocks differ).
const clockSlack = 24 * time.Hour

const (
	inPlus  = 1
	inMinus = 2
)

// matcher holds the scratch space of one Match call, reused per commit.
type matcher struct {
	ix       *Index
	d        map[uint64]uint8 // the downstream commit's lines: inPlus|inMinus
	total    float64          // their weighted count
	count    map[int32]int32  // candidate -> rare lines shared
	cands    []int32
	explain  map[uint64]uint8 // lines explained by the chosen upstream commits
	paths    map[string]bool  // downstream paths and basenames
	subjects map[int32]bool
	dKey     string    // the downstream commit's subject key
	dTime    time.Time // when the downstream commit existed: its commit time
	dAuthor  string    // its author's email, lower case
	dRelease bool      // it is release engineering (release.go)
	dVersion string    // the version its subject names
	// named are the upstream commits whose subject d's message quotes
	// (a squash lists the changes it carries).
	named map[int32]bool
	// the lines the chosen upstream commits add and remove
	chosenPlus, chosenMinus map[uint64]bool
}

func newMatcher(ix *Index) *matcher {
	return &matcher{ix: ix, d: map[uint64]uint8{}, count: map[int32]int32{}, explain: map[uint64]uint8{},
		paths: map[string]bool{}, subjects: map[int32]bool{}, named: map[int32]bool{},
		chosenPlus: map[uint64]bool{}, chosenMinus: map[uint64]bool{}}
}

// weight is how much a line counts as evidence: lines that many upstream
// commits change say little.
func (m *matcher) weight(h uint64) float64 { return m.ix.weight(h) }

func (ix *Index) weight(h uint64) float64 {
	if int(ix.df[h]) > ix.commonDF {
		return commonWeight
	}
	return 1
}

// load prepares d's lines, paths and subject peers.
func (m *matcher) load(d *change.Fingerprint) {
	clear(m.d)
	clear(m.paths)
	clear(m.subjects)
	for _, f := range d.Files {
		for _, h := range f.Plus {
			m.d[h] |= inPlus
		}
		for _, h := range f.Minus {
			m.d[h] |= inMinus
		}
		for _, p := range []string{f.Path, f.OldPath} {
			if p != "" {
				m.paths[p] = true
				m.paths["/"+path.Base(p)] = true
			}
		}
	}
	m.total = 0
	for h, b := range m.d {
		w := m.weight(h)
		if b&inPlus != 0 {
			m.total += w
		}
		if b&inMinus != 0 {
			m.total += w
		}
	}
	for _, k := range m.ix.subjectPeers(d.Subject) {
		m.subjects[k] = true
	}
	m.dKey, m.dTime, m.dAuthor = normSubject(d.Subject), d.CommitTime, strings.ToLower(d.AuthorEmail)
	m.dRelease, m.dVersion = releaseEngineering(d), ""
	if m.dRelease {
		m.dVersion = versionOf(d.Subject)
	}
	clear(m.named)
	for _, q := range reQuoted.FindAllStringSubmatch(d.Body, maxSquash) {
		if s := normSubject(q[1]); s != "" {
			if ks := m.ix.bySubject[s]; len(ks) <= maxNamed {
				for _, k := range ks {
					m.named[k] = true
				}
			}
		}
	}
}

// reQuoted finds quoted subjects in a message: "net/mlx5: Fix x".
var reQuoted = regexp.MustCompile(`"([^"\n]{12,200})"`)

// maxNamed: a quoted subject names candidates only when few upstream
// commits have it ("Fix typo" names nothing).
const maxNamed = 3

// pairScore is how one upstream commit agrees with the downstream one.
type pairScore struct {
	k       int32
	same    float64 // weighted lines in common, same direction
	cross   float64 // upstream removed lines the downstream adds
	back    float64 // upstream added lines the downstream removes
	coverUp float64 // share of the upstream commit's lines present
	coverDn float64 // share of the downstream commit's lines it explains
	files   int     // upstream files paired by path or basename
	subject bool
	// newer: the upstream commit was authored after the downstream one
	// existed, so it cannot be its source; it can be what the downstream
	// commit became upstream, when the author is the same.
	newer    bool
	author   bool    // the same author as the downstream commit
	renamed  int     // upstream files paired by content, not by name
	flatUp   float64 // share of the upstream commit's lines present, each counting 1
	ok       bool    // acceptable as the first pick
	rank     float64
	nfiles   int
	upTotal  float64
	explains float64
}

func (m *matcher) score(k int32) pairScore {
	u := m.ix.ups[k]
	s := pairScore{k: k, subject: m.subjects[k] || keysAgree(m.ix.keys[k], m.dKey),
		newer:  !m.dTime.IsZero() && u.AuthorTime.After(m.dTime.Add(clockSlack)),
		author: m.dAuthor != "" && strings.EqualFold(u.AuthorEmail, m.dAuthor)}
	sig := &m.ix.sig[k]
	upTotal := m.ix.upTotal[k]
	var expl float64
	hits := 0
	if len(sig.plus)+len(sig.minus) > 4*len(m.d) {
		// A large upstream commit (a driver import) against a small
		// downstream one: look the downstream lines up in it.
		for h, b := range m.d {
			w := m.weight(h)
			up, um := contains(sig.plus, h), contains(sig.minus, h)
			if up {
				switch {
				case b&inPlus != 0:
					s.same += w
					expl += w
					hits++
				case b&inMinus != 0:
					s.back += w
				}
			}
			if um {
				if b&inMinus != 0 {
					s.same += w
					expl += w
					hits++
				}
				if b&inPlus != 0 && !up {
					s.cross += w
					expl += w
					hits++
				}
			}
		}
	} else {
		for _, h := range sig.plus {
			b := m.d[h]
			if b == 0 {
				continue
			}
			w := m.weight(h)
			switch {
			case b&inPlus != 0:
				s.same += w
				expl += w
				hits++
			case b&inMinus != 0:
				s.back += w
			}
		}
		for _, h := range sig.minus {
			b := m.d[h]
			if b == 0 {
				continue
			}
			w := m.weight(h)
			if b&inMinus != 0 {
				s.same += w
				expl += w
				hits++
			}
			if b&inPlus != 0 && !contains(sig.plus, h) {
				s.cross += w
				expl += w
				hits++
			}
		}
	}
	if upTotal > 0 {
		s.coverUp = (s.same + s.cross) / upTotal
	}
	if n := len(sig.plus) + len(sig.minus); n > 0 {
		s.flatUp = float64(hits) / float64(n)
	}
	if m.total > 0 {
		s.coverDn = min(1, expl/m.total)
	}
	s.upTotal, s.explains = upTotal, expl
	s.nfiles = len(u.Files)
	for i := range u.Files {
		if m.pairedByName(&u.Files[i]) {
			s.files++
		}
	}
	if s.files == 0 && s.same > 0 {
		// Renamed on one side since the other forked: the files pair by
		// what they change, as git pairs renames by similarity.
		for i := range u.Files {
			if m.pairedByContent(&u.Files[i]) {
				s.files++
				s.renamed++
			}
		}
	}
	s.rank = s.same + crossWeight*s.cross
	return s
}

// pairedByName says whether the downstream commit changes upstream file f
// under its path, its old path or its base name.
func (m *matcher) pairedByName(f *change.File) bool {
	return m.paths[f.Path] || m.paths["/"+path.Base(f.Path)] || f.OldPath != "" && m.paths[f.OldPath]
}

// renameSimilarity is the share of an upstream file's changed lines
// (weighted) the downstream commit must change the same way for the file
// to pair by content: git pairs a rename at 50% similarity.
const renameSimilarity = 0.5

// pairedByContent says whether the downstream commit changes most of
// upstream file f's lines the same way, under whatever name.
func (m *matcher) pairedByContent(f *change.File) bool {
	if len(f.Plus)+len(f.Minus) > 2*len(m.d)*int(1/commonWeight) {
		// Even if every downstream line were among them, too few of its
		// (every line weighs at least commonWeight).
		return false
	}
	var same, total float64
	n := 0
	for _, h := range f.Plus {
		w := m.weight(h)
		total += w
		if m.d[h]&inPlus != 0 {
			same += w
			n++
		}
	}
	for _, h := range f.Minus {
		w := m.weight(h)
		total += w
		if m.d[h]&inMinus != 0 {
			same += w
			n++
		}
	}
	return n > 0 && same >= renameSimilarity*total
}

// downFileOf names the downstream file that changes most of upstream
// file f's lines, for an explanation.
func downFileOf(d *change.Fingerprint, f *change.File) string {
	best, bestN := "", 0
	for _, g := range d.Files {
		n := 0
		for _, h := range f.Plus {
			if containsHash(g.Plus, h) {
				n++
			}
		}
		for _, h := range f.Minus {
			if containsHash(g.Minus, h) {
				n++
			}
		}
		if n > bestN {
			best, bestN = g.Path, n
		}
	}
	return best
}

func containsHash(hs []uint64, h uint64) bool {
	for _, x := range hs {
		if x == h {
			return true
		}
	}
	return false
}

// fuzzyResult is the outcome of fuzzy matching one downstream commit.
type fuzzyResult struct {
	chosen   []int32
	scores   []pairScore
	all      []pairScore // every candidate scored, best first
	coverDn  float64     // share of the downstream's lines explained by all chosen
	best     int32       // best candidate, even when rejected
	bestDown float64
}

// strong says the line evidence is overwhelming on both sides.
func (f fuzzyResult) strong() bool {
	return len(f.scores) > 0 && f.coverDn >= 0.9 && f.scores[0].coverUp >= 0.9
}

// candidates are the upstream commits sharing the most rare changed lines
// with the downstream commit, plus those with the same subject.
func (m *matcher) candidates() []int32 {
	clear(m.count)
	for h := range m.d {
		for _, k := range m.ix.lines[h] {
			m.count[k]++
		}
	}
	for k := range m.subjects {
		m.count[k] += 0 // present, so the diff can decide
	}
	for k := range m.named {
		m.count[k] += 0
	}
	m.cands = m.cands[:0]
	for k := range m.count {
		if !m.releaseApart(k) {
			m.cands = append(m.cands, k)
		}
	}
	sort.Slice(m.cands, func(i, j int) bool {
		a, b := m.cands[i], m.cands[j]
		if m.count[a] != m.count[b] {
			return m.count[a] > m.count[b]
		}
		return a < b
	})
	if len(m.cands) > maxCandidates {
		// Keep subject peers even when they share few rare lines.
		top := m.cands[:maxCandidates]
		for _, k := range m.cands[maxCandidates:] {
			if m.subjects[k] || m.named[k] {
				top = append(top, k)
			}
		}
		m.cands = top
	}
	return m.cands
}

func (m *matcher) fuzzy(d *change.Fingerprint) (fuzzyResult, bool) {
	res := fuzzyResult{best: -1}
	if m.total == 0 {
		return res, false
	}
	cands := m.candidates()
	if len(cands) == 0 {
		return res, false
	}
	scores := make([]pairScore, 0, len(cands))
	for _, k := range cands {
		scores = append(scores, m.score(k))
	}
	for i := range scores {
		scores[i].ok = m.acceptable(scores[i], d)
	}
	sort.Slice(scores, func(i, j int) bool {
		a, b := scores[i], scores[j]
		if a.ok != b.ok {
			return a.ok
		}
		if ra, rb := a.rank+subjectBonus(a), b.rank+subjectBonus(b); ra != rb {
			return ra > rb
		}
		if a.coverUp != b.coverUp {
			return a.coverUp > b.coverUp
		}
		return a.k < b.k
	})
	first := scores[0]
	res.best, res.bestDown, res.all = first.k, first.coverDn, scores
	if !first.ok {
		return res, false
	}
	// Greedy squash: add candidates whose lines the downstream carries and
	// that explain lines not explained yet.
	clear(m.explain)
	clear(m.chosenPlus)
	clear(m.chosenMinus)
	m.markExplained(first.k)
	res.chosen = []int32{first.k}
	res.scores = []pairScore{first}
	for len(res.chosen) < maxSquash {
		bestGain, bi := 0.0, -1
		for i, s := range scores[1:] {
			if containsInt(res.chosen, s.k) || s.same <= 0 || s.back > 0.5*s.same || s.files == 0 || s.newer && !s.author {
				continue
			}
			if s.same < minCommon && !s.subject && !m.named[s.k] {
				continue
			}
			// Lines one squashed commit adds and another removes never
			// show in the squashed diff: they do not count against it.
			// Only a commit known to belong with the chosen ones (one fixes
			// the other, or the message names its subject) gets that
			// allowance, and needs to add little.
			related := s.subject || m.related(s.k, res.chosen) || m.mentioned(d, s.k)
			in := 0.0
			if related {
				in = m.internal(s.k)
			}
			if s.upTotal-in <= 0 || (s.same+s.cross)/(s.upTotal-in) < squashCoverUp {
				continue
			}
			// An unrelated commit joins only when it explains several
			// lines and has the downstream's author, as a first pick
			// without the same subject must: a hand-resolved conflict can
			// by chance write a line as a later upstream commit does, and
			// a reworked diff can resemble some other upstream change.
			g := m.gain(s.k)
			if g <= 0 || !related && (g < manyLines || g/m.total < minSquashGain || !m.sameAuthor(s.k, d)) {
				continue
			}
			if g > bestGain || g == bestGain && bi >= 0 && m.closer(s.k, scores[bi].k, res.chosen) {
				bestGain, bi = g, i+1
			}
		}
		if bi < 0 {
			break
		}
		s := scores[bi]
		m.markExplained(s.k)
		res.chosen = append(res.chosen, s.k)
		res.scores = append(res.scores, s)
	}
	// A commit of the downstream's subject whose every line a chosen one
	// changes again (a line added, then changed by the follow-up) shows no
	// line of its own in the squash: its subject says it is there.
	for _, s := range scores[1:] {
		if len(res.chosen) >= maxSquash || containsInt(res.chosen, s.k) || s.same > 0 || !s.subject || s.files == 0 || s.newer && !s.author {
			continue
		}
		if in := m.internal(s.k); in > 0 && s.upTotal-in <= 0 {
			res.chosen = append(res.chosen, s.k)
			res.scores = append(res.scores, s)
		}
	}
	res.coverDn = m.explainedShare(false)
	if res.coverDn < minCoverDown {
		// With the same subject, a weaker agreement is enough, and lines
		// common upstream count fully: "return -EAGAIN;" in the same
		// file under the same subject is evidence.
		subject := false
		for _, s := range res.scores {
			subject = subject || s.subject
		}
		// But lines common upstream never make a match by themselves: a
		// few of a large upstream commit's lines are everywhere. Weighed
		// by rarity some agreement must remain, or a fair share of the
		// upstream commit must be there.
		if !subject || max(res.coverDn, m.explainedShare(true)) < subjectCoverDown ||
			res.coverDn < subjectMinWeighted && res.scores[0].flatUp < subjectFlatUp {
			return res, false
		}
	}
	return res, true
}

// acceptable says whether a first pick is evidence enough: same-direction
// agreement in a paired file, no sign of a revert, and either a real
// line in common with a fair share of the upstream commit, or the same
// subject.
func (m *matcher) acceptable(s pairScore, d *change.Fingerprint) bool {
	if s.same <= 0 || s.files == 0 || s.back > 0.5*s.same {
		return false
	}
	if s.newer && !s.author {
		// Upstream wrote it after this commit existed, and someone else
		// did: the two are unrelated, however alike.
		return false
	}
	if declaredOnly(d) {
		// The downstream says it is not upstream: only a near-complete
		// agreement on several lines, from the same author or under the
		// same subject, overrides that (a two-line fix is easily written
		// twice, and a downstream clean-up often removes the same dead
		// code upstream removed).
		return s.same >= manyLines && s.coverUp >= onlyCoverUp && s.coverDn >= onlyCoverDown &&
			(s.subject || m.sameAuthor(s.k, d))
	}
	if m.named[s.k] && s.coverUp >= namedCoverUp {
		// The message quotes its subject (a squash lists what it carries),
		// and half its lines are here (the others may be lines it changes
		// that the squash adds itself).
		return true
	}
	if s.subject {
		// A subject many upstream commits share ("Fix typo in comment")
		// agrees with all of them: then the lines must show a fair share
		// of this one.
		return !m.genericSubject() || s.coverUp >= minCoverUp || s.flatUp >= subjectFlatUp
	}
	if d.SubjectNamesFile() && s.same >= minCommon && s.coverUp >= fileSubjectCoverUp && s.coverDn >= onlyCoverDown {
		// OFED's backports/ patches are named for the file they patch and
		// often carry one real line once the #ifdef HAVE_* guards are
		// normalized away: with no subject to compare, near-complete
		// agreement in the same file decides.
		return true
	}
	// Without the same subject, lines alone are weak in a large upstream:
	// the same small change recurs by chance, so the upstream author must
	// agree too (git cherry-pick keeps it) and the lines must be real.
	// Weighed by how few upstream commits change each line: boilerplate
	// that dozens of commits add (a license header, test scaffolding
	// copied from file to file) agrees with all of them and says nothing
	// of this one.
	rare, rareUp := m.rarity(s.k)
	return s.same >= minCommon && m.sameAuthor(s.k, d) && rare >= minCommon &&
		(s.coverUp >= minCoverUpAlone && rareUp >= minCoverUpAlone || s.same >= manyLines && s.coverUp >= minCoverUp && rare >= manyLines && rareUp >= minCoverUp)
}

// rareLines: a line that this many upstream commits change, or fewer,
// counts fully as evidence for one of them; one that df commits change
// counts rareLines/df.
const rareLines = 2

// rarity is how much of the agreement with upstream commit k is its own:
// the downstream lines k changes the same way, each weighed by how few
// upstream commits change it (rareLines/df, at most 1), and that share of
// k's lines so weighed.
func (m *matcher) rarity(k int32) (float64, float64) {
	sig := &m.ix.sig[k]
	w := func(h uint64) float64 {
		if df := float64(m.ix.df[h]); df > rareLines {
			return rareLines / df
		}
		return 1
	}
	var same, total float64
	for _, h := range sig.plus {
		total += w(h)
		if m.d[h]&inPlus != 0 {
			same += w(h)
		}
	}
	for _, h := range sig.minus {
		total += w(h)
		if m.d[h]&inMinus != 0 {
			same += w(h)
		}
	}
	if total == 0 {
		return 0, 0
	}
	return same, same / total
}

// genericSubjectPeers: a subject key this many upstream commits share is
// generic.
const genericSubjectPeers = 3

// genericSubject says whether many upstream commits have the downstream
// commit's subject.
func (m *matcher) genericSubject() bool {
	return len(m.ix.bySubject[m.dKey]) >= genericSubjectPeers
}

// sameAuthor says whether upstream commit k has d's author.
func (m *matcher) sameAuthor(k int32, d *change.Fingerprint) bool {
	return sameAuthor(m.ix.ups[k], d)
}

func sameAuthor(u, d *change.Fingerprint) bool {
	return d.AuthorEmail != "" && strings.EqualFold(u.AuthorEmail, d.AuthorEmail)
}

// subjectBonus ranks a candidate with the same subject as if it shared
// one more line: the subject breaks ties between similar diffs but does
// not outweigh a clearly better one.
func subjectBonus(s pairScore) float64 {
	if s.subject {
		return 1
	}
	return 0
}

// declaredOnly says whether a commit declares itself downstream-only:
// RHEL's "Upstream Status: RHEL-only" or subject markers, OFED's
// "(MLNX_OFED only)", Ubuntu's "UBUNTU: SAUCE:".
func declaredOnly(d *change.Fingerprint) bool {
	st := strings.ToLower(d.Trailers.UpstreamStatus)
	if strings.Contains(st, "only") || strings.Contains(st, "never") {
		return true
	}
	if d.Trailers.Prefix == "UBUNTU: SAUCE" {
		return true
	}
	sub := strings.ToLower(d.Subject)
	return strings.HasPrefix(sub, "[redhat]") || strings.Contains(sub, "rhel-only") || strings.Contains(sub, "mlnx_ofed only")
}

// markExplained records the downstream lines upstream commit k explains.
func (m *matcher) markExplained(k int32) {
	sig := &m.ix.sig[k]
	for _, h := range sig.plus {
		m.chosenPlus[h] = true
	}
	for _, h := range sig.minus {
		m.chosenMinus[h] = true
	}
	for _, h := range sig.plus {
		if m.d[h]&inPlus != 0 {
			m.explain[h] |= inPlus
		}
	}
	for _, h := range sig.minus {
		b := m.d[h]
		if b&inMinus != 0 {
			m.explain[h] |= inMinus
		}
		if b&inPlus != 0 {
			m.explain[h] |= inPlus
		}
	}
}

// closer says whether upstream commit a belongs with the chosen ones
// more than b does: it fixes one of them, or it is nearer in history.
func (m *matcher) closer(a, b int32, chosen []int32) bool {
	fa, fb := m.related(a, chosen), m.related(b, chosen)
	if fa != fb {
		return fa
	}
	return dist(a, chosen) < dist(b, chosen)
}

// mentioned says whether d's message quotes upstream commit k's subject,
// as a squash's message lists the changes it carries.
func (m *matcher) mentioned(d *change.Fingerprint, k int32) bool {
	sub := strings.TrimSpace(m.ix.ups[k].Subject)
	if len(sub) < 12 {
		return false
	}
	return strings.Contains(strings.ToLower(d.Body), strings.ToLower(sub))
}

// related says whether upstream commit k fixes one of the chosen commits
// or one of them fixes k.
func (m *matcher) related(k int32, chosen []int32) bool {
	if m.fixes(k, chosen) {
		return true
	}
	for _, c := range chosen {
		if m.fixes(c, []int32{k}) {
			return true
		}
	}
	return false
}

func (m *matcher) fixes(k int32, targets []int32) bool {
	for _, f := range m.ix.ups[k].Trailers.Fixes {
		if j, _ := m.ix.resolve(f.ID); j >= 0 && containsInt(targets, j) {
			return true
		}
	}
	return false
}

func dist(k int32, chosen []int32) int32 {
	best := int32(1 << 30)
	for _, c := range chosen {
		d := k - c
		if d < 0 {
			d = -d
		}
		best = min(best, d)
	}
	return best
}

// internal is the weight of k's lines that the chosen commits change the
// other way and that the downstream commit does not show.
func (m *matcher) internal(k int32) float64 {
	sig := &m.ix.sig[k]
	w := 0.0
	for _, h := range sig.plus {
		if m.d[h] == 0 && m.chosenMinus[h] {
			w += m.weight(h)
		}
	}
	for _, h := range sig.minus {
		if m.d[h] == 0 && m.chosenPlus[h] {
			w += m.weight(h)
		}
	}
	return w
}

// gain is the weight of downstream lines k explains that the chosen
// commits do not.
func (m *matcher) gain(k int32) float64 {
	sig := &m.ix.sig[k]
	g := 0.0
	for _, h := range sig.plus {
		if m.d[h]&inPlus != 0 && m.explain[h]&inPlus == 0 {
			g += m.weight(h)
		}
	}
	for _, h := range sig.minus {
		b, e := m.d[h], m.explain[h]
		if b&inMinus != 0 && e&inMinus == 0 {
			g += m.weight(h)
		}
	}
	return g
}

// explainedShare is the share of the downstream's lines the chosen
// commits explain, weighted, or with every line counting 1 when flat.
func (m *matcher) explainedShare(flat bool) float64 {
	total := m.total
	if flat {
		total = 0
		for _, b := range m.d {
			total += float64(b&inPlus) + float64(b&inMinus>>1)
		}
	}
	if total == 0 {
		return 0
	}
	e := 0.0
	for h, b := range m.explain {
		w := m.weight(h)
		if flat {
			w = 1
		}
		if b&inPlus != 0 {
			e += w
		}
		if b&inMinus != 0 {
			e += w
		}
	}
	return min(1, e/total)
}

func (m *matcher) result(d *change.Fingerprint, f fuzzyResult) Match {
	ix := m.ix
	res := Match{Downstream: d.ID, Upstream: ix.ids(f.chosen), Method: MethodFuzzy}
	if len(f.chosen) > 1 {
		res.Method = MethodSquash
	}
	first := f.scores[0]
	subj := 0.0
	if first.subject {
		subj = 1
	}
	fp := 0.0
	if first.nfiles > 0 {
		fp = float64(first.files) / float64(first.nfiles)
	}
	res.Score = round3(min(1, 0.5*f.coverDn+0.3*first.coverUp+0.1*fp+0.1*subj))
	var parts []string
	for _, s := range f.scores {
		u := ix.ups[s.k]
		var files []string
		for i := range u.Files {
			fl := &u.Files[i]
			switch {
			case m.pairedByName(fl):
				files = append(files, fl.Path)
			case m.pairedByContent(fl):
				files = append(files, fmt.Sprintf("%s (as %s: the same changes under another name)", fl.Path, downFileOf(d, fl)))
			}
		}
		p := fmt.Sprintf("%s: %.0f%% of its changed lines present in %s", change.Short(u.ID), 100*s.coverUp, strings.Join(files, ", "))
		if s.cross > 0 {
			p += " (removed lines kept, as in an #ifdef backport)"
		}
		if s.subject {
			p += ", same subject"
		}
		parts = append(parts, p)
	}
	res.Why = fmt.Sprintf("%.0f%% of this change's lines agree with upstream; %s", 100*f.coverDn, strings.Join(parts, "; "))
	if c := competitors(f, ix); c != "" {
		res.Why += "; " + c
	}
	if regeneration(d) && regeneration(ix.ups[first.k]) {
		res.Why = fmt.Sprintf("a regeneration of the same source change as %s (the generated lines agree; a date or version line differs); ", change.Short(ix.ups[first.k].ID)) + res.Why
	}
	if first.newer {
		res.Method = MethodUpstreamed
		res.Why = upstreamedWhy(d, ix.ups[first.k]) + "; " + res.Why
	}
	return res
}

func round3(x float64) float64 { return float64(int(x*1000+0.5)) / 1000 }

// upstreamedWhy explains a match with an upstream commit authored after
// the downstream commit existed.
func upstreamedWhy(d, u *change.Fingerprint) string {
	days := int(u.AuthorTime.Sub(d.CommitTime).Hours() / 24)
	who := "by the same author"
	if !sameAuthor(u, d) {
		who = "by another author"
	}
	return fmt.Sprintf("upstreamed as %s, authored %s %d days after this commit", change.Short(u.ID), who, days)
}

// maxCompetitors: an explanation names at most this many of the
// candidates that were not chosen.
const maxCompetitors = 3

// competitors names the candidates that could have been chosen and were
// not: acceptable by themselves, or of the same subject with some lines
// in common.
func competitors(f fuzzyResult, ix *Index) string {
	var out []string
	for _, s := range f.all {
		if len(out) == maxCompetitors {
			break
		}
		if containsInt(f.chosen, s.k) || !s.ok && !(s.subject && s.same > 0) {
			continue
		}
		c := fmt.Sprintf("%s (%.0f%% of its lines present", change.Short(ix.id(s.k)), 100*s.coverUp)
		if s.subject {
			c += ", same subject"
		}
		out = append(out, c+")")
	}
	if len(out) == 0 {
		return ""
	}
	return "other candidates: " + strings.Join(out, ", ")
}
