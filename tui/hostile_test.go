package tui

import (
	"cmp"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/kdelta/kdelta/internal/world"
)

// hostileWorld is the small world with world.PlantHostile's commits,
// postings and test results synced and imported.
func hostileWorld(t *testing.T) (*testWorld, *world.Hostile) {
	t.Helper()
	var h *world.Hostile
	w := buildTestWorld(t, func(w *world.World) []string {
		var err error
		if h, err = world.PlantHostile(w.Dir); err != nil {
			t.Fatal(err)
		}
		return []string{h.Results}
	})
	return w, h
}

// screenLeak returns the first character of a screen the terminal would
// obey (or that breaks its cells: a tab), or "". With styles, an SGR
// sequence (colours, bold) is the UI's own; any other escape is a leak.
func screenLeak(view string, styles bool) string {
	for i := 0; i < len(view); {
		r, size := utf8.DecodeRuneInString(view[i:])
		if styles && r == 0x1b {
			j := i + 2
			for j < len(view) && (view[j] >= '0' && view[j] <= '9' || view[j] == ';' || view[j] == ':') {
				j++
			}
			if i+1 < len(view) && view[i+1] == '[' && j < len(view) && view[j] == 'm' {
				i = j + 1
				continue
			}
		}
		bad := r == utf8.RuneError && size == 1 || r < 0x20 && r != '\n' || r >= 0x7f && r <= 0x9f ||
			r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c
		if bad {
			return fmt.Sprintf("%U at byte %d in %q", r, i, view[max(0, i-40):min(len(view), i+40)])
		}
		i += size
	}
	return ""
}

// TestHostileTextNeverReachesTheScreen opens every page of the UI on the
// hostile commits, postings and test results: no screen holds a control
// character (escape sequences, carriage return, backspace, DEL, C1, bidi
// overrides, tabs), each shows the hostile text escaped, and every line
// keeps to the width, the escapes measured as what they show. With
// colours, only the styles' own SGR sequences are on the screen.
func TestHostileTextNeverReachesTheScreen(t *testing.T) {
	w, h := hostileWorld(t)
	const title = `\x1b]0;pwned\x07` // the window title sequence, shown
	keys := func(s string) []tea.Msg {
		var out []tea.Msg
		for _, r := range s {
			out = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		}
		return out
	}
	end := tea.KeyMsg{Type: tea.KeyEnd}
	tests := []struct {
		name   string
		page   func(c *Common) Page
		wait   string    // what the screen shows once loaded
		then   []tea.Msg // keys (or messages) sent after it
		after  string    // what the screen shows after them
		show   []string  // on the last screen
		styles bool      // draw with colours
		height int       // of the terminal (24 when 0)
	}{
		{name: "overview", page: func(c *Common) Page { return NewOverview(c) }, wait: "missing fixes / missing / carried"},
		{name: "missing fixes", page: func(c *Common) Page { return NewDeltaList(c, "rhel@main", "mlx5") }, wait: "row 1 of",
			show: []string{"RDMA/mlx5: " + title}},
		{name: "missing fixes in colour", styles: true, page: func(c *Common) Page { return NewDeltaList(c, "rhel@main", "mlx5") }, wait: "row 1 of",
			show: []string{"RDMA/mlx5: " + title}},
		{name: "missing", page: func(c *Common) Page { return NewDeltaList(c, "rhel@main", "mlx5") }, wait: "row 1 of",
			then: keys("2"), after: "[2 missing", show: []string{"RDMA/mlx5: " + title}},
		{name: "carried, filtered", page: func(c *Common) Page { return NewDeltaList(c, "rhel@main", "mlx5") }, wait: "row 1 of",
			then: append(keys("4/pwned"), tea.KeyMsg{Type: tea.KeyEnter}), after: `filter "pwned": 1 of`,
			show: []string{"IB/mlx5: carry " + title, "submitted v1 <20240101120000.1-hostile-" + title}},
		{name: "detail of the missing fix", page: func(c *Common) Page { return NewDetail(c, "rhel@main", h.Upstream) }, wait: "missing fix: rhel@main lacks it",
			show: []string{"RDMA/mlx5: " + title, "author      Mallory " + title + `\u202eyrollaM\u202c`, "mlx5/" + title + `\u202eh.c`}},
		{name: "diff of the missing fix", page: func(c *Common) Page { return NewDetail(c, "rhel@main", h.Upstream) }, wait: "missing fix: rhel@main lacks it",
			then: []tea.Msg{end}, after: "hostile",
			show: []string{`+static int hostile\r = 1;`, `+\x1b[2J\x1b[3J`, `+/* ` + title}},
		{name: "detail of the carried change", height: 60, page: func(c *Common) Page { return NewDetail(c, "rhel@main", h.Downstream) },
			wait: "carried: rhel@main carries it", show: []string{"IB/mlx5: carry " + title, "<20240101120000.1-hostile-" + title + "@evil.example>",
				"FAIL  ipoib.mlx5." + title}},
		{name: "regressions", height: 60, page: func(c *Common) Page { return NewTests(c, "rhel") }, wait: "missing upstream fixes",
			show: []string{"FAIL ipoib.mlx5." + title, "RDMA/mlx5: " + title}},
		{name: "latest results", page: func(c *Common) Page { return NewTests(c, "rhel") }, wait: "missing upstream fixes",
			then: []tea.Msg{tea.KeyMsg{Type: tea.KeyTab}}, after: "Latest:"},
		{name: "history of the hostile test", page: func(c *Common) Page { return newTestHistory(c, "rhel", h.Test) }, wait: "row 1 of 2",
			show: []string{"kdelta › ipoib.mlx5." + title, `lab \x1…`, `hw \u202eevil…`, "log https://evil.example/" + `\x1b]8;;x\x1b\log`}},
		{name: "an error in the status line", page: func(c *Common) Page { return NewOverview(c) }, wait: "missing fixes / missing / carried",
			then: []tea.Msg{statusMsg{text: "cannot read " + world.HostileLine, err: true}}, after: "cannot read",
			show: []string{"error: cannot read " + title}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := w.common(t)
			if tt.styles {
				r := lipgloss.NewRenderer(io.Discard)
				r.SetColorProfile(termenv.TrueColor)
				c.Styles = NewStyles(r)
			}
			height := cmp.Or(tt.height, 24)
			tm := teatest.NewTestModel(t, NewApp(c, tt.page(c)), teatest.WithInitialTermSize(80, height))
			waitFor(t, tm, tt.wait)
			for _, m := range tt.then {
				tm.Send(m)
			}
			if tt.after != "" {
				waitFor(t, tm, tt.after)
			}
			view := finalView(t, tm)
			if bad := screenLeak(view, tt.styles); bad != "" {
				t.Errorf("the screen holds %s", bad)
			}
			if tt.styles && !strings.Contains(view, "\x1b[") {
				t.Error("the screen has no style: the colour case tests nothing")
			}
			plain := view
			if tt.styles {
				plain = ansi.Strip(view)
			}
			for i, l := range strings.Split(view, "\n") {
				if n := ansi.StringWidth(l); n > 80 {
					t.Errorf("line %d is %d cells wide, more than 80: %q", i+1, n, l)
				}
			}
			for _, s := range tt.show {
				if !strings.Contains(plain, s) {
					t.Errorf("the screen lacks %q:\n%s", s, plain)
				}
			}
		})
	}
}
