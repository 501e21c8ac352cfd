package tui

import (
	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// newInput returns a one-line text input (bubbles' textinput) with a
// steady cursor, so that a screen is the same every time it is drawn.
func newInput(s *Styles, prompt, placeholder string) textinput.Model {
	in := textinput.New()
	in.Prompt = prompt
	in.Placeholder = placeholder
	in.PlaceholderStyle = s.Dim
	in.Cursor.Style = s.Selected
	in.Cursor.SetMode(cursor.CursorStatic)
	in.Focus()
	return in
}

// typeInto gives a key to an input; it returns no command (the cursor
// does not blink).
func typeInto(in *textinput.Model, msg tea.KeyMsg) {
	*in, _ = in.Update(msg)
}
