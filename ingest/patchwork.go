package ingest

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"

	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/sources/patchwork"
	"github.com/kdelta/kdelta/store"
)

// patchworkFormat reads a Patchwork server's REST API: the state of each
// patch the mailing-list sources posted.
type patchworkFormat struct{ readOnce }

func (patchworkFormat) Rules() project.FormatRules { return builtin(project.FormatPatchwork) }

func (patchworkFormat) Sync(ctx context.Context, s *syncer, src project.Source) ([]RefReport, error) {
	ref, rep, err := s.oneRef(ctx, src)
	if err != nil {
		return nil, err
	}
	err = s.syncPatchwork(ctx, src, ref, &rep)
	return []RefReport{rep}, err
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
