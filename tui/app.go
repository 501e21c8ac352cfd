package tui

import (
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/kdelta/kdelta/internal/termtext"
)

// App is the root model: a stack of pages, the breadcrumb above them and
// the status line below. It handles the keys every page shares: Ctrl-C
// quits from anywhere, q and Esc go back (and quit from the first page),
// ? shows the page's keys, u undoes the last action.
type App struct {
	c      *Common
	stack  []Page
	width  int
	height int
	status string
	isErr  bool
	help   bool
	undo   key.Binding
	// QuitOnError ends the program at the first error a page reports,
	// for kdelta tui --print, where no one reads the status line; Err
	// says what it was.
	QuitOnError bool
	failed      error
}

// Err is the error that ended the program (QuitOnError), or nil.
func (a *App) Err() error { return a.failed }

// NewApp starts the UI on a first page.
func NewApp(c *Common, first Page) *App {
	return &App{c: c, stack: []Page{first}, width: 80, height: 24,
		undo: key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "undo the last action"))}
}

// Init starts the first page.
func (a *App) Init() tea.Cmd {
	a.top().SetSize(a.pageSize())
	return a.top().Init()
}

func (a *App) top() Page { return a.stack[len(a.stack)-1] }

// pageSize is what a page may draw in: the screen without the breadcrumb
// and the status line.
func (a *App) pageSize() (int, int) { return a.width, max(a.height-2, 1) }

// Update routes a message.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.width, a.height = msg.Width, msg.Height
		for _, p := range a.stack {
			p.SetSize(a.pageSize())
		}
		return a, nil
	case tea.KeyMsg:
		if key.Matches(msg, a.c.Keys.Quit) {
			return a, tea.Quit
		}
		if a.help {
			a.help = false // any key closes the help
			return a, nil
		}
		if !a.top().Capturing() {
			switch {
			case key.Matches(msg, a.c.Keys.Help):
				a.help = true
				return a, nil
			case key.Matches(msg, a.undo):
				return a, a.undoLast()
			case key.Matches(msg, a.c.Keys.Back):
				if b, ok := a.top().(backer); ok && b.Back() {
					a.status, a.isErr = "", false
					return a, nil // the page went back within itself
				}
				return a, a.pop()
			}
		}
		a.status, a.isErr = "", false
	case pushMsg:
		msg.page.SetSize(a.pageSize())
		a.stack = append(a.stack, msg.page)
		a.status, a.isErr = "", false
		return a, msg.page.Init()
	case popMsg:
		return a, a.pop()
	case statusMsg:
		a.status, a.isErr = msg.text, msg.err
		if msg.err && a.QuitOnError {
			a.failed = errors.New(msg.text)
			return a, tea.Quit
		}
		return a, nil
	case refreshMsg:
		var cmds []tea.Cmd
		for i, p := range a.stack {
			var cmd tea.Cmd
			a.stack[i], cmd = p.Update(msg)
			cmds = append(cmds, routeTo(i, cmd))
		}
		return a, tea.Batch(cmds...)
	case routedMsg:
		// The answer of a page below the top (its reload after a refresh)
		// goes to that page, not to the one on top.
		if batch, ok := msg.msg.(tea.BatchMsg); ok {
			var cmds []tea.Cmd
			for _, c := range batch {
				cmds = append(cmds, routeTo(msg.depth, c))
			}
			return a, tea.Batch(cmds...)
		}
		if msg.depth >= len(a.stack) {
			return a, nil // the page was closed meanwhile
		}
		if msg.depth == len(a.stack)-1 {
			return a.Update(msg.msg)
		}
		p, cmd := a.stack[msg.depth].Update(msg.msg)
		a.stack[msg.depth] = p
		return a, routeTo(msg.depth, cmd)
	}
	p, cmd := a.top().Update(msg)
	a.stack[len(a.stack)-1] = p
	return a, cmd
}

// canceller is a page with a read in progress it can stop.
type canceller interface{ Cancel() }

func (a *App) pop() tea.Cmd {
	if c, ok := a.top().(canceller); ok {
		c.Cancel()
	}
	if len(a.stack) == 1 {
		return tea.Quit
	}
	a.stack = a.stack[:len(a.stack)-1]
	a.status, a.isErr = "", false
	return nil
}

// undoLast undoes the newest action of the session.
func (a *App) undoLast() tea.Cmd {
	act, ok := a.c.Undo.Pop()
	if !ok {
		return Status("nothing to undo")
	}
	c := a.c
	return func() tea.Msg {
		if err := act.Undo(c.Ctx); err != nil {
			return statusMsg{text: "undo " + act.What + ": " + err.Error(), err: true}
		}
		c.Forget()
		return tea.BatchMsg{Refresh(), Status("undone: %s", act.What)}
	}
}

// View draws the breadcrumb, the page (or the help) and the status line.
func (a *App) View() string {
	s := a.c.Styles
	var crumbs []string
	for _, p := range a.stack {
		crumbs = append(crumbs, p.Title())
	}
	head := s.Title.Render("kdelta") + s.Crumb.Render(" › "+safe(strings.Join(crumbs, " › ")))
	body := a.top().View()
	if a.help {
		body = a.helpView()
	}
	_, h := a.pageSize()
	body = fit(body, a.width, h)
	foot := a.footer()
	// The pages show text from repositories, archives and results files
	// through safe (see text.go); this is the last guard: what a page
	// forgot is shown escaped all the same, only the styles' own
	// sequences reach the terminal.
	return termtext.Screen(lipgloss.JoinVertical(lipgloss.Left, truncate(head, a.width), body, foot))
}

func (a *App) footer() string {
	s := a.c.Styles
	if a.status != "" {
		if a.isErr {
			return truncate(s.Error.Render("error: ")+safe(a.status), a.width)
		}
		return truncate(s.Status.Render(safe(a.status)), a.width)
	}
	// q and ? stay at every width: the page's keys are cut first.
	back := "q back"
	if len(a.stack) == 1 {
		back = "q quit"
	}
	always := "? help · " + back
	var parts []string
	for _, k := range a.top().Keys() {
		parts = append(parts, k.Help().Key+" "+k.Help().Desc)
	}
	room := a.width - ansi.StringWidth(always) - 3
	if room < 8 {
		return truncate(s.Help.Render(always), a.width)
	}
	return s.Help.Render(truncate(strings.Join(parts, " · "), room) + " · " + always)
}

// backer is a page with views of its own that q and esc leave first (the
// detail's side-by-side and interdiff views): Back says it went back.
type backer interface{ Back() bool }

func (a *App) helpView() string {
	s := a.c.Styles
	var b strings.Builder
	b.WriteString(s.Header.Render("Keys: "+a.top().Title()) + "\n\n")
	line := func(k key.Binding) {
		h := k.Help()
		b.WriteString("  " + s.Bold.Render(padRight(h.Key, 14)) + h.Desc + "\n")
	}
	for _, k := range a.top().Keys() {
		line(k)
	}
	b.WriteString("\n")
	k := a.c.Keys
	back := key.NewBinding(key.WithKeys("q", "esc"), key.WithHelp("q/esc", "quit"))
	if len(a.stack) > 1 {
		back = key.NewBinding(key.WithKeys("q", "esc"), key.WithHelp("q/esc", "back to "+safe(a.stack[len(a.stack)-2].Title())))
	}
	for _, kb := range []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End, a.undo, back, k.Help, k.Quit} {
		line(kb)
	}
	b.WriteString("\n" + s.Dim.Render("Press any key to close this help."))
	return b.String()
}

// fit cuts or pads a block to exactly w x h cells, so a page never pushes
// the status line off the screen.
func fit(s string, w, h int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = truncate(l, w)
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// routedMsg is a message for the page at a depth of the stack.
type routedMsg struct {
	depth int
	msg   tea.Msg
}

// routeTo makes the messages a command produces go to the page at depth.
func routeTo(depth int, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		m := cmd()
		switch m.(type) {
		case nil, pushMsg, popMsg, statusMsg, refreshMsg:
			return m // meant for the App
		}
		if _, quit := m.(tea.QuitMsg); quit {
			return m
		}
		return routedMsg{depth: depth, msg: m}
	}
}
