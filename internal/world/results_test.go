package world

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kdelta/kdelta/project"
)

// result is one test outcome read back from a result file.
type result struct {
	source, lab, hardware, tag, test, status string
}

// The JUnit document as a reader sees it.
type xSuites struct {
	XMLName xml.Name `xml:"testsuites"`
	Suites  []struct {
		Name      string `xml:"name,attr"`
		Timestamp string `xml:"timestamp,attr"`
		Tests     int    `xml:"tests,attr"`
		Failures  int    `xml:"failures,attr"`
		Skipped   int    `xml:"skipped,attr"`
		Props     []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []struct {
			Classname string `xml:"classname,attr"`
			Name      string `xml:"name,attr"`
			Time      string `xml:"time,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
			} `xml:"failure"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// The kcidb document as a reader sees it.
type xKCIDB struct {
	Version struct {
		Major int `json:"major"`
		Minor int `json:"minor"`
	} `json:"version"`
	Checkouts []struct {
		ID       string `json:"id"`
		Origin   string `json:"origin"`
		TreeName string `json:"tree_name"`
		URL      string `json:"git_repository_url"`
		Hash     string `json:"git_commit_hash"`
		Name     string `json:"git_commit_name"`
		Branch   string `json:"git_repository_branch"`
		Start    string `json:"start_time"`
	} `json:"checkouts"`
	Builds []struct {
		ID         string `json:"id"`
		CheckoutID string `json:"checkout_id"`
		Origin     string `json:"origin"`
		Arch       string `json:"architecture"`
		Config     string `json:"config_name"`
	} `json:"builds"`
	Tests []struct {
		ID       string   `json:"id"`
		BuildID  string   `json:"build_id"`
		Origin   string   `json:"origin"`
		Path     string   `json:"path"`
		Status   string   `json:"status"`
		Start    string   `json:"start_time"`
		Duration *float64 `json:"duration"`
		LogURL   string   `json:"log_url"`
		Env      struct {
			Comment string `json:"comment"`
		} `json:"environment"`
	} `json:"tests"`
}

// readResults parses every result file of a world with the standard
// library's decoders, checks its form against the truth's description and
// returns its outcomes.
func readResults(t *testing.T, w *World) []result {
	t.Helper()
	info := w.Truth.Results
	if info == nil {
		t.Fatal("truth has no results")
	}
	if len(info.Files) != len(w.Results) {
		t.Fatalf("World.Results lists %d files, truth %d", len(w.Results), len(info.Files))
	}
	tests := map[string]bool{}
	for _, p := range interopTests(w.Truth.Size) {
		tests[p] = true
	}
	validStatus := map[string]bool{"PASS": true, "FAIL": true, "SKIP": true}
	var out []result
	formats := map[string]int{}
	for i, f := range info.Files {
		formats[f.Format]++
		if got := filepath.Join(w.Dir, filepath.FromSlash(f.Path)); got != w.Results[i] {
			t.Errorf("file %d: World.Results says %s, truth %s", i, w.Results[i], got)
		}
		data, err := os.ReadFile(filepath.Join(w.Dir, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Fatal(err)
		}
		var got []result
		switch f.Format {
		case "junit":
			got = readJUnit(t, f, data)
		case "kcidb":
			got = readKCIDB(t, w.Truth, f, data)
		case "csv":
			got = readCSV(t, f, data)
		default:
			t.Fatalf("%s: format %q", f.Path, f.Format)
		}
		if len(got) != f.Cases {
			t.Errorf("%s: %d results, truth says %d", f.Path, len(got), f.Cases)
		}
		seen := map[string]bool{}
		for _, r := range got {
			if !tests[r.test] {
				t.Errorf("%s: unknown test %q", f.Path, r.test)
			}
			if !validStatus[r.status] {
				t.Errorf("%s: %s: status %q", f.Path, r.test, r.status)
			}
			if r.lab != f.Lab || r.hardware != f.Hardware || r.source != f.Source {
				t.Errorf("%s: %s: lab %q hardware %q source %q, truth %q %q %q", f.Path, r.test, r.lab, r.hardware, r.source, f.Lab, f.Hardware, f.Source)
			}
			if !containsString(f.Targets, r.source+"@"+r.tag) {
				t.Errorf("%s: %s: target %s@%s not in the truth's %v", f.Path, r.test, r.source, r.tag, f.Targets)
			}
			k := r.tag + " " + r.test
			if seen[k] {
				t.Errorf("%s: %s twice", f.Path, k)
			}
			seen[k] = true
		}
		out = append(out, got...)
	}
	if formats["junit"] != junitReleases || formats["kcidb"] != 1 || formats["csv"] != 1 {
		t.Errorf("files per format: %v", formats)
	}
	return out
}

func readJUnit(t *testing.T, f ResultFile, data []byte) []result {
	t.Helper()
	var doc xSuites
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", f.Path, err)
	}
	src, tag, ok := strings.Cut(f.Target, "@")
	if !ok || f.Source != src || len(f.Targets) != 1 || f.Targets[0] != f.Target {
		t.Fatalf("%s: target %q, targets %v", f.Path, f.Target, f.Targets)
	}
	if want := "results/" + src + "-" + tag + ".junit.xml"; f.Path != want {
		t.Errorf("%s: want path %s", f.Path, want)
	}
	var out []result
	for _, s := range doc.Suites {
		props := map[string]string{}
		for _, p := range s.Props {
			props[p.Name] = p.Value
		}
		if _, err := time.Parse(time.RFC3339, s.Timestamp); err != nil {
			t.Errorf("%s: suite %s: timestamp: %v", f.Path, s.Name, err)
		}
		fails, skips := 0, 0
		for _, c := range s.Cases {
			if !strings.HasPrefix(c.Classname, s.Name+".") {
				t.Errorf("%s: classname %s outside suite %s", f.Path, c.Classname, s.Name)
			}
			if _, err := strconv.ParseFloat(c.Time, 64); err != nil {
				t.Errorf("%s: %s.%s: time %q", f.Path, c.Classname, c.Name, c.Time)
			}
			st := "PASS"
			switch {
			case c.Failure != nil && c.Skipped != nil:
				t.Errorf("%s: %s.%s both failed and skipped", f.Path, c.Classname, c.Name)
			case c.Failure != nil:
				st = "FAIL"
				fails++
				if c.Failure.Message == "" {
					t.Errorf("%s: %s.%s: failure without a message", f.Path, c.Classname, c.Name)
				}
			case c.Skipped != nil:
				st = "SKIP"
				skips++
			}
			out = append(out, result{source: src, lab: props["lab"], hardware: props["hardware"], tag: tag, test: c.Classname + "." + c.Name, status: st})
		}
		if s.Tests != len(s.Cases) || s.Failures != fails || s.Skipped != skips {
			t.Errorf("%s: suite %s says %d tests %d failures %d skipped, has %d %d %d", f.Path, s.Name, s.Tests, s.Failures, s.Skipped, len(s.Cases), fails, skips)
		}
	}
	return out
}

func readKCIDB(t *testing.T, tr *Truth, f ResultFile, data []byte) []result {
	t.Helper()
	var doc xKCIDB
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("%s: %v", f.Path, err)
	}
	if doc.Version.Major != 4 || doc.Version.Minor != 3 {
		t.Errorf("%s: version %d.%d", f.Path, doc.Version.Major, doc.Version.Minor)
	}
	if f.Target != "" {
		t.Errorf("%s: target %q, want none: the file names its targets", f.Path, f.Target)
	}
	ds := tr.Downstream(f.Source)
	tagCommit := map[string]string{}
	for _, tg := range ds.Tags {
		tagCommit[tg.Name] = tg.Commit
	}
	checkout := map[string]string{} // id -> tag
	for _, c := range doc.Checkouts {
		if tagCommit[c.Name] != c.Hash || c.Hash == "" {
			t.Errorf("%s: checkout %s: commit %s for %s, the tag is at %s", f.Path, c.ID, c.Hash, c.Name, tagCommit[c.Name])
		}
		if c.TreeName != f.Source || c.Branch != ds.Branch || c.Origin != f.Lab || !strings.HasPrefix(c.ID, c.Origin+":") {
			t.Errorf("%s: checkout %+v", f.Path, c)
		}
		if _, err := time.Parse(time.RFC3339, c.Start); err != nil {
			t.Errorf("%s: checkout %s: %v", f.Path, c.ID, err)
		}
		checkout[c.ID] = c.Name
	}
	build := map[string]string{} // id -> tag
	for _, b := range doc.Builds {
		tag, ok := checkout[b.CheckoutID]
		if !ok || b.Arch == "" || b.Config == "" || b.Origin != f.Lab {
			t.Errorf("%s: build %+v", f.Path, b)
		}
		build[b.ID] = tag
	}
	var out []result
	ids := map[string]bool{}
	for _, x := range doc.Tests {
		tag, ok := build[x.BuildID]
		if !ok {
			t.Errorf("%s: test %s: unknown build %s", f.Path, x.ID, x.BuildID)
		}
		if ids[x.ID] {
			t.Errorf("%s: test id %s twice", f.Path, x.ID)
		}
		ids[x.ID] = true
		if _, err := time.Parse(time.RFC3339, x.Start); err != nil || x.Duration == nil || *x.Duration < 0 ||
			!strings.HasPrefix(x.LogURL, "https://") {
			t.Errorf("%s: test %s: start %q duration %v log %q", f.Path, x.ID, x.Start, x.Duration, x.LogURL)
		}
		out = append(out, result{source: f.Source, lab: x.Origin, hardware: x.Env.Comment, tag: tag, test: x.Path, status: x.Status})
	}
	return out
}

func readCSV(t *testing.T, f ResultFile, data []byte) []result {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", f.Path, err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != "test,status,suite,lab,hardware,target,start,duration,log_url" {
		t.Fatalf("%s: header %v", f.Path, rows[:min(1, len(rows))])
	}
	var out []result
	for i, r := range rows[1:] {
		src, tag, ok := strings.Cut(r[5], "@")
		if !ok {
			t.Errorf("%s: row %d: target %q", f.Path, i+2, r[5])
		}
		if !strings.HasPrefix(r[0], r[2]+".") {
			t.Errorf("%s: row %d: test %s outside suite %s", f.Path, i+2, r[0], r[2])
		}
		if _, err := time.Parse(time.RFC3339, r[6]); err != nil {
			t.Errorf("%s: row %d: start: %v", f.Path, i+2, err)
		}
		if _, err := strconv.ParseFloat(r[7], 64); err != nil {
			t.Errorf("%s: row %d: duration: %v", f.Path, i+2, err)
		}
		out = append(out, result{source: src, lab: r[3], hardware: r[4], tag: tag, test: r[0], status: r[1]})
	}
	return out
}

type seriesKey struct{ source, lab, hardware, test string }

// seriesOf orders the outcomes of each (source, lab, hardware, test) by
// release.
func seriesOf(t *testing.T, tr *Truth, rs []result) map[seriesKey][]result {
	t.Helper()
	pos := map[string]int{}
	for _, ds := range tr.Downstreams {
		for i, tg := range ds.Tags {
			pos[ds.Source+"@"+tg.Name] = i
		}
	}
	out := map[seriesKey][]result{}
	for _, r := range rs {
		if _, ok := pos[r.source+"@"+r.tag]; !ok {
			t.Fatalf("%s: no release %s@%s", r.test, r.source, r.tag)
		}
		k := seriesKey{r.source, r.lab, r.hardware, r.test}
		out[k] = append(out[k], r)
	}
	for _, s := range out {
		sort.Slice(s, func(i, j int) bool { return pos[s[i].source+"@"+s[i].tag] < pos[s[j].source+"@"+s[j].tag] })
	}
	return out
}

// TestResultsFiles reads the result files back and checks every status
// change against the truth: the planted regressions are exactly the PASS
// -> FAIL transitions, the fixes the FAIL -> PASS ones, the known failures
// fail everywhere and no other result than PASS or a hardware SKIP exists.
func TestResultsFiles(t *testing.T) {
	w := sharedWorld(t)
	checkResults(t, w)
}

func checkResults(t *testing.T, w *World) {
	t.Helper()
	tr := w.Truth
	info := tr.Results
	series := seriesOf(t, tr, readResults(t, w))

	type trans struct {
		seriesKey
		from, to string
	}
	var regs, fixes []trans
	allFail := map[string]bool{}
	anyRun := map[string]bool{}
	for k, s := range series {
		if _, ok := allFail[k.test]; !ok {
			allFail[k.test] = true
		}
		for i, r := range s {
			if r.status != "FAIL" {
				allFail[k.test] = false
			}
			anyRun[k.test] = true
			if i == 0 {
				continue
			}
			switch p := s[i-1]; {
			case p.status == "PASS" && r.status == "FAIL":
				regs = append(regs, trans{k, p.tag, r.tag})
			case p.status == "FAIL" && r.status == "PASS":
				fixes = append(fixes, trans{k, p.tag, r.tag})
			case p.status == "SKIP" && r.status != "SKIP" || p.status != "SKIP" && r.status == "SKIP":
				t.Errorf("%v: %s on %s, %s on %s", k, p.status, p.tag, r.status, r.tag)
			}
		}
	}
	var wantRegs, wantFixes []trans
	for _, r := range info.Regressions {
		wantRegs = append(wantRegs, trans{seriesKey{r.Source, r.Lab, r.Hardware, r.Test}, r.Passed, r.Failed})
	}
	for _, f := range info.Fixed {
		wantFixes = append(wantFixes, trans{seriesKey{f.Source, f.Lab, f.Hardware, f.Test}, f.Failed, f.Passed})
	}
	less := func(s []trans) func(i, j int) bool {
		return func(i, j int) bool {
			a, b := s[i], s[j]
			return strings.Join([]string{a.source, a.lab, a.test, a.from}, "\x00") < strings.Join([]string{b.source, b.lab, b.test, b.from}, "\x00")
		}
	}
	for _, s := range [][]trans{regs, fixes, wantRegs, wantFixes} {
		sort.Slice(s, less(s))
	}
	if len(regs) == 0 || !reflect.DeepEqual(regs, wantRegs) {
		t.Errorf("PASS -> FAIL in the files:\n%v\ntruth:\n%v", regs, wantRegs)
	}
	if len(fixes) == 0 || !reflect.DeepEqual(fixes, wantFixes) {
		t.Errorf("FAIL -> PASS in the files:\n%v\ntruth:\n%v", fixes, wantFixes)
	}
	var known []string
	for test, all := range allFail {
		if all && anyRun[test] {
			known = append(known, test)
		}
	}
	sort.Strings(known)
	want := append([]string(nil), info.Known...)
	sort.Strings(want)
	if len(known) < 1 || len(known) > 2 || !reflect.DeepEqual(known, want) {
		t.Errorf("tests failing on every release: %v, truth's known failures %v", known, want)
	}
	// iWARP is skipped everywhere, and most results pass.
	pass, total := 0, 0
	for k, s := range series {
		for _, r := range s {
			total++
			if r.status == "PASS" {
				pass++
			}
			if strings.HasPrefix(k.test, "iwarp.") != (r.status == "SKIP") && !strings.Contains(k.test, "mlx4") {
				t.Errorf("%v on %s: %s", k, r.tag, r.status)
			}
		}
	}
	if pass*10 < total*7 {
		t.Errorf("%d of %d results pass, want most", pass, total)
	}
	// The regression shows in the JUnit files and, when it covers both
	// releases, in the CSV.
	labs := map[string]bool{}
	for _, r := range info.Regressions {
		labs[r.Lab] = true
	}
	if !labs[iolLab] {
		t.Errorf("no planted regression in the JUnit files: %v", info.Regressions)
	}
}

// numstat returns the lines each path of a commit adds and deletes, as
// git counts them (no rename detection; binary files count nothing).
func numstat(t *testing.T, repo, id string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, line := range strings.Split(gitCmd(t, repo, "show", "--no-renames", "--numstat", "--format=", id), "\n") {
		f := strings.SplitN(line, "\t", 3)
		if len(f) != 3 {
			continue
		}
		a, _ := strconv.Atoi(f[0])
		d, _ := strconv.Atoi(f[1])
		out[f[2]] += a + d
	}
	return out
}

// TestResultsCulprit checks the planted regression against git: the
// culprit is a distro commit between the two tags that touches the
// component and changes the most of its lines, 1.5 times the runner-up;
// the missing fix is a missing fix of the distro in the component, and the
// regressed tests are the component's.
func TestResultsCulprit(t *testing.T) {
	needGit(t)
	w := sharedWorld(t)
	checkCulprit(t, w)
}

func checkCulprit(t *testing.T, w *World) {
	t.Helper()
	tr := w.Truth
	info := tr.Results
	if len(info.Regressions) == 0 {
		t.Fatal("no planted regression")
	}
	r0 := info.Regressions[0]
	comps, err := project.DefaultConfig().Components()
	if err != nil {
		t.Fatal(err)
	}
	in := func(p string) bool {
		return containsString(comps.Classify(project.LayoutLinux, []string{p}, ""), r0.Component)
	}
	for _, r := range info.Regressions {
		if r.Source != r0.Source || r.Component != r0.Component || r.Culprit != r0.Culprit || r.MissingFix != r0.MissingFix ||
			r.Passed != r0.Passed || r.Failed != r0.Failed {
			t.Errorf("regressions disagree: %+v and %+v", r0, r)
		}
	}
	ds := tr.Downstream(r0.Source)
	if ds == nil || ds.Kind != "distro" {
		t.Fatalf("regression in %q, want the distro", r0.Source)
	}
	// The two tags are consecutive, both in the JUnit files.
	tagAt := map[string]int{}
	for i, tg := range ds.Tags {
		tagAt[tg.Name] = i
	}
	from, ok1 := tagAt[r0.Passed]
	to, ok2 := tagAt[r0.Failed]
	if !ok1 || !ok2 || to != from+1 || from < len(ds.Tags)-junitReleases {
		t.Fatalf("passed on %s, failed on %s: want two consecutive tags of the JUnit files", r0.Passed, r0.Failed)
	}
	lo, hi := indexOfEntry(ds, ds.Tags[from].Commit), indexOfEntry(ds, ds.Tags[to].Commit)
	best, second, bestID := 0, 0, ""
	touched := 0
	repo := w.Repos[r0.Source]
	for _, e := range ds.Commits[lo+1 : hi+1] {
		n, touches := 0, false
		for p, lines := range numstat(t, repo, e.ID) {
			if in(p) {
				touches = true
				n += lines
			}
		}
		if !touches {
			continue
		}
		touched++
		switch {
		case n > best:
			best, second, bestID = n, best, e.ID
		case n > second:
			second = n
		}
	}
	if bestID != r0.Culprit {
		t.Errorf("culprit %s, but git says %s changes the most %s lines (%d) between %s and %s", r0.Culprit, bestID, r0.Component, best, r0.Passed, r0.Failed)
	}
	if best == 0 || float64(best) < 1.5*float64(second) {
		t.Errorf("culprit changes %d %s lines, the runner-up %d: want 1.5 times", best, r0.Component, second)
	}
	t.Logf("%s regresses from %s to %s: culprit %s, %d lines; runner-up %d; %d commits touch it", r0.Component, r0.Passed, r0.Failed, r0.Culprit[:12], best, second, touched)
	for _, e := range ds.Commits {
		if e.ID == r0.Culprit && e.RevertedBy != "" {
			t.Errorf("culprit %s is reverted by %s", e.ID, e.RevertedBy)
		}
	}
	// The missing fix.
	if !containsString(ds.MissingFixes, r0.MissingFix) {
		t.Errorf("missing fix %s is not a missing fix of %s", r0.MissingFix, ds.Source)
	}
	fixIn := false
	for _, c := range tr.Upstream.Commits {
		if c.ID == r0.MissingFix {
			for _, p := range c.Files {
				fixIn = fixIn || in(p)
			}
		}
	}
	if !fixIn {
		t.Errorf("missing fix %s touches no %s file", r0.MissingFix, r0.Component)
	}
	// The regressed tests are the component's tests, in every lab that
	// reports a regression.
	rules := interopTestRules()
	perLab := map[string][]string{}
	for _, r := range info.Regressions {
		perLab[r.Lab] = append(perLab[r.Lab], r.Test)
	}
	var want []string
	for _, test := range interopTests(tr.Size) {
		if containsString(testComponents(rules, test), r0.Component) {
			want = append(want, test)
		}
	}
	for lab, got := range perLab {
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: regressed tests %v, the tests of %s are %v", lab, got, r0.Component, want)
		}
	}
}

func indexOfEntry(ds *Downstream, id string) int {
	for i, e := range ds.Commits {
		if e.ID == id {
			return i
		}
	}
	return -1
}

// TestResultsDeterministic builds the shared world's seed again: the result
// files and their truth are the same, byte for byte; another seed gives
// other results.
func TestResultsDeterministic(t *testing.T) {
	a := sharedWorld(t)
	b := buildSmall(t, a.Truth.Seed)
	c := buildSmall(t, a.Truth.Seed+1)
	if len(a.Results) != len(b.Results) {
		t.Fatalf("%d result files, then %d", len(a.Results), len(b.Results))
	}
	differ := false
	for i := range a.Results {
		da, err := os.ReadFile(a.Results[i])
		if err != nil {
			t.Fatal(err)
		}
		db, _ := os.ReadFile(b.Results[i])
		if !bytes.Equal(da, db) {
			t.Errorf("%s differs between two builds of one seed", filepath.Base(a.Results[i]))
		}
		if i < len(c.Results) {
			dc, _ := os.ReadFile(c.Results[i])
			differ = differ || !bytes.Equal(da, dc)
		}
	}
	if !differ {
		t.Error("another seed, the same result files")
	}
	ja, _ := json.Marshal(a.Truth.Results)
	jb, _ := json.Marshal(b.Truth.Results)
	if !bytes.Equal(ja, jb) {
		t.Error("same seed, different truth of the results")
	}
	checkResults(t, c)
	// The truth of the results survives truth.json.
	saved, err := LoadTruth(filepath.Join(a.Dir, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	if js, _ := json.Marshal(saved.Results); !bytes.Equal(js, ja) {
		t.Error("truth.json's results differ from the built truth's")
	}
}

// TestResultsSeeds plants a regression in the worlds of a few more seeds,
// and in a demo world, where more commits between two releases touch the
// component.
func TestResultsSeeds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds several worlds")
	}
	needGit(t)
	for seed := int64(2); seed <= 4; seed++ {
		w := buildSmall(t, seed)
		checkResults(t, w)
		checkCulprit(t, w)
	}
	w, err := Build(Options{Seed: 1, Size: Demo, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	checkResults(t, w)
	checkCulprit(t, w)
}

// TestEditCount compares the Myers count with the LCS definition on random
// line lists.
func TestEditCount(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	lcs := func(a, b []string) int {
		dp := make([][]int, len(a)+1)
		for i := range dp {
			dp[i] = make([]int, len(b)+1)
		}
		for i := len(a) - 1; i >= 0; i-- {
			for j := len(b) - 1; j >= 0; j-- {
				if a[i] == b[j] {
					dp[i][j] = dp[i+1][j+1] + 1
				} else {
					dp[i][j] = max(dp[i+1][j], dp[i][j+1])
				}
			}
		}
		return dp[0][0]
	}
	gen := func() []string {
		out := make([]string, r.Intn(30))
		for i := range out {
			out[i] = string(rune('a' + r.Intn(4)))
		}
		return out
	}
	for i := 0; i < 2000; i++ {
		a, b := gen(), gen()
		if got, want := editCount(a, b), len(a)+len(b)-2*lcs(a, b); got != want {
			t.Fatalf("editCount(%v, %v) = %d, want %d", a, b, got, want)
		}
	}
}

// TestLineCounterReadsGit counts the changed lines of distro commits from
// the repository, as the generator does for commits whose file versions it
// let go, and compares them with git's numstat.
func TestLineCounterReadsGit(t *testing.T) {
	needGit(t)
	w := sharedWorld(t)
	ds := w.Truth.Downstream(distroName)
	repo := w.Repos[distroName]
	g := &genRepo{}
	stats := make([]map[string]int, len(ds.Commits))
	for i, e := range ds.Commits {
		stats[i] = numstat(t, repo, e.ID)
		dc := &dcommit{entry: e}
		for p := range stats[i] {
			dc.paths = append(dc.paths, p)
		}
		sort.Strings(dc.paths)
		g.commits = append(g.commits, dc)
	}
	lc := &lineCounter{g: g, repo: repo, counts: map[lineKey]int{}}
	for i := range g.commits {
		got, err := lc.changed(i, "all", func(string) bool { return true })
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, n := range stats[i] {
			want += n
		}
		if got != want {
			t.Errorf("%s: %d changed lines, git says %d", ds.Commits[i].ID, got, want)
		}
	}
}
