package ingest

import (
	"context"
	"fmt"

	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
)

// A format reads the sources of one format into the store. Each format is
// one implementation, in a file named for it (git.go, series.go, ofed.go,
// snapshot.go, mbox.go, patchwork.go), listed once in formats; sync asks
// it for everything that differs between formats, and project's
// validation asks its rules (project.FormatRules: keys, url, kinds, refs,
// its own checks, its unit of work).
//
// To add a format, write one file that implements format and, in an init
// func, calls register with it (which tells project its rules), plus its
// tests; nothing else changes. format_test.go does this with a format of
// its own. The methods get the syncer, so a format lives in this package.
type format interface {
	// Rules are the format's name, unit of work and config rules.
	Rules() project.FormatRules
	// Prepare readies the sources of this format a sync reads, all at
	// once, before any source is read (git mirrors its repositories).
	Prepare(ctx context.Context, s *syncer, srcs []project.Source) error
	// Sync reads one source into the store and says what it did, ref by ref.
	Sync(ctx context.Context, s *syncer, src project.Source) ([]RefReport, error)
	// Refresh recomputes what a downstream this sync does not read
	// measures against its upstream, which this sync read (its bases).
	Refresh(ctx context.Context, s *syncer, src project.Source) error
}

// formats is the registry: the formats sync reads, in the order the
// project file's formats are listed. Only register changes it, at init.
var formats = []format{gitFormat{}, seriesFormat{}, ofedFormat{}, snapshotFormat{}, mboxFormat{}, patchworkFormat{}}

// register adds a format defined in its own file, and makes its rules
// known to project's validation. Call it only from an init func.
func register(f format) {
	project.RegisterFormat(f.Rules())
	formats = append(formats, f)
}

// formatOf returns the format named; "" is git.
func formatOf(name string) (format, bool) {
	if name == "" {
		name = project.FormatGit
	}
	for _, f := range formats {
		if f.Rules().Name == name {
			return f, true
		}
	}
	return nil, false
}

// builtin returns the rules project holds of one of the formats every
// binary knows (project.FormatOf).
func builtin(name string) project.FormatRules {
	r, ok := project.FormatOf(name)
	if !ok {
		panic(fmt.Sprintf("ingest: project knows no format %q", name))
	}
	return r
}

// readOnce is the part of a format whose sources need nothing before they
// are read and nothing after their upstream moved.
type readOnce struct{}

func (readOnce) Prepare(context.Context, *syncer, []project.Source) error { return nil }

func (readOnce) Refresh(context.Context, *syncer, project.Source) error { return nil }

// refresh recomputes the bases of a downstream not read by this sync,
// whose upstream was.
func (s *syncer) refresh(ctx context.Context, src project.Source) error {
	f, ok := formatOf(src.Format)
	if !ok {
		return nil
	}
	return f.Refresh(ctx, s, src)
}

// oneRef is where a source with one ref (any that is not a history read
// by ref) starts its sync: the source recorded, its components current,
// its ref, what could not be read of it cleared to be tried again, and
// the report of its ref with the format's unit.
func (s *syncer) oneRef(ctx context.Context, src project.Source) (store.Ref, RefReport, error) {
	srcID, err := s.putSource(ctx, src)
	if err != nil {
		return store.Ref{}, RefReport{}, err
	}
	if err := s.reclassify(ctx, src.Layout); err != nil {
		return store.Ref{}, RefReport{}, err
	}
	ref, err := s.db.EnsureRef(ctx, srcID, src.RefNames()[0])
	if err != nil {
		return store.Ref{}, RefReport{}, err
	}
	// What could not be read of it is tried again now.
	if _, err := s.db.ClearSkips(ctx, src.Name, ref.Name, store.SkipDamaged); err != nil {
		return store.Ref{}, RefReport{}, err
	}
	return ref, RefReport{Source: src.Name, Ref: ref.Name, Unit: src.Rules().Unit}, nil
}
