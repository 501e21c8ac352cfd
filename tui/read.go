package tui

import (
	"context"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
)

// read is a page's read of the store: a spinner while it runs, a cancel
// for esc, and a number that tells the answer of the current read from a
// stale one (a refresh starts a new read before the old one answers).
type read struct {
	spin    spinner.Model
	cancel  context.CancelFunc
	seq     int
	running bool
}

func newRead() read { return read{spin: spinner.New(spinner.WithSpinner(spinner.Dot))} }

// begin cancels the read in progress and starts another: the context its
// tea.Cmd reads with, and its number.
func (r *read) begin(parent context.Context) (context.Context, int) {
	r.Cancel()
	r.seq++
	r.running = true
	ctx, cancel := context.WithCancel(parent)
	r.cancel = cancel
	return ctx, r.seq
}

// Cancel stops the read in progress.
func (r *read) Cancel() {
	if r.cancel != nil {
		r.cancel()
	}
}

// end takes the answer of read seq; false when a newer read is running.
func (r *read) end(seq int) bool {
	if seq != r.seq {
		return false
	}
	r.running = false
	r.Cancel() // releases the context
	return true
}

// tick turns the spinner while the read runs.
func (r *read) tick(msg spinner.TickMsg) tea.Cmd {
	if !r.running {
		return nil
	}
	var cmd tea.Cmd
	r.spin, cmd = r.spin.Update(msg)
	return cmd
}
