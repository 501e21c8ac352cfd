package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/ingest"
	"github.com/kdelta/kdelta/internal/world"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/report"
	"github.com/kdelta/kdelta/store"
)

type demoOptions struct {
	dir  string
	size string
	seed int64
}

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "demo")
	var o demoOptions
	fs.StringVar(&o.size, "size", "demo", "world size: small (seconds) or demo (a few thousand upstream commits)")
	fs.Int64Var(&o.seed, "seed", 1, "the world's seed: the same seed builds the same repositories")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch fs.NArg() {
	case 0:
		o.dir = "kdelta-demo"
	case 1:
		o.dir = fs.Arg(0)
	default:
		return usagef("demo takes at most one directory")
	}
	if o.size != "small" && o.size != "demo" {
		return usagef("--size %q: want small or demo (the bench world is built by 'make bench')", o.size)
	}
	return doDemo(ctx, e, o)
}

func doDemo(ctx context.Context, e *env, o demoOptions) error {
	config := filepath.Join(o.dir, "kdelta.toml")
	if _, err := os.Stat(config); err == nil {
		fmt.Fprintf(e.stdout, "%s already holds a world; syncing it again (remove the directory to start over)\n", o.dir)
	} else {
		fmt.Fprintf(e.stdout, "building the %s world (seed %d) in %s\n", o.size, o.seed, o.dir)
		p := newProgress(e)
		last := ""
		w, err := world.Build(world.Options{Seed: o.seed, Size: world.Size(o.size), Dir: o.dir,
			Progress: func(stage string, done, total int) {
				if stage != last {
					p.Stage("world: "+stage, total)
					last = stage
				}
				p.Advance(done - p.done)
			}})
		p.Done()
		if err != nil {
			return fmt.Errorf("build the world: %w", err)
		}
		config = w.Config
	}
	if err := doSync(ctx, e, syncOptions{config: config}); err != nil {
		return err
	}
	f := newFactory(e, config)
	defer f.Close()
	db, err := f.Store(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout)
	if err := printSummary(ctx, e.stdout, db); err != nil {
		return err
	}
	// The delta of every downstream against its upstream.
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	// The interop test results the world ships, as a lab would send them.
	if err := importWorldResults(ctx, e, db, cfg, o.dir); err != nil {
		return err
	}
	svc, err := f.Service(ctx)
	if err != nil {
		return err
	}
	var results []*analyzer.Result
	for _, t := range downstreams(cfg) {
		r, err := svc.Analysis(ctx, t)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	fmt.Fprintln(e.stdout, "\nThe delta of each downstream against its upstream since its base, per component:")
	if err := printMatrix(e.stdout, results, ""); err != nil {
		return err
	}
	self := e.argv0
	if self == "" {
		self = "kdelta"
	}
	example := "<commit>"
	if oid, err := db.Latest(ctx); err == nil {
		example = oid[:12]
	}
	regs, err := svc.Regressions(ctx, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nInterop test regressions (%d; a test that passed on one release and fails on a later one):\n", len(regs))
	if err := printRegressions(e.stdout, regs, 3); err != nil {
		return err
	}
	// The report a release manager would send.
	doc, err := buildReport(ctx, e, db, cfg, downstreams(cfg))
	if err != nil {
		return err
	}
	html := filepath.Join(o.dir, "report.html")
	if err := writeFileAtomic(html, func(w io.Writer) error { return report.WriteHTML(w, doc) }); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nWrote the delta report to %s (open it in a browser; 'kdelta report --format md' prints it as Markdown).\n", html)
	fmt.Fprintf(e.stdout, "\nNext, try:\n  %[1]s delta --config %[2]s rhel --component mlx5\n  %[1]s compare --config %[2]s rhel ofed --component mlx5\n  %[1]s matches --config %[2]s ofed --format table\n  %[1]s status --config %[2]s sles\n  %[1]s status --config %[2]s ofed --status queued\n  %[1]s delta --config %[2]s winofed-3.1\n  %[1]s show --config %[2]s %[3]s\n  %[1]s skips --config %[2]s\n  %[1]s results regressions --config %[2]s rhel\n  %[1]s delta --config %[2]s rhel --component ipoib\n  %[1]s report --config %[2]s rhel --format md\n  %[1]s check --config %[2]s --baseline 1\n  %[1]s tui --config %[2]s\n", self, config, example)
	return nil
}

// importWorldResults imports the test results of a synthetic world, each
// file with the target its truth records (files imported before add
// nothing).
func importWorldResults(ctx context.Context, e *env, db *store.DB, cfg *project.Config, dir string) error {
	truth, err := world.LoadTruth(filepath.Join(dir, "truth.json"))
	if err != nil {
		return err
	}
	if truth.Results == nil {
		return nil
	}
	added, files := 0, 0
	for _, f := range truth.Results.Files {
		rep, err := ingest.ImportResults(ctx, db, cfg, ingest.ResultsImport{File: filepath.Join(dir, f.Path), Format: f.Format, Target: f.Target})
		if err != nil {
			return err
		}
		added += rep.Added
		files++
	}
	fmt.Fprintf(e.stdout, "\nimported %d interop test results files (JUnit, kcidb, CSV): %d new results\n", files, added)
	return nil
}
