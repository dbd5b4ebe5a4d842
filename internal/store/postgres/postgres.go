// Package postgres is the Store backend for several picket instances sharing the work: one
// PostgreSQL database reached through a pgx connection pool.
//
// The pool reconnects by itself. When a call fails because its connection was lost (the
// server restarted, an administrator terminated the backend), the pool is reset, so that the
// other connections of the dead server are not tried one by one, and the call is retried once
// when that is safe: always for idempotent calls, and for MarkProcessed only when the server
// cannot have seen the statement. A call that still fails reports store.ErrUnavailable.
//
// Locks are session advisory locks, each held on a pool connection set aside until unlock:
// size MaxConns for the singleton jobs that may hold locks at once. Lock keys and the
// migration lock are scoped by schema, so deployments in different schemas of one database do
// not block each other.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Options configures Open.
type Options struct {
	// URL is the connection string, such as postgres://picket@db:5432/picket?sslmode=verify-full;
	// search_path=NAME selects the schema of the tables. Required. It is never logged or
	// included in errors.
	URL string
	// MaxConns bounds the pool; zero keeps pgxpool's default (the larger of 4 and the number
	// of CPUs). Each lock held by TryLock uses one connection until unlocked.
	MaxConns int32
}

// Store is the PostgreSQL backend of store.Store. It is safe for concurrent use.
type Store struct {
	pool   *pgxpool.Pool
	name   string // host:port/database, for errors; no credentials
	schema string // current_schema() of the connections; scopes the lock keys
	logger *slog.Logger

	heldMu sync.Mutex
	held   map[*heldLock]func() // locks taken and not yet unlocked → their unlock
}

// Open connects to the database and migrates it. An unreachable server fails with
// store.ErrUnavailable, a schema newer than the binary with store.ErrSchemaTooNew. A nil
// logger discards.
func Open(ctx context.Context, o Options, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if o.URL == "" {
		return nil, errors.New("postgres: no database URL")
	}
	cfg, err := pgxpool.ParseConfig(o.URL)
	if err != nil {
		return nil, fmt.Errorf("postgres: parsing the database URL: %w", err)
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "picket"
	}
	cc := cfg.ConnConfig
	name := fmt.Sprintf("%s:%d/%s", cc.Host, cc.Port, cc.Database)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres %s: creating the connection pool: %w", name, err)
	}
	s := &Store{pool: pool, name: name, logger: logger.With("db", name), held: map[*heldLock]func(){}}
	var schema *string
	err = s.do(ctx, "connecting", true, func(ctx context.Context) error {
		return pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema)
	})
	if err == nil && schema == nil {
		err = fmt.Errorf("postgres %s: no schema of the search_path exists", name)
	}
	if err != nil {
		pool.Close()
		return nil, err
	}
	s.schema = *schema
	s.logger = s.logger.With("schema", s.schema)
	if err := s.Migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	s.logger.Info("store opened", "backend", "postgres")
	return s, nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.do(ctx, "ping", true, func(ctx context.Context) error {
		var n int
		return s.pool.QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n)
	})
}

// Close releases the locks still held and closes the pool.
func (s *Store) Close() error {
	s.heldMu.Lock()
	unlocks := make([]func(), 0, len(s.held))
	for _, u := range s.held {
		unlocks = append(unlocks, u)
	}
	s.heldMu.Unlock()
	for _, u := range unlocks {
		u()
	}
	s.pool.Close()
	return nil
}

// lockKey maps a lock (kind, schema, name) to an advisory lock key.
func lockKey(kind, schema, name string) int64 {
	h := fnv.New64a()
	for _, p := range []string{"picket", kind, schema, name} {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return int64(h.Sum64())
}
