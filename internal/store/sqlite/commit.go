package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"picket/internal/store"
)

// CommitNotifications implements store.NotifyCommitter in one writer transaction.
func (s *Store) CommitNotifications(ctx context.Context, c store.NotifyCommit) error {
	rows, err := store.OutboxRows(c.Notifications)
	if err != nil {
		return fmt.Errorf("sqlite %s: %w", s.path, err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if len(rows) > 0 {
			if err := enqueueTx(ctx, tx, c.Now, rows); err != nil {
				return err
			}
		}
		if len(c.Alerts) > 0 && c.Update != nil {
			st, err := tx.PrepareContext(ctx, upsertAlert)
			if err != nil {
				return err
			}
			defer st.Close()
			for _, id := range c.Alerts {
				var doc []byte
				err := tx.QueryRowContext(ctx, `SELECT doc FROM alerts WHERE id = ?`, id).Scan(&doc)
				if errors.Is(err, sql.ErrNoRows) {
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
				if err := execUpsert(ctx, st, a); err != nil {
					return err
				}
			}
		}
		if c.StateKey != "" {
			state := c.State
			if state == nil {
				state = []byte{}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO checkpoints (key, cursor, updated_at) VALUES (?, ?, ?)
				ON CONFLICT (key) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
				c.StateKey, state, c.Now.UnixNano()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if cerr, ok := store.AsCallerError(err); ok {
			return cerr
		}
		return s.fail(ctx, fmt.Sprintf("committing %d notifications", len(rows)), err)
	}
	return nil
}
