package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/report"
	"github.com/kdelta/kdelta/store"
)

// errRegressions says kdelta check found regressions (exit code 1).
var errRegressions = errors.New("regressions found")

func runCheck(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "check")
	config := configFlag(fs)
	baseline := fs.String("baseline", "", "what to compare with: a JSON report an earlier run saved (kdelta report --format json, or --update-baseline), or a snapshot id in the store (default: the --update-baseline file)")
	policyFile := fs.String("policy", "", "a policy file: which checks run, growth limits per component, the components whose new missing fixes count")
	junit := fs.String("junit", "", "also write the checks as JUnit XML to this file, one testcase per check")
	update := fs.String("update-baseline", "", "write the current state as a JSON report to this file, to compare the next run with; when the baseline file does not exist yet, this run writes the first one and passes")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *baseline == "" {
		*baseline = *update
	}
	if *baseline == "" {
		return usagef("--baseline FILE|SNAPSHOT is required (or --update-baseline FILE, which is compared with when it exists)")
	}
	f := newFactory(e, *config)
	defer f.Close()
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	policy := project.DefaultPolicy()
	if *policyFile != "" {
		if policy, err = cfg.LoadPolicy(*policyFile); err != nil {
			return err
		}
	}
	db, err := f.Store(ctx)
	if err != nil {
		return err
	}
	targets, err := reportTargets(cfg, fs.Args())
	if err != nil {
		return err
	}
	if *update != "" && firstBaseline(*baseline) {
		// A pipeline's first run: nothing to compare with yet.
		doc, err := buildReport(ctx, e, db, cfg, targets)
		if err != nil {
			return err
		}
		if err := writeFileAtomic(*update, func(w io.Writer) error { return report.WriteJSON(w, doc) }); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "kdelta check: no baseline %s yet: wrote the first baseline to %s (%d downstreams); the next run compares with it\n",
			*baseline, *update, len(doc.Downstreams))
		return nil
	}
	base, name, err := readBaseline(ctx, db, cfg, *baseline)
	if err != nil {
		return err
	}
	doc, err := buildReport(ctx, e, db, cfg, targets)
	if err != nil {
		return err
	}
	res := analyzer.CheckAgainst(name, base, doc.Downstreams, policy)
	if err := res.Uncomparable(); err != nil {
		return badInputf("baseline %s: %w", name, err) // a gate that compared nothing must not pass
	}
	if err := report.WriteCheckMarkdown(e.stdout, res); err != nil {
		return err
	}
	if *junit != "" {
		if err := writeFileAtomic(*junit, func(w io.Writer) error { return report.WriteJUnit(w, res) }); err != nil {
			return err
		}
	}
	if *update != "" {
		if err := writeFileAtomic(*update, func(w io.Writer) error { return report.WriteJSON(w, doc) }); err != nil {
			return err
		}
	}
	if n := res.Regressions(); n > 0 {
		return fmt.Errorf("%d regressions against %s: %w", n, name, errRegressions)
	}
	return nil
}

// firstBaseline says whether a baseline names a file that does not exist
// yet (and is no snapshot id): a pipeline's first run.
func firstBaseline(arg string) bool {
	if _, err := os.Stat(arg); !errors.Is(err, fs.ErrNotExist) {
		return false
	}
	_, err := strconv.ParseInt(arg, 10, 64)
	return err != nil
}

// readBaseline reads a baseline: a JSON report file, or else a snapshot id.
func readBaseline(ctx context.Context, db *store.DB, cfg *project.Config, arg string) ([]analyzer.Overview, string, error) {
	data, err := os.ReadFile(arg)
	if err == nil {
		doc, err := report.ReadJSON(arg, data)
		if err != nil {
			return nil, "", badInputf("%w", err)
		}
		return doc.Downstreams, arg, nil
	}
	id, perr := strconv.ParseInt(arg, 10, 64)
	if perr != nil || id <= 0 {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, "", badInputf("baseline %s: no such file, and not a snapshot id; expected a JSON report or a snapshot number ('kdelta status DOWNSTREAM' timelines show them)", arg)
		}
		return nil, "", badInputf("baseline %s: %w", arg, err)
	}
	ovs, err := analyzer.OverviewsAt(ctx, db, cfg, id)
	if err != nil {
		return nil, "", err
	}
	return ovs, fmt.Sprintf("snapshot %d", id), nil
}
