package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// ResultFile is an imported results file.
type ResultFile struct {
	Digest string // sha256 of the file's bytes, hex
	Name   string
	Format string
}

// TestTarget is what a result ran on.
type TestTarget struct {
	ID     int64
	Source string
	Label  string    // a tag, ref or commit id, as named
	Commit string    // the commit, "" for a source without commits
	Time   time.Time // the commit's committer time; orders a source's targets
}

// TestResult is one stored interop test outcome.
type TestResult struct {
	Target     TestTarget
	Lab        string
	Hardware   string
	Suite      string
	Path       string
	Status     string
	Started    time.Time // zero when unknown
	Duration   time.Duration
	LogURL     string
	Message    string
	Properties map[string]string
	File       string // the results file it came from
}

// ImportResults stores the results of one file in one transaction. A file
// already imported (by digest) adds nothing and reports dup; a result equal
// to a stored one (same target, lab, hardware, test and start) is skipped.
// It returns how many results were added.
func (db *DB) ImportResults(ctx context.Context, f ResultFile, results []TestResult) (added int, dup bool, err error) {
	return db.ImportResultsFrom(ctx, f, func(put func([]TestResult) error) error { return put(results) })
}

// ImportResultsFrom stores the results of one file in one transaction, as
// ImportResults, taking them in batches: fill calls put with each batch
// (which put does not keep), so that a file of millions of results is
// never held whole. When fill fails, nothing of the file is stored. fill
// is called again, from its start, if PostgreSQL asks for the transaction
// to be run again; not at all when the file was imported before.
func (db *DB) ImportResultsFrom(ctx context.Context, f ResultFile, fill func(put func([]TestResult) error) error) (added int, dup bool, err error) {
	err = db.inTx(ctx, func(tx *conn) error {
		added, dup = 0, false
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM result_files WHERE digest = ?`, f.Digest).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			dup = true
			return nil
		}
		var fileID int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO result_files (digest, name, format, imported, cases) VALUES (?, ?, ?, ?, 0) RETURNING id`,
			f.Digest, f.Name, f.Format, db.now().Unix()).Scan(&fileID); err != nil {
			return err
		}
		targets := map[TestTarget]int64{}
		var rows [][]any
		put := func(results []TestResult) error {
			rows = rows[:0]
			for _, r := range results {
				t := r.Target
				t.ID = 0
				tid, ok := targets[t]
				if !ok {
					var err error
					if tid, err = putTarget(ctx, tx, t); err != nil {
						return err
					}
					targets[t] = tid
				}
				props := "{}"
				if len(r.Properties) > 0 {
					b, err := json.Marshal(r.Properties)
					if err != nil {
						return err
					}
					props = string(b)
				}
				var started int64
				if !r.Started.IsZero() {
					started = r.Started.Unix()
				}
				rows = append(rows, []any{fileID, tid, r.Lab, r.Hardware, r.Suite, r.Path, r.Status,
					started, r.Duration.Milliseconds(), r.LogURL, r.Message, props})
			}
			// A result equal to a stored one, or to one before it in the file, is not added.
			err := tx.insertRows(ctx, `INSERT INTO test_results (file_id, target_id, lab, hardware, suite, path, status,
				started, duration_ms, log_url, message, properties)`, `ON CONFLICT DO NOTHING RETURNING id`, rows, func(*sql.Rows) error {
				added++
				return nil
			})
			clear(rows)
			return err
		}
		if err := fill(put); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE result_files SET cases = ? WHERE id = ?`, added, fileID)
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("import results of %s: %w", f.Name, translate(err))
	}
	return added, dup, nil
}

func putTarget(ctx context.Context, tx *conn, t TestTarget) (int64, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO test_targets (source, label, commit_oid, commit_time) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		t.Source, t.Label, t.Commit, t.Time.Unix()); err != nil {
		return 0, err
	}
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM test_targets WHERE source = ? AND commit_oid = ? AND label = ?`,
		t.Source, t.Commit, t.Label).Scan(&id)
	return id, err
}

// ResultQuery selects stored results; empty fields select everything.
type ResultQuery struct {
	Source string // the target's source
	Path   string // the test path, exactly
	// ImportedBy, when not zero, leaves out results imported after it (the
	// results as they stood at a snapshot).
	ImportedBy time.Time
}

// TestResults returns the stored results that q selects, oldest target
// first, then by start time.
func (db *DB) TestResults(ctx context.Context, q ResultQuery) ([]TestResult, error) {
	var where []string
	var args []any
	if q.Source != "" {
		where = append(where, "t.source = ?")
		args = append(args, q.Source)
	}
	if q.Path != "" {
		where = append(where, "r.path = ?")
		args = append(args, q.Path)
	}
	if !q.ImportedBy.IsZero() {
		where = append(where, "f.imported <= ?")
		args = append(args, q.ImportedBy.Unix())
	}
	query := `SELECT t.id, t.source, t.label, t.commit_oid, t.commit_time, r.lab, r.hardware, r.suite, r.path, r.status,
		r.started, r.duration_ms, r.log_url, r.message, r.properties, f.name
		FROM test_results r JOIN test_targets t ON t.id = r.target_id JOIN result_files f ON f.id = r.file_id`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY t.commit_time, t.id, r.started, r.id"
	rows, err := db.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []TestResult
	for rows.Next() {
		var r TestResult
		var ctime, started, ms int64
		var props string
		if err := rows.Scan(&r.Target.ID, &r.Target.Source, &r.Target.Label, &r.Target.Commit, &ctime, &r.Lab, &r.Hardware,
			&r.Suite, &r.Path, &r.Status, &started, &ms, &r.LogURL, &r.Message, &props, &r.File); err != nil {
			return nil, translate(err)
		}
		r.Target.Time = time.Unix(ctime, 0).UTC()
		if started != 0 {
			r.Started = time.Unix(started, 0).UTC()
		}
		r.Duration = time.Duration(ms) * time.Millisecond
		if props != "{}" && props != "" {
			if err := json.Unmarshal([]byte(props), &r.Properties); err != nil {
				return nil, fmt.Errorf("test result %s: properties: %w", r.Path, ErrCorrupt)
			}
		}
		out = append(out, r)
	}
	return out, translate(rows.Err())
}

// TestPaths returns the distinct test paths stored, sorted, for hints.
func (db *DB) TestPaths(ctx context.Context) ([]string, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT DISTINCT path FROM test_results ORDER BY path`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, translate(err)
		}
		out = append(out, p)
	}
	return out, translate(rows.Err())
}
