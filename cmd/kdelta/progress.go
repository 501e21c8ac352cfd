package main

import (
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress shows a sync's progress: a bar on a terminal; otherwise plain
// lines for logs: one when a counted stage ends, one every plainEvery
// while it runs, and one for a stage without a count.
type progress struct {
	e     *env
	bar   *progressbar.ProgressBar
	stage string
	total int
	done  int
	start time.Time
	last  time.Time
}

// plainEvery is how often a long stage reports itself in plain output.
const plainEvery = 10 * time.Second

func newProgress(e *env) *progress { return &progress{e: e} }

func (p *progress) Stage(name string, total int) {
	p.finish()
	p.stage, p.total, p.done = name, total, 0
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
		if total > 0 {
			opts = append(opts, progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("commits"))
			p.bar = progressbar.NewOptions(total, opts...)
		} else {
			p.bar = progressbar.NewOptions(-1, opts...)
		}
		return
	}
	if total <= 0 {
		fmt.Fprintln(p.e.stderr, name)
	}
}

func (p *progress) Advance(n int) {
	p.done += n
	if p.bar != nil {
		p.bar.Add(n)
		return
	}
	if now := p.e.now(); p.total > 0 && now.Sub(p.last) >= plainEvery {
		p.last = now
		fmt.Fprintf(p.e.stderr, "%s: %d of %d\n", p.stage, p.done, p.total)
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
	if p.stage != "" && p.total > 0 && !p.e.isTerminal {
		fmt.Fprintf(p.e.stderr, "%s: %d done in %s\n", p.stage, p.done, p.e.now().Sub(p.start).Round(time.Millisecond))
	}
	p.stage = ""
}

// Done ends the last stage.
func (p *progress) Done() { p.finish() }
