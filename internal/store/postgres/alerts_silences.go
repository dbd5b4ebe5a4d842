package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"picket/internal/alert"
	"picket/internal/store"
)

// CreateSilence implements alert.Repository.CreateSilence.
func (r *Alerts) CreateSilence(ctx context.Context, s alert.Silence) error {
	doc, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("postgres %s: encoding silence %s: %w", r.s.name, s.ID, err)
	}
	var n int64
	err = r.s.do(ctx, "creating silence "+s.ID, true, func(ctx context.Context) error {
		tag, err := r.s.pool.Exec(ctx, `INSERT INTO silences (id, created_at, ends_at, doc) VALUES ($1, $2, $3, $4::json)
			ON CONFLICT DO NOTHING`, s.ID, unixNanos(s.CreatedAt), unixNanos(s.EndsAt), string(doc))
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("postgres %s: silence %s: %w", r.s.name, s.ID, alert.ErrDuplicate)
	}
	return nil
}

// UpdateSilence implements alert.Repository.UpdateSilence; the row is read FOR UPDATE.
func (r *Alerts) UpdateSilence(ctx context.Context, id string, fn func(*alert.Silence) error) (alert.Silence, error) {
	var out alert.Silence
	err := r.s.do(ctx, "updating silence "+id, false, func(ctx context.Context) error {
		return pgx.BeginFunc(ctx, r.s.pool, func(tx pgx.Tx) error {
			var doc []byte
			err := tx.QueryRow(ctx, `SELECT doc FROM silences WHERE id = $1 FOR UPDATE`, id).Scan(&doc)
			if errors.Is(err, pgx.ErrNoRows) {
				return store.CallerError{Err: fmt.Errorf("postgres %s: silence %s: %w", r.s.name, id, alert.ErrNotFound)}
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
			_, err = tx.Exec(ctx, `UPDATE silences SET created_at = $1, ends_at = $2, doc = $3::json WHERE id = $4`,
				unixNanos(s.CreatedAt), unixNanos(s.EndsAt), string(doc), id)
			out = s.Clone()
			return err
		})
	})
	if cerr, ok := store.AsCallerError(err); ok {
		return alert.Silence{}, cerr
	}
	if err != nil {
		return alert.Silence{}, err
	}
	return out, nil
}

// Silences implements alert.Repository.Silences, from the index on ends_at.
func (r *Alerts) Silences(ctx context.Context, endsAfter time.Time) ([]alert.Silence, error) {
	query, args := `SELECT id, doc FROM silences ORDER BY created_at, id`, []any(nil)
	if !endsAfter.IsZero() {
		query, args = `SELECT id, doc FROM silences WHERE ends_at > $1 ORDER BY created_at, id`, []any{unixNanos(endsAfter)}
	}
	var out []alert.Silence
	err := r.s.do(ctx, "listing silences", true, func(ctx context.Context) error {
		out = []alert.Silence{}
		rows, err := r.s.pool.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var doc []byte
			if err := rows.Scan(&id, &doc); err != nil {
				return err
			}
			var s alert.Silence
			if err := json.Unmarshal(doc, &s); err != nil {
				return fmt.Errorf("decoding silence %s: %w: %w", id, store.ErrCorrupt, err)
			}
			out = append(out, s)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Detections implements alert.DetectionLister: newest event time first, then by id, every
// filter in SQL.
func (r *Alerts) Detections(ctx context.Context, q alert.DetectionQuery) ([]*alert.Detection, error) {
	cond := []string{`alert_id IS NOT NULL`}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if q.RuleID != "" {
		cond = append(cond, `rule_id = `+arg(q.RuleID))
	}
	if q.AlertID != "" {
		cond = append(cond, `alert_id = `+arg(q.AlertID))
	}
	if q.Source != "" {
		cond = append(cond, `source = `+arg(q.Source))
	}
	if !q.Since.IsZero() {
		cond = append(cond, `event_time >= `+arg(unixNanos(q.Since)))
	}
	if !q.Until.IsZero() {
		cond = append(cond, `event_time < `+arg(unixNanos(q.Until)))
	}
	limit := q.Limit
	switch {
	case limit <= 0:
		limit = alert.DefaultLimit
	case limit > alert.MaxLimit:
		limit = alert.MaxLimit
	}
	query := `SELECT id, alert_id, raw, doc FROM detections WHERE ` + strings.Join(cond, ` AND `) +
		` ORDER BY event_time DESC, id LIMIT ` + arg(limit)
	var out []*alert.Detection
	err := r.s.do(ctx, "listing detections", true, func(ctx context.Context) error {
		out = []*alert.Detection{}
		rows, err := r.s.pool.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, alertID string
			var raw, doc []byte
			if err := rows.Scan(&id, &alertID, &raw, &doc); err != nil {
				return err
			}
			d := new(alert.Detection)
			if err := json.Unmarshal(doc, d); err != nil {
				return fmt.Errorf("decoding detection %s: %w: %w", id, store.ErrCorrupt, err)
			}
			d.AlertID = alertID
			if len(raw) > 0 {
				d.Raw = raw
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
