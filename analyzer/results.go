package analyzer

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/sources/gitrepo"
	"github.com/kdelta/kdelta/store"
)

// TestStatus is one test's result on one target.
type TestStatus struct {
	Test       string    `json:"test"`
	Components []string  `json:"components,omitempty"`
	Lab        string    `json:"lab,omitempty"`
	Hardware   string    `json:"hardware,omitempty"`
	Status     string    `json:"status"`
	Target     string    `json:"target"` // SOURCE@LABEL
	Commit     string    `json:"commit,omitempty"`
	Started    time.Time `json:"started,omitzero"`
	Duration   float64   `json:"duration_s,omitempty"`
	Message    string    `json:"message,omitempty"`
	LogURL     string    `json:"log_url,omitempty"`
}

func testStatus(r store.TestResult, comps []string) TestStatus {
	return TestStatus{Test: r.Path, Components: comps, Lab: r.Lab, Hardware: r.Hardware, Status: r.Status,
		Target: r.Target.Source + "@" + r.Target.Label, Commit: r.Target.Commit, Started: r.Started,
		Duration: r.Duration.Seconds(), Message: r.Message, LogURL: r.LogURL}
}

// TestHistory returns every stored result of one test, by source, oldest
// target first.
func TestHistory(ctx context.Context, db *store.DB, test string) ([]TestStatus, error) {
	rows, err := db.TestResults(ctx, store.ResultQuery{Path: test})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Target.Source < rows[j].Target.Source })
	out := make([]TestStatus, len(rows))
	for i, r := range rows {
		out[i] = testStatus(r, nil)
	}
	return out, nil
}

// Failing says whether a status is a failure of the code under test. An
// ERROR is the test itself breaking (kcidb's meaning): it says nothing of
// the code and is not counted.
func Failing(status string) bool { return status == "FAIL" }

// runKey is one test in one setup: a lab and its hardware.
type runKey struct{ path, lab, hardware string }

// LatestTests returns, per component, the latest result of each test that
// covers it on a source (one per test, lab and hardware: the result on the
// newest target), failing ones first. The component "" holds every test.
func LatestTests(ctx context.Context, db *store.DB, rules *project.TestRules, source string) (map[string][]TestStatus, error) {
	return latestTests(ctx, db, rules, store.ResultQuery{Source: source})
}

func latestTests(ctx context.Context, db *store.DB, rules *project.TestRules, q store.ResultQuery) (map[string][]TestStatus, error) {
	rows, err := db.TestResults(ctx, q)
	if err != nil {
		return nil, err
	}
	latest := map[runKey]store.TestResult{}
	for _, r := range rows { // oldest target first: the last one wins
		latest[runKey{r.Path, r.Lab, r.Hardware}] = r
	}
	out := map[string][]TestStatus{}
	for _, r := range latest {
		comps := rules.Components(r.Path)
		ts := testStatus(r, comps)
		out[""] = append(out[""], ts)
		for _, c := range comps {
			out[c] = append(out[c], ts)
		}
	}
	for _, list := range out {
		sort.Slice(list, func(i, j int) bool {
			a, b := list[i], list[j]
			if fa, fb := Failing(a.Status), Failing(b.Status); fa != fb {
				return fa
			}
			if a.Test != b.Test {
				return a.Test < b.Test
			}
			if a.Lab != b.Lab {
				return a.Lab < b.Lab
			}
			return a.Hardware < b.Hardware
		})
	}
	return out, nil
}

// AttachTests sets the latest test results of each component of r (see
// LatestTests) and counts the failing ones. They are not part of the
// kept analysis: results are imported at any time.
func AttachTests(ctx context.Context, db *store.DB, rules *project.TestRules, r *Result) error {
	source, _ := Target(r.Downstream)
	byComp, err := LatestTests(ctx, db, rules, source)
	if err != nil {
		return err
	}
	for i := range r.Components {
		c := &r.Components[i]
		c.Tests = byComp[c.Component]
		c.FailingTests = 0
		for _, t := range c.Tests {
			if Failing(t.Status) {
				c.FailingTests++
			}
		}
	}
	return nil
}

// Regression is a test that passed on one target and failed on a later one
// of the same source, in the same lab on the same hardware.
type Regression struct {
	Source     string     `json:"source"`
	Test       string     `json:"test"`
	Lab        string     `json:"lab,omitempty"`
	Hardware   string     `json:"hardware,omitempty"`
	Components []string   `json:"components"`
	Passed     TestStatus `json:"passed"`
	Failed     TestStatus `json:"failed"`
	// Suspects are the source's changes after the passing target up to
	// the failing one that touch the test's components, the most lines in
	// those components first.
	Suspects []Suspect `json:"suspects"`
	// MissingFixes are the upstream fixes for those components the source
	// lacks, as analyzed on MissingOn (the source's synced ref).
	MissingFixes []Commit `json:"missing_fixes"`
	MissingOn    string   `json:"missing_on,omitempty"`
	// Between counts the changes between the two targets (in scope).
	Between int    `json:"between"`
	Note    string `json:"note,omitempty"`
}

// Suspect is a change that may have caused a regression.
type Suspect struct {
	ID         string    `json:"id"`
	Subject    string    `json:"subject"`
	Author     string    `json:"author"`
	Date       time.Time `json:"date"`
	Components []string  `json:"components"` // the test's components it touches
	Lines      int       `json:"lines"`      // lines added and removed in files of those components
	Share      float64   `json:"share"`      // Lines over the lines of every suspect
	Files      []string  `json:"files"`      // its files in those components
}

// Regressions finds every PASS -> FAIL transition of the results of a
// source ("" for every source with results): for each test, lab and
// hardware, a FAIL on a target whose last judged result before it (on an
// earlier target; SKIP, MISS, DONE and ERROR are not judgements) was a
// PASS. Each comes with its suspects and the missing upstream fixes of the
// test's components.
func Regressions(ctx context.Context, db *store.DB, cfg *project.Config, rules *project.TestRules, source string) ([]Regression, error) {
	return regressions(ctx, db, cfg, rules, source, nil)
}

// regressions is Regressions with the analysis of the source already in
// hand, when the caller has it (nil: read it when needed).
func regressions(ctx context.Context, db *store.DB, cfg *project.Config, rules *project.TestRules, source string, known *Result) ([]Regression, error) {
	rows, err := db.TestResults(ctx, store.ResultQuery{Source: source})
	if err != nil {
		return nil, err
	}
	// Per test setup: the outcome of the last target judged before the
	// current one, and of the current one (within a target a failure
	// outweighs a pass: a retry that passed does not hide it).
	type state struct {
		prev, cur *store.TestResult
		target    int64
		reported  bool
	}
	type setup struct {
		source string
		runKey
	}
	runs := map[setup]*state{}
	var pairs [][2]store.TestResult // (passed, failed), oldest failure first
	for i := range rows {
		r := &rows[i]
		if r.Status != "PASS" && !Failing(r.Status) {
			continue
		}
		k := setup{r.Target.Source, runKey{r.Path, r.Lab, r.Hardware}}
		st := runs[k]
		if st == nil {
			st = &state{}
			runs[k] = st
		}
		switch {
		case st.cur == nil || st.target != r.Target.ID:
			st.prev, st.cur, st.target, st.reported = st.cur, r, r.Target.ID, false
		case Failing(r.Status):
			st.cur = r
		}
		if Failing(r.Status) && !st.reported && st.prev != nil && st.prev.Status == "PASS" {
			pairs = append(pairs, [2]store.TestResult{*st.prev, *r})
			st.reported = true
		}
	}
	if len(pairs) == 0 {
		return nil, nil
	}
	comps, err := cfg.Components()
	if err != nil {
		return nil, err
	}
	sx := &suspecter{ctx: ctx, db: db, cfg: cfg, comps: comps, repos: map[string]*gitrepo.Repo{},
		between: map[[2]string]*between{}, missing: map[string]*Result{}}
	if known != nil {
		sx.missing[known.Downstream] = known
	}
	defer sx.close()
	var found []Regression
	for _, p := range pairs {
		passed, failed := p[0], p[1]
		reg := Regression{Source: failed.Target.Source, Test: failed.Path, Lab: failed.Lab, Hardware: failed.Hardware,
			Components: rules.Components(failed.Path)}
		reg.Passed = testStatus(passed, nil)
		reg.Failed = testStatus(failed, nil)
		if reg.Components == nil {
			reg.Components = []string{}
			reg.Note = "no test rule maps this test to a component; add a [[test_rule]] to see suspects"
		}
		if err := sx.explain(&reg, passed.Target, failed.Target); err != nil {
			return nil, err
		}
		found = append(found, reg)
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].Source < found[j].Source })
	return found, nil
}

// suspecter finds the suspects of regressions, reading each range of
// commits and each analysis once.
type suspecter struct {
	ctx     context.Context
	db      *store.DB
	cfg     *project.Config
	comps   *project.Components
	repos   map[string]*gitrepo.Repo
	between map[[2]string]*between
	missing map[string]*Result
}

// between is what a source changed from one target to another.
type between struct {
	changes []*changeLines
	note    string
}

// changeLines is one change with its changed lines per component.
type changeLines struct {
	suspect Suspect
	lines   map[string]int
	files   map[string][]string
}

func (sx *suspecter) close() {
	for _, r := range sx.repos {
		r.Close()
	}
}

func (sx *suspecter) explain(reg *Regression, from, to store.TestTarget) error {
	src := sx.cfg.Source(reg.Source)
	if src == nil {
		reg.Note = fmt.Sprintf("source %s is no longer in %s", reg.Source, sx.cfg.File)
		reg.Suspects, reg.MissingFixes = []Suspect{}, []Commit{}
		return nil
	}
	b, err := sx.changes(src, from, to)
	if err != nil {
		return err
	}
	if b.note != "" && reg.Note == "" {
		reg.Note = b.note
	}
	reg.Between = len(b.changes)
	want := map[string]bool{}
	for _, c := range reg.Components {
		want[c] = true
	}
	reg.Suspects = []Suspect{}
	total := 0
	for _, ch := range b.changes {
		s := ch.suspect
		s.Components, s.Files, s.Lines = nil, nil, 0
		for _, c := range reg.Components {
			if n, ok := ch.lines[c]; ok {
				s.Components = append(s.Components, c)
				s.Lines += n
				s.Files = append(s.Files, ch.files[c]...)
			}
		}
		if s.Components == nil {
			continue
		}
		s.Files = dedupe(s.Files)
		total += s.Lines
		reg.Suspects = append(reg.Suspects, s)
	}
	for i := range reg.Suspects {
		if total > 0 {
			reg.Suspects[i].Share = float64(reg.Suspects[i].Lines) / float64(total)
		}
	}
	sort.SliceStable(reg.Suspects, func(i, j int) bool {
		a, b := reg.Suspects[i], reg.Suspects[j]
		if a.Lines != b.Lines {
			return a.Lines > b.Lines
		}
		return a.Date.After(b.Date)
	})
	reg.MissingFixes = []Commit{}
	if !src.IsDownstream() {
		return nil
	}
	label := src.Name + "@" + src.RefNames()[0]
	res, ok := sx.missing[label]
	if !ok {
		res, err = Analyze(sx.ctx, sx.db, label)
		if err != nil {
			return fmt.Errorf("regression of %s: %w", reg.Test, err)
		}
		sx.missing[label] = res
	}
	reg.MissingOn = label
	seen := map[string]bool{}
	for _, c := range reg.Components {
		if d := res.Component(c); d != nil {
			for _, m := range d.MissingFixes {
				if !seen[m.ID] {
					seen[m.ID] = true
					reg.MissingFixes = append(reg.MissingFixes, m)
				}
			}
		}
	}
	return nil
}

func dedupe(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// changes returns the in-scope changes of a git source reachable from the
// failing target and not from the passing one, with their changed lines
// per component.
func (sx *suspecter) changes(src *project.Source, from, to store.TestTarget) (*between, error) {
	key := [2]string{from.Commit, to.Commit}
	if b := sx.between[key]; b != nil {
		return b, nil
	}
	b := &between{}
	sx.between[key] = b
	switch {
	case from.Commit == "" || to.Commit == "":
		b.note = fmt.Sprintf("%s has no history between its targets (a %s source): only missing fixes are listed", src.Name, src.Format)
		return b, nil
	case from.Commit == to.Commit:
		b.note = "both results are on the same commit: a flaky test or a change in the lab, not in the code"
		return b, nil
	}
	repo := sx.repos[src.Name]
	if repo == nil {
		var err error
		if repo, err = gitrepo.Open(sx.cfg.MirrorPath(src)); err != nil {
			return nil, fmt.Errorf("source %s: %w", src.Name, err)
		}
		sx.repos[src.Name] = repo
	}
	nodes, err := repo.RevList(sx.ctx, []plumbing.Hash{plumbing.NewHash(to.Commit)}, []plumbing.Hash{plumbing.NewHash(from.Commit)})
	if err != nil {
		return nil, fmt.Errorf("source %s: changes from %s to %s: %w", src.Name, from.Label, to.Label, err)
	}
	oids := make([]string, len(nodes))
	for i, n := range nodes {
		oids[i] = n.Hash.String()
	}
	ids, err := sx.db.CommitIDs(sx.ctx, oids)
	if err != nil {
		return nil, err
	}
	list := make([]int64, 0, len(ids))
	for _, id := range ids {
		list = append(list, id)
	}
	fps, err := sx.db.Fingerprints(sx.ctx, list, src.Layout)
	if err != nil {
		return nil, err
	}
	for _, fp := range fps {
		if len(fp.Files) == 0 && len(fp.Components) == 0 {
			continue // a merge or an empty change
		}
		ch := &changeLines{
			suspect: Suspect{ID: fp.ID, Subject: fp.Subject, Author: fp.AuthorName, Date: fp.AuthorTime.UTC()},
			lines:   map[string]int{}, files: map[string][]string{},
		}
		for _, f := range fp.Files {
			for _, c := range sx.comps.Classify(src.Layout, []string{f.Path}, "") {
				ch.lines[c] += f.Added + f.Deleted
				ch.files[c] = append(ch.files[c], f.Path)
			}
		}
		// A component the change belongs to by its subject alone (RoCE
		// work is spread across files) counts all of its lines.
		for _, c := range fp.Components {
			if _, ok := ch.lines[c]; ok {
				continue
			}
			n := 0
			for _, f := range fp.Files {
				n += f.Added + f.Deleted
				ch.files[c] = append(ch.files[c], f.Path)
			}
			ch.lines[c] = n
		}
		b.changes = append(b.changes, ch)
	}
	sort.Slice(b.changes, func(i, j int) bool { return b.changes[i].suspect.ID < b.changes[j].suspect.ID })
	return b, nil
}

// RegressionGroup is the regressions that share a source, their two
// targets and their components: they have the same suspects and missing
// fixes, those of First.
type RegressionGroup struct {
	First Regression
	Tests []Regression // every regression of the group, First included
}

// GroupRegressions groups regressions in the order of their first one.
func GroupRegressions(regs []Regression) []RegressionGroup {
	var out []RegressionGroup
	at := map[string]int{}
	for _, r := range regs {
		k := strings.Join([]string{r.Source, r.Passed.Commit, r.Failed.Commit, r.Passed.Target, r.Failed.Target,
			strings.Join(r.Components, ",")}, "\x00")
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, RegressionGroup{First: r})
		}
		out[i].Tests = append(out[i].Tests, r)
	}
	return out
}
