package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"picket/internal/store"
)

// pruneChunk bounds the rows one pruning transaction deletes, so that pruning a large ledger
// never holds the write lock for long.
const pruneChunk = 5000

// MarkProcessed records items in one transaction and reports which were fresh.
func (s *Store) MarkProcessed(ctx context.Context, items []store.LedgerItem) ([]bool, error) {
	fresh := make([]bool, len(items))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO ledger (scope, id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		defer st.Close()
		for i, it := range items {
			if it.ID == "" {
				fresh[i] = true
				continue
			}
			res, err := st.ExecContext(ctx, it.Scope, it.ID, unixNanos(it.Time))
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			fresh[i] = n == 1
		}
		return nil
	})
	if err != nil {
		return nil, s.fail(ctx, fmt.Sprintf("marking %d ledger items", len(items)), err)
	}
	return fresh, nil
}

// PruneLedger deletes the items before before, in transactions of at most pruneChunk rows.
func (s *Store) PruneLedger(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		res, err := s.w.ExecContext(ctx, `DELETE FROM ledger WHERE (scope, id) IN
			(SELECT scope, id FROM ledger WHERE at < ? LIMIT ?)`, unixNanos(before), pruneChunk)
		if err != nil {
			return total, s.fail(ctx, "pruning ledger", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, s.fail(ctx, "pruning ledger", err)
		}
		total += n
		if n < pruneChunk {
			return total, nil
		}
	}
}
