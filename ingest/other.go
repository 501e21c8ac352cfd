package ingest

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/sources/fingerprint"
	"github.com/kdelta/kdelta/sources/gitrepo"
	"github.com/kdelta/kdelta/sources/mbox"
	"github.com/kdelta/kdelta/sources/patchfile"
	"github.com/kdelta/kdelta/sources/patchwork"
	"github.com/kdelta/kdelta/sources/series"
	"github.com/kdelta/kdelta/sources/snapshot"
	"github.com/kdelta/kdelta/sources/trailers"
	"github.com/kdelta/kdelta/store"
)

// ErrBadSource marks an error in what a source holds: a malformed patch,
// series, archive or mailbox. Nothing of it is stored.
var ErrBadSource = errors.New("bad source")

type badSourceError struct{ err error }

func (b badSourceError) Error() string   { return b.err.Error() }
func (b badSourceError) Unwrap() []error { return []error{b.err, ErrBadSource} }

func badSource(err error) error { return badSourceError{err} }

// patchKey is the id kdelta gives a patch file: a hash of its contents, so
// a patch kept unchanged keeps its id across releases and sources.
func patchKey(data []byte) string {
	h := sha1.New()
	h.Write([]byte("kdelta patch\x00"))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// messageKey is the id kdelta gives a mailing-list posting: a hash of its
// message-id.
func messageKey(messageID string) string {
	h := sha1.New()
	h.Write([]byte("kdelta message\x00"))
	h.Write([]byte(messageID))
	return hex.EncodeToString(h.Sum(nil))
}

// syncOther syncs a source that is not a git repository.
func (s *syncer) syncOther(ctx context.Context, src project.Source) ([]RefReport, error) {
	srcID, err := s.putSource(ctx, src)
	if err != nil {
		return nil, err
	}
	if err := s.reclassify(ctx, src.Layout); err != nil {
		return nil, err
	}
	ref, err := s.db.EnsureRef(ctx, srcID, src.RefNames()[0])
	if err != nil {
		return nil, err
	}
	// What could not be read of it is tried again now.
	if _, err := s.db.ClearSkips(ctx, src.Name, ref.Name, store.SkipDamaged); err != nil {
		return nil, err
	}
	rep := RefReport{Source: src.Name, Ref: ref.Name}
	rep.Unit = map[string]string{project.FormatSeries: "patches", project.FormatOFED: "patches", project.FormatSnapshot: "files",
		project.FormatMbox: "messages", project.FormatPatchwork: "postings looked up"}[src.Format]
	switch src.Format {
	case project.FormatSeries, project.FormatOFED:
		err = s.syncSeries(ctx, src, ref, &rep)
	case project.FormatSnapshot:
		err = s.syncSnapshot(ctx, src, ref, &rep)
	case project.FormatMbox:
		err = s.syncMbox(ctx, src, ref, &rep)
	case project.FormatPatchwork:
		err = s.syncPatchwork(ctx, src, ref, &rep)
	default:
		err = fmt.Errorf("source %s: format %s is not read by sync", src.Name, src.Format)
	}
	return []RefReport{rep}, err
}

// patchFingerprint turns a parsed patch into a fingerprint. Only the files
// in scope count, as for a commit.
func (s *syncer) patchFingerprint(id string, p *patchfile.Patch, scope *gitrepo.Scope, layout string) (*change.Fingerprint, error) {
	msg, _ := text(p.Message)
	subject, body, tr := trailers.Parse(msg)
	if subject == "" {
		subject = p.Subject
	}
	name, _ := text(p.AuthorName)
	email, _ := text(p.AuthorEmail)
	fp := &change.Fingerprint{
		ID: id, AuthorName: name, AuthorEmail: email, AuthorTime: p.Date,
		CommitterName: name, CommitterEmail: email, CommitTime: p.Date,
		Subject: subject, Body: body, Trailers: tr,
	}
	patchID, files, err := fingerprint.Patch(p.Diff)
	var de *fingerprint.DiffError
	if errors.As(err, &de) {
		if p.DiffLine == 0 { // where the diff starts is not known (a public-inbox blob)
			return nil, fmt.Errorf("%s: line %d of the diff: %s", p.File, de.Line, de.Msg)
		}
		return nil, fmt.Errorf("%s:%d: %s", p.File, p.DiffLine+de.Line-1, de.Msg)
	}
	if err != nil {
		return nil, fmt.Errorf("%s:%d: %w", p.File, p.DiffLine, err)
	}
	in := files[:0:0]
	for _, f := range files {
		if scope.Covers(f.Path) || f.OldPath != "" && scope.Covers(f.OldPath) {
			in = append(in, f)
		}
	}
	if len(in) == 0 {
		return nil, nil
	}
	fp.Files = in
	fp.PatchID = patchID
	if len(in) != len(files) {
		fp.PatchID = fingerprint.SumFiles(in)
	}
	paths := make([]string, 0, len(in))
	for _, f := range in {
		paths = append(paths, f.Path)
		if f.OldPath != "" {
			paths = append(paths, f.OldPath)
		}
	}
	fp.Components = s.comps.Classify(layout, paths, subject)
	return fp, nil
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
// because it is no archive. The snapshot package tells them apart only by
// its messages.
func truncated(err error) bool {
	var se *snapshot.Error
	if !errors.As(err, &se) || !errors.Is(err, snapshot.ErrFormat) {
		return false
	}
	for _, p := range []string{"truncated", "corrupt ", "bad tar stream", "invalid tar header", "xz stream at byte"} {
		if strings.HasPrefix(se.Msg, p) {
			return true
		}
	}
	return false
}

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

// syncMbox reads a mailing-list archive: every posted patch is fingerprinted
// like a commit, and kept with its message-id, date and series version.
func (s *syncer) syncMbox(ctx context.Context, src project.Source, ref store.Ref, rep *RefReport) error {
	path := s.url(src)
	label := src.Name + "@" + ref.Name
	s.opts.Progress.Stage(label+": reading "+src.URL, 0)
	msgs, unread, err := mbox.Read(path)
	if err != nil {
		return badSource(fmt.Errorf("source %s: %w", src.Name, err))
	}
	// What a damaged archive lacks is found again by every sync, which
	// reads the whole archive.
	for _, sk := range unread {
		rep.Unread++
		if err := s.skip(ctx, store.Skip{Source: src.Name, Ref: ref.Name, Kind: store.SkipDamaged, Commit: sk.Commit,
			Object: sk.Object, Reason: sk.Reason}); err != nil {
			return err
		}
	}
	h := sha1.New()
	for _, m := range msgs {
		fmt.Fprintf(h, "%s\x00%s\x00%x\x00", m.MessageID, m.Subject, sha1.Sum(m.Diff))
	}
	scopeHash := s.comps.Hash()
	tip := hex.EncodeToString(h.Sum(nil))
	rep.Tip = tip
	if ref.Tip == tip && ref.ScopeHash == scopeHash {
		rep.Unchanged = true
		return nil
	}
	rep.Walked = len(msgs)
	scope := gitrepo.NewScope(s.comps.Prefixes(src.Layout))
	var fps []*change.Fingerprint
	var postings []store.Posting
	keyOf := map[string]string{}
	for _, ser := range mbox.Group(msgs) {
		add := func(m *mbox.Message, key string) {
			postings = append(postings, store.Posting{MessageID: m.MessageID, Date: m.Date.UTC(),
				Sender: strings.TrimSpace(m.FromName + " <" + m.FromEmail + ">"), Subject: m.Subject,
				Version: ser.Version, Index: m.Tags.Index, Total: m.Tags.Total, Series: ser.ID, Previous: ser.Previous})
			keyOf[m.MessageID] = key
		}
		if ser.Cover != nil {
			add(ser.Cover, "")
		}
		for _, m := range ser.Patches {
			if len(m.Diff) == 0 {
				continue
			}
			p := &patchfile.Patch{File: m.File, AuthorName: m.AuthorName, AuthorEmail: m.AuthorEmail, Date: m.Date,
				Subject: m.Tags.Title, Message: m.Tags.Title + "\n\n" + m.Body, Diff: m.Diff, DiffLine: m.DiffLine}
			key := messageKey(m.MessageID)
			fp, err := s.patchFingerprint(key, p, scope, src.Layout)
			if err != nil {
				// A posting whose diff cannot be read is kept visible, not fatal.
				rep.Unread++
				if err := s.skip(ctx, store.Skip{Source: src.Name, Ref: ref.Name, Kind: store.SkipUnreadable, Commit: key,
					Object: "<" + m.MessageID + ">", Reason: "posting <" + m.MessageID + ">: " + err.Error()}); err != nil {
					return err
				}
				continue
			}
			if fp == nil {
				rep.OutOfScope++
				continue
			}
			fps = append(fps, fp)
			add(m, key)
		}
	}
	ids, err := s.db.PutFingerprints(ctx, src.Layout, fps)
	if err != nil {
		return err
	}
	rep.Fingerprinted = len(fps)
	u := store.RefUpdate{RefID: ref.ID, Tip: tip, ScopeHash: scopeHash, Reset: true, Postings: []store.Posting{}}
	for i := range postings {
		if key := keyOf[postings[i].MessageID]; key != "" {
			postings[i].CommitID = ids[key]
			u.Add = append(u.Add, ids[key])
		}
		u.Postings = append(u.Postings, postings[i])
	}
	return s.db.UpdateRef(ctx, u)
}

// refreshOther recomputes the base of a series source after its upstream moved.
func (s *syncer) refreshOther(ctx context.Context, src project.Source) error {
	if src.Format != project.FormatSeries && src.Format != project.FormatOFED {
		return nil
	}
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

// syncPatchwork asks a Patchwork server for the state of every patch the
// list sources posted, by message-id, and keeps it with the posting.
func (s *syncer) syncPatchwork(ctx context.Context, src project.Source, ref store.Ref, rep *RefReport) error {
	c, err := patchwork.New(src.URL, src.Project, nil)
	if err != nil {
		return fmt.Errorf("source %s: %w", src.Name, err)
	}
	srcs, err := s.db.Sources(ctx)
	if err != nil {
		return err
	}
	h := sha1.New()
	for _, l := range srcs {
		if l.Kind != project.KindList || l.Format != project.FormatMbox {
			continue
		}
		posts, err := s.db.Postings(ctx, l.ID)
		if err != nil {
			return err
		}
		s.opts.Progress.Stage(fmt.Sprintf("%s: looking up %s's postings", src.Name, l.Name), len(posts))
		for _, p := range posts {
			s.opts.Progress.Advance(1)
			if p.CommitID == 0 {
				continue
			}
			found, err := c.ByMessageID(ctx, p.MessageID)
			if err != nil {
				return fmt.Errorf("source %s: %w", src.Name, err)
			}
			rep.Walked++
			if len(found) == 0 {
				continue
			}
			state := found[0].State.String()
			fmt.Fprintf(h, "%s\x00%s\x00", p.MessageID, state)
			if state != p.State {
				if err := s.db.SetPostingState(ctx, l.ID, p.MessageID, state); err != nil {
					return err
				}
				rep.Fingerprinted++
			}
		}
	}
	tip := hex.EncodeToString(h.Sum(nil))
	rep.Tip = tip
	return s.db.UpdateRef(ctx, store.RefUpdate{RefID: ref.ID, Tip: tip, ScopeHash: s.comps.Hash()})
}
