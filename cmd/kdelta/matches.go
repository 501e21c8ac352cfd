package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/change"
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
	f := newFactory(e, *config)
	defer f.Close()
	db, err := f.Store(ctx)
	if err != nil {
		return err
	}
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
		fmt.Fprintf(tw, "%.12s\t%s\t%s\t%.2f\t%s\n", m.Downstream, up, m.Method, m.Score, safe(m.Why))
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
	f := newFactory(e, *config)
	defer f.Close()
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	svc, err := f.Service(ctx)
	if err != nil {
		return err
	}
	if rest[0] == "unset" {
		if len(rest) > 2 {
			return usagef("match unset takes one downstream commit")
		}
		return unsetMatch(ctx, e, svc, rest[1])
	}
	m, _, err := svc.SetManualMatch(ctx, cfg.DownstreamRefs(), rest[1], rest[2:])
	if err != nil {
		return err
	}
	if len(m.Upstream) == 0 {
		fmt.Fprintf(e.stdout, "%.12s is now downstream-only by hand\n", m.Downstream)
	} else {
		fmt.Fprintf(e.stdout, "%.12s now carries %s by hand\n", m.Downstream, change.ShortList(m.Upstream))
	}
	return nil
}

// unsetMatch removes a manual match, named by its downstream id, full or
// abbreviated (the commit may have left the store since).
func unsetMatch(ctx context.Context, e *env, svc *analyzer.Service, arg string) error {
	p := strings.ToLower(arg)
	if len(p) < 4 || len(p) > 40 || strings.Trim(p, "0123456789abcdef") != "" {
		return usagef("%q is not a commit id (4 to 40 hex digits)", arg)
	}
	overrides, err := svc.ManualMatches(ctx)
	if err != nil {
		return err
	}
	var ids []string
	for id := range overrides {
		if strings.HasPrefix(id, p) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	switch len(ids) {
	case 0:
		return badInputf("%s has no manual match", arg)
	case 1:
	default:
		return badInputf("%s is ambiguous: the manual matches of %s start with it; give more digits", arg, change.ShortList(ids))
	}
	if _, _, err := svc.ClearManualMatch(ctx, ids[0]); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "removed the manual match of %.12s\n", ids[0])
	return nil
}

// fullID resolves a full or abbreviated id of a stored commit.
func fullID(ctx context.Context, svc *analyzer.Service, id string) (string, error) {
	id = strings.ToLower(id)
	if len(id) < 4 || strings.Trim(id, "0123456789abcdef") != "" {
		return "", usagef("%q is not a commit id (4 to 40 hex digits)", id)
	}
	fp, err := svc.Fingerprint(ctx, id)
	if err != nil {
		return "", err
	}
	return fp.ID, nil
}
