package analyzer

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/sources/gitrepo"
	"github.com/kdelta/kdelta/store"
)

// The ranks of a missing upstream commit, most critical first: every
// surface (delta, report, check, the TUI) lists missing commits in this
// order, each with its rank and the reason for it.
const (
	// RankCVE: the commit names a CVE.
	RankCVE = "cve"
	// RankRelease: a missing fix of code the downstream already ships in
	// a release (its base, or a carried change a release tag contains).
	RankRelease = "release"
	// RankStable: the commit is tagged Cc: stable.
	RankStable = "stable"
	// RankFix: a missing fix of code the downstream has but no release of
	// it ships yet (a carried change after its last release tag), or of
	// another missing fix only.
	RankFix = "fix"
	// RankOther: the rest (features, cleanups).
	RankOther = "other"
)

// Ranks lists the ranks, most critical first.
func Ranks() []string { return []string{RankCVE, RankRelease, RankStable, RankFix, RankOther} }

// RankOrder is a rank's place in Ranks (0 most critical); an unknown rank
// goes last.
func RankOrder(rank string) int {
	for i, r := range Ranks() {
		if r == rank {
			return i
		}
	}
	return len(Ranks())
}

// Priority is why a missing commit matters: its rank and the reasons, in
// words ("CVE-2023-1234; fixes code in kernel-5.14.0-250.el9; Cc: stable").
type Priority struct {
	Rank   string `json:"rank"`
	Reason string `json:"reason,omitempty"`
}

// RankedCommit is a missing commit with its priority.
type RankedCommit struct {
	Commit
	Priority
}

// Ranker ranks the missing commits of one analysis. Where fixed code
// ships is read from the downstream's release tags (git sources: the
// first tag, after the base, whose history holds the code); a patch series
// or an OFED tree ships what it holds; without release tags, code from the
// base ships in the base (an upstream release, or the base commit).
type Ranker struct {
	downstream string
	base       string              // how the base is named: "v5.14", or its short id
	series     bool                // a patch series, an OFED tree: what it holds, it ships
	firstTag   string              // the first release tag after the base; "" when none
	tagOf      map[string]string   // downstream commit -> the first release tag that holds it
	tagOrder   map[string]int      // release tag -> its place, oldest first
	carried    map[string][]string // upstream id -> the downstream changes that carry it
	missingFix map[string]bool
}

// NewRanker reads what ranking the missing commits of r needs: the
// downstream's release tags and which carried changes they hold. A
// mirror that cannot be read leaves the releases unknown (the fixes it
// would tell rank as fix), not an error: a team store may be read where
// the mirrors are not.
func NewRanker(ctx context.Context, db *store.DB, cfg *project.Config, r *Result) (*Ranker, error) {
	rk := newRanker(r)
	source, refName := Target(r.Downstream)
	src := cfg.Source(source)
	if src == nil {
		return rk, nil
	}
	if !src.IsGit() {
		rk.series = true
		return rk, nil
	}
	storeSrc, ref, err := db.FindRef(ctx, source, refName)
	if err != nil {
		return nil, err
	}
	tags, err := db.Tags(ctx, storeSrc.ID)
	if err != nil {
		return nil, err
	}
	if len(tags) == 0 {
		return rk, nil
	}
	// What upstream reaches is no release of the downstream, in whichever
	// repository the trees live (one for all, or a clone of upstream).
	var upTips []string
	if up := cfg.Source(src.Upstream); up != nil {
		for _, name := range up.RefNames() {
			if _, ur, err := db.FindRef(ctx, up.Name, name); err == nil && ur.Tip != "" {
				upTips = append(upTips, ur.Tip)
			}
		}
	}
	repo, err := gitrepo.Open(cfg.MirrorPath(src))
	if err != nil {
		return rk, nil
	}
	defer repo.Close()
	if err := rk.readTags(ctx, repo, ref.Tip, r.Base, upTips, tags); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return rk, nil // a damaged mirror: releases unknown
	}
	return rk, nil
}

func newRanker(r *Result) *Ranker {
	rk := &Ranker{downstream: r.Downstream, base: BaseName(r.Base, r.BaseHow), tagOf: map[string]string{}, tagOrder: map[string]int{},
		carried: map[string][]string{}, missingFix: map[string]bool{}}
	if all := r.Component(""); all != nil {
		for _, c := range all.Backported {
			rk.carried[c.ID] = c.Carried
		}
		for _, c := range all.MissingFixes {
			rk.missingFix[c.ID] = true
		}
	}
	return rk
}

// readTags finds the downstream's release tags (tags of commits the tip
// reaches that neither the base nor upstream's tips do: the downstream's
// own) and, for each downstream commit, the first of them that holds it.
// Each commit is walked once: a tag's new commits are those no earlier
// tag reaches.
func (rk *Ranker) readTags(ctx context.Context, repo *gitrepo.Repo, tip, base string, upTips []string, tags []store.Tag) error {
	baseH, tipH := plumbing.NewHash(base), plumbing.NewHash(tip)
	notMine := []plumbing.Hash{baseH}
	for _, t := range upTips {
		if h := plumbing.NewHash(t); repo.Has(h) {
			notMine = append(notMine, h)
		}
	}
	mine, err := repo.RevList(ctx, []plumbing.Hash{tipH}, notMine)
	if err != nil {
		return err
	}
	onRef := make(map[plumbing.Hash]bool, len(mine))
	for _, n := range mine {
		onRef[n.Hash] = true
	}
	type release struct {
		name string
		at   *gitrepo.Node
	}
	var rels []release
	for _, t := range tags {
		h := plumbing.NewHash(t.Commit)
		if !onRef[h] {
			continue
		}
		n, err := repo.Node(h)
		if err != nil {
			return err
		}
		rels = append(rels, release{t.Name, n})
	}
	sort.SliceStable(rels, func(i, j int) bool {
		if !rels[i].at.Time.Equal(rels[j].at.Time) {
			return rels[i].at.Time.Before(rels[j].at.Time)
		}
		return rels[i].name < rels[j].name
	})
	exclude := notMine
	for _, rel := range rels {
		nodes, err := repo.RevList(ctx, []plumbing.Hash{rel.at.Hash}, exclude)
		if err != nil {
			return err
		}
		if rk.firstTag == "" {
			rk.firstTag = rel.name
		}
		rk.tagOrder[rel.name] = len(rk.tagOrder)
		for _, n := range nodes {
			if _, ok := rk.tagOf[n.Hash.String()]; !ok {
				rk.tagOf[n.Hash.String()] = rel.name
			}
		}
		exclude = append(exclude, rel.at.Hash)
	}
	return nil
}

// shipped says where the downstream ships fixed code (an upstream commit
// it has): the first release that holds it, "" when none does yet.
func (rk *Ranker) shipped(fixed string) string {
	carriers, isCarried := rk.carried[fixed]
	switch {
	case rk.missingFix[fixed]:
		return "" // the downstream lacks it too
	case rk.series:
		if isCarried {
			return rk.downstream
		}
		return rk.base
	case !isCarried:
		// From the base: in every release after it; without release
		// tags, the base is what the downstream ships.
		if rk.firstTag != "" {
			return rk.firstTag
		}
		return rk.base
	}
	first := ""
	for _, c := range carriers {
		if t, ok := rk.tagOf[c]; ok && (first == "" || rk.before(t, first)) {
			first = t
		}
	}
	return first
}

// before says whether release tag a came before b.
func (rk *Ranker) before(a, b string) bool { return rk.tagOrder[a] < rk.tagOrder[b] }

// Priority ranks one missing commit.
func (rk *Ranker) Priority(c Commit) Priority {
	return priorityOf(c, rk.shipped, rk.missingFix)
}

// priorityOf ranks a missing commit: CVE first, then a fix of code the
// downstream ships in a release, then Cc: stable, then a fix of code it
// has but ships in no release yet (or of another missing fix), then the
// rest. The reason names every rule that applies, most critical first.
func priorityOf(c Commit, shipped func(fixed string) string, missingFix map[string]bool) Priority {
	var reasons []string
	rank := RankOther
	raise := func(r string) {
		if RankOrder(r) < RankOrder(rank) {
			rank = r
		}
	}
	if len(c.CVEs) > 0 {
		raise(RankCVE)
		reasons = append(reasons, strings.Join(c.CVEs, ", "))
	}
	var released, unreleased, ofFixes []string
	seen := map[string]bool{}
	for _, f := range c.Fixes {
		switch rel := shipped(f); {
		case missingFix[f]:
			ofFixes = append(ofFixes, change.Short(f))
		case rel != "":
			if !seen[rel] {
				seen[rel] = true
				released = append(released, rel)
			}
		default:
			unreleased = append(unreleased, change.Short(f))
		}
	}
	if len(released) > 0 {
		raise(RankRelease)
		reasons = append(reasons, "fixes code in "+strings.Join(released, ", "))
	}
	if c.Stable {
		raise(RankStable)
		reasons = append(reasons, "Cc: stable")
	}
	if len(unreleased) > 0 {
		raise(RankFix)
		reasons = append(reasons, "fixes "+strings.Join(unreleased, ", ")+", in no release yet")
	}
	if len(ofFixes) > 0 {
		raise(RankFix)
		reasons = append(reasons, "fixes missing fix "+strings.Join(ofFixes, ", "))
	}
	return Priority{Rank: rank, Reason: strings.Join(reasons, "; ")}
}

// Rank returns the commits with their priorities, most critical first;
// within a rank they keep their order.
func (rk *Ranker) Rank(cs []Commit) []RankedCommit {
	out := make([]RankedCommit, len(cs))
	for i, c := range cs {
		out[i] = RankedCommit{Commit: c, Priority: rk.Priority(c)}
	}
	SortRanked(out)
	return out
}

// SortRanked sorts ranked commits most critical first, keeping the order
// within a rank.
func SortRanked(cs []RankedCommit) {
	sort.SliceStable(cs, func(i, j int) bool { return RankOrder(cs[i].Rank) < RankOrder(cs[j].Rank) })
}

// RankedResult is an analysis whose missing lists carry their priorities,
// most critical first (or in the analysis's order, by date, see
// RankResult). Its JSON is the analysis's with rank and reason added to
// each missing commit.
type RankedResult struct {
	*Result
	Components []RankedComponent `json:"components"`
}

// RankedComponent is a component's delta with ranked missing lists.
type RankedComponent struct {
	ComponentDelta
	Missing      []RankedCommit `json:"missing"`
	MissingFixes []RankedCommit `json:"missing_fixes"`
}

// RankResult ranks the missing lists of every component of r; byDate
// keeps the analysis's order (missing fixes oldest first), the ranks only
// added.
func (rk *Ranker) RankResult(r *Result, byDate bool) *RankedResult {
	out := &RankedResult{Result: r, Components: make([]RankedComponent, len(r.Components))}
	for i, cd := range r.Components {
		rc := RankedComponent{ComponentDelta: cd}
		if byDate {
			rc.Missing, rc.MissingFixes = rk.with(cd.Missing), rk.with(cd.MissingFixes)
		} else {
			rc.Missing, rc.MissingFixes = rk.Rank(cd.Missing), rk.Rank(cd.MissingFixes)
		}
		out.Components[i] = rc
	}
	return out
}

// with adds the priorities, keeping the order.
func (rk *Ranker) with(cs []Commit) []RankedCommit {
	out := make([]RankedCommit, len(cs))
	for i, c := range cs {
		out[i] = RankedCommit{Commit: c, Priority: rk.Priority(c)}
	}
	return out
}

// Component returns the ranked delta of one component, or nil.
func (r *RankedResult) Component(name string) *RankedComponent {
	for i := range r.Components {
		if r.Components[i].Component == name {
			return &r.Components[i]
		}
	}
	return nil
}

// BaseName is how a base is named in one place: the tag or name it was
// configured as ("v5.14"), else its short id.
func BaseName(base, how string) string {
	for _, prefix := range []string{"configured base ", "LINUX_BASE_BRANCH "} {
		if name, ok := strings.CutPrefix(how, prefix); ok && name != "" && !isCommitID(name, base) {
			return name
		}
	}
	return change.Short(base)
}

// BaseText shows a base once: "v5.14 (1a2b3c4d5e6f)" for a configured
// tag, "1a2b3c4d5e6f (merge-base of ...)" for one found, and the short id
// alone for a configured commit, which would name it twice.
func BaseText(base, how string) string {
	name := BaseName(base, how)
	switch {
	case how == "":
		return change.Short(base)
	case name != change.Short(base):
		return fmt.Sprintf("%s (%s)", name, change.Short(base))
	case strings.HasPrefix(how, "configured base ") || strings.HasPrefix(how, "LINUX_BASE_BRANCH "):
		// An explicit commit: its id is the base.
		return change.Short(base) + " (configured)"
	}
	return fmt.Sprintf("%s (%s)", change.Short(base), how)
}

// isCommitID says whether name is the commit id base, either of them
// full or abbreviated (to 4 hex digits at least).
func isCommitID(name, base string) bool {
	n := min(len(name), len(base))
	if n < 4 {
		return false
	}
	for _, r := range name {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
			return false
		}
	}
	return strings.EqualFold(base[:n], name[:n])
}
