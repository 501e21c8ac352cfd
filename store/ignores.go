package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Ignore is one entry of the ignore list: an upstream commit, or the
// upstream commits touching a path, kept out of the missing lists of every
// downstream or of one.
type Ignore struct {
	Target  string // a 40-hex upstream id, or a path pattern
	Kind    string // "id" or "path"
	Scope   string // the downstream source it is for; "" for every downstream
	Reason  string
	Created time.Time
	Who     string // who made it ("" when not known); see DB.SetUser
}

// AddIgnore adds an ignore-list entry, or replaces the one with the same
// target and scope. It records the store's user (SetUser) as who made it,
// unless ig.Who names someone.
func (db *DB) AddIgnore(ctx context.Context, ig Ignore) error {
	who := ig.Who
	if who == "" {
		who = db.who.String()
	}
	_, err := db.db.ExecContext(ctx, `INSERT INTO ignores (target, kind, scope, reason, created, who) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT(target, scope) DO UPDATE SET kind = excluded.kind, reason = excluded.reason, created = excluded.created, who = excluded.who`,
		ig.Target, ig.Kind, ig.Scope, ig.Reason, db.now().Unix(), who)
	if err != nil {
		return fmt.Errorf("ignore %s: %w", ig.Target, translate(err))
	}
	return nil
}

// RemoveIgnore removes the ignore-list entry of a target and scope ("" for
// the one for every downstream); it says whether there was one.
func (db *DB) RemoveIgnore(ctx context.Context, target, scope string) (bool, error) {
	res, err := db.db.ExecContext(ctx, `DELETE FROM ignores WHERE target = ? AND scope = ?`, target, scope)
	if err != nil {
		return false, fmt.Errorf("unignore %s: %w", target, translate(err))
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Ignores returns the ignore list, by target, the entry for every
// downstream before those for one.
func (db *DB) Ignores(ctx context.Context) ([]Ignore, error) {
	var out []Ignore
	err := db.query(ctx, `SELECT target, kind, scope, reason, created, who FROM ignores ORDER BY target, scope`, nil, func(rows *sql.Rows) error {
		var ig Ignore
		var created int64
		if err := rows.Scan(&ig.Target, &ig.Kind, &ig.Scope, &ig.Reason, &created, &ig.Who); err != nil {
			return err
		}
		ig.Created = time.Unix(created, 0).UTC()
		out = append(out, ig)
		return nil
	})
	return out, err
}
