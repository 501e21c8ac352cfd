package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
)

// copyOrder is every table of the schema but migrations, each after the
// tables it refers to: the order a copy writes them in.
var copyOrder = []string{
	"sources", "commits", "files", "components", "component_maps",
	"refs", "ref_commits", "tags", "releases", "bases", "since_base", "release_state",
	"skips", "syncs", "overrides", "analyses",
	"patch_files", "postings", "snapshot_files",
	"snapshots", "snapshot_statuses", "snapshot_counts", "snapshot_missing_fixes", "snapshot_backports",
	"annotations", "ignores",
	"result_files", "test_targets", "test_results",
	"moved_changes",
}

// TableCount is how many rows a copy wrote of one table.
type TableCount struct {
	Table string
	Rows  int
}

// CopyTo copies everything the store holds (fingerprints, refs, bases,
// analyses, snapshots, manual matches, annotations, ignores, results,
// skips) into dst, an empty store at the same migration, ids and all, in
// one transaction of dst: a copy that fails leaves dst as it was. What it
// copies is one state of this store (Consistent), whatever is written to
// it meanwhile.
func (db *DB) CopyTo(ctx context.Context, dst *DB) ([]TableCount, error) {
	mine, err := db.Migrations(ctx)
	if err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	theirs, err := dst.Migrations(ctx)
	if err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	if strings.Join(mine, ",") != strings.Join(theirs, ",") {
		return nil, fmt.Errorf("copy: %s is at migration %s and %s at %s: run 'kdelta store migrate' on the older one",
			db.Describe(), last(mine), dst.Describe(), last(theirs))
	}
	tables, err := dst.tables(ctx)
	if err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	known := map[string]bool{"migrations": true}
	for _, t := range copyOrder {
		known[t] = true
	}
	for _, t := range tables {
		if !known[t] {
			return nil, fmt.Errorf("copy: table %s of %s is not one copy knows", t, dst.Describe())
		}
	}
	for _, t := range copyOrder {
		var n int
		if err := dst.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("copy: %s: %w", t, translate(err))
		}
		if n > 0 {
			return nil, fmt.Errorf("copy: %s is not empty (%d rows in %s): copy writes only into a new store", dst.Describe(), n, t)
		}
	}
	var counts []TableCount
	err = db.Consistent(ctx, func(src *DB) error {
		return dst.inTx(ctx, func(tx *conn) error {
			counts = counts[:0]
			for _, t := range copyOrder {
				n, err := copyTable(ctx, src, tx, t)
				if err != nil {
					return fmt.Errorf("%s: %w", t, err)
				}
				counts = append(counts, TableCount{Table: t, Rows: n})
			}
			return dst.d.afterCopy(ctx, tx, copyOrder)
		})
	})
	if err != nil {
		return nil, fmt.Errorf("copy to %s: %w", dst.Describe(), err)
	}
	return counts, nil
}

func last(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return names[len(names)-1]
}

// copyTable copies one table's rows from src into tx, in batches.
func copyTable(ctx context.Context, src *DB, tx *conn, table string) (int, error) {
	rows, err := src.db.QueryContext(ctx, `SELECT * FROM `+table+` ORDER BY 1`) // ids before the rows that refer to them
	if err != nil {
		return 0, translate(err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return 0, err
	}
	cols := make([]string, len(types))
	binary := make([]bool, len(types))
	for i, ct := range types {
		cols[i] = `"` + ct.Name() + `"`
		switch strings.ToUpper(ct.DatabaseTypeName()) {
		case "BLOB", "BYTEA":
			binary[i] = true
		}
	}
	head := `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `)`
	const batch = 2000
	var buf [][]any
	n := 0
	flush := func() error {
		if err := tx.insertRows(ctx, head, ``, buf, nil); err != nil {
			return err
		}
		n += len(buf)
		buf = buf[:0]
		return nil
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok && !binary[i] {
				vals[i] = string(b)
			}
		}
		buf = append(buf, vals)
		if len(buf) == batch {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, flush()
}

// tables lists the tables of the store's schema.
func (db *DB) tables(ctx context.Context) ([]string, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if db.d == postgresDialect {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	var out []string
	err := db.query(ctx, q, nil, func(rows *sql.Rows) error {
		var n string
		if err := rows.Scan(&n); err != nil {
			return err
		}
		out = append(out, n)
		return nil
	})
	sort.Strings(out)
	return out, err
}

// afterCopy makes a store whose rows were written with their ids go on
// from the largest: PostgreSQL's identity columns keep their own counter.
func (d dialect) afterCopy(ctx context.Context, tx *conn, tables []string) error {
	if d != postgresDialect {
		return nil
	}
	for _, t := range tables {
		var has bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = ? AND column_name = 'id' AND is_identity = 'YES')`, t).Scan(&has); err != nil {
			return err
		}
		if !has {
			continue
		}
		if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence(?, 'id'), COALESCE((SELECT MAX(id) FROM `+t+`), 0) + 1, false)`, t); err != nil {
			return err
		}
	}
	return nil
}
