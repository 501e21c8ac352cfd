// Package tui is kdelta's terminal UI: a root model (App) routes between
// page models (overview matrix, delta list, commit detail, test results);
// every read and write of the project's state goes through the service
// layer (analyzer.Service) in a tea.Cmd, so the UI never blocks and
// gathers nothing itself: pages render what the service returns. Pages
// share one Common: the service, the project, the styles, the keys, the
// clock, the analyses read this session and the undo stack.
package tui

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/project"
)

// Page is one screen. The App sends it the messages it does not handle
// itself; a page moves the UI with the commands Push, Pop and Status.
type Page interface {
	Init() tea.Cmd
	Update(msg tea.Msg) (Page, tea.Cmd)
	View() string
	// SetSize gives the page the size it may draw in (without the App's
	// title and status lines).
	SetSize(width, height int)
	// Title names the page in the breadcrumb.
	Title() string
	// Keys are the page's own keys, for the help and the footer.
	Keys() []key.Binding
	// Capturing says a text input has the keyboard: q, ?, Esc and the
	// other App keys go to the page.
	Capturing() bool
}

// Common is what every page shares.
type Common struct {
	Ctx    context.Context
	Svc    *analyzer.Service // the only way pages read and change the project's state
	Cfg    *project.Config
	Rules  *project.TestRules
	Styles *Styles
	Keys   KeyMap
	Now    func() time.Time
	Undo   *UndoStack

	mu       sync.Mutex
	analyses map[string]*analyzer.Result
	rankers  map[string]*analyzer.Ranker
	statuses map[*analyzer.Result][]analyzer.Carried
}

// NewCommon builds the shared state of a UI session.
func NewCommon(ctx context.Context, svc *analyzer.Service, styles *Styles, now func() time.Time) *Common {
	return &Common{Ctx: ctx, Svc: svc, Cfg: svc.Config(), Rules: svc.Rules(), Styles: styles, Keys: DefaultKeys(), Now: now,
		Undo: &UndoStack{}, analyses: map[string]*analyzer.Result{}, rankers: map[string]*analyzer.Ranker{},
		statuses: map[*analyzer.Result][]analyzer.Carried{}}
}

// Analysis returns a downstream's analysis with its tests, computed once
// per session (and kept in the store across sessions); Forget drops it
// after an action changes what it depends on. Safe from tea.Cmds. With
// Statuses it makes Common the analyzer.Analyses a commit's detail and a
// delta list's carried changes are gathered from.
func (c *Common) Analysis(ctx context.Context, target string) (*analyzer.Result, error) {
	c.mu.Lock()
	r := c.analyses[target]
	c.mu.Unlock()
	if r != nil {
		return r, nil
	}
	r, err := c.Svc.Analysis(ctx, target)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.analyses[target] = r
	c.mu.Unlock()
	return r, nil
}

// Ranker returns what ranks a downstream's missing commits (where its
// releases ship fixed code), read once per analysis. Safe from tea.Cmds.
func (c *Common) Ranker(ctx context.Context, target string) (*analyzer.Ranker, error) {
	r, err := c.Analysis(ctx, target)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	rk := c.rankers[r.Downstream]
	c.mu.Unlock()
	if rk != nil {
		return rk, nil
	}
	rk, err = c.Svc.Ranker(ctx, r)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.rankers[r.Downstream] = rk
	c.mu.Unlock()
	return rk, nil
}

// Statuses returns the statuses of the changes the downstream of r (an
// analysis Analysis returned) carries, decided once per analysis. Safe
// from tea.Cmds.
func (c *Common) Statuses(ctx context.Context, r *analyzer.Result) ([]analyzer.Carried, error) {
	c.mu.Lock()
	st, ok := c.statuses[r]
	c.mu.Unlock()
	if ok {
		return st, nil
	}
	st, err := c.Svc.Statuses(ctx, r)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.statuses[r] = st
	c.mu.Unlock()
	return st, nil
}

// Forget drops every kept analysis, and what was read from them.
func (c *Common) Forget() {
	c.mu.Lock()
	c.analyses = map[string]*analyzer.Result{}
	c.rankers = map[string]*analyzer.Ranker{}
	c.statuses = map[*analyzer.Result][]analyzer.Carried{}
	c.mu.Unlock()
}

// Downstreams lists the downstreams measured by commits, as SOURCE@REF.
func (c *Common) Downstreams() []string { return c.Cfg.DownstreamRefs() }

// Navigation and status messages.
type (
	pushMsg   struct{ page Page }
	popMsg    struct{}
	statusMsg struct {
		text string
		err  bool
	}
	// refreshMsg tells every page on the stack that the store changed
	// (an action, or an undo): reload what they show.
	refreshMsg struct{}
)

// Push opens a page on top of the current one.
func Push(p Page) tea.Cmd { return func() tea.Msg { return pushMsg{p} } }

// Pop goes back to the previous page.
func Pop() tea.Cmd { return func() tea.Msg { return popMsg{} } }

// Status shows a notice in the status line.
func Status(format string, args ...any) tea.Cmd {
	text := fmt.Sprintf(format, args...)
	return func() tea.Msg { return statusMsg{text: text} }
}

// Failed shows an error in the status line; the UI goes on.
func Failed(err error) tea.Cmd {
	return func() tea.Msg { return statusMsg{text: err.Error(), err: true} }
}

// Refresh tells the pages that the store changed.
func Refresh() tea.Cmd { return func() tea.Msg { return refreshMsg{} } }

// Styles are the UI's styles, from one renderer: no colour when the
// terminal has none or NO_COLOR is set.
type Styles struct {
	Title, Crumb, Status, Error, Help, Dim, Bold, Plain, Selected, Header lipgloss.Style
	Bad, Warn, Good, Added, Removed, Changed, Border                      lipgloss.Style
	Caution                                                               lipgloss.Style // a failing test's cell: less than a missing fix
}

// Severity is the style of a matrix cell by its worst item
// (analyzer.Severities): red for a missing CVE fix, orange for a missing
// fix, yellow for a failing test, plain for missing features only, green
// for nothing missing.
func (s *Styles) Severity(sev string) lipgloss.Style {
	switch sev {
	case analyzer.SeverityCVE:
		return s.Bad
	case analyzer.SeverityFix:
		return s.Warn
	case analyzer.SeverityTest:
		return s.Caution
	case analyzer.SeverityNone:
		return s.Good
	}
	return s.Plain
}

// NewStyles builds the styles on a renderer.
func NewStyles(r *lipgloss.Renderer) *Styles {
	c := func(s string) lipgloss.TerminalColor { return lipgloss.AdaptiveColor{Light: s, Dark: s} }
	return &Styles{
		Title:    r.NewStyle().Bold(true),
		Crumb:    r.NewStyle().Foreground(c("244")),
		Status:   r.NewStyle().Foreground(c("244")),
		Error:    r.NewStyle().Foreground(c("196")).Bold(true),
		Help:     r.NewStyle().Foreground(c("244")),
		Dim:      r.NewStyle().Foreground(c("244")),
		Bold:     r.NewStyle().Bold(true),
		Plain:    r.NewStyle(),
		Selected: r.NewStyle().Reverse(true),
		Header:   r.NewStyle().Bold(true).Underline(true),
		Bad:      r.NewStyle().Foreground(c("196")).Bold(true),
		Warn:     r.NewStyle().Foreground(c("214")),
		Good:     r.NewStyle().Foreground(c("34")),
		Added:    r.NewStyle().Foreground(c("34")),
		Removed:  r.NewStyle().Foreground(c("196")),
		Changed:  r.NewStyle().Foreground(c("214")).Bold(true),
		Border:   r.NewStyle().Foreground(c("240")),
		Caution:  r.NewStyle().Foreground(c("220")),
	}
}

// KeyMap holds the keys every page shares.
type KeyMap struct {
	Up, Down, Left, Right, PageUp, PageDown, Home, End key.Binding
	Enter, Back, Quit, Help                            key.Binding
}

// DefaultKeys returns the shared keys.
func DefaultKeys() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Left:     key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "left")),
		Right:    key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "right")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f", " "), key.WithHelp("pgdn", "page down")),
		Home:     key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "first")),
		End:      key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "last")),
		Enter:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:     key.NewBinding(key.WithKeys("q", "esc"), key.WithHelp("q/esc", "back")),
		Quit:     key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
	}
}

// Move moves a list cursor by one of the shared keys (up, down, a page,
// first, last) in a list of n rows showing page of them at a time; ok
// says whether msg was one of those keys. The cursor stays in [0, n-1]
// (0 when the list is empty).
func (k KeyMap) Move(msg tea.KeyMsg, cur, n, page int) (next int, ok bool) {
	switch {
	case key.Matches(msg, k.Up):
		cur--
	case key.Matches(msg, k.Down):
		cur++
	case key.Matches(msg, k.PageUp):
		cur -= page
	case key.Matches(msg, k.PageDown):
		cur += page
	case key.Matches(msg, k.Home):
		cur = 0
	case key.Matches(msg, k.End):
		cur = n - 1
	default:
		return cur, false
	}
	return max(min(cur, n-1), 0), true
}

// Action is one change to the store made from the UI, with its undo.
type Action struct {
	What string                          // "annotated 3f2a9c1 never", for the status line
	Undo func(ctx context.Context) error // puts the store back as it was
}

// UndoStack holds the actions of the session, newest last.
type UndoStack struct {
	mu      sync.Mutex
	actions []Action
}

// Push records an action.
func (u *UndoStack) Push(a Action) {
	u.mu.Lock()
	u.actions = append(u.actions, a)
	u.mu.Unlock()
}

// Pop takes the newest action off, or reports there is none.
func (u *UndoStack) Pop() (Action, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.actions) == 0 {
		return Action{}, false
	}
	a := u.actions[len(u.actions)-1]
	u.actions = u.actions[:len(u.actions)-1]
	return a, true
}
