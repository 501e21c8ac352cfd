package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/ingest"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
)

const resultsUsage = "results import FILE... [--format junit|kcidb|csv] [--target SOURCE@REF] [--lab NAME] [--hardware TEXT] | results regressions [DOWNSTREAM] | results show TEST"

// Which flags each results subcommand takes (besides --config).
var resultsFlags = map[string][]string{
	"import":      {"format", "target", "lab", "hardware", "wait"},
	"regressions": {"format", "limit"},
	"show":        {"format"},
}

func runResults(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "results")
	config := configFlag(fs)
	format := fs.String("format", "", "import: junit, kcidb or csv (detected from the content when not given); regressions and show: table (default) or json")
	target := fs.String("target", "", "import: what the results ran on, SOURCE@TAG, SOURCE@REF or SOURCE@COMMIT, for results whose file does not name it")
	lab := fs.String("lab", "", "import: the lab that ran the tests (replaces what the file says)")
	hardware := fs.String("hardware", "", "import: the hardware they ran on (replaces what the file says)")
	limit := fs.Int("limit", 5, "regressions: tests, suspects and missing fixes listed per regression in a table (0: all)")
	wait := fs.Duration("wait", 0, "import: how long to wait when another kdelta run holds the store (e.g. 5m; default: not at all on a SQLite store, "+teamWait.String()+" on a team store)")
	if err := parse(fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) == 0 || resultsFlags[rest[0]] == nil {
		return usagef("%s", resultsUsage)
	}
	sub := rest[0]
	var bad error
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "config" || bad != nil {
			return
		}
		for _, ok := range resultsFlags[sub] {
			if f.Name == ok {
				return
			}
		}
		bad = usagef("results %s does not take --%s", sub, f.Name)
	})
	if bad != nil {
		return bad
	}
	if sub != "import" && *format != "" && *format != "table" && *format != "json" {
		return usagef("--format %q: want table or json", *format)
	}
	f := newFactory(e, *config)
	defer f.Close()
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	if sub == "import" {
		if len(rest) < 2 {
			return usagef("results import takes one or more files")
		}
		switch *format {
		case "", "junit", "kcidb", "csv":
		default:
			return usagef("--format %q: want junit, kcidb or csv (or leave it out to detect)", *format)
		}
		waitSet := false
		fs.Visit(func(f *flag.Flag) { waitSet = waitSet || f.Name == "wait" })
		if !waitSet && cfg.Store.URL != "" {
			*wait = teamWait
		}
		// An import writes, as a sync does: it holds the store (on a team
		// store, other imports) for its length; readers go on meanwhile.
		db, lock, err := openHeld(ctx, e, cfg, store.Hold{Holder: "kdelta results import", Names: []string{"test results"}, Wait: *wait,
			Waiting: func(who string) {
				fmt.Fprintf(e.stderr, "waiting for the store %s, held by %s\n", store.Redact(cfg.StoreLocation()), who)
			}})
		if err != nil {
			return err
		}
		defer lock.Release()
		defer db.Close()
		for _, file := range rest[1:] {
			rep, err := ingest.ImportResults(ctx, db, cfg, ingest.ResultsImport{File: file, Format: *format, Target: *target, Lab: *lab, Hardware: *hardware})
			if err != nil {
				return err
			}
			switch {
			case rep.Duplicate:
				fmt.Fprintf(e.stdout, "%s: imported before; nothing added\n", file)
			default:
				fmt.Fprintf(e.stdout, "%s: %s, %d results on %s; %d new\n", file, rep.Format, rep.Cases, safe(strings.Join(rep.Targets, ", ")), rep.Added)
			}
		}
		return nil
	}
	if _, err := f.Store(ctx); err != nil {
		return err
	}
	switch sub {
	case "regressions":
		if len(rest) > 2 {
			return usagef("results regressions takes at most one downstream")
		}
		source := ""
		if len(rest) == 2 {
			source, _ = analyzer.Target(rest[1])
			if cfg.Source(source) == nil {
				return badInputf("no source %q in %s", source, cfg.File)
			}
		}
		svc, err := f.Service(ctx)
		if err != nil {
			return err
		}
		regs, err := svc.Regressions(ctx, source)
		if err != nil {
			return err
		}
		if *format == "json" {
			if regs == nil {
				regs = []analyzer.Regression{}
			}
			return writeJSON(e.stdout, regs)
		}
		return printRegressions(e.stdout, regs, *limit)
	default: // show
		if len(rest) != 2 {
			return usagef("results show takes one test path, like ipoib.connected_mode.ping")
		}
		svc, err := f.Service(ctx)
		if err != nil {
			return err
		}
		return showTest(ctx, e, svc, rest[1], *format)
	}
}

// openHeld opens the store the project names, which must exist, for a
// run that writes, and takes its lock (store.OpenHeld).
func openHeld(ctx context.Context, e *env, cfg *project.Config, h store.Hold) (*store.DB, *store.Lock, error) {
	where, err := existingStore(cfg)
	if err != nil {
		return nil, nil, err
	}
	db, lock, err := store.OpenHeld(ctx, where, e.now, h)
	if err != nil {
		return nil, nil, err
	}
	return byUser(db, cfg), lock, nil
}

// printRegressions prints the regressions grouped by what they share:
// the tests of one component that broke between the same two targets have
// the same suspects, listed once.
func printRegressions(w io.Writer, regs []analyzer.Regression, limit int) error {
	if len(regs) == 0 {
		fmt.Fprintln(w, "no regressions: no test went from PASS to FAIL between two targets")
		return nil
	}
	for i, g := range analyzer.GroupRegressions(regs) {
		r := g.First
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s: PASS on %s, FAIL on %s (%s)\n", r.Source, safe(r.Passed.Target), safe(r.Failed.Target), strings.Join(r.Components, ", "))
		for j, t := range g.Tests {
			if limit > 0 && j == limit {
				fmt.Fprintf(w, "  ... and %d more tests (--limit 0 lists all)\n", len(g.Tests)-j)
				break
			}
			where := strings.Trim(t.Lab+", "+t.Hardware, ", ")
			msg := ""
			if t.Failed.Message != "" {
				msg = ": " + trim(t.Failed.Message, 50)
			}
			fmt.Fprintf(w, "  FAIL %s  (%s)%s\n", safe(t.Test), safe(where), msg)
		}
		if r.Note != "" {
			fmt.Fprintf(w, "  note: %s\n", safe(r.Note))
		}
		fmt.Fprintf(w, "  suspects: %d of the %d changes between the two targets touch %s\n", len(r.Suspects), r.Between, strings.Join(r.Components, ", "))
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for j, s := range r.Suspects {
			if limit > 0 && j == limit {
				fmt.Fprintf(tw, "    ... and %d more (--limit 0 lists all)\n", len(r.Suspects)-j)
				break
			}
			fmt.Fprintf(tw, "    %d.\t%.12s\t%s\t%s\t%d lines\t%3.0f%%\n", j+1, s.ID, trim(s.Subject, 56), safe(s.Author), s.Lines, 100*s.Share)
		}
		tw.Flush()
		if r.MissingOn != "" {
			fmt.Fprintf(w, "  missing upstream fixes for %s on %s: %d\n", strings.Join(r.Components, ", "), r.MissingOn, len(r.MissingFixes))
			for j, m := range r.MissingFixes {
				if limit > 0 && j == limit {
					fmt.Fprintf(w, "    ... and %d more (kdelta delta %s --component %s lists them)\n", len(r.MissingFixes)-j, r.Source, r.Components[0])
					break
				}
				fmt.Fprintf(w, "    %.12s %s  [fixes %s]\n", m.ID, trim(m.Subject, 60), change.ShortList(m.Fixes))
			}
		}
	}
	return nil
}

func showTest(ctx context.Context, e *env, svc *analyzer.Service, test, format string) error {
	rules := svc.Rules()
	hist, err := svc.TestHistory(ctx, test)
	if err != nil {
		return err
	}
	if len(hist) == 0 {
		paths, err := svc.TestPaths(ctx)
		if err != nil {
			return err
		}
		near := didYouMean(test, paths, 5)
		switch {
		case len(paths) == 0:
			return badInputf("no test results are stored: import some with 'kdelta results import FILE'")
		case len(near) > 0:
			return badInputf("no results for test %q; did you mean %s?", test, strings.Join(near, ", "))
		}
		return badInputf("no results for test %q (%d tests are stored; 'kdelta results regressions' lists failing ones)", test, len(paths))
	}
	if format == "json" {
		return writeJSON(e.stdout, map[string]any{"test": test, "components": rules.Components(test), "history": hist})
	}
	fmt.Fprintf(e.stdout, "%s  (components: %s)\n\n", safe(test), strings.Join(rules.Components(test), ", "))
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tCOMMIT\tLAB\tHARDWARE\tSTATUS\tSTARTED\tMESSAGE")
	for _, h := range hist {
		started := "-"
		if !h.Started.IsZero() {
			started = h.Started.Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%.12s\t%s\t%s\t%s\t%s\t%s\n", safe(h.Target), h.Commit, safe(h.Lab), safe(h.Hardware), safe(h.Status), started, trim(h.Message, 50))
	}
	return tw.Flush()
}
