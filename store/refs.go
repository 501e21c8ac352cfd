package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"
)

// RefUpdate is the result of walking one ref: written at once, so a ref's
// tip and its membership never disagree.
type RefUpdate struct {
	RefID     int64
	Tip       string
	ScopeHash string
	Reset     bool    // the membership is replaced rather than amended
	Add       []int64 // commit ids now contained
	Remove    []int64 // commit ids no longer contained
	// For sources that are not git repositories, written with the ref:
	// a non-nil list replaces what the ref had.
	Patches  []PatchFile    // series and OFED sources: where each patch sits
	Files    []SnapshotFile // snapshot sources: the files
	Postings []Posting      // list sources: the messages that post patches
}

// UpdateRef records a completed walk of a ref.
func (db *DB) UpdateRef(ctx context.Context, u RefUpdate) error {
	err := db.inTx(ctx, func(tx *conn) error {
		if u.Reset {
			if _, err := tx.ExecContext(ctx, `DELETE FROM ref_commits WHERE ref_id = ?`, u.RefID); err != nil {
				return err
			}
		}
		for i := 0; i < len(u.Remove); i += 500 {
			part := u.Remove[i:min(i+500, len(u.Remove))]
			args := []any{u.RefID}
			for _, id := range part {
				args = append(args, id)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM ref_commits WHERE ref_id = ? AND commit_id IN (`+placeholders(len(part))+`)`, args...); err != nil {
				return err
			}
		}
		add := make([][]any, len(u.Add))
		for i, id := range u.Add {
			add[i] = []any{u.RefID, id}
		}
		if err := tx.insertRows(ctx, `INSERT INTO ref_commits (ref_id, commit_id)`, `ON CONFLICT DO NOTHING`, add, nil); err != nil {
			return err
		}
		if err := putPatches(ctx, tx, u.RefID, u.Patches); err != nil {
			return err
		}
		if err := putSnapshotFiles(ctx, tx, u.RefID, u.Files); err != nil {
			return err
		}
		if err := putPostings(ctx, tx, u.RefID, u.Postings); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE refs SET tip = ?, scope_hash = ?, synced_at = ? WHERE id = ?`,
			u.Tip, u.ScopeHash, db.now().Unix(), u.RefID)
		return err
	})
	if err != nil {
		return fmt.Errorf("update ref: %w", err)
	}
	return nil
}

// Tag is a tag of a source and the commit it names.
type Tag struct {
	Name   string
	Commit string
}

// PutTags replaces the tags of a source and the first-release map of its
// commits (commit store id -> tag name), in one transaction.
func (db *DB) PutTags(ctx context.Context, sourceID int64, tags []Tag, releases map[int64]string) error {
	err := db.inTx(ctx, func(tx *conn) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM tags WHERE source_id = ?`, sourceID); err != nil {
			return err
		}
		rows := make([][]any, len(tags))
		for i, t := range tags {
			rows[i] = []any{sourceID, t.Name, t.Commit}
		}
		if err := tx.insertRows(ctx, `INSERT INTO tags (source_id, name, commit_oid)`, ``, rows, nil); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM releases WHERE source_id = ?`, sourceID); err != nil {
			return err
		}
		ids := make([]int64, 0, len(releases))
		for id := range releases {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		rows = make([][]any, len(ids))
		for i, id := range ids {
			rows[i] = []any{sourceID, id, releases[id]}
		}
		return tx.insertRows(ctx, `INSERT INTO releases (source_id, commit_id, tag)`, ``, rows, nil)
	})
	if err != nil {
		return fmt.Errorf("put tags: %w", err)
	}
	return nil
}

// Tags lists the stored tags of a source.
func (db *DB) Tags(ctx context.Context, sourceID int64) ([]Tag, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT name, commit_oid FROM tags WHERE source_id = ? ORDER BY name`, sourceID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []Tag
	for rows.Next() {
		var t Tag
		if err := rows.Scan(&t.Name, &t.Commit); err != nil {
			return nil, translate(err)
		}
		out = append(out, t)
	}
	return out, translate(rows.Err())
}

// Release returns the first release tag of a source that contains a commit.
func (db *DB) Release(ctx context.Context, sourceID int64, oid string) (string, error) {
	var tag string
	err := db.db.QueryRowContext(ctx, `SELECT r.tag FROM releases r JOIN commits c ON c.id = r.commit_id
		WHERE r.source_id = ? AND c.oid = ?`, sourceID, oid).Scan(&tag)
	if err != nil {
		return "", fmt.Errorf("release of %s: %w", oid, translate(err))
	}
	return tag, nil
}

// Base is where a downstream ref starts from on its upstream.
type Base struct {
	RefID         int64
	UpstreamRefID int64
	Commit        string
	How           string // "merge-base", or "tag v5.14"
	Tip           string // the downstream tip the sides since the base were computed at
	UpstreamTip   string // the upstream tip they were computed at
}

// PutBase records the base of a downstream ref with the in-scope commits
// since the base on each side (store ids), replacing what was there, in
// one transaction.
func (db *DB) PutBase(ctx context.Context, b Base, downstream, upstream []int64) error {
	err := db.inTx(ctx, func(tx *conn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO bases (ref_id, upstream_ref_id, oid, how, tip, upstream_tip) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT(ref_id) DO UPDATE SET upstream_ref_id = excluded.upstream_ref_id, oid = excluded.oid, how = excluded.how,
			tip = excluded.tip, upstream_tip = excluded.upstream_tip`,
			b.RefID, b.UpstreamRefID, b.Commit, b.How, b.Tip, b.UpstreamTip)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM since_base WHERE ref_id = ?`, b.RefID); err != nil {
			return err
		}
		var rows [][]any
		for _, side := range []struct {
			name string
			ids  []int64
		}{{"downstream", downstream}, {"upstream", upstream}} {
			for _, id := range side.ids {
				rows = append(rows, []any{b.RefID, side.name, id})
			}
		}
		return tx.insertRows(ctx, `INSERT INTO since_base (ref_id, side, commit_id)`, `ON CONFLICT DO NOTHING`, rows, nil)
	})
	if err != nil {
		return fmt.Errorf("put base: %w", err)
	}
	return nil
}

// GetBase reads the base of a downstream ref.
func (db *DB) GetBase(ctx context.Context, refID int64) (Base, error) {
	b := Base{RefID: refID}
	err := db.db.QueryRowContext(ctx, `SELECT upstream_ref_id, oid, how, tip, upstream_tip FROM bases WHERE ref_id = ?`, refID).
		Scan(&b.UpstreamRefID, &b.Commit, &b.How, &b.Tip, &b.UpstreamTip)
	if err != nil {
		return Base{}, fmt.Errorf("base: %w", translate(err))
	}
	return b, nil
}

// SinceBase returns the store ids of the in-scope commits after a
// downstream ref's base on one side: "downstream" or "upstream".
func (db *DB) SinceBase(ctx context.Context, refID int64, side string) ([]int64, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT commit_id FROM since_base WHERE ref_id = ? AND side = ? ORDER BY commit_id`, refID, side)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, translate(err)
		}
		out = append(out, id)
	}
	return out, translate(rows.Err())
}

// BeginSync records the start of a sync run, held by lock (OpenHeld),
// and returns its id. The runs recorded as running that no live process
// holds any more (killed: kill -9, a power cut) are recorded as
// interrupted first: on a SQLite store, every one, since lock holds the
// whole store; on PostgreSQL, where syncs of other sources run beside
// this one, those whose run's session is gone (each live run holds an
// advisory lock on its id, taken with its record, for as long as lock).
func (db *DB) BeginSync(ctx context.Context, lock *Lock) (int64, error) {
	var id int64
	var err error
	switch {
	case lock != nil && lock.c != nil:
		id, err = db.beginHeldSync(ctx, lock.c)
	default:
		err = db.inTx(ctx, func(tx *conn) error {
			if lock != nil && lock.f != nil {
				if _, err := tx.ExecContext(ctx, `UPDATE syncs SET status = 'interrupted', finished = ?, note = ? WHERE status = 'running'`,
					db.now().Unix(), killedNote); err != nil {
					return err
				}
			}
			return tx.QueryRowContext(ctx, `INSERT INTO syncs (started, status) VALUES (?, 'running') RETURNING id`, db.now().Unix()).Scan(&id)
		})
	}
	if err != nil {
		return 0, fmt.Errorf("begin sync: %w", translate(err))
	}
	return id, nil
}

// killedNote is the note of a run recorded as running that no live
// process holds.
const killedNote = "the run ended without recording how (killed?)"

// syncLockClass is the class of the PostgreSQL advisory locks a live sync
// holds on its id ("ksyn").
const syncLockClass = 0x6b73796e

// beginHeldSync records a sync on PostgreSQL in the session of its lock,
// which holds an advisory lock on the new record's id from before the
// record is visible to others; the records no live session holds are
// recorded as interrupted.
func (db *DB) beginHeldSync(ctx context.Context, sc *sql.Conn) (int64, error) {
	c := &conn{r: sc, d: db.d}
	var running []int64
	rows, err := c.QueryContext(ctx, `SELECT id FROM syncs WHERE status = 'running'`)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		running = append(running, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, id := range running {
		var free bool
		if err := c.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(?, ?)`, int32(syncLockClass), int32(id)).Scan(&free); err != nil {
			return 0, err
		}
		if !free {
			continue // its run is alive
		}
		_, err := c.ExecContext(ctx, `UPDATE syncs SET status = 'interrupted', finished = ?, note = ? WHERE id = ? AND status = 'running'`,
			db.now().Unix(), killedNote, id)
		c.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(?, ?)`, int32(syncLockClass), int32(id))
		if err != nil {
			return 0, err
		}
	}
	tx, err := sc.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	t := &conn{r: tx, d: db.d}
	var id int64
	if err := t.QueryRowContext(ctx, `INSERT INTO syncs (started, status) VALUES (?, 'running') RETURNING id`, db.now().Unix()).Scan(&id); err != nil {
		return 0, err
	}
	if _, err := t.ExecContext(ctx, `SELECT pg_advisory_lock(?, ?)`, int32(syncLockClass), int32(id)); err != nil {
		return 0, err
	}
	return id, tx.Commit()
}

// EndSync records how a sync run ended.
func (db *DB) EndSync(ctx context.Context, id int64, status string, newCommits int, note string) error {
	// The run may end because ctx was cancelled; its ending must still be written.
	_, err := db.db.ExecContext(context.WithoutCancel(ctx), `UPDATE syncs SET finished = ?, status = ?, new = ?, note = ? WHERE id = ?`,
		db.now().Unix(), status, newCommits, note, id)
	if err != nil {
		return fmt.Errorf("end sync: %w", translate(err))
	}
	return nil
}

// RefCommitIDs returns the store ids of the commits a ref contains.
func (db *DB) RefCommitIDs(ctx context.Context, refID int64) (map[int64]bool, error) {
	return db.idSet(ctx, `SELECT commit_id FROM ref_commits WHERE ref_id = ?`, refID)
}

// FindRef returns a synced source and one of its refs by name; ref ""
// means the source's first ref. The error lists what there is.
func (db *DB) FindRef(ctx context.Context, source, ref string) (Source, Ref, error) {
	srcs, err := db.Sources(ctx)
	if err != nil {
		return Source{}, Ref{}, err
	}
	var names []string
	for _, s := range srcs {
		names = append(names, s.Name)
		if s.Name != source {
			continue
		}
		rows, err := db.db.QueryContext(ctx, `SELECT id, name, tip, scope_hash, synced_at FROM refs WHERE source_id = ? ORDER BY id`, s.ID)
		if err != nil {
			return Source{}, Ref{}, translate(err)
		}
		defer rows.Close()
		var refNames []string
		for rows.Next() {
			r := Ref{SourceID: s.ID}
			var synced int64
			if err := rows.Scan(&r.ID, &r.Name, &r.Tip, &r.ScopeHash, &synced); err != nil {
				return Source{}, Ref{}, translate(err)
			}
			if synced > 0 {
				r.SyncedAt = time.Unix(synced, 0)
			}
			if (ref == "" || r.Name == ref) && r.Tip != "" {
				return s, r, nil
			}
			refNames = append(refNames, r.Name)
		}
		return Source{}, Ref{}, fmt.Errorf("source %s has no synced ref %q (refs: %s): %w", source, ref, strings.Join(refNames, ", "), ErrNotFound)
	}
	return Source{}, Ref{}, fmt.Errorf("no source %q in the store (synced: %s): %w", source, strings.Join(names, ", "), ErrNotFound)
}

// Releases returns the first release tag of each of the given commits that
// has one, by oid.
func (db *DB) Releases(ctx context.Context, sourceID int64, oids []string) (map[string]string, error) {
	out := map[string]string{}
	for len(oids) > 0 {
		n := min(len(oids), 500)
		chunk := oids[:n]
		oids = oids[n:]
		args := []any{sourceID}
		for _, o := range chunk {
			args = append(args, o)
		}
		// CROSS JOIN keeps commits (found by oid) as the outer loop, so
		// releases is read by its key rather than scanned per source.
		rows, err := db.db.QueryContext(ctx, `SELECT c.oid, r.tag FROM commits c CROSS JOIN releases r
			ON r.source_id = ? AND r.commit_id = c.id WHERE c.oid IN (`+placeholders(n)+`)`, args...)
		if err != nil {
			return nil, translate(err)
		}
		for rows.Next() {
			var oid, tag string
			if err := rows.Scan(&oid, &tag); err != nil {
				rows.Close()
				return nil, translate(err)
			}
			out[oid] = tag
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, translate(err)
		}
	}
	return out, nil
}

// ReleaseState is what the first releases of a source were last computed
// from (see migrations 010 and 012).
type ReleaseState struct {
	Seen     string // digest of the source's tags and its refs' tips
	Releases string // digest of the release tags the refs reached
	Reached  string // the refs' tips and the release tags they reached, one per line
}

// ReleaseState returns what the first releases of a source were last
// computed from; the zero state when never.
func (db *DB) ReleaseState(ctx context.Context, sourceID int64) (ReleaseState, error) {
	var st ReleaseState
	err := db.db.QueryRowContext(ctx, `SELECT seen, releases, reached FROM release_state WHERE source_id = ?`, sourceID).Scan(&st.Seen, &st.Releases, &st.Reached)
	if err == sql.ErrNoRows {
		return ReleaseState{}, nil
	}
	if err != nil {
		return ReleaseState{}, fmt.Errorf("release state: %w", translate(err))
	}
	return st, nil
}

// SetReleaseState records what the first releases of a source were
// computed from.
func (db *DB) SetReleaseState(ctx context.Context, sourceID int64, st ReleaseState) error {
	_, err := db.db.ExecContext(ctx, `INSERT INTO release_state (source_id, seen, releases, reached) VALUES (?, ?, ?, ?)
		ON CONFLICT(source_id) DO UPDATE SET seen = excluded.seen, releases = excluded.releases, reached = excluded.reached`,
		sourceID, st.Seen, st.Releases, st.Reached)
	if err != nil {
		return fmt.Errorf("release state: %w", translate(err))
	}
	return nil
}

// FirstReleases returns the stored first-release map of a source (commit
// store id -> tag name).
func (db *DB) FirstReleases(ctx context.Context, sourceID int64) (map[int64]string, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT commit_id, tag FROM releases WHERE source_id = ?`, sourceID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var tag string
		if err := rows.Scan(&id, &tag); err != nil {
			return nil, translate(err)
		}
		out[id] = tag
	}
	return out, translate(rows.Err())
}
