package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"time"

	"picket/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS // immutable: the SQL compiled into the binary

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER NOT NULL PRIMARY KEY,
	name       TEXT    NOT NULL,
	applied_at INTEGER NOT NULL
) STRICT`

// Migrate applies the embedded migrations the database lacks, each in its own transaction
// together with its schema_migrations row. Each transaction re-reads schema_migrations under
// the write lock, so two processes migrating the same file apply every migration once.
func (s *Store) Migrate(ctx context.Context) error {
	known, err := store.LoadMigrations(migrationFiles, "migrations")
	if err != nil {
		return fmt.Errorf("sqlite %s: %w", s.path, err)
	}
	s.migrateMu.Lock()
	defer s.migrateMu.Unlock()
	for {
		m, err := s.migrateOne(ctx, known)
		if err != nil {
			return s.fail(ctx, "migrating", err)
		}
		if m == nil {
			return nil
		}
		s.logger.Info("schema migration applied", "version", m.Version, "name", m.Name)
	}
}

// migrateOne applies the first pending migration and returns it, or nil when none is pending.
func (s *Store) migrateOne(ctx context.Context, known []store.Migration) (*store.Migration, error) {
	var next *store.Migration
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, createMigrationsTable); err != nil {
			return fmt.Errorf("creating schema_migrations: %w", err)
		}
		applied, err := appliedMigrations(ctx, tx)
		if err != nil {
			return err
		}
		pending, err := store.Pending(known, applied)
		if err != nil || len(pending) == 0 {
			return err
		}
		next = &pending[0]
		if _, err := tx.ExecContext(ctx, next.SQL); err != nil {
			return fmt.Errorf("applying migration %04d_%s: %w", next.Version, next.Name, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			next.Version, next.Name, time.Now().UnixNano())
		if err != nil {
			return fmt.Errorf("recording migration %04d_%s: %w", next.Version, next.Name, err)
		}
		return nil
	})
	return next, err
}

func appliedMigrations(ctx context.Context, tx *sql.Tx) ([]store.AppliedMigration, error) {
	rows, err := tx.QueryContext(ctx, `SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("reading schema_migrations: %w", err)
	}
	defer rows.Close()
	var out []store.AppliedMigration
	for rows.Next() {
		var a store.AppliedMigration
		var at int64
		if err := rows.Scan(&a.Version, &a.Name, &at); err != nil {
			return nil, fmt.Errorf("reading schema_migrations: %w", err)
		}
		a.AppliedAt = fromUnixNanos(at)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading schema_migrations: %w", err)
	}
	return out, nil
}
