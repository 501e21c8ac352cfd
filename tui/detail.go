package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/change"
)

// Detail is the page of one commit or patch in one downstream's delta:
// its metadata and trailers, what it is in the delta (a missing upstream
// commit or fix, a backport, a carried change and its match), the status
// of a carried change with its evidence and timeline, the latest results
// of the tests covering it, and its diff. For a backport, d shows the
// upstream and downstream diffs side by side and i their interdiff. The
// actions (actions.go) set or clear a manual match, annotate a status and
// put an upstream commit on the ignore list. A backport pair is corrected
// from either side: m re-pairs the downstream change, n marks it "not a
// backport" (downstream-only); enter opens the other side of the pair. u
// undoes any of them.
//
// What the page shows is gathered by the service
// (analyzer.Service.ChangeDetail); this file is the page, its keys and
// its updates, detail_view.go draws its sections and detail_sides.go the
// side-by-side and interdiff views.
type Detail struct {
	c      *Common
	target string // SOURCE@REF
	id     string // full id

	width, height int
	vp            viewport.Model
	mode          detailMode
	info          *analyzer.ChangeDetail
	rd            read
	err           error
	form          *actionForm // an action's input, when one is open
	keys          detailKeys
	hoff          int // side by side: how far both columns are scrolled sideways
}

type detailMode int

const (
	detMain detailMode = iota
	detSideBySide
	detInterdiff
)

// detailKeys are the page's own keys.
type detailKeys struct {
	side, inter                                     key.Binding
	match, unmatch, annotate, unannotate, ignoreKey key.Binding
	other, notBackport, sideways                    key.Binding
}

// NewDetail returns the page of a commit or patch (a full id) in the
// delta of a downstream (SOURCE@REF).
func NewDetail(c *Common, target, id string) Page {
	return &Detail{c: c, target: target, id: strings.ToLower(id), vp: viewport.New(80, 20),
		rd: newRead(),
		keys: detailKeys{
			side:        key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "side by side")),
			inter:       key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "interdiff")),
			match:       key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "match by hand")),
			unmatch:     key.NewBinding(key.WithKeys("M"), key.WithHelp("M", "clear the manual match")),
			annotate:    key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "annotate the status")),
			unannotate:  key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "clear the manual status")),
			ignoreKey:   key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "ignore")),
			other:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open the other side of the pair")),
			notBackport: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "not a backport: carries nothing upstream")),
			sideways:    key.NewBinding(key.WithKeys("left", "right", "h", "l"), key.WithHelp("←/→", "scroll sideways")),
		}}
}

// detailLoaded brings what the page shows, read in one tea.Cmd.
type detailLoaded struct {
	d    *Detail
	seq  int
	info *analyzer.ChangeDetail
	err  error
}

// Title names the page in the breadcrumb.
func (d *Detail) Title() string {
	switch d.mode {
	case detSideBySide:
		return change.Short(d.id) + " side by side"
	case detInterdiff:
		return change.Short(d.id) + " interdiff"
	}
	return change.Short(d.id)
}

// Capturing says an action's input has the keyboard.
func (d *Detail) Capturing() bool { return d.form != nil }

// SetSize sets the drawing area.
func (d *Detail) SetSize(w, h int) {
	d.width, d.height = w, h
	d.layout()
}

// Init starts loading.
func (d *Detail) Init() tea.Cmd { return tea.Batch(d.load(), d.rd.spin.Tick) }

// Cancel stops a load in progress.
func (d *Detail) Cancel() { d.rd.Cancel() }

func (d *Detail) load() tea.Cmd {
	d.err = nil
	ctx, seq := d.rd.begin(d.c.Ctx)
	c, target, id := d.c, d.target, d.id
	return func() tea.Msg {
		// The session's kept analysis; the service gathers the rest.
		info, err := c.Svc.ChangeDetailFrom(ctx, c, target, id)
		return detailLoaded{d: d, seq: seq, info: info, err: err}
	}
}

// Keys are the page's keys that make sense for what the id is, and in
// this view, the scrolling last.
func (d *Detail) Keys() []key.Binding {
	var out []key.Binding
	for _, k := range d.allKeys() {
		if d.why(k) == "" {
			out = append(out, k)
		}
	}
	if d.mode == detSideBySide {
		out = append(out, d.keys.sideways)
	}
	return out
}

func (d *Detail) allKeys() []key.Binding {
	k := d.keys
	return []key.Binding{k.other, k.side, k.inter, k.match, k.notBackport, k.unmatch, k.annotate, k.unannotate, k.ignoreKey}
}

// pairID is the downstream change a correction of the pair acts on
// (analyzer.ChangeDetail.PairID); "" while the page loads.
func (d *Detail) pairID() string {
	if d.info == nil {
		return ""
	}
	return d.info.PairID()
}

// why says why a key does nothing here, "" when it does something.
func (d *Detail) why(k key.Binding) string {
	info := d.info
	if info == nil {
		return "still loading"
	}
	name := change.Short(d.id)
	what := map[analyzer.DetailKind]string{
		analyzer.DetailUpstream:   "an upstream commit " + d.target + " neither lacks nor carries",
		analyzer.DetailMissing:    "an upstream commit " + d.target + " lacks",
		analyzer.DetailMissingFix: "a missing fix",
		analyzer.DetailIgnored:    "an upstream commit on the ignore list",
		analyzer.DetailBackported: "an upstream commit " + d.target + " carries",
		analyzer.DetailBackport:   "a backport",
		analyzer.DetailCarried:    "a change " + d.target + " carries on its own",
	}[info.Kind]
	switch k.Help().Key {
	case "enter":
		if len(d.info.OtherSide()) == 0 {
			return fmt.Sprintf("%s is %s, not half of a backport pair: there is no other side to open", name, what)
		}
	case "d", "i":
		if !info.Kind.Backport() {
			return fmt.Sprintf("%s is %s, not a backport: there is no upstream and downstream diff to compare", name, what)
		}
	case "m":
		if info.Kind == analyzer.DetailBackported && d.pairID() == "" {
			return fmt.Sprintf("%s is carried by %d changes: enter opens one, m there re-pairs it", name, len(info.Carriers))
		}
		if !info.Kind.Downstream() && info.Kind != analyzer.DetailBackported {
			return fmt.Sprintf("only a backport or a carried change is matched by hand; %s is %s", name, what)
		}
	case "n":
		switch {
		case info.Kind == analyzer.DetailBackported && d.pairID() == "":
			return fmt.Sprintf("%s is carried by %d changes: enter opens one, n there marks it not a backport", name, len(info.Carriers))
		case info.Kind != analyzer.DetailBackport && info.Kind != analyzer.DetailBackported:
			return fmt.Sprintf("%s is %s, not a backport", name, what)
		}
	case "M":
		if !info.Kind.Downstream() {
			return fmt.Sprintf("%s is %s: only a downstream change has a manual match", name, what)
		}
		if !info.HasManualMatch {
			return name + " has no manual match to clear"
		}
	case "a":
		if !info.Kind.Downstream() {
			return fmt.Sprintf("%s is %s: only a carried change has a status to annotate", name, what)
		}
		if info.Carried == nil {
			return name + " has no status in " + d.target + " to annotate"
		}
	case "A":
		if !info.Kind.Downstream() {
			return fmt.Sprintf("%s is %s: only a carried change has a status", name, what)
		}
		if info.Annotation == nil {
			return name + " has no manual status to clear"
		}
	case "x":
		switch info.Kind {
		case analyzer.DetailMissing, analyzer.DetailMissingFix:
		case analyzer.DetailIgnored:
			return fmt.Sprintf("%s is on the ignore list already (%s); u undoes adding it", name, info.Ignore.Reason)
		default:
			return fmt.Sprintf("%s is %s: only a missing upstream commit goes on the ignore list", name, what)
		}
	}
	return ""
}

// Update handles loads, keys and the actions' answers.
func (d *Detail) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case detailLoaded:
		if msg.d != d || !d.rd.end(msg.seq) {
			return d, nil
		}
		if msg.err != nil {
			if errors.Is(msg.err, context.Canceled) {
				return d, nil
			}
			d.err = msg.err
			return d, Failed(msg.err)
		}
		d.info = msg.info
		if d.mode != detMain && !d.info.Kind.Backport() {
			d.mode = detMain
		}
		d.layout()
		return d, nil
	case refreshMsg:
		return d, tea.Batch(d.load(), d.rd.spin.Tick)
	case spinner.TickMsg:
		return d, d.rd.tick(msg)
	case actionDone:
		if msg.d == d && d.form != nil {
			d.closeForm()
		}
		return d, nil
	case actionFailed:
		if msg.d == d && d.form != nil {
			d.form.busy = false
		}
		return d, nil
	case tea.KeyMsg:
		if d.form != nil {
			return d, d.updateForm(msg)
		}
		if d.info == nil {
			return d, nil
		}
		return d, d.key(msg)
	}
	return d, nil
}

func (d *Detail) key(msg tea.KeyMsg) tea.Cmd {
	k := d.c.Keys
	switch {
	case key.Matches(msg, k.Up):
		d.vp.ScrollUp(1)
		return nil
	case key.Matches(msg, k.Down):
		d.vp.ScrollDown(1)
		return nil
	case key.Matches(msg, k.PageUp):
		d.vp.PageUp()
		return nil
	case key.Matches(msg, k.PageDown):
		d.vp.PageDown()
		return nil
	case key.Matches(msg, k.Home):
		d.vp.GotoTop()
		return nil
	case key.Matches(msg, k.End):
		d.vp.GotoBottom()
		return nil
	case d.mode == detSideBySide && key.Matches(msg, d.c.Keys.Left):
		d.hoff = max(d.hoff-8, 0)
		d.layout()
		return nil
	case d.mode == detSideBySide && key.Matches(msg, d.c.Keys.Right):
		d.hoff += 8
		d.layout()
		return nil
	}
	for _, b := range d.allKeys() {
		if !key.Matches(msg, b) {
			continue
		}
		if why := d.why(b); why != "" {
			return Status("%s: %s", b.Help().Key, why)
		}
		switch b.Help().Key {
		case "enter":
			other := d.info.OtherSide()
			if len(other) == 1 {
				return Push(NewDetail(d.c, d.target, other[0]))
			}
			return Push(newPick(d.c, d.target, change.Short(d.id)+": the other side", other, d.info.Subjects))
		case "d":
			d.toggle(detSideBySide)
		case "i":
			d.toggle(detInterdiff)
		case "n":
			return d.notBackport()
		default:
			return d.openForm(b.Help().Key)
		}
		return nil
	}
	return nil
}

func (d *Detail) toggle(m detailMode) {
	if d.mode == m {
		d.mode = detMain
	} else {
		d.mode = m
	}
	d.hoff = 0
	d.layout()
	d.vp.GotoTop()
}

// Back goes from the side-by-side or interdiff view to the commit's page
// (q and esc there do); false on the commit's page, which the App closes.
func (d *Detail) Back() bool {
	if d.mode == detMain {
		return false
	}
	d.toggle(d.mode)
	return true
}

// footerLines is how many lines below the viewport the page uses.
func (d *Detail) footerLines() int {
	if d.form != nil {
		return 3
	}
	return 1
}

// layout sizes the viewport and fills it, keeping the scroll position.
func (d *Detail) layout() {
	d.vp.Width = max(d.width, 1)
	d.vp.Height = max(d.height-d.footerLines(), 1)
	if d.info == nil {
		return
	}
	off := d.vp.YOffset
	d.vp.SetContent(strings.Join(d.lines(), "\n"))
	d.vp.SetYOffset(off)
}

// View draws the page.
func (d *Detail) View() string {
	s := d.c.Styles
	if d.info == nil {
		if d.err != nil {
			return s.Error.Render("could not load "+change.Short(d.id)+": ") + safe(d.err.Error()) + "\n\n" +
				s.Dim.Render("q goes back.")
		}
		return d.rd.spin.View() + " loading " + change.Short(d.id) + " in " + d.target + "… (esc cancels)"
	}
	if d.form != nil {
		return d.vp.View() + "\n" + d.form.view(d) // cut line by line
	}
	var foot string
	switch {
	case d.rd.running:
		foot = d.rd.spin.View() + s.Dim.Render(" reloading…")
	case d.vp.TotalLineCount() > d.vp.Height:
		first := d.vp.YOffset + 1
		last := min(d.vp.YOffset+d.vp.Height, d.vp.TotalLineCount())
		foot = s.Dim.Render(fmt.Sprintf("lines %d-%d of %d", first, last, d.vp.TotalLineCount()))
	}
	return d.vp.View() + "\n" + truncate(foot, d.width)
}

// lines renders the content of the current mode, every line at most the
// page's width.
func (d *Detail) lines() []string {
	w := max(d.width, 20)
	b := &detBuilder{w: w, s: d.c.Styles}
	switch d.mode {
	case detSideBySide:
		d.sideBySide(b)
	case detInterdiff:
		d.interdiff(b)
	default:
		d.detail(b)
	}
	return b.lines
}
