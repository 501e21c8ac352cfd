package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/report"
)

type compareOptions struct {
	config    string
	component string
	format    string
	limit     int
}

func runCompare(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "compare")
	var o compareOptions
	fs.StringVar(&o.config, "config", "kdelta.toml", "the project file")
	fs.StringVar(&o.component, "component", "", "only this component (mlx5, ipoib, roce, ...)")
	fs.StringVar(&o.format, "format", "table", "table, json or md")
	fs.IntVar(&o.limit, "limit", 20, "commits listed per list in a table (0: all)")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() != 2:
		return usagef("name two downstreams of one upstream (SOURCE or SOURCE@REF), A then B: what A lacks that B has comes first")
	case o.format != "table" && o.format != "json" && o.format != "md":
		return usagef("--format %q: want table, json or md", o.format)
	}
	f := newFactory(e, o.config)
	defer f.Close()
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	if o.component != "" {
		if err := knownComponent(cfg, o.component); err != nil {
			return err
		}
	}
	for _, name := range fs.Args() {
		if err := comparable(cfg, name); err != nil {
			return err
		}
	}
	svc, err := f.Service(ctx)
	if err != nil {
		return err
	}
	c, err := svc.Compare(ctx, fs.Arg(0), fs.Arg(1))
	if err != nil {
		return err
	}
	if o.component != "" {
		cc := c.Component(o.component)
		if cc == nil {
			cc = &analyzer.ComponentComparison{Component: o.component, ALacks: []analyzer.RankedCommit{}, BLacks: []analyzer.RankedCommit{},
				AAlone: []analyzer.Carried{}, BAlone: []analyzer.Carried{}, Tests: []analyzer.TestDiff{}}
		}
		c.Components = []analyzer.ComponentComparison{*cc}
	}
	switch o.format {
	case "json":
		return writeJSON(e.stdout, c)
	case "md":
		return report.WriteComparisonMarkdown(e.stdout, c)
	}
	return printComparison(e.stdout, c, o)
}

// comparable refuses a name that is no downstream measured by commits.
func comparable(cfg *project.Config, name string) error {
	source, _ := analyzer.Target(name)
	s := cfg.Source(source)
	switch {
	case s == nil:
		return badInputf("no source %q in %s", source, cfg.File)
	case !s.IsDownstream():
		return badInputf("%s is not a downstream measured against an upstream by its commits (a %s %s source): compare two downstreams", source, s.Kind, s.Format)
	}
	return nil
}

// printComparison prints a comparison as tables: the components side by
// side, then, with one component (or for the whole when there is one),
// the lists.
func printComparison(w io.Writer, c *analyzer.Comparison, o compareOptions) error {
	fmt.Fprintf(w, "%s and %s, both against %s\n  %s from %s\n  %s from %s\n\n", c.A, c.B, c.Upstream, c.A, c.BaseA, c.B, c.BaseB)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "COMPONENT\t%s LACKS\t(FIXES)\t%s LACKS\t(FIXES)\t%s ALONE\t%s ALONE\tTESTS DIFFER\t\n",
		strings.ToUpper(safe(c.A)), strings.ToUpper(safe(c.B)), strings.ToUpper(safe(c.A)), strings.ToUpper(safe(c.B)))
	for _, cc := range c.Components {
		name := cc.Component
		if name == "" {
			name = "(all)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", name, len(cc.ALacks), analyzer.AboveOther(cc.ALacks), len(cc.BLacks), analyzer.AboveOther(cc.BLacks),
			len(cc.AAlone), len(cc.BAlone), len(cc.Tests))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nLACKS: upstream commits the other has (from its base or backported) and it lacks; FIXES: of them CVEs, fixes and Cc: stable. ALONE: changes upstream lacks that only it carries.\n")
	if o.component == "" {
		fmt.Fprintf(w, "--component C lists the commits, changes and tests of a component\n")
		return nil
	}
	cc := c.Components[0]
	list := func(title string, n int, each func(i int)) {
		fmt.Fprintf(w, "\n%s (%d)\n", title, n)
		for i := range n {
			if o.limit > 0 && i == o.limit {
				fmt.Fprintf(w, "  ... and %d more (--limit 0 lists all)\n", n-i)
				break
			}
			each(i)
		}
	}
	ranked := func(cs []analyzer.RankedCommit) func(int) {
		return func(i int) {
			x := cs[i]
			fmt.Fprintf(w, "  %.12s %s  %-7s %s", x.ID, x.Date.Format("2006-01-02"), x.Rank, trim(x.Subject, 70))
			if x.Reason != "" {
				fmt.Fprintf(w, "  [%s]", safe(x.Reason))
			}
			fmt.Fprintln(w)
		}
	}
	alone := func(cs []analyzer.Carried) func(int) {
		return func(i int) {
			x := cs[i]
			fmt.Fprintf(w, "  %.12s %s  %-9s %s\n", x.ID, x.Date.Format("2006-01-02"), safe(x.Status.Status), trim(x.Subject, 70))
		}
	}
	list(fmt.Sprintf("What %s would gain with %s: upstream commits %s has and %s lacks, most critical first", c.A, c.B, c.B, c.A), len(cc.ALacks), ranked(cc.ALacks))
	list(fmt.Sprintf("What %s has that %s lacks", c.A, c.B), len(cc.BLacks), ranked(cc.BLacks))
	list(fmt.Sprintf("Carried by %s alone", c.A), len(cc.AAlone), alone(cc.AAlone))
	list(fmt.Sprintf("Carried by %s alone", c.B), len(cc.BAlone), alone(cc.BAlone))
	list("Tests that pass on one and fail on the other", len(cc.Tests), func(i int) {
		t := cc.Tests[i]
		fmt.Fprintf(w, "  %s  %s: %s on %s  %s: %s on %s\n", safe(t.Test), c.A, safe(t.A.Status), safe(t.A.Target), c.B, safe(t.B.Status), safe(t.B.Target))
	})
	return nil
}
