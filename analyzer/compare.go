package analyzer

import (
	"context"
	"fmt"
	"sort"

	"github.com/kdelta/kdelta/analyzer/match"
	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
)

// Comparison sets two downstreams of one upstream side by side, per
// component: what upstream work each has that the other lacks, what each
// carries alone, and the tests that pass on one and fail on the other. It
// answers "what would I gain with B for this driver?" (say A a distro's
// in-box kernel, B a vendor's stack).
type Comparison struct {
	A        string `json:"a"` // SOURCE@REF
	B        string `json:"b"`
	Upstream string `json:"upstream"` // SOURCE@REF both are measured against
	BaseA    string `json:"base_a"`   // each one's base, named once (BaseText)
	BaseB    string `json:"base_b"`
	// Components are the whole (component "") first, then by name: each
	// component either downstream has work in.
	Components []ComponentComparison `json:"components"`
}

// ComponentComparison is the comparison of one component.
type ComponentComparison struct {
	Component string `json:"component"` // "" for the whole
	// ALacks are the upstream commits B has (from its base or as
	// backports) and A lacks, most critical for A first (fixes of code A
	// ships, CVEs): what A would gain with B. BLacks the other way round,
	// ranked for B.
	ALacks []RankedCommit `json:"a_lacks"`
	BLacks []RankedCommit `json:"b_lacks"`
	// AAlone are the changes A carries that upstream lacks and B carries
	// no equal of (by the matcher's rules), with their status; BAlone the
	// same of B.
	AAlone []Carried `json:"a_alone"`
	BAlone []Carried `json:"b_alone"`
	// Tests are the tests covering the component whose latest results
	// pass on one downstream and fail on the other.
	Tests []TestDiff `json:"tests"`
}

// TestDiff is a test that passes on one downstream and fails on the
// other: the latest result on each (the failing one when a test has
// several, from several labs).
type TestDiff struct {
	Test string     `json:"test"`
	A    TestStatus `json:"a"`
	B    TestStatus `json:"b"`
}

// Compare compares two downstreams (SOURCE or SOURCE@REF) of one upstream.
func Compare(ctx context.Context, db *store.DB, cfg *project.Config, a, b string) (*Comparison, error) {
	rules, err := cfg.TestRules()
	if err != nil {
		return nil, err
	}
	ev := &evidence{db: db}
	sa, err := newCompareSide(ctx, db, cfg, rules, ev, a)
	if err != nil {
		return nil, err
	}
	sb, err := newCompareSide(ctx, db, cfg, rules, ev, b)
	if err != nil {
		return nil, err
	}
	if sa.r.Downstream == sb.r.Downstream {
		return nil, fmt.Errorf("compare %s with itself: name two downstreams: %w", sa.r.Downstream, ErrNotComparable)
	}
	if sa.r.Upstream != sb.r.Upstream {
		return nil, fmt.Errorf("%s is measured against %s and %s against %s: compare downstreams of one upstream: %w",
			sa.r.Downstream, sa.r.Upstream, sb.r.Downstream, sb.r.Upstream, ErrNotComparable)
	}
	aAlone, bAlone, err := carriedAlone(ctx, db, cfg, sa, sb)
	if err != nil {
		return nil, err
	}
	cmp := &Comparison{A: sa.r.Downstream, B: sb.r.Downstream, Upstream: sa.r.Upstream,
		BaseA: BaseText(sa.r.Base, sa.r.BaseHow), BaseB: BaseText(sb.r.Base, sb.r.BaseHow)}
	names := map[string]bool{}
	for _, r := range []*Result{sa.r, sb.r} {
		for _, cd := range r.Components {
			names[cd.Component] = true
		}
	}
	comps := make([]string, 0, len(names))
	for c := range names {
		comps = append(comps, c)
	}
	sort.Strings(comps) // "" first
	for _, comp := range comps {
		ca, cb := sa.component(comp), sb.component(comp)
		cc := ComponentComparison{Component: comp,
			ALacks: sa.rank.Rank(lacksWhatOtherHas(ca.Missing, sb)),
			BLacks: sb.rank.Rank(lacksWhatOtherHas(cb.Missing, sa)),
			AAlone: inComponent(aAlone, comp), BAlone: inComponent(bAlone, comp),
			Tests: testDiffs(ca.Tests, cb.Tests)}
		if len(cc.ALacks)+len(cc.BLacks)+len(cc.AAlone)+len(cc.BAlone)+len(cc.Tests) == 0 && comp != "" {
			continue
		}
		cmp.Components = append(cmp.Components, cc)
	}
	return cmp, nil
}

// ErrNotComparable says two downstreams cannot be compared: the same one
// twice, or two of different upstreams.
var ErrNotComparable = fmt.Errorf("not comparable")

// Component returns the comparison of one component ("" for the whole),
// or nil when neither downstream has work in it.
func (c *Comparison) Component(name string) *ComponentComparison {
	for i := range c.Components {
		if c.Components[i].Component == name {
			return &c.Components[i]
		}
	}
	return nil
}

// compareSide is one downstream of a comparison: its analysis with its
// tests, its ranker, the carried changes with their statuses, and the
// upstream commits since its base (what it may lack; older ones it has).
type compareSide struct {
	r       *Result
	rank    *Ranker
	carried []Carried
	after   map[string]bool // upstream commits since its base
	has     map[string]bool // of those, the ones it carries
	layout  string
	fps     []*change.Fingerprint
}

func newCompareSide(ctx context.Context, db *store.DB, cfg *project.Config, rules *project.TestRules, ev *evidence, target string) (*compareSide, error) {
	all, r, err := statuses(ctx, db, target, ev)
	if err != nil {
		return nil, err
	}
	if err := AttachTests(ctx, db, rules, r); err != nil {
		return nil, err
	}
	rk, err := NewRanker(ctx, db, cfg, r)
	if err != nil {
		return nil, err
	}
	s := &compareSide{r: r, rank: rk, carried: onlyCarriedIn(r, all, ""), after: map[string]bool{}, has: map[string]bool{}}
	source, refName := Target(r.Downstream)
	src, ref, err := db.FindRef(ctx, source, refName)
	if err != nil {
		return nil, err
	}
	s.layout = src.Layout
	upIDs, err := db.SinceBase(ctx, ref.ID, "upstream")
	if err != nil {
		return nil, err
	}
	heads, err := db.Heads(ctx, upIDs)
	if err != nil {
		return nil, err
	}
	for _, fp := range heads {
		s.after[fp.ID] = true
	}
	if whole := r.Component(""); whole != nil {
		for _, c := range whole.Backported {
			s.has[c.ID] = true
		}
	}
	return s, nil
}

// component is one component's delta, empty when it has none.
func (s *compareSide) component(name string) *ComponentDelta {
	if cd := s.r.Component(name); cd != nil {
		return cd
	}
	return &ComponentDelta{Component: name}
}

// hasUpstream says whether the downstream has an upstream commit: from
// its base (older than its base) or as a backport.
func (s *compareSide) hasUpstream(id string) bool { return s.has[id] || !s.after[id] }

// lacksWhatOtherHas keeps, of one side's missing commits, those the other
// side has.
func lacksWhatOtherHas(missing []Commit, other *compareSide) []Commit {
	out := []Commit{}
	for _, c := range missing {
		if other.hasUpstream(c.ID) {
			out = append(out, c)
		}
	}
	return out
}

// carriedAlone returns the carried changes of each side that the other
// side carries no equal of: each side's carried changes are matched
// against the other's with the matcher, as a downstream's against an
// upstream.
func carriedAlone(ctx context.Context, db *store.DB, cfg *project.Config, a, b *compareSide) (aAlone, bAlone []Carried, err error) {
	for _, s := range []*compareSide{a, b} {
		oids := make([]string, len(s.carried))
		for i, c := range s.carried {
			oids[i] = c.ID
		}
		ids, err := db.CommitIDs(ctx, oids)
		if err != nil {
			return nil, nil, err
		}
		list := make([]int64, 0, len(ids))
		for _, id := range ids {
			list = append(list, id)
		}
		fps, err := db.Fingerprints(ctx, list, s.layout)
		if err != nil {
			return nil, nil, err
		}
		s.fps = values(fps)
	}
	// A change both carry is matched one way or the other (the matcher
	// never takes a newer change for the source of an older one): both
	// ends of a match are shared.
	inA, inB := map[string]bool{}, map[string]bool{}
	for _, dir := range []struct {
		from, to     *compareSide
		inFrom, inTo map[string]bool
	}{{a, b, inA, inB}, {b, a, inB, inA}} {
		ms, _ := match.NewIndex(dir.to.fps).Match(dir.from.fps, nil)
		for _, m := range ms {
			if len(m.Upstream) == 0 {
				continue
			}
			dir.inFrom[m.Downstream] = true
			for _, u := range m.Upstream {
				dir.inTo[u] = true
			}
		}
	}
	keep := func(cs []Carried, other map[string]bool) []Carried {
		out := []Carried{}
		for _, c := range cs {
			if !other[c.ID] {
				out = append(out, c)
			}
		}
		return out
	}
	return keep(a.carried, inA), keep(b.carried, inB), nil
}

// inComponent keeps the carried changes of a component ("": all).
func inComponent(cs []Carried, comp string) []Carried {
	if comp == "" {
		return cs
	}
	out := []Carried{}
	for _, c := range cs {
		for _, x := range c.Components {
			if x == comp {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// testDiffs lists the tests that pass on one side and fail on the other,
// by test path: a test passes on a side when every latest result of it
// there passed, and fails when one failed.
func testDiffs(a, b []TestStatus) []TestDiff {
	type verdict struct {
		pass bool
		at   TestStatus // the failing result, else the first
	}
	judge := func(ts []TestStatus) map[string]*verdict {
		out := map[string]*verdict{}
		for _, t := range ts {
			v := out[t.Test]
			if v == nil {
				v = &verdict{pass: true, at: t}
				out[t.Test] = v
			}
			if Failing(t.Status) && v.pass {
				v.at = t
			}
			if t.Status != "PASS" {
				v.pass = false
			}
		}
		return out
	}
	ja, jb := judge(a), judge(b)
	out := []TestDiff{}
	for name, va := range ja {
		vb := jb[name]
		if vb == nil {
			continue
		}
		if va.pass && Failing(vb.at.Status) || vb.pass && Failing(va.at.Status) {
			out = append(out, TestDiff{Test: name, A: va.at, B: vb.at})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Test < out[j].Test })
	return out
}
