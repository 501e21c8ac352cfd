package tui

import (
	"context"
	"errors"
	"fmt"
	"github.com/charmbracelet/bubbles/textinput"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/kdelta/kdelta/analyzer/status"
	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/store"
)

// The detail page's actions write to the store at once, in a tea.Cmd that
// first reads what they change, so that the Action it records on the undo
// stack puts it back: m sets a manual match, M clears it, a annotates a
// status, A clears the annotation, x puts a missing upstream commit on the
// ignore list. After a write the session's analyses are forgotten and
// every page reloads.

// detFormKind says what an action's input asks.
type detFormKind int

const (
	detFormMatch    detFormKind = iota // upstream ids for a manual match
	detFormAnnotate                    // a status, then why
	detFormIgnore                      // why an upstream commit is no issue
)

// actionForm is an open action's input at the foot of the page.
type actionForm struct {
	kind   detFormKind
	step   int // detFormAnnotate: 0 chooses the status, 1 asks why
	choice int // detFormAnnotate: index in status.All()
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
		if m := d.info.match; m != nil && len(m.Upstream) > 0 {
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
		if c := d.info.carried; c != nil {
			for i, s := range status.All() {
				if s == c.Status.Status {
					f.choice = i
				}
			}
		}
	case "x":
		f.kind = detFormIgnore
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
	if f.kind == detFormAnnotate && f.step == 0 {
		n := len(status.All())
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
		reason := strings.TrimSpace(f.input.Value())
		if reason == "" {
			return Failed(fmt.Errorf("a reason is required: say why %s is no issue for %s", change.Short(d.id), d.target))
		}
		f.busy = true
		return d.ignore(reason)
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
		ask = "Why is " + name + " no issue for " + d.target + "? (required)"
		input, hint = inputView(&f.input, d.width), "enter adds it to the ignore list · esc cancels"
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

// setMatch pairs the downstream change with upstream commits (abbreviated
// ids resolved in the store; none: downstream-only).
func (d *Detail) setMatch(args []string) tea.Cmd {
	c, id, target, upstream := d.c, d.id, d.target, d.info.upstream
	return func() tea.Msg {
		ctx := c.Ctx
		ups, err := detResolveUpstream(ctx, c.DB, upstream, target, args)
		if err != nil {
			return d.failed(err)
		}
		overrides, _, err := c.DB.Overrides(ctx)
		if err != nil {
			return d.failed(err)
		}
		prev, had := overrides[id]
		if err := c.DB.SetOverride(ctx, id, ups); err != nil {
			return d.failed(err)
		}
		what := "marked " + change.Short(id) + " downstream-only by hand"
		if len(ups) > 0 {
			var s []string
			for _, u := range ups {
				s = append(s, change.Short(u))
			}
			what = "matched " + change.Short(id) + " by hand to " + strings.Join(s, ", ")
		}
		return d.done(what, "", func(ctx context.Context) error {
			if had {
				return c.DB.SetOverride(ctx, id, prev)
			}
			_, err := c.DB.UnsetOverride(ctx, id)
			return err
		})
	}
}

// detResolveUpstream turns ids as typed into the full ids of upstream commits.
func detResolveUpstream(ctx context.Context, db *store.DB, upstream, target string, args []string) ([]string, error) {
	out := []string{}
	for _, a := range args {
		p := strings.ToLower(a)
		if len(p) < 4 || len(p) > 40 || strings.Trim(p, "0123456789abcdef") != "" {
			return nil, fmt.Errorf("%q is not a commit id (4 to 40 hex digits)", a)
		}
		fp, err := db.Fingerprint(ctx, p, "")
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("%s: no commit of that id in the store", a)
		}
		if err != nil {
			return nil, err
		}
		if upstream != "" {
			locs, err := db.Locations(ctx, fp.ID)
			if err != nil {
				return nil, err
			}
			found := false
			for _, l := range locs {
				found = found || l.Source == upstream
			}
			if !found {
				return nil, fmt.Errorf("%s is not a commit of %s, the upstream of %s", change.Short(fp.ID), upstream, target)
			}
		}
		if !slices.Contains(out, fp.ID) {
			out = append(out, fp.ID)
		}
	}
	return out, nil
}

// clearMatch removes the manual match.
func (d *Detail) clearMatch() tea.Cmd {
	c, id := d.c, d.id
	return func() tea.Msg {
		ctx := c.Ctx
		overrides, _, err := c.DB.Overrides(ctx)
		if err != nil {
			return d.failed(err)
		}
		prev, had := overrides[id]
		if !had {
			return d.failed(fmt.Errorf("%s has no manual match to clear", change.Short(id)))
		}
		if _, err := c.DB.UnsetOverride(ctx, id); err != nil {
			return d.failed(err)
		}
		return d.done("cleared the manual match of "+change.Short(id), "", func(ctx context.Context) error {
			return c.DB.SetOverride(ctx, id, prev)
		})
	}
}

// annotate sets the change's status by hand.
func (d *Detail) annotate(st, reason string) tea.Cmd {
	c, id := d.c, d.id
	detail := ""
	if cr := d.info.carried; cr != nil && st == status.Submitted {
		detail = cr.Status.MessageID // the posting it was submitted as
	}
	return func() tea.Msg {
		ctx := c.Ctx
		notes, err := c.DB.Annotations(ctx)
		if err != nil {
			return d.failed(err)
		}
		prev, had := notes[id]
		if err := c.DB.Annotate(ctx, store.Annotation{Change: id, Status: st, Reason: reason, Detail: detail, Created: c.Now()}); err != nil {
			return d.failed(err)
		}
		return d.done("annotated "+change.Short(id)+" "+st, reason, func(ctx context.Context) error {
			if had {
				return c.DB.Annotate(ctx, prev)
			}
			_, err := c.DB.Unannotate(ctx, id)
			return err
		})
	}
}

// clearAnnotation removes the manual status.
func (d *Detail) clearAnnotation() tea.Cmd {
	c, id := d.c, d.id
	return func() tea.Msg {
		ctx := c.Ctx
		notes, err := c.DB.Annotations(ctx)
		if err != nil {
			return d.failed(err)
		}
		prev, had := notes[id]
		if !had {
			return d.failed(fmt.Errorf("%s has no manual status to clear", change.Short(id)))
		}
		if _, err := c.DB.Unannotate(ctx, id); err != nil {
			return d.failed(err)
		}
		return d.done("cleared the manual status of "+change.Short(id), "", func(ctx context.Context) error {
			return c.DB.Annotate(ctx, prev)
		})
	}
}

// ignore puts the upstream commit on the ignore list.
func (d *Detail) ignore(reason string) tea.Cmd {
	c, id := d.c, d.id
	return func() tea.Msg {
		ctx := c.Ctx
		list, err := c.DB.Ignores(ctx)
		if err != nil {
			return d.failed(err)
		}
		var prev *store.Ignore
		for i := range list {
			if list[i].Target == id {
				prev = &list[i]
			}
		}
		if err := c.DB.AddIgnore(ctx, store.Ignore{Target: id, Kind: "id", Reason: reason, Created: c.Now()}); err != nil {
			return d.failed(err)
		}
		return d.done("ignoring "+change.Short(id)+" in the missing lists", reason, func(ctx context.Context) error {
			if prev != nil {
				return c.DB.AddIgnore(ctx, *prev)
			}
			_, err := c.DB.RemoveIgnore(ctx, id)
			return err
		})
	}
}

// inputView draws an input in w cells.
func inputView(in *textinput.Model, w int) string {
	in.Width = max(w-4, 10)
	return truncate(in.View(), w)
}
