package ingest

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/sources/fingerprint"
	"github.com/kdelta/kdelta/sources/gitrepo"
	"github.com/kdelta/kdelta/sources/patchfile"
	"github.com/kdelta/kdelta/sources/trailers"
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
