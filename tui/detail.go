package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/analyzer/match"
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
type Detail struct {
	c      *Common
	target string // SOURCE@REF
	id     string // full id

	width, height int
	vp            viewport.Model
	mode          detailMode
	info          *detailInfo
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

// What an id is in a delta.
type detailKind int

const (
	detUpstream   detailKind = iota // an upstream commit the delta neither lacks nor carries
	detMissing                      // an upstream commit the downstream lacks
	detMissingFix                   // a missing commit whose Fixes: names code the downstream has
	detIgnored                      // an upstream commit the ignore list keeps out of the missing lists
	detBackported                   // an upstream commit the downstream carries
	detBackport                     // a downstream change matched to upstream commits
	detCarried                      // a downstream change with no upstream counterpart
)

func (k detailKind) downstream() bool { return k == detBackport || k == detCarried }

func (k detailKind) backport() bool { return k == detBackport || k == detBackported }

// detailInfo is everything the page shows, read in one tea.Cmd.
type detailInfo struct {
	fp       *change.Fingerprint
	kind     detailKind
	entry    *analyzer.Commit // an upstream commit's entry in the delta
	match    *match.Match     // a downstream change's match
	carriers []match.Match    // the downstream changes carrying an upstream commit
	fixes    []detFixed       // a missing fix: what it fixes
	problems []match.Problem
	carried  *analyzer.Carried // a downstream change's status
	timeline []analyzer.TimelineEntry
	tests    []analyzer.TestStatus
	subjects map[string]string // subjects of the commits the page names

	diff, diffFrom string
	diffErr        error

	upIDs, downIDs     []string // a backport: the two sides compared
	inter              []analyzer.InterFile
	interErr           error
	override           []string
	hasOverride        bool
	annotation         *analyzer.Annotation
	ignore             *analyzer.Ignore
	statusErr, testErr error
}

// detFixed is a commit a missing fix fixes, and how the downstream has it.
type detFixed struct{ id, how string }

type detailLoaded struct {
	d    *Detail
	seq  int
	info *detailInfo
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
		info, err := loadDetail(ctx, c, target, id)
		return detailLoaded{d: d, seq: seq, info: info, err: err}
	}
}

// loadDetail reads what the page shows. Only a missing fingerprint or
// analysis fails the page; a diff or status that cannot be read is shown
// as such.
func loadDetail(ctx context.Context, c *Common, target, id string) (*detailInfo, error) {
	fp, err := c.Svc.Fingerprint(ctx, id)
	if err != nil {
		return nil, err
	}
	r, err := c.Analysis(ctx, target)
	if err != nil {
		return nil, err
	}
	source, _ := analyzer.Target(r.Downstream)
	info := &detailInfo{fp: fp, subjects: map[string]string{}}
	all := r.Component("")
	if all == nil {
		all = &analyzer.ComponentDelta{}
	}
	for _, list := range [][]analyzer.Commit{all.Backported, all.Missing, all.MissingFixes, all.DownstreamOnly, all.RevertedUpstream} {
		for _, cm := range list {
			info.subjects[cm.ID] = cm.Subject
		}
	}
	for i := range r.Matches {
		m := r.Matches[i]
		if m.Downstream == id {
			info.match = &m
		}
		for _, u := range m.Upstream {
			if u == id && m.Method != match.MethodRevert {
				info.carriers = append(info.carriers, m)
			}
		}
	}
	for _, p := range r.Problems {
		if p.Downstream == id {
			info.problems = append(info.problems, p)
		}
	}
	find := func(list []analyzer.Commit) *analyzer.Commit {
		for i := range list {
			if list[i].ID == id {
				return &list[i]
			}
		}
		return nil
	}
	ignores, err := c.Svc.Ignores(ctx)
	if err != nil {
		return nil, err
	}
	info.ignore = analyzer.IgnoreOf(ignores, source, fp)
	switch {
	case info.match != nil && len(info.match.Upstream) > 0:
		info.kind = detBackport
		info.upIDs, info.downIDs = info.match.Upstream, []string{id}
	case info.match != nil:
		info.kind = detCarried
	case find(all.MissingFixes) != nil:
		info.kind, info.entry = detMissingFix, find(all.MissingFixes)
	case find(all.Missing) != nil:
		info.kind, info.entry = detMissing, find(all.Missing)
	case find(all.Backported) != nil || find(all.RevertedUpstream) != nil || len(info.carriers) > 0:
		info.kind, info.entry = detBackported, find(all.Backported)
		if info.entry == nil {
			info.entry = find(all.RevertedUpstream)
		}
		info.upIDs = []string{id}
		for _, m := range info.carriers {
			info.downIDs = append(info.downIDs, m.Downstream)
			for _, u := range m.Upstream {
				if !slices.Contains(info.upIDs, u) {
					info.upIDs = append(info.upIDs, u)
				}
			}
		}
	case info.ignore != nil:
		info.kind = detIgnored
	default:
		info.kind = detUpstream
	}
	if info.entry != nil {
		for _, f := range info.entry.Fixes {
			info.fixes = append(info.fixes, detFixed{id: f, how: detFixedHow(r, all, f)})
		}
	}

	if info.kind.downstream() {
		overrides, err := c.Svc.ManualMatches(ctx)
		if err != nil {
			return nil, err
		}
		info.override, info.hasOverride = overrides[id]
		notes, err := c.Svc.Annotations(ctx)
		if err != nil {
			return nil, err
		}
		if a, ok := notes[id]; ok {
			info.annotation = &a
		}
		carried, _, err := c.Svc.Statuses(ctx, r.Downstream)
		if err != nil {
			info.statusErr = err
		}
		for i := range carried {
			if carried[i].ID == id {
				info.carried = &carried[i]
			}
			info.subjects[carried[i].ID] = carried[i].Subject
		}
		tl, err := c.Svc.Timeline(ctx, id)
		if err != nil && info.statusErr == nil {
			info.statusErr = err
		}
		for _, e := range tl {
			if e.ID == id && e.Downstream == r.Downstream {
				info.timeline = append(info.timeline, e)
			}
		}
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}

	byComp, err := c.Svc.LatestTests(ctx, source)
	if err != nil {
		info.testErr = err
	}
	seen := map[string]bool{}
	for _, comp := range fp.Components {
		for _, t := range byComp[comp] {
			k := t.Test + "\x00" + t.Lab + "\x00" + t.Hardware
			if !seen[k] {
				seen[k] = true
				info.tests = append(info.tests, t)
			}
		}
	}
	sort.SliceStable(info.tests, func(i, j int) bool {
		a, b := info.tests[i], info.tests[j]
		if ra, rb := detTestRank(a.Status), detTestRank(b.Status); ra != rb {
			return ra < rb
		}
		return a.Test < b.Test
	})

	info.diff, info.diffFrom, info.diffErr = c.Svc.ChangeText(ctx, id)
	if info.kind.backport() {
		var up, down string
		up, info.interErr = detJoinDiffs(ctx, c, info.upIDs)
		if info.interErr == nil {
			down, info.interErr = detJoinDiffs(ctx, c, info.downIDs)
		}
		if info.interErr == nil {
			info.inter = analyzer.Interdiff(up, down)
		}
	}
	// Subjects of the other commits the page names.
	var named []string
	named = append(named, info.upIDs...)
	named = append(named, info.downIDs...)
	for _, f := range info.fixes {
		named = append(named, f.id)
	}
	for _, f := range fp.Trailers.Fixes {
		named = append(named, f.ID)
	}
	for _, n := range named {
		if _, ok := info.subjects[n]; ok || n == id {
			continue
		}
		if o, err := c.Svc.Fingerprint(ctx, strings.ToLower(n)); err == nil {
			info.subjects[n] = o.Subject
		}
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return info, nil
}

// detFixedHow says how the downstream has the commit a missing fix fixes.
func detFixedHow(r *analyzer.Result, all *analyzer.ComponentDelta, fixed string) string {
	for _, m := range r.Matches {
		if slices.Contains(m.Upstream, fixed) {
			return "carried by " + change.Short(m.Downstream)
		}
	}
	for _, c := range all.MissingFixes {
		if c.ID == fixed {
			return detItselfMissing
		}
	}
	return "in the base"
}

// detItselfMissing is how a fixed commit the downstream lacks too is said.
const detItselfMissing = "itself a missing fix"

func detJoinDiffs(ctx context.Context, c *Common, ids []string) (string, error) {
	var b strings.Builder
	for _, id := range ids {
		t, _, err := c.Svc.ChangeText(ctx, id)
		if err != nil {
			return "", err
		}
		b.WriteString(t)
		if !strings.HasSuffix(t, "\n") {
			b.WriteString("\n")
		}
	}
	return b.String(), nil
}

// detTestRank orders test results: failures first, then what did not pass.
func detTestRank(status string) int {
	switch status {
	case "FAIL":
		return 0
	case "ERROR", "MISS":
		return 1
	case "PASS", "DONE":
		return 3
	}
	return 2
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

// pairID is the downstream change a correction of the pair acts on: the
// page's own, or the one change that carries the page's upstream commit;
// "" when there is none or several.
func (d *Detail) pairID() string {
	switch info := d.info; {
	case info == nil:
		return ""
	case info.kind.downstream():
		return d.id
	case info.kind == detBackported && len(info.carriers) == 1:
		return info.carriers[0].Downstream
	}
	return ""
}

// otherSide lists the commits on the other side of the pair: the upstream
// commits a backport carries, or the downstream changes that carry an
// upstream commit.
func (d *Detail) otherSide() []string {
	switch info := d.info; info.kind {
	case detBackport:
		return info.upIDs
	case detBackported:
		return info.downIDs
	}
	return nil
}

// why says why a key does nothing here, "" when it does something.
func (d *Detail) why(k key.Binding) string {
	info := d.info
	if info == nil {
		return "still loading"
	}
	name := change.Short(d.id)
	what := map[detailKind]string{
		detUpstream:   "an upstream commit " + d.target + " neither lacks nor carries",
		detMissing:    "an upstream commit " + d.target + " lacks",
		detMissingFix: "a missing fix",
		detIgnored:    "an upstream commit on the ignore list",
		detBackported: "an upstream commit " + d.target + " carries",
		detBackport:   "a backport",
		detCarried:    "a change " + d.target + " carries on its own",
	}[info.kind]
	switch k.Help().Key {
	case "enter":
		if len(d.otherSide()) == 0 {
			return fmt.Sprintf("%s is %s, not half of a backport pair: there is no other side to open", name, what)
		}
	case "d", "i":
		if !info.kind.backport() {
			return fmt.Sprintf("%s is %s, not a backport: there is no upstream and downstream diff to compare", name, what)
		}
	case "m":
		if info.kind == detBackported && d.pairID() == "" {
			return fmt.Sprintf("%s is carried by %d changes: enter opens one, m there re-pairs it", name, len(info.carriers))
		}
		if !info.kind.downstream() && info.kind != detBackported {
			return fmt.Sprintf("only a backport or a carried change is matched by hand; %s is %s", name, what)
		}
	case "n":
		switch {
		case info.kind == detBackported && d.pairID() == "":
			return fmt.Sprintf("%s is carried by %d changes: enter opens one, n there marks it not a backport", name, len(info.carriers))
		case info.kind != detBackport && info.kind != detBackported:
			return fmt.Sprintf("%s is %s, not a backport", name, what)
		}
	case "M":
		if !info.kind.downstream() {
			return fmt.Sprintf("%s is %s: only a downstream change has a manual match", name, what)
		}
		if !info.hasOverride {
			return name + " has no manual match to clear"
		}
	case "a":
		if !info.kind.downstream() {
			return fmt.Sprintf("%s is %s: only a carried change has a status to annotate", name, what)
		}
		if info.carried == nil {
			return name + " has no status in " + d.target + " to annotate"
		}
	case "A":
		if !info.kind.downstream() {
			return fmt.Sprintf("%s is %s: only a carried change has a status", name, what)
		}
		if info.annotation == nil {
			return name + " has no manual status to clear"
		}
	case "x":
		switch info.kind {
		case detMissing, detMissingFix:
		case detIgnored:
			return fmt.Sprintf("%s is on the ignore list already (%s); u undoes adding it", name, info.ignore.Reason)
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
		if d.mode != detMain && !d.info.kind.backport() {
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
			other := d.otherSide()
			if len(other) == 1 {
				return Push(NewDetail(d.c, d.target, other[0]))
			}
			return Push(newPick(d.c, d.target, change.Short(d.id)+": the other side", other, d.info.subjects))
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

// detBuilder collects a page's lines, cut to its width.
type detBuilder struct {
	w     int
	s     *Styles
	lines []string
}

func (b *detBuilder) add(line string) { b.lines = append(b.lines, truncate(line, b.w)) }

func (b *detBuilder) blank() { b.lines = append(b.lines, "") }

func (b *detBuilder) header(title string) {
	if len(b.lines) > 0 && b.lines[len(b.lines)-1] != "" {
		b.blank()
	}
	b.add(b.s.Header.Render(title))
}

// detLabelWidth is the width of a field's name.
const detLabelWidth = 12

// field adds "name  value", the value wrapped under itself.
func (b *detBuilder) field(name, value string, style lipgloss.Style) {
	b.indented("  ", name, value, style)
}

func (b *detBuilder) indented(indent, name, value string, style lipgloss.Style) {
	room := max(b.w-len(indent)-detLabelWidth, 10)
	wrapped := strings.Split(ansi.Wrap(detClean(value), room, " "), "\n")
	for i, l := range wrapped {
		label := ""
		if i == 0 {
			label = name
		}
		b.add(indent + padRight(label, detLabelWidth) + style.Render(l))
	}
}

// wrap adds a paragraph, wrapped.
func (b *detBuilder) wrap(text string, style lipgloss.Style) {
	for _, l := range strings.Split(ansi.Wrap(detClean(text), b.w, " "), "\n") {
		b.add(style.Render(l))
	}
}

// detClean keeps control characters (an escape in a subject, say) off the
// terminal: each line of s made safe, the line breaks kept.
func detClean(s string) string {
	if !strings.Contains(s, "\n") {
		return safe(s)
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = safe(l)
	}
	return strings.Join(lines, "\n")
}

// detExpandTabs turns tabs into spaces to the next stop of width tab, and
// shows every other control character escaped.
func detExpandTabs(s string, tab int) string {
	if !strings.Contains(s, "\t") {
		return safe(s)
	}
	var b strings.Builder
	col := 0
	for i, seg := range strings.Split(s, "\t") {
		if i > 0 {
			n := tab - col%tab
			b.WriteString(strings.Repeat(" ", n))
			col += n
		}
		seg = safe(seg)
		b.WriteString(seg)
		col += utf8.RuneCountInString(seg)
	}
	return b.String()
}

// detDiffLine renders one line of a diff: the prefix kept, the rest with
// tabs expanded, coloured by kind.
func detDiffLine(s *Styles, l string, tab int) (string, lipgloss.Style) {
	if l == "" {
		return "", s.Plain
	}
	if c := l[0]; c < 0x20 || c >= 0x7f { // not a diff line's mark
		return detExpandTabs(l, tab), s.Plain
	}
	text := l[:1] + detExpandTabs(l[1:], tab)
	switch {
	case strings.HasPrefix(l, "diff --git"), strings.HasPrefix(l, "+++ "), strings.HasPrefix(l, "--- "),
		strings.HasPrefix(l, "index "), strings.HasPrefix(l, "rename "), strings.HasPrefix(l, "similarity "),
		strings.HasPrefix(l, "new file"), strings.HasPrefix(l, "deleted file"):
		return detExpandTabs(l, tab), s.Bold
	case l[0] == '@':
		return detExpandTabs(l, tab), s.Dim
	case l[0] == '+':
		return text, s.Added
	case l[0] == '-':
		return text, s.Removed
	case l[0] == '\\':
		return text, s.Dim
	}
	return text, s.Plain
}

// subject is a named commit's id with its subject.
func (d *Detail) subject(id string) string {
	if sub, ok := d.info.subjects[id]; ok {
		return change.Short(id) + " " + sub
	}
	return change.Short(id)
}

// summary is one line saying what the id is in the delta.
func (d *Detail) summary() (string, lipgloss.Style) {
	s, info := d.c.Styles, d.info
	switch info.kind {
	case detMissingFix:
		// What it fixes that the downstream has, and what it fixes that
		// is itself a missing fix: said apart, as the fixes lines say.
		var has, missing []string
		for _, f := range info.fixes {
			if f.how == detItselfMissing {
				missing = append(missing, change.Short(f.id))
			} else {
				has = append(has, change.Short(f.id))
			}
		}
		var parts []string
		if len(has) > 0 {
			parts = append(parts, fmt.Sprintf("%s, which %s has", strings.Join(has, ", "), d.target))
		}
		if len(missing) > 0 {
			parts = append(parts, fmt.Sprintf("%s, itself a missing fix", strings.Join(missing, ", ")))
		}
		return fmt.Sprintf("missing fix: %s lacks it; it fixes %s", d.target, strings.Join(parts, ", and ")), s.Bad
	case detMissing:
		return "missing: " + d.target + " lacks this upstream commit", s.Warn
	case detIgnored:
		return "ignored: on the ignore list " + ignoreScopeText(info.ignore.Scope) + ", kept out of the missing lists", s.Dim
	case detBackported:
		var by []string
		for _, id := range info.downIDs {
			by = append(by, change.Short(id))
		}
		line := fmt.Sprintf("backported: %s carries it in %s", d.target, strings.Join(by, ", "))
		if info.entry != nil && info.entry.RevertedBy != "" {
			line += "; upstream reverted it in " + change.Short(info.entry.RevertedBy)
		}
		return line, s.Good
	case detBackport:
		var ups []string
		for _, id := range info.upIDs {
			ups = append(ups, change.Short(id))
		}
		return fmt.Sprintf("backport: %s carries upstream %s (%s, score %.2f)", d.target, strings.Join(ups, ", "),
			info.match.Method, info.match.Score), s.Good
	case detCarried:
		line := "carried: " + d.target + " carries it, with no upstream counterpart"
		if info.carried != nil {
			line += " (" + info.carried.Status.Status + ")"
		}
		return line, s.Warn
	}
	return "upstream: neither missing from nor carried by " + d.target, s.Dim
}

// detail renders the sections of the page.
func (d *Detail) detail(b *detBuilder) {
	s, info, fp := d.c.Styles, d.info, d.info.fp
	b.wrap(fp.Subject, s.Bold)
	line, style := d.summary()
	b.wrap(line, style)

	b.header("Commit")
	b.field("id", fp.ID, s.Plain)
	author := fp.AuthorName
	if fp.AuthorEmail != "" {
		author += " <" + fp.AuthorEmail + ">"
	}
	b.field("author", author, s.Plain)
	date := fp.AuthorTime.Format("2006-01-02 15:04 -0700")
	if !fp.CommitTime.IsZero() && !fp.CommitTime.Equal(fp.AuthorTime) {
		date += ", committed " + fp.CommitTime.Format("2006-01-02 15:04 -0700")
		if fp.CommitterName != "" && fp.CommitterName != fp.AuthorName {
			date += " by " + fp.CommitterName
		}
	}
	b.field("date", date, s.Plain)
	comps := strings.Join(fp.Components, ", ")
	if comps == "" {
		comps = "none"
	}
	b.field("components", comps, s.Plain)
	if fp.PatchID != "" {
		b.field("patch-id", fp.PatchID, s.Plain)
	}
	if fp.Skip != "" {
		b.field("skipped", fp.Skip, s.Warn)
	}
	for i, f := range fp.Files {
		name := f.Path
		if f.OldPath != "" {
			name = f.OldPath + " → " + f.Path
		}
		kind := fmt.Sprintf("+%d -%d", f.Added, f.Deleted)
		if f.Binary {
			kind = "binary"
		}
		label := ""
		if i == 0 {
			label = "files"
		}
		b.field(label, kind+" "+name, s.Plain)
	}

	d.trailers(b)
	switch {
	case info.kind.downstream():
		d.matchSection(b)
		d.statusSection(b)
	case info.kind != detUpstream:
		d.deltaSection(b)
	}
	d.testsSection(b)

	b.header("Diff")
	switch {
	case info.diffErr != nil:
		b.wrap("cannot read the diff: "+info.diffErr.Error(), s.Error)
	case strings.TrimSpace(info.diff) == "":
		b.add(s.Dim.Render("(empty diff)"))
	default:
		b.add(s.Dim.Render("from " + safe(info.diffFrom)))
		for _, l := range strings.Split(strings.TrimRight(info.diff, "\n"), "\n") {
			text, st := detDiffLine(s, l, 8)
			b.add(st.Render(truncate(text, b.w)))
		}
	}
}

func (d *Detail) trailers(b *detBuilder) {
	s, t := d.c.Styles, d.info.fp.Trailers
	b.header("Trailers")
	n := len(b.lines)
	for _, f := range t.Fixes {
		v := f.ID
		if f.Subject != "" {
			v += " (\"" + f.Subject + "\")"
		} else if sub, ok := d.info.subjects[f.ID]; ok {
			v += " " + sub
		}
		b.field("fixes", v, s.Plain)
	}
	for _, r := range t.Upstream {
		v := r.ID + " (" + string(r.Style)
		if r.Partial {
			v += ", partial"
		}
		b.field("upstream", v+")", s.Plain)
	}
	if t.CcStable {
		b.field("cc", "stable@vger.kernel.org", s.Warn)
	}
	for _, c := range t.CVEs {
		b.field("cve", c, s.Bad)
	}
	if t.PatchMainline != "" {
		b.field("mainline", "Patch-mainline: "+t.PatchMainline, s.Plain)
	}
	if t.UpstreamStatus != "" {
		b.field("status", "Upstream Status: "+t.UpstreamStatus, s.Plain)
	}
	if t.Prefix != "" {
		b.field("prefix", t.Prefix+":", s.Plain)
	}
	for _, l := range t.Links {
		b.field("link", l, s.Plain)
	}
	if len(b.lines) == n {
		b.add(s.Dim.Render("  none"))
	}
}

// matchSection explains a downstream change's match.
func (d *Detail) matchSection(b *detBuilder) {
	s, info := d.c.Styles, d.info
	b.header("Match")
	m := info.match
	if len(m.Upstream) == 0 {
		b.field("method", m.Method+": no upstream counterpart", s.Warn)
	} else {
		b.field("method", fmt.Sprintf("%s, score %.2f", m.Method, m.Score), s.Plain)
		for i, u := range m.Upstream {
			label := ""
			if i == 0 {
				label = "upstream"
			}
			b.field(label, d.subject(u), s.Plain)
		}
	}
	if m.Why != "" {
		b.field("why", m.Why, s.Plain)
	}
	if info.hasOverride {
		what := "set by hand"
		if len(info.override) == 0 {
			what += " as downstream-only"
		}
		b.field("manual", what+"; M clears it", s.Warn)
	}
	for _, p := range info.problems {
		b.field("problem", p.Ref+": "+p.Why, s.Error)
	}
}

// statusSection shows a carried change's status, its evidence and its
// timeline over the snapshots.
func (d *Detail) statusSection(b *detBuilder) {
	s, info := d.c.Styles, d.info
	b.header("Status")
	if info.statusErr != nil {
		b.wrap("  cannot decide the status: "+info.statusErr.Error(), s.Error)
	}
	if c := info.carried; c != nil {
		st := c.Status
		line := st.Status
		if st.Release != "" {
			line += ", first released in " + st.Release
		}
		if st.Reason != "" {
			line += ": " + st.Reason
		}
		b.field("status", line, detStatusStyle(s, st.Status))
		if st.MessageID != "" {
			b.field("posting", fmt.Sprintf("v%d on %s, <%s>", st.Version, st.Date.Format("2006-01-02"), st.MessageID), s.Plain)
		}
		for i, e := range st.Evidence {
			label := ""
			if i == 0 {
				label = "evidence"
			}
			b.field(label, e.From+": "+e.What, s.Plain)
		}
		if st.Conflict != "" {
			b.field("conflict", st.Conflict, s.Warn)
		}
	}
	if a := info.annotation; a != nil {
		b.field("manual", fmt.Sprintf("%s since %s: %s; A clears it", a.Status, a.Created.Format("2006-01-02"), a.Reason), s.Warn)
	}
	b.add("  " + s.Bold.Render("timeline"))
	if len(info.timeline) == 0 {
		b.add(s.Dim.Render("    no snapshot has it yet: 'kdelta sync' saves one"))
		return
	}
	// Runs of snapshots with the same status and evidence are one line.
	tl := info.timeline
	for i := 0; i < len(tl); {
		j := i
		for j+1 < len(tl) && detSameStatus(tl[j+1], tl[i]) {
			j++
		}
		when := fmt.Sprintf("#%d", tl[i].Snapshot)
		if j > i {
			when += fmt.Sprintf("-%d", tl[j].Snapshot)
		}
		when += " " + tl[i].At.Format("2006-01-02")
		st := tl[i].Status
		what := ""
		if len(st.Evidence) > 0 {
			what = st.Evidence[0].From + ": " + st.Evidence[0].What
		}
		b.add("    " + padRight(when, 18) + detStatusStyle(s, st.Status).Render(padRight(st.Status, 10)) + detClean(what))
		i = j + 1
	}
}

func detSameStatus(a, b analyzer.TimelineEntry) bool {
	if a.Status.Status != b.Status.Status || len(a.Status.Evidence) != len(b.Status.Evidence) {
		return false
	}
	for i := range a.Status.Evidence {
		if a.Status.Evidence[i] != b.Status.Evidence[i] {
			return false
		}
	}
	return true
}

func detStatusStyle(s *Styles, st string) lipgloss.Style {
	switch st {
	case "mainline", "queued":
		return s.Good
	case "submitted":
		return s.Plain
	case "rejected":
		return s.Bad
	case "never", "unknown":
		return s.Warn
	}
	return s.Plain
}

// deltaSection says what an upstream commit is in the delta.
func (d *Detail) deltaSection(b *detBuilder) {
	s, info := d.c.Styles, d.info
	b.header("In " + d.target)
	switch info.kind {
	case detMissing, detMissingFix:
		b.field("missing", d.target+" lacks it", s.Warn)
		for i, f := range info.fixes {
			label := ""
			if i == 0 {
				label = "fixes"
			}
			b.field(label, d.subject(f.id)+" ("+f.how+")", s.Bad)
		}
		if e := info.entry; e != nil && (e.Stable || len(e.CVEs) > 0) {
			var why []string
			if e.Stable {
				why = append(why, "Cc: stable")
			}
			why = append(why, e.CVEs...)
			b.field("priority", strings.Join(why, ", "), s.Bad)
		}
	case detBackported:
		for i, m := range info.carriers {
			label := ""
			if i == 0 {
				label = "carried by"
			}
			b.field(label, fmt.Sprintf("%s (%s, score %.2f)", d.subject(m.Downstream), m.Method, m.Score), s.Good)
		}
		if e := info.entry; e != nil && e.RevertedBy != "" {
			b.field("reverted", "upstream reverted it in "+d.subject(e.RevertedBy), s.Warn)
		}
	case detIgnored:
		ig := info.ignore
		by := ""
		if ig.Who != "" {
			by = " by " + ig.Who
		}
		b.field("ignored", fmt.Sprintf("%s (%s, since %s%s)", ig.Reason, ignoreScopeText(ig.Scope), ig.Created.Format("2006-01-02"), by), s.Dim)
	}
}

// detMaxTests is how many related test results the page lists.
const detMaxTests = 12

func (d *Detail) testsSection(b *detBuilder) {
	s, info := d.c.Styles, d.info
	source, _ := analyzer.Target(d.target)
	b.header("Tests")
	if info.testErr != nil {
		b.wrap("  cannot read the test results: "+info.testErr.Error(), s.Error)
		return
	}
	if len(info.tests) == 0 {
		b.add(s.Dim.Render("  no result of a test covering " + strings.Join(info.fp.Components, ", ") + " on " + source))
		return
	}
	b.add(s.Dim.Render("  latest results on " + source + " of the tests covering " + strings.Join(info.fp.Components, ", ")))
	testW, labW := 0, 0
	for _, t := range info.tests {
		testW, labW = max(testW, ansi.StringWidth(detClean(t.Test))), max(labW, ansi.StringWidth(detClean(t.Lab)))
	}
	testW, labW = min(testW, 32), min(labW, 12)
	for i, t := range info.tests {
		if i == detMaxTests {
			b.add(s.Dim.Render(fmt.Sprintf("  … and %d more", len(info.tests)-detMaxTests)))
			break
		}
		st := s.Plain
		switch detTestRank(t.Status) {
		case 0:
			st = s.Bad
		case 1:
			st = s.Warn
		case 3:
			st = s.Good
		}
		line := "  " + st.Render(padRight(detClean(t.Status), 6)) + padRight(detClean(t.Test), testW) + " "
		if labW > 0 {
			line += padRight(detClean(t.Lab), labW) + " "
		}
		b.add(line + detClean(t.Target) + " " + s.Dim.Render(detClean(t.Hardware)))
	}
}

// sides names the two sides of a backport's comparison.
func (d *Detail) sides() (up, down string) {
	short := func(ids []string) string {
		var out []string
		for _, id := range ids {
			out = append(out, change.Short(id))
		}
		return strings.Join(out, ", ")
	}
	return "upstream " + short(d.info.upIDs), d.target + " " + short(d.info.downIDs)
}

// sideBySide renders the upstream diff on the left and the downstream
// diff on the right, hunk by hunk; "!" marks the hunks that differ.
func (d *Detail) sideBySide(b *detBuilder) {
	s, info := d.c.Styles, d.info
	if info.interErr != nil {
		b.wrap("cannot compare the diffs: "+info.interErr.Error(), s.Error)
		return
	}
	left := (b.w - 3) / 2
	right := b.w - 3 - left
	sep := s.Border.Render(" │ ")
	row := func(l, r string) { b.add(l + sep + r) }
	up, down := d.sides()
	row(s.Bold.Render(padRight(up, left)), s.Bold.Render(padRight(down, right)))
	b.wrap("! marks hunks that differ: what the backporter had to change", s.Dim)
	if len(info.inter) == 0 {
		b.add(s.Dim.Render("(neither diff has a file)"))
	}
	for _, f := range info.inter {
		b.add(s.Border.Render(strings.Repeat("─", left+1) + "┼" + strings.Repeat("─", right+1)))
		lp, rp := "(not upstream)", "(not downstream)"
		if f.Upstream != nil {
			lp = detFileName(f.Upstream)
		}
		if f.Downstream != nil {
			rp = detFileName(f.Downstream)
		}
		row(s.Bold.Render(padRight(lp, left)), s.Bold.Render(padRight(rp, right)))
		for _, hr := range f.Rows() {
			var l, r []string
			var uh, dh *analyzer.InterHunk
			if hr.Up >= 0 {
				uh = &f.Up[hr.Up]
			}
			if hr.Down >= 0 {
				dh = &f.Down[hr.Down]
			}
			if uh != nil {
				l = detHunkCells(s, *uh, detDiffers(uh, dh), left, d.hoff)
			} else {
				l = []string{s.Dim.Render(padRight("  (not upstream)", left))}
			}
			if dh != nil {
				r = detHunkCells(s, *dh, detDiffers(dh, uh), right, d.hoff)
			} else {
				r = []string{s.Dim.Render(padRight("  (not downstream)", right))}
			}
			for i := 0; i < max(len(l), len(r)); i++ {
				lc, rc := strings.Repeat(" ", left), strings.Repeat(" ", right)
				if i < len(l) {
					lc = l[i]
				}
				if i < len(r) {
					rc = r[i]
				}
				row(lc, rc)
			}
		}
	}
}

// detDiffers says, for a changed hunk shown by its counterpart on the
// other side, which of its lines the counterpart does not change the same
// way: exactly what the backporter changed.
func detDiffers(h, other *analyzer.InterHunk) func(string) bool {
	if h.Same || other == nil {
		return func(string) bool { return false }
	}
	a, r := other.Changed()
	has := map[string]bool{}
	for _, x := range a {
		has["+"+x] = true
	}
	for _, x := range r {
		has["-"+x] = true
	}
	return func(l string) bool {
		if l == "" || l[0] != '+' && l[0] != '-' {
			return false
		}
		return !has[l[:1]+strings.TrimSpace(l[1:])]
	}
}

// detFileName is a file's path, with its old path after a rename, made
// safe.
func detFileName(f *analyzer.DiffFile) string {
	if f.OldPath != "" && f.OldPath != f.Path {
		return safe(f.OldPath) + " → " + safe(f.Path)
	}
	return safe(f.Path)
}

// detHunkCells renders a hunk in a column of width w: a mark ("!" for a
// changed hunk) and the line; the lines that differ from the hunk next to
// it stand out.
func detHunkCells(s *Styles, h analyzer.InterHunk, differs func(string) bool, w, hoff int) []string {
	mark := " "
	if !h.Same {
		mark = "!"
	}
	markStyle := s.Changed
	var out []string
	cell := func(text string, st lipgloss.Style) {
		if hoff > 0 {
			text = ansi.TruncateLeft(text, hoff, "…")
		}
		out = append(out, markStyle.Render(mark)+st.Render(padRight(text, w-1)))
	}
	hs := s.Dim
	if !h.Same {
		hs = s.Changed
	}
	cell(detExpandTabs(h.Header, 4), hs)
	for _, l := range h.Lines {
		text, st := detDiffLine(s, l, 4)
		if differs(l) {
			st = s.Changed
		}
		cell(text, st)
	}
	return out
}

// interdiff renders, per file, the hunks only upstream has, those only
// downstream has, and one line for each hunk both have.
func (d *Detail) interdiff(b *detBuilder) {
	s, info := d.c.Styles, d.info
	if info.interErr != nil {
		b.wrap("cannot compare the diffs: "+info.interErr.Error(), s.Error)
		return
	}
	up, down := d.sides()
	b.wrap("Interdiff: "+up+" → "+down, s.Bold)
	var same, changed, onlyUp, onlyDown int
	for _, f := range info.inter {
		if f.Same() {
			same++
		} else {
			changed++
		}
		for _, h := range f.Up {
			if !h.Same {
				onlyUp++
			}
		}
		for _, h := range f.Down {
			if !h.Same {
				onlyDown++
			}
		}
	}
	b.wrap(fmt.Sprintf("%s the same, %s changed: %s only upstream, %s only downstream",
		detPlural(same, "file"), detPlural(changed, "file"), detPlural(onlyUp, "hunk"), detPlural(onlyDown, "hunk")), s.Dim)
	for _, f := range info.inter {
		b.blank()
		name := f.Path()
		switch {
		case f.Upstream == nil:
			name = detFileName(f.Downstream) + " (only downstream)"
		case f.Downstream == nil:
			name = detFileName(f.Upstream) + " (only upstream)"
		case f.Renamed():
			name = f.Upstream.Path + " → " + f.Downstream.Path
		case f.Downstream.OldPath != "":
			name = detFileName(f.Downstream)
		}
		b.add(s.Bold.Render(detClean(name)))
		if len(f.Up) == 0 && len(f.Down) == 0 {
			b.add(s.Dim.Render("= no hunks on either side"))
			continue
		}
		for _, hr := range f.Rows() {
			var uh, dh *analyzer.InterHunk
			if hr.Up >= 0 {
				uh = &f.Up[hr.Up]
			}
			if hr.Down >= 0 {
				dh = &f.Down[hr.Down]
			}
			if uh != nil && dh != nil && uh.Same && dh.Same {
				b.add(s.Dim.Render(truncate("= same hunk "+detExpandTabs(dh.Header, 8), b.w)))
				continue
			}
			for _, h := range []*analyzer.InterHunk{uh, dh} {
				if h == nil {
					continue
				}
				label, st, other := "-upstream only ", s.Removed, dh
				if h == dh {
					label, st, other = "+downstream only ", s.Added, uh
				}
				differs := detDiffers(h, other)
				if h.Same {
					// Its twin is elsewhere (another file or order).
					b.add(s.Dim.Render(truncate("= same hunk "+detExpandTabs(h.Header, 8), b.w)))
					continue
				}
				b.add(st.Bold(true).Render(label) + s.Changed.Render(truncate(detExpandTabs(h.Header, 8), b.w-len(label))))
				for _, l := range h.Lines {
					text, ls := detDiffLine(s, l, 8)
					if differs(l) {
						ls = s.Changed
					}
					b.add(ls.Render(truncate(text, b.w)))
				}
			}
		}
	}
}

func detPlural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
