package world

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"math/rand"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/kdelta/kdelta/project"
)

// Interop test results, as the UNH-IOL OFA logo program publishes them,
// for releases of the distro and the vendor, in the three formats kdelta
// imports:
//   - JUnit XML from UNH-IOL, one file per distro release
//     (results/rhel-<tag>.junit.xml, its target given on the command line);
//   - kcidb JSON from UNH-IOL, one file for several vendor releases
//     (results/ofed.kcidb.json, its checkouts naming the targets);
//   - CSV from a second lab, one file for several distro releases
//     (results/rhel-lab2.csv, a target column).
//
// Most tests pass. The iWARP tests are skipped everywhere, one or two tests
// fail on every release (known failures), one fails on the early releases
// and passes from a later one on (a fix), and the tests of one component
// go from PASS to FAIL between two consecutive distro releases: a
// regression planted on the distro commit between them that changes the
// most lines of that component, in a component with a missing upstream
// fix. No other test goes from PASS to FAIL (see ResultsInfo).

// Labs, hardware and release counts of the result files.
const (
	resultsDir     = "results"
	iolLab         = "unh-iol"
	iolRHELHW      = "ConnectX-6 Dx (mlx5)"
	iolOFEDHW      = "ConnectX-7 (mlx5)"
	lab2           = "partner-lab"
	lab2HW         = "ConnectX-4 Lx (mlx5)"
	junitReleases  = 5 // the last rhel tags, one JUnit file each
	kcidbReleases  = 5 // the last ofed tags, in one kcidb file
	csvReleases    = 3 // the last rhel tags, in the partner lab's CSV
	kcidbFile      = "ofed.kcidb.json"
	csvFile        = "rhel-lab2.csv"
	iolLogs        = "https://logs.unh-iol.example/"
	lab2Logs       = "https://ci.partner-lab.example/"
	culpritRatio   = 1.5 // the culprit's lines over the runner-up's, at least
	culpritMargin  = 5   // and, when the runner-up changes any, this many lines more: a diff off by a line or two still ranks it first
	statusPass     = "PASS"
	statusFail     = "FAIL"
	statusSkip     = "SKIP"
	iwarpSkip      = "no iWARP hardware"
	mlx4SkipLab2   = "no mlx4 device in partner-lab"
	resultsFormatJ = "junit"
	resultsFormatK = "kcidb"
	resultsFormatC = "csv"
)

// testRule maps test paths to components.
type testRule struct {
	glob  string // path.Match pattern over the dotted test path
	comps []string
}

// interopTestRules mirrors kdelta's default rules that map an interop test
// path to components (component names of project.DefaultComponents). A
// test belongs to every component of every rule that matches it.
func interopTestRules() []testRule {
	return []testRule{
		{"ipoib.*", []string{"ipoib"}},
		{"srp.*", []string{"srp"}},
		{"nfsordma.*", []string{"nfsordma"}},
		{"iser.*", []string{"iser"}},
		{"rds.*", []string{"rds"}},
		{"*roce*", []string{"roce"}},
		{"*mlx5*", []string{"mlx5"}},
		{"*mlx4*", []string{"mlx4"}},
		{"fabric_init.*", []string{"mad", "opensm"}},
		{"sm_failover.*", []string{"mad", "opensm"}},
		{"link_init.*", []string{"core"}},
		{"rdma_utils.*", []string{"uverbs"}},
		{"openmpi.*", []string{"uverbs"}},
		{"rsockets.*", []string{"cm"}},
		{"udapl.*", []string{"dapl"}},
	}
}

// testComponents returns the components of a test path, in rule order,
// without duplicates.
func testComponents(rules []testRule, test string) []string {
	var out []string
	for _, r := range rules {
		if ok, _ := path.Match(r.glob, test); !ok {
			continue
		}
		for _, c := range r.comps {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// interopTests lists the test paths of the OFA interop categories; the
// larger worlds run each test in more variants (leaf name + suffix).
func interopTests(size Size) []string {
	base := []string{
		"fabric_init.sm_sweep.all_nodes",
		"fabric_init.sm_sweep.lid_assignment",
		"link_init.port_state.active",
		"link_init.port_state.speed_width",
		"ipoib.connected_mode.ping",
		"ipoib.connected_mode.iperf",
		"ipoib.datagram_mode.ping",
		"ipoib.datagram_mode.iperf",
		"rdma_utils.ibv_rc_pingpong.ib",
		"rdma_utils.ibv_rc_pingpong.roce",
		"rdma_utils.ibv_ud_pingpong.ib",
		"nfsordma.mount.basic",
		"nfsordma.fio.read_write",
		"openmpi.imb.pingpong",
		"openmpi.imb.alltoall",
		"rsockets.rstream.basic",
		"sm_failover.master_kill.takeover",
		"srp.login.basic",
		"srp.io.dd",
		"udapl.dtest.rdma_write",
		"iser.login.basic",
		"iser.io.fio",
		"rds.rds_stress.basic",
		"roce.rping.basic",
		"roce.ib_send_bw.mlx5",
		"iwarp.rping.basic",
		"mlx5.fw_reset.basic",
		"mlx5.sriov.vf_ping",
		"mlx4.port_up.basic",
	}
	variants := []string{"", "_mtu1024", "_mtu4096", "_port2", "_numa1", "_ipv6", "_stress", "_long"}
	n := 1
	switch size {
	case Demo:
		n = 3
	case Bench:
		n = len(variants)
	}
	var out []string
	for _, t := range base {
		for _, v := range variants[:n] {
			out = append(out, t+v)
		}
	}
	return out
}

// resultRun is one release a result file covers.
type resultRun struct {
	tag    string
	commit string
	when   int64 // the tag commit's commit time
	pos    int   // index of the tag among the downstream's tags
}

// resultsGen builds the result files.
type resultsGen struct {
	dir   string
	r     *rand.Rand
	tests []string
	comps map[string][]string // test -> components
	info  *ResultsInfo

	// The plan.
	regComp    string // the component that regresses
	regAt      int    // position of the first failing rhel tag
	culprit    string
	missingFix string
	known      map[string]bool
	fixTest    string
	fixedAt    map[string]int // source -> position of the first passing tag
	dur        map[string]int // test -> typical duration in ms
}

// buildResults writes the interop test results under dir/results and
// sets truth.Results. truth must be derived (missing fixes); rhel and ofed
// are what their generators kept and rhelRepo is the written distro
// repository, read for the commits whose file versions were let go.
func buildResults(dir string, size Size, truth *Truth, rhel, ofed *genRepo, rhelRepo string, seed int64) ([]string, error) {
	rds, ods := truth.Downstream(distroName), truth.Downstream(vendorName)
	if rds == nil || ods == nil {
		return nil, fmt.Errorf("results: truth lacks %s or %s", distroName, vendorName)
	}
	rRuns, err := runsOf(rds, rhel, junitReleases)
	if err != nil {
		return nil, err
	}
	oRuns, err := runsOf(ods, ofed, kcidbReleases)
	if err != nil {
		return nil, err
	}
	g := &resultsGen{dir: filepath.Join(dir, resultsDir), r: rand.New(rand.NewSource(seed)), tests: interopTests(size),
		comps: map[string][]string{}, info: &ResultsInfo{Files: []ResultFile{}, Regressions: []PlantedRegression{}, Known: []string{}, Fixed: []FixedTest{}},
		known: map[string]bool{}, fixedAt: map[string]int{}, dur: map[string]int{}}
	rules := interopTestRules()
	for _, t := range g.tests {
		g.comps[t] = testComponents(rules, t)
	}
	if err := g.plantRegression(truth, rds, rhel, rhelRepo, rRuns); err != nil {
		return nil, err
	}
	g.pickKnownAndFix(rRuns, oRuns)
	if err := os.MkdirAll(g.dir, 0o755); err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	var files []string
	for _, run := range rRuns {
		p, err := g.writeJUnit(run)
		if err != nil {
			return nil, err
		}
		files = append(files, p)
	}
	g.transitions(distroName, iolLab, iolRHELHW, rRuns, g.tests)
	p, err := g.writeKCIDB(oRuns)
	if err != nil {
		return nil, err
	}
	files = append(files, p)
	p, err = g.writeCSV(rRuns[max(0, len(rRuns)-csvReleases):])
	if err != nil {
		return nil, err
	}
	files = append(files, p)
	truth.Results = g.info
	return files, nil
}

// runsOf returns the last n tags of a downstream with their commit times.
func runsOf(ds *Downstream, g *genRepo, n int) ([]resultRun, error) {
	at := make(map[string]int, len(ds.Tags))
	for _, t := range ds.Tags {
		at[t.Commit] = -1
	}
	for i, c := range g.commits {
		if _, ok := at[c.entry.ID]; ok {
			at[c.entry.ID] = i
		}
	}
	var out []resultRun
	for pos := max(0, len(ds.Tags)-n); pos < len(ds.Tags); pos++ {
		t := ds.Tags[pos]
		i := at[t.Commit]
		if i < 0 {
			return nil, fmt.Errorf("results: %s tag %s: commit %s is not on the branch", ds.Source, t.Name, t.Commit)
		}
		out = append(out, resultRun{tag: t.Name, commit: t.Commit, when: g.commits[i].obj.commitTime, pos: pos})
	}
	if len(out) < 2 {
		return nil, fmt.Errorf("results: %s has %d release tags, want at least 2", ds.Source, len(out))
	}
	return out, nil
}

// regressionPrefs lists the components a regression is planted in, most
// wanted first; after them come the other components that have tests.
func regressionPrefs() []string {
	return []string{"ipoib", "srp", "nfsordma", "iser", "rds", "roce", "mlx5"}
}

// plantRegression chooses the component X, the pair of consecutive
// JUnit releases and the culprit commit (see the comment at the top of
// this file and Truth's "results").
func (g *resultsGen) plantRegression(truth *Truth, ds *Downstream, gen *genRepo, repo string, runs []resultRun) error {
	comps, err := project.DefaultConfig().Components()
	if err != nil {
		return fmt.Errorf("results: component map: %w", err)
	}
	classified := map[string][]string{}
	classify := func(p string) []string {
		c, ok := classified[p]
		if !ok {
			c = comps.Classify(project.LayoutLinux, []string{p}, "")
			classified[p] = c
		}
		return c
	}
	in := func(p, comp string) bool { return slices.Contains(classify(p), comp) }

	// The first missing fix of each component, in truth order.
	missing := map[string]bool{}
	for _, id := range ds.MissingFixes {
		missing[id] = true
	}
	files := map[string][]string{}
	for _, c := range truth.Upstream.Commits {
		if missing[c.ID] {
			files[c.ID] = c.Files
		}
	}
	fixOf := map[string]string{}
	for _, id := range ds.MissingFixes {
		for _, p := range files[id] {
			for _, c := range classify(p) {
				if _, ok := fixOf[c]; !ok {
					fixOf[c] = id
				}
			}
		}
	}

	// Candidates: the preferred components, then the others with tests.
	cands := regressionPrefs()
	for _, t := range g.tests {
		for _, c := range g.comps[t] {
			if !slices.Contains(cands, c) {
				cands = append(cands, c)
			}
		}
	}
	// Pairs of consecutive JUnit releases, preferring those the CSV also
	// covers, then those with more passing releases before them.
	var pairs []int // index into runs of the last passing release
	csvFrom := max(0, len(runs)-csvReleases)
	for k := len(runs) - 2; k >= csvFrom; k-- {
		pairs = append([]int{k}, pairs...)
	}
	for k := csvFrom - 1; k >= 0; k-- {
		pairs = append(pairs, k)
	}
	idx := make(map[string]int, len(ds.Commits))
	for i, e := range ds.Commits {
		idx[e.ID] = i
	}
	lc := &lineCounter{g: gen, repo: repo, counts: map[lineKey]int{}}
	for _, comp := range cands {
		fix, ok := fixOf[comp]
		if !ok || !g.hasTests(comp) {
			continue
		}
		for _, k := range pairs {
			lo, hi := idx[runs[k].commit]+1, idx[runs[k+1].commit]
			best, second, bestAt := 0, 0, -1
			for i := lo; i <= hi; i++ {
				touches := false
				for _, p := range gen.commits[i].paths {
					if in(p, comp) {
						touches = true
						break
					}
				}
				if !touches {
					continue
				}
				n, err := lc.changed(i, comp, func(p string) bool { return in(p, comp) })
				if err != nil {
					return err
				}
				switch {
				case n > best:
					best, second, bestAt = n, best, i
				case n > second:
					second = n
				}
			}
			if bestAt < 0 || float64(best) < culpritRatio*float64(second) || second > 0 && best < second+culpritMargin {
				continue
			}
			if ds.Commits[bestAt].RevertedBy != "" {
				continue // reverted: the failure would go away again
			}
			g.regComp, g.regAt, g.culprit, g.missingFix = comp, runs[k+1].pos, ds.Commits[bestAt].ID, fix
			return nil
		}
	}
	// No component qualifies (no seed tried does this): the results carry
	// no planted regression, and the truth says so by listing none.
	return nil
}

func (g *resultsGen) hasTests(comp string) bool {
	for _, t := range g.tests {
		if slices.Contains(g.comps[t], comp) && !g.skipped(t) {
			return true
		}
	}
	return false
}

// skipped says whether a test is skipped in some lab.
func (g *resultsGen) skipped(test string) bool {
	return g.skipReason(test, iolLab) != "" || g.skipReason(test, lab2) != ""
}

func (g *resultsGen) skipReason(test, lab string) string {
	if strings.HasPrefix(test, "iwarp.") {
		return iwarpSkip
	}
	if lab == lab2 && slices.Contains(g.comps[test], "mlx4") {
		return mlx4SkipLab2
	}
	return ""
}

// regresses says whether test is a test of the regressed component.
func (g *resultsGen) regresses(test string) bool {
	return slices.Contains(g.comps[test], g.regComp)
}

// pickKnownAndFix picks the known failures and the fixed test among the
// tests that are not skipped and not of the regressed component, and the
// typical durations.
func (g *resultsGen) pickKnownAndFix(rRuns, oRuns []resultRun) {
	var pool []string
	for _, t := range g.tests {
		if !g.skipped(t) && !g.regresses(t) {
			pool = append(pool, t)
		}
	}
	perm := g.r.Perm(len(pool))
	nKnown := 1 + g.r.Intn(2)
	for _, i := range perm[:nKnown] {
		g.known[pool[i]] = true
	}
	for _, t := range g.tests {
		if g.known[t] {
			g.info.Known = append(g.info.Known, t)
		}
	}
	g.fixTest = pool[perm[nKnown]]
	// Fixed from the second-to-last rhel release (so the CSV shows it
	// too) and from the third ofed release of the file.
	g.fixedAt[distroName] = rRuns[max(1, len(rRuns)-2)].pos
	g.fixedAt[vendorName] = oRuns[min(2, len(oRuns)-1)].pos
	for _, t := range g.tests {
		g.dur[t] = 300 + g.r.Intn(90000)
	}
}

// outcome is one test result.
type outcome struct {
	test, status, message string
	start                 int64 // Unix seconds
	ms                    int   // duration
}

func (g *resultsGen) status(source, lab, test string, pos int) (string, string) {
	if why := g.skipReason(test, lab); why != "" {
		return statusSkip, why
	}
	if g.known[test] {
		return statusFail, knownMessage(test)
	}
	if test == g.fixTest && pos < g.fixedAt[source] {
		return statusFail, failMessage(test)
	}
	if source == distroName && g.regresses(test) && pos >= g.regAt {
		return statusFail, failMessage(test)
	}
	return statusPass, ""
}

// run makes the outcomes of one release in one lab, tests run one after
// the other from a day or more after the release was tagged.
func (g *resultsGen) run(source, lab string, rel resultRun, tests []string) []outcome {
	t := rel.when + 86400 + g.r.Int63n(3*86400)
	out := make([]outcome, 0, len(tests))
	for _, test := range tests {
		st, msg := g.status(source, lab, test, rel.pos)
		ms := g.dur[test] * (90 + g.r.Intn(21)) / 100
		if st == statusSkip {
			ms = 0
		}
		out = append(out, outcome{test: test, status: st, message: msg, start: t, ms: ms})
		t += int64(ms/1000) + 1 + int64(g.r.Intn(5))
	}
	return out
}

// transitions adds to the truth the planted regressions and the fix that
// the releases runs of one lab show for tests.
func (g *resultsGen) transitions(source, lab, hw string, runs []resultRun, tests []string) {
	for k := 1; k < len(runs); k++ {
		if source == distroName && runs[k].pos == g.regAt {
			for _, t := range tests {
				if g.regresses(t) {
					g.info.Regressions = append(g.info.Regressions, PlantedRegression{Source: source, Test: t, Lab: lab, Hardware: hw,
						Passed: runs[k-1].tag, Failed: runs[k].tag, Component: g.regComp, Culprit: g.culprit, MissingFix: g.missingFix})
				}
			}
		}
		if runs[k].pos == g.fixedAt[source] && slices.Contains(tests, g.fixTest) {
			g.info.Fixed = append(g.info.Fixed, FixedTest{Source: source, Test: g.fixTest, Lab: lab, Hardware: hw,
				Failed: runs[k-1].tag, Passed: runs[k].tag})
		}
	}
}

func knownMessage(test string) string {
	return "known issue: " + failMessage(test) + " (tracked since the first release)"
}

// failMessage is what a failing test says, after its kind.
func failMessage(test string) string {
	switch {
	case strings.Contains(test, "iperf"):
		return "iperf3: 0.00 Gbits/sec after 10s, expected at least 20 Gbits/sec"
	case strings.HasPrefix(test, "ipoib."):
		return "ping timed out after 5s"
	case strings.HasPrefix(test, "srp."):
		return "SRP login rejected by target: timeout waiting for SRP_LOGIN_RSP"
	case strings.HasPrefix(test, "nfsordma."):
		return "mount.nfs: Connection timed out (proto=rdma, port=20049)"
	case strings.HasPrefix(test, "iser."):
		return "iscsiadm: Could not login to target: iSER connection timed out"
	case strings.HasPrefix(test, "rds."):
		return "rds-stress: send failed: Connection reset by peer"
	case strings.Contains(test, "roce") || strings.HasPrefix(test, "roce."):
		return "RDMA_CM_EVENT_ADDR_ERROR: status -110"
	case strings.Contains(test, "mlx5"):
		return "mlx5_core 0000:3b:00.0: wait_fw_init: firmware over 120000 MS in pre-initializing state"
	case strings.Contains(test, "mlx4"):
		return "mlx4_core 0000:04:00.0: port 1 stayed DOWN after 30s"
	case strings.HasPrefix(test, "fabric_init.") || strings.HasPrefix(test, "sm_failover."):
		return "opensm: SM did not reach MASTER state within 60s"
	case strings.HasPrefix(test, "openmpi."):
		return "mpirun: process exited with status 1 (IMB: data check failed)"
	case strings.HasPrefix(test, "udapl."):
		return "dtest: dat_ep_connect: DAT_TIMEOUT_EXPIRED"
	}
	return "test timed out after 300s"
}

func rfc3339(t int64) string { return time.Unix(t, 0).UTC().Format(time.RFC3339) }

func seconds(ms int) string { return fmt.Sprintf("%d.%03d", ms/1000, ms%1000) }

func logURL(base, source, tag, test string) string {
	return base + source + "/" + tag + "/" + test + ".log"
}

// category is a test path's first element, its OFA interop category.
func category(test string) string {
	c, _, _ := strings.Cut(test, ".")
	return c
}

// The JUnit document.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Hostname   string          `xml:"hostname,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure"`
	Skipped   *junitSkipped `xml:"skipped"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

func (g *resultsGen) writeJUnit(rel resultRun) (string, error) {
	outs := g.run(distroName, iolLab, rel, g.tests)
	doc := junitSuites{Name: "UNH-IOL OFA interop " + distroName + " " + rel.tag}
	var ms []int // per suite
	for _, o := range outs {
		cat := category(o.test)
		if n := len(doc.Suites); n == 0 || doc.Suites[n-1].Name != cat {
			doc.Suites = append(doc.Suites, junitSuite{Name: cat, Timestamp: rfc3339(o.start), Hostname: "ofa-" + cat + ".unh-iol.example",
				Properties: []junitProperty{{"lab", iolLab}, {"hardware", iolRHELHW}}})
			ms = append(ms, 0)
		}
		s := &doc.Suites[len(doc.Suites)-1]
		dot := strings.LastIndexByte(o.test, '.')
		c := junitCase{Classname: o.test[:dot], Name: o.test[dot+1:], Time: seconds(o.ms)}
		switch o.status {
		case statusFail:
			c.Failure = &junitFailure{Message: o.message, Type: "AssertionError",
				Text: o.message + "\nlog: " + logURL(iolLogs, distroName, rel.tag, o.test) + "\n"}
			s.Failures++
		case statusSkip:
			c.Skipped = &junitSkipped{Message: o.message}
			s.Skipped++
		}
		s.Tests++
		s.Cases = append(s.Cases, c)
		ms[len(ms)-1] += o.ms
	}
	total := 0
	for i := range doc.Suites {
		s := &doc.Suites[i]
		s.Time = seconds(ms[i])
		total += ms[i]
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Skipped += s.Skipped
	}
	doc.Time = seconds(total)
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return "", fmt.Errorf("results: %w", err)
	}
	name := distroName + "-" + rel.tag + ".junit.xml"
	target := distroName + "@" + rel.tag
	p := filepath.Join(g.dir, name)
	if err := os.WriteFile(p, append(append([]byte(xml.Header), b...), '\n'), 0o644); err != nil {
		return "", fmt.Errorf("results: %w", err)
	}
	g.info.Files = append(g.info.Files, ResultFile{Path: resultsDir + "/" + name, Format: resultsFormatJ, Source: distroName,
		Target: target, Targets: []string{target}, Lab: iolLab, Hardware: iolRHELHW, Cases: len(outs)})
	return p, nil
}

// The kcidb document (schema v4.3, the fields kdelta reads).
type kcidbDoc struct {
	Version   kcidbVersion    `json:"version"`
	Checkouts []kcidbCheckout `json:"checkouts"`
	Builds    []kcidbBuild    `json:"builds"`
	Tests     []kcidbTest     `json:"tests"`
}

type kcidbVersion struct {
	Major int `json:"major"`
	Minor int `json:"minor"`
}

type kcidbCheckout struct {
	ID         string `json:"id"`
	Origin     string `json:"origin"`
	TreeName   string `json:"tree_name"`
	RepoURL    string `json:"git_repository_url"`
	CommitHash string `json:"git_commit_hash"`
	CommitName string `json:"git_commit_name"`
	Branch     string `json:"git_repository_branch"`
	StartTime  string `json:"start_time"`
	Valid      bool   `json:"valid"`
}

type kcidbBuild struct {
	ID           string `json:"id"`
	CheckoutID   string `json:"checkout_id"`
	Origin       string `json:"origin"`
	Architecture string `json:"architecture"`
	ConfigName   string `json:"config_name"`
	StartTime    string `json:"start_time"`
	Valid        bool   `json:"valid"`
}

type kcidbTest struct {
	ID          string   `json:"id"`
	BuildID     string   `json:"build_id"`
	Origin      string   `json:"origin"`
	Path        string   `json:"path"`
	Status      string   `json:"status"`
	StartTime   string   `json:"start_time"`
	Duration    float64  `json:"duration"`
	LogURL      string   `json:"log_url"`
	Environment kcidbEnv `json:"environment"`
	Comment     string   `json:"comment,omitempty"`
}

type kcidbEnv struct {
	Comment string `json:"comment"`
}

func (g *resultsGen) writeKCIDB(runs []resultRun) (string, error) {
	doc := kcidbDoc{Version: kcidbVersion{Major: 4, Minor: 3}, Checkouts: []kcidbCheckout{}, Builds: []kcidbBuild{}, Tests: []kcidbTest{}}
	var targets []string
	for _, rel := range runs {
		co := iolLab + ":" + vendorName + "-" + rel.tag
		build := co + ":x86_64"
		outs := g.run(vendorName, iolLab, rel, g.tests)
		doc.Checkouts = append(doc.Checkouts, kcidbCheckout{ID: co, Origin: iolLab, TreeName: vendorName, RepoURL: vendorName + ".git",
			CommitHash: rel.commit, CommitName: rel.tag, Branch: vendorBranch, StartTime: rfc3339(rel.when), Valid: true})
		doc.Builds = append(doc.Builds, kcidbBuild{ID: build, CheckoutID: co, Origin: iolLab, Architecture: "x86_64",
			ConfigName: "mlnx_ofed", StartTime: rfc3339(outs[0].start - 3600), Valid: true})
		for _, o := range outs {
			doc.Tests = append(doc.Tests, kcidbTest{ID: build + ":" + o.test, BuildID: build, Origin: iolLab, Path: o.test,
				Status: o.status, StartTime: rfc3339(o.start), Duration: float64(o.ms) / 1000,
				LogURL: logURL(iolLogs, vendorName, rel.tag, o.test), Environment: kcidbEnv{Comment: iolOFEDHW}, Comment: o.message})
		}
		targets = append(targets, vendorName+"@"+rel.tag)
	}
	b, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		return "", fmt.Errorf("results: %w", err)
	}
	p := filepath.Join(g.dir, kcidbFile)
	if err := os.WriteFile(p, append(b, '\n'), 0o644); err != nil {
		return "", fmt.Errorf("results: %w", err)
	}
	g.info.Files = append(g.info.Files, ResultFile{Path: resultsDir + "/" + kcidbFile, Format: resultsFormatK, Source: vendorName,
		Targets: targets, Lab: iolLab, Hardware: iolOFEDHW, Cases: len(doc.Tests)})
	g.transitions(vendorName, iolLab, iolOFEDHW, runs, g.tests)
	return p, nil
}

func (g *resultsGen) writeCSV(runs []resultRun) (string, error) {
	// The partner lab runs the regressed component's tests only when it
	// covers the releases on both sides of the regression.
	covers := false
	for k := 1; k < len(runs); k++ {
		covers = covers || runs[k].pos == g.regAt
	}
	var tests []string
	for _, t := range g.tests {
		if covers || !g.regresses(t) {
			tests = append(tests, t)
		}
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"test", "status", "suite", "lab", "hardware", "target", "start", "duration", "log_url"})
	var targets []string
	rows := 0
	for _, rel := range runs {
		target := distroName + "@" + rel.tag
		for _, o := range g.run(distroName, lab2, rel, tests) {
			w.Write([]string{o.test, o.status, category(o.test), lab2, lab2HW, target, rfc3339(o.start), seconds(o.ms),
				logURL(lab2Logs, distroName, rel.tag, o.test)})
			rows++
		}
		targets = append(targets, target)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return "", fmt.Errorf("results: %w", err)
	}
	p := filepath.Join(g.dir, csvFile)
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("results: %w", err)
	}
	g.info.Files = append(g.info.Files, ResultFile{Path: resultsDir + "/" + csvFile, Format: resultsFormatC, Source: distroName,
		Targets: targets, Lab: lab2, Hardware: lab2HW, Cases: rows})
	g.transitions(distroName, lab2, lab2HW, runs, tests)
	return p, nil
}

// lineCounter counts the lines a downstream commit adds and deletes in
// some of its files (as `git diff --numstat` would, without rename
// detection; binary files count nothing): from the file versions the
// generator kept, else from the written repository.
type lineCounter struct {
	g      *genRepo
	repo   string
	git    *git.Repository
	counts map[lineKey]int
}

type lineKey struct {
	commit int
	comp   string
}

func (lc *lineCounter) changed(i int, comp string, want func(string) bool) (int, error) {
	key := lineKey{i, comp}
	if n, ok := lc.counts[key]; ok {
		return n, nil
	}
	dc := lc.g.commits[i]
	n := 0
	if len(dc.pre) == len(dc.paths) && len(dc.post) == len(dc.paths) {
		for k, p := range dc.paths {
			if want(p) {
				n += verLines(dc.pre[k], dc.post[k])
			}
		}
		lc.counts[key] = n
		return n, nil
	}
	if lc.git == nil {
		r, err := git.PlainOpen(lc.repo)
		if err != nil {
			return 0, fmt.Errorf("results: %s: %w", lc.repo, err)
		}
		lc.git = r
	}
	c, err := lc.git.CommitObject(plumbing.NewHash(dc.entry.ID))
	if err != nil {
		return 0, fmt.Errorf("results: %s: commit %s: %w", lc.repo, dc.entry.ID, err)
	}
	if len(c.ParentHashes) != 1 {
		return 0, fmt.Errorf("results: %s: commit %s has %d parents, want 1", lc.repo, dc.entry.ID, len(c.ParentHashes))
	}
	parent, err := lc.git.CommitObject(c.ParentHashes[0])
	if err != nil {
		return 0, fmt.Errorf("results: %s: parent of %s: %w", lc.repo, dc.entry.ID, err)
	}
	post, err := c.Tree()
	if err != nil {
		return 0, fmt.Errorf("results: %s: tree of %s: %w", lc.repo, dc.entry.ID, err)
	}
	pre, err := parent.Tree()
	if err != nil {
		return 0, fmt.Errorf("results: %s: tree of %s: %w", lc.repo, parent.Hash, err)
	}
	for _, p := range dc.paths {
		if !want(p) {
			continue
		}
		a, abin, err := treeLines(pre, p)
		if err != nil {
			return 0, fmt.Errorf("results: %s: %s in %s: %w", lc.repo, p, parent.Hash, err)
		}
		b, bbin, err := treeLines(post, p)
		if err != nil {
			return 0, fmt.Errorf("results: %s: %s in %s: %w", lc.repo, p, dc.entry.ID, err)
		}
		if !abin && !bbin {
			n += editCount(a, b)
		}
	}
	lc.counts[key] = n
	return n, nil
}

// verLines counts the changed lines between two versions of a file (nil:
// absent).
func verLines(a, b *fileVer) int {
	if a == b || a != nil && a.binary() || b != nil && b.binary() {
		return 0
	}
	var x, y []string
	if a != nil {
		x = a.lines
	}
	if b != nil {
		y = b.lines
	}
	return editCount(x, y)
}

// treeLines reads the lines of the file at p in tree (none when absent)
// and says whether it is binary.
func treeLines(tree *object.Tree, p string) ([]string, bool, error) {
	f, err := tree.File(p)
	if err == object.ErrFileNotFound || err == object.ErrDirectoryNotFound {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	s, err := f.Contents()
	if err != nil {
		return nil, false, err
	}
	if strings.IndexByte(s, 0) >= 0 {
		return nil, true, nil
	}
	if s == "" {
		return nil, false, nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n"), false, nil
}

// editCount is the number of lines a shortest edit script from a to b
// deletes and adds (Myers' O(ND) greedy algorithm).
func editCount(a, b []string) int {
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		a, b = a[1:], b[1:]
	}
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	n, m := len(a), len(b)
	if n == 0 || m == 0 {
		return n + m
	}
	off := n + m + 1
	v := make([]int, 2*off+1)
	for d := 0; d <= n+m; d++ {
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || k != d && v[off+k-1] < v[off+k+1] {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			v[off+k] = x
			if x >= n && y >= m {
				return d
			}
		}
	}
	return n + m
}
