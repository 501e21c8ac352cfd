package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/change"
)

// sides names the two sides of a backport's comparison.
func (d *Detail) sides() (up, down string) {
	short := func(ids []string) string {
		var out []string
		for _, id := range ids {
			out = append(out, change.Short(id))
		}
		return strings.Join(out, ", ")
	}
	return "upstream " + short(d.info.Upstream), d.target + " " + short(d.info.Downstream)
}

// sideBySide renders the upstream diff on the left and the downstream
// diff on the right, hunk by hunk; "!" marks the hunks that differ.
func (d *Detail) sideBySide(b *detBuilder) {
	s, info := d.c.Styles, d.info
	if info.InterErr != nil {
		b.wrap("cannot compare the diffs: "+info.InterErr.Error(), s.Error)
		return
	}
	left := (b.w - 3) / 2
	right := b.w - 3 - left
	sep := s.Border.Render(" │ ")
	row := func(l, r string) { b.add(l + sep + r) }
	up, down := d.sides()
	row(s.Bold.Render(padRight(up, left)), s.Bold.Render(padRight(down, right)))
	b.wrap("! marks hunks that differ: what the backporter had to change", s.Dim)
	if len(info.Inter) == 0 {
		b.add(s.Dim.Render("(neither diff has a file)"))
	}
	for _, f := range info.Inter {
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
	if info.InterErr != nil {
		b.wrap("cannot compare the diffs: "+info.InterErr.Error(), s.Error)
		return
	}
	up, down := d.sides()
	b.wrap("Interdiff: "+up+" → "+down, s.Bold)
	var same, changed, onlyUp, onlyDown int
	for _, f := range info.Inter {
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
	for _, f := range info.Inter {
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
