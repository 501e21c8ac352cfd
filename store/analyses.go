package store

import (
	"context"
	"crypto/sha1"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"
)

// SetOverride pairs a downstream commit with upstream commits by hand; an
// empty list says it has no upstream counterpart. It records the store's
// user (SetUser) as who made it.
func (db *DB) SetOverride(ctx context.Context, downstream string, upstream []string) error {
	if upstream == nil {
		upstream = []string{}
	}
	b, err := json.Marshal(upstream)
	if err != nil {
		return err
	}
	_, err = db.db.ExecContext(ctx, `INSERT INTO overrides (downstream, upstream, created, who) VALUES (?, ?, ?, ?)
		ON CONFLICT(downstream) DO UPDATE SET upstream = excluded.upstream, created = excluded.created, who = excluded.who`,
		downstream, string(b), db.now().Unix(), db.who.String())
	if err != nil {
		return fmt.Errorf("set override: %w", translate(err))
	}
	return nil
}

// UnsetOverride removes a manual pairing; it says whether there was one.
func (db *DB) UnsetOverride(ctx context.Context, downstream string) (bool, error) {
	res, err := db.db.ExecContext(ctx, `DELETE FROM overrides WHERE downstream = ?`, downstream)
	if err != nil {
		return false, fmt.Errorf("unset override: %w", translate(err))
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Overrides returns every manual pairing, and a digest of them all.
func (db *DB) Overrides(ctx context.Context) (map[string][]string, string, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT downstream, upstream FROM overrides ORDER BY downstream`)
	if err != nil {
		return nil, "", translate(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	h := sha1.New()
	for rows.Next() {
		var d, u string
		if err := rows.Scan(&d, &u); err != nil {
			return nil, "", translate(err)
		}
		var ups []string
		if err := json.Unmarshal([]byte(u), &ups); err != nil {
			return nil, "", fmt.Errorf("override of %s: %w", d, err)
		}
		sort.Strings(ups)
		out[d] = ups
		fmt.Fprintf(h, "%s=%v;", d, ups)
	}
	return out, hex.EncodeToString(h.Sum(nil)), translate(rows.Err())
}

// Override is a manual pairing with who made it and when.
type Override struct {
	Downstream string
	Upstream   []string // sorted; empty: by hand, none
	Created    time.Time
	Who        string // "" when not known
}

// OverrideEntries returns every manual pairing with who made it and when,
// by downstream id.
func (db *DB) OverrideEntries(ctx context.Context) ([]Override, error) {
	var out []Override
	err := db.query(ctx, `SELECT downstream, upstream, created, who FROM overrides ORDER BY downstream`, nil, func(rows *sql.Rows) error {
		var o Override
		var u string
		var created int64
		if err := rows.Scan(&o.Downstream, &u, &created, &o.Who); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(u), &o.Upstream); err != nil {
			return fmt.Errorf("override of %s: %w", o.Downstream, ErrCorrupt)
		}
		sort.Strings(o.Upstream)
		o.Created = time.Unix(created, 0).UTC()
		out = append(out, o)
		return nil
	})
	return out, err
}

// Analysis returns the stored analysis of a ref if it was made with key.
func (db *DB) Analysis(ctx context.Context, refID int64, key string) ([]byte, bool, error) {
	var b []byte
	err := db.db.QueryRowContext(ctx, `SELECT result FROM analyses WHERE ref_id = ? AND key = ?`, refID, key).Scan(&b)
	if err == sql.ErrNoRows {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("analysis: %w", translate(err))
	}
	return b, true, nil
}

// PutAnalysis keeps the analysis of a ref, made with key. The analysis is
// a cache, and a reader must not wait for a writer: a read-only store
// keeps none, and a SQLite store that another run is writing keeps none
// now rather than wait for it (the next reader computes it again).
func (db *DB) PutAnalysis(ctx context.Context, refID int64, key string, result []byte) error {
	if db.readOnly {
		return nil
	}
	const q = `INSERT INTO analyses (ref_id, key, result, created) VALUES (?, ?, ?, ?)
		ON CONFLICT(ref_id) DO UPDATE SET key = excluded.key, result = excluded.result, created = excluded.created`
	args := []any{refID, key, result, db.now().Unix()}
	var err error
	if db.d == sqliteDialect && !db.view {
		err = db.withoutWaiting(ctx, func(c *conn) error {
			_, err := c.ExecContext(ctx, q, args...)
			return err
		})
	} else {
		_, err = db.db.ExecContext(ctx, q, args...)
	}
	err = translate(err)
	if errors.Is(err, ErrBusy) || errors.Is(err, ErrReadOnly) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("put analysis: %w", err)
	}
	return nil
}

// withoutWaiting runs fn on a SQLite connection that fails at once with
// ErrBusy, instead of waiting, when another process is writing.
func (db *DB) withoutWaiting(ctx context.Context, fn func(c *conn) error) error {
	c, err := db.pool.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, `PRAGMA busy_timeout = 0`); err != nil {
		return err
	}
	defer c.ExecContext(context.WithoutCancel(ctx), `PRAGMA busy_timeout = 10000`)
	return fn(&conn{r: c, d: db.d, autocommit: true})
}
