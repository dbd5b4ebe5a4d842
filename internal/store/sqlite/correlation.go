package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"picket/internal/correlate"
	"picket/internal/store"
)

// rangeQuery lists one rule's windows by age, from the covering index alone.
const rangeQuery = `SELECT grp, newest FROM correlation_windows WHERE rule = ? ORDER BY newest, grp`

// Get returns the correlation window stored under k.
func (s *Store) Get(ctx context.Context, k correlate.Key) (*correlate.Window, bool, error) {
	var doc []byte
	err := s.r.QueryRowContext(ctx, `SELECT doc FROM correlation_windows WHERE rule = ? AND grp = ?`,
		k.Rule, k.Group).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, s.fail(ctx, fmt.Sprintf("reading correlation window %q/%q", k.Rule, k.Group), err)
	}
	w := new(correlate.Window)
	if err := json.Unmarshal(doc, w); err != nil {
		return nil, false, fmt.Errorf("sqlite %s: decoding correlation window %q/%q: %w: %w",
			s.path, k.Rule, k.Group, store.ErrCorrupt, err)
	}
	return w, true, nil
}

// Put stores w under k as a JSON document.
func (s *Store) Put(ctx context.Context, k correlate.Key, w *correlate.Window) error {
	doc, err := json.Marshal(w)
	if err != nil {
		return fmt.Errorf("sqlite %s: encoding correlation window %q/%q: %w", s.path, k.Rule, k.Group, err)
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO correlation_windows (rule, grp, newest, doc, updated_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (rule, grp) DO UPDATE SET newest = excluded.newest, doc = excluded.doc, updated_at = excluded.updated_at`,
		k.Rule, k.Group, unixNanos(w.Newest), string(doc), time.Now().UnixNano())
	if err != nil {
		return s.fail(ctx, fmt.Sprintf("writing correlation window %q/%q", k.Rule, k.Group), err)
	}
	return nil
}

// Delete removes the window under k.
func (s *Store) Delete(ctx context.Context, k correlate.Key) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM correlation_windows WHERE rule = ? AND grp = ?`, k.Rule, k.Group)
	if err != nil {
		return s.fail(ctx, fmt.Sprintf("deleting correlation window %q/%q", k.Rule, k.Group), err)
	}
	return nil
}

// Range calls fn for the windows of rule, oldest Newest first (ties by group), until fn
// returns false. It streams from the covering index on (rule, newest, grp) and holds one read
// connection meanwhile.
func (s *Store) Range(ctx context.Context, rule string, fn func(group string, newest time.Time) bool) error {
	op := fmt.Sprintf("listing correlation windows of %q", rule)
	rows, err := s.r.QueryContext(ctx, rangeQuery, rule)
	if err != nil {
		return s.fail(ctx, op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var g string
		var n int64
		if err := rows.Scan(&g, &n); err != nil {
			return s.fail(ctx, op, err)
		}
		if !fn(g, fromUnixNanos(n)) {
			return nil
		}
	}
	if err := rows.Err(); err != nil {
		return s.fail(ctx, op, err)
	}
	return nil
}

// WriteWindows implements correlate.BatchWriter: puts and deletes in one writer transaction.
func (s *Store) WriteWindows(ctx context.Context, puts map[correlate.Key]*correlate.Window, deletes []correlate.Key) error {
	docs := make(map[correlate.Key][]byte, len(puts))
	for k, w := range puts {
		doc, err := json.Marshal(w)
		if err != nil {
			return fmt.Errorf("sqlite %s: encoding correlation window %q/%q: %w", s.path, k.Rule, k.Group, err)
		}
		docs[k] = doc
	}
	now := time.Now().UnixNano()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if len(docs) > 0 {
			st, err := tx.PrepareContext(ctx, `INSERT INTO correlation_windows (rule, grp, newest, doc, updated_at)
				VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (rule, grp) DO UPDATE SET newest = excluded.newest, doc = excluded.doc, updated_at = excluded.updated_at`)
			if err != nil {
				return err
			}
			defer st.Close()
			for k, doc := range docs {
				if _, err := st.ExecContext(ctx, k.Rule, k.Group, unixNanos(puts[k].Newest), string(doc), now); err != nil {
					return err
				}
			}
		}
		for _, k := range deletes {
			if _, err := tx.ExecContext(ctx, `DELETE FROM correlation_windows WHERE rule = ? AND grp = ?`, k.Rule, k.Group); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return s.fail(ctx, fmt.Sprintf("writing %d correlation windows", len(puts)+len(deletes)), err)
	}
	return nil
}
