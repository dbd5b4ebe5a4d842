package postgres

import (
	"context"
	"embed"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"picket/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS // immutable: the SQL compiled into the binary

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    integer     PRIMARY KEY,
	name       text        NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
)`

// Migrate applies the embedded migrations the database lacks, each in its own transaction
// together with its schema_migrations row, holding a session advisory lock (scoped by schema)
// for the whole run: instances starting together wait for each other and migrate once.
func (s *Store) Migrate(ctx context.Context) error {
	known, err := store.LoadMigrations(migrationFiles, "migrations")
	if err != nil {
		return fmt.Errorf("postgres %s: %w", s.name, err)
	}
	var conn *pgxpool.Conn
	err = s.do(ctx, "migrating", true, func(ctx context.Context) error {
		c, err := s.pool.Acquire(ctx)
		if err != nil {
			return err
		}
		if _, err := c.Exec(ctx, `SELECT pg_advisory_lock($1)`, lockKey("migrate", s.schema, "")); err != nil {
			c.Release()
			return err
		}
		conn = c
		return nil
	})
	if err != nil {
		return err
	}
	defer s.unlockConn(conn, lockKey("migrate", s.schema, ""), "migrate")
	if err := migrate(ctx, conn, known, s.logger); err != nil {
		return s.fail(ctx, "migrating", err)
	}
	return nil
}

// migrate applies the pending migrations on conn, which holds the migration lock.
func migrate(ctx context.Context, conn *pgxpool.Conn, known []store.Migration, logger *slog.Logger) error {
	if _, err := conn.Exec(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	rows, err := conn.Query(ctx, `SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		return fmt.Errorf("reading schema_migrations: %w", err)
	}
	applied, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.AppliedMigration, error) {
		var a store.AppliedMigration
		err := r.Scan(&a.Version, &a.Name, &a.AppliedAt)
		return a, err
	})
	if err != nil {
		return fmt.Errorf("reading schema_migrations: %w", err)
	}
	pending, err := store.Pending(known, applied)
	if err != nil {
		return err
	}
	for _, m := range pending {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil { // no arguments: simple protocol, several statements
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.Version, m.Name, time.Now())
			return err
		})
		if err != nil {
			return fmt.Errorf("applying migration %04d_%s: %w", m.Version, m.Name, err)
		}
		logger.Info("schema migration applied", "version", m.Version, "name", m.Name)
	}
	return nil
}
