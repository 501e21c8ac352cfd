package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kdelta/kdelta/internal/world"
)

// The contracts scripts rely on: JSON shapes, the check's Markdown, the
// rules manual input is checked by, ignore scopes, what status shows.

// deltaIDs is what `kdelta delta DOWNSTREAM --format json` lists of the
// whole delta (component ""), by list.
type deltaIDs struct {
	Missing, MissingFixes, Backported, DownstreamOnly []string
}

func wholeDelta(t *testing.T, do func(args ...string) (string, string, int), downstream string) deltaIDs {
	t.Helper()
	js, stderr, code := do("delta", downstream, "--format", "json")
	type commit struct {
		ID string `json:"id"`
	}
	var r struct {
		Components []struct {
			Component      string   `json:"component"`
			Missing        []commit `json:"missing"`
			MissingFixes   []commit `json:"missing_fixes"`
			Backported     []commit `json:"backported"`
			DownstreamOnly []commit `json:"downstream_only"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil || code != exitOK {
		t.Fatalf("delta %s: exit %d, %v: %s", downstream, code, err, stderr)
	}
	ids := func(cs []commit) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	for _, c := range r.Components {
		if c.Component == "" {
			return deltaIDs{ids(c.Missing), ids(c.MissingFixes), ids(c.Backported), ids(c.DownstreamOnly)}
		}
	}
	t.Fatalf("delta %s has no whole component", downstream)
	return deltaIDs{}
}

// TestMatchesUpstreamIsAList asks `kdelta matches` for a downstream's
// matches right after they were computed and again from the store: a
// downstream-only commit's upstream is [] both times, never null.
func TestMatchesUpstreamIsAList(t *testing.T) {
	_, _, do := demoWorld(t)
	d := wholeDelta(t, do, "rhel")
	if len(d.DownstreamOnly) == 0 {
		t.Fatal("rhel carries nothing of its own in the small world")
	}
	// A manual match and its removal make the analysis computed again.
	if _, stderr, code := do("match", "set", d.DownstreamOnly[0]); code != exitOK {
		t.Fatalf("match set: exit %d: %s", code, stderr)
	}
	if _, stderr, code := do("match", "unset", d.DownstreamOnly[0]); code != exitOK {
		t.Fatalf("match unset: exit %d: %s", code, stderr)
	}
	for _, when := range []string{"computed", "read back"} {
		js, stderr, code := do("matches", "rhel")
		var ms []map[string]json.RawMessage
		if err := json.Unmarshal([]byte(js), &ms); err != nil || code != exitOK {
			t.Fatalf("matches (%s): exit %d, %v: %s", when, code, err, stderr)
		}
		empty := 0
		for _, m := range ms {
			up := strings.TrimSpace(string(m["upstream"]))
			if !strings.HasPrefix(up, "[") {
				t.Fatalf("matches (%s): upstream is %s in %s", when, up, m["downstream"])
			}
			if up == "[]" {
				empty++
			}
		}
		if empty == 0 {
			t.Errorf("matches (%s): no downstream-only commit shows upstream []", when)
		}
	}
}

// TestCheckMarkdownReadsInACILog runs a check that finds regressions (a
// rebase drops a backport, upstream fixes code every downstream has) and
// reads its stdout as a CI log shows it.
func TestCheckMarkdownReadsInACILog(t *testing.T) {
	dir, _, do := demoWorld(t)
	base := filepath.Join(t.TempDir(), "base.json")
	if _, stderr, code := do("report", "--format", "json", "-o", base); code != exitOK {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	reb, err := world.Rebase(dir, "rhel", 3)
	if err != nil {
		t.Fatal(err)
	}
	truth, err := world.LoadTruth(filepath.Join(dir, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range truth.Downstream("rhel").Commits {
		if e.Kind == world.KindCherryPick && len(e.Upstream) == 1 && e.Upstream[0] != reb.Upstream[0] {
			if _, err := world.AddUpstreamFix(dir, e.Upstream[0], 7); err == nil {
				break
			}
		}
	}
	if _, stderr, code := do("sync"); code != exitOK {
		t.Fatalf("sync: exit %d: %s", code, stderr)
	}
	out, stderr, code := do("check", "--baseline", base)
	if code != exitRegressions || !strings.Contains(out, "backport") || !strings.Contains(out, "missing-fix") {
		t.Fatalf("check: exit %d, want %d\n%s%s", code, exitRegressions, out, stderr)
	}
	entity := regexp.MustCompile(`&(#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z]+);`)
	hexID := regexp.MustCompile(`\b[0-9a-f]{12}\b`)
	items := 0
	var item string
	check := func() {
		if item == "" {
			return
		}
		// Nothing said twice: no id, no "was -> now".
		seen := map[string]bool{}
		for _, id := range hexID.FindAllString(item, -1) {
			if seen[id] {
				t.Errorf("%s is said twice in %q", id, item)
			}
			seen[id] = true
		}
		if strings.Count(item, " -> ") > 1 {
			t.Errorf("the change is said twice in %q", item)
		}
		item = ""
	}
	for _, line := range strings.Split(out, "\n") {
		if m := entity.FindString(line); m != "" {
			t.Errorf("an HTML entity %s in %q", m, line)
		}
		if n := utf8.RuneCountInString(line); n > 120 {
			t.Errorf("a line of %d columns: %q", n, line)
		}
		switch {
		case strings.HasPrefix(line, "- "):
			check()
			item = line
			items++
		case strings.HasPrefix(line, "  ") && item != "":
			item += " " + strings.TrimSpace(line)
		default:
			check()
		}
	}
	check()
	if items == 0 {
		t.Errorf("no list item in:\n%s", out)
	}
	// The fix every downstream lacks now is one item naming them all.
	if n := strings.Count(out, "missing-fix"); n != 2 { // the table's header and one item
		t.Errorf("missing-fix appears %d times, want the table's column and one item naming every downstream:\n%s", n, out)
	}
}

// TestManualMatchRefusesTheWrongSide gives `kdelta match set` ids of the
// wrong side: each is refused with its reason (exit 2) and nothing is
// written.
func TestManualMatchRefusesTheWrongSide(t *testing.T) {
	_, _, do := demoWorld(t)
	rhel := wholeDelta(t, do, "rhel")
	if len(rhel.DownstreamOnly) < 2 || len(rhel.Missing) == 0 {
		t.Fatalf("the small world's rhel has %d downstream-only and %d missing commits", len(rhel.DownstreamOnly), len(rhel.Missing))
	}
	own, other, up := rhel.DownstreamOnly[0], rhel.DownstreamOnly[1], rhel.Missing[0]
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"a downstream commit as upstream", []string{own[:10], other[:10]}, other[:12] + " is not a commit of linux, the upstream of rhel@main; it is in rhel"},
		{"an upstream commit as downstream", []string{up[:10], up[:10]}, up[:12] + " is not a change any downstream carries since its base; it is in linux"},
		{"no such commit", []string{own[:10], "deadbeef0"}, "deadbeef0: no commit of that id in the store"},
		{"not an id", []string{own[:10], "HEAD~1"}, `"HEAD~1" is not a commit id`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := do(append([]string{"match", "set"}, tc.args...)...)
			if code != exitBadInput || !strings.Contains(stderr, tc.stderr) || strings.Count(strings.TrimSpace(stderr), "\n") > 1 {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, exitBadInput, tc.stderr)
			}
		})
	}
	js, _, _ := do("matches", "rhel")
	if strings.Contains(js, `"manual"`) {
		t.Fatal("a refused manual match was written")
	}
	out, stderr, code := do("match", "set", own[:8], up[:8])
	if code != exitOK || !strings.Contains(out, own[:12]+" now carries "+up[:12]+" by hand") {
		t.Fatalf("match set with abbreviated ids: exit %d: %s%s", code, out, stderr)
	}
	if out, stderr, code := do("match", "unset", own[:8]); code != exitOK || !strings.Contains(out, "removed the manual match of "+own[:12]) {
		t.Errorf("match unset: exit %d: %s%s", code, out, stderr)
	}
}

// TestIgnoreScope puts an upstream commit on rhel's ignore list only, and
// a path on every downstream's; rhel's missing lists lose the commit,
// ofed's keep it.
func TestIgnoreScope(t *testing.T) {
	_, _, do := demoWorld(t)
	t.Setenv("KDELTA_USER", "Ana Maintainer")
	rhel, ofed := wholeDelta(t, do, "rhel"), wholeDelta(t, do, "ofed")
	shared := ""
	for _, id := range rhel.Missing {
		for _, o := range ofed.Missing {
			if id == o {
				shared = id
				break
			}
		}
		if shared != "" {
			break
		}
	}
	if shared == "" {
		t.Fatal("no upstream commit is missing in both rhel and ofed")
	}
	out, stderr, code := do("ignore", "add", shared[:9], "--downstream", "rhel", "--reason", "rhel does not build it")
	if code != exitOK || !strings.Contains(out, "ignoring id "+shared+" in the missing lists for rhel only: rhel does not build it") {
		t.Fatalf("ignore add --downstream rhel: exit %d: %s%s", code, out, stderr)
	}
	out, stderr, code = do("ignore", "add", "drivers/infiniband/hw/qib/", "--reason", "qib is not shipped")
	if code != exitOK || !strings.Contains(out, "for every downstream") {
		t.Fatalf("ignore add: exit %d: %s%s", code, out, stderr)
	}
	contains := func(list []string, id string) bool {
		for _, x := range list {
			if x == id {
				return true
			}
		}
		return false
	}
	if contains(wholeDelta(t, do, "rhel").Missing, shared) {
		t.Errorf("rhel still lacks %.12s, which its ignore list keeps out", shared)
	}
	if !contains(wholeDelta(t, do, "ofed").Missing, shared) {
		t.Errorf("ofed no longer lacks %.12s, which only rhel's ignore list names", shared)
	}

	list, _, _ := do("ignore", "list")
	if !regexp.MustCompile(`id\s+`+shared+`\s+rhel\s+rhel does not build it`).MatchString(list) ||
		!regexp.MustCompile(`path\s+drivers/infiniband/hw/qib/\s+every downstream\s+qib is not shipped\s+\d{4}-\d\d-\d\d\s+Ana Maintainer`).MatchString(list) {
		t.Errorf("ignore list does not show whom each entry is for and who made it:\n%s", list)
	}
	if list, _, _ := do("ignore", "list", "--downstream", "ofed"); strings.Contains(list, shared) || !strings.Contains(list, "qib") {
		t.Errorf("ignore list --downstream ofed:\n%s", list)
	}
	for _, tc := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"ignore", "add", shared, "--downstream", "rhle", "--reason", "x"}, `--downstream "rhle" is not a downstream of`},
		{[]string{"ignore", "add", shared, "--downstream", "rhel@main", "--reason", "x"}, "name the source alone"},
		{[]string{"ignore", "add", shared, "--downstream", "linux", "--reason", "x"}, `"linux" is not a downstream`},
		{[]string{"ignore", "rm", shared[:9]}, "is on the ignore list for rhel only, not for every downstream: remove it with --downstream rhel"},
		{[]string{"ignore", "rm", "deadbeef0"}, "no upstream commit deadbeef0 is on the ignore list"},
	} {
		if _, stderr, code := do(tc.args...); code != exitBadInput || !strings.Contains(stderr, tc.stderr) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr, exitBadInput, tc.stderr)
		}
	}
	if _, stderr, _ := do("ignore", "add", shared, "--downstream", "rhle", "--reason", "x"); !strings.Contains(stderr, `did you mean "rhel"?`) {
		t.Errorf("a mistyped downstream has no suggestion: %s", stderr)
	}
	// rm takes the abbreviation add took.
	if out, stderr, code := do("ignore", "rm", shared[:9], "--downstream", "rhel"); code != exitOK || !strings.Contains(out, "removed "+shared+" from the ignore list for rhel only") {
		t.Fatalf("ignore rm --downstream rhel: exit %d: %s%s", code, out, stderr)
	}
	if !contains(wholeDelta(t, do, "rhel").Missing, shared) {
		t.Errorf("rhel does not lack %.12s again after ignore rm", shared)
	}
	if out, stderr, code := do("ignore", "rm", "drivers/infiniband/hw/qib/"); code != exitOK || !strings.Contains(out, "for every downstream") {
		t.Errorf("ignore rm PATH: exit %d: %s%s", code, out, stderr)
	}
}

// TestStatusShowsAnAnnotationAtOnce annotates a carried change and asks
// for its status before any sync: the annotation is on top.
func TestStatusShowsAnAnnotationAtOnce(t *testing.T) {
	_, _, do := demoWorld(t)
	js, _, _ := do("status", "rhel", "--format", "json")
	var carried []struct {
		ID     string `json:"id"`
		Status struct {
			Status string `json:"status"`
		} `json:"status"`
	}
	if err := json.Unmarshal([]byte(js), &carried); err != nil {
		t.Fatal(err)
	}
	id := ""
	for _, c := range carried {
		if c.Status.Status != "rejected" {
			id = c.ID
			break
		}
	}
	if id == "" {
		t.Fatal("every carried change of rhel is rejected already")
	}
	nowRow := regexp.MustCompile(`(?m)^now\s+\d{4}-`)
	before, stderr, code := do("status", id[:10])
	if code != exitOK || strings.Contains(before, "rejected") || nowRow.MatchString(before) {
		t.Fatalf("status before: exit %d\n%s%s", code, before, stderr)
	}
	if out, stderr, code := do("annotate", id[:10], "rejected", "--reason", "NAKed on linux-rdma"); code != exitOK {
		t.Fatalf("annotate: exit %d: %s%s", code, out, stderr)
	}
	out, stderr, code := do("status", id[:10])
	if code != exitOK || !regexp.MustCompile(`(?m)^now\s+2026-11-22 12:00\s+rhel@main\s+rejected \(was \w+\)\s+NAKed on linux-rdma$`).MatchString(out) ||
		!regexp.MustCompile(`now rejected; evidence:\n  annotation says rejected  annotated rejected by .+ on 2026-11-22: NAKed on linux-rdma`).MatchString(out) {
		t.Errorf("status right after annotate: exit %d\n%s%s", code, out, stderr)
	}
	js, _, _ = do("status", id[:10], "--format", "json")
	var tl []struct {
		Snapshot int64 `json:"snapshot"`
		Status   struct {
			Status string `json:"status"`
		} `json:"status"`
	}
	if err := json.Unmarshal([]byte(js), &tl); err != nil || len(tl) < 2 || tl[len(tl)-1].Snapshot != 0 || tl[len(tl)-1].Status.Status != "rejected" {
		t.Errorf("status --format json: %v, %s", err, js)
	}
	// Once a sync saved it, the snapshot has it and there is no "now" row.
	if _, stderr, code := do("sync"); code != exitOK {
		t.Fatalf("sync: exit %d: %s", code, stderr)
	}
	out, _, _ = do("status", id[:10])
	if nowRow.MatchString(out) || !regexp.MustCompile(`(?m)^\d+\s+.*rhel@main\s+rejected \(was \w+\)`).MatchString(out) {
		t.Errorf("status after a sync:\n%s", out)
	}
}

// TestDeltaUnknownComponent asks for a component the map lacks: exit 2,
// with what was likely meant.
func TestDeltaUnknownComponent(t *testing.T) {
	_, _, do := demoWorld(t)
	for _, tc := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"delta", "rhel", "--component", "mlx"}, `--component "mlx" is not a component; did you mean "mlx4", "mlx5"`},
		{[]string{"delta", "rhel", "--component", "ipob"}, `did you mean "ipoib"?`},
		{[]string{"delta", "--all", "--component", "MLX6"}, `did you mean "mlx4" or "mlx5"?`},
		{[]string{"delta", "rhel", "--component", "zzzzzz", "--format", "json"}, "(components: "},
	} {
		out, stderr, code := do(tc.args...)
		if code != exitBadInput || !strings.Contains(stderr, tc.stderr) || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %d and %q", tc.args, code, out, stderr, exitBadInput, tc.stderr)
		}
	}
	if out, stderr, code := do("delta", "rhel", "--component", "mlx5"); code != exitOK || !strings.Contains(out, "mlx5") {
		t.Errorf("a known component: exit %d: %s%s", code, out, stderr)
	}
}
