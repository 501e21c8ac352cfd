package store

import (
	"context"
	"database/sql"
	"fmt"
)

// SourceByName returns the recorded source of that name; ok is false when
// the store has none.
func (db *DB) SourceByName(ctx context.Context, name string) (s Source, ok bool, err error) {
	err = db.db.QueryRowContext(ctx, `SELECT id, name, kind, url, layout, upstream, base, format FROM sources WHERE name = ?`, name).
		Scan(&s.ID, &s.Name, &s.Kind, &s.URL, &s.Layout, &s.Upstream, &s.Base, &s.Format)
	if err == sql.ErrNoRows {
		return Source{}, false, nil
	}
	if err != nil {
		return Source{}, false, fmt.Errorf("source %s: %w", name, translate(err))
	}
	return s, true, nil
}

// ResetSource forgets what a source's refs held, for a source that now
// reads another repository or file: every ref's tip (so the next sync
// reads it whole), its commits, patches, files and postings, its bases and
// the bases measured against it, its analyses, its tags and first
// releases, and the damaged, unreadable and stale skips recorded on it.
// Fingerprints (keyed by content) and what people entered by hand
// (overrides, annotations, ignores: keyed by commit or patch id) are kept;
// so are the snapshots, whose history is the old source's. One
// transaction: a reset is never half done.
func (db *DB) ResetSource(ctx context.Context, sourceID int64) error {
	err := db.inTx(ctx, func(tx *conn) error {
		var name, url string
		if err := tx.QueryRowContext(ctx, `SELECT name, url FROM sources WHERE id = ?`, sourceID).Scan(&name, &url); err != nil {
			return err
		}
		// What the refs held, for MovedChanges; a second move before a sync
		// read the first adds nothing, the refs being empty then.
		if _, err := tx.ExecContext(ctx, `INSERT INTO moved_changes (source, old_url, oid, patch_id, path, subject)
			SELECT CAST(? AS TEXT), CAST(? AS TEXT), oid, patch_id, path, subject FROM (`+sourceChangesQuery+`) AS held WHERE true
			ON CONFLICT DO NOTHING`, name, url, sourceID); err != nil {
			return err
		}
		const refs = `(SELECT id FROM refs WHERE source_id = ?)`
		id := []any{sourceID}
		stmts := []struct {
			q    string
			args []any
		}{
			{`DELETE FROM ref_commits WHERE ref_id IN ` + refs, id},
			{`DELETE FROM patch_files WHERE ref_id IN ` + refs, id},
			{`DELETE FROM snapshot_files WHERE ref_id IN ` + refs, id},
			{`DELETE FROM since_base WHERE ref_id IN ` + refs, id},
			{`DELETE FROM since_base WHERE ref_id IN (SELECT ref_id FROM bases WHERE upstream_ref_id IN ` + refs + `)`, id},
			{`DELETE FROM bases WHERE ref_id IN ` + refs + ` OR upstream_ref_id IN ` + refs, []any{sourceID, sourceID}},
			{`DELETE FROM analyses WHERE ref_id IN ` + refs, id},
			{`DELETE FROM postings WHERE source_id = ?`, id},
			{`DELETE FROM releases WHERE source_id = ?`, id},
			{`DELETE FROM tags WHERE source_id = ?`, id},
			{`DELETE FROM release_state WHERE source_id = ?`, id},
			{`DELETE FROM skips WHERE source = ? AND kind IN ('damaged', 'unreadable', 'stale')`, []any{name}},
			{`UPDATE refs SET tip = '', scope_hash = '' WHERE source_id = ?`, id},
		}
		for _, st := range stmts {
			if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reset source %d: %w", sourceID, err)
	}
	return nil
}

// SourceChange is one change a source's refs hold: a commit, a patch of a
// series or a posted patch.
type SourceChange struct {
	OID     string // commit id, or the id of a patch or posting
	PatchID string // "" when the diff is empty or was not read
	Path    string // the patch's file in a series; "" otherwise
	Subject string
}

// sourceChangesQuery selects the changes of the refs of source ?.
const sourceChangesQuery = `
	SELECT DISTINCT c.oid AS oid, c.patch_id AS patch_id, COALESCE(pf.path, '') AS path, c.subject AS subject
	FROM refs r
	JOIN ref_commits rc ON rc.ref_id = r.id
	JOIN commits c ON c.id = rc.commit_id
	LEFT JOIN patch_files pf ON pf.ref_id = r.id AND pf.commit_id = c.id
	WHERE r.source_id = ?`

// SourceChanges lists the changes a source's refs hold, by id (a patch at
// two places once per place).
func (db *DB) SourceChanges(ctx context.Context, sourceID int64) ([]SourceChange, error) {
	return db.changes(ctx, sourceChangesQuery+` ORDER BY c.oid, path`, sourceID)
}

// MovedChanges returns what a source's refs held before its url changed,
// and the url they came from; none once DoneMoving was called.
func (db *DB) MovedChanges(ctx context.Context, source string) (oldURL string, changes []SourceChange, err error) {
	if err := db.db.QueryRowContext(ctx, `SELECT old_url FROM moved_changes WHERE source = ? LIMIT 1`, source).Scan(&oldURL); err != nil {
		if err == sql.ErrNoRows {
			return "", nil, nil
		}
		return "", nil, fmt.Errorf("moved changes of %s: %w", source, translate(err))
	}
	changes, err = db.changes(ctx, `SELECT oid, patch_id, path, subject FROM moved_changes WHERE source = ? ORDER BY oid, path`, source)
	return oldURL, changes, err
}

// DoneMoving forgets what a source held before its url changed.
func (db *DB) DoneMoving(ctx context.Context, source string) error {
	if _, err := db.db.ExecContext(ctx, `DELETE FROM moved_changes WHERE source = ?`, source); err != nil {
		return fmt.Errorf("moved changes of %s: %w", source, translate(err))
	}
	return nil
}

func (db *DB) changes(ctx context.Context, q string, arg any) ([]SourceChange, error) {
	rows, err := db.db.QueryContext(ctx, q, arg)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []SourceChange
	for rows.Next() {
		var c SourceChange
		if err := rows.Scan(&c.OID, &c.PatchID, &c.Path, &c.Subject); err != nil {
			return nil, translate(err)
		}
		out = append(out, c)
	}
	return out, translate(rows.Err())
}
