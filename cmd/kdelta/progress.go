package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress shows a sync's progress: a bar on a terminal, with the count
// in the stage's unit (commits, tags, messages, patches), the rate and,
// when the total is known, the time left; otherwise plain lines for logs:
// one when a stage starts, one every plainEvery while it runs (the count,
// and with a total the time left), one when a counted stage ends.
type progress struct {
	e     *env
	bar   *progressbar.ProgressBar
	stage string
	unit  string
	total int
	done  int
	start time.Time
	last  time.Time
}

// stageUnit is what a stage counts, from its name (see ingest's
// stages): the release tags a sync walks to find first releases, the
// postings of a list it looks up, the patches of a series it reads, else
// commits; building the demo world, the repositories' commits and the
// steps of the rest (its extras, results, truth).
func stageUnit(name string) string {
	if tree, ok := strings.CutPrefix(name, "world: "); ok && (tree == "extras" || tree == "results" || tree == "truth") {
		return "steps"
	}
	switch {
	case strings.Contains(name, "release tags"):
		return "tags"
	case strings.Contains(name, "postings"):
		return "messages"
	case strings.Contains(name, "patches"):
		return "patches"
	}
	return "commits"
}

// eta is the time a counted stage has left at its rate so far; 0 when it
// cannot tell yet.
func eta(done, total int, took time.Duration) time.Duration {
	if done <= 0 || total <= done {
		return 0
	}
	left := time.Duration(float64(took) / float64(done) * float64(total-done))
	switch {
	case left > time.Minute:
		return left.Round(time.Second)
	case left > time.Second:
		return left.Round(100 * time.Millisecond)
	}
	return left.Round(time.Millisecond)
}

// plainEvery is how often a long stage reports itself in plain output.
const plainEvery = 10 * time.Second

func newProgress(e *env) *progress { return &progress{e: e} }

func (p *progress) Stage(name string, total int) {
	p.finish()
	p.stage, p.total, p.done, p.unit = name, total, 0, stageUnit(name)
	p.start, p.last = p.e.now(), p.e.now()
	if p.e.isTerminal {
		// The bar redraws itself with carriage returns: it writes to the
		// terminal unguarded, its description made safe here.
		w := p.e.rawStderr
		if w == nil {
			w = p.e.stderr
		}
		opts := []progressbar.Option{
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(safe(name)),
			progressbar.OptionThrottle(100 * time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSpinnerType(14),
		}
		opts = append(opts, progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString(p.unit))
		if total > 0 {
			opts = append(opts, progressbar.OptionSetPredictTime(true), progressbar.OptionSetElapsedTime(true))
			p.bar = progressbar.NewOptions(total, opts...)
		} else {
			p.bar = progressbar.NewOptions(-1, opts...)
		}
		return
	}
	if total > 0 {
		fmt.Fprintf(p.e.stderr, "%s: %d %s\n", name, total, p.unit)
	} else {
		fmt.Fprintln(p.e.stderr, name)
	}
}

func (p *progress) Advance(n int) {
	p.done += n
	if p.bar != nil {
		p.bar.Add(n)
		return
	}
	if now := p.e.now(); now.Sub(p.last) >= plainEvery {
		p.last = now
		if p.total <= 0 {
			fmt.Fprintf(p.e.stderr, "%s: %d %s so far\n", p.stage, p.done, p.unit)
			return
		}
		line := fmt.Sprintf("%s: %d of %d %s", p.stage, p.done, p.total, p.unit)
		if left := eta(p.done, p.total, now.Sub(p.start)); left > 0 {
			line += fmt.Sprintf(", about %s left", left)
		}
		fmt.Fprintln(p.e.stderr, line)
	}
}

func (p *progress) Note(format string, args ...any) {
	if p.bar != nil {
		p.bar.Clear()
	}
	fmt.Fprintf(p.e.stderr, format+"\n", args...)
}

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
		p.bar = nil
	}
	if p.stage != "" && (p.total > 0 || p.done > 0) && !p.e.isTerminal {
		fmt.Fprintf(p.e.stderr, "%s: %d %s done in %s\n", p.stage, p.done, p.unit, p.e.now().Sub(p.start).Round(time.Millisecond))
	}
	p.stage = ""
}

// Done ends the last stage.
func (p *progress) Done() { p.finish() }
