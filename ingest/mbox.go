package ingest

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/sources/gitrepo"
	"github.com/kdelta/kdelta/sources/mbox"
	"github.com/kdelta/kdelta/sources/patchfile"
	"github.com/kdelta/kdelta/store"
)

// mboxFormat reads a mailing-list archive (an mbox file, a public-inbox
// repository or a directory of messages): its postings, the "submitted"
// evidence of the patches they carry.
type mboxFormat struct{ readOnce }

func (mboxFormat) Rules() project.FormatRules { return builtin(project.FormatMbox) }

func (mboxFormat) Sync(ctx context.Context, s *syncer, src project.Source) ([]RefReport, error) {
	ref, rep, err := s.oneRef(ctx, src)
	if err != nil {
		return nil, err
	}
	err = s.syncMbox(ctx, src, ref, &rep)
	return []RefReport{rep}, err
}

// messageKey is the id kdelta gives a mailing-list posting: a hash of its
// message-id.
func messageKey(messageID string) string {
	h := sha1.New()
	h.Write([]byte("kdelta message\x00"))
	h.Write([]byte(messageID))
	return hex.EncodeToString(h.Sum(nil))
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
