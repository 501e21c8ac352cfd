// Package ingest is the step that feeds the store from the sources: a
// sync reads each source with the reader of its format (format.go lists
// them: git mirrors the repository and fingerprints every commit in scope
// the store lacks; series, ofed, snapshot, mbox and patchwork read patch
// files, release drops and mailing lists), and records ref membership,
// tags, first releases and bases. Work is incremental: a commit is diffed
// once, ever, keyed by its id.
//
// What to do with the new state (kdelta sync saves a snapshot of it) is
// the caller's: Start, Run.Sync, then the caller's reads through Run.DB,
// then Run.End; Sync does the three with nothing in between.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/sources/gitrepo"
	"github.com/kdelta/kdelta/store"
)

// Progress receives what a sync is doing. Implementations draw a bar on a
// terminal or print plain lines; all methods may be called from one
// goroutine at a time only.
type Progress interface {
	// Stage starts a named piece of work with a total (0 if unknown).
	Stage(name string, total int)
	// Advance adds n to the current stage's done count.
	Advance(n int)
	// Note prints one line.
	Note(format string, args ...any)
}

// Options tune a sync.
type Options struct {
	Sources  []string // names to sync; empty means all
	Progress Progress // nil for silence
	Workers  int      // diff workers; 0 means one per CPU
	Now      func() time.Time
	// LockWait is how long to wait for another run holding the store.
	LockWait time.Duration
	// Limits bound the diff of one commit; zero means gitrepo.DefaultLimits.
	Limits gitrepo.Limits
}

// RefReport says what a sync did to one ref.
type RefReport struct {
	Source        string
	Ref           string
	Tip           string
	Unchanged     bool   // the tip had not moved: nothing was walked
	Walked        int    // what the sync read of the ref, counted in Unit
	Unit          string // the format's unit: "commits" (non-merge commits walked), "patches", "files", "messages", "postings looked up"
	Fingerprinted int    // commits diffed and stored now
	Reused        int    // commits already in the store
	OutOfScope    int    // commits that touch nothing in scope
	Skipped       int    // commits recorded as skipped (too large)
	Unread        int    // what could not be read: recorded skips, in Report.Skips
	Removed       int    // commits no longer on the ref
	Base          string
}

// Report is what a sync did.
type Report struct {
	Refs []RefReport
	// Skips is what this sync could not read, each recorded in the store
	// (`kdelta skips`): a damaged clone's missing commit, tree or blob, a
	// truncated archive, a message that cannot be decoded. The rest of the
	// source was read, and a later sync reads again what was damaged.
	Skips []store.Skip
}

// Fingerprinted is the number of commits diffed in this run.
func (r *Report) Fingerprinted() int {
	n := 0
	for _, x := range r.Refs {
		n += x.Fingerprinted
	}
	return n
}

type quiet struct{}

func (quiet) Stage(string, int)   {}
func (quiet) Advance(int)         {}
func (quiet) Note(string, ...any) {}

// withDefaults fills what the options leave out: silence, the system's
// clock, a diff worker per CPU, gitrepo.DefaultLimits.
func (o Options) withDefaults() Options {
	if o.Progress == nil {
		o.Progress = quiet{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Workers <= 0 {
		o.Workers = runtime.NumCPU()
	}
	if o.Limits == (gitrepo.Limits{}) {
		o.Limits = gitrepo.DefaultLimits
	}
	return o
}

// ErrUnknownSource says a source name is not in the project file.
var ErrUnknownSource = errors.New("unknown source")

// Sync syncs the project's sources into its store: Start, Run.Sync and
// Run.End with nothing in between. It holds the store's lock for its whole
// length.
func Sync(ctx context.Context, cfg *project.Config, opts Options) (*Report, error) {
	run, err := Start(ctx, cfg, opts)
	if err != nil {
		return nil, err
	}
	report, err := run.Sync(ctx)
	return report, run.End(ctx, err)
}

// Run is one sync that holds the store from Start to End. Between Sync
// and End, what the caller reads through DB is the state the sync wrote:
// the lock still keeps every other sync from writing the sources it
// wrote (on SQLite, from writing at all), and the run is still recorded
// as running, so that what the caller saves under its id (a snapshot)
// belongs to a run that ends "done" only if the caller's work succeeds
// too (End records its error).
type Run struct {
	cfg      *project.Config
	opts     Options
	selected []project.Source
	comps    *project.Components
	db       *store.DB
	lock     *store.Lock
	id       int64
	report   *Report
	ended    bool
}

// Start opens the project's store, takes its lock (waiting as opts say)
// and records a new run. The caller must call End.
func Start(ctx context.Context, cfg *project.Config, opts Options) (*Run, error) {
	opts = opts.withDefaults()
	selected, err := selectSources(cfg, opts.Sources)
	if err != nil {
		return nil, err
	}
	comps, err := cfg.Components()
	if err != nil {
		return nil, err
	}
	where := cfg.StoreLocation()
	if !store.IsURL(where) {
		if err := os.MkdirAll(filepath.Dir(where), 0o755); err != nil {
			return nil, fmt.Errorf("store %s: %w", where, err)
		}
	}
	// A SQLite store is held whole; a PostgreSQL store, by the sources
	// this sync writes, so syncs of other sources run beside it.
	db, lock, err := store.OpenHeld(ctx, where, opts.Now, store.Hold{Holder: "kdelta sync", Names: lockNames(cfg, selected),
		Wait: opts.LockWait, Waiting: func(who string) {
			opts.Progress.Note("waiting for the store %s, held by %s", store.Redact(where), who)
		}})
	if err != nil {
		return nil, err
	}
	id, err := db.BeginSync(ctx, lock)
	if err != nil {
		lock.Release()
		db.Close()
		return nil, err
	}
	return &Run{cfg: cfg, opts: opts, selected: selected, comps: comps, db: db, lock: lock, id: id, report: &Report{}}, nil
}

// ID is the run's id in the store (store.Snapshot.SyncID).
func (r *Run) ID() int64 { return r.id }

// DB is the store the run holds, for the caller's reads and writes
// between Sync and End.
func (r *Run) DB() *store.DB { return r.db }

// Sync reads the selected sources into the store. Its error is also the
// one to hand to End. A SQLite file deleted or replaced meanwhile is an
// error (store.ErrGone): it took what this run wrote with it.
func (r *Run) Sync(ctx context.Context) (*Report, error) {
	s := newSyncer(r.cfg, r.comps, r.db, r.opts, r.report)
	defer s.closeRepos()
	report, err := s.sync(ctx, r.selected)
	if err == nil {
		err = r.db.CheckFile()
	}
	return report, err
}

// End records how the run ended (done, interrupted or failed with err, the
// error of Sync or of the caller's work after it), lets the store go and
// returns err, or the error of recording it. It does nothing the second
// time.
func (r *Run) End(ctx context.Context, err error) error {
	if r.ended {
		return err
	}
	r.ended = true
	defer r.db.Close()
	defer r.lock.Release()
	status := "done"
	switch {
	case errors.Is(err, context.Canceled):
		status = "interrupted"
	case err != nil:
		status = "failed"
	}
	note := ""
	switch {
	case err != nil:
		note = err.Error()
	case len(r.report.Skips) > 0:
		note = fmt.Sprintf("%d skips", len(r.report.Skips))
	}
	if endErr := r.db.EndSync(ctx, r.id, status, r.report.Fingerprinted(), note); endErr != nil && err == nil {
		err = endErr
	}
	if err == nil {
		err = r.db.CheckFile()
	}
	return err
}

// lockNames names what a sync of selected writes, for the store's lock:
// the sources themselves, the downstreams of those (their bases are
// measured again against the new upstream), and for a Patchwork source the
// mailing-list sources whose postings it marks.
func lockNames(cfg *project.Config, selected []project.Source) []string {
	names := map[string]bool{}
	readsLists := false
	for _, s := range selected {
		names[s.Name] = true
		readsLists = readsLists || s.Rules().ReadsLists
	}
	var out []string
	for _, s := range cfg.Sources {
		if names[s.Name] || names[s.Upstream] || readsLists && s.Kind == project.KindList {
			out = append(out, s.Name)
		}
	}
	return out
}

func selectSources(cfg *project.Config, names []string) ([]project.Source, error) {
	if len(names) == 0 {
		return cfg.Sources, nil
	}
	var out []project.Source
	for _, n := range names {
		name := n
		if i := strings.IndexByte(n, '@'); i >= 0 {
			name = n[:i]
		}
		src := cfg.Source(name)
		if src == nil {
			var known []string
			for _, s := range cfg.Sources {
				known = append(known, s.Name)
			}
			return nil, fmt.Errorf("no source %q in %s (sources: %s): %w", n, cfg.File, strings.Join(known, ", "), ErrUnknownSource)
		}
		out = append(out, *src)
	}
	return out, nil
}

type syncer struct {
	cfg   *project.Config
	comps *project.Components
	db    *store.DB
	opts  Options
	repos map[string]*gitrepo.Repo // by mirror dir
	// forwards keeps what fastForward found: a sync of an upstream asks
	// it for its release tags and again for each downstream's base.
	forwards map[string]forward
	report   *Report
	// urlTaken names the sources whose url this sync has taken up (see
	// urlChanges).
	urlTaken map[string]bool
}

// newSyncer makes the syncer of one run, every field set: what it reads
// goes into report (its skips, its refs).
func newSyncer(cfg *project.Config, comps *project.Components, db *store.DB, opts Options, report *Report) *syncer {
	return &syncer{cfg: cfg, comps: comps, db: db, opts: opts, repos: map[string]*gitrepo.Repo{}, report: report,
		urlTaken: map[string]bool{}}
}

// maxSkipNotes is how many skips a sync notes one by one; `kdelta skips`
// lists them all.
const maxSkipNotes = 20

// skip records what a source could not be read for: kept in the store and,
// when something is missing from what was read (kinds damaged and
// unreadable), listed in the report and noted.
func (s *syncer) skip(ctx context.Context, sk store.Skip) error {
	sk.At = s.opts.Now()
	sk.Reason = strings.Join(strings.Fields(sk.Reason), " ") // one line
	if err := s.db.AddSkip(context.WithoutCancel(ctx), sk); err != nil {
		return err
	}
	if sk.Kind != store.SkipDamaged && sk.Kind != store.SkipUnreadable {
		return nil
	}
	s.report.Skips = append(s.report.Skips, sk)
	switch n := len(s.report.Skips); {
	case n <= maxSkipNotes:
		where := sk.Source
		if sk.Ref != "" {
			where += "@" + sk.Ref
		}
		s.opts.Progress.Note("%s: skipped: %s", where, sk.Reason)
	case n == maxSkipNotes+1:
		s.opts.Progress.Note("more skips: see 'kdelta skips'")
	}
	return nil
}

func (s *syncer) closeRepos() {
	for _, r := range s.repos {
		r.Close()
	}
}

func (s *syncer) url(src project.Source) string { return s.cfg.SourceURL(&src) }

func (s *syncer) mirrorDir(src project.Source) string { return s.cfg.MirrorPath(&src) }

func (s *syncer) sync(ctx context.Context, sources []project.Source) (*Report, error) {
	report := s.report
	// A source read from another url than last time is read anew.
	if err := s.urlChanges(ctx, sources); err != nil {
		return report, err
	}
	for _, src := range sources {
		// What the source as a whole could not be read for is found again below.
		if _, err := s.db.ClearSkips(ctx, src.Name, "", store.SkipDamaged); err != nil {
			return report, err
		}
	}
	// Each format readies its sources before any is read: git mirrors
	// each repository once, then checks the configured bases.
	for _, f := range formats {
		var mine []project.Source
		for _, src := range sources {
			if g, ok := formatOf(src.Format); ok && g.Rules().Name == f.Rules().Name {
				mine = append(mine, src)
			}
		}
		if len(mine) == 0 {
			continue
		}
		if err := f.Prepare(ctx, s, mine); err != nil {
			return report, err
		}
	}
	// Upstreams first, so a downstream's base can be found in them.
	// A format that reads the lists (Patchwork) last: it looks up what the
	// mailing-list archives posted.
	order := func(src project.Source) int {
		switch {
		case src.Kind == project.KindUpstream:
			return 0
		case src.Rules().ReadsLists:
			return 2
		}
		return 1
	}
	sort.SliceStable(sources, func(i, j int) bool { return order(sources[i]) < order(sources[j]) })
	synced := map[string]bool{}
	for _, src := range sources {
		f, ok := formatOf(src.Format)
		if !ok {
			return report, fmt.Errorf("source %s: format %s is not read by sync", src.Name, src.Format)
		}
		refs, err := f.Sync(ctx, s, src)
		report.Refs = append(report.Refs, refs...)
		if err != nil {
			return report, err
		}
		synced[src.Name] = true
	}
	// A downstream not synced now still measures against its upstream's new
	// state: refresh what upstream did since its base.
	for _, d := range s.cfg.Sources {
		if synced[d.Name] || !synced[d.Upstream] {
			continue
		}
		err := s.refresh(ctx, d)
		var de *gitrepo.DamagedError
		if errors.As(err, &de) {
			err = s.skip(ctx, store.Skip{Source: d.Name, Kind: store.SkipDamaged, Object: de.Object,
				Reason: "base not recomputed: " + err.Error()})
		}
		if err != nil {
			return report, err
		}
	}
	// What people entered by hand about a source that moved follows it.
	for _, src := range sources {
		if err := s.carryManual(ctx, src); err != nil {
			return report, err
		}
	}
	return report, nil
}

// putSource records a source as the project file names it.
// Its url is recorded only once this sync has taken it up (urlChanges): a
// source whose url changed is read anew by the sync that syncs it, not
// recorded as moved by one that only reads its bases.
func (s *syncer) putSource(ctx context.Context, src project.Source) (int64, error) {
	url := src.URL
	if !s.urlTaken[src.Name] {
		old, ok, err := s.db.SourceByName(ctx, src.Name)
		if err != nil {
			return 0, err
		}
		if ok {
			url = old.URL
		}
	}
	return s.db.PutSource(ctx, store.Source{Name: src.Name, Kind: src.Kind, URL: url, Layout: src.Layout,
		Upstream: src.Upstream, Base: src.Base, Format: src.Format})
}

func (s *syncer) repo(src project.Source) (*gitrepo.Repo, error) {
	dir := s.mirrorDir(src)
	if r := s.repos[dir]; r != nil {
		return r, nil
	}
	r, err := gitrepo.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", src.Name, err)
	}
	s.repos[dir] = r
	return r, nil
}

// reclassify recomputes stored components when the component map changed
// since they were computed; no diff is read again.
func (s *syncer) reclassify(ctx context.Context, layout string) error {
	old, err := s.db.ComponentMapHash(ctx, layout)
	if err != nil {
		return err
	}
	h := s.comps.Hash()
	if old == h {
		return nil
	}
	if old == "" {
		return s.db.SetComponentMapHash(ctx, layout, h)
	}
	n, err := s.db.Reclassify(ctx, layout, h, func(paths []string, subject string) []string {
		return s.comps.Classify(layout, paths, subject)
	})
	if err != nil {
		return err
	}
	if n > 0 {
		s.opts.Progress.Note("%s: the component map changed; reclassified %d commits", layout, n)
	}
	return nil
}

// text returns s as valid UTF-8: unchanged when it is; else each byte
// that is not part of a valid UTF-8 sequence is read as Latin-1 (what a
// non-UTF-8 kernel commit almost always is), with a note.
func text(s string) (string, string) {
	if utf8.ValidString(s) {
		return s, ""
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteRune(rune(s[i]))
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String(), "latin-1"
}
