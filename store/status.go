package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Annotation is a manual status of a carried change.
type Annotation struct {
	Change  string // 40-hex id of the commit or patch
	Status  string
	Reason  string
	Detail  string
	Created time.Time
	Who     string // who made it ("" when not known); see DB.SetUser
}

// Annotate stores a manual status, replacing an earlier one. It records
// the store's user (SetUser) as who made it, unless a.Who names someone.
func (db *DB) Annotate(ctx context.Context, a Annotation) error {
	who := a.Who
	if who == "" {
		who = db.who.String()
	}
	_, err := db.db.ExecContext(ctx, `INSERT INTO annotations (change, status, reason, detail, created, who) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT(change) DO UPDATE SET status = excluded.status, reason = excluded.reason, detail = excluded.detail,
		created = excluded.created, who = excluded.who`, a.Change, a.Status, a.Reason, a.Detail, db.now().Unix(), who)
	if err != nil {
		return fmt.Errorf("annotate %s: %w", a.Change, translate(err))
	}
	return nil
}

// Unannotate removes a manual status; it says whether there was one.
func (db *DB) Unannotate(ctx context.Context, change string) (bool, error) {
	res, err := db.db.ExecContext(ctx, `DELETE FROM annotations WHERE change = ?`, change)
	if err != nil {
		return false, translate(err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Annotations returns every manual status, by change id.
func (db *DB) Annotations(ctx context.Context) (map[string]Annotation, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT change, status, reason, detail, created, who FROM annotations`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := map[string]Annotation{}
	for rows.Next() {
		var a Annotation
		var created int64
		if err := rows.Scan(&a.Change, &a.Status, &a.Reason, &a.Detail, &created, &a.Who); err != nil {
			return nil, translate(err)
		}
		a.Created = time.Unix(created, 0).UTC()
		out[a.Change] = a
	}
	return out, translate(rows.Err())
}

// Snapshot is one saved analysis of the downstreams.
type Snapshot struct {
	ID      int64
	SyncID  int64
	Key     string // what it was computed from
	Created time.Time
	Refs    []SnapshotRef
}

// SnapshotRef is what a snapshot keeps of one downstream ref.
type SnapshotRef struct {
	RefID        int64
	Source, Ref  string // names, when read back
	Statuses     []ChangeStatus
	Counts       []ComponentCount
	MissingFixes []SnapshotFix
	Backports    []SnapshotBackport
}

// SnapshotBackport is an upstream commit a downstream ref carried in a
// snapshot.
type SnapshotBackport struct {
	Upstream string
	Subject  string
	Carried  []string
}

// SnapshotFix is a missing fix of a downstream ref in a snapshot.
type SnapshotFix struct {
	Commit     string
	Subject    string
	Components []string
}

// ChangeStatus is the status of one carried change in a snapshot.
type ChangeStatus struct {
	Change  string // 40-hex id
	Path    string // a patch's file, "" for a commit
	Subject string
	Status  string
	Detail  string // the status with its evidence, as the analyzer encodes it
}

// ComponentCount is the delta counts of one component in a snapshot.
type ComponentCount struct {
	Component                                  string
	Backported, Missing, MissingFixes, Carried int
}

// PutSnapshot writes a snapshot whole, in one transaction, and returns its id.
func (db *DB) PutSnapshot(ctx context.Context, s Snapshot) (int64, error) {
	var id int64
	err := db.inTx(ctx, func(tx *conn) error {
		var sync any
		if s.SyncID != 0 {
			sync = s.SyncID
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO snapshots (sync_id, key, created, fixes_saved) VALUES (?, ?, ?, 1) RETURNING id`,
			sync, s.Key, db.now().Unix()).Scan(&id); err != nil {
			return err
		}
		// A row given twice under one key is kept once, the last one.
		var st, ct, mf, bp keyedRows
		for _, r := range s.Refs {
			for _, b := range r.Backports {
				bp.add([]any{id, r.RefID, b.Upstream, b.Subject, strings.Join(b.Carried, ",")}, 3)
			}
			for _, f := range r.MissingFixes {
				mf.add([]any{id, r.RefID, f.Commit, f.Subject, strings.Join(f.Components, ",")}, 3)
			}
			for _, c := range r.Statuses {
				st.add([]any{id, r.RefID, c.Change, c.Path, c.Subject, c.Status, c.Detail}, 3)
			}
			for _, c := range r.Counts {
				ct.add([]any{id, r.RefID, c.Component, c.Backported, c.Missing, c.MissingFixes, c.Carried}, 3)
			}
		}
		for _, ins := range []struct {
			head string
			rows keyedRows
		}{
			{`INSERT INTO snapshot_backports (snapshot_id, ref_id, upstream_oid, subject, carried)`, bp},
			{`INSERT INTO snapshot_missing_fixes (snapshot_id, ref_id, commit_oid, subject, components)`, mf},
			{`INSERT INTO snapshot_statuses (snapshot_id, ref_id, change, path, subject, status, detail)`, st},
			{`INSERT INTO snapshot_counts (snapshot_id, ref_id, component, backported, missing, missing_fixes, carried)`, ct},
		} {
			if err := tx.insertRows(ctx, ins.head, ``, ins.rows.rows, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("save snapshot: %w", translate(err))
	}
	return id, nil
}

// keyedRows are rows to insert whose first n values are their key: a row
// added again under a key it has replaces the earlier one.
type keyedRows struct {
	rows [][]any
	at   map[string]int
}

func (k *keyedRows) add(row []any, n int) {
	key := fmt.Sprint(row[:n]...)
	if k.at == nil {
		k.at = map[string]int{}
	}
	if i, ok := k.at[key]; ok {
		k.rows[i] = row
		return
	}
	k.at[key] = len(k.rows)
	k.rows = append(k.rows, row)
}

// StatusEntry is a change's status in one snapshot, for a timeline.
type StatusEntry struct {
	Snapshot int64
	Created  time.Time
	Source   string
	Ref      string
	ChangeStatus
}

// StatusHistory returns every snapshot's status of the changes whose id
// starts with key (at least 7 hex digits) or whose patch file is key or
// ends in "/"+key, oldest first.
func (db *DB) StatusHistory(ctx context.Context, key string) ([]StatusEntry, error) {
	q := `SELECT n.id, n.created, src.name, r.name, s.change, s.path, s.subject, s.status, s.detail
		FROM snapshots n JOIN snapshot_statuses s ON s.snapshot_id = COALESCE(n.same_as, n.id) JOIN refs r ON r.id = s.ref_id
		JOIN sources src ON src.id = r.source_id
		WHERE s.path = ? OR s.path LIKE ? ESCAPE '\'`
	args := []any{key, "%/" + escapeLike(key)}
	if isHexPrefix(key) {
		q += ` OR s.change LIKE ?`
		args = append(args, strings.ToLower(key)+"%")
	}
	q += ` ORDER BY n.id, src.name, r.name, s.change`
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []StatusEntry
	for rows.Next() {
		var e StatusEntry
		var created int64
		if err := rows.Scan(&e.Snapshot, &created, &e.Source, &e.Ref, &e.Change, &e.Path, &e.Subject, &e.Status, &e.Detail); err != nil {
			return nil, translate(err)
		}
		e.Created = time.Unix(created, 0).UTC()
		out = append(out, e)
	}
	return out, translate(rows.Err())
}

// LastSnapshot returns the newest snapshot without its contents, and
// ErrNotFound when there is none yet.
func (db *DB) LastSnapshot(ctx context.Context) (Snapshot, error) {
	var s Snapshot
	var created int64
	err := db.db.QueryRowContext(ctx, `SELECT id, COALESCE(sync_id, 0), key, created FROM snapshots ORDER BY id DESC LIMIT 1`).
		Scan(&s.ID, &s.SyncID, &s.Key, &created)
	if err != nil {
		return Snapshot{}, fmt.Errorf("last snapshot: %w", translate(err))
	}
	s.Created = time.Unix(created, 0).UTC()
	return s, nil
}

func isHexPrefix(s string) bool {
	if len(s) < 7 || len(s) > 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// CopySnapshot saves a new snapshot whose statuses and counts are those of
// an earlier one, for a sync that changed nothing they depend on: it
// points at that snapshot rather than copying its rows.
func (db *DB) CopySnapshot(ctx context.Context, from, syncID int64, key string) (int64, error) {
	var sync any
	if syncID != 0 {
		sync = syncID
	}
	var id int64
	err := db.db.QueryRowContext(ctx, `INSERT INTO snapshots (sync_id, key, same_as, created)
		SELECT CAST(? AS BIGINT), CAST(? AS TEXT), COALESCE(same_as, id), CAST(? AS BIGINT) FROM snapshots WHERE id = ? RETURNING id`,
		sync, key, db.now().Unix(), from).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, fmt.Errorf("save snapshot: no snapshot %d to repeat: %w", from, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("save snapshot: %w", translate(err))
	}
	return id, nil
}

// StateKey names what the statuses of every downstream depend on in the
// store: each ref's tip and synced scope, each base with the tips it was
// computed at, the overrides, annotations and ignore list, and the list
// states. Analyses add the analyzer's own version.
func (db *DB) StateKey(ctx context.Context) (string, error) {
	var b strings.Builder
	for _, q := range []string{
		`SELECT r.id || ':' || r.tip || ':' || r.scope_hash FROM refs r ORDER BY r.id`,
		`SELECT ref_id || ':' || oid || ':' || how || ':' || tip || ':' || upstream_tip FROM bases ORDER BY ref_id`,
		`SELECT downstream || ':' || upstream FROM overrides ORDER BY downstream`,
		`SELECT change || ':' || status || ':' || reason || ':' || detail FROM annotations ORDER BY change`,
		`SELECT target || ':' || kind || ':' || scope FROM ignores ORDER BY target, scope`,
		`SELECT source_id || ':' || message_id || ':' || state FROM postings WHERE state != '' ORDER BY source_id, message_id`,
	} {
		rows, err := db.db.QueryContext(ctx, q)
		if err != nil {
			return "", translate(err)
		}
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				rows.Close()
				return "", translate(err)
			}
			b.WriteString(line)
			b.WriteByte('\n')
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return "", translate(err)
		}
		b.WriteString("--\n")
	}
	return b.String(), nil
}

// SnapshotInfo describes a saved snapshot.
type SnapshotInfo struct {
	ID      int64
	Created time.Time
	// Of is the snapshot whose contents it repeats (itself when it was
	// computed); FixesSaved says whether its missing fixes and backports
	// were recorded.
	Of         int64
	FixesSaved bool
}

// SnapshotInfo returns one snapshot's description; ErrNotFound when there
// is no such snapshot.
func (db *DB) SnapshotInfo(ctx context.Context, id int64) (SnapshotInfo, error) {
	var s SnapshotInfo
	var created, fixes int64
	err := db.db.QueryRowContext(ctx, `SELECT n.id, n.created, COALESCE(n.same_as, n.id), o.fixes_saved FROM snapshots n
		JOIN snapshots o ON o.id = COALESCE(n.same_as, n.id) WHERE n.id = ?`, id).Scan(&s.ID, &created, &s.Of, &fixes)
	if err != nil {
		return SnapshotInfo{}, fmt.Errorf("snapshot %d: %w", id, translate(err))
	}
	s.Created = time.Unix(created, 0).UTC()
	s.FixesSaved = fixes == 1
	return s, nil
}

// SnapshotContents reads back what a snapshot holds of each downstream
// ref, by source and ref name.
func (db *DB) SnapshotContents(ctx context.Context, id int64) ([]SnapshotRef, error) {
	info, err := db.SnapshotInfo(ctx, id)
	if err != nil {
		return nil, err
	}
	refs := map[int64]*SnapshotRef{}
	var order []int64
	ref := func(refID int64, source, name string) *SnapshotRef {
		r := refs[refID]
		if r == nil {
			r = &SnapshotRef{RefID: refID, Source: source, Ref: name}
			refs[refID] = r
			order = append(order, refID)
		}
		return r
	}
	const names = ` JOIN refs r ON r.id = x.ref_id JOIN sources src ON src.id = r.source_id WHERE x.snapshot_id = ?`
	err = db.query(ctx, `SELECT x.ref_id, src.name, r.name, x.change, x.path, x.subject, x.status, x.detail FROM snapshot_statuses x`+names+
		` ORDER BY x.ref_id, x.change`, []any{info.Of}, func(rows *sql.Rows) error {
		var c ChangeStatus
		var refID int64
		var source, name string
		if err := rows.Scan(&refID, &source, &name, &c.Change, &c.Path, &c.Subject, &c.Status, &c.Detail); err != nil {
			return err
		}
		r := ref(refID, source, name)
		r.Statuses = append(r.Statuses, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = db.query(ctx, `SELECT x.ref_id, src.name, r.name, x.component, x.backported, x.missing, x.missing_fixes, x.carried FROM snapshot_counts x`+names+
		` ORDER BY x.ref_id, x.component`, []any{info.Of}, func(rows *sql.Rows) error {
		var c ComponentCount
		var refID int64
		var source, name string
		if err := rows.Scan(&refID, &source, &name, &c.Component, &c.Backported, &c.Missing, &c.MissingFixes, &c.Carried); err != nil {
			return err
		}
		r := ref(refID, source, name)
		r.Counts = append(r.Counts, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = db.query(ctx, `SELECT x.ref_id, src.name, r.name, x.commit_oid, x.subject, x.components FROM snapshot_missing_fixes x`+names+
		` ORDER BY x.ref_id, x.commit_oid`, []any{info.Of}, func(rows *sql.Rows) error {
		var f SnapshotFix
		var refID int64
		var source, name, comps string
		if err := rows.Scan(&refID, &source, &name, &f.Commit, &f.Subject, &comps); err != nil {
			return err
		}
		if comps != "" {
			f.Components = strings.Split(comps, ",")
		}
		r := ref(refID, source, name)
		r.MissingFixes = append(r.MissingFixes, f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = db.query(ctx, `SELECT x.ref_id, src.name, r.name, x.upstream_oid, x.subject, x.carried FROM snapshot_backports x`+names+
		` ORDER BY x.ref_id, x.upstream_oid`, []any{info.Of}, func(rows *sql.Rows) error {
		var b SnapshotBackport
		var refID int64
		var source, name, carried string
		if err := rows.Scan(&refID, &source, &name, &b.Upstream, &b.Subject, &carried); err != nil {
			return err
		}
		if carried != "" {
			b.Carried = strings.Split(carried, ",")
		}
		r := ref(refID, source, name)
		r.Backports = append(r.Backports, b)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]SnapshotRef, len(order))
	for i, id := range order {
		out[i] = *refs[id]
	}
	return out, nil
}

// CountPoint is a downstream ref's counts in one snapshot.
type CountPoint struct {
	Snapshot int64
	Created  time.Time
	Counts   []ComponentCount
}

// CountHistory returns a downstream ref's counts in every snapshot, oldest
// first; a snapshot that repeats an earlier one repeats its counts.
func (db *DB) CountHistory(ctx context.Context, refID int64) ([]CountPoint, error) {
	var out []CountPoint
	err := db.query(ctx, `SELECT n.id, n.created, c.component, c.backported, c.missing, c.missing_fixes, c.carried
		FROM snapshots n JOIN snapshot_counts c ON c.snapshot_id = COALESCE(n.same_as, n.id)
		WHERE c.ref_id = ? ORDER BY n.id, c.component`, []any{refID}, func(rows *sql.Rows) error {
		var id, created int64
		var c ComponentCount
		if err := rows.Scan(&id, &created, &c.Component, &c.Backported, &c.Missing, &c.MissingFixes, &c.Carried); err != nil {
			return err
		}
		if len(out) == 0 || out[len(out)-1].Snapshot != id {
			out = append(out, CountPoint{Snapshot: id, Created: time.Unix(created, 0).UTC()})
		}
		p := &out[len(out)-1]
		p.Counts = append(p.Counts, c)
		return nil
	})
	return out, err
}

// query runs q and calls fn for each row.
func (db *DB) query(ctx context.Context, q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return translate(err)
		}
	}
	return translate(rows.Err())
}
