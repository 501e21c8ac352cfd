package main

import (
	"context"
	"fmt"
	"text/tabwriter"
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
	db, err := openStore(ctx, e, *config)
	if err != nil {
		return err
	}
	defer db.Close()
	skips, err := db.Skips(ctx)
	if err != nil {
		return err
	}
	if len(skips) == 0 {
		fmt.Fprintln(e.stdout, "nothing was skipped")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tCOMMIT\tREASON")
	for _, s := range skips {
		c := s.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Source, c, s.Reason)
	}
	return tw.Flush()
}
