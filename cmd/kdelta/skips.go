package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/kdelta/kdelta/change"
)

func runSkips(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "skips")
	config := configFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("skips takes no arguments")
	}
	f := newFactory(e, *config)
	defer f.Close()
	db, err := f.Store(ctx)
	if err != nil {
		return err
	}
	skips, err := db.Skips(ctx)
	if err != nil {
		return err
	}
	if len(skips) == 0 {
		fmt.Fprintln(e.stdout, "nothing was skipped")
		return nil
	}
	// Each skip: where (source and ref), what kind, the commit, patch or
	// posting it concerns, the object that could not be read, and why.
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tKIND\tCOMMIT\tOBJECT\tREASON")
	for _, s := range skips {
		where := s.Source
		if s.Ref != "" {
			where += "@" + s.Ref
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", safe(where), s.Kind, safe(orDash(change.Short(s.Commit))), safe(orDash(s.Object)), safe(s.Reason))
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
