package store

import (
	"context"
	"database/sql"
	"strings"
)

// runner is what a query runs on: the pool, or one transaction.
type runner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn runs the package's queries, written with "?" placeholders, in the
// store's dialect. On the pool (autocommit), a statement PostgreSQL
// aborted for a deadlock is run again.
type conn struct {
	r          runner
	d          dialect
	autocommit bool
	// seen, in a view (DB.Consistent), keeps the first error that asks
	// for the whole view to be run again: a caller may have taken it for
	// an answer, and the view's transaction is lost after it.
	seen *error
}

// note keeps err in seen when it asks for the view to be run again.
func (c *conn) note(err error) {
	if err != nil && c.seen != nil && *c.seen == nil && retryable(err) {
		*c.seen = err
	}
}

func (c *conn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	q = c.d.rebind(q)
	args = c.d.values(args)
	for attempt := 1; ; attempt++ {
		res, err := c.r.ExecContext(ctx, q, args...)
		c.note(err)
		if err == nil || !c.autocommit || !retryable(err) || attempt == maxAttempts {
			return res, err
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
	}
}

func (c *conn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	rows, err := c.r.QueryContext(ctx, c.d.rebind(q), c.d.values(args)...)
	c.note(err)
	return rows, err
}

func (c *conn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return c.r.QueryRowContext(ctx, c.d.rebind(q), c.d.values(args)...)
}

// insertRows runs "head VALUES (?,..),(?,..) tail" for rows, as many rows
// to a statement as the dialect takes placeholders, and calls got (when
// not nil) with the rows the statement returns (tail's RETURNING).
func (c *conn) insertRows(ctx context.Context, head, tail string, rows [][]any, got func(*sql.Rows) error) error {
	if len(rows) == 0 {
		return nil
	}
	width := len(rows[0])
	per := min(c.d.maxVars()/width, 1000)
	one := "(" + placeholders(width) + ")"
	for len(rows) > 0 {
		n := min(per, len(rows))
		part := rows[:n]
		rows = rows[n:]
		var b strings.Builder
		b.WriteString(head)
		b.WriteString(" VALUES ")
		args := make([]any, 0, n*width)
		for i, r := range part {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(one)
			args = append(args, r...)
		}
		b.WriteString(" ")
		b.WriteString(tail)
		if got == nil {
			if _, err := c.ExecContext(ctx, b.String(), args...); err != nil {
				return err
			}
			continue
		}
		rs, err := c.QueryContext(ctx, b.String(), args...)
		if err != nil {
			return err
		}
		for rs.Next() {
			if err := got(rs); err != nil {
				rs.Close()
				return err
			}
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return err
		}
	}
	return nil
}
