package store

import (
	"context"
	"database/sql"
	"fmt"
)

// ComponentMapHash returns the digest of the component map the components
// of a layout were last computed with, "" if never.
func (db *DB) ComponentMapHash(ctx context.Context, layout string) (string, error) {
	var h string
	err := db.db.QueryRowContext(ctx, `SELECT hash FROM component_maps WHERE layout = ?`, layout).Scan(&h)
	if err == sql.ErrNoRows {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("component map: %w", translate(err))
	}
	return h, nil
}

// SetComponentMapHash records the digest of the map used for a layout.
func (db *DB) SetComponentMapHash(ctx context.Context, layout, hash string) error {
	_, err := db.db.ExecContext(ctx, `INSERT INTO component_maps (layout, hash) VALUES (?, ?)
		ON CONFLICT(layout) DO UPDATE SET hash = excluded.hash`, layout, hash)
	if err != nil {
		return fmt.Errorf("component map: %w", translate(err))
	}
	return nil
}

// Reclassify recomputes the components of every commit classified under
// layout from its stored files and subject, without touching any diff, and
// records the new map digest, all in one transaction. It returns how many
// commits were reclassified.
func (db *DB) Reclassify(ctx context.Context, layout, hash string, classify func(paths []string, subject string) []string) (int, error) {
	n := 0
	err := db.inTx(ctx, func(tx *conn) error {
		n = 0
		rows, err := tx.QueryContext(ctx, `SELECT c.id, c.subject, f.path, f.old_path FROM commits c
			JOIN files f ON f.commit_id = c.id
			WHERE c.id IN (SELECT DISTINCT commit_id FROM components WHERE layout = ?)
			ORDER BY c.id, f.seq`, layout)
		if err != nil {
			return err
		}
		type item struct {
			subject string
			paths   []string
		}
		var order []int64
		items := map[int64]*item{}
		for rows.Next() {
			var id int64
			var subject, path, old string
			if err := rows.Scan(&id, &subject, &path, &old); err != nil {
				rows.Close()
				return err
			}
			it := items[id]
			if it == nil {
				it = &item{subject: subject}
				items[id] = it
				order = append(order, id)
			}
			it.paths = append(it.paths, path)
			if old != "" {
				it.paths = append(it.paths, old)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM components WHERE layout = ? AND commit_id IN (SELECT commit_id FROM files)`, layout); err != nil {
			return err
		}
		var comps [][]any
		for _, id := range order {
			it := items[id]
			for _, c := range classify(it.paths, it.subject) {
				comps = append(comps, []any{id, layout, c})
			}
			n++
		}
		if err := tx.insertRows(ctx, `INSERT INTO components (commit_id, layout, name)`, `ON CONFLICT DO NOTHING`, comps, nil); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO component_maps (layout, hash) VALUES (?, ?)
			ON CONFLICT(layout) DO UPDATE SET hash = excluded.hash`, layout, hash)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("reclassify %s: %w", layout, err)
	}
	return n, nil
}

// Count is one cell of the summary: how many commits of a source's ref
// belong to a component.
type Count struct {
	Source    string
	Ref       string
	Component string
	Commits   int
}

// RefSummary is what is stored for one ref.
type RefSummary struct {
	Source  string
	Kind    string
	Ref     string
	Tip     string
	Commits int    // in-scope commits the ref contains
	Skipped int    // of those, commits whose diff was not fingerprinted
	Base    string // the base commit's id; "" when the ref has none
	BaseHow string // how the base was found
}

// Summary counts what the store holds per ref, and per ref and component.
func (db *DB) Summary(ctx context.Context) ([]RefSummary, []Count, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT s.name, s.kind, r.name, r.tip,
			(SELECT COUNT(*) FROM ref_commits rc WHERE rc.ref_id = r.id),
			(SELECT COUNT(*) FROM ref_commits rc JOIN commits c ON c.id = rc.commit_id WHERE rc.ref_id = r.id AND c.skip != ''),
			COALESCE((SELECT b.oid FROM bases b WHERE b.ref_id = r.id), ''),
			COALESCE((SELECT b.how FROM bases b WHERE b.ref_id = r.id), '')
		FROM refs r JOIN sources s ON s.id = r.source_id ORDER BY s.name, r.name`)
	if err != nil {
		return nil, nil, translate(err)
	}
	var refs []RefSummary
	for rows.Next() {
		var r RefSummary
		if err := rows.Scan(&r.Source, &r.Kind, &r.Ref, &r.Tip, &r.Commits, &r.Skipped, &r.Base, &r.BaseHow); err != nil {
			rows.Close()
			return nil, nil, translate(err)
		}
		refs = append(refs, r)
	}
	rows.Close()

	crows, err := db.db.QueryContext(ctx, `SELECT s.name, r.name, cp.name, COUNT(*)
		FROM refs r JOIN sources s ON s.id = r.source_id
		JOIN ref_commits rc ON rc.ref_id = r.id
		JOIN components cp ON cp.commit_id = rc.commit_id AND cp.layout = s.layout
		GROUP BY s.name, r.name, cp.name ORDER BY s.name, r.name, cp.name`)
	if err != nil {
		return nil, nil, translate(err)
	}
	defer crows.Close()
	var counts []Count
	for crows.Next() {
		var c Count
		if err := crows.Scan(&c.Source, &c.Ref, &c.Component, &c.Commits); err != nil {
			return nil, nil, translate(err)
		}
		counts = append(counts, c)
	}
	return refs, counts, translate(crows.Err())
}
