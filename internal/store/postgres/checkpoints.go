package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Checkpoint returns the cursor stored under key; ok is false when there is none.
func (s *Store) Checkpoint(ctx context.Context, key string) ([]byte, bool, error) {
	var cursor []byte
	found := true
	err := s.do(ctx, fmt.Sprintf("reading checkpoint %q", key), true, func(ctx context.Context) error {
		err := s.pool.QueryRow(ctx, `SELECT cursor FROM checkpoints WHERE key = $1`, []byte(key)).Scan(&cursor)
		if errors.Is(err, pgx.ErrNoRows) {
			found = false
			return nil
		}
		return err
	})
	if err != nil || !found {
		return nil, false, err
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
	return s.do(ctx, fmt.Sprintf("writing checkpoint %q", key), true, func(ctx context.Context) error {
		_, err := s.pool.Exec(ctx, `INSERT INTO checkpoints (key, cursor, updated_at) VALUES ($1, $2, now())
			ON CONFLICT (key) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
			[]byte(key), cursor)
		return err
	})
}

// PruneCheckpoints implements store.CheckpointPruner.
func (s *Store) PruneCheckpoints(ctx context.Context, pattern string, before time.Time) (int64, error) {
	var n int64
	err := s.do(ctx, fmt.Sprintf("pruning checkpoints %q", pattern), true, func(ctx context.Context) error {
		tag, err := s.pool.Exec(ctx, `DELETE FROM checkpoints WHERE key LIKE $1 AND updated_at < $2`, []byte(pattern), before)
		n = tag.RowsAffected()
		return err
	})
	return n, err
}
