package tui

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/analyzer/status"
	"github.com/kdelta/kdelta/change"
)

// The detail page's actions write to the store at once, in a tea.Cmd that
// first reads what they change, so that the Action it records on the undo
// stack puts it back: m sets a manual match (re-pairs a backport, from
// either side), n marks a backport's downstream change "not a backport"
// (downstream-only), M clears a manual match, a annotates a status, A
// clears the annotation, x puts a missing upstream commit on the ignore
// list of this downstream or of every downstream. After a write the
// session's analyses are forgotten and every page reloads.

// detFormKind says what an action's input asks.
type detFormKind int

const (
	detFormMatch    detFormKind = iota // upstream ids for a manual match
	detFormAnnotate                    // a status, then why
	detFormIgnore                      // for whom, then why an upstream commit is no issue
)

// The answers to whom an ignore-list entry is for (detFormIgnore, step 0).
const (
	ignoreHere  = iota // this downstream's source only
	ignoreEvery        // every downstream
)

// actionForm is an open action's input at the foot of the page.
type actionForm struct {
	kind   detFormKind
	step   int // detFormAnnotate: 0 chooses the status, 1 asks why; detFormIgnore: 0 chooses for whom, 1 asks why
	choice int // detFormAnnotate: index in status.All(); detFormIgnore: ignoreHere or ignoreEvery
	input  textinput.Model
	busy   bool // submitted; the store has not answered yet
}

// actionDone says an action was written: its form closes. (The refresh
// and the status line go to the App with it, whichever page is on top.)
type actionDone struct{ d *Detail }

// actionFailed says an action was refused or failed, the store as it was:
// its form takes input again. (The error goes to the status line with it.)
type actionFailed struct{ d *Detail }

// failed answers an action that was refused or failed.
func (d *Detail) failed(err error) tea.Msg {
	return tea.BatchMsg{Failed(err), func() tea.Msg { return actionFailed{d: d} }}
}

// openForm starts the action of a key (one that makes sense, see why).
func (d *Detail) openForm(k string) tea.Cmd {
	switch k {
	case "M":
		return d.clearMatch()
	case "A":
		return d.clearAnnotation()
	}
	f := &actionForm{input: newInput(d.c.Styles, "› ", "")}
	switch k {
	case "m":
		f.kind = detFormMatch
		m := d.info.Match
		if d.info.Kind == analyzer.DetailBackported && len(d.info.Carriers) == 1 {
			m = &d.info.Carriers[0]
		}
		if m != nil && len(m.Upstream) > 0 {
			var ids []string
			for _, u := range m.Upstream {
				ids = append(ids, change.Short(u))
			}
			f.input.Placeholder = "now " + strings.Join(ids, " ")
		} else {
			f.input.Placeholder = "none: downstream-only"
		}
	case "a":
		f.kind = detFormAnnotate
		f.choice = len(status.All()) - 1
		if c := d.info.Carried; c != nil {
			for i, s := range status.All() {
				if s == c.Status.Status {
					f.choice = i
				}
			}
		}
	case "x":
		f.kind = detFormIgnore
		f.choice = ignoreHere
	}
	d.form = f
	d.layout()
	return nil
}

func (d *Detail) closeForm() {
	d.form = nil
	d.layout()
}

// updateForm handles a key while an action's input is open: Esc cancels
// it, Enter goes on.
func (d *Detail) updateForm(msg tea.KeyMsg) tea.Cmd {
	f := d.form
	if f.busy {
		return nil
	}
	switch msg.Type {
	case tea.KeyEsc:
		d.closeForm()
		return Status("cancelled")
	case tea.KeyEnter:
		return d.submit()
	}
	if f.step == 0 && (f.kind == detFormAnnotate || f.kind == detFormIgnore) {
		n := len(status.All())
		if f.kind == detFormIgnore {
			n = 2
		}
		switch {
		case key.Matches(msg, d.c.Keys.Left):
			f.choice = (f.choice + n - 1) % n
		case key.Matches(msg, d.c.Keys.Right):
			f.choice = (f.choice + 1) % n
		case msg.Type == tea.KeyRunes && len(msg.Runes) == 1 && msg.Runes[0] >= '1' && int(msg.Runes[0]-'1') < n:
			f.choice = int(msg.Runes[0] - '1')
		}
		return nil
	}
	typeInto(&f.input, msg)
	return nil
}

// submit goes on from the form: to the next step, or to the store.
func (d *Detail) submit() tea.Cmd {
	f := d.form
	switch f.kind {
	case detFormAnnotate:
		st := status.All()[f.choice]
		if f.step == 0 {
			f.step = 1
			return nil
		}
		reason := strings.TrimSpace(f.input.Value())
		if reason == "" {
			return Failed(fmt.Errorf("a reason is required: say why %s is %s, for whoever reads the status later", change.Short(d.id), st))
		}
		f.busy = true
		return d.annotate(st, reason)
	case detFormIgnore:
		if f.step == 0 {
			f.step = 1
			return nil
		}
		reason := strings.TrimSpace(f.input.Value())
		if reason == "" {
			return Failed(fmt.Errorf("a reason is required: say why %s is no issue for %s", change.Short(d.id), d.ignoreWhom(f.choice)))
		}
		f.busy = true
		return d.ignore(d.ignoreScope(f.choice), reason)
	}
	f.busy = true
	return d.setMatch(strings.Fields(f.input.Value()))
}

// view draws the form in three lines.
func (f *actionForm) view(d *Detail) string {
	s := d.c.Styles
	name := change.Short(d.id)
	var ask, input, hint string
	switch f.kind {
	case detFormMatch:
		if id := d.pairID(); id != d.id {
			name = change.Short(id) // the upstream side's carrier
		}
		ask = "Upstream ids " + name + " carries (space-separated; none: downstream-only):"
		input, hint = inputView(&f.input, d.width), "enter sets the match · esc cancels"
	case detFormAnnotate:
		st := status.All()[f.choice]
		if f.step == 0 {
			ask = "Status of " + name + " (←/→ or 1-" + fmt.Sprint(len(status.All())) + "):"
			var parts []string
			for i, s2 := range status.All() {
				item := fmt.Sprintf("%d %s", i+1, s2)
				if i == f.choice {
					parts = append(parts, s.Selected.Render("› "+item))
				} else {
					parts = append(parts, "  "+item)
				}
			}
			input, hint = strings.Join(parts, " "), "enter then asks why · esc cancels"
		} else {
			ask = "Why is " + name + " " + st + "? (required)"
			input, hint = inputView(&f.input, d.width), "enter annotates · esc cancels"
		}
	case detFormIgnore:
		if f.step == 0 {
			ask = "Keep " + name + " out of the missing lists of (←/→ or 1-2):"
			var parts []string
			for i := range 2 {
				item := fmt.Sprintf("%d %s", i+1, d.ignoreWhom(i))
				if i == f.choice {
					parts = append(parts, s.Selected.Render("› "+item))
				} else {
					parts = append(parts, "  "+item)
				}
			}
			input, hint = strings.Join(parts, " "), "enter then asks why · esc cancels"
		} else {
			ask = "Why is " + name + " no issue for " + d.ignoreWhom(f.choice) + "? (required)"
			input, hint = inputView(&f.input, d.width), "enter adds it to the ignore list · esc cancels"
		}
	}
	if f.busy {
		hint = "saving…"
	}
	return truncate(s.Bold.Render(ask), d.width) + "\n" + truncate(input, d.width) + "\n" + truncate(s.Dim.Render(hint), d.width)
}

// done records an action and tells every page the store changed.
func (d *Detail) done(what, detail string, undo func(ctx context.Context) error) tea.Msg {
	d.c.Undo.Push(Action{What: what, Undo: undo})
	d.c.Forget()
	line := what
	if detail != "" {
		line += ": " + detail
	}
	return tea.BatchMsg{Refresh(), Status("%s", line), func() tea.Msg { return actionDone{d: d} }}
}

// setMatch pairs the downstream change with upstream commits (ids as
// typed, resolved by the rule every surface shares; none:
// downstream-only).
func (d *Detail) setMatch(args []string) tea.Cmd {
	c, id, target := d.c, d.pairID(), d.target
	return func() tea.Msg {
		m, undo, err := c.Svc.SetManualMatch(c.Ctx, []string{target}, id, args)
		if err != nil {
			return d.failed(err)
		}
		what := "marked " + change.Short(m.Downstream) + " downstream-only by hand"
		if len(m.Upstream) > 0 {
			var s []string
			for _, u := range m.Upstream {
				s = append(s, change.Short(u))
			}
			what = "matched " + change.Short(m.Downstream) + " by hand to " + strings.Join(s, ", ")
		}
		return d.done(what, "", undo)
	}
}

// notBackport marks the downstream change of a backport pair as carrying
// nothing upstream: a manual match to nothing, undone like any other.
func (d *Detail) notBackport() tea.Cmd {
	return d.setMatch(nil)
}

// clearMatch removes the manual match.
func (d *Detail) clearMatch() tea.Cmd {
	c, id := d.c, d.id
	return func() tea.Msg {
		undo, had, err := c.Svc.ClearManualMatch(c.Ctx, id)
		if err != nil {
			return d.failed(err)
		}
		if !had {
			return d.failed(fmt.Errorf("%s has no manual match to clear", change.Short(id)))
		}
		return d.done("cleared the manual match of "+change.Short(id), "", undo)
	}
}

// annotate sets the change's status by hand.
func (d *Detail) annotate(st, reason string) tea.Cmd {
	c, id := d.c, d.id
	detail := ""
	if cr := d.info.Carried; cr != nil && st == status.Submitted {
		detail = cr.Status.MessageID // the posting it was submitted as
	}
	return func() tea.Msg {
		undo, err := c.Svc.Annotate(c.Ctx, analyzer.Annotation{Change: id, Status: st, Reason: reason, Detail: detail, Created: c.Now()})
		if err != nil {
			return d.failed(err)
		}
		return d.done("annotated "+change.Short(id)+" "+st, reason, undo)
	}
}

// clearAnnotation removes the manual status.
func (d *Detail) clearAnnotation() tea.Cmd {
	c, id := d.c, d.id
	return func() tea.Msg {
		undo, had, err := c.Svc.ClearAnnotation(c.Ctx, id)
		if err != nil {
			return d.failed(err)
		}
		if !had {
			return d.failed(fmt.Errorf("%s has no manual status to clear", change.Short(id)))
		}
		return d.done("cleared the manual status of "+change.Short(id), "", undo)
	}
}

// ignoreScope is the scope of an ignore-list entry for an answer to whom
// it is for: the downstream's source, or "" for every downstream.
func (d *Detail) ignoreScope(choice int) string {
	if choice == ignoreEvery {
		return ""
	}
	source, _ := analyzer.Target(d.target)
	return source
}

// ignoreWhom names whom an answer puts the entry on the ignore list for.
func (d *Detail) ignoreWhom(choice int) string {
	if choice == ignoreEvery {
		return "every downstream"
	}
	return d.ignoreScope(choice) + " only"
}

// ignoreScopeText says whom an ignore-list entry is for.
func ignoreScopeText(scope string) string {
	if scope == "" {
		return "for every downstream"
	}
	return "for " + scope + " only"
}

// ignore puts the upstream commit on the ignore list for a scope (a
// downstream source, or "" for every downstream).
func (d *Detail) ignore(scope, reason string) tea.Cmd {
	c, id := d.c, d.id
	return func() tea.Msg {
		undo, err := c.Svc.AddIgnore(c.Ctx, analyzer.Ignore{Target: id, Kind: "id", Scope: scope, Reason: reason, Created: c.Now()})
		if err != nil {
			return d.failed(err)
		}
		return d.done("ignoring "+change.Short(id)+" "+ignoreScopeText(scope), reason, undo)
	}
}

// inputView draws an input in w cells.
func inputView(in *textinput.Model, w int) string {
	in.Width = max(w-4, 10)
	return truncate(in.View(), w)
}
