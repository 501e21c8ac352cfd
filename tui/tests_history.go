package tui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/change"
)

// testHistory is the page of one test's history: every stored result of
// it, the results of the downstream it was opened from first.
type testHistory struct {
	c      *Common
	source string
	test   string
	rows   []analyzer.TestStatus
	cur    int
	top    int
	width  int
	height int
	rd     read
	err    error
}

func newTestHistory(c *Common, source, test string) *testHistory {
	return &testHistory{c: c, source: source, test: test, width: 80, height: 22,
		rd: newRead()}
}

type historyLoaded struct {
	seq  int
	rows []analyzer.TestStatus
	err  error
}

// Title names the page.
func (h *testHistory) Title() string { return h.test }

// Keys are the page's keys: only the shared ones.
func (h *testHistory) Keys() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑↓", "move"))}
}

// Capturing is false: the page has no text input.
func (h *testHistory) Capturing() bool { return false }

// SetSize sets the drawing area.
func (h *testHistory) SetSize(w, ht int) { h.width, h.height = w, ht }

// Init loads the history.
func (h *testHistory) Init() tea.Cmd { return tea.Batch(h.load(), h.rd.spin.Tick) }

// Cancel stops a load in progress.
func (h *testHistory) Cancel() { h.rd.Cancel() }

func (h *testHistory) load() tea.Cmd {
	h.err = nil
	ctx, seq := h.rd.begin(h.c.Ctx)
	c, test, source := h.c, h.test, h.source
	return func() tea.Msg {
		rows, err := c.Svc.TestHistory(ctx, test)
		if err != nil {
			return historyLoaded{seq: seq, err: fmt.Errorf("history of %s: %w", test, err)}
		}
		sort.SliceStable(rows, func(i, j int) bool {
			a, _ := analyzer.Target(rows[i].Target)
			b, _ := analyzer.Target(rows[j].Target)
			return a == source && b != source
		})
		return historyLoaded{seq: seq, rows: rows}
	}
}

// Update handles keys and loads.
func (h *testHistory) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case historyLoaded:
		if !h.rd.end(msg.seq) {
			return h, nil
		}
		if msg.err != nil {
			h.err = msg.err
			return h, Failed(msg.err)
		}
		h.rows = msg.rows
		h.cur = min(h.cur, max(len(h.rows)-1, 0))
		return h, nil
	case refreshMsg:
		return h, tea.Batch(h.load(), h.rd.spin.Tick)
	case spinner.TickMsg:
		return h, h.rd.tick(msg)
	case tea.KeyMsg:
		if h.rd.running || len(h.rows) == 0 {
			return h, nil
		}
		h.cur, _ = h.c.Keys.Move(msg, h.cur, len(h.rows), h.rowsShown())
	}
	return h, nil
}

// rowsShown is how many results fit: the page without the test's name,
// the column titles and the two lines about the selected result.
func (h *testHistory) rowsShown() int { return max(h.height-4, 1) }

// View draws the history table.
func (h *testHistory) View() string {
	s := h.c.Styles
	if h.rd.running {
		return h.rd.spin.View() + " loading the history of " + safe(h.test) + "… (esc cancels)"
	}
	if h.err != nil {
		return s.Error.Render("could not load the history: ") + safe(h.err.Error()) + "\n\n" + s.Dim.Render("q goes back.")
	}
	var b strings.Builder
	comps := strings.Join(h.c.Rules.Components(h.test), ", ")
	if comps == "" {
		comps = "none: no test rule maps it"
	}
	b.WriteString(truncate(s.Bold.Render(safe(h.test))+s.Dim.Render(fmt.Sprintf("  %d results · components: %s", len(h.rows), comps)), h.width) + "\n")
	if len(h.rows) == 0 {
		b.WriteString("\nNo stored result of this test.")
		return b.String()
	}
	rows := h.rowsShown()
	if h.cur < h.top {
		h.top = h.cur
	}
	if h.cur >= h.top+rows {
		h.top = h.cur - rows + 1
	}
	h.top = max(min(h.top, len(h.rows)-rows), 0)
	cols := []column{
		{title: "target", min: 14, keepEnd: true},
		{title: "commit", min: 7, cut: true},
		{title: "lab", min: 8},
		{title: "hardware", min: 14},
		{title: "status", min: 6},
		{title: "started", min: 10},
		{title: "message"},
	}
	cells := make([][]string, len(h.rows))
	for i, r := range h.rows {
		started := "-"
		if !r.Started.IsZero() {
			started = r.Started.UTC().Format("2006-01-02")
		}
		cells[i] = safeCells(r.Target, change.Short(r.Commit), r.Lab, r.Hardware, r.Status, started, firstLine(r.Message))
	}
	widths := fitColumns(cols, cells, h.width, []int{6, 3, 2, 1, 0, 5})
	b.WriteString(s.Header.Render(tableRow(cols, widths, nil, false, h.width)) + "\n")
	end := min(h.top+rows, len(h.rows))
	for i := h.top; i < end; i++ {
		line := tableRow(cols, widths, cells[i], i == h.cur, h.width)
		b.WriteString(statusStyle(s, h.rows[i].Status, i == h.cur).Render(line) + "\n")
	}
	for i := end - h.top; i < rows; i++ {
		b.WriteString("\n")
	}
	r := h.rows[h.cur]
	b.WriteString(truncate(selectedInfo(r.Target, r, s), h.width) + "\n")
	started := "not dated"
	if !r.Started.IsZero() {
		started = "started " + r.Started.UTC().Format("2006-01-02 15:04")
	}
	b.WriteString(truncate(s.Dim.Render(fmt.Sprintf("row %d of %d · %s · %s", h.cur+1, len(h.rows), safe(r.Target), started)), h.width))
	return b.String()
}
