package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/kdelta/kdelta/change"
)

// Source is a source as the store records it.
type Source struct {
	ID       int64
	Name     string
	Kind     string
	URL      string
	Layout   string
	Upstream string
	Base     string
	Format   string // git, series, ofed, snapshot, mbox, patchwork; "" is git
}

// PutSource records a source by name, updating what changed, and returns its id.
func (db *DB) PutSource(ctx context.Context, s Source) (int64, error) {
	var id int64
	err := db.inTx(ctx, func(tx *conn) error {
		format := s.Format
		if format == "" {
			format = "git"
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sources (name, kind, url, layout, upstream, base, format) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, url = excluded.url, layout = excluded.layout,
			upstream = excluded.upstream, base = excluded.base, format = excluded.format`,
			s.Name, s.Kind, s.URL, s.Layout, s.Upstream, s.Base, format)
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT id FROM sources WHERE name = ?`, s.Name).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("put source %s: %w", s.Name, err)
	}
	return id, nil
}

// Sources lists the recorded sources by name.
func (db *DB) Sources(ctx context.Context) ([]Source, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT id, name, kind, url, layout, upstream, base, format FROM sources ORDER BY name`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []Source
	for rows.Next() {
		var s Source
		if err := rows.Scan(&s.ID, &s.Name, &s.Kind, &s.URL, &s.Layout, &s.Upstream, &s.Base, &s.Format); err != nil {
			return nil, translate(err)
		}
		out = append(out, s)
	}
	return out, translate(rows.Err())
}

// Ref is one synced ref of a source.
type Ref struct {
	ID        int64
	SourceID  int64
	Name      string
	Tip       string // the last completely synced tip, "" before the first sync
	ScopeHash string
	SyncedAt  time.Time
}

// EnsureRef returns the ref row of a source, creating it empty.
func (db *DB) EnsureRef(ctx context.Context, sourceID int64, name string) (Ref, error) {
	r := Ref{SourceID: sourceID, Name: name}
	var synced int64
	err := db.inTx(ctx, func(tx *conn) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO refs (source_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING`, sourceID, name); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT id, tip, scope_hash, synced_at FROM refs WHERE source_id = ? AND name = ?`,
			sourceID, name).Scan(&r.ID, &r.Tip, &r.ScopeHash, &synced)
	})
	if err != nil {
		return Ref{}, fmt.Errorf("ref %s: %w", name, err)
	}
	if synced > 0 {
		r.SyncedAt = time.Unix(synced, 0)
	}
	return r, nil
}

// CommitIDs maps commit oids to store ids for the oids that are stored.
// With oids nil it returns every stored commit.
func (db *DB) CommitIDs(ctx context.Context, oids []string) (map[string]int64, error) {
	out := make(map[string]int64, len(oids))
	scan := func(rows *sql.Rows) error {
		defer rows.Close()
		for rows.Next() {
			var oid string
			var id int64
			if err := rows.Scan(&id, &oid); err != nil {
				return err
			}
			out[oid] = id
		}
		return rows.Err()
	}
	if oids == nil {
		rows, err := db.db.QueryContext(ctx, `SELECT id, oid FROM commits`)
		if err != nil {
			return nil, translate(err)
		}
		return out, translate(scan(rows))
	}
	if err := commitIDs(ctx, db.db, oids, out); err != nil {
		return nil, translate(err)
	}
	return out, nil
}

// PutFingerprints stores fingerprints (those already stored are left as
// they are) with their components under layout, in one transaction, and
// returns the store ids of all of them. Rows go in by commit id order, so
// that two processes storing some of the same commits at once take their
// locks in one order.
func (db *DB) PutFingerprints(ctx context.Context, layout string, fps []*change.Fingerprint) (map[string]int64, error) {
	sorted := make([]*change.Fingerprint, 0, len(fps))
	byID := make(map[string]*change.Fingerprint, len(fps))
	for _, fp := range fps {
		if byID[fp.ID] == nil {
			sorted = append(sorted, fp)
		}
		byID[fp.ID] = fp
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	rows := make([][]any, 0, len(sorted))
	for _, fp := range sorted {
		_, atz := fp.AuthorTime.Zone()
		_, ctz := fp.CommitTime.Zone()
		trailers, err := json.Marshal(fp.Trailers)
		if err != nil {
			return nil, fmt.Errorf("store fingerprints: commit %s: %w", fp.ID, err)
		}
		rows = append(rows, []any{fp.ID, fp.AuthorName, fp.AuthorEmail, fp.AuthorTime.Unix(), atz,
			fp.CommitterName, fp.CommitterEmail, fp.CommitTime.Unix(), ctz, fp.Subject, fp.Body, string(trailers), fp.PatchID, fp.Skip})
	}
	var ids map[string]int64
	err := db.inTx(ctx, func(tx *conn) error {
		ids = make(map[string]int64, len(sorted))
		added := map[string]bool{}
		err := tx.insertRows(ctx, `INSERT INTO commits (oid, author_name, author_email, author_time, author_tz,
			committer_name, committer_email, commit_time, commit_tz, subject, body, trailers, patch_id, skip)`,
			`ON CONFLICT(oid) DO NOTHING RETURNING id, oid`, rows, func(r *sql.Rows) error {
				var id int64
				var oid string
				if err := r.Scan(&id, &oid); err != nil {
					return err
				}
				ids[oid] = id
				added[oid] = true
				return nil
			})
		if err != nil {
			return err
		}
		// Those stored before, by this process or another.
		var known []string
		for _, fp := range sorted {
			if !added[fp.ID] {
				known = append(known, fp.ID)
			}
		}
		if err := commitIDs(ctx, tx, known, ids); err != nil {
			return err
		}
		var files, comps [][]any
		for _, fp := range sorted {
			id, ok := ids[fp.ID]
			if !ok {
				return fmt.Errorf("commit %s: not stored", fp.ID)
			}
			if added[fp.ID] {
				for i, f := range fp.Files {
					files = append(files, []any{id, i, f.Path, f.OldPath, string(f.Status), boolInt(f.Binary), f.PatchID,
						f.Added, f.Deleted, packHashes(f.Plus), packHashes(f.Minus)})
				}
			}
			for _, c := range fp.Components {
				comps = append(comps, []any{id, layout, c})
			}
		}
		if err := tx.insertRows(ctx, `INSERT INTO files (commit_id, seq, path, old_path, status, "binary", patch_id, added, deleted, plus, minus)`,
			``, files, nil); err != nil {
			return err
		}
		return tx.insertRows(ctx, `INSERT INTO components (commit_id, layout, name)`, `ON CONFLICT DO NOTHING`, comps, nil)
	})
	if err != nil {
		return nil, fmt.Errorf("store fingerprints: %w", err)
	}
	return ids, nil
}

// commitIDs adds the store ids of the stored commits among oids to ids.
func commitIDs(ctx context.Context, tx *conn, oids []string, ids map[string]int64) error {
	const chunk = 500
	for i := 0; i < len(oids); i += chunk {
		part := oids[i:min(i+chunk, len(oids))]
		args := make([]any, len(part))
		for j, o := range part {
			args[j] = o
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, oid FROM commits WHERE oid IN (`+placeholders(len(part))+`)`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var oid string
			var id int64
			if err := rows.Scan(&id, &oid); err != nil {
				rows.Close()
				return err
			}
			ids[oid] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func packHashes(h []uint64) []byte {
	if len(h) == 0 {
		return nil
	}
	b := make([]byte, 8*len(h))
	for i, v := range h {
		binary.LittleEndian.PutUint64(b[8*i:], v)
	}
	return b
}

func unpackHashes(b []byte) []uint64 {
	if len(b) == 0 {
		return nil
	}
	h := make([]uint64, len(b)/8)
	for i := range h {
		h[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return h
}

// Fingerprint reads one stored fingerprint by full or abbreviated id, with
// its components under layout ("" for every layout).
func (db *DB) Fingerprint(ctx context.Context, oid, layout string) (*change.Fingerprint, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT id FROM commits WHERE oid >= ? AND oid < ? LIMIT 2`, oid, oid+"g")
	if err != nil {
		return nil, translate(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, translate(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	switch {
	case len(ids) == 0:
		return nil, fmt.Errorf("commit %s: %w", oid, ErrNotFound)
	case len(ids) > 1:
		return nil, fmt.Errorf("commit %s is ambiguous: give more digits", oid)
	}
	fps, err := db.Fingerprints(ctx, ids, layout)
	if err != nil {
		return nil, err
	}
	return fps[ids[0]], nil
}

// PatchIDs maps every stored commit with a patch-id to it.
func (db *DB) PatchIDs(ctx context.Context) (map[string]string, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT oid, patch_id FROM commits WHERE patch_id != ''`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var oid, pid string
		if err := rows.Scan(&oid, &pid); err != nil {
			return nil, translate(err)
		}
		out[oid] = pid
	}
	return out, translate(rows.Err())
}

// Latest returns the id of the stored commit with the newest commit time
// that has a Fixes: trailer, or failing that the newest of all: a good
// example to show.
func (db *DB) Latest(ctx context.Context) (string, error) {
	var oid string
	err := db.db.QueryRowContext(ctx, `SELECT oid FROM commits ORDER BY trailers LIKE '%"fixes"%' DESC, commit_time DESC LIMIT 1`).Scan(&oid)
	if err != nil {
		return "", fmt.Errorf("latest commit: %w", translate(err))
	}
	return oid, nil
}

// Fingerprints reads the fingerprints of the given store ids, files with
// their signatures and components under layout ("" for every layout)
// included, keyed by id.
func (db *DB) Fingerprints(ctx context.Context, ids []int64, layout string) (map[int64]*change.Fingerprint, error) {
	return db.fingerprints(ctx, ids, layout, parts{files: true, components: true})
}

// Summaries returns stored fingerprints without their files: metadata,
// trailers and components, several times cheaper to read.
func (db *DB) Summaries(ctx context.Context, ids []int64, layout string) (map[int64]*change.Fingerprint, error) {
	return db.fingerprints(ctx, ids, layout, parts{components: true})
}

// Heads returns the metadata and trailers of stored commits, without files
// or components: what a reference or a Fixes: tag may name.
func (db *DB) Heads(ctx context.Context, ids []int64) (map[int64]*change.Fingerprint, error) {
	return db.fingerprints(ctx, ids, "", parts{})
}

// parts says what of a fingerprint to read besides its commit row.
type parts struct{ files, components bool }

func (db *DB) fingerprints(ctx context.Context, ids []int64, layout string, want parts) (map[int64]*change.Fingerprint, error) {
	out := make(map[int64]*change.Fingerprint, len(ids))
	const chunk = 500
	for i := 0; i < len(ids); i += chunk {
		part := ids[i:min(i+chunk, len(ids))]
		args := make([]any, len(part))
		for j, id := range part {
			args[j] = id
		}
		in := placeholders(len(part))
		if err := db.readCommits(ctx, out, `SELECT id, oid, author_name, author_email, author_time, author_tz, committer_name,
			committer_email, commit_time, commit_tz, subject, body, trailers, patch_id, skip FROM commits WHERE id IN (`+in+`)`, args); err != nil {
			return nil, err
		}
		if want.files {
			if err := db.readFiles(ctx, out, `SELECT commit_id, path, old_path, status, "binary", patch_id, added, deleted, plus, minus
			FROM files WHERE commit_id IN (`+in+`) ORDER BY commit_id, seq`, args); err != nil {
				return nil, err
			}
		}
		if want.components {
			q, qargs := `SELECT commit_id, name FROM components WHERE layout = ? AND commit_id IN (`+in+`) ORDER BY commit_id, name`, append([]any{layout}, args...)
			if layout == "" {
				q, qargs = `SELECT DISTINCT commit_id, name FROM components WHERE commit_id IN (`+in+`) ORDER BY commit_id, name`, args
			}
			if err := db.readComponents(ctx, out, q, qargs); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func (db *DB) readCommits(ctx context.Context, out map[int64]*change.Fingerprint, q string, args []any) error {
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, at, ct int64
		var atz, ctz int
		var trailers []byte
		fp := &change.Fingerprint{}
		if err := rows.Scan(&id, &fp.ID, &fp.AuthorName, &fp.AuthorEmail, &at, &atz, &fp.CommitterName, &fp.CommitterEmail,
			&ct, &ctz, &fp.Subject, &fp.Body, &trailers, &fp.PatchID, &fp.Skip); err != nil {
			return translate(err)
		}
		fp.AuthorTime = time.Unix(at, 0).In(time.FixedZone("", atz))
		fp.CommitTime = time.Unix(ct, 0).In(time.FixedZone("", ctz))
		if err := json.Unmarshal(trailers, &fp.Trailers); err != nil {
			return fmt.Errorf("commit %s: trailers: %w", fp.ID, err)
		}
		out[id] = fp
	}
	return translate(rows.Err())
}

func (db *DB) readFiles(ctx context.Context, out map[int64]*change.Fingerprint, q string, args []any) error {
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var f change.File
		var status string
		var plus, minus []byte
		if err := rows.Scan(&id, &f.Path, &f.OldPath, &status, &f.Binary, &f.PatchID, &f.Added, &f.Deleted, &plus, &minus); err != nil {
			return translate(err)
		}
		if status != "" {
			f.Status = change.Status(status[0])
		}
		f.Plus, f.Minus = unpackHashes(plus), unpackHashes(minus)
		if fp := out[id]; fp != nil {
			fp.Files = append(fp.Files, f)
		}
	}
	return translate(rows.Err())
}

func (db *DB) readComponents(ctx context.Context, out map[int64]*change.Fingerprint, q string, args []any) error {
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return translate(err)
		}
		if fp := out[id]; fp != nil {
			fp.Components = append(fp.Components, name)
		}
	}
	return translate(rows.Err())
}
