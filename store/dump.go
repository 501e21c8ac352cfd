package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
)

// dumpQueries select what a store holds, table by table, by the names
// and ids the world gives things (source and ref names, commit ids), not
// the store's own row ids, and without the times of runs: two stores of
// the same repositories dump the same, however their syncs went (one run,
// or runs killed and resumed). The analyses (a cache) and the record of
// runs (syncs) are left out; of the snapshots, the latest (the rows of the
// one it is the same as, when nothing changed since).
var dumpQueries = []struct{ table, query string }{
	{"sources", `SELECT name, kind, url, layout, upstream, base, format FROM sources`},
	{"refs", `SELECT s.name, r.name, r.tip, r.scope_hash FROM refs r JOIN sources s ON s.id = r.source_id`},
	{"ref_commits", `SELECT s.name, r.name, c.oid FROM ref_commits rc JOIN refs r ON r.id = rc.ref_id
		JOIN sources s ON s.id = r.source_id JOIN commits c ON c.id = rc.commit_id`},
	{"commits", `SELECT oid, author_name, author_email, author_time, author_tz, committer_name, committer_email,
		commit_time, commit_tz, subject, body, trailers, patch_id, skip FROM commits`},
	{"components", `SELECT c.oid, k.layout, k.name FROM components k JOIN commits c ON c.id = k.commit_id`},
	{"files", `SELECT c.oid, f.seq, f.path, f.old_path, f.status, f."binary", f.patch_id, f.added, f.deleted, f.plus, f.minus
		FROM files f JOIN commits c ON c.id = f.commit_id`},
	{"component_maps", `SELECT layout, hash FROM component_maps`},
	{"tags", `SELECT s.name, t.name, t.commit_oid FROM tags t JOIN sources s ON s.id = t.source_id`},
	{"releases", `SELECT s.name, c.oid, rel.tag FROM releases rel JOIN sources s ON s.id = rel.source_id JOIN commits c ON c.id = rel.commit_id`},
	{"release_state", `SELECT s.name, rs.seen, rs.releases, rs.reached FROM release_state rs JOIN sources s ON s.id = rs.source_id`},
	{"bases", `SELECT s.name, r.name, us.name, ur.name, b.oid, b.how, b.upstream_tip, b.tip FROM bases b
		JOIN refs r ON r.id = b.ref_id JOIN sources s ON s.id = r.source_id
		JOIN refs ur ON ur.id = b.upstream_ref_id JOIN sources us ON us.id = ur.source_id`},
	{"since_base", `SELECT s.name, r.name, sb.side, c.oid FROM since_base sb JOIN refs r ON r.id = sb.ref_id
		JOIN sources s ON s.id = r.source_id JOIN commits c ON c.id = sb.commit_id`},
	{"patch_files", `SELECT s.name, r.name, pf.path, pf.seq, c.oid FROM patch_files pf JOIN refs r ON r.id = pf.ref_id
		JOIN sources s ON s.id = r.source_id JOIN commits c ON c.id = pf.commit_id`},
	{"snapshot_files", `SELECT s.name, r.name, sf.path, sf.blob, sf.size, sf.mode FROM snapshot_files sf
		JOIN refs r ON r.id = sf.ref_id JOIN sources s ON s.id = r.source_id`},
	{"postings", `SELECT s.name, p.message_id, COALESCE(c.oid, ''), p.date, p.sender, p.subject, p.version, p.idx, p.total,
		p.series, p.previous, p.state FROM postings p JOIN sources s ON s.id = p.source_id LEFT JOIN commits c ON c.id = p.commit_id`},
	{"skips", `SELECT source, oid, reason, ref, kind, object FROM skips`},
	{"moved_changes", `SELECT source, old_url, oid, patch_id, path, subject FROM moved_changes`},
	{"annotations", `SELECT change, status, reason, detail, who FROM annotations`},
	{"overrides", `SELECT downstream, upstream, who FROM overrides`},
	{"ignores", `SELECT target, kind, scope, reason, who FROM ignores`},
	{"result_files", `SELECT digest, name, format, cases FROM result_files`},
	{"test_results", `SELECT t.source, t.label, t.commit_oid, t.commit_time, r.lab, r.hardware, r.suite, r.path, r.status,
		r.started, r.duration_ms, r.log_url, r.message, r.properties FROM test_results r JOIN test_targets t ON t.id = r.target_id`},
	{"latest snapshot", `SELECT n.key, o.fixes_saved FROM snapshots n JOIN snapshots o ON o.id = COALESCE(n.same_as, n.id)
		WHERE n.id = (SELECT MAX(id) FROM snapshots)`},
	{"snapshot_statuses", `SELECT s.name, r.name, x.change, x.path, x.subject, x.status, x.detail FROM snapshot_statuses x
		JOIN refs r ON r.id = x.ref_id JOIN sources s ON s.id = r.source_id WHERE x.snapshot_id = ` + latestSnapshot},
	{"snapshot_counts", `SELECT s.name, r.name, x.component, x.backported, x.missing, x.missing_fixes, x.carried FROM snapshot_counts x
		JOIN refs r ON r.id = x.ref_id JOIN sources s ON s.id = r.source_id WHERE x.snapshot_id = ` + latestSnapshot},
	{"snapshot_backports", `SELECT s.name, r.name, x.upstream_oid, x.subject, x.carried FROM snapshot_backports x
		JOIN refs r ON r.id = x.ref_id JOIN sources s ON s.id = r.source_id WHERE x.snapshot_id = ` + latestSnapshot},
	{"snapshot_missing_fixes", `SELECT s.name, r.name, x.commit_oid, x.subject, x.components FROM snapshot_missing_fixes x
		JOIN refs r ON r.id = x.ref_id JOIN sources s ON s.id = r.source_id WHERE x.snapshot_id = ` + latestSnapshot},
}

// latestSnapshot selects the snapshot whose rows the latest snapshot
// has: itself, or the one it is the same as.
const latestSnapshot = `(SELECT COALESCE(same_as, id) FROM snapshots WHERE id = (SELECT MAX(id) FROM snapshots))`

// Dump returns what the store holds, table by table: each table's rows
// as lines of " | "-separated values, sorted (see dumpQueries). Two
// stores hold the same when their dumps are equal; DiffDumps says where
// they differ.
func (db *DB) Dump(ctx context.Context) (map[string][]string, error) {
	out := map[string][]string{}
	for _, dq := range dumpQueries {
		rows, err := db.db.QueryContext(ctx, dq.query)
		if err != nil {
			return nil, fmt.Errorf("dump %s: %w", dq.table, translate(err))
		}
		cols, _ := rows.Columns()
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		lines := []string{}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, fmt.Errorf("dump %s: %w", dq.table, translate(err))
			}
			parts := make([]string, len(vals))
			for i, v := range vals {
				parts[i] = v.String
			}
			lines = append(lines, strings.Join(parts, " | "))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("dump %s: %w", dq.table, translate(err))
		}
		sort.Strings(lines)
		out[dq.table] = lines
	}
	return out, nil
}

// DiffDumps names the tables whose rows differ between two dumps, each
// with how many rows only a has and only b has; none when they are equal.
func DiffDumps(a, b map[string][]string) []string {
	var out []string
	for _, dq := range dumpQueries {
		onlyA, onlyB := countOnly(a[dq.table], b[dq.table])
		if onlyA > 0 || onlyB > 0 {
			out = append(out, fmt.Sprintf("%s (%d rows only in the first, %d only in the second)", dq.table, onlyA, onlyB))
		}
	}
	return out
}

// countOnly counts the lines of two sorted lists that the other lacks.
func countOnly(a, b []string) (onlyA, onlyB int) {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			i++
			j++
		case a[i] < b[j]:
			onlyA++
			i++
		default:
			onlyB++
			j++
		}
	}
	return onlyA + len(a) - i, onlyB + len(b) - j
}

// SyncRun is the record of one sync run.
type SyncRun struct {
	ID     int64
	Status string // running, done, failed, interrupted
	Note   string
}

// SyncRuns returns the record of every sync run, oldest first.
func (db *DB) SyncRuns(ctx context.Context) ([]SyncRun, error) {
	var out []SyncRun
	err := db.query(ctx, `SELECT id, status, note FROM syncs ORDER BY id`, nil, func(rows *sql.Rows) error {
		var r SyncRun
		if err := rows.Scan(&r.ID, &r.Status, &r.Note); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sync runs: %w", err)
	}
	return out, nil
}

// Integrity checks a SQLite store's file (PRAGMA integrity_check) and
// says what is wrong with it; "" when nothing is. A PostgreSQL store is
// the server's to check: "".
func (db *DB) Integrity(ctx context.Context) (string, error) {
	if db.d != sqliteDialect {
		return "", nil
	}
	var lines []string
	err := db.query(ctx, `PRAGMA integrity_check`, nil, func(rows *sql.Rows) error {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		if s != "ok" {
			lines = append(lines, s)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("integrity check: %w", err)
	}
	return strings.Join(lines, "; "), nil
}
