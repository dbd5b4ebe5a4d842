package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Checkpoint returns the cursor stored under key; ok is false when there is none.
func (s *Store) Checkpoint(ctx context.Context, key string) ([]byte, bool, error) {
	var cursor []byte
	err := s.r.QueryRowContext(ctx, `SELECT cursor FROM checkpoints WHERE key = ?`, key).Scan(&cursor)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, s.fail(ctx, fmt.Sprintf("reading checkpoint %q", key), err)
	}
	if cursor == nil {
		cursor = []byte{}
	}
	return cursor, true, nil
}

// SetCheckpoint stores cursor under key.
func (s *Store) SetCheckpoint(ctx context.Context, key string, cursor []byte) error {
	if cursor == nil {
		cursor = []byte{}
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO checkpoints (key, cursor, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
		key, cursor, time.Now().UnixNano())
	if err != nil {
		return s.fail(ctx, fmt.Sprintf("writing checkpoint %q", key), err)
	}
	return nil
}

// PruneCheckpoints implements store.CheckpointPruner.
func (s *Store) PruneCheckpoints(ctx context.Context, pattern string, before time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM checkpoints WHERE key LIKE ? AND updated_at < ?`, pattern, before.UnixNano())
	if err != nil {
		return 0, s.fail(ctx, fmt.Sprintf("pruning checkpoints %q", pattern), err)
	}
	return res.RowsAffected()
}
