package ingest

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/sources/gitrepo"
	"github.com/kdelta/kdelta/sources/snapshot"
	"github.com/kdelta/kdelta/store"
)

// snapshotFormat reads a release drop without history (a directory or a
// tar archive): its files, compared file by file with its upstream's tree
// at its base, or with an earlier drop.
type snapshotFormat struct{ readOnce }

func (snapshotFormat) Rules() project.FormatRules { return builtin(project.FormatSnapshot) }

func (snapshotFormat) Sync(ctx context.Context, s *syncer, src project.Source) ([]RefReport, error) {
	ref, rep, err := s.oneRef(ctx, src)
	if err != nil {
		return nil, err
	}
	err = s.syncSnapshot(ctx, src, ref, &rep)
	return []RefReport{rep}, err
}

// syncSnapshot lists the files of a release drop.
func (s *syncer) syncSnapshot(ctx context.Context, src project.Source, ref store.Ref, rep *RefReport) error {
	path := s.url(src)
	s.opts.Progress.Stage(src.Name+": reading "+src.URL, 0)
	snap, err := snapshot.Read(ctx, path, snapshot.Limits{})
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		if truncated(err) {
			// A drop cut short or corrupted: the ref keeps what it held.
			rep.Unread++
			return s.skip(ctx, store.Skip{Source: src.Name, Ref: ref.Name, Kind: store.SkipDamaged, Object: src.URL,
				Reason: "snapshot not read: " + err.Error()})
		}
		return badSource(fmt.Errorf("source %s: %w", src.Name, err))
	}
	h := sha1.New()
	files := make([]store.SnapshotFile, 0, len(snap.Files))
	for _, f := range snap.Files {
		fmt.Fprintf(h, "%s\x00%s\x00%o\x00", f.Path, f.Blob, f.Mode)
		files = append(files, store.SnapshotFile{Path: f.Path, Blob: f.Blob, Size: f.Size, Mode: f.Mode})
	}
	tip := hex.EncodeToString(h.Sum(nil))
	rep.Tip = tip
	if ref.Tip == tip {
		rep.Unchanged = true
	} else {
		rep.Walked = len(files)
		if err := s.db.UpdateRef(ctx, store.RefUpdate{RefID: ref.ID, Tip: tip, ScopeHash: s.comps.Hash(), Reset: true, Files: files}); err != nil {
			return err
		}
	}
	return s.upstreamTree(ctx, src, rep)
}

// truncated reports whether a snapshot could not be read because its
// archive is damaged (a tar, gzip or xz stream cut short or corrupt), not
// because it is no archive.
func truncated(err error) bool { return errors.Is(err, snapshot.ErrDamaged) }

// upstreamTree keeps the files of a git upstream's tree at the snapshot's
// base (or the upstream's first ref), in the snapshot's layout's scope, so
// the snapshot can be compared with it file by file.
func (s *syncer) upstreamTree(ctx context.Context, src project.Source, rep *RefReport) error {
	up := s.cfg.Source(src.Upstream)
	if up == nil || !up.IsGit() {
		return nil
	}
	upRepo, err := s.repo(*up)
	if err != nil {
		s.opts.Progress.Note("%s: compared once %s is synced", src.Name, up.Name)
		return nil
	}
	rev := src.Base
	if rev == "" {
		rev = up.Refs[0]
	}
	at, err := upRepo.Resolve(rev)
	if err != nil {
		return fmt.Errorf("source %s: base %q is not a tag or commit of %s: %w", src.Name, rev, up.Name, gitrepo.ErrUnknownRef)
	}
	upID, err := s.putSource(ctx, *up)
	if err != nil {
		return err
	}
	ref, err := s.db.EnsureRef(ctx, upID, project.TreeRef(rev))
	if err != nil {
		return err
	}
	scopeHash := s.comps.Hash() + "\x00" + src.Layout
	if ref.Tip == at.String() && ref.ScopeHash == scopeHash {
		return nil
	}
	tf, err := upRepo.Files(at, gitrepo.NewScope(s.comps.Prefixes(src.Layout)))
	if err != nil {
		return fmt.Errorf("source %s: %w", up.Name, err)
	}
	files := make([]store.SnapshotFile, len(tf))
	for i, f := range tf {
		files[i] = store.SnapshotFile{Path: f.Path, Blob: f.Blob, Mode: f.Mode}
	}
	rep.Base = fmt.Sprintf("files of %s %s", up.Name, rev)
	return s.db.UpdateRef(ctx, store.RefUpdate{RefID: ref.ID, Tip: at.String(), ScopeHash: scopeHash, Reset: true, Files: files})
}
