// Package sqlite is the single-instance Store backend: one SQLite file, written through the
// pure-Go driver modernc.org/sqlite so that picket stays a static, CGO-free binary.
//
// The database runs in WAL mode with foreign keys on. All writes go through one connection
// (database/sql pool of size one): SQLite admits one writer at a time anyway, and a single
// writer connection means picket's own goroutines queue in Go instead of failing with
// SQLITE_BUSY, while write transactions start with BEGIN IMMEDIATE so that a lock held by
// another process is waited for (up to the busy timeout) at BEGIN rather than failing half-way.
// Reads go through a separate pool of query-only connections, which WAL lets proceed
// concurrently with the writer, so an API read never waits behind ingestion.
//
// The file is created with mode 0600 (SQLite gives its -wal and -shm files the same mode).
// Open applies the embedded migrations.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	msqlite "modernc.org/sqlite"

	"picket/internal/store"
)

// Options configures Open.
type Options struct {
	// Path is the database file; it is created, mode 0600, when missing. Required.
	Path string
	// BusyTimeout is how long a statement waits for a lock held by another process before
	// failing with store.ErrBusy. Default 5s.
	BusyTimeout time.Duration
	// Synchronous is "normal" (the default: in WAL mode a power loss may lose the last
	// transactions but never corrupts the database, and every transaction costs no fsync) or
	// "full" (every commit is fsynced).
	Synchronous string
	// ReadConns is the number of read connections. Default 4.
	ReadConns int
}

// Store is the SQLite backend of store.Store. It is safe for concurrent use.
type Store struct {
	path   string
	w      *sql.DB // one connection: every write
	r      *sql.DB // query-only connections: every read
	logger *slog.Logger

	migrateMu sync.Mutex // serialises Migrate calls on this Store

	lockMu sync.Mutex
	locks  map[string]*int // name → token of the current holder
}

// Open opens (creating when missing) the database file and migrates it. A file that is not an
// SQLite database fails with store.ErrCorrupt, one locked by another process beyond the busy
// timeout with store.ErrBusy, a schema newer than the binary with store.ErrSchemaTooNew; every
// error names the file. A nil logger discards.
func Open(ctx context.Context, o Options, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	path, err := filepath.Abs(o.Path)
	if err != nil {
		return nil, fmt.Errorf("sqlite %s: resolving path: %w", o.Path, err)
	}
	s := &Store{path: path, logger: logger.With("db", path), locks: map[string]*int{}}
	if err := createFile(path); err != nil {
		return nil, s.fail(ctx, "creating database file", err)
	}
	if s.w, err = openDB(path, o, false); err != nil {
		return nil, s.fail(ctx, "opening", err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)
	if s.r, err = openDB(path, o, true); err != nil {
		_ = s.w.Close()
		return nil, s.fail(ctx, "opening", err)
	}
	s.r.SetMaxOpenConns(o.ReadConns)
	s.r.SetMaxIdleConns(o.ReadConns)
	if err := s.connect(ctx, o.BusyTimeout); err != nil {
		_ = s.Close()
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	s.logger.Info("store opened", "backend", "sqlite")
	return s, nil
}

// connect opens the writer connection, which switches the file to WAL. SQLite does not call
// the busy handler for that switch when another process is opening the same new file at the
// same moment, so a busy answer is retried here for up to the busy timeout.
func (s *Store) connect(ctx context.Context, busyTimeout time.Duration) error {
	deadline := time.Now().Add(busyTimeout)
	delay := 5 * time.Millisecond
	for {
		err := s.w.PingContext(ctx)
		if err == nil {
			return nil
		}
		err = s.fail(ctx, "opening", err)
		if !errors.Is(err, store.ErrBusy) || time.Now().Add(delay).After(deadline) {
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return s.fail(ctx, "opening", ctx.Err())
		case <-t.C:
		}
		delay = min(2*delay, 200*time.Millisecond)
	}
}

func (o Options) withDefaults() (Options, error) {
	if o.Path == "" {
		return o, errors.New("sqlite: no database path")
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 5 * time.Second
	}
	switch strings.ToLower(o.Synchronous) {
	case "":
		o.Synchronous = "normal"
	case "normal", "full":
		o.Synchronous = strings.ToLower(o.Synchronous)
	default:
		return o, fmt.Errorf("sqlite %s: synchronous %q: want \"normal\" or \"full\"", o.Path, o.Synchronous)
	}
	if o.ReadConns <= 0 {
		o.ReadConns = 4
	}
	return o, nil
}

// createFile creates the database file with mode 0600 unless it exists, so that SQLite never
// creates it with the umask's wider default.
func createFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// openDB returns a pool on path; readOnly pools refuse writes (query_only).
func openDB(path string, o Options, readOnly bool) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", o.BusyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous("+o.Synchronous+")")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Set("_txlock", "immediate")
	}
	u := url.URL{Scheme: "file", OmitHost: true, Path: filepath.ToSlash(path), RawQuery: q.Encode()}
	c, err := msqlite.NewConnector(u.String())
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(c), nil
}

// Ping checks that the database file can be read.
func (s *Store) Ping(ctx context.Context) error {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n)
	if err != nil {
		return s.fail(ctx, "ping", err)
	}
	return nil
}

// Close closes the database. SQLite checkpoints the WAL into the file when the last
// connection closes.
func (s *Store) Close() error {
	var errs []error
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlite %s: closing: %w", s.path, err)
	}
	return nil
}

// inTx runs fn in a write transaction and commits it; any error rolls it back.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
