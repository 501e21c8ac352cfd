package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/store"
)

func runMatches(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "matches")
	config := configFlag(fs)
	format := fs.String("format", "json", "json (the documented contract) or table")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("name one downstream (SOURCE or SOURCE@REF)")
	}
	if *format != "json" && *format != "table" {
		return usagef("--format %q: want json or table", *format)
	}
	db, err := openStore(ctx, e, *config)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := analyzer.Analyze(ctx, db, fs.Arg(0))
	if err != nil {
		return err
	}
	if *format == "json" {
		return writeJSON(e.stdout, r.Matches)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DOWNSTREAM\tUPSTREAM\tMETHOD\tSCORE\tWHY")
	for _, m := range r.Matches {
		up := change.ShortList(m.Upstream)
		if up == "" {
			up = "-"
		}
		fmt.Fprintf(tw, "%.12s\t%s\t%s\t%.2f\t%s\n", m.Downstream, up, m.Method, m.Score, m.Why)
	}
	return tw.Flush()
}

func runMatch(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "match")
	config := configFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) < 2 || rest[0] != "set" && rest[0] != "unset" {
		return usagef("match set DOWNSTREAM [UPSTREAM...] | match unset DOWNSTREAM")
	}
	db, err := openStore(ctx, e, *config)
	if err != nil {
		return err
	}
	defer db.Close()
	down, err := fullID(ctx, db, rest[1])
	if err != nil {
		return err
	}
	if rest[0] == "unset" {
		if len(rest) > 2 {
			return usagef("match unset takes one downstream commit")
		}
		had, err := db.UnsetOverride(ctx, down)
		if err != nil {
			return err
		}
		if !had {
			return badInputf("%.12s has no manual match", down)
		}
		fmt.Fprintf(e.stdout, "removed the manual match of %.12s\n", down)
		return nil
	}
	var ups []string
	for _, u := range rest[2:] {
		id, err := fullID(ctx, db, u)
		if err != nil {
			return err
		}
		ups = append(ups, id)
	}
	if err := db.SetOverride(ctx, down, ups); err != nil {
		return err
	}
	if len(ups) == 0 {
		fmt.Fprintf(e.stdout, "%.12s is now downstream-only by hand\n", down)
	} else {
		fmt.Fprintf(e.stdout, "%.12s now carries %s by hand\n", down, change.ShortList(ups))
	}
	return nil
}

// fullID resolves a full or abbreviated id of a stored commit.
func fullID(ctx context.Context, db *store.DB, id string) (string, error) {
	id = strings.ToLower(id)
	if len(id) < 4 || strings.Trim(id, "0123456789abcdef") != "" {
		return "", usagef("%q is not a commit id (4 to 40 hex digits)", id)
	}
	fp, err := db.Fingerprint(ctx, id, "")
	if err != nil {
		return "", err
	}
	return fp.ID, nil
}
