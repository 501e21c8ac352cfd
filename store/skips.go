package store

import (
	"context"
	"fmt"
	"time"
)

// Kinds of skip (see migration 009).
const (
	// SkipDamaged: an object the source should hold could not be read (a
	// damaged clone, a truncated archive). The ref is read again by every
	// sync until it reads whole, and the skip is cleared then.
	SkipDamaged = "damaged"
	// SkipUnreadable: a message or patch that cannot be decoded.
	SkipUnreadable = "unreadable"
	// SkipLimit: a diff over the size limits, stored without it.
	SkipLimit = "limit"
	// SkipNote: stored, with a remark (a message that was not UTF-8).
	SkipNote = "note"
	// SkipStale: a manual match, annotation or ignore that no longer
	// applies since its source's url changed.
	SkipStale = "stale"
)

// Skip is a recorded, visible note of something a sync could not do.
type Skip struct {
	Source string
	Ref    string // the ref it happened on; "" for the whole source
	Kind   string // SkipDamaged, SkipUnreadable, ...; "" is SkipNote
	Commit string // the id of the commit, patch or posting it concerns; "" when none
	Object string // what could not be read, as one looks it up: an object id, a message-id, a file
	Reason string
	At     time.Time
}

// AddSkip records a skip; the same skip recorded again is kept once, with
// the later time.
func (db *DB) AddSkip(ctx context.Context, s Skip) error {
	if s.Kind == "" {
		s.Kind = SkipNote
	}
	_, err := db.db.ExecContext(ctx, `INSERT INTO skips (source, ref, kind, oid, object, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(source, oid, reason) DO UPDATE SET ref = excluded.ref, kind = excluded.kind, object = excluded.object, at = excluded.at`,
		s.Source, s.Ref, s.Kind, s.Commit, s.Object, s.Reason, db.now().Unix())
	if err != nil {
		return fmt.Errorf("add skip: %w", translate(err))
	}
	return nil
}

// ClearSkips removes the skips of one kind recorded on a source's ref (ref
// "" names those of the whole source), before that ref is read again, and
// says how many there were.
func (db *DB) ClearSkips(ctx context.Context, source, ref, kind string) (int, error) {
	res, err := db.db.ExecContext(ctx, `DELETE FROM skips WHERE source = ? AND ref = ? AND kind = ?`, source, ref, kind)
	if err != nil {
		return 0, fmt.Errorf("clear skips of %s: %w", source, translate(err))
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// Skips lists recorded skips, oldest first.
func (db *DB) Skips(ctx context.Context) ([]Skip, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT source, ref, kind, oid, object, reason, at FROM skips ORDER BY id`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []Skip
	for rows.Next() {
		var s Skip
		var at int64
		if err := rows.Scan(&s.Source, &s.Ref, &s.Kind, &s.Commit, &s.Object, &s.Reason, &at); err != nil {
			return nil, translate(err)
		}
		s.At = time.Unix(at, 0)
		out = append(out, s)
	}
	return out, translate(rows.Err())
}
