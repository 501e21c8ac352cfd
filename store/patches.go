package store

import (
	"context"
	"database/sql"
	"time"
)

// PatchFile is where one patch of a series or OFED source sits.
type PatchFile struct {
	Path     string // relative to the tree, as the series names it
	Seq      int    // place in apply order, from 0
	CommitID int64  // the patch's fingerprint
	OID      string // its id (read back only)
}

// SnapshotFile is one regular file of a snapshot source.
type SnapshotFile struct {
	Path string
	Blob string // git blob id
	Size int64
	Mode uint32
}

// Posting is one message of a list source that posts a patch or a cover
// letter.
type Posting struct {
	MessageID string
	CommitID  int64 // the posted patch's fingerprint; 0 for a cover letter
	Date      time.Time
	Sender    string
	Subject   string
	Version   int
	Index     int
	Total     int
	Series    string // the series id
	Previous  string // the previous version's series id, "" when none
	State     string // the Patchwork state, "" when unknown
}

func putPatches(ctx context.Context, tx *conn, refID int64, ps []PatchFile) error {
	if ps == nil {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM patch_files WHERE ref_id = ?`, refID); err != nil {
		return err
	}
	rows := make([][]any, len(ps))
	for i, p := range ps {
		rows[i] = []any{refID, p.Path, p.Seq, p.CommitID}
	}
	return tx.insertRows(ctx, `INSERT INTO patch_files (ref_id, path, seq, commit_id)`, ``, rows, nil)
}

func putSnapshotFiles(ctx context.Context, tx *conn, refID int64, fs []SnapshotFile) error {
	if fs == nil {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM snapshot_files WHERE ref_id = ?`, refID); err != nil {
		return err
	}
	rows := make([][]any, len(fs))
	for i, f := range fs {
		rows[i] = []any{refID, f.Path, f.Blob, f.Size, int64(f.Mode)}
	}
	return tx.insertRows(ctx, `INSERT INTO snapshot_files (ref_id, path, blob, size, mode)`, ``, rows, nil)
}

func putPostings(ctx context.Context, tx *conn, refID int64, ps []Posting) error {
	if ps == nil {
		return nil
	}
	var srcID int64
	if err := tx.QueryRowContext(ctx, `SELECT source_id FROM refs WHERE id = ?`, refID).Scan(&srcID); err != nil {
		return err
	}
	// Patchwork states are kept across a re-read of the archive.
	states := map[string]string{}
	rows, err := tx.QueryContext(ctx, `SELECT message_id, state FROM postings WHERE source_id = ? AND state != ''`, srcID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var m, st string
		if err := rows.Scan(&m, &st); err != nil {
			rows.Close()
			return err
		}
		states[m] = st
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM postings WHERE source_id = ?`, srcID); err != nil {
		return err
	}
	for _, p := range ps {
		var commit any
		if p.CommitID != 0 {
			commit = p.CommitID
		}
		state := p.State
		if state == "" {
			state = states[p.MessageID]
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO postings (source_id, message_id, commit_id, date, sender, subject,
		version, idx, total, series, previous, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (source_id, message_id) DO UPDATE SET commit_id = excluded.commit_id, date = excluded.date, sender = excluded.sender,
		subject = excluded.subject, version = excluded.version, idx = excluded.idx, total = excluded.total, series = excluded.series,
		previous = excluded.previous, state = excluded.state`, srcID, p.MessageID, commit, p.Date.Unix(), p.Sender, p.Subject,
			p.Version, p.Index, p.Total, p.Series, p.Previous, state); err != nil {
			return err
		}
	}
	return nil
}

// PatchFiles returns where the patches of a series or OFED ref sit, in
// apply order.
func (db *DB) PatchFiles(ctx context.Context, refID int64) ([]PatchFile, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT p.path, p.seq, p.commit_id, c.oid FROM patch_files p
		JOIN commits c ON c.id = p.commit_id WHERE p.ref_id = ? ORDER BY p.seq`, refID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []PatchFile
	for rows.Next() {
		var p PatchFile
		if err := rows.Scan(&p.Path, &p.Seq, &p.CommitID, &p.OID); err != nil {
			return nil, translate(err)
		}
		out = append(out, p)
	}
	return out, translate(rows.Err())
}

// SnapshotFiles returns the files of a snapshot ref, by path.
func (db *DB) SnapshotFiles(ctx context.Context, refID int64) ([]SnapshotFile, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT path, blob, size, mode FROM snapshot_files WHERE ref_id = ? ORDER BY path`, refID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []SnapshotFile
	for rows.Next() {
		var f SnapshotFile
		if err := rows.Scan(&f.Path, &f.Blob, &f.Size, &f.Mode); err != nil {
			return nil, translate(err)
		}
		out = append(out, f)
	}
	return out, translate(rows.Err())
}

// Postings returns the postings of a list source, oldest first.
func (db *DB) Postings(ctx context.Context, sourceID int64) ([]Posting, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT message_id, COALESCE(commit_id, 0), date, sender, subject, version, idx, total,
		series, previous, state FROM postings WHERE source_id = ? ORDER BY date, message_id`, sourceID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []Posting
	for rows.Next() {
		var p Posting
		var date int64
		if err := rows.Scan(&p.MessageID, &p.CommitID, &date, &p.Sender, &p.Subject, &p.Version, &p.Index, &p.Total,
			&p.Series, &p.Previous, &p.State); err != nil {
			return nil, translate(err)
		}
		p.Date = time.Unix(date, 0).UTC()
		out = append(out, p)
	}
	return out, translate(rows.Err())
}

// SetPostingState records the Patchwork state of a posting.
func (db *DB) SetPostingState(ctx context.Context, sourceID int64, messageID, state string) error {
	_, err := db.db.ExecContext(ctx, `UPDATE postings SET state = ? WHERE source_id = ? AND message_id = ?`, state, sourceID, messageID)
	return translate(err)
}

// PatchByPath finds the patches whose file is path or ends in "/"+path,
// in any series or OFED ref.
func (db *DB) PatchByPath(ctx context.Context, path string) ([]string, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT DISTINCT c.oid FROM patch_files p JOIN commits c ON c.id = p.commit_id
		WHERE p.path = ? OR p.path LIKE ? ESCAPE '\' ORDER BY c.oid`, path, "%/"+escapeLike(path))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var oid string
		if err := rows.Scan(&oid); err != nil {
			return nil, translate(err)
		}
		out = append(out, oid)
	}
	return out, translate(rows.Err())
}

// Location is where a stored change can be read: a git source that has
// the commit on a ref, or a patch file of a series or OFED source.
type Location struct {
	Source string
	Path   string // the patch file, relative to the source's tree; "" for a commit
}

// Locations lists where a change (by full id) can be read, git sources
// first.
func (db *DB) Locations(ctx context.Context, oid string) ([]Location, error) {
	var out []Location
	err := db.query(ctx, `SELECT DISTINCT s.name, '' FROM commits c JOIN ref_commits rc ON rc.commit_id = c.id
		JOIN refs r ON r.id = rc.ref_id JOIN sources s ON s.id = r.source_id WHERE c.oid = ?
		UNION ALL
		SELECT DISTINCT s.name, p.path FROM commits c JOIN patch_files p ON p.commit_id = c.id
		JOIN refs r ON r.id = p.ref_id JOIN sources s ON s.id = r.source_id WHERE c.oid = ?`, []any{oid, oid},
		func(rows *sql.Rows) error {
			var l Location
			if err := rows.Scan(&l.Source, &l.Path); err != nil {
				return err
			}
			out = append(out, l)
			return nil
		})
	return out, err
}
