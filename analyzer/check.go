package analyzer

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/kdelta/kdelta/analyzer/status"
	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/project"
)

// The kinds of regression `kdelta check` reports.
const (
	CheckStatus     = "status"      // a carried change's upstream status went backwards, or it lost its upstream match
	CheckBackport   = "backport"    // a backport that was present is gone
	CheckMissingFix = "missing-fix" // a new missing fix
	CheckGrowth     = "growth"      // a component's carried or missing count grew beyond the policy
	CheckTest       = "test"        // a test went from PASS to FAIL
)

// CheckKinds lists the kinds of check, in the order they are reported.
func CheckKinds() []string {
	return []string{CheckStatus, CheckBackport, CheckMissingFix, CheckGrowth, CheckTest}
}

// Finding is one regression found by comparing a downstream with its
// baseline.
type Finding struct {
	Downstream string `json:"downstream"`
	Kind       string `json:"kind"` // one of CheckKinds
	Component  string `json:"component,omitempty"`
	Subject    string `json:"subject"` // what regressed: a change, a commit, a component, a test
	ID         string `json:"id,omitempty"`
	Was        string `json:"was"` // in the baseline
	Now        string `json:"now"`
	Detail     string `json:"detail"` // one line a maintainer can act on
	// Rank is a new missing fix's rank (see Ranks), Reason why on this
	// downstream ("fixes code in kernel-5.14.0-250.el9"); its findings
	// come most critical first. Detail says the rank in words that do not
	// depend on the downstream, so that the same fix missing on several
	// downstreams reads the same.
	Rank   string `json:"rank,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// rankWhy says a missing fix's rank in words that hold on any downstream:
// its CVEs and Cc: stable are the commit's own, where fixed code ships is
// said without naming the release.
func rankWhy(c Commit, rank string) string {
	var parts []string
	if len(c.CVEs) > 0 {
		parts = append(parts, strings.Join(c.CVEs, ", "))
	}
	switch rank {
	case RankRelease:
		parts = append(parts, "fixes code a release of the downstream ships")
	case RankFix:
		parts = append(parts, "fixes code no release ships yet")
	}
	if c.Stable {
		parts = append(parts, "Cc: stable")
	}
	if rank == "" || rank == RankOther || len(parts) == 0 {
		return ""
	}
	return rank + ": " + strings.Join(parts, "; ")
}

// CheckResult is the outcome of comparing the current analysis with a
// baseline: every check that ran, per downstream, with its findings.
type CheckResult struct {
	Baseline string  `json:"baseline"` // the file or snapshot compared with
	Checks   []Check `json:"checks"`
	// uncomparable says why the baseline compared nothing (see
	// Uncomparable).
	uncomparable error
}

// ErrNothingCompared says a baseline gave a check nothing to compare:
// it names no downstream, shares none with the project (another project's
// report), or no check ran. A CI gate must not pass on it.
var ErrNothingCompared = errors.New("the baseline compares nothing")

// Uncomparable says why the baseline compared nothing, wrapping
// ErrNothingCompared; nil when at least one check ran.
func (r *CheckResult) Uncomparable() error { return r.uncomparable }

// Check is one kind of check on one downstream.
type Check struct {
	Downstream string    `json:"downstream"`
	Kind       string    `json:"kind"`
	Findings   []Finding `json:"findings"`          // empty when it passed
	Skipped    string    `json:"skipped,omitempty"` // why it did not run (turned off by the policy, not in the baseline, no results)
	// NoResults says the test check had nothing to compare: no test
	// result of the downstream is imported. It did not pass; it did not
	// run (Skipped says so).
	NoResults bool `json:"no_results,omitempty"`
}

// statusRank orders the statuses by how far upstream they are; a drop is a
// regression. Rejected and never are decisions, not progress: rank 0.
func statusRank(s string) int {
	switch s {
	case status.Mainline:
		return 3
	case status.Queued:
		return 2
	case status.Submitted:
		return 1
	}
	return 0
}

// CheckAgainst compares the current overviews with a baseline's under a
// policy. A downstream the baseline lacks has its checks skipped.
func CheckAgainst(baselineName string, baseline, current []Overview, policy *project.Policy) *CheckResult {
	res := &CheckResult{Baseline: baselineName, Checks: []Check{}}
	base := map[string]*Overview{}
	for i := range baseline {
		base[baseline[i].Downstream] = &baseline[i]
	}
	for i := range current {
		cur := &current[i]
		was := base[cur.Downstream]
		for _, kind := range CheckKinds() {
			c := Check{Downstream: cur.Downstream, Kind: kind, Findings: []Finding{}}
			switch {
			case !policy.Runs(kind):
				c.Skipped = "turned off by the policy"
			case was == nil:
				c.Skipped = "not in the baseline"
			case (kind == CheckMissingFix || kind == CheckBackport) && was.Partial != "":
				c.Skipped = was.Partial
			case kind == CheckGrowth && !hasGrowthLimit(policy):
				c.Skipped = "no growth limit set (see --policy)"
			case kind == CheckTest && len(cur.Tests) == 0:
				c.NoResults = true
				c.Skipped = "no results: no test result of " + cur.Downstream + " is imported ('kdelta results import')"
			default:
				c.Findings = checkers[kind](was, cur, policy)
			}
			res.Checks = append(res.Checks, c)
		}
	}
	res.uncomparable = uncomparable(baseline, current, res)
	return res
}

// uncomparable says why a baseline compared nothing with current.
func uncomparable(baseline, current []Overview, res *CheckResult) error {
	names := func(ovs []Overview) string {
		var out []string
		for _, o := range ovs {
			out = append(out, o.Downstream)
		}
		if len(out) == 0 {
			return "none"
		}
		return strings.Join(out, ", ")
	}
	shared := false
	for _, c := range current {
		for _, b := range baseline {
			shared = shared || b.Downstream == c.Downstream
		}
	}
	why := map[string]bool{}
	for _, c := range res.Checks {
		if c.Skipped == "" {
			return nil
		}
		why[c.Skipped] = true
	}
	switch {
	case len(baseline) == 0:
		return fmt.Errorf("%w: it names no downstream; want a JSON report of this project (kdelta report --format json, or --update-baseline) or a snapshot id", ErrNothingCompared)
	case !shared:
		return fmt.Errorf("%w: it shares no downstream with what is checked (it has %s; checked: %s): a report of another project?", ErrNothingCompared, names(baseline), names(current))
	}
	reasons := make([]string, 0, len(why))
	for w := range why {
		reasons = append(reasons, w)
	}
	sort.Strings(reasons)
	return fmt.Errorf("%w: no check ran (%s)", ErrNothingCompared, strings.Join(reasons, "; "))
}

var checkers = map[string]func(was, cur *Overview, p *project.Policy) []Finding{
	CheckStatus:     checkStatuses,
	CheckBackport:   checkBackports,
	CheckMissingFix: checkMissingFixes,
	CheckGrowth:     checkGrowth,
	CheckTest:       checkTests,
}

func hasGrowthLimit(p *project.Policy) bool {
	if p.MaxCarriedGrowth >= 0 || p.MaxMissingGrowth >= 0 {
		return true
	}
	for _, l := range p.Components {
		if l.MaxCarriedGrowth >= 0 || l.MaxMissingGrowth >= 0 {
			return true
		}
	}
	return false
}

func firstOf(s []string) string {
	if len(s) > 0 {
		return s[0]
	}
	return ""
}

// checkStatuses finds carried changes whose status went backwards. A
// change is followed by its id, else (after a rebase) by its patch file,
// else by its subject and author. A status a maintainer set by hand is a
// decision, not a regression.
func checkStatuses(was, cur *Overview, _ *project.Policy) []Finding {
	byID := map[string]*Carried{}
	byPath := map[string]*Carried{}
	byAuthor := map[string]*Carried{}
	bySubject := map[string]*Carried{} // nil when the subject repeats
	now := cur.changes
	if now == nil {
		now = cur.Carried
	}
	for i := range now {
		c := &now[i]
		byID[c.ID] = c
		if c.Path != "" {
			byPath[c.Path] = c
		}
		byAuthor[c.Subject+"\x00"+c.Author] = c
		if _, dup := bySubject[c.Subject]; dup {
			bySubject[c.Subject] = nil
		} else {
			bySubject[c.Subject] = c
		}
	}
	out := []Finding{}
	for _, b := range baselineChanges(was) {
		c := byID[b.ID]
		if c == nil && b.Path != "" {
			c = byPath[b.Path]
		}
		if c == nil && b.Author != "" {
			c = byAuthor[b.Subject+"\x00"+b.Author]
		}
		if c == nil && b.Author == "" {
			c = bySubject[b.Subject] // a snapshot keeps no author
		}
		if c == nil || statusRank(c.Status.Status) >= statusRank(b.Status.Status) {
			continue
		}
		if len(c.Status.Evidence) > 0 && c.Status.Evidence[0].From == status.FromAnnotation {
			continue
		}
		f := Finding{Downstream: cur.Downstream, Kind: CheckStatus, Component: firstOf(c.Components), Subject: c.Subject, ID: c.ID,
			Was: b.Status.Status, Now: c.Status.Status}
		why := ""
		for _, e := range c.Status.Evidence {
			if e.Says == c.Status.Status || why == "" {
				why = e.What
				if e.Says == c.Status.Status {
					break
				}
			}
		}
		switch {
		case c.ID != b.ID && len(b.Status.Upstream) > 0 && len(c.Status.Upstream) == 0:
			f.Detail = fmt.Sprintf("lost its upstream match after a rebase (was %.12s, matching %s; now %.12s)", b.ID, change.ShortList(b.Status.Upstream), c.ID)
		case why != "":
			f.Detail = fmt.Sprintf("%s -> %s: %s", b.Status.Status, c.Status.Status, why)
		default:
			f.Detail = fmt.Sprintf("%s -> %s", b.Status.Status, c.Status.Status)
		}
		out = append(out, f)
	}
	return out
}

// baselineChanges are the changes of a baseline with their statuses: the
// carried ones, then each backport's carriers as mainline (a baseline
// written before kdelta kept backports out of carried lists them once).
// A baseline read from the store has them all.
func baselineChanges(was *Overview) []Carried {
	if was.changes != nil {
		return was.changes
	}
	out := append([]Carried(nil), was.Carried...)
	seen := map[string]bool{}
	for _, c := range was.Carried {
		seen[c.ID] = true
	}
	// A change that carries an upstream commit upstream reverted is no
	// longer mainline, even when it carries others too (a squash): its
	// status was not kept.
	for _, b := range was.Backports {
		if b.RevertedBy != "" {
			for _, id := range b.Carried {
				seen[id] = true
			}
		}
	}
	for _, b := range was.Backports {
		for _, id := range b.Carried {
			if seen[id] {
				continue
			}
			seen[id] = true
			out = append(out, Carried{ID: id, Subject: b.Subject, Components: b.Components,
				Status: status.Status{Status: status.Mainline, Upstream: []string{b.Upstream}}})
		}
	}
	return out
}

// checkBackports finds upstream commits the baseline had backported that
// the downstream no longer carries.
func checkBackports(was, cur *Overview, _ *project.Policy) []Finding {
	now := map[string]bool{}
	for _, b := range cur.Backports {
		now[b.Upstream] = true
	}
	out := []Finding{}
	for _, b := range was.Backports {
		if now[b.Upstream] {
			continue
		}
		out = append(out, Finding{Downstream: cur.Downstream, Kind: CheckBackport, Component: firstOf(b.Components), Subject: b.Subject,
			ID: b.Upstream, Was: "backported as " + change.ShortList(b.Carried), Now: "gone",
			Detail: fmt.Sprintf("upstream %.12s was carried by %s and no change carries it now (dropped in a rebase, or reverted)", b.Upstream, change.ShortList(b.Carried))})
	}
	return out
}

// checkMissingFixes finds missing fixes the baseline did not have, in the
// policy's components when it lists some.
func checkMissingFixes(was, cur *Overview, p *project.Policy) []Finding {
	had := map[string]bool{}
	for _, f := range was.MissingFixes {
		had[f.ID] = true
	}
	out := []Finding{}
	for _, f := range cur.MissingFixes {
		if had[f.ID] {
			continue
		}
		comp := firstOf(f.Components)
		if p.MissingFixComponents != nil {
			comp = ""
			for _, c := range f.Components {
				if slices.Contains(p.MissingFixComponents, c) {
					comp = c
					break
				}
			}
			if comp == "" {
				continue
			}
		}
		fixes := make([]string, len(f.FixesWhat))
		for i, w := range f.FixesWhat {
			fixes[i] = fmt.Sprintf("%.12s", w.ID)
			if w.Subject != "" {
				fixes[i] += fmt.Sprintf(" (%q)", w.Subject)
			}
		}
		if len(fixes) == 0 {
			fixes = []string{change.ShortList(f.Fixes)}
		}
		detail := fmt.Sprintf("upstream %.12s fixes %s, which the downstream has", f.ID, strings.Join(fixes, ", "))
		if why := rankWhy(f.Commit, f.Rank); why != "" {
			detail += " [" + why + "]"
		}
		out = append(out, Finding{Downstream: cur.Downstream, Kind: CheckMissingFix, Component: comp, Subject: f.Subject, ID: f.ID,
			Was: "not missing", Now: "missing fix", Detail: detail, Rank: f.Rank, Reason: f.Reason})
	}
	sort.SliceStable(out, func(i, j int) bool { return RankOrder(out[i].Rank) < RankOrder(out[j].Rank) })
	return out
}

// checkGrowth finds components whose carried or missing count grew beyond
// the policy's limits.
func checkGrowth(was, cur *Overview, p *project.Policy) []Finding {
	before := map[string]ComponentSummary{}
	for _, c := range was.Components {
		before[c.Component] = c
	}
	out := []Finding{}
	for _, c := range cur.Components {
		if c.Component == "" {
			continue
		}
		b := before[c.Component]
		lim := p.LimitsOf(c.Component)
		if lim.MaxCarriedGrowth >= 0 && c.Carried-b.Carried > lim.MaxCarriedGrowth {
			out = append(out, Finding{Downstream: cur.Downstream, Kind: CheckGrowth, Component: c.Component, Subject: c.Component + " carried",
				Was: fmt.Sprint(b.Carried), Now: fmt.Sprint(c.Carried),
				Detail: fmt.Sprintf("%s carries %d more downstream-only changes than the baseline; the policy allows %d", c.Component, c.Carried-b.Carried, lim.MaxCarriedGrowth)})
		}
		if lim.MaxMissingGrowth >= 0 && c.Missing-b.Missing > lim.MaxMissingGrowth {
			out = append(out, Finding{Downstream: cur.Downstream, Kind: CheckGrowth, Component: c.Component, Subject: c.Component + " missing",
				Was: fmt.Sprint(b.Missing), Now: fmt.Sprint(c.Missing),
				Detail: fmt.Sprintf("%s lacks %d more upstream commits than the baseline; the policy allows %d", c.Component, c.Missing-b.Missing, lim.MaxMissingGrowth)})
		}
	}
	return out
}

// checkTests finds tests whose latest result went from PASS to FAIL in the
// same lab on the same hardware.
func checkTests(was, cur *Overview, _ *project.Policy) []Finding {
	key := func(t TestStatus) string { return t.Test + "\x00" + t.Lab + "\x00" + t.Hardware }
	before := map[string]TestStatus{}
	for _, t := range was.Tests {
		before[key(t)] = t
	}
	out := []Finding{}
	for _, t := range cur.Tests {
		b, ok := before[key(t)]
		if !ok || b.Status != "PASS" || !Failing(t.Status) {
			continue
		}
		where := strings.Trim(t.Lab+", "+t.Hardware, ", ")
		detail := fmt.Sprintf("PASS on %s, FAIL on %s (%s)", b.Target, t.Target, where)
		if t.Message != "" {
			detail += ": " + t.Message
		}
		out = append(out, Finding{Downstream: cur.Downstream, Kind: CheckTest, Component: firstOf(t.Components), Subject: t.Test,
			Was: "PASS", Now: t.Status, Detail: detail})
	}
	return out
}

// Regressions counts the findings of every check.
func (r *CheckResult) Regressions() int {
	n := 0
	for _, c := range r.Checks {
		n += len(c.Findings)
	}
	return n
}
