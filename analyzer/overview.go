package analyzer

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
)

// Overview is what a release manager's report and the CI gate know of one
// downstream: per component counts and their change since the previous
// snapshot, the critical missing commits, the missing fixes (most critical
// first), every carried change with its status, the backports, the latest
// test results, the regressions, and the trend of the counts across
// snapshots. Its JSON form is the report's, versioned by the report's
// schema_version.
//
// Carried, everywhere kdelta says it (the CLI, the TUI, every report
// format and the JSON schema), is one set: the changes a downstream
// carries since its base that upstream lacks (no upstream commit matches
// them; "downstream-only" in kdelta delta's columns). A backport is not
// carried: it is backported. The carried changes are counted by status,
// and the statuses add up to the carried count.
type Overview struct {
	Downstream string `json:"downstream"` // SOURCE@REF
	Kind       string `json:"kind"`       // distro, vendor, stable
	Upstream   string `json:"upstream"`   // SOURCE@REF
	Base       string `json:"base"`
	BaseHow    string `json:"base_how"`
	Tip        string `json:"tip"`
	// Snapshot is the snapshot the overview was read from (a baseline from
	// the store), or the latest one it was compared with; 0 when none.
	Snapshot   int64              `json:"snapshot,omitempty"`
	Components []ComponentSummary `json:"components"` // the whole first (component ""), then by name
	// Critical are the missing commits to take first: those ranked cve or
	// release (see Ranks), most critical first.
	Critical     []MissingFix `json:"critical"`
	MissingFixes []MissingFix `json:"missing_fixes"` // most critical first
	Carried      []Carried    `json:"carried"`       // the changes upstream lacks, in the downstream's order
	Backports    []Backport   `json:"backports"`
	Tests        []TestStatus `json:"tests"`
	Regressions  []Regression `json:"regressions"`
	Trend        []TrendPoint `json:"trend"` // oldest first
	// Partial says what the overview lacks, when it was read from a
	// snapshot that did not record everything (missing fixes before
	// kdelta kept them); "" when complete.
	Partial string `json:"partial,omitempty"`

	// changes are every change the downstream has since its base, the
	// backports too, with its status: what the status check follows a
	// change into, whatever it became (nil when read from a file or a
	// snapshot).
	changes []Carried
}

// ComponentSummary is the counts of one component.
type ComponentSummary struct {
	Component    string         `json:"component"` // "" for the whole
	Backported   int            `json:"backported"`
	Missing      int            `json:"missing"`
	MissingFixes int            `json:"missing_fixes"`
	CVEs         int            `json:"cves"`      // missing commits that name a CVE
	Carried      int            `json:"carried"`   // changes it carries that upstream lacks
	ByStatus     map[string]int `json:"by_status"` // the carried changes by status: they add up to Carried
	Tests        TestCounts     `json:"tests"`
	// Severity is the worst of the component's items (see Severities).
	Severity string `json:"severity"`
	// Change is the difference of the counts with the previous snapshot;
	// nil when there is none.
	Change *CountChange `json:"change,omitempty"`
}

// TestCounts counts the latest results of the tests covering a component.
type TestCounts struct {
	Pass  int `json:"pass"`
	Fail  int `json:"fail"`
	Other int `json:"other"` // ERROR, MISS, DONE, SKIP
}

// CountChange is how the counts of a component moved since a snapshot.
type CountChange struct {
	Since        int64     `json:"since"` // the snapshot
	SinceDate    time.Time `json:"since_date"`
	Backported   int       `json:"backported"`
	Missing      int       `json:"missing"`
	MissingFixes int       `json:"missing_fixes"`
	Carried      int       `json:"carried"`
}

// MissingFix is an upstream fix the downstream lacks for code it has (or,
// in Critical, a missing commit that names a CVE), with its priority.
type MissingFix struct {
	Commit
	Priority
	Components []string   `json:"components"`
	FixesWhat  []FixedRef `json:"fixes_what"` // the commits it fixes, with their subjects
}

// FixedRef is a commit a missing fix fixes.
type FixedRef struct {
	ID      string `json:"id"`
	Subject string `json:"subject"`
	// Carried are the downstream changes that carry it, when it came as a
	// backport; empty when the downstream has it from its base.
	Carried []string `json:"carried,omitempty"`
}

// Backport is an upstream commit the downstream carries.
type Backport struct {
	Upstream   string    `json:"upstream"`
	Subject    string    `json:"subject"`
	Date       time.Time `json:"date"`
	Components []string  `json:"components"`
	Carried    []string  `json:"carried"` // the downstream changes that carry it
	// RevertedBy is the upstream commit that reverted it upstream since:
	// the downstream carries what upstream took back.
	RevertedBy string `json:"reverted_by,omitempty"`
}

// TrendPoint is the whole-downstream counts in one snapshot.
type TrendPoint struct {
	Snapshot     int64     `json:"snapshot"`
	Date         time.Time `json:"date"`
	Backported   int       `json:"backported"`
	Missing      int       `json:"missing"`
	MissingFixes int       `json:"missing_fixes"`
	Carried      int       `json:"carried"`
}

// Overviews returns the overview of each downstream (SOURCE or SOURCE@REF)
// as the store holds it now.
func Overviews(ctx context.Context, db *store.DB, cfg *project.Config, targets []string) ([]Overview, error) {
	rules, err := cfg.TestRules()
	if err != nil {
		return nil, err
	}
	ev := &evidence{db: db}
	out := make([]Overview, 0, len(targets))
	for _, t := range targets {
		ov, err := overview(ctx, db, cfg, rules, t, ev)
		if err != nil {
			return nil, err
		}
		out = append(out, *ov)
	}
	return out, nil
}

func overview(ctx context.Context, db *store.DB, cfg *project.Config, rules *project.TestRules, target string, ev *evidence) (*Overview, error) {
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
	source, refName := Target(r.Downstream)
	ov := &Overview{Downstream: r.Downstream, Upstream: r.Upstream, Base: r.Base, BaseHow: r.BaseHow, Tip: r.Tip, Carried: onlyCarriedIn(r, all, ""), changes: all}
	if s := cfg.Source(source); s != nil {
		ov.Kind = s.Kind
	}
	byStatus := map[string]map[string]int{}
	count := func(comp, st string) {
		if byStatus[comp] == nil {
			byStatus[comp] = map[string]int{}
		}
		byStatus[comp][st]++
	}
	for _, c := range ov.Carried {
		count("", c.Status.Status)
		for _, comp := range c.Components {
			count(comp, c.Status.Status)
		}
	}
	for i := range r.Components {
		cd := &r.Components[i]
		cs := ComponentSummary{Component: cd.Component, Backported: len(cd.Backported), Missing: len(cd.Missing),
			MissingFixes: len(cd.MissingFixes), CVEs: countCVEs(cd.Missing), Carried: len(cd.DownstreamOnly), ByStatus: byStatus[cd.Component]}
		if cs.ByStatus == nil {
			cs.ByStatus = map[string]int{}
		}
		cs.Tests = CountTests(cd.Tests)
		cs.Severity = cs.severity()
		ov.Components = append(ov.Components, cs)
	}
	ov.MissingFixes = missingCommits(r, func(cd *ComponentDelta) []Commit { return cd.MissingFixes })
	ov.Critical = missingCommits(r, func(cd *ComponentDelta) []Commit { return cd.Missing })
	for _, list := range [][]MissingFix{ov.MissingFixes, ov.Critical} {
		if err := fixedSubjects(ctx, db, r, list); err != nil {
			return nil, err
		}
	}
	ov.MissingFixes = rankFixes(rk, ov.MissingFixes)
	critical := []MissingFix{}
	for _, m := range rankFixes(rk, ov.Critical) {
		if RankOrder(m.Rank) <= RankOrder(RankRelease) {
			critical = append(critical, m)
		}
	}
	ov.Critical = critical
	ov.Backports = backports(r)
	ov.Tests = []TestStatus{}
	if all := r.Component(""); all != nil && all.Tests != nil {
		ov.Tests = all.Tests
	}
	if ov.Regressions, err = regressions(ctx, db, cfg, rules, source, r); err != nil {
		return nil, err
	}
	if ov.Regressions == nil {
		ov.Regressions = []Regression{}
	}
	_, ref, err := db.FindRef(ctx, source, refName)
	if err != nil {
		return nil, err
	}
	hist, err := db.CountHistory(ctx, ref.ID)
	if err != nil {
		return nil, err
	}
	ov.Trend = trend(hist)
	if len(hist) > 0 {
		ov.Snapshot = hist[len(hist)-1].Snapshot
		setChange(ov, hist)
	}
	return ov, nil
}

// onlyCarriedIn keeps, of every change a downstream has since its base,
// the carried ones of one component ("" for every one): those its
// analysis found no upstream commit for (not the backports, nor its
// reverts of its own changes), in the order of all; never nil (an empty
// list in JSON).
func onlyCarriedIn(r *Result, all []Carried, component string) []Carried {
	only := map[string]bool{}
	if cd := r.Component(component); cd != nil {
		for _, c := range cd.DownstreamOnly {
			only[c.ID] = true
		}
	}
	out := []Carried{}
	for _, c := range all {
		if only[c.ID] {
			out = append(out, c)
		}
	}
	return out
}

// countCVEs counts the commits that name a CVE.
func countCVEs(cs []Commit) int {
	n := 0
	for _, c := range cs {
		if len(c.CVEs) > 0 {
			n++
		}
	}
	return n
}

// The severities of a component, worst first: what colours a cell of the
// component x downstream matrix (the TUI, the HTML report) and what the
// matrix's legend explains.
const (
	SeverityCVE     = "cve"     // a missing commit names a CVE
	SeverityFix     = "fix"     // a missing fix: upstream fixed code the downstream has
	SeverityTest    = "test"    // a test covering it fails
	SeverityMissing = "missing" // only missing commits that fix nothing it has (features, cleanups)
	SeverityNone    = "none"    // nothing missing, nothing failing
)

// Severities lists the severities, worst first, with what each means.
func Severities() [][2]string {
	return [][2]string{
		{SeverityCVE, "a CVE fix missing"},
		{SeverityFix, "a missing fix"},
		{SeverityTest, "a failing test"},
		{SeverityMissing, "only missing features"},
		{SeverityNone, "nothing missing"},
	}
}

// SeverityOf is the worst item of a component's counts.
func SeverityOf(cves, missingFixes, failingTests, missing int) string {
	switch {
	case cves > 0:
		return SeverityCVE
	case missingFixes > 0:
		return SeverityFix
	case failingTests > 0:
		return SeverityTest
	case missing > 0:
		return SeverityMissing
	}
	return SeverityNone
}

func (cs ComponentSummary) severity() string {
	return SeverityOf(cs.CVEs, cs.MissingFixes, cs.Tests.Fail, cs.Missing)
}

// DeltaSeverity is the worst item of a component's delta (with its tests
// attached).
func DeltaSeverity(cd *ComponentDelta) string {
	return SeverityOf(countCVEs(cd.Missing), len(cd.MissingFixes), cd.FailingTests, len(cd.Missing))
}

// CountTests counts test results by outcome.
func CountTests(ts []TestStatus) TestCounts {
	var n TestCounts
	for _, t := range ts {
		switch {
		case t.Status == "PASS":
			n.Pass++
		case Failing(t.Status):
			n.Fail++
		default:
			n.Other++
		}
	}
	return n
}

// missingCommits lists a missing list of an analysis (of, from each
// component's delta) with the components of each commit.
func missingCommits(r *Result, of func(*ComponentDelta) []Commit) []MissingFix {
	comps := map[string][]string{}
	for i := range r.Components {
		cd := &r.Components[i]
		if cd.Component == "" {
			continue
		}
		for _, c := range of(cd) {
			comps[c.ID] = append(comps[c.ID], cd.Component)
		}
	}
	out := []MissingFix{}
	if all := r.Component(""); all != nil {
		for _, c := range of(all) {
			out = append(out, MissingFix{Commit: c, Components: nonNil(comps[c.ID]), FixesWhat: []FixedRef{}})
		}
	}
	return out
}

// missingFixes lists the missing fixes of an analysis with their
// components, in the analysis's order.
func missingFixes(r *Result) []MissingFix {
	return missingCommits(r, func(cd *ComponentDelta) []Commit { return cd.MissingFixes })
}

// rankFixes gives each missing commit its priority and sorts them most
// critical first, in their order within a rank.
func rankFixes(rk *Ranker, fixes []MissingFix) []MissingFix {
	for i := range fixes {
		fixes[i].Priority = rk.Priority(fixes[i].Commit)
	}
	sort.SliceStable(fixes, func(i, j int) bool { return RankOrder(fixes[i].Rank) < RankOrder(fixes[j].Rank) })
	return fixes
}

// fixedSubjects fills in what each missing fix fixes: the commit's subject
// and, when it came as a backport, the changes that carry it.
func fixedSubjects(ctx context.Context, db *store.DB, r *Result, fixes []MissingFix) error {
	carried := map[string][]string{}
	subject := map[string]string{}
	if all := r.Component(""); all != nil {
		for _, c := range all.Backported {
			carried[c.ID] = c.Carried
			subject[c.ID] = c.Subject
		}
	}
	var need []string
	for _, f := range fixes {
		for _, id := range f.Fixes {
			if _, ok := subject[id]; !ok {
				need = append(need, id)
			}
		}
	}
	if len(need) > 0 {
		ids, err := db.CommitIDs(ctx, need)
		if err != nil {
			return err
		}
		list := make([]int64, 0, len(ids))
		for _, id := range ids {
			list = append(list, id)
		}
		heads, err := db.Heads(ctx, list)
		if err != nil {
			return err
		}
		for _, fp := range heads {
			subject[fp.ID] = fp.Subject
		}
	}
	for i := range fixes {
		for _, id := range fixes[i].Fixes {
			fixes[i].FixesWhat = append(fixes[i].FixesWhat, FixedRef{ID: id, Subject: subject[id], Carried: carried[id]})
		}
	}
	return nil
}

// backports lists the upstream commits an analysis found backported, with
// their components.
func backports(r *Result) []Backport {
	comps := map[string][]string{}
	for _, cd := range r.Components {
		if cd.Component == "" {
			continue
		}
		for _, c := range cd.Backported {
			comps[c.ID] = append(comps[c.ID], cd.Component)
		}
	}
	out := []Backport{}
	if all := r.Component(""); all != nil {
		for _, c := range all.Backported {
			out = append(out, Backport{Upstream: c.ID, Subject: c.Subject, Date: c.Date, Components: nonNil(comps[c.ID]), Carried: nonNil(c.Carried),
				RevertedBy: c.RevertedBy})
		}
	}
	return out
}

func trend(hist []store.CountPoint) []TrendPoint {
	out := []TrendPoint{}
	for _, p := range hist {
		for _, c := range p.Counts {
			if c.Component == "" {
				out = append(out, TrendPoint{Snapshot: p.Snapshot, Date: p.Created, Backported: c.Backported,
					Missing: c.Missing, MissingFixes: c.MissingFixes, Carried: c.Carried})
			}
		}
	}
	return out
}

// setChange sets each component's change since the previous snapshot: the
// one before the latest when the latest has the counts of now (a sync
// saved it), else the latest.
func setChange(ov *Overview, hist []store.CountPoint) {
	now := map[string]store.ComponentCount{}
	for _, c := range ov.Components {
		now[c.Component] = store.ComponentCount{Component: c.Component, Backported: c.Backported, Missing: c.Missing,
			MissingFixes: c.MissingFixes, Carried: c.Carried}
	}
	same := func(p store.CountPoint) bool {
		if len(p.Counts) != len(now) {
			return false
		}
		for _, c := range p.Counts {
			if now[c.Component] != c {
				return false
			}
		}
		return true
	}
	prev := hist[len(hist)-1]
	if same(prev) {
		if len(hist) < 2 {
			return
		}
		prev = hist[len(hist)-2]
	}
	was := map[string]store.ComponentCount{}
	for _, c := range prev.Counts {
		was[c.Component] = c
	}
	for i := range ov.Components {
		c := &ov.Components[i]
		w := was[c.Component]
		c.Change = &CountChange{Since: prev.Snapshot, SinceDate: prev.Created, Backported: c.Backported - w.Backported,
			Missing: c.Missing - w.Missing, MissingFixes: c.MissingFixes - w.MissingFixes, Carried: c.Carried - w.Carried}
	}
}

// OverviewsAt reads the overviews of the downstreams a snapshot holds: the
// counts, statuses, missing fixes and backports it saved, and the test
// results imported by then.
func OverviewsAt(ctx context.Context, db *store.DB, cfg *project.Config, snapshot int64) ([]Overview, error) {
	info, err := db.SnapshotInfo(ctx, snapshot)
	if err != nil {
		return nil, err
	}
	refs, err := db.SnapshotContents(ctx, snapshot)
	if err != nil {
		return nil, err
	}
	rules, err := cfg.TestRules()
	if err != nil {
		return nil, err
	}
	var out []Overview
	for _, ref := range refs {
		ov := Overview{Downstream: ref.Source + "@" + ref.Ref, Snapshot: snapshot, Carried: []Carried{}, Backports: []Backport{},
			Critical: []MissingFix{}, MissingFixes: []MissingFix{}, Regressions: []Regression{}, Trend: []TrendPoint{}}
		if s := cfg.Source(ref.Source); s != nil {
			ov.Kind = s.Kind
		}
		// A snapshot keeps the status of every change, the backports'
		// too: carried are the others.
		backport := map[string]bool{}
		for _, b := range ref.Backports {
			ov.Backports = append(ov.Backports, Backport{Upstream: b.Upstream, Subject: b.Subject, Components: []string{}, Carried: nonNil(b.Carried)})
			for _, c := range b.Carried {
				backport[c] = true
			}
		}
		byStatus := map[string]int{}
		ov.changes = []Carried{}
		for _, st := range ref.Statuses {
			s, err := decodeStatus(st.Detail)
			if err != nil {
				return nil, fmt.Errorf("snapshot %d: status of %.12s: %w", snapshot, st.Change, err)
			}
			c := Carried{ID: st.Change, Path: st.Path, Subject: st.Subject, Components: []string{}, Status: s}
			ov.changes = append(ov.changes, c)
			if backport[st.Change] || strings.HasPrefix(st.Subject, "Revert \"") {
				continue
			}
			byStatus[s.Status]++
			ov.Carried = append(ov.Carried, c)
		}
		for _, c := range ref.Counts {
			cs := ComponentSummary{Component: c.Component, Backported: c.Backported, Missing: c.Missing, MissingFixes: c.MissingFixes,
				Carried: c.Carried, ByStatus: map[string]int{}}
			if c.Component == "" {
				cs.ByStatus = byStatus
			}
			ov.Components = append(ov.Components, cs)
		}
		if info.FixesSaved {
			for _, f := range ref.MissingFixes {
				ov.MissingFixes = append(ov.MissingFixes, MissingFix{Commit: Commit{ID: f.Commit, Subject: f.Subject},
					Components: nonNil(f.Components), FixesWhat: []FixedRef{}})
			}
		} else {
			ov.Partial = fmt.Sprintf("snapshot %d was saved before kdelta recorded missing fixes and backports", snapshot)
		}
		latest, err := latestTests(ctx, db, rules, store.ResultQuery{Source: ref.Source, ImportedBy: info.Created})
		if err != nil {
			return nil, err
		}
		ov.Tests = nonNilTests(latest[""])
		for i := range ov.Components {
			c := &ov.Components[i]
			c.Tests = CountTests(latest[c.Component])
			c.Severity = c.severity()
		}
		out = append(out, ov)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("snapshot %d holds no downstream: %w", snapshot, store.ErrNotFound)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Downstream < out[j].Downstream })
	return out, nil
}

func nonNilTests(ts []TestStatus) []TestStatus {
	if ts == nil {
		return []TestStatus{}
	}
	return ts
}
