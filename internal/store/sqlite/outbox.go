package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"picket/internal/notify"
	"picket/internal/store"
)

// Outbox is the notify.Outbox of a Store: the outbox table of migration 0003. Every write runs
// in the Store's single writer transaction (BEGIN IMMEDIATE), which makes Claim atomic across
// goroutines and processes sharing the file; List and Stats read through the read pool. It is
// safe for concurrent use.
type Outbox struct {
	s     *Store
	clock func() time.Time // stamps CreatedAt
}

var _ notify.Outbox = (*Outbox)(nil)

// Outbox returns the notification outbox of s.
func (s *Store) Outbox() notify.Outbox { return &Outbox{s: s, clock: time.Now} }

const (
	insertOutbox = `INSERT INTO outbox (id, receiver, state, attempts, next_attempt, created_at, retried_at, delivered_at, last_error, doc)
		VALUES (?, ?, 'pending', 0, ?, ?, ?, ?, '', ?) ON CONFLICT DO NOTHING`
	outboxColumns = `id, receiver, state, attempts, next_attempt, created_at, retried_at, delivered_at, last_error, doc`
	dueOutbox     = `FROM outbox WHERE receiver = ? AND state IN ('pending', 'delivering') AND next_attempt <= ?
		ORDER BY next_attempt, created_at, id LIMIT ?`
)

// zeroNanos is the encoding of the zero time.
const zeroNanos = math.MinInt64

// Enqueue implements notify.Outbox.Enqueue in one write transaction.
func (o *Outbox) Enqueue(ctx context.Context, ns []notify.Notification) error {
	rows, err := store.OutboxRows(ns)
	if err != nil {
		return fmt.Errorf("sqlite %s: %w", o.s.path, err)
	}
	if len(rows) == 0 {
		return nil
	}
	now := o.clock()
	if err := o.s.inTx(ctx, func(tx *sql.Tx) error { return enqueueTx(ctx, tx, now, rows) }); err != nil {
		return o.s.fail(ctx, fmt.Sprintf("enqueueing %d notifications", len(ns)), err)
	}
	return nil
}

// enqueueTx inserts rows (store.OutboxRows) as pending entries created at now, in tx, leaving
// the ids that exist as they are. It is the in-transaction enqueue of the alert pipeline: a
// change to alerts and the notifications it causes commit together (migrations/README.md).
func enqueueTx(ctx context.Context, tx *sql.Tx, now time.Time, rows []store.OutboxRow) error {
	st, err := tx.PrepareContext(ctx, insertOutbox)
	if err != nil {
		return err
	}
	defer st.Close()
	created := unixNanos(now)
	for _, r := range rows {
		if _, err := st.ExecContext(ctx, r.ID, r.Receiver, int64(zeroNanos), created, int64(zeroNanos), int64(zeroNanos), string(r.Doc)); err != nil {
			return fmt.Errorf("inserting outbox entry %s: %w", r.ID, err)
		}
	}
	return nil
}

// Claim implements notify.Outbox.Claim in one write transaction: the due entries in claim
// order, then one UPDATE of the same selection (nothing can change in between: the transaction
// holds the write lock).
func (o *Outbox) Claim(ctx context.Context, receiver string, now time.Time, limit int, lease time.Duration) ([]notify.Entry, error) {
	if limit <= 0 {
		return nil, ctx.Err()
	}
	var out []notify.Entry
	until := now.Add(lease)
	err := o.s.inTx(ctx, func(tx *sql.Tx) error {
		args := []any{receiver, unixNanos(now), limit}
		rows, err := tx.QueryContext(ctx, `SELECT `+outboxColumns+` `+dueOutbox, args...)
		if err != nil {
			return err
		}
		out, err = scanEntries(rows)
		if err != nil {
			return err
		}
		if len(out) == 0 {
			return nil
		}
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'delivering', attempts = attempts + 1, next_attempt = ?
			WHERE id IN (SELECT id `+dueOutbox+`)`, append([]any{unixNanos(until)}, args...)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != int64(len(out)) {
			return errors.Join(err, fmt.Errorf("claimed %d entries, selected %d", n, len(out)))
		}
		for i := range out {
			out[i].State = notify.StateDelivering
			out[i].Attempts++
			out[i].NextAttempt = until
		}
		return nil
	})
	if err != nil {
		return nil, o.s.fail(ctx, "claiming outbox entries of "+receiver, err)
	}
	return out, nil
}

// Complete implements notify.Outbox.Complete.
func (o *Outbox) Complete(ctx context.Context, id string, now time.Time) error {
	return o.change(ctx, "completing", id, `UPDATE outbox SET state = 'delivered', delivered_at = ?, next_attempt = ?
		WHERE id = ? AND state <> 'delivered'`, unixNanos(now), int64(zeroNanos), id)
}

// Fail implements notify.Outbox.Fail.
func (o *Outbox) Fail(ctx context.Context, id string, now, next time.Time, errText string, dead bool) error {
	state, at := notify.StatePending, unixNanos(next)
	if dead {
		state, at = notify.StateDead, zeroNanos
	}
	return o.change(ctx, "recording failure of", id, `UPDATE outbox SET state = ?, next_attempt = ?, last_error = ?
		WHERE id = ? AND state <> 'delivered'`, string(state), at, errText, id)
}

// change runs update, which changes entry id unless it is delivered, in a write transaction;
// when no row changed it tells a delivered entry (nothing to do) from a missing one.
func (o *Outbox) change(ctx context.Context, op, id, update string, args ...any) error {
	err := o.s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, update, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		_, err = entryState(ctx, tx, id)
		return err
	})
	return o.result(ctx, op, id, err)
}

// Retry implements notify.Outbox.Retry.
func (o *Outbox) Retry(ctx context.Context, id string, now time.Time) error {
	at := unixNanos(now)
	err := o.s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'pending', next_attempt = ?, attempts = 0, retried_at = ?
			WHERE id = ? AND state = 'dead'`, at, at, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		state, err := entryState(ctx, tx, id)
		if err != nil {
			return err
		}
		return store.CallerError{Err: fmt.Errorf("entry %s is %s: %w", id, state, notify.ErrNotDead)}
	})
	return o.result(ctx, "retrying", id, err)
}

// entryState returns the state of entry id, or a CallerError with notify.ErrEntryNotFound.
func entryState(ctx context.Context, tx *sql.Tx, id string) (string, error) {
	var state string
	err := tx.QueryRowContext(ctx, `SELECT state FROM outbox WHERE id = ?`, id).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return "", store.CallerError{Err: notify.ErrEntryNotFound}
	}
	return state, err
}

// result wraps the error of op on entry id: a CallerError (not found, not dead) with the
// file and id only, anything else as a storage failure.
func (o *Outbox) result(ctx context.Context, op, id string, err error) error {
	if err == nil {
		return nil
	}
	if cerr, ok := store.AsCallerError(err); ok && ctx.Err() == nil {
		return fmt.Errorf("sqlite %s: %s outbox entry %s: %w", o.s.path, op, id, cerr)
	}
	return o.s.fail(ctx, op+" outbox entry "+id, err)
}

// List implements notify.Outbox.List.
func (o *Outbox) List(ctx context.Context, q notify.OutboxQuery) ([]notify.Entry, error) {
	var where []string
	var args []any
	if q.Receiver != "" {
		where, args = append(where, "receiver = ?"), append(args, q.Receiver)
	}
	if states := store.OutboxStates(q); states != nil {
		where = append(where, "state IN (?"+strings.Repeat(", ?", len(states)-1)+")")
		for _, s := range states {
			args = append(args, s)
		}
	}
	query := `SELECT ` + outboxColumns + ` FROM outbox`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	limit := -1 // none
	if q.Limit > 0 {
		limit = q.Limit
	}
	query += " ORDER BY created_at, id LIMIT ?"
	rows, err := o.s.r.QueryContext(ctx, query, append(args, limit)...)
	if err != nil {
		return nil, o.s.fail(ctx, "listing outbox entries", err)
	}
	out, err := scanEntries(rows)
	if err != nil {
		return nil, o.s.fail(ctx, "listing outbox entries", err)
	}
	return out, nil
}

// Stats implements notify.Outbox.Stats with one grouped scan.
func (o *Outbox) Stats(ctx context.Context) ([]notify.ReceiverStats, error) {
	rows, err := o.s.r.QueryContext(ctx, `SELECT receiver, state, count(*), min(created_at) FROM outbox GROUP BY receiver, state`)
	if err != nil {
		return nil, o.s.fail(ctx, "counting outbox entries", err)
	}
	defer rows.Close()
	var groups []store.OutboxStatsRow
	for rows.Next() {
		var g store.OutboxStatsRow
		var state string
		var oldest int64
		if err := rows.Scan(&g.Receiver, &state, &g.Count, &oldest); err != nil {
			return nil, o.s.fail(ctx, "counting outbox entries", err)
		}
		g.State, g.Oldest = notify.State(state), fromUnixNanos(oldest)
		groups = append(groups, g)
	}
	if err := rows.Err(); err != nil {
		return nil, o.s.fail(ctx, "counting outbox entries", err)
	}
	out, err := store.OutboxStats(groups)
	if err != nil {
		return nil, fmt.Errorf("sqlite %s: %w", o.s.path, err)
	}
	return out, nil
}

// scanEntries reads rows of outboxColumns and closes them.
func scanEntries(rows *sql.Rows) ([]notify.Entry, error) {
	defer rows.Close()
	var out []notify.Entry
	for rows.Next() {
		var e notify.Entry
		var state string
		var doc []byte
		var next, created, retried, delivered int64
		if err := rows.Scan(&e.ID, &e.Receiver, &state, &e.Attempts, &next, &created, &retried, &delivered, &e.LastError, &doc); err != nil {
			return nil, err
		}
		n, err := store.DecodeNotification(e.ID, doc)
		if err != nil {
			return nil, err
		}
		e.Notification, e.State = n, notify.State(state)
		e.NextAttempt, e.CreatedAt = fromUnixNanos(next), fromUnixNanos(created)
		e.RetriedAt, e.DeliveredAt = fromUnixNanos(retried), fromUnixNanos(delivered)
		out = append(out, e)
	}
	return out, rows.Err()
}
