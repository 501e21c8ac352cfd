package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/report"
	"github.com/kdelta/kdelta/store"
)

// reportFormats maps a --format, or an output file's extension, to its writer.
var reportFormats = map[string]func(io.Writer, *report.Document) error{
	"md":   report.WriteMarkdown,
	"html": report.WriteHTML,
	"json": report.WriteJSON,
	"csv":  report.WriteCSV,
}

func runReport(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "report")
	config := configFlag(fs)
	format := fs.String("format", "", "md, html, json or csv (default: from the -o file's extension, else md)")
	out := fs.String("o", "", "write the report to this file (default: standard output)")
	var pairs pairList
	fs.Var(&pairs, "compare", "also compare two downstreams, A:B (repeat for more pairs): per component what each has of upstream that the other lacks, what each carries alone, the tests that differ")
	if err := parse(fs, args); err != nil {
		return err
	}
	f := *format
	if f == "" {
		f = strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
		if f == "markdown" {
			f = "md"
		}
		if reportFormats[f] == nil {
			f = "md"
		}
	}
	write := reportFormats[f]
	if write == nil {
		return usagef("--format %q: want md, html, json or csv", *format)
	}
	fac := newFactory(e, *config)
	defer fac.Close()
	cfg, err := fac.Config()
	if err != nil {
		return err
	}
	db, err := fac.Store(ctx)
	if err != nil {
		return err
	}
	targets, err := reportTargets(cfg, fs.Args())
	if err != nil {
		return err
	}
	doc, err := buildReport(ctx, e, db, cfg, targets)
	if err != nil {
		return err
	}
	// The pairs the project file names, then those given now.
	pairs = append(append(pairList(nil), cfg.Report.Compare...), pairs...)
	svc, err := fac.Service(ctx)
	if err != nil {
		return err
	}
	for _, p := range pairs {
		for _, name := range p {
			if err := comparable(cfg, name); err != nil {
				return err
			}
		}
		c, err := svc.Compare(ctx, p[0], p[1])
		if err != nil {
			return err
		}
		doc.Comparisons = append(doc.Comparisons, *c)
	}
	if *out == "" {
		return write(e.stdout, doc)
	}
	if err := writeFileAtomic(*out, func(w io.Writer) error { return write(w, doc) }); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %s (%s, %d downstreams)\n", *out, f, len(doc.Downstreams))
	return nil
}

// reportTargets returns the downstreams a report or check covers: those
// named, or every downstream measured by commits.
func reportTargets(cfg *project.Config, names []string) ([]string, error) {
	if len(names) == 0 {
		all := downstreams(cfg)
		if len(all) == 0 {
			return nil, badInputf("%s has no downstream with an upstream to report on", cfg.File)
		}
		return all, nil
	}
	for _, n := range names {
		source, _ := analyzer.Target(n)
		s := cfg.Source(source)
		switch {
		case s == nil:
			return nil, badInputf("no source %q in %s", source, cfg.File)
		case s.Rules().ByFiles:
			return nil, badInputf("%s is a release drop without history: 'kdelta delta %s' shows its file-level delta; reports cover downstreams with commits or patches", source, source)
		case !s.IsDownstream():
			return nil, badInputf("%s is not measured against an upstream (a %s source)", source, s.Kind)
		}
	}
	return names, nil
}

// buildReport reads the overviews of a report (or of a check) from one
// state of the store: on a team store, syncs may write meanwhile.
func buildReport(ctx context.Context, e *env, db *store.DB, cfg *project.Config, targets []string) (*report.Document, error) {
	var ovs []analyzer.Overview
	err := db.Consistent(ctx, func(view *store.DB) error {
		var err error
		ovs, err = analyzer.Overviews(ctx, view, cfg, targets)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &report.Document{SchemaVersion: report.SchemaVersion, Generator: report.Generator, Generated: e.now().UTC(), Downstreams: ovs}, nil
}

// pairList is the pairs of downstreams --compare names, A:B each.
type pairList [][2]string

func (p *pairList) String() string {
	var out []string
	for _, x := range *p {
		out = append(out, x[0]+":"+x[1])
	}
	return strings.Join(out, ",")
}

func (p *pairList) Set(v string) error {
	a, b, ok := strings.Cut(v, ":")
	if !ok || a == "" || b == "" || strings.Contains(b, ":") {
		return fmt.Errorf("want two downstreams as A:B, got %q", v)
	}
	*p = append(*p, [2]string{a, b})
	return nil
}
