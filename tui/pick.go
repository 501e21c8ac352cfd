package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/kdelta/kdelta/change"
)

// Pick lists a few commits to open one: the other side of a backport pair
// when it has several (a squash, a split).
type Pick struct {
	c             *Common
	target        string
	title         string
	ids           []string
	subjects      map[string]string
	cur           int
	width, height int
}

func newPick(c *Common, target, title string, ids []string, subjects map[string]string) Page {
	return &Pick{c: c, target: target, title: title, ids: ids, subjects: subjects}
}

// Title names the page in the breadcrumb.
func (p *Pick) Title() string { return p.title }

// Keys are the page's keys.
func (p *Pick) Keys() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open the commit"))}
}

// Capturing is false: the page has no text input.
func (p *Pick) Capturing() bool { return false }

// SetSize sets the drawing area.
func (p *Pick) SetSize(w, h int) { p.width, p.height = w, h }

// Init does nothing: the page has what it shows.
func (p *Pick) Init() tea.Cmd { return nil }

// Update moves the cursor and opens a commit.
func (p *Pick) Update(msg tea.Msg) (Page, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		if key.Matches(k, p.c.Keys.Enter) {
			return p, Push(NewDetail(p.c, p.target, p.ids[p.cur]))
		}
		p.cur, _ = p.c.Keys.Move(k, p.cur, len(p.ids), max(p.height-2, 1))
	}
	return p, nil
}

// View lists the commits.
func (p *Pick) View() string {
	s := p.c.Styles
	var b strings.Builder
	b.WriteString(s.Dim.Render(fmt.Sprintf("%d commits: enter opens one", len(p.ids))) + "\n")
	for i, id := range p.ids {
		line := "  " + change.Short(id) + " " + safe(p.subjects[id])
		if i == p.cur {
			line = s.Selected.Render("›" + line[1:])
		}
		b.WriteString(truncate(line, p.width) + "\n")
	}
	return b.String()
}
