package ingest

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/sources/gitrepo"
	"github.com/kdelta/kdelta/sources/patchfile"
	"github.com/kdelta/kdelta/sources/series"
	"github.com/kdelta/kdelta/store"
)

// seriesFormat reads a quilt series or a SUSE kernel-source tree
// (series.conf and patches.*/): every patch it names, fingerprinted like a
// commit, carried on top of the base it names or is configured with.
type seriesFormat struct{}

func (seriesFormat) Rules() project.FormatRules { return builtin(project.FormatSeries) }

func (seriesFormat) Prepare(context.Context, *syncer, []project.Source) error { return nil }

func (seriesFormat) Sync(ctx context.Context, s *syncer, src project.Source) ([]RefReport, error) {
	ref, rep, err := s.oneRef(ctx, src)
	if err != nil {
		return nil, err
	}
	err = s.syncSeries(ctx, src, ref, &rep)
	return []RefReport{rep}, err
}

func (seriesFormat) Refresh(ctx context.Context, s *syncer, src project.Source) error {
	return s.refreshSeries(ctx, src)
}

// syncSeries reads a quilt series, a SUSE kernel-source tree or an OFED
// backports tree: every patch it names, fingerprinted like a commit.
func (s *syncer) syncSeries(ctx context.Context, src project.Source, ref store.Ref, rep *RefReport) error {
	dir := s.url(src)
	label := src.Name + "@" + ref.Name
	ser, err := series.Open(dir)
	if err != nil {
		return badSource(fmt.Errorf("source %s: %w", src.Name, err))
	}
	want := project.FormatSeries
	if ser.Format == project.FormatOFED {
		want = project.FormatOFED
	}
	if src.Format != want {
		return badSource(fmt.Errorf("source %s: %s holds a %s tree; expected format = %q in %s", src.Name, dir, ser.Format, want, s.cfg.File))
	}
	// The tip names the whole series: each patch's path and contents.
	tipHash := sha1.New()
	datas := make([][]byte, len(ser.Entries))
	// Entries a guard leaves out of a normal build (SUSE "+needs_update")
	// are not carried.
	entries := ser.Entries[:0:0]
	for _, e := range ser.Entries {
		if e.Applies() {
			entries = append(entries, e)
		}
	}
	ser.Entries = entries
	for i, e := range ser.Entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(e.Path)))
		if err != nil {
			return badSource(fmt.Errorf("source %s: %s:%d: %w", src.Name, ser.File, e.Line, err))
		}
		datas[i] = data
		fmt.Fprintf(tipHash, "%s\x00%s\x00", e.Path, patchKey(data))
	}
	scopeHash := s.comps.Hash()
	tip := hex.EncodeToString(tipHash.Sum(nil))
	rep.Tip = tip
	base := src.Base
	if base == "" {
		base = ser.Base
	}
	if ref.Tip == tip && ref.ScopeHash == scopeHash {
		rep.Unchanged = true
		return s.patchBase(ctx, src, ref, base, rep)
	}
	scope := gitrepo.NewScope(s.comps.Prefixes(src.Layout))
	s.opts.Progress.Stage(label+": reading patches", len(ser.Entries))
	var fps []*change.Fingerprint
	type place struct {
		path string
		seq  int
		id   string
	}
	var places []place
	seen := map[string]bool{}
	for i, e := range ser.Entries {
		s.opts.Progress.Advance(1)
		rep.Walked++
		name := filepath.Join(dir, filepath.FromSlash(e.Path))
		p, err := patchfile.Parse(name, datas[i])
		if err != nil {
			return badSource(fmt.Errorf("source %s: %w", src.Name, err))
		}
		id := patchKey(datas[i])
		fp, err := s.patchFingerprint(id, p, scope, src.Layout)
		if err != nil {
			return badSource(fmt.Errorf("source %s: %w", src.Name, err))
		}
		if fp == nil {
			rep.OutOfScope++
			continue
		}
		places = append(places, place{e.Path, i, id})
		if !seen[id] {
			seen[id] = true
			fps = append(fps, fp)
		}
	}
	ids, err := s.db.PutFingerprints(ctx, src.Layout, fps)
	if err != nil {
		return err
	}
	rep.Fingerprinted = len(fps)
	u := store.RefUpdate{RefID: ref.ID, Tip: tip, ScopeHash: scopeHash, Reset: true, Patches: []store.PatchFile{}}
	for _, pl := range places {
		u.Add = append(u.Add, ids[pl.id])
		u.Patches = append(u.Patches, store.PatchFile{Path: pl.path, Seq: pl.seq, CommitID: ids[pl.id]})
	}
	if err := s.db.UpdateRef(ctx, u); err != nil {
		return err
	}
	ref.Tip = tip
	return s.patchBase(ctx, src, ref, base, rep)
}

// patchBase records the base of a series: every patch is carried on top of
// it, and upstream's commits since it are what they are measured against.
func (s *syncer) patchBase(ctx context.Context, src project.Source, ref store.Ref, base string, rep *RefReport) error {
	if src.Upstream == "" {
		return nil
	}
	if base == "" {
		s.opts.Progress.Note("%s has no base: set base = \"<tag>\" for it in %s", src.Name, s.cfg.File)
		return nil
	}
	up, upRef, upRepo, err := s.upstreamOf(ctx, src)
	if err != nil || upRepo == nil {
		return err
	}
	at, err := upRepo.Resolve(base)
	if err != nil {
		return fmt.Errorf("source %s: base %q is not a tag or commit of %s: %w", src.Name, base, up.Name, gitrepo.ErrUnknownRef)
	}
	how := "configured base " + base
	if src.Base == "" {
		how = "LINUX_BASE_BRANCH " + base // the series named its own base
	}
	rep.Base = how + ": " + at.String()[:12]
	upTips, upAt, err := s.upstreamTips(ctx, *up)
	if err != nil || upTips == nil {
		return err
	}
	old, err := s.db.GetBase(ctx, ref.ID)
	if err == nil && old.Commit == at.String() && old.How == how && old.Tip == ref.Tip && old.UpstreamTip == upAt {
		return nil
	}
	mineSet, err := s.db.RefCommitIDs(ctx, ref.ID)
	if err != nil {
		return err
	}
	mine := make([]int64, 0, len(mineSet))
	for id := range mineSet {
		mine = append(mine, id)
	}
	sort.Slice(mine, func(i, j int) bool { return mine[i] < mine[j] })
	theirs, err := s.sinceBase(ctx, upRepo, upTips, at)
	if err != nil {
		return fmt.Errorf("source %s: %w", up.Name, err)
	}
	return s.db.PutBase(ctx, store.Base{RefID: ref.ID, UpstreamRefID: upRef.ID, Commit: at.String(), How: how,
		Tip: ref.Tip, UpstreamTip: upAt}, mine, theirs)
}

// refreshSeries recomputes the base of a series source after its upstream moved.
func (s *syncer) refreshSeries(ctx context.Context, src project.Source) error {
	srcID, err := s.putSource(ctx, src)
	if err != nil {
		return err
	}
	ref, err := s.db.EnsureRef(ctx, srcID, src.RefNames()[0])
	if err != nil || ref.Tip == "" {
		return err
	}
	base := src.Base
	if base == "" {
		ser, err := series.Open(s.url(src))
		if err != nil {
			return fmt.Errorf("source %s: %w", src.Name, err)
		}
		base = ser.Base
	}
	var rep RefReport
	return s.patchBase(ctx, src, ref, base, &rep)
}
