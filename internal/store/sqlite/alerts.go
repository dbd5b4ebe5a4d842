package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"picket/internal/alert"
	"picket/internal/store"
)

// Alerts is the alert.Repository (and alert.DetectionLister) of a Store: detections, alerts and
// silences in the tables of migration 0002. Writes go through the Store's single writer
// connection, so concurrent Ingest batches are serialised and never both create an alert for
// one fingerprint. It is safe for concurrent use.
type Alerts struct{ s *Store }

var (
	_ alert.Repository      = (*Alerts)(nil)
	_ alert.DetectionLister = (*Alerts)(nil)
)

// Alerts returns the alert repository of s. (It is a value of its own, not methods of Store:
// alert.Repository's Get would clash with correlate.State's.)
func (s *Store) Alerts() alert.Repository { return &Alerts{s: s} }

// listPage bounds the rows one List query reads when filters must run in Go (text search).
const listPage = 500

const (
	insertDetection = `INSERT INTO detections (id, rule_id, event_id, event_time, source, raw, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
	selectCandidates = `SELECT id, doc FROM alerts WHERE fingerprint = ? AND last_seen >= ? AND first_seen <= ?`
	upsertAlert      = `INSERT INTO alerts (id, fingerprint, rule_id, source, level, status, first_seen, last_seen, last_detected_at, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, rule_id = excluded.rule_id,
			source = excluded.source, level = excluded.level, status = excluded.status,
			first_seen = excluded.first_seen, last_seen = excluded.last_seen,
			last_detected_at = excluded.last_detected_at, doc = excluded.doc`
	linkDetection = `UPDATE detections SET alert_id = ? WHERE id = ?`
)

// Ingest implements alert.Repository.Ingest in one write transaction: per detection an
// INSERT … ON CONFLICT DO NOTHING (no row inserted: a duplicate), the candidates by fingerprint
// and window from the index, fold; then the changed alerts are upserted and the new detections
// linked to them.
func (r *Alerts) Ingest(ctx context.Context, ds []*alert.Detection, window time.Duration, fold alert.FoldFunc) ([]*alert.Alert, error) {
	var out []*alert.Alert
	err := r.s.inTx(ctx, func(tx *sql.Tx) error {
		b := store.NewFoldBatch(window)
		ids := make([]string, len(ds))
		ins, err := tx.PrepareContext(ctx, insertDetection)
		if err != nil {
			return err
		}
		defer ins.Close()
		sel, err := tx.PrepareContext(ctx, selectCandidates)
		if err != nil {
			return err
		}
		defer sel.Close()
		for i, d := range ds {
			doc, err := detectionDoc(d)
			if err != nil {
				return err
			}
			res, err := ins.ExecContext(ctx, d.ID, d.RuleID, d.EventID, unixNanos(d.EventTime), d.Source, []byte(d.Raw), doc)
			if err != nil {
				return fmt.Errorf("inserting detection %s: %w", d.ID, err)
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				if err != nil {
					return err
				}
				continue // stored before, or earlier in the batch
			}
			stored, err := candidates(ctx, sel, b, d)
			if err != nil {
				return err
			}
			if ids[i], err = b.Fold(d, stored, fold); err != nil {
				return err
			}
		}
		up, err := tx.PrepareContext(ctx, upsertAlert)
		if err != nil {
			return err
		}
		defer up.Close()
		for _, id := range b.Order {
			if err := execUpsert(ctx, up, b.Changed[id]); err != nil {
				return err
			}
		}
		link, err := tx.PrepareContext(ctx, linkDetection)
		if err != nil {
			return err
		}
		defer link.Close()
		for i, d := range ds {
			if ids[i] == "" {
				continue
			}
			if _, err := link.ExecContext(ctx, ids[i], d.ID); err != nil {
				return fmt.Errorf("linking detection %s: %w", d.ID, err)
			}
		}
		out = b.Results(ids)
		return nil
	})
	if err != nil {
		if ferr, ok := store.AsCallerError(err); ok {
			return nil, ferr
		}
		return nil, r.s.fail(ctx, fmt.Sprintf("ingesting %d detections", len(ds)), err)
	}
	return out, nil
}

// candidates returns the stored alerts of d's fingerprint whose span meets d's window, except
// those the batch has changed (it holds their current state).
func candidates(ctx context.Context, sel *sql.Stmt, b *store.FoldBatch, d *alert.Detection) ([]*alert.Alert, error) {
	rows, err := sel.QueryContext(ctx, d.Fingerprint, unixNanos(d.EventTime.Add(-b.Window)), unixNanos(d.EventTime.Add(b.Window)))
	if err != nil {
		return nil, fmt.Errorf("reading candidate alerts: %w", err)
	}
	defer rows.Close()
	var out []*alert.Alert
	for rows.Next() {
		var id string
		var doc []byte
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, fmt.Errorf("reading candidate alerts: %w", err)
		}
		if _, ok := b.Changed[id]; ok {
			continue
		}
		a, err := decodeAlert(id, doc)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func execUpsert(ctx context.Context, st *sql.Stmt, a *alert.Alert) error {
	doc, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("encoding alert %s: %w", a.ID, err)
	}
	_, err = st.ExecContext(ctx, a.ID, a.Fingerprint, a.RuleID, a.Source, int64(a.Level), string(a.Status),
		unixNanos(a.FirstSeen), unixNanos(a.LastSeen), unixNanos(a.LastDetectedAt), string(doc))
	if err != nil {
		return fmt.Errorf("storing alert %s: %w", a.ID, err)
	}
	return nil
}

// detectionDoc encodes d without what has columns of its own (raw) or is set later (alert id).
func detectionDoc(d *alert.Detection) (string, error) {
	c := *d
	c.Raw, c.AlertID = nil, ""
	doc, err := json.Marshal(&c)
	if err != nil {
		return "", fmt.Errorf("encoding detection %s: %w", d.ID, err)
	}
	return string(doc), nil
}

// decodeAlert decodes the doc of alert id; a bad document is store.ErrCorrupt.
func decodeAlert(id string, doc []byte) (*alert.Alert, error) {
	a := new(alert.Alert)
	if err := json.Unmarshal(doc, a); err != nil {
		return nil, fmt.Errorf("decoding alert %s: %w: %w", id, store.ErrCorrupt, err)
	}
	return a, nil
}

// Update implements alert.Repository.Update: read, fn, write in one write transaction. fn may
// not change the alert's id or fingerprint.
func (r *Alerts) Update(ctx context.Context, id string, fn func(*alert.Alert) error) (*alert.Alert, error) {
	var out *alert.Alert
	err := r.s.inTx(ctx, func(tx *sql.Tx) error {
		var doc []byte
		err := tx.QueryRowContext(ctx, `SELECT doc FROM alerts WHERE id = ?`, id).Scan(&doc)
		if errors.Is(err, sql.ErrNoRows) {
			return store.CallerError{Err: fmt.Errorf("sqlite %s: alert %s: %w", r.s.path, id, alert.ErrNotFound)}
		}
		if err != nil {
			return err
		}
		a, err := decodeAlert(id, doc)
		if err != nil {
			return err
		}
		fp := a.Fingerprint
		if err := fn(a); err != nil {
			return store.CallerError{Err: err}
		}
		a.ID, a.Fingerprint = id, fp
		st, err := tx.PrepareContext(ctx, upsertAlert)
		if err != nil {
			return err
		}
		defer st.Close()
		if err := execUpsert(ctx, st, a); err != nil {
			return err
		}
		out = a.Clone()
		return nil
	})
	if err != nil {
		if cerr, ok := store.AsCallerError(err); ok {
			return nil, cerr
		}
		return nil, r.s.fail(ctx, "updating alert "+id, err)
	}
	return out, nil
}

// Get implements alert.Repository.Get.
func (r *Alerts) Get(ctx context.Context, id string) (*alert.Alert, error) {
	var doc []byte
	err := r.s.r.QueryRowContext(ctx, `SELECT doc FROM alerts WHERE id = ?`, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlite %s: alert %s: %w", r.s.path, id, alert.ErrNotFound)
	}
	if err != nil {
		return nil, r.s.fail(ctx, "reading alert "+id, err)
	}
	a, err := decodeAlert(id, doc)
	if err != nil {
		return nil, fmt.Errorf("sqlite %s: %w", r.s.path, err)
	}
	return a, nil
}

// List implements alert.Repository.List. Every filter but Text is SQL; the rows come in List
// order from keyset pages ((last_seen, id) before the cursor), at most listPage (or the limit)
// at a time, so that a text search reads only as far as it needs to.
func (r *Alerts) List(ctx context.Context, q alert.Query) ([]*alert.Alert, error) {
	var after *keyset
	if q.After != "" {
		seen, id, err := alert.ParseCursor(q.After)
		if err != nil {
			return nil, err
		}
		after = &keyset{unixNanos(seen), id}
	}
	where, args := listFilters(q)
	page := listPage
	if q.Text == "" && q.Limit > 0 {
		page = q.Limit
	}
	out := []*alert.Alert{}
	for {
		cond, cargs := where, args
		if after != nil {
			cond = append(cond[:len(cond):len(cond)], `(last_seen < ? OR (last_seen = ? AND id < ?))`)
			cargs = append(cargs[:len(cargs):len(cargs)], after.lastSeen, after.lastSeen, after.id)
		}
		query := `SELECT id, last_seen, doc FROM alerts`
		if len(cond) > 0 {
			query += ` WHERE ` + strings.Join(cond, ` AND `)
		}
		query += ` ORDER BY last_seen DESC, id DESC LIMIT ?`
		n, last, err := r.listPage(ctx, query, append(cargs, page), &q, &out)
		if err != nil {
			return nil, err
		}
		if q.Limit > 0 && len(out) >= q.Limit {
			return out[:q.Limit], nil
		}
		if n < page {
			return out, nil
		}
		after = &last
	}
}

// keyset is a position in List order.
type keyset struct {
	lastSeen int64
	id       string
}

// listPage runs one page query, appends the alerts that match q to out, and returns how many
// rows it read and the position of the last one.
func (r *Alerts) listPage(ctx context.Context, query string, args []any, q *alert.Query, out *[]*alert.Alert) (int, keyset, error) {
	rows, err := r.s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, keyset{}, r.s.fail(ctx, "listing alerts", err)
	}
	defer rows.Close()
	n, last := 0, keyset{}
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&last.id, &last.lastSeen, &doc); err != nil {
			return 0, keyset{}, r.s.fail(ctx, "listing alerts", err)
		}
		n++
		a, err := decodeAlert(last.id, doc)
		if err != nil {
			return 0, keyset{}, fmt.Errorf("sqlite %s: %w", r.s.path, err)
		}
		if q.Match(a) {
			*out = append(*out, a)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, keyset{}, r.s.fail(ctx, "listing alerts", err)
	}
	return n, last, nil
}

// listFilters returns the SQL conditions of q's filters but Text.
func listFilters(q alert.Query) ([]string, []any) {
	var cond []string
	var args []any
	if len(q.Status) > 0 {
		cond = append(cond, `status IN (?`+strings.Repeat(`, ?`, len(q.Status)-1)+`)`)
		for _, s := range q.Status {
			args = append(args, string(s))
		}
	}
	if q.MinLevel > 0 {
		cond, args = append(cond, `level >= ?`), append(args, int64(q.MinLevel))
	}
	if q.RuleID != "" {
		cond, args = append(cond, `rule_id = ?`), append(args, q.RuleID)
	}
	if q.Source != "" {
		cond, args = append(cond, `source = ?`), append(args, q.Source)
	}
	if !q.Since.IsZero() {
		cond, args = append(cond, `last_seen >= ?`), append(args, unixNanos(q.Since))
	}
	if !q.Until.IsZero() {
		cond, args = append(cond, `last_seen < ?`), append(args, unixNanos(q.Until))
	}
	if !q.DetectedBefore.IsZero() {
		cond, args = append(cond, `last_detected_at < ?`), append(args, unixNanos(q.DetectedBefore))
	}
	return cond, args
}
