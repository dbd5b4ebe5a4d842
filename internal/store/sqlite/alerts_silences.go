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

// CreateSilence implements alert.Repository.CreateSilence.
func (r *Alerts) CreateSilence(ctx context.Context, s alert.Silence) error {
	doc, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("sqlite %s: encoding silence %s: %w", r.s.path, s.ID, err)
	}
	res, err := r.s.w.ExecContext(ctx, `INSERT INTO silences (id, created_at, ends_at, doc) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, s.ID, unixNanos(s.CreatedAt), unixNanos(s.EndsAt), string(doc))
	if err != nil {
		return r.s.fail(ctx, "creating silence "+s.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return r.s.fail(ctx, "creating silence "+s.ID, err)
	} else if n == 0 {
		return fmt.Errorf("sqlite %s: silence %s: %w", r.s.path, s.ID, alert.ErrDuplicate)
	}
	return nil
}

// UpdateSilence implements alert.Repository.UpdateSilence.
func (r *Alerts) UpdateSilence(ctx context.Context, id string, fn func(*alert.Silence) error) (alert.Silence, error) {
	var out alert.Silence
	err := r.s.inTx(ctx, func(tx *sql.Tx) error {
		var doc []byte
		err := tx.QueryRowContext(ctx, `SELECT doc FROM silences WHERE id = ?`, id).Scan(&doc)
		if errors.Is(err, sql.ErrNoRows) {
			return store.CallerError{Err: fmt.Errorf("sqlite %s: silence %s: %w", r.s.path, id, alert.ErrNotFound)}
		}
		if err != nil {
			return err
		}
		var s alert.Silence
		if err := json.Unmarshal(doc, &s); err != nil {
			return fmt.Errorf("decoding silence %s: %w: %w", id, store.ErrCorrupt, err)
		}
		if err := fn(&s); err != nil {
			return store.CallerError{Err: err}
		}
		s.ID = id
		if doc, err = json.Marshal(s); err != nil {
			return fmt.Errorf("encoding silence %s: %w", id, err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE silences SET created_at = ?, ends_at = ?, doc = ? WHERE id = ?`,
			unixNanos(s.CreatedAt), unixNanos(s.EndsAt), string(doc), id)
		out = s.Clone()
		return err
	})
	if err != nil {
		if cerr, ok := store.AsCallerError(err); ok {
			return alert.Silence{}, cerr
		}
		return alert.Silence{}, r.s.fail(ctx, "updating silence "+id, err)
	}
	return out, nil
}

// Silences implements alert.Repository.Silences, from the index on ends_at.
func (r *Alerts) Silences(ctx context.Context, endsAfter time.Time) ([]alert.Silence, error) {
	query, args := `SELECT id, doc FROM silences ORDER BY created_at, id`, []any(nil)
	if !endsAfter.IsZero() {
		query, args = `SELECT id, doc FROM silences WHERE ends_at > ? ORDER BY created_at, id`, []any{unixNanos(endsAfter)}
	}
	rows, err := r.s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, r.s.fail(ctx, "listing silences", err)
	}
	defer rows.Close()
	out := []alert.Silence{}
	for rows.Next() {
		var id string
		var doc []byte
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, r.s.fail(ctx, "listing silences", err)
		}
		var s alert.Silence
		if err := json.Unmarshal(doc, &s); err != nil {
			return nil, fmt.Errorf("sqlite %s: decoding silence %s: %w: %w", r.s.path, id, store.ErrCorrupt, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, r.s.fail(ctx, "listing silences", err)
	}
	return out, nil
}

// Detections implements alert.DetectionLister: newest event time first, then by id, every
// filter in SQL.
func (r *Alerts) Detections(ctx context.Context, q alert.DetectionQuery) ([]*alert.Detection, error) {
	var cond []string
	var args []any
	cond = append(cond, `alert_id IS NOT NULL`)
	if q.RuleID != "" {
		cond, args = append(cond, `rule_id = ?`), append(args, q.RuleID)
	}
	if q.AlertID != "" {
		cond, args = append(cond, `alert_id = ?`), append(args, q.AlertID)
	}
	if q.Source != "" {
		cond, args = append(cond, `source = ?`), append(args, q.Source)
	}
	if !q.Since.IsZero() {
		cond, args = append(cond, `event_time >= ?`), append(args, unixNanos(q.Since))
	}
	if !q.Until.IsZero() {
		cond, args = append(cond, `event_time < ?`), append(args, unixNanos(q.Until))
	}
	limit := q.Limit
	switch {
	case limit <= 0:
		limit = alert.DefaultLimit
	case limit > alert.MaxLimit:
		limit = alert.MaxLimit
	}
	rows, err := r.s.r.QueryContext(ctx, `SELECT id, alert_id, raw, doc FROM detections WHERE `+strings.Join(cond, ` AND `)+
		` ORDER BY event_time DESC, id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, r.s.fail(ctx, "listing detections", err)
	}
	defer rows.Close()
	out := []*alert.Detection{}
	for rows.Next() {
		var id, alertID string
		var raw, doc []byte
		if err := rows.Scan(&id, &alertID, &raw, &doc); err != nil {
			return nil, r.s.fail(ctx, "listing detections", err)
		}
		d := new(alert.Detection)
		if err := json.Unmarshal(doc, d); err != nil {
			return nil, fmt.Errorf("sqlite %s: decoding detection %s: %w: %w", r.s.path, id, store.ErrCorrupt, err)
		}
		d.AlertID = alertID
		if len(raw) > 0 {
			d.Raw = raw
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, r.s.fail(ctx, "listing detections", err)
	}
	return out, nil
}
