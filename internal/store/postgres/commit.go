package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"picket/internal/alert"
	"picket/internal/store"
)

// CommitNotifications implements store.NotifyCommitter in one transaction. The alerts are
// locked in id order (FOR UPDATE), so that concurrent commits and lifecycle updates of common
// alerts wait for each other instead of deadlocking.
func (s *Store) CommitNotifications(ctx context.Context, c store.NotifyCommit) error {
	rows, err := store.OutboxRows(c.Notifications)
	if err != nil {
		return fmt.Errorf("postgres %s: %w", s.name, err)
	}
	err = s.do(ctx, fmt.Sprintf("committing %d notifications", len(rows)), false, func(ctx context.Context) error {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if len(rows) > 0 {
				if err := enqueueTx(ctx, tx, c.Now, rows); err != nil {
					return err
				}
			}
			if len(c.Alerts) > 0 && c.Update != nil {
				ids := sortedUnique(c.Alerts)
				b := store.NewFoldBatch(0)
				b.Changed = map[string]*alert.Alert{}
				for _, id := range ids {
					var doc []byte
					err := tx.QueryRow(ctx, `SELECT doc FROM alerts WHERE id = $1 FOR UPDATE`, id).Scan(&doc)
					if errors.Is(err, pgx.ErrNoRows) {
						continue
					}
					if err != nil {
						return err
					}
					a, err := decodeAlert(id, doc)
					if err != nil {
						return err
					}
					fp := a.Fingerprint
					if err := c.Update(a); err != nil {
						return store.CallerError{Err: err}
					}
					a.ID, a.Fingerprint = id, fp
					b.Order = append(b.Order, id)
					b.Changed[id] = a
				}
				if len(b.Order) > 0 {
					if err := upsert(ctx, tx, b); err != nil {
						return err
					}
				}
			}
			if c.StateKey != "" {
				state := c.State
				if state == nil {
					state = []byte{}
				}
				if _, err := tx.Exec(ctx, `INSERT INTO checkpoints (key, cursor, updated_at) VALUES ($1, $2, now())
					ON CONFLICT (key) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
					[]byte(c.StateKey), state); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if cerr, ok := store.AsCallerError(err); ok {
		return cerr
	}
	return err
}

// sortedUnique returns the distinct ids in ascending order.
func sortedUnique(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}
