package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"picket/internal/store"
)

// ledgerKey identifies a ledger row.
type ledgerKey struct{ scope, id string }

// MarkProcessed records items with one INSERT … ON CONFLICT DO NOTHING (atomic) and reports
// which were fresh. The rows are inserted in key order, so that concurrent batches with common
// items wait for each other instead of deadlocking; the batch that inserts a row first sees it
// fresh, the others see it once that batch commits.
func (s *Store) MarkProcessed(ctx context.Context, items []store.LedgerItem) ([]bool, error) {
	fresh := make([]bool, len(items))
	first := make(map[ledgerKey]int, len(items)) // key → index of its first item
	keys := make([]ledgerKey, 0, len(items))
	for i, it := range items {
		if it.ID == "" {
			fresh[i] = true
			continue
		}
		k := ledgerKey{it.Scope, it.ID}
		if _, dup := first[k]; !dup {
			first[k] = i
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return fresh, nil
	}
	slices.SortFunc(keys, func(a, b ledgerKey) int {
		if c := strings.Compare(a.scope, b.scope); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	scopes, ids, ats := make([]string, len(keys)), make([][]byte, len(keys)), make([]time.Time, len(keys))
	for j, k := range keys {
		scopes[j], ids[j], ats[j] = k.scope, []byte(k.id), items[first[k]].Time
	}
	var inserted []ledgerKey
	err := s.do(ctx, fmt.Sprintf("marking %d ledger items", len(items)), false, func(ctx context.Context) error {
		inserted = inserted[:0]
		rows, err := s.pool.Query(ctx, `INSERT INTO ledger (scope, id, at)
			SELECT * FROM unnest($1::text[], $2::bytea[], $3::timestamptz[])
			ON CONFLICT DO NOTHING RETURNING scope, id`, scopes, ids, ats)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var scope string
			var id []byte
			if err := rows.Scan(&scope, &id); err != nil {
				return err
			}
			inserted = append(inserted, ledgerKey{scope, string(id)})
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	for _, k := range inserted {
		fresh[first[k]] = true
	}
	return fresh, nil
}

// PruneLedger deletes the items before before in one statement (under MVCC it blocks no
// concurrent MarkProcessed).
func (s *Store) PruneLedger(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.do(ctx, "pruning ledger", true, func(ctx context.Context) error {
		tag, err := s.pool.Exec(ctx, `DELETE FROM ledger WHERE at < $1`, before)
		n = tag.RowsAffected()
		return err
	})
	return n, err
}
