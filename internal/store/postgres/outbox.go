package postgres

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"picket/internal/notify"
	"picket/internal/store"
)

// Outbox is the notify.Outbox of a Store: the outbox table of migration 0003, shared by every
// instance on the schema. Claim takes due rows with FOR UPDATE SKIP LOCKED, so that dispatchers
// of several instances claim disjoint entries without waiting for each other; every other
// method is one statement. It is safe for concurrent use.
type Outbox struct {
	s     *Store
	clock func() time.Time // stamps CreatedAt
}

var _ notify.Outbox = (*Outbox)(nil)

// Outbox returns the notification outbox of s.
func (s *Store) Outbox() notify.Outbox { return &Outbox{s: s, clock: time.Now} }

// zeroNanos is the encoding of the zero time.
const zeroNanos int64 = math.MinInt64

const (
	outboxColumns = `id, receiver, state, attempts, next_attempt, created_at, retried_at, delivered_at, last_error, doc`
	insertOutbox  = `INSERT INTO outbox (id, receiver, state, attempts, next_attempt, created_at, retried_at, delivered_at, last_error, doc)
		SELECT id, receiver, 'pending', 0, $3, $4, $3, $3, '', doc
		FROM unnest($1::text[], $2::text[], $5::bytea[]) AS u(id, receiver, doc)
		ON CONFLICT (id) DO NOTHING`
	claimOutbox = `WITH due AS (
			SELECT id, next_attempt FROM outbox
			WHERE receiver = $1 AND state IN ('pending', 'delivering') AND next_attempt <= $2
			ORDER BY next_attempt, created_at, id LIMIT $3
			FOR UPDATE SKIP LOCKED)
		UPDATE outbox o SET state = 'delivering', attempts = o.attempts + 1, next_attempt = $4
		FROM due WHERE o.id = due.id
		RETURNING o.id, o.receiver, o.state, o.attempts, due.next_attempt, o.created_at, o.retried_at, o.delivered_at, o.last_error, o.doc`
	completeOutbox = `WITH u AS (
			UPDATE outbox SET state = 'delivered', delivered_at = $2, next_attempt = $3
			WHERE id = $1 AND state <> 'delivered' RETURNING 1)
		SELECT EXISTS (SELECT 1 FROM u) OR EXISTS (SELECT 1 FROM outbox WHERE id = $1)`
	failOutbox = `WITH u AS (
			UPDATE outbox SET state = $2, next_attempt = $3, last_error = $4
			WHERE id = $1 AND state <> 'delivered' RETURNING 1)
		SELECT EXISTS (SELECT 1 FROM u) OR EXISTS (SELECT 1 FROM outbox WHERE id = $1)`
	retryOutbox = `WITH u AS (
			UPDATE outbox SET state = 'pending', next_attempt = $2, attempts = 0, retried_at = $2
			WHERE id = $1 AND state = 'dead' RETURNING 1)
		SELECT EXISTS (SELECT 1 FROM u), (SELECT state FROM outbox WHERE id = $1)`
)

// Enqueue implements notify.Outbox.Enqueue with one INSERT … ON CONFLICT DO NOTHING of the
// batch in id order (concurrent batches with common ids wait for each other rather than
// deadlock).
func (o *Outbox) Enqueue(ctx context.Context, ns []notify.Notification) error {
	rows, err := store.OutboxRows(ns)
	if err != nil {
		return fmt.Errorf("postgres %s: %w", o.s.name, err)
	}
	if len(rows) == 0 {
		return nil
	}
	now := o.clock()
	return o.s.do(ctx, fmt.Sprintf("enqueueing %d notifications", len(ns)), true, func(ctx context.Context) error {
		return enqueueTx(ctx, o.s.pool, now, rows)
	})
}

// execer is what enqueueTx needs: a pool (its own transaction) or a pgx.Tx.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// enqueueTx inserts rows (store.OutboxRows) as pending entries created at now through db, a
// pgx.Tx or the pool, leaving the ids that exist as they are. Given the transaction of an
// alert change, it is the in-transaction enqueue of the alert pipeline: the change and the
// notifications it causes commit together (migrations/README.md).
func enqueueTx(ctx context.Context, db execer, now time.Time, rows []store.OutboxRow) error {
	ids, receivers, docs := make([]string, len(rows)), make([]string, len(rows)), make([][]byte, len(rows))
	for i, r := range rows {
		ids[i], receivers[i], docs[i] = r.ID, r.Receiver, r.Doc
	}
	_, err := db.Exec(ctx, insertOutbox, ids, receivers, zeroNanos, unixNanos(now), docs)
	return err
}

// Claim implements notify.Outbox.Claim with one UPDATE of the due rows it could lock (FOR
// UPDATE SKIP LOCKED: rows another instance is claiming are skipped, not waited for), ordered
// in Go by their NextAttempt before the claim.
func (o *Outbox) Claim(ctx context.Context, receiver string, now time.Time, limit int, lease time.Duration) ([]notify.Entry, error) {
	if limit <= 0 {
		return nil, ctx.Err()
	}
	until := now.Add(lease)
	var out []notify.Entry
	var prev []int64
	err := o.s.do(ctx, "claiming outbox entries of "+receiver, false, func(ctx context.Context) error {
		rows, err := o.s.pool.Query(ctx, claimOutbox, receiver, unixNanos(now), limit, unixNanos(until))
		if err != nil {
			return err
		}
		out, prev, err = scanEntries(rows)
		return err
	})
	if err != nil {
		return nil, err
	}
	order := make([]int, len(out))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(prev[a], prev[b]), out[a].CreatedAt.Compare(out[b].CreatedAt), strings.Compare(out[a].ID, out[b].ID))
	})
	sorted := make([]notify.Entry, len(out))
	for i, k := range order {
		sorted[i] = out[k]
		sorted[i].NextAttempt = until
	}
	return sorted, nil
}

// Complete implements notify.Outbox.Complete.
func (o *Outbox) Complete(ctx context.Context, id string, now time.Time) error {
	return o.change(ctx, "completing", id, completeOutbox, id, unixNanos(now), zeroNanos)
}

// Fail implements notify.Outbox.Fail. errText is stored as valid UTF-8 without NUL (text
// refuses both), so that no error text can make the failure impossible to record.
func (o *Outbox) Fail(ctx context.Context, id string, now, next time.Time, errText string, dead bool) error {
	state, at := notify.StatePending, unixNanos(next)
	if dead {
		state, at = notify.StateDead, zeroNanos
	}
	errText = strings.ReplaceAll(strings.ToValidUTF8(errText, "\uFFFD"), "\x00", "")
	return o.change(ctx, "recording failure of", id, failOutbox, id, string(state), at, errText)
}

// change runs query, which changes entry id unless it is delivered and reports whether the
// entry exists.
func (o *Outbox) change(ctx context.Context, op, id, query string, args ...any) error {
	var found bool
	err := o.s.do(ctx, op+" outbox entry "+id, true, func(ctx context.Context) error {
		return o.s.pool.QueryRow(ctx, query, args...).Scan(&found)
	})
	if err == nil && !found {
		err = fmt.Errorf("postgres %s: %s outbox entry %s: %w", o.s.name, op, id, notify.ErrEntryNotFound)
	}
	return err
}

// Retry implements notify.Outbox.Retry.
func (o *Outbox) Retry(ctx context.Context, id string, now time.Time) error {
	var retried bool
	var state *string
	err := o.s.do(ctx, "retrying outbox entry "+id, false, func(ctx context.Context) error {
		return o.s.pool.QueryRow(ctx, retryOutbox, id, unixNanos(now)).Scan(&retried, &state)
	})
	switch {
	case err != nil || retried:
		return err
	case state == nil:
		return fmt.Errorf("postgres %s: retrying outbox entry %s: %w", o.s.name, id, notify.ErrEntryNotFound)
	default:
		return fmt.Errorf("postgres %s: retrying outbox entry %s (%s): %w", o.s.name, id, *state, notify.ErrNotDead)
	}
}

// List implements notify.Outbox.List.
func (o *Outbox) List(ctx context.Context, q notify.OutboxQuery) ([]notify.Entry, error) {
	var where []string
	var args []any
	if q.Receiver != "" {
		args = append(args, q.Receiver)
		where = append(where, "receiver = $"+strconv.Itoa(len(args)))
	}
	if states := store.OutboxStates(q); states != nil {
		args = append(args, states)
		where = append(where, "state = ANY($"+strconv.Itoa(len(args))+"::text[])")
	}
	query := `SELECT ` + outboxColumns + ` FROM outbox`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY created_at, id"
	if q.Limit > 0 {
		args = append(args, q.Limit)
		query += " LIMIT $" + strconv.Itoa(len(args))
	}
	var out []notify.Entry
	err := o.s.do(ctx, "listing outbox entries", true, func(ctx context.Context) error {
		rows, err := o.s.pool.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		out, _, err = scanEntries(rows)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Stats implements notify.Outbox.Stats with one grouped scan.
func (o *Outbox) Stats(ctx context.Context) ([]notify.ReceiverStats, error) {
	var groups []store.OutboxStatsRow
	err := o.s.do(ctx, "counting outbox entries", true, func(ctx context.Context) error {
		groups = groups[:0]
		rows, err := o.s.pool.Query(ctx, `SELECT receiver, state, count(*), min(created_at) FROM outbox GROUP BY receiver, state`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var g store.OutboxStatsRow
			var state string
			var oldest int64
			if err := rows.Scan(&g.Receiver, &state, &g.Count, &oldest); err != nil {
				return err
			}
			g.State, g.Oldest = notify.State(state), fromUnixNanos(oldest)
			groups = append(groups, g)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	out, err := store.OutboxStats(groups)
	if err != nil {
		return nil, fmt.Errorf("postgres %s: %w", o.s.name, err)
	}
	return out, nil
}

// scanEntries reads rows of outboxColumns, closes them, and returns the entries with their
// next_attempt column as stored.
func scanEntries(rows pgx.Rows) ([]notify.Entry, []int64, error) {
	defer rows.Close()
	var out []notify.Entry
	var nexts []int64
	for rows.Next() {
		var e notify.Entry
		var state string
		var doc []byte
		var next, created, retried, delivered int64
		if err := rows.Scan(&e.ID, &e.Receiver, &state, &e.Attempts, &next, &created, &retried, &delivered, &e.LastError, &doc); err != nil {
			return nil, nil, err
		}
		n, err := store.DecodeNotification(e.ID, doc)
		if err != nil {
			return nil, nil, err
		}
		e.Notification, e.State = n, notify.State(state)
		e.NextAttempt, e.CreatedAt = fromUnixNanos(next), fromUnixNanos(created)
		e.RetriedAt, e.DeliveredAt = fromUnixNanos(retried), fromUnixNanos(delivered)
		out = append(out, e)
		nexts = append(nexts, next)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	return out, nexts, nil
}
