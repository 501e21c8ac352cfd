package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kdelta/kdelta/internal/world"
)

// analysisRun is the analysis of one downstream: kdelta against git cherry.
type analysisRun struct {
	source        string
	downstream    int // commits git cherry lists
	cherry        measure
	first, cached measure
	matches       []benchMatch
	cherryFound   map[string]bool // commits git cherry says have an upstream equivalent
}

type benchMatch struct {
	Downstream string   `json:"downstream"`
	Upstream   []string `json:"upstream"`
	Method     string   `json:"method"`
}

// analyse times `git cherry` and `kdelta delta` (computed, then kept) on
// one downstream, and reads kdelta's matches.
func analyse(bin, config, worldDir, source, branch string) (analysisRun, error) {
	run := analysisRun{source: source}
	// git cherry needs both histories in one repository: a bare one that
	// borrows the objects of both.
	repo := filepath.Join(worldDir, "..", "cherry-"+source+".git")
	if err := exec.Command("git", "init", "-q", "--bare", repo).Run(); err != nil {
		return run, fmt.Errorf("git init: %w", err)
	}
	alt := filepath.Join(worldDir, "linux.git", "objects") + "\n" + filepath.Join(worldDir, source+".git", "objects") + "\n"
	if err := os.WriteFile(filepath.Join(repo, "objects", "info", "alternates"), []byte(alt), 0o644); err != nil {
		return run, err
	}
	for ref, src := range map[string][]string{"upstream": {"linux.git", "master"}, "downstream": {source + ".git", branch}} {
		out, err := exec.Command("git", "-C", filepath.Join(worldDir, src[0]), "rev-parse", src[1]).Output()
		if err != nil {
			return run, fmt.Errorf("rev-parse %s: %w", src[1], err)
		}
		if err := exec.Command("git", "-C", repo, "update-ref", "refs/heads/"+ref, strings.TrimSpace(string(out))).Run(); err != nil {
			return run, fmt.Errorf("update-ref: %w", err)
		}
	}
	var err error
	log("git cherry upstream %s", source)
	if run.cherry, err = timeCmd("git", "-C", repo, "cherry", "upstream", "downstream"); err != nil {
		return run, err
	}
	run.cherryFound = map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(run.cherry.out), "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			run.downstream++
			run.cherryFound[f[1]] = f[0] == "-"
		}
	}
	run.cherry.out = ""
	log("kdelta delta %s (computed, then kept)", source)
	if run.first, err = timeCmd(bin, "delta", "--config", config, source); err != nil {
		return run, err
	}
	if run.cached, err = timeCmd(bin, "delta", "--config", config, source); err != nil {
		return run, err
	}
	m, err := timeCmd(bin, "matches", "--config", config, source)
	if err != nil {
		return run, err
	}
	if err := json.Unmarshal([]byte(m.out), &run.matches); err != nil {
		return run, fmt.Errorf("kdelta matches %s: %w", source, err)
	}
	return run, nil
}

// score is precision and recall against the ground truth.
type score struct {
	predicted, correctPredicted int // commits with an upstream counterpart predicted, and of those right
	truthful, correctTruthful   int // commits with a true counterpart, and of those predicted right
	reworked, correctReworked   int // reworked backports without trailer
}

func (s score) precision() float64 { return ratio(s.correctPredicted, s.predicted) }
func (s score) recall() float64    { return ratio(s.correctTruthful, s.truthful) }
func (s score) reworkedRecall() float64 {
	return ratio(s.correctReworked, s.reworked)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

var reworkedKinds = map[world.Kind]bool{"context": true, "partial": true, "squash": true, "split": true,
	"conflict": true, "identity": true, "ifdef": true, "landed": true}

// scoreRuns compares kdelta's matches, and git cherry's verdicts, with
// the truth, over the downstream commits kdelta analysed (those in scope).
func scoreRuns(truthPath string, runs []analysisRun) (ours, cherry score, err error) {
	t, err := world.LoadTruth(truthPath)
	if err != nil {
		return ours, cherry, err
	}
	for _, run := range runs {
		d := t.Downstream(run.source)
		if d == nil {
			return ours, cherry, fmt.Errorf("no truth for %s", run.source)
		}
		truth := map[string]world.Entry{}
		for _, e := range d.Commits {
			truth[e.ID] = e
		}
		for _, m := range run.matches {
			e, ok := truth[m.Downstream]
			if !ok {
				continue
			}
			right := sameSet(m.Upstream, e.Upstream)
			add(&ours, len(m.Upstream) > 0, right, e)
			// git cherry says only whether an equivalent exists, not which.
			found := run.cherryFound[m.Downstream]
			add(&cherry, found, found == (len(e.Upstream) > 0), e)
		}
	}
	return ours, cherry, nil
}

func add(s *score, predicted, right bool, e world.Entry) {
	if predicted {
		s.predicted++
		if right {
			s.correctPredicted++
		}
	}
	if len(e.Upstream) > 0 {
		s.truthful++
		if right && predicted {
			s.correctTruthful++
		}
		if reworkedKinds[e.Kind] && e.Trailer == "" {
			s.reworked++
			if right && predicted {
				s.correctReworked++
			}
		}
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := append([]string(nil), a...), append([]string(nil), b...)
	sort.Strings(x)
	sort.Strings(y)
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}
