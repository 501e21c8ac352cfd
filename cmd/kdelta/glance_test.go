package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/project"
)

// TestCompareCommand asks what rhel would gain with ofed for mlx5, in
// each format, and refuses what cannot be compared. (The answer itself is
// checked against the world's truth in analyzer.TestCompareAgainstTruth.)
func TestCompareCommand(t *testing.T) {
	dir, _, do := demoWorld(t)
	js, stderr, code := do("compare", "rhel", "ofed", "--component", "mlx5", "--format", "json")
	if code != exitOK {
		t.Fatalf("compare --format json: exit %d: %s", code, stderr)
	}
	var c analyzer.Comparison
	if err := json.Unmarshal([]byte(js), &c); err != nil {
		t.Fatal(err)
	}
	if c.A != "rhel@main" || c.B != "ofed@master" || len(c.Components) != 1 || c.Components[0].Component != "mlx5" {
		t.Fatalf("compared %s and %s in %d components", c.A, c.B, len(c.Components))
	}
	cc := c.Components[0]
	if len(cc.ALacks) == 0 || cc.ALacks[0].Rank == analyzer.RankOther || cc.ALacks[0].Reason == "" {
		t.Fatalf("rhel lacks %d mlx5 commits ofed has; the first is not a ranked fix: %+v", len(cc.ALacks), cc.ALacks)
	}
	table, _, code := do("compare", "rhel", "ofed", "--component", "mlx5", "--limit", "0")
	if code != exitOK {
		t.Fatalf("compare: exit %d", code)
	}
	for _, want := range []string{"rhel@main and ofed@master, both against linux@master",
		"What rhel@main would gain with ofed@master: upstream commits ofed@master has and rhel@main lacks, most critical first (" + strconv.Itoa(len(cc.ALacks)) + ")",
		cc.ALacks[0].ID[:12], "[" + cc.ALacks[0].Reason + "]", "Carried by rhel@main alone (" + strconv.Itoa(len(cc.AAlone)) + ")"} {
		if !strings.Contains(table, want) {
			t.Errorf("the table lacks %q:\n%s", want, table)
		}
	}
	md, _, code := do("compare", "rhel", "ofed", "--format", "md")
	if code != exitOK || !strings.HasPrefix(md, "# rhel@main and ofed@master compared\n") || !strings.Contains(md, "| mlx5 | "+strconv.Itoa(len(cc.ALacks))+" (") {
		t.Errorf("compare --format md: exit %d\n%.600s", code, md)
	}
	for _, bad := range [][]string{{"compare", "rhel"}, {"compare", "rhel", "rhel@main"}, {"compare", "rhel", "linux"},
		{"compare", "rhel", "ofed", "--format", "html"}, {"compare", "rhel", "ofed", "--component", "mlx6"}} {
		if _, stderr, code := do(bad...); code != exitBadInput || strings.Count(strings.TrimSpace(stderr), "\n") > 1 {
			t.Errorf("%v: exit %d, want %d: %s", bad, code, exitBadInput, stderr)
		}
	}
	// A report compares the pairs it is asked to.
	rep, stderr, code := do("report", "--format", "md", "--compare", "rhel:ofed", "rhel", "ofed")
	if code != exitOK || !strings.Contains(rep, "## rhel@main and ofed@master compared") {
		t.Errorf("report --compare: exit %d: %s", code, stderr)
	}
	// And the pairs the project file names, in every report.
	config := filepath.Join(dir, "kdelta.toml")
	text, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(config, append([]byte("[report]\ncompare = [\"sles:rhel\"]\n\n"), text...), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, stderr, code = do("report", "--format", "md", "rhel", "sles")
	if code != exitOK || !strings.Contains(rep, "## sles@series and rhel@main compared") {
		t.Errorf("report with [report] compare: exit %d: %s", code, stderr)
	}
	if err := os.WriteFile(config, append([]byte("[report]\ncompare = [\"sles:winofed-3.0\"]\n\n"), text...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := do("report", "--format", "md"); code != exitBadInput || !strings.Contains(stderr, `kdelta.toml:2: report: compare names "winofed-3.0", which has no upstream`) {
		t.Errorf("a pair that cannot be compared: exit %d: %s", code, stderr)
	}
}

// TestCheckStartsClean: a pipeline's first run of kdelta check, with no
// baseline yet, writes it and passes; the next run compares with it. A
// downstream with no test result imported says "no results", not "pass".
func TestCheckStartsClean(t *testing.T) {
	_, _, do := demoWorld(t)
	base := filepath.Join(t.TempDir(), "baseline.json")
	out, stderr, code := do("check", "--baseline", base, "--update-baseline", base)
	if code != exitOK || !strings.Contains(out, "no baseline "+base+" yet: wrote the first baseline") {
		t.Fatalf("first run: exit %d\n%s%s", code, out, stderr)
	}
	if _, err := os.Stat(base); err != nil {
		t.Fatalf("no baseline written: %v", err)
	}
	out, stderr, code = do("check", "--update-baseline", base)
	if code != exitOK || !strings.Contains(out, "no regressions") {
		t.Fatalf("second run: exit %d\n%s%s", code, out, stderr)
	}
	// Which downstreams have test results.
	js, _, _ := do("report", "--format", "json")
	var doc struct {
		Downstreams []struct {
			Downstream string            `json:"downstream"`
			Tests      []json.RawMessage `json:"tests"`
		} `json:"downstreams"`
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	seen := map[bool]bool{}
	for _, d := range doc.Downstreams {
		row := regexp.MustCompile(`(?m)^\| ` + regexp.QuoteMeta(d.Downstream) + ` \|.*\| ([a-z ]+) \|$`).FindStringSubmatch(out)
		if row == nil {
			t.Errorf("no row of %s in:\n%s", d.Downstream, out)
			continue
		}
		want := "pass"
		if len(d.Tests) == 0 {
			want = "no results"
		}
		seen[len(d.Tests) == 0] = true
		if row[1] != want {
			t.Errorf("%s with %d test results: the test check says %q, want %q", d.Downstream, len(d.Tests), row[1], want)
		}
	}
	if !seen[true] || !seen[false] {
		t.Errorf("the demo world has no downstream with and one without test results: %v", seen)
	}
	// A missing baseline without --update-baseline is still bad input.
	if _, stderr, code := do("check", "--baseline", filepath.Join(t.TempDir(), "none.json")); code != exitBadInput {
		t.Errorf("missing baseline: exit %d: %s", code, stderr)
	}
}

// TestVersion: kdelta --version names the module version, the commit and
// the Go that built it.
func TestVersion(t *testing.T) {
	e, out, _ := testEnv(t, t.TempDir())
	if code := run([]string{"--version"}, e); code != exitOK || !strings.HasPrefix(out.String(), "kdelta ") || !strings.Contains(out.String(), "go1.") {
		t.Errorf("--version: exit %d: %q", code, out)
	}
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/kdelta/kdelta", Version: "v0.4.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.time", Value: "2026-11-20T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	if got, want := formatVersion(bi), "kdelta v0.4.0 (commit 0123456789ab of 2026-11-20T10:00:00Z, modified; built with go1.26.8)"; got != want {
		t.Errorf("formatVersion = %q, want %q", got, want)
	}
}

// TestInitStaysOffline: the starter kdelta init writes enables no source,
// so a first sync reaches for nothing: it says what to do and exits 2,
// with no mirror made; the examples are still there to uncomment.
func TestInitStaysOffline(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	e, _, _ := testEnv(t, dir)
	if code := run([]string{"init"}, e); code != exitOK {
		t.Fatalf("init: exit %d", code)
	}
	cfg, err := project.Load(filepath.Join(dir, "kdelta.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Sources) != 0 {
		t.Errorf("the starter enables %d sources: %+v", len(cfg.Sources), cfg.Sources)
	}
	text, _ := os.ReadFile(filepath.Join(dir, "kdelta.toml"))
	if !bytes.Contains(text, []byte(`# url = "https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git"`)) {
		t.Error("the upstream example is gone from the starter")
	}
	e, _, errb := testEnv(t, dir)
	if code := run([]string{"sync"}, e); code != exitBadInput || !strings.Contains(errb.String(), "names no source yet") {
		t.Errorf("first sync: exit %d: %s", code, errb)
	}
	if _, err := os.Stat(filepath.Join(dir, project.DefaultMirrorDir)); err == nil {
		t.Error("the first sync made a mirror directory")
	}
}

// TestDeltaRanked: kdelta delta lists missing commits most critical first
// with the reason, in the table and the JSON; --sort date keeps the
// analysis's order (missing fixes oldest first).
func TestDeltaRanked(t *testing.T) {
	_, _, do := demoWorld(t)
	js, stderr, code := do("delta", "rhel", "--format", "json")
	if code != exitOK {
		t.Fatalf("delta --format json: exit %d: %s", code, stderr)
	}
	var r struct {
		Components []struct {
			Component    string `json:"component"`
			MissingFixes []struct {
				ID     string    `json:"id"`
				Date   time.Time `json:"date"`
				Rank   string    `json:"rank"`
				Reason string    `json:"reason"`
			} `json:"missing_fixes"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatal(err)
	}
	fixes := r.Components[0].MissingFixes
	if len(fixes) < 3 {
		t.Fatalf("rhel has %d missing fixes", len(fixes))
	}
	last := 0
	for _, f := range fixes {
		if f.Rank == "" || f.Rank == analyzer.RankOther {
			t.Errorf("missing fix %.12s ranked %q", f.ID, f.Rank)
		}
		if o := analyzer.RankOrder(f.Rank); o < last {
			t.Errorf("missing fix %.12s (%s) after a more critical one", f.ID, f.Rank)
		} else {
			last = o
		}
	}
	byDate, _, code := do("delta", "rhel", "--format", "json", "--sort", "date")
	if code != exitOK {
		t.Fatalf("--sort date: exit %d", code)
	}
	// The old order is the analysis's: what delta --all prints unranked.
	raw, _, _ := do("delta", "--all", "--format", "json")
	var all []struct {
		Downstream string `json:"downstream"`
		Components []struct {
			MissingFixes []struct {
				ID string `json:"id"`
			} `json:"missing_fixes"`
		} `json:"components"`
	}
	var d struct {
		Components []struct {
			MissingFixes []struct {
				ID   string `json:"id"`
				Rank string `json:"rank"`
			} `json:"missing_fixes"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(byDate), &d); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(raw), &all); err != nil || all[0].Downstream != "rhel@main" {
		t.Fatalf("delta --all: %v", err)
	}
	var got, want []string
	for _, f := range d.Components[0].MissingFixes {
		got = append(got, f.ID)
		if f.Rank == "" {
			t.Errorf("--sort date: %.12s has no rank", f.ID)
		}
	}
	for _, f := range all[0].Components[0].MissingFixes {
		want = append(want, f.ID)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("--sort date changed the analysis's order")
	}
	if strings.Join(got, " ") == strings.Join(func() []string {
		var ids []string
		for _, f := range fixes {
			ids = append(ids, f.ID)
		}
		return ids
	}(), " ") {
		t.Log("the ranked order happens to be the date order")
	}
	mlx5, _, code := do("delta", "rhel", "--component", "mlx5", "--limit", "0")
	if code != exitOK || !strings.Contains(mlx5, "Missing fixes, most critical first") || !regexp.MustCompile(`\[(cve|release|stable|fix): `).MatchString(mlx5) {
		t.Errorf("delta --component mlx5: exit %d\n%.800s", code, mlx5)
	}
	if _, _, code := do("delta", "rhel", "--sort", "size"); code != exitBadInput {
		t.Errorf("--sort size: exit %d", code)
	}
}

// TestJSONOneCasing: every key of every JSON kdelta prints is snake_case
// (the reference problems' Downstream, Ref, Why were not).
func TestJSONOneCasing(t *testing.T) {
	_, _, do := demoWorld(t)
	key := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	for _, args := range [][]string{
		{"delta", "rhel", "--format", "json"}, {"delta", "--all", "--format", "json"}, {"delta", "winofed-3.1", "--format", "json"},
		{"matches", "ofed", "--format", "json"}, {"status", "sles", "--format", "json"}, {"results", "regressions", "rhel", "--format", "json"},
		{"report", "--format", "json", "--compare", "rhel:ofed"}, {"compare", "sles", "mlnx-ofed", "--format", "json"},
	} {
		out, stderr, code := do(args...)
		if code != exitOK {
			t.Errorf("%v: exit %d: %s", args, code, stderr)
			continue
		}
		var v any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Errorf("%v: %v", args, err)
			continue
		}
		var walk func(v any, path string)
		walk = func(v any, path string) {
			switch x := v.(type) {
			case map[string]any:
				for k, e := range x {
					// by_status and the results' map keys are data.
					if !key.MatchString(k) && !strings.HasSuffix(path, "by_status") {
						t.Errorf("%v: key %q at %s", args, k, path)
					}
					walk(e, path+"."+k)
				}
			case []any:
				for _, e := range x {
					walk(e, path+"[]")
				}
			}
		}
		walk(v, "")
	}
}

// TestProgressUnitsAndETA: a counted stage reports its count in its own
// unit with the time left; a stage without a total reports its count.
func TestProgressUnitsAndETA(t *testing.T) {
	for _, tc := range []struct{ stage, unit string }{
		{"linux@master: walking and fingerprinting", "commits"},
		{"linux: finding the first release of each commit (20 release tags)", "tags"},
		{"ofed: looking up linux-rdma's postings", "messages"},
		{"sles@series: reading patches", "patches"},
		{"world: results", "steps"},
	} {
		if got := stageUnit(tc.stage); got != tc.unit {
			t.Errorf("stageUnit(%q) = %q, want %q", tc.stage, got, tc.unit)
		}
	}
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var errb bytes.Buffer
	e := &env{stdout: &bytes.Buffer{}, stderr: &errb, now: func() time.Time { return clock }}
	p := newProgress(e)
	p.Stage("linux: finding the first release of each commit (40 release tags)", 40)
	clock = clock.Add(11 * time.Second)
	p.Advance(10)
	p.Stage("linux@master: walking and fingerprinting", 0)
	clock = clock.Add(11 * time.Second)
	p.Advance(500)
	p.Done()
	log := errb.String()
	for _, want := range []string{
		"linux: finding the first release of each commit (40 release tags): 40 tags\n",
		"linux: finding the first release of each commit (40 release tags): 10 of 40 tags, about 33s left\n",
		"linux@master: walking and fingerprinting: 500 commits so far\n",
		"linux@master: walking and fingerprinting: 500 commits done in 11s\n",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("progress lacks %q:\n%s", want, log)
		}
	}
}

// TestBaseNamedOnce: a base configured as a commit id is named once, in
// the sync's report and in delta's header.
func TestBaseNamedOnce(t *testing.T) {
	dir, _, do := demoWorld(t)
	config := filepath.Join(dir, "kdelta.toml")
	text, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	out, _, _ := do("delta", "ofed", "--format", "json")
	var r struct {
		Base string `json:"base"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.Base) != 40 {
		t.Fatalf("ofed's base: %v %q", err, r.Base)
	}
	if !bytes.Contains(text, []byte(`base = "v6.1"`)) {
		t.Fatalf("the world's ofed has no base v6.1:\n%s", text)
	}
	if err := os.WriteFile(config, bytes.Replace(text, []byte(`base = "v6.1"`), []byte(`base = "`+r.Base+`"`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	sync, stderr, code := do("sync")
	if code != exitOK {
		t.Fatalf("sync: exit %d: %s", code, stderr)
	}
	short := r.Base[:12]
	for _, l := range strings.Split(sync, "\n") {
		if strings.HasPrefix(l, "ofed@master") && (!strings.Contains(l, "base "+short+" (configured)") || strings.Count(l, short) != 1) {
			t.Errorf("the sync names ofed's base %q", l)
		}
	}
	head, _, _ := do("delta", "ofed")
	if first, _, _ := strings.Cut(head, "\n"); strings.Count(first, short) != 1 || strings.Contains(first, r.Base) {
		t.Errorf("delta names the base %q", first)
	}
}
