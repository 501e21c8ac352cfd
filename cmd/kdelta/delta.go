package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
)

type deltaOptions struct {
	config    string
	component string
	format    string
	all       bool
	limit     int
	sort      string
	target    string
}

func runDelta(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "delta")
	var o deltaOptions
	fs.StringVar(&o.config, "config", "kdelta.toml", "the project file")
	fs.StringVar(&o.component, "component", "", "only this component (mlx5, ipoib, roce, ...)")
	fs.StringVar(&o.format, "format", "table", "table or json")
	fs.BoolVar(&o.all, "all", false, "the component x downstream matrix of every downstream")
	fs.IntVar(&o.limit, "limit", 20, "commits listed per list in a table (0: all)")
	fs.StringVar(&o.sort, "sort", "rank", "how missing commits are ordered: rank (CVE, then fixes of code a release ships, then Cc: stable, then fixes of unreleased code, then the rest) or date (the analysis's order: fixes first, oldest first)")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case o.all && fs.NArg() > 0:
		return usagef("--all takes no downstream")
	case !o.all && fs.NArg() != 1:
		return usagef("name one downstream (SOURCE or SOURCE@REF), or use --all")
	case o.format != "table" && o.format != "json":
		return usagef("--format %q: want table or json", o.format)
	case o.sort != "rank" && o.sort != "date":
		return usagef("--sort %q: want rank or date", o.sort)
	}
	o.target = fs.Arg(0)
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
	svc, err := f.Service(ctx)
	if err != nil {
		return err
	}
	if o.all {
		var results []*analyzer.Result
		for _, t := range downstreams(cfg) {
			r, err := svc.Analysis(ctx, t)
			if err != nil {
				return err
			}
			results = append(results, r)
		}
		if o.format == "json" {
			return writeJSON(e.stdout, results)
		}
		return printMatrix(e.stdout, results, o.component)
	}
	if src, _ := analyzer.Target(o.target); cfg.Source(src) != nil && cfg.Source(src).Rules().ByFiles {
		db, err := f.Store(ctx)
		if err != nil {
			return err
		}
		return snapshotDelta(ctx, e, db, cfg, o)
	}
	r, err := svc.Analysis(ctx, o.target)
	if err != nil {
		return err
	}
	if o.component != "" && r.Component(o.component) == nil {
		return badInputf("no commit of %s or its upstream since the base is in component %q", r.Downstream, o.component)
	}
	rk, err := svc.Ranker(ctx, r)
	if err != nil {
		return err
	}
	ranked := rk.RankResult(r, o.sort == "date")
	if o.component != "" {
		ranked.Components = []analyzer.RankedComponent{*ranked.Component(o.component)}
	}
	if o.format == "json" {
		return writeJSON(e.stdout, ranked)
	}
	return printDelta(e.stdout, ranked, o)
}

// knownComponent refuses a component name the component map lacks,
// suggesting the names it likely meant.
func knownComponent(cfg *project.Config, name string) error {
	comps, err := cfg.Components()
	if err != nil {
		return err
	}
	names := []string{project.Other}
	for _, s := range comps.Specs() {
		if s.Name == name {
			return nil
		}
		if s.Name != project.Other {
			names = append(names, s.Name)
		}
	}
	if name == project.Other {
		return nil
	}
	sort.Strings(names)
	msg := fmt.Sprintf("--component %q is not a component", name)
	if near := didYouMean(name, names, 3); len(near) > 0 {
		return badInputf("%s; did you mean %s?", msg, quoteList(near))
	}
	return badInputf("%s (components: %s)", msg, strings.Join(names, ", "))
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printDelta(w io.Writer, r *analyzer.RankedResult, o deltaOptions) error {
	fmt.Fprintf(w, "%s against %s, base %s\n\n", r.Downstream, r.Upstream, analyzer.BaseText(r.Base, r.BaseHow))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "COMPONENT\tMISSING FIXES\tCVES\tMISSING\tBACKPORTED\tCARRIED\tTESTS\t")
	failing := false
	for _, rc := range r.Components {
		c := rc.ComponentDelta
		if o.component != "" && c.Component != o.component {
			continue
		}
		name := c.Component
		if name == "" {
			name = "(all)"
		}
		if c.FailingTests > 0 {
			name += " !"
			failing = true
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%s\t\n", name, len(c.MissingFixes), cves(c.Missing), len(c.Missing), len(c.Backported), len(c.DownstreamOnly), testsCell(c))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nCARRIED: changes the downstream carries that upstream lacks (downstream_only in --format json); CVES: missing commits that name a CVE")
	if failing {
		fmt.Fprintln(w, "\n! the component has failing tests (latest result of each test on this downstream; 'kdelta results regressions' says since when)")
	}
	if o.component == "" {
		fmt.Fprintf(w, "\n%d problems with references (see --format json); --component C lists the commits\n", len(r.Problems))
		return nil
	}
	c := r.Component(o.component)
	list := func(title string, cs []analyzer.Commit, note func(int) string) {
		fmt.Fprintf(w, "\n%s (%d)\n", title, len(cs))
		for i, x := range cs {
			if o.limit > 0 && i == o.limit {
				fmt.Fprintf(w, "  ... and %d more (--limit 0 lists all)\n", len(cs)-i)
				break
			}
			fmt.Fprintf(w, "  %.12s %s  %s  %s%s\n", x.ID, x.Date.Format("2006-01-02"), trim(x.Subject, 70), safe(x.Author), safe(note(i)))
		}
	}
	none := func(int) string { return "" }
	order := "most critical first"
	if o.sort == "date" {
		order = "by date"
	}
	list("Missing fixes, "+order, commitsOf(c.MissingFixes), func(i int) string {
		return fmt.Sprintf("  [%s; fixes %s]", c.MissingFixes[i].Priority.Text(), change.ShortList(c.MissingFixes[i].Fixes))
	})
	list("Missing, "+order, commitsOf(c.Missing), func(i int) string {
		if c.Missing[i].Rank == analyzer.RankOther {
			return ""
		}
		return "  [" + c.Missing[i].Priority.Text() + "]"
	})
	list("Backported", c.Backported, func(i int) string { return fmt.Sprintf("  [as %s]", change.ShortList(c.Backported[i].Carried)) })
	list("Carried (changes upstream lacks)", c.DownstreamOnly, none)
	fmt.Fprintf(w, "\nTests (%d, latest result of each)\n", len(c.Tests))
	for i, t := range c.Tests {
		if o.limit > 0 && i == o.limit {
			fmt.Fprintf(w, "  ... and %d more (--limit 0 lists all)\n", len(c.Tests)-i)
			break
		}
		where := strings.Trim(t.Lab+", "+t.Hardware, ", ")
		msg := ""
		if t.Message != "" && t.Status != "PASS" {
			msg = ": " + trim(t.Message, 50)
		}
		fmt.Fprintf(w, "  %-5s %s  on %s  (%s)%s\n", safe(t.Status), safe(t.Test), safe(t.Target), safe(where), msg)
	}
	return nil
}

// commitsOf drops the priorities.
func commitsOf(rs []analyzer.RankedCommit) []analyzer.Commit {
	out := make([]analyzer.Commit, len(rs))
	for i, r := range rs {
		out[i] = r.Commit
	}
	return out
}

// cves counts the commits that name a CVE.
func cves(cs []analyzer.Commit) int {
	n := 0
	for _, c := range cs {
		if len(c.CVEs) > 0 {
			n++
		}
	}
	return n
}

// testsCell sums up a component's latest test results: "-" when no test
// covers it, else the failures and the count.
func testsCell(c analyzer.ComponentDelta) string {
	if len(c.Tests) == 0 {
		return "-"
	}
	if c.FailingTests == 0 {
		return fmt.Sprintf("%d ok", len(c.Tests))
	}
	return fmt.Sprintf("%d FAIL of %d", c.FailingTests, len(c.Tests))
}

// printMatrix prints component x downstream: missing fixes / missing /
// downstream-only per cell.
func printMatrix(w io.Writer, results []*analyzer.Result, only string) error {
	comps := map[string]bool{}
	for _, r := range results {
		for _, c := range r.Components {
			comps[c.Component] = true
		}
	}
	var names []string
	for c := range comps {
		if only == "" || c == only || c == "" {
			names = append(names, c)
		}
	}
	sort.Strings(names)
	fmt.Fprintln(w, "Each cell: missing fixes / missing / carried (changes upstream lacks); * marks a missing CVE fix, ! failing tests")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "COMPONENT\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t", r.Downstream)
	}
	fmt.Fprintln(tw)
	for _, name := range names {
		label := name
		if name == "" {
			label = "(all)"
		}
		fmt.Fprintf(tw, "%s\t", label)
		for _, r := range results {
			if c := r.Component(name); c != nil {
				mark := ""
				if cves(c.Missing) > 0 {
					mark += " *"
				}
				if c.FailingTests > 0 {
					mark += " !"
				}
				fmt.Fprintf(tw, "%d / %d / %d%s\t", len(c.MissingFixes), len(c.Missing), len(c.DownstreamOnly), mark)
			} else {
				fmt.Fprint(tw, "-\t")
			}
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// downstreams lists the targets (SOURCE@REF) measured against an upstream
// by commits: not queues and lists, which are evidence, nor snapshots,
// which are measured by files.
func downstreams(cfg *project.Config) []string { return cfg.DownstreamRefs() }

// snapshotDelta prints the file-level delta of a release drop.
func snapshotDelta(ctx context.Context, e *env, db *store.DB, cfg *project.Config, o deltaOptions) error {
	comps, err := cfg.Components()
	if err != nil {
		return err
	}
	d, err := analyzer.SnapshotDelta(ctx, db, comps, o.target)
	if err != nil {
		return err
	}
	if o.component != "" {
		var keep []analyzer.ComponentFiles
		for _, c := range d.Components {
			if c.Component == o.component {
				keep = append(keep, c)
			}
		}
		if keep == nil {
			return badInputf("no file of %s or %s is in component %q", d.Downstream, d.Against, o.component)
		}
		d.Components = keep
	}
	if o.format == "json" {
		return writeJSON(e.stdout, d)
	}
	w := e.stdout
	fmt.Fprintf(w, "%s against %s, file by file (a snapshot has no history)\n\n", d.Downstream, d.Against)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "COMPONENT\tADDED\tREMOVED\tCHANGED\tSAME\t")
	for _, c := range d.Components {
		name := c.Component
		if name == "" {
			name = "(all)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", name, len(c.Added), len(c.Removed), len(c.Changed), c.Same)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if o.component == "" {
		fmt.Fprintln(w, "\n--component C lists the files")
		return nil
	}
	c := d.Components[0]
	for _, l := range []struct {
		title string
		files []string
	}{{"Added", c.Added}, {"Removed", c.Removed}, {"Changed", c.Changed}} {
		fmt.Fprintf(w, "\n%s (%d)\n", l.title, len(l.files))
		for i, f := range l.files {
			if o.limit > 0 && i == o.limit {
				fmt.Fprintf(w, "  ... and %d more (--limit 0 lists all)\n", len(l.files)-i)
				break
			}
			fmt.Fprintf(w, "  %s\n", safe(f))
		}
	}
	return nil
}
