package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"picket/internal/correlate"
	"picket/internal/store"
)

// rangePage is how many windows Range fetches per query; stopping early fetches no more.
const rangePage = 500

// The pages of Range, read from the covering index on (rule, newest, grp).
const (
	rangeFirst = `SELECT grp, newest FROM correlation_windows WHERE rule = $1 ORDER BY newest, grp LIMIT $2`
	rangeNext  = `SELECT grp, newest FROM correlation_windows WHERE rule = $1 AND (newest, grp) > ($2, $3)
		ORDER BY newest, grp LIMIT $4`
)

// Get returns the correlation window stored under k.
func (s *Store) Get(ctx context.Context, k correlate.Key) (*correlate.Window, bool, error) {
	var doc []byte
	found := true
	err := s.do(ctx, fmt.Sprintf("reading correlation window %q/%q", k.Rule, k.Group), true, func(ctx context.Context) error {
		err := s.pool.QueryRow(ctx, `SELECT doc FROM correlation_windows WHERE rule = $1 AND grp = $2`,
			k.Rule, []byte(k.Group)).Scan(&doc)
		if errors.Is(err, pgx.ErrNoRows) {
			found = false
			return nil
		}
		return err
	})
	if err != nil || !found {
		return nil, false, err
	}
	w := new(correlate.Window)
	if err := json.Unmarshal(doc, w); err != nil {
		return nil, false, fmt.Errorf("postgres %s: decoding correlation window %q/%q: %w: %w",
			s.name, k.Rule, k.Group, store.ErrCorrupt, err)
	}
	return w, true, nil
}

// Put stores w under k as a JSON document.
func (s *Store) Put(ctx context.Context, k correlate.Key, w *correlate.Window) error {
	doc, err := json.Marshal(w)
	if err != nil {
		return fmt.Errorf("postgres %s: encoding correlation window %q/%q: %w", s.name, k.Rule, k.Group, err)
	}
	return s.do(ctx, fmt.Sprintf("writing correlation window %q/%q", k.Rule, k.Group), true, func(ctx context.Context) error {
		_, err := s.pool.Exec(ctx, `INSERT INTO correlation_windows (rule, grp, newest, doc, updated_at)
			VALUES ($1, $2, $3, $4, now())
			ON CONFLICT (rule, grp) DO UPDATE SET newest = excluded.newest, doc = excluded.doc, updated_at = excluded.updated_at`,
			k.Rule, []byte(k.Group), unixNanos(w.Newest), string(doc))
		return err
	})
}

// Delete removes the window under k.
func (s *Store) Delete(ctx context.Context, k correlate.Key) error {
	return s.do(ctx, fmt.Sprintf("deleting correlation window %q/%q", k.Rule, k.Group), true, func(ctx context.Context) error {
		_, err := s.pool.Exec(ctx, `DELETE FROM correlation_windows WHERE rule = $1 AND grp = $2`, k.Rule, []byte(k.Group))
		return err
	})
}

// Range calls fn for the windows of rule, oldest Newest first (ties by group, bytewise),
// until fn returns false. It reads pages of rangePage windows from the covering index on
// (rule, newest, grp), each page after the last key of the previous one, so a window moved by
// a concurrent Put may be seen twice or not at all.
func (s *Store) Range(ctx context.Context, rule string, fn func(group string, newest time.Time) bool) error {
	op := fmt.Sprintf("listing correlation windows of %q", rule)
	type row struct {
		grp    []byte
		newest int64
	}
	var page []row
	afterNewest, afterGroup := int64(math.MinInt64), []byte(nil)
	for first := true; ; first = false {
		err := s.do(ctx, op, true, func(ctx context.Context) error {
			var rows pgx.Rows
			var err error
			if first {
				rows, err = s.pool.Query(ctx, rangeFirst, rule, rangePage)
			} else {
				rows, err = s.pool.Query(ctx, rangeNext, rule, afterNewest, afterGroup, rangePage)
			}
			if err != nil {
				return err
			}
			page, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
				var x row
				err := r.Scan(&x.grp, &x.newest)
				return x, err
			})
			return err
		})
		if err != nil {
			return err
		}
		for _, r := range page {
			if !fn(string(r.grp), fromUnixNanos(r.newest)) {
				return nil
			}
		}
		if len(page) < rangePage {
			return nil
		}
		last := page[len(page)-1]
		afterNewest, afterGroup = last.newest, last.grp
	}
}

// unixNanos encodes t for a bigint column. Times outside int64 nanoseconds (years 1678 to
// 2261), the zero time among them, clamp to the extremes; fromUnixNanos maps the low extreme
// back to the zero time.
func unixNanos(t time.Time) int64 {
	switch y := t.Year(); {
	case y < 1678:
		return math.MinInt64
	case y > 2261:
		return math.MaxInt64
	}
	return t.UnixNano()
}

// fromUnixNanos decodes unixNanos, in UTC.
func fromUnixNanos(n int64) time.Time {
	if n == math.MinInt64 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// WriteWindows implements correlate.BatchWriter: puts and deletes in one transaction, keys in
// sorted order so that concurrent batches wait for each other instead of deadlocking.
func (s *Store) WriteWindows(ctx context.Context, puts map[correlate.Key]*correlate.Window, deletes []correlate.Key) error {
	keys := make([]correlate.Key, 0, len(puts))
	docs := make(map[correlate.Key]string, len(puts))
	for k, w := range puts {
		doc, err := json.Marshal(w)
		if err != nil {
			return fmt.Errorf("postgres %s: encoding correlation window %q/%q: %w", s.name, k.Rule, k.Group, err)
		}
		keys = append(keys, k)
		docs[k] = string(doc)
	}
	less := func(a, b correlate.Key) int {
		return cmp.Or(strings.Compare(a.Rule, b.Rule), strings.Compare(a.Group, b.Group))
	}
	slices.SortFunc(keys, less)
	deletes = slices.Clone(deletes)
	slices.SortFunc(deletes, less)
	return s.do(ctx, fmt.Sprintf("writing %d correlation windows", len(puts)+len(deletes)), false, func(ctx context.Context) error {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			b := &pgx.Batch{}
			for _, k := range keys {
				b.Queue(`INSERT INTO correlation_windows (rule, grp, newest, doc, updated_at)
					VALUES ($1, $2, $3, $4, now())
					ON CONFLICT (rule, grp) DO UPDATE SET newest = excluded.newest, doc = excluded.doc, updated_at = excluded.updated_at`,
					k.Rule, []byte(k.Group), unixNanos(puts[k].Newest), docs[k])
			}
			for _, k := range deletes {
				b.Queue(`DELETE FROM correlation_windows WHERE rule = $1 AND grp = $2`, k.Rule, []byte(k.Group))
			}
			return tx.SendBatch(ctx, b).Close()
		})
	})
}
