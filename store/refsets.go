package store

import (
	"context"
	"fmt"
	"slices"
)

// ForgetRefsExcept forgets every synced ref of a source whose name is not
// in keep (a ref taken out of the project file's refs): what it held, its
// base and its kept analysis go, so the store answers as one that never
// synced it; its snapshots' history stays. It returns the names
// forgotten.
func (db *DB) ForgetRefsExcept(ctx context.Context, sourceID int64, keep []string) ([]string, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT id, name FROM refs WHERE source_id = ? AND tip != '' ORDER BY name`, sourceID)
	if err != nil {
		return nil, fmt.Errorf("forget refs: %w", translate(err))
	}
	type ref struct {
		id   int64
		name string
	}
	var gone []ref
	for rows.Next() {
		var r ref
		if err := rows.Scan(&r.id, &r.name); err != nil {
			rows.Close()
			return nil, fmt.Errorf("forget refs: %w", translate(err))
		}
		if !slices.Contains(keep, r.name) {
			gone = append(gone, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(gone) == 0 {
		return nil, translate(err)
	}
	var names []string
	err = db.inTx(ctx, func(tx *conn) error {
		names = names[:0] // a transaction run again starts over
		for _, r := range gone {
			for _, q := range []string{
				`DELETE FROM ref_commits WHERE ref_id = ?`,
				`DELETE FROM since_base WHERE ref_id = ?`,
				`DELETE FROM bases WHERE ref_id = ?`,
				`DELETE FROM bases WHERE upstream_ref_id = ?`,
				`DELETE FROM analyses WHERE ref_id = ?`,
				`UPDATE refs SET tip = '', scope_hash = '' WHERE id = ?`,
			} {
				if _, err := tx.ExecContext(ctx, q, r.id); err != nil {
					return err
				}
			}
			names = append(names, r.name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("forget refs: %w", translate(err))
	}
	return names, nil
}

// SourceCommitIDs returns the store ids of the commits any synced ref of a
// source contains: what an upstream with several refs (master and stable
// branches) has.
func (db *DB) SourceCommitIDs(ctx context.Context, sourceID int64) (map[int64]bool, error) {
	return db.idSet(ctx, `SELECT DISTINCT rc.commit_id FROM ref_commits rc JOIN refs r ON r.id = rc.ref_id
		WHERE r.source_id = ? AND r.tip != ''`, sourceID)
}

// idSet runs a query of one integer column and returns its values as a set.
func (db *DB) idSet(ctx context.Context, q string, args ...any) (map[int64]bool, error) {
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, translate(err)
		}
		out[id] = true
	}
	return out, translate(rows.Err())
}
