package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/ingest"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
)

type syncOptions struct {
	config  string
	workers int
	wait    time.Duration
	waitSet bool // --wait was given
	sources []string
	noSnap  bool
}

// teamWait is how long a sync waits by default for another run that holds
// a source it syncs on a PostgreSQL store: there, several CI runners and
// maintainers share one store, and a second sync of a source should take
// its turn, not fail.
const teamWait = 30 * time.Minute

func runSync(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "sync")
	var o syncOptions
	fs.StringVar(&o.config, "config", "kdelta.toml", "the project file")
	fs.IntVar(&o.workers, "workers", 0, "diff workers (default: one per CPU)")
	fs.DurationVar(&o.wait, "wait", 0, "how long to wait when another kdelta run holds the store or a source it syncs (e.g. 5m; default: not at all on a SQLite store, "+teamWait.String()+" on a team store, where syncs of one source take turns)")
	fs.BoolVar(&o.noSnap, "no-snapshot", false, "do not save a snapshot of the statuses and counts after the sync")
	if err := parse(fs, args); err != nil {
		return err
	}
	o.sources = fs.Args()
	fs.Visit(func(f *flag.Flag) { o.waitSet = o.waitSet || f.Name == "wait" })
	return doSync(ctx, e, o)
}

func doSync(ctx context.Context, e *env, o syncOptions) error {
	cfg, err := loadConfig(o.config)
	if err != nil {
		return err
	}
	if len(cfg.Sources) == 0 {
		return badInputf("%s names no source yet: uncomment and edit a [[source]] in it (kdelta init's starter has examples), then run 'kdelta sync' again", cfg.File)
	}
	if !o.waitSet && cfg.Store.URL != "" {
		o.wait = teamWait // CI runners of one team store queue up
	}
	start := e.now()
	p := newProgress(e)
	rep, snapID, notMeasured, err := syncAndSnapshot(ctx, e, o, cfg, p)
	p.Done()
	if err != nil {
		return err
	}
	printSyncReport(e, rep, e.now().Sub(start))
	if !o.noSnap {
		line := fmt.Sprintf("saved snapshot %d", snapID)
		if len(notMeasured) > 0 {
			line += fmt.Sprintf(" (not measured yet: %s)", strings.Join(notMeasured, ", "))
		}
		fmt.Fprintln(e.stdout, line)
	}
	if n := len(rep.Skips); n > 0 {
		return skipsError{n}
	}
	return nil
}

// syncAndSnapshot runs ingest and then, unless o.noSnap, saves a snapshot
// of the state it wrote. The snapshot is taken while the run still holds
// the store (ingest.Run: no other sync writes what this one wrote, and on
// SQLite nothing at all), after Run.Sync checked that the store file is
// still the one written, in one consistent view (on a team store other
// sources' syncs go on), and before Run.End records the run: a run whose
// snapshot failed or was interrupted does not end "done".
func syncAndSnapshot(ctx context.Context, e *env, o syncOptions, cfg *project.Config, p *progress) (rep *ingest.Report, snapID int64, notMeasured []string, err error) {
	run, err := ingest.Start(ctx, cfg, ingest.Options{Sources: o.sources, Progress: p, Workers: o.workers, Now: e.now, LockWait: o.wait})
	if err != nil {
		return nil, 0, nil, err
	}
	rep, err = run.Sync(ctx)
	if err == nil && !o.noSnap {
		p.Stage("saving a snapshot", 0)
		err = run.DB().Consistent(ctx, func(view *store.DB) error {
			var err error
			snapID, notMeasured, err = analyzer.SaveSnapshot(ctx, view, run.ID())
			return err
		})
	}
	return rep, snapID, notMeasured, run.End(ctx, err)
}

// skipsError says a sync finished but could not read everything: what a
// damaged clone lacks, a truncated archive, a message that cannot be
// decoded. Everything else was synced; its exit code is exitSkips.
type skipsError struct{ n int }

func (e skipsError) Error() string {
	s := "s"
	if e.n == 1 {
		s = ""
	}
	return fmt.Sprintf("synced with %d skip%s: 'kdelta skips' lists what could not be read; the next sync tries it again", e.n, s)
}

func printSyncReport(e *env, rep *ingest.Report, took time.Duration) {
	for _, r := range rep.Refs {
		if r.Tip == "" {
			if r.Unread > 0 {
				fmt.Fprintf(e.stdout, "%s@%s: not read (see 'kdelta skips')\n", r.Source, r.Ref)
			}
			continue
		}
		line := fmt.Sprintf("%s@%s at %.12s: ", r.Source, r.Ref, r.Tip)
		switch {
		case r.Unchanged:
			line += "up to date"
		case r.Unit == "files" || strings.HasPrefix(r.Unit, "postings"):
			line += fmt.Sprintf("%d %s", r.Walked, r.Unit)
		case r.Unit != "" && r.Unit != "commits":
			line += fmt.Sprintf("%d %s read, %d fingerprinted, %d out of scope", r.Walked, r.Unit, r.Fingerprinted, r.OutOfScope)
		default:
			line += fmt.Sprintf("%d new commits walked, %d fingerprinted, %d already known, %d out of scope",
				r.Walked, r.Fingerprinted, r.Reused, r.OutOfScope)
			if r.Skipped > 0 {
				line += fmt.Sprintf(", %d skipped (see 'kdelta skips')", r.Skipped)
			}
			if r.Removed > 0 {
				line += fmt.Sprintf(", %d no longer on the ref", r.Removed)
			}
		}
		if r.Unread > 0 {
			line += fmt.Sprintf(", %d not read (see 'kdelta skips')", r.Unread)
		}
		if r.Base != "" {
			line += "; base " + baseOnce(r.Base)
		}
		fmt.Fprintln(e.stdout, line)
	}
	fmt.Fprintf(e.stdout, "synced in %s\n", took.Round(time.Millisecond))
}

// baseOnce shows a sync's base ("HOW: SHORT-ID") naming its commit once:
// a base configured as a commit id would say it twice.
func baseOnce(base string) string {
	i := strings.LastIndex(base, ": ")
	if i < 0 {
		return base
	}
	return analyzer.BaseText(base[i+2:], base[:i])
}
