package store

import (
	"context"
	"database/sql"
)

// What a user types by hand names commits by abbreviated ids; these find
// the commits an abbreviation can mean within the set it must name.

// RefCommitsByPrefix returns, sorted, the full ids of a ref's commits that
// start with prefix (lower-case hex), at most limit of them.
func (db *DB) RefCommitsByPrefix(ctx context.Context, refID int64, prefix string, limit int) ([]string, error) {
	return db.oids(ctx, `SELECT c.oid FROM ref_commits rc JOIN commits c ON c.id = rc.commit_id
		WHERE rc.ref_id = ? AND c.oid >= ? AND c.oid < ? ORDER BY c.oid LIMIT ?`, refID, prefix, prefix+"g", limit)
}

// SinceBaseByPrefix returns, sorted, the full ids of the commits after a
// downstream ref's base on one side ("downstream" or "upstream") that
// start with prefix (lower-case hex), at most limit of them.
func (db *DB) SinceBaseByPrefix(ctx context.Context, refID int64, side, prefix string, limit int) ([]string, error) {
	return db.oids(ctx, `SELECT c.oid FROM since_base s JOIN commits c ON c.id = s.commit_id
		WHERE s.ref_id = ? AND s.side = ? AND c.oid >= ? AND c.oid < ? ORDER BY c.oid LIMIT ?`, refID, side, prefix, prefix+"g", limit)
}

// CommitsByPrefix returns, sorted, the full ids of stored commits that
// start with prefix (lower-case hex), at most limit of them.
func (db *DB) CommitsByPrefix(ctx context.Context, prefix string, limit int) ([]string, error) {
	return db.oids(ctx, `SELECT oid FROM commits WHERE oid >= ? AND oid < ? ORDER BY oid LIMIT ?`, prefix, prefix+"g", limit)
}

func (db *DB) oids(ctx context.Context, q string, args ...any) ([]string, error) {
	var out []string
	err := db.query(ctx, q, args, func(rows *sql.Rows) error {
		var oid string
		if err := rows.Scan(&oid); err != nil {
			return err
		}
		out = append(out, oid)
		return nil
	})
	return out, err
}
