package analyzer

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/kdelta/kdelta/analyzer/match"
	"github.com/kdelta/kdelta/change"
)

// DetailKind is what a commit or patch is in one downstream's delta.
type DetailKind int

// The kinds of a change in a delta.
const (
	DetailUpstream   DetailKind = iota // an upstream commit the delta neither lacks nor carries
	DetailMissing                      // an upstream commit the downstream lacks
	DetailMissingFix                   // a missing commit whose Fixes: names code the downstream has
	DetailIgnored                      // an upstream commit the ignore list keeps out of the missing lists
	DetailBackported                   // an upstream commit the downstream carries
	DetailBackport                     // a downstream change matched to upstream commits
	DetailCarried                      // a downstream change with no upstream counterpart
)

var detailKindNames = [...]string{"upstream", "missing", "missing fix", "ignored", "backported", "backport", "carried"}

// String names the kind as the delta's lists do.
func (k DetailKind) String() string {
	if int(k) < len(detailKindNames) {
		return detailKindNames[k]
	}
	return "unknown"
}

// Downstream says the change is the downstream's own (a backport or a
// carried change).
func (k DetailKind) Downstream() bool { return k == DetailBackport || k == DetailCarried }

// Backport says the change is half of a backport pair: a downstream
// change matched upstream, or an upstream commit the downstream carries.
func (k DetailKind) Backport() bool { return k == DetailBackport || k == DetailBackported }

// FixedCommit is a commit a missing fix fixes, and how the downstream has
// it.
type FixedCommit struct {
	ID  string
	How string // "carried by <short id>", FixedItselfMissing or "in the base"
	// Missing says the downstream lacks the fixed commit too: it is
	// itself a missing fix.
	Missing bool
}

// FixedItselfMissing is how a fixed commit the downstream lacks too is
// said.
const FixedItselfMissing = "itself a missing fix"

// ChangeDetail is everything known of one commit or patch in one
// downstream's delta: what it is there, its match or its carriers, what a
// missing fix fixes, a carried change's status and timeline, the latest
// results of the tests covering it, its diff and, for a backport pair,
// the interdiff of the two sides. Reads that fail without making the rest
// wrong (a diff, the statuses, the test results) are kept in the *Err
// fields for the surface to show.
type ChangeDetail struct {
	ID          string // full, lower case
	Fingerprint *change.Fingerprint
	Kind        DetailKind
	Entry       *Commit       // an upstream commit's entry in the delta
	Match       *match.Match  // a downstream change's match
	Carriers    []match.Match // the downstream changes carrying an upstream commit
	Fixes       []FixedCommit // a missing fix: what it fixes
	Problems    []match.Problem
	Carried     *Carried // a downstream change's status
	Timeline    []TimelineEntry
	Tests       []TestStatus      // of the tests covering its components, by TestRank then name
	Subjects    map[string]string // subjects of the commits the detail names, by id

	Diff, DiffFrom string // the change's text and where it was read from
	DiffErr        error

	// A backport pair: the upstream and downstream changes compared, and
	// their interdiff.
	Upstream, Downstream []string
	Inter                []InterFile
	InterErr             error

	ManualMatch    []string // the manual match of a downstream change (none: downstream-only)
	HasManualMatch bool
	Annotation     *Annotation // a downstream change's manual status
	Ignore         *Ignore     // the ignore-list entry that covers an upstream commit here
	StatusErr      error       // the statuses or the timeline could not be read
	TestErr        error       // the test results could not be read
}

// PairID is the downstream change a correction of the pair (a manual
// match, "not a backport") acts on: the change itself when it is
// downstream's, or the one change that carries an upstream commit; ""
// when there is none or several.
func (d *ChangeDetail) PairID() string {
	switch {
	case d.Kind.Downstream():
		return d.ID
	case d.Kind == DetailBackported && len(d.Carriers) == 1:
		return d.Carriers[0].Downstream
	}
	return ""
}

// OtherSide lists the commits on the other side of a backport pair: the
// upstream commits a backport carries, or the downstream changes that
// carry an upstream commit.
func (d *ChangeDetail) OtherSide() []string {
	switch d.Kind {
	case DetailBackport:
		return d.Upstream
	case DetailBackported:
		return d.Downstream
	}
	return nil
}

// Analyses gives a downstream's analysis (SOURCE or SOURCE@REF) with its
// tests attached, and the statuses of its carried changes decided on one
// of those analyses. The Service is one; a surface that keeps analyses
// and statuses for a session is another.
type Analyses interface {
	Analysis(ctx context.Context, target string) (*Result, error)
	Statuses(ctx context.Context, r *Result) ([]Carried, error)
}

// ChangeDetail reads what is known of a commit or patch (a full id) in
// the delta of a downstream (SOURCE or SOURCE@REF). Only a missing
// fingerprint or analysis fails it; a diff, status or test result that
// cannot be read is in the detail's *Err fields.
func (s *Service) ChangeDetail(ctx context.Context, target, id string) (*ChangeDetail, error) {
	return s.ChangeDetailFrom(ctx, s, target, id)
}

// ChangeDetailFrom is ChangeDetail with the analysis read from an (a
// surface's kept analyses).
func (s *Service) ChangeDetailFrom(ctx context.Context, an Analyses, target, id string) (*ChangeDetail, error) {
	id = strings.ToLower(id)
	fp, err := s.Fingerprint(ctx, id)
	if err != nil {
		return nil, err
	}
	r, err := an.Analysis(ctx, target)
	if err != nil {
		return nil, err
	}
	source, _ := Target(r.Downstream)
	d := &ChangeDetail{ID: id, Fingerprint: fp, Subjects: map[string]string{}}
	all := r.Component("")
	if all == nil {
		all = &ComponentDelta{}
	}
	for _, list := range [][]Commit{all.Backported, all.Missing, all.MissingFixes, all.DownstreamOnly, all.RevertedUpstream} {
		for _, cm := range list {
			d.Subjects[cm.ID] = cm.Subject
		}
	}
	for i := range r.Matches {
		m := r.Matches[i]
		if m.Downstream == id {
			d.Match = &m
		}
		for _, u := range m.Upstream {
			if u == id && m.Method != match.MethodRevert {
				d.Carriers = append(d.Carriers, m)
			}
		}
	}
	for _, p := range r.Problems {
		if p.Downstream == id {
			d.Problems = append(d.Problems, p)
		}
	}
	find := func(list []Commit) *Commit {
		for i := range list {
			if list[i].ID == id {
				return &list[i]
			}
		}
		return nil
	}
	ignores, err := s.Ignores(ctx)
	if err != nil {
		return nil, err
	}
	d.Ignore = IgnoreOf(ignores, source, fp)
	switch {
	case d.Match != nil && len(d.Match.Upstream) > 0:
		d.Kind = DetailBackport
		d.Upstream, d.Downstream = d.Match.Upstream, []string{id}
	case d.Match != nil:
		d.Kind = DetailCarried
	case find(all.MissingFixes) != nil:
		d.Kind, d.Entry = DetailMissingFix, find(all.MissingFixes)
	case find(all.Missing) != nil:
		d.Kind, d.Entry = DetailMissing, find(all.Missing)
	case find(all.Backported) != nil || find(all.RevertedUpstream) != nil || len(d.Carriers) > 0:
		d.Kind, d.Entry = DetailBackported, find(all.Backported)
		if d.Entry == nil {
			d.Entry = find(all.RevertedUpstream)
		}
		d.Upstream = []string{id}
		for _, m := range d.Carriers {
			d.Downstream = append(d.Downstream, m.Downstream)
			for _, u := range m.Upstream {
				if !slices.Contains(d.Upstream, u) {
					d.Upstream = append(d.Upstream, u)
				}
			}
		}
	case d.Ignore != nil:
		d.Kind = DetailIgnored
	default:
		d.Kind = DetailUpstream
	}
	if d.Entry != nil {
		for _, f := range d.Entry.Fixes {
			d.Fixes = append(d.Fixes, fixedHow(r, all, f))
		}
	}

	if d.Kind.Downstream() {
		if err := s.downstreamDetail(ctx, an, r, d); err != nil {
			return nil, err
		}
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}

	byComp, err := s.detailTests(ctx, r, fp.Components)
	if err != nil {
		d.TestErr = err
	}
	seen := map[string]bool{}
	for _, comp := range fp.Components {
		for _, t := range byComp[comp] {
			k := t.Test + "\x00" + t.Lab + "\x00" + t.Hardware
			if !seen[k] {
				seen[k] = true
				d.Tests = append(d.Tests, t)
			}
		}
	}
	sort.SliceStable(d.Tests, func(i, j int) bool {
		a, b := d.Tests[i], d.Tests[j]
		if ra, rb := TestRank(a.Status), TestRank(b.Status); ra != rb {
			return ra < rb
		}
		return a.Test < b.Test
	})

	d.Diff, d.DiffFrom, d.DiffErr = s.ChangeText(ctx, id)
	if d.Kind.Backport() {
		var up, down string
		up, d.InterErr = s.joinedText(ctx, d, d.Upstream)
		if d.InterErr == nil {
			down, d.InterErr = s.joinedText(ctx, d, d.Downstream)
		}
		if d.InterErr == nil {
			d.Inter = Interdiff(up, down)
		}
	}
	// Subjects of the other commits the detail names.
	var named []string
	named = append(named, d.Upstream...)
	named = append(named, d.Downstream...)
	for _, f := range d.Fixes {
		named = append(named, f.ID)
	}
	for _, f := range fp.Trailers.Fixes {
		named = append(named, f.ID)
	}
	for _, n := range named {
		if _, ok := d.Subjects[n]; ok || n == id {
			continue
		}
		if o, err := s.Fingerprint(ctx, strings.ToLower(n)); err == nil {
			d.Subjects[n] = o.Subject
		}
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return d, nil
}

// downstreamDetail reads what a downstream change has besides its match:
// its manual match and status, its decided status (an's, on r) and its
// timeline in the downstream of r.
func (s *Service) downstreamDetail(ctx context.Context, an Analyses, r *Result, d *ChangeDetail) error {
	overrides, err := s.ManualMatches(ctx)
	if err != nil {
		return err
	}
	d.ManualMatch, d.HasManualMatch = overrides[d.ID]
	notes, err := s.Annotations(ctx)
	if err != nil {
		return err
	}
	if a, ok := notes[d.ID]; ok {
		d.Annotation = &a
	}
	carried, err := an.Statuses(ctx, r)
	if err != nil {
		d.StatusErr = err
	}
	for i := range carried {
		if carried[i].ID == d.ID {
			d.Carried = &carried[i]
		}
		d.Subjects[carried[i].ID] = carried[i].Subject
	}
	tl, err := s.Timeline(ctx, d.ID)
	if err != nil && d.StatusErr == nil {
		d.StatusErr = err
	}
	for _, e := range tl {
		if e.ID == d.ID && e.Downstream == r.Downstream {
			d.Timeline = append(d.Timeline, e)
		}
	}
	return nil
}

// detailTests are the latest test results of the downstream of r by
// component, for the components given: those r has tests attached for
// (its analysis's delta touches them), the others read from the store.
func (s *Service) detailTests(ctx context.Context, r *Result, comps []string) (map[string][]TestStatus, error) {
	byComp := map[string][]TestStatus{}
	var lacking []string
	for _, comp := range comps {
		if cd := r.Component(comp); cd != nil {
			byComp[comp] = cd.Tests
		} else {
			lacking = append(lacking, comp)
		}
	}
	if len(lacking) == 0 {
		return byComp, nil
	}
	source, _ := Target(r.Downstream)
	latest, err := s.LatestTests(ctx, source)
	if err != nil {
		return nil, err
	}
	for _, comp := range lacking {
		byComp[comp] = latest[comp]
	}
	return byComp, nil
}

// fixedHow says how the downstream of r has the commit a missing fix
// fixes.
func fixedHow(r *Result, all *ComponentDelta, fixed string) FixedCommit {
	for _, m := range r.Matches {
		if slices.Contains(m.Upstream, fixed) {
			return FixedCommit{ID: fixed, How: "carried by " + change.Short(m.Downstream)}
		}
	}
	for _, c := range all.MissingFixes {
		if c.ID == fixed {
			return FixedCommit{ID: fixed, How: FixedItselfMissing, Missing: true}
		}
	}
	return FixedCommit{ID: fixed, How: "in the base"}
}

// joinedText is the texts of changes one after the other, each ending in
// a line break; the text of d's own change is its Diff, already read.
func (s *Service) joinedText(ctx context.Context, d *ChangeDetail, ids []string) (string, error) {
	var b strings.Builder
	for _, id := range ids {
		t, err := d.Diff, d.DiffErr
		if id != d.ID {
			t, _, err = s.ChangeText(ctx, id)
		}
		if err != nil {
			return "", err
		}
		b.WriteString(t)
		if !strings.HasSuffix(t, "\n") {
			b.WriteString("\n")
		}
	}
	return b.String(), nil
}

// TestRank orders test results by what they say of the code: 0 a failure,
// 1 an error or a test that did not run, 2 anything else, 3 a pass.
func TestRank(status string) int {
	switch status {
	case "FAIL":
		return 0
	case "ERROR", "MISS":
		return 1
	case "PASS", "DONE":
		return 3
	}
	return 2
}
