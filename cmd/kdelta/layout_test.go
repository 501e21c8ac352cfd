package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/internal/world"
	"github.com/kdelta/kdelta/project"
)

// TestLayoutsGiveOneAnswer syncs the small world exported in every
// repository layout users have (world.Layouts: one repository, each tree
// apart, an upstream repository that also carries the downstreams'
// branches and tags, downstreams cloned from upstream) and asserts that
// kdelta's answers are the same in each, with the world's interop test
// results imported: the delta of every downstream, the report, the test
// regressions, and the matches and the carried statuses of each. The
// export names each downstream's branch SOURCE/BRANCH in every layout, so
// the outputs are compared byte for byte after replacing the export's
// directory, the only thing that may differ (source URLs), with a
// placeholder.
//
// Then it rebases rhel in the world, dropping a backport, refreshes every
// export (a force-push), syncs again and asserts that check against the
// baseline each layout saved before exits 1 and names the lost backport;
// that the answers after the force-push are again the same in every
// layout; and that they equal a fresh sync of the same rewritten
// repositories into a new store.
func TestLayoutsGiveOneAnswer(t *testing.T) {
	src := filepath.Join(t.TempDir(), "world")
	if _, err := world.Build(world.Options{Seed: 1, Size: world.Small, Dir: src}); err != nil {
		t.Fatal(err)
	}
	layouts := world.Layouts()
	type export struct {
		x        *world.Exported
		baseline string
	}
	exports := map[world.Layout]*export{}
	before := map[string]map[string]string{}
	var names []string
	for _, l := range layouts {
		names = append(names, string(l))
		x, err := world.Export(src, l, filepath.Join(t.TempDir(), string(l)))
		if err != nil {
			t.Fatal(err)
		}
		do := kdeltaOn(t, x.Config)
		if out, stderr, code := do("sync"); code != exitOK {
			t.Fatalf("layout %s: sync: exit %d\n%s%s", l, code, out, stderr)
		}
		importResults(t, do, x)
		e := &export{x: x, baseline: filepath.Join(t.TempDir(), string(l)+"-baseline.json")}
		if _, stderr, code := do("report", "--format", "json", "-o", e.baseline); code != exitOK {
			t.Fatalf("layout %s: report: exit %d: %s", l, code, stderr)
		}
		exports[l] = e
		before[string(l)] = answers(t, do, x)
	}
	sameAnswers(t, "after the first sync", names, before)

	reb, err := world.Rebase(src, "rhel", 3)
	if err != nil {
		t.Fatal(err)
	}
	after := map[string]map[string]string{}
	for _, l := range layouts {
		t.Run("force-push/"+string(l), func(t *testing.T) {
			e := exports[l]
			if _, err := world.Export(src, l, e.x.Dir); err != nil {
				t.Fatal(err)
			}
			do := kdeltaOn(t, e.x.Config)
			if out, stderr, code := do("sync"); code != exitOK {
				t.Fatalf("sync after the force-push: exit %d\n%s%s", code, out, stderr)
			}
			out, stderr, code := do("check", "--baseline", e.baseline)
			if code != exitRegressions || !strings.Contains(out, reb.Upstream[0][:12]) {
				t.Errorf("check after rhel dropped the backport of %.12s: exit %d, want %d naming it\n%s%s", reb.Upstream[0], code, exitRegressions, out, stderr)
			}
			after[string(l)] = answers(t, do, e.x)

			// The same repositories, synced from scratch into a new store.
			fresh := filepath.Join(t.TempDir(), "kdelta.toml")
			b, err := os.ReadFile(e.x.Config)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(fresh, b, 0o644); err != nil {
				t.Fatal(err)
			}
			freshDo := kdeltaOn(t, fresh)
			if out, stderr, code := freshDo("sync"); code != exitOK {
				t.Fatalf("fresh sync: exit %d\n%s%s", code, out, stderr)
			}
			importResults(t, freshDo, e.x)
			// The report carries the store's history (snapshots, trends),
			// which a new store has not: it is compared between layouts only.
			old, now := maps.Clone(after[string(l)]), answers(t, freshDo, e.x)
			delete(old, reportCmd)
			delete(now, reportCmd)
			sameAnswers(t, "after the force-push, layout "+string(l), []string{"the old store", "a new store"},
				map[string]map[string]string{"the old store": old, "a new store": now})
		})
	}
	var synced []string
	for _, l := range names {
		if after[l] != nil {
			synced = append(synced, l)
		}
	}
	sameAnswers(t, "after the force-push", synced, after)
}

// kdeltaOn returns a function that runs kdelta on the project file config:
// stdout, stderr and the exit code.
func kdeltaOn(t *testing.T, config string) func(args ...string) (string, string, int) {
	return func(args ...string) (string, string, int) {
		e, out, errb := testEnv(t, filepath.Dir(config))
		code := run(append(args, "--config", config), e)
		return out.String(), errb.String(), code
	}
}

// importResults imports the world's interop test results, each file with
// the target its truth records, as a lab's CI would.
func importResults(t *testing.T, do func(args ...string) (string, string, int), x *world.Exported) {
	t.Helper()
	if x.Truth.Results == nil || len(x.Results) != len(x.Truth.Results.Files) {
		t.Fatalf("layout %s: results %v do not match the truth's", x.Layout, x.Results)
	}
	for i, f := range x.Truth.Results.Files {
		args := []string{"results", "import", x.Results[i], "--format", f.Format}
		if f.Target != "" {
			args = append(args, "--target", f.Target)
		}
		if out, stderr, code := do(args...); code != exitOK {
			t.Fatalf("layout %s: %s: exit %d\n%s%s", x.Layout, strings.Join(args, " "), code, out, stderr)
		}
	}
}

// reportCmd is the report, which check compares with a baseline.
const reportCmd = "report --format json"

// answers runs the commands whose answers must not depend on the layout:
// the delta of every downstream, the report (what check compares), the
// interop test regressions with their suspects, and the matches and
// statuses of each downstream, keyed by command line; the
// export's directory is replaced by <export>.
func answers(t *testing.T, do func(args ...string) (string, string, int), x *world.Exported) map[string]string {
	t.Helper()
	cfg, err := project.Load(x.Config)
	if err != nil {
		t.Fatal(err)
	}
	cmds := [][]string{{"delta", "--all", "--format", "json"}, strings.Fields(reportCmd), {"results", "regressions", "--format", "json"}}
	for _, d := range cfg.DownstreamRefs() {
		cmds = append(cmds, []string{"matches", d, "--format", "json"}, []string{"status", d, "--format", "json"})
	}
	out := map[string]string{}
	for _, c := range cmds {
		stdout, stderr, code := do(c...)
		if code != exitOK {
			t.Fatalf("layout %s: %s: exit %d: %s", x.Layout, strings.Join(c, " "), code, stderr)
		}
		out[strings.Join(c, " ")] = strings.ReplaceAll(stdout, x.Dir, "<export>")
	}
	return out
}

// sameAnswers asserts that the answers of every run (a layout, a store)
// equal the first's.
func sameAnswers(t *testing.T, when string, runs []string, got map[string]map[string]string) {
	t.Helper()
	if len(runs) == 0 {
		return
	}
	ref := runs[0]
	cmds := slices.Sorted(maps.Keys(got[ref]))
	for _, l := range runs[1:] {
		for _, cmd := range cmds {
			want := got[ref][cmd]
			if g, ok := got[l][cmd]; !ok {
				t.Errorf("%s: %s has no answer to %q", when, l, cmd)
			} else if g != want {
				t.Errorf("%s: `kdelta %s` differs between %s and %s:\n%s", when, cmd, ref, l, firstDifference(want, g, ref, l))
			}
		}
	}
}

// firstDifference shows where two outputs first differ, with a few lines
// of context from each.
func firstDifference(a, b, aName, bName string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	i := 0
	for i < len(al) && i < len(bl) && al[i] == bl[i] {
		i++
	}
	show := func(lines []string) string {
		from, to := max(0, i-8), min(len(lines), i+4)
		var s strings.Builder
		for k := from; k < to; k++ {
			mark := "  "
			if k == i {
				mark = "> "
			}
			fmt.Fprintf(&s, "%s%5d %s\n", mark, k+1, lines[k])
		}
		return s.String()
	}
	return fmt.Sprintf("line %d (of %d and %d):\n--- %s\n%s--- %s\n%s", i+1, len(al), len(bl), aName, show(al), bName, show(bl))
}
