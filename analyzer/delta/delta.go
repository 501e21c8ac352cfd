// Package delta computes, for one downstream measured against its
// upstream, what the downstream carries of upstream's work since its base
// (backported), what it lacks (missing), which of the missing commits fix
// code it has (missing fixes, followed transitively), and what it carries
// that upstream lacks (downstream-only) — per component. It is pure logic
// on fingerprints and matches.
package delta

import (
	"slices"
	"sort"
	"strings"

	"github.com/kdelta/kdelta/change"
)

// Pair says that a downstream commit carries some upstream commits.
type Pair struct {
	Downstream string
	Upstream   []string // empty for a downstream-only commit
}

// Input is everything the delta is computed from.
type Input struct {
	// Upstream are upstream's commits since the downstream's base.
	Upstream []*change.Fingerprint
	// Downstream are the downstream's own commits since its base.
	Downstream []*change.Fingerprint
	// Known are every upstream commit in scope, before the base too: what
	// a Fixes: tag may name.
	Known []*change.Fingerprint
	// Has says whether the downstream contains an upstream commit by
	// ancestry (it is at or before the base).
	Has func(id string) bool
	// Pairs are the matches of the downstream commits.
	Pairs []Pair
}

// Item is one commit in a delta list.
type Item struct {
	Commit  *change.Fingerprint
	Fixes   []string // for a missing fix: the commits it fixes that the downstream has or misses as fixes
	Stable  bool     // Cc: stable
	CVEs    []string
	Carried []string // for a backport: the downstream commits that carry it; for downstream-only: nothing
	// RevertedBy is, for a backport, the upstream commit that reverted it
	// upstream since; "" when upstream still has it.
	RevertedBy string
}

// Delta is the delta of one component ("" for everything).
type Delta struct {
	Component      string
	Backported     []Item
	Missing        []Item // missing fixes first, then Cc: stable and CVE, then the rest; oldest first within each
	MissingFixes   []Item
	DownstreamOnly []Item
	Reverted       []Item // backports the downstream reverted: missing again
	// RevertedUpstream are the backports whose upstream commit upstream
	// has since reverted: the downstream carries what upstream took back.
	RevertedUpstream []Item
}

// Compute returns the delta for every component that appears on either
// side, plus the whole ("" component) first.
func Compute(in Input) []Delta {
	a := newAnalysis(in)
	comps := map[string]bool{}
	for _, fp := range in.Upstream {
		for _, c := range fp.Components {
			comps[c] = true
		}
	}
	for _, fp := range in.Downstream {
		for _, c := range fp.Components {
			comps[c] = true
		}
	}
	names := make([]string, 0, len(comps))
	for c := range comps {
		names = append(names, c)
	}
	sort.Strings(names)
	out := []Delta{a.delta("")}
	for _, c := range names {
		out = append(out, a.delta(c))
	}
	return out
}

type analysis struct {
	in         Input
	carried    map[string][]string // upstream id -> downstream commits carrying it (not reverted)
	reverted   map[string][]string // upstream id -> downstream backports of it that were reverted downstream
	revertedUp map[string]string   // upstream commits reverted upstream since the base -> the reverting commit
	missing    map[string]bool
	fixes      map[string][]string // missing fix -> what it fixes
	byID       map[string]*change.Fingerprint
	resolve    *resolver
	// copyOf maps an upstream commit that is a copy of another upstream
	// commit (a stable branch's "commit X upstream.", a cherry-pick -x
	// between two upstream refs) to the original: one change, counted
	// once, under the original.
	copyOf map[string]string
}

func newAnalysis(in Input) *analysis {
	a := &analysis{in: in, carried: map[string][]string{}, reverted: map[string][]string{}, revertedUp: map[string]string{},
		missing: map[string]bool{}, fixes: map[string][]string{}, byID: map[string]*change.Fingerprint{}, copyOf: map[string]string{}}
	a.resolve = newResolver(append(append([]*change.Fingerprint{}, in.Known...), in.Upstream...))

	// Downstream reverts of downstream commits undo what those carried.
	downIDs := map[string]bool{}
	for _, fp := range in.Downstream {
		downIDs[fp.ID] = true
	}
	undone := map[string]bool{}
	for _, fp := range in.Downstream {
		if r := revertOf(fp); r != "" {
			for id := range downIDs {
				if strings.HasPrefix(id, r) {
					undone[id] = true
				}
			}
		}
	}
	for _, p := range in.Pairs {
		for _, u := range p.Upstream {
			if undone[p.Downstream] {
				a.reverted[u] = append(a.reverted[u], p.Downstream)
			} else {
				a.carried[u] = append(a.carried[u], p.Downstream)
			}
		}
	}
	up := append([]*change.Fingerprint(nil), in.Upstream...)
	sort.SliceStable(up, func(i, j int) bool { return up[i].CommitTime.Before(up[j].CommitTime) })
	a.in.Upstream = up
	for _, fp := range up {
		a.byID[fp.ID] = fp
	}
	a.findCopies()
	// A downstream commit that carries a copy carries the original.
	for _, fp := range up {
		orig := a.copyOf[fp.ID]
		if orig == "" {
			continue
		}
		for _, d := range a.carried[fp.ID] {
			if !slices.Contains(a.carried[orig], d) {
				a.carried[orig] = append(a.carried[orig], d)
			}
		}
		for _, d := range a.reverted[fp.ID] {
			if !slices.Contains(a.reverted[orig], d) {
				a.reverted[orig] = append(a.reverted[orig], d)
			}
		}
	}
	for _, fp := range up {
		if r := revertOf(fp); r != "" {
			if id := a.resolve.id(r, ""); id != "" {
				a.revertedUp[id] = fp.ID
			}
		}
	}
	has := func(id string) bool {
		if orig := a.copyOf[id]; orig != "" {
			id = orig
		}
		return in.Has(id) || len(a.carried[id]) > 0
	}
	// An upstream commit reverted upstream is not missing; a revert of a
	// commit the downstream lacks is not either; a copy is its original.
	for _, fp := range up {
		if len(a.carried[fp.ID]) > 0 || a.revertedUp[fp.ID] != "" || a.copyOf[fp.ID] != "" {
			continue
		}
		if r := revertOf(fp); r != "" {
			if id := a.resolve.id(r, ""); id != "" && !has(id) {
				continue
			}
		}
		a.missing[fp.ID] = true
	}
	// Missing fixes, transitively: oldest first, a fix of a missing fix is one too.
	for changed := true; changed; {
		changed = false
		for _, fp := range up {
			if !a.missing[fp.ID] || a.fixes[fp.ID] != nil {
				continue
			}
			for _, f := range fp.Trailers.Fixes {
				id := a.resolve.id(f.ID, f.Subject)
				if id == "" || id == fp.ID {
					continue
				}
				if has(id) || a.fixes[id] != nil {
					a.fixes[fp.ID] = append(a.fixes[fp.ID], id)
				}
			}
			if a.fixes[fp.ID] != nil {
				changed = true
			}
		}
	}
	return a
}

func (a *analysis) delta(comp string) Delta {
	d := Delta{Component: comp}
	in := func(fp *change.Fingerprint) bool {
		if comp == "" {
			return true
		}
		for _, c := range fp.Components {
			if c == comp {
				return true
			}
		}
		return false
	}
	for _, fp := range a.in.Upstream {
		if !in(fp) || a.copyOf[fp.ID] != "" {
			continue
		}
		it := Item{Commit: fp, Stable: fp.Trailers.CcStable, CVEs: fp.Trailers.CVEs}
		switch {
		case len(a.carried[fp.ID]) > 0:
			it.Carried = a.carried[fp.ID]
			it.RevertedBy = a.revertedUp[fp.ID]
			d.Backported = append(d.Backported, it)
			if it.RevertedBy != "" {
				d.RevertedUpstream = append(d.RevertedUpstream, it)
			}
		case a.missing[fp.ID]:
			it.Fixes = a.fixes[fp.ID]
			if len(a.reverted[fp.ID]) > 0 {
				d.Reverted = append(d.Reverted, Item{Commit: fp, Carried: a.reverted[fp.ID]})
			}
			d.Missing = append(d.Missing, it)
			if it.Fixes != nil {
				d.MissingFixes = append(d.MissingFixes, it)
			}
		}
	}
	sort.SliceStable(d.Missing, func(i, j int) bool { return rank(d.Missing[i]) < rank(d.Missing[j]) })
	matched := map[string]bool{}
	for _, p := range a.in.Pairs {
		if len(p.Upstream) > 0 {
			matched[p.Downstream] = true
		}
	}
	for _, fp := range a.in.Downstream {
		if in(fp) && !matched[fp.ID] && revertOf(fp) == "" {
			d.DownstreamOnly = append(d.DownstreamOnly, Item{Commit: fp})
		}
	}
	return d
}

// findCopies fills copyOf: an upstream commit whose message names
// another upstream commit as where it comes from is a copy of it, and a
// copy of a copy is one of the first original.
func (a *analysis) findCopies() {
	for _, fp := range a.in.Upstream {
		for _, r := range fp.Trailers.Upstream {
			if id := a.resolve.id(r.ID, ""); id != "" && id != fp.ID {
				a.copyOf[fp.ID] = id
				break
			}
		}
	}
	roots := make(map[string]string, len(a.copyOf))
	for id, orig := range a.copyOf {
		seen := map[string]bool{id: true}
		for a.copyOf[orig] != "" && !seen[orig] {
			seen[orig] = true
			orig = a.copyOf[orig]
		}
		if !seen[orig] { // in a loop of copies none is the original
			roots[id] = orig
		}
	}
	a.copyOf = roots
}

// rank orders missing commits: fixes of code the downstream has first,
// then stable and CVE fixes, then the rest.
func rank(it Item) int {
	switch {
	case it.Fixes != nil:
		return 0
	case it.Stable || len(it.CVEs) > 0:
		return 1
	}
	return 2
}

// revertOf returns the (possibly abbreviated) id a revert commit names in
// its "This reverts commit X." line, or "".
func revertOf(fp *change.Fingerprint) string {
	if !strings.HasPrefix(fp.Subject, "Revert ") {
		return ""
	}
	i := strings.Index(fp.Body, "This reverts commit ")
	if i < 0 {
		return ""
	}
	rest := fp.Body[i+len("This reverts commit "):]
	n := 0
	for n < len(rest) && n < 40 && isHex(rest[n]) {
		n++
	}
	if n < 7 {
		return ""
	}
	return strings.ToLower(rest[:n])
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// resolver turns an abbreviated id, or failing that a quoted subject, into
// an upstream commit id.
type resolver struct {
	ids       []string // sorted
	bySubject map[string][]string
}

func newResolver(fps []*change.Fingerprint) *resolver {
	r := &resolver{bySubject: map[string][]string{}}
	seen := map[string]bool{}
	for _, fp := range fps {
		if seen[fp.ID] {
			continue
		}
		seen[fp.ID] = true
		r.ids = append(r.ids, fp.ID)
		r.bySubject[fp.Subject] = append(r.bySubject[fp.Subject], fp.ID)
	}
	sort.Strings(r.ids)
	return r
}

// id resolves prefix to the one commit it names; when it names none (a
// typo, a rebased id) the subject decides if exactly one commit has it.
func (r *resolver) id(prefix, subject string) string {
	prefix = strings.ToLower(prefix)
	i := sort.SearchStrings(r.ids, prefix)
	if prefix != "" && i < len(r.ids) && strings.HasPrefix(r.ids[i], prefix) &&
		(i+1 == len(r.ids) || !strings.HasPrefix(r.ids[i+1], prefix)) {
		return r.ids[i]
	}
	if ids := r.bySubject[subject]; subject != "" && len(ids) == 1 {
		return ids[0]
	}
	return ""
}
