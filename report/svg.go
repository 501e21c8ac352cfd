package report

import (
	"fmt"

	"github.com/kdelta/kdelta/analyzer"
)

// The charts of the HTML report are inline SVG laid out here, in a
// viewBox the page scales to its width.

// barChart is the delta of one downstream per component: missing,
// missing fixes and carried, as horizontal bars on one scale.
type barChart struct {
	W, H   int
	LabelX int // where the component names end
	Legend []legendItem
	Rows   []barRow
	Max    int
}

// legendItem is a swatch and its label.
type legendItem struct {
	X, TextX int
	Class    string
	Label    string
}

// barRow is one component: its label and its bars.
type barRow struct {
	LabelY  int
	Label   string // cut to fit
	Name    string // in full
	Failing bool
	Bars    []bar
}

// bar is one count of a component.
type bar struct {
	X, Y, W, H   int
	TextX, TextY int
	Class, Label string
	Value        int
}

const (
	chartW      = 640
	barLabelW   = 130 // the component names
	barMaxW     = 440
	barH        = 11
	barGap      = 2
	barRowGap   = 12
	legendH     = 26
	labelRunes  = 18
	trendH      = 230
	trendLeft   = 48
	trendRight  = 16
	trendTop    = 30
	trendBottom = 36
)

// cut shortens a label to n runes.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// newBarChart lays out the bars of the components of a downstream (the
// whole, component "", only when there is no other).
func newBarChart(comps []analyzer.ComponentSummary) barChart {
	var cs []analyzer.ComponentSummary
	for _, c := range comps {
		if c.Component != "" {
			cs = append(cs, c)
		}
	}
	if len(cs) == 0 {
		cs = comps
	}
	ch := barChart{W: chartW, LabelX: barLabelW}
	series := []struct{ class, label string }{{"missing", "missing"}, {"fixes", "missing fixes"}, {"carried", "carried"}}
	x := barLabelW + 10
	for _, s := range series {
		ch.Legend = append(ch.Legend, legendItem{X: x, TextX: x + 16, Class: s.class, Label: s.label})
		x += 16 + 8*len(s.label) + 20
	}
	for _, c := range cs {
		ch.Max = max(ch.Max, c.Missing, c.MissingFixes, c.Carried)
	}
	rowH := 3*barH + 2*barGap + barRowGap
	y := legendH
	for _, c := range cs {
		row := barRow{LabelY: y + (3*barH+2*barGap)/2 + 4, Name: componentName(c.Component), Failing: c.Tests.Fail > 0}
		row.Label = cut(row.Name, labelRunes)
		if row.Failing {
			row.Label = cut(row.Name, labelRunes-2) + " !"
		}
		for i, v := range []int{c.Missing, c.MissingFixes, c.Carried} {
			w := 0
			if ch.Max > 0 {
				w = v * barMaxW / ch.Max
			}
			if v > 0 && w < 1 {
				w = 1
			}
			by := y + i*(barH+barGap)
			row.Bars = append(row.Bars, bar{X: barLabelW + 10, Y: by, W: w, H: barH, TextX: barLabelW + 10 + w + 4, TextY: by + barH - 2,
				Class: series[i].class, Label: series[i].label, Value: v})
		}
		ch.Rows = append(ch.Rows, row)
		y += rowH
	}
	ch.H = y + 4
	return ch
}

// trendChart is the carried and missing counts of a downstream across its
// snapshots, as lines.
type trendChart struct {
	W, H          int
	Points        int
	Left, Right   int // the plot's edges
	Top, Bottom   int
	Legend        []legendItem
	YTicks        []tick
	XTicks        []tick
	Series        []trendSeries
	First, Latest string // the dates of the first and latest snapshot
}

// tick is a labelled position on an axis.
type tick struct {
	At    int
	Label string
}

// trendSeries is one line with its points.
type trendSeries struct {
	Class, Label string
	Points       string // the polyline's
	Dots         []dot
}

// dot is a point of a line, with what it says.
type dot struct {
	X, Y  int
	Title string
}

// niceCeil is the smallest of 1, 2, 5 times a power of ten not below n.
func niceCeil(n int) int {
	if n <= 1 {
		return 1
	}
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*p >= n {
				return m * p
			}
		}
	}
}

// newTrendChart lays out a downstream's trend; Points says how many
// snapshots there are (under 2, there is nothing to draw).
func newTrendChart(trend []analyzer.TrendPoint) trendChart {
	ch := trendChart{W: chartW, H: trendH, Points: len(trend), Left: trendLeft, Right: chartW - trendRight, Top: trendTop, Bottom: trendH - trendBottom}
	if len(trend) < 2 {
		return ch
	}
	ch.First, ch.Latest = day(trend[0].Date), day(trend[len(trend)-1].Date)
	top := 0
	for _, p := range trend {
		top = max(top, p.Carried, p.Missing)
	}
	step := niceCeil((top + 3) / 4)
	top = 4 * step
	y := func(v int) int { return ch.Bottom - v*(ch.Bottom-ch.Top)/top }
	x := func(i int) int { return ch.Left + i*(ch.Right-ch.Left)/(len(trend)-1) }
	for v := 0; v <= top; v += step {
		ch.YTicks = append(ch.YTicks, tick{At: y(v), Label: fmt.Sprint(v)})
	}
	every := (len(trend) + 5) / 6
	for i, p := range trend {
		if i%every == 0 || i == len(trend)-1 {
			label := day(p.Date)
			if label == "" {
				label = fmt.Sprintf("#%d", p.Snapshot)
			}
			if i == len(trend)-1 && i%every != 0 && len(ch.XTicks) > 0 && x(i)-ch.XTicks[len(ch.XTicks)-1].At < 80 {
				ch.XTicks = ch.XTicks[:len(ch.XTicks)-1]
			}
			ch.XTicks = append(ch.XTicks, tick{At: x(i), Label: label})
		}
	}
	for _, s := range []struct {
		class, label string
		v            func(analyzer.TrendPoint) int
	}{
		{"carried", "carried", func(p analyzer.TrendPoint) int { return p.Carried }},
		{"missing", "missing", func(p analyzer.TrendPoint) int { return p.Missing }},
	} {
		ts := trendSeries{Class: s.class, Label: s.label}
		for i, p := range trend {
			px, py := x(i), y(s.v(p))
			if i > 0 {
				ts.Points += " "
			}
			ts.Points += fmt.Sprintf("%d,%d", px, py)
			when := day(p.Date)
			if when != "" {
				when = " (" + when + ")"
			}
			ts.Dots = append(ts.Dots, dot{X: px, Y: py, Title: fmt.Sprintf("snapshot %d%s: %s %d", p.Snapshot, when, s.label, s.v(p))})
		}
		ch.Series = append(ch.Series, ts)
	}
	lx := ch.Left + 8
	for _, s := range ch.Series {
		ch.Legend = append(ch.Legend, legendItem{X: lx, TextX: lx + 16, Class: s.Class, Label: s.Label})
		lx += 16 + 8*len(s.Label) + 20
	}
	return ch
}
