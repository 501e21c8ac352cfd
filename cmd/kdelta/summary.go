package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"text/tabwriter"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
)

func runSummary(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "summary")
	config := configFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("summary takes no arguments")
	}
	f := newFactory(e, *config)
	defer f.Close()
	db, err := f.Store(ctx)
	if err != nil {
		return err
	}
	return printSummary(ctx, e.stdout, db)
}

// openExisting opens the store the project names: a SQLite file, which
// must exist, or a PostgreSQL database. What is entered through it by hand
// records who entered it (whoAmI).
func openExisting(ctx context.Context, e *env, cfg *project.Config) (*store.DB, error) {
	where, err := existingStore(cfg)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, where, e.now)
	if err != nil {
		return nil, err
	}
	return byUser(db, cfg), nil
}

// existingStore is where the project's store is, for a run that needs it
// made already: a PostgreSQL URL, or a SQLite file, which must exist (a
// sync makes it; opening a missing file would make an empty store).
func existingStore(cfg *project.Config) (string, error) {
	where := cfg.StoreLocation()
	if !store.IsURL(where) {
		if _, err := os.Stat(where); err != nil {
			return "", badInputf("no store at %s yet: run 'kdelta sync' first", where)
		}
	}
	return where, nil
}

// byUser makes what is entered through db by hand record who entered it
// (whoAmI, asked in the project's directory when first needed).
func byUser(db *store.DB, cfg *project.Config) *store.DB {
	db.FindUser(func() string { return whoAmI(cfg.Dir) })
	return db
}

// printSummary prints which store it is (never with a password), what is stored per ref, then the commits per
// component and ref.
func printSummary(ctx context.Context, w io.Writer, db *store.DB) error {
	refs, counts, err := db.Summary(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "store: %s\n", db.Describe())
	if len(refs) == 0 {
		fmt.Fprintln(w, "the store is empty: run 'kdelta sync'")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tKIND\tREF\tTIP\tCOMMITS\tSKIPPED\tBASE")
	for _, r := range refs {
		tip := r.Tip
		if len(tip) > 12 {
			tip = tip[:12]
		}
		if tip == "" {
			tip = "(not synced)"
		}
		base := "-"
		if r.Base != "" {
			base = analyzer.BaseText(r.Base, r.BaseHow)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\n", r.Source, r.Kind, safe(r.Ref), tip, r.Commits, r.Skipped, safe(base))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(counts) == 0 {
		return nil
	}
	// Component x ref matrix.
	var cols []string
	seenCol := map[string]bool{}
	cells := map[string]map[string]int{}
	var rows []string
	for _, c := range counts {
		col := c.Source + "@" + c.Ref
		if !seenCol[col] {
			seenCol[col] = true
			cols = append(cols, col)
		}
		if cells[c.Component] == nil {
			cells[c.Component] = map[string]int{}
			rows = append(rows, c.Component)
		}
		cells[c.Component][col] = c.Commits
	}
	sort.Strings(rows)
	fmt.Fprintln(w, "\nCommits per component (a commit may count under several):")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "COMPONENT\t")
	for _, c := range cols {
		fmt.Fprintf(tw, "%s\t", c)
	}
	fmt.Fprintln(tw)
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t", r)
		for _, c := range cols {
			if n := cells[r][c]; n > 0 {
				fmt.Fprintf(tw, "%d\t", n)
			} else {
				fmt.Fprint(tw, "-\t")
			}
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}
