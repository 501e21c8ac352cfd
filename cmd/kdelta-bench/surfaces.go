package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kdelta/kdelta/internal/world"
)

// surfaceRun times what release managers and CI run once the store is
// synced: importing the world's interop results, the regressions, the
// reports and the check.
type surfaceRun struct {
	files, results       int
	imports              measure // every results file, one process each, summed (peak: the largest)
	regressions          measure
	html, json           measure
	htmlSize, jsonSize   int64
	check                measure
	tui                  measure
	downstreams, ongoing int
}

func surfaces(bin, config, worldDir string, downstreams int) (surfaceRun, error) {
	s := surfaceRun{downstreams: downstreams}
	truth, err := world.LoadTruth(filepath.Join(worldDir, "truth.json"))
	if err != nil {
		return s, err
	}
	if truth.Results == nil {
		return s, fmt.Errorf("the world has no test results")
	}
	log("kdelta: results import of %d files", len(truth.Results.Files))
	for _, f := range truth.Results.Files {
		args := []string{"results", "import", "--config", config, filepath.Join(worldDir, f.Path)}
		if f.Target != "" {
			args = append(args, "--target", f.Target)
		}
		m, err := timeCmd(bin, args...)
		if err != nil {
			return s, err
		}
		s.imports.took += m.took
		s.imports.maxRSS = max(s.imports.maxRSS, m.maxRSS)
		s.files++
		s.results += f.Cases
	}
	log("kdelta: results regressions")
	if s.regressions, err = timeCmd(bin, "results", "regressions", "--config", config, "--format", "json"); err != nil {
		return s, err
	}
	var regs []json.RawMessage
	if err := json.Unmarshal([]byte(s.regressions.out), &regs); err != nil {
		return s, fmt.Errorf("results regressions printed no JSON array: %w", err)
	}
	s.ongoing = len(regs)
	s.regressions.out = ""
	dir, err := os.MkdirTemp("", "kdelta-bench-report-")
	if err != nil {
		return s, err
	}
	defer os.RemoveAll(dir)
	html, js := filepath.Join(dir, "report.html"), filepath.Join(dir, "report.json")
	log("kdelta: report --format html")
	if s.html, err = timeCmd(bin, "report", "--config", config, "-o", html); err != nil {
		return s, err
	}
	log("kdelta: report --format json")
	if s.json, err = timeCmd(bin, "report", "--config", config, "-o", js); err != nil {
		return s, err
	}
	if fi, err := os.Stat(html); err == nil {
		s.htmlSize = fi.Size()
	}
	if fi, err := os.Stat(js); err == nil {
		s.jsonSize = fi.Size()
	}
	log("kdelta: tui --print (the first screen, drawn once)")
	if s.tui, err = timeCmd(bin, "tui", "--config", config, "--print"); err != nil {
		return s, err
	}
	s.tui.out = ""
	log("kdelta: check against the JSON report")
	if s.check, err = timeCmd(bin, "check", "--config", config, "--baseline", js); err != nil {
		return s, err
	}
	return s, nil
}

func renderSurfaces(b *strings.Builder, s surfaceRun) {
	mib := func(n int64) string { return fmt.Sprintf("%d MiB", n>>20) }
	fmt.Fprintf(b, "\n## Test results, reports and the CI gate\n\n")
	fmt.Fprintf(b, "Once every source is synced: the world's interop results (%d files: JUnit, kcidb, CSV; %d results), the\n", s.files, s.results)
	fmt.Fprintf(b, "regressions with their suspects, the report of every downstream, and `kdelta check` against that report\n")
	fmt.Fprintf(b, "(nothing changed in between, so it exits 0). No git command does any of this: times are absolute.\n\n")
	fmt.Fprintf(b, "| what | time | peak memory | output |\n|---|---:|---:|---:|\n")
	fmt.Fprintf(b, "| `kdelta results import` of each file (one process each, summed) | %s | %s | %d results |\n",
		s.imports.took.Round(time.Millisecond), mib(s.imports.maxRSS), s.results)
	fmt.Fprintf(b, "| `kdelta results regressions --format json` | %s | %s | %d regressions |\n",
		s.regressions.took.Round(time.Millisecond), mib(s.regressions.maxRSS), s.ongoing)
	fmt.Fprintf(b, "| `kdelta report -o report.html` (every downstream) | %s | %s | %.1f MiB |\n",
		s.html.took.Round(10*time.Millisecond), mib(s.html.maxRSS), float64(s.htmlSize)/(1<<20))
	fmt.Fprintf(b, "| `kdelta report -o report.json` | %s | %s | %.1f MiB |\n",
		s.json.took.Round(10*time.Millisecond), mib(s.json.maxRSS), float64(s.jsonSize)/(1<<20))
	fmt.Fprintf(b, "| `kdelta check --baseline report.json` | %s | %s | %d downstreams |\n",
		s.check.took.Round(10*time.Millisecond), mib(s.check.maxRSS), s.downstreams)
	fmt.Fprintf(b, "| `kdelta tui --print`: the TUI's first screen (the matrix of every downstream), from start to drawn | %s | %s | |\n",
		s.tui.took.Round(time.Millisecond), mib(s.tui.maxRSS))
	fmt.Fprintf(b, "\nTarget (issue 7): the TUI's first screen under 1 s once the store is synced.\n")
}
