package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	msqlite "modernc.org/sqlite"

	"picket/internal/store"
)

func TestOpenCorruptFile(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"text", []byte("this is not a database, it is a log line\n")},
		{"zeros", make([]byte, 8192)},
		{"json", bytes.Repeat([]byte(`{"eventID":"e1"}`), 1000)},
		{"bad header tail", append([]byte("SQLite format 3\x00"), bytes.Repeat([]byte{0xff}, 4080)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "picket.db")
			if err := os.WriteFile(path, tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Open(t.Context(), Options{Path: path}, nil)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%s file) = nil error, want store.ErrCorrupt", tt.name)
			}
			t.Logf("Open: %v", err)
			if !errors.Is(err, store.ErrCorrupt) || !strings.Contains(err.Error(), path) {
				t.Errorf("Open(%s file) = %v, want store.ErrCorrupt naming %s", tt.name, err, path)
			}
			if got, _ := os.ReadFile(path); !bytes.Equal(got, tt.data) {
				t.Errorf("Open(%s file) changed the file", tt.name)
			}
		})
	}
}

func TestOpenBadPath(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
	}{
		{"missing directory", filepath.Join(dir, "no", "such", "dir", "picket.db")},
		{"directory", dir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(t.Context(), Options{Path: tt.path}, nil)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) = nil error, want one", tt.path)
			}
			t.Logf("Open: %v", err)
			if !strings.Contains(err.Error(), tt.path) {
				t.Errorf("Open(%q) = %v, want an error naming the path", tt.path, err)
			}
		})
	}
}

func TestOpenReadOnlyDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores directory permissions")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
	path := filepath.Join(dir, "picket.db")
	s, err := Open(t.Context(), Options{Path: path}, nil)
	if err == nil {
		s.Close()
		t.Fatal("Open(read-only directory) = nil error, want one")
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("Open(read-only directory) = %v, want an error naming %s", err, path)
	}
}

func TestOptions(t *testing.T) {
	for _, o := range []Options{{}, {Path: "x.db", Synchronous: "sometimes"}} {
		if _, err := Open(t.Context(), o, nil); err == nil {
			t.Errorf("Open(%+v) = nil error, want one", o)
		}
	}
}

func TestFileMode(t *testing.T) {
	s := openTest(t, Options{})
	if err := s.SetCheckpoint(t.Context(), "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{s.path, s.path + "-wal", s.path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("mode of %s = %v, want 0600", filepath.Base(p), got)
		}
	}
	var mode string
	if err := s.w.QueryRowContext(t.Context(), `PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	var fk int
	if err := s.r.QueryRowContext(t.Context(), `PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d, %v; want 1", fk, err)
	}
}

// TestReadersRefuseWrites guards the split: a write through the read pool fails.
func TestReadersRefuseWrites(t *testing.T) {
	s := openTest(t, Options{})
	if _, err := s.r.ExecContext(t.Context(), `DELETE FROM checkpoints`); err == nil {
		t.Error("write through the read pool succeeded, want query_only to refuse it")
	}
}

// TestLocked holds the write lock from another connection (as another process would):
// writes fail with store.ErrBusy after the busy timeout and leave nothing behind, reads go on,
// and writes succeed once the lock is released.
func TestLocked(t *testing.T) {
	s := openTest(t, Options{BusyTimeout: 100 * time.Millisecond})
	ctx := t.Context()
	other := rawDB(t, s.path)
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	mustExec(t, conn, `BEGIN IMMEDIATE`)
	mustExec(t, conn, `INSERT INTO checkpoints (key, cursor, updated_at) VALUES ('other', x'00', 0)`)

	err = s.SetCheckpoint(ctx, "k", []byte("v"))
	t.Logf("SetCheckpoint: %v", err)
	if !errors.Is(err, store.ErrBusy) || !store.Retryable(err) || !strings.Contains(err.Error(), s.path) {
		t.Errorf("SetCheckpoint(locked) = %v, want store.ErrBusy naming %s", err, s.path)
	}
	if _, err := s.MarkProcessed(ctx, []store.LedgerItem{{Scope: "s", ID: "e1"}}); !errors.Is(err, store.ErrBusy) {
		t.Errorf("MarkProcessed(locked) = %v, want store.ErrBusy", err)
	}
	if _, ok, err := s.Checkpoint(ctx, "k"); err != nil || ok {
		t.Errorf("Checkpoint(k) while locked = _, %v, %v; want false, nil (reads go on)", ok, err)
	}

	mustExec(t, conn, `COMMIT`)
	if err := s.SetCheckpoint(ctx, "k", []byte("v")); err != nil {
		t.Errorf("SetCheckpoint() after release = %v, want nil", err)
	}
	fresh, err := s.MarkProcessed(ctx, []store.LedgerItem{{Scope: "s", ID: "e1"}})
	if err != nil || !fresh[0] {
		t.Errorf("MarkProcessed() after release = %v, %v; want [true] (the failed batch left nothing)", fresh, err)
	}
}

// TestDiskFull limits the database size (as a full disk would): a batch that does not fit
// fails with store.ErrDiskFull, leaves nothing behind, and succeeds once there is room.
func TestDiskFull(t *testing.T) {
	s := openTest(t, Options{})
	ctx := t.Context()
	var pages int
	if err := s.w.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	mustExec(t, s.w, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages+2))
	items := make([]store.LedgerItem, 2000)
	for i := range items {
		items[i] = store.LedgerItem{Scope: "s", ID: fmt.Sprintf("%0100d", i)}
	}
	_, err := s.MarkProcessed(ctx, items)
	t.Logf("MarkProcessed: %v", err)
	if !errors.Is(err, store.ErrDiskFull) || !strings.Contains(err.Error(), s.path) {
		t.Fatalf("MarkProcessed(too big) = %v, want store.ErrDiskFull naming %s", err, s.path)
	}
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM ledger`).Scan(&n); err != nil || n != 0 {
		t.Errorf("ledger rows after a failed batch = %d, %v; want 0", n, err)
	}
	mustExec(t, s.w, `PRAGMA max_page_count = 1073741823`)
	fresh, err := s.MarkProcessed(ctx, items)
	if err != nil || !fresh[0] || !fresh[len(fresh)-1] {
		t.Errorf("MarkProcessed() with room = _, %v; want all fresh", err)
	}
}

func TestSchemaTooNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "picket.db")
	s := openTest(t, Options{Path: path})
	mustExec(t, s.w, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)`)
	s.Close()
	_, err := Open(t.Context(), Options{Path: path}, nil)
	t.Logf("Open: %v", err)
	if !errors.Is(err, store.ErrSchemaTooNew) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "999") {
		t.Errorf("Open(newer schema) = %v, want store.ErrSchemaTooNew naming the file and version 999", err)
	}
}

// TestConcurrentOpen opens one new file from several stores at once, as several processes
// starting together would: every migration is applied once.
func TestConcurrentOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "picket.db")
	var wg sync.WaitGroup
	stores := make([]*Store, 4)
	errs := make([]error, len(stores))
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = Open(t.Context(), Options{Path: path}, slog.New(slog.DiscardHandler)) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open() #%d = %v", i, err)
		}
		defer stores[i].Close()
	}
	known, err := store.LoadMigrations(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for _, m := range known {
		want = append(want, fmt.Sprint(m.Version, m.Name))
	}
	rows, err := stores[0].r.QueryContext(t.Context(), `SELECT version, name FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		var name string
		if err := rows.Scan(&v, &name); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprint(v, name))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("schema_migrations mismatch (-want +got):\n%s", diff)
	}
}

// rawDB opens path with no picket settings, as another process would.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	c, err := msqlite.NewConnector(path)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	t.Cleanup(func() { db.Close() })
	return db
}

func mustExec(t *testing.T, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, query string) {
	t.Helper()
	if _, err := db.ExecContext(t.Context(), query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// TestRangeUsesIndex guards Range's cost: one rule's windows come from the covering index,
// in order, without a sort.
func TestRangeUsesIndex(t *testing.T) {
	s := openTest(t, Options{})
	rows, err := s.r.QueryContext(t.Context(), `EXPLAIN QUERY PLAN `+rangeQuery, "r")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	got := strings.Join(plan, "; ")
	if !strings.Contains(got, "USING COVERING INDEX correlation_windows_rule_newest") || strings.Contains(got, "TEMP B-TREE") {
		t.Errorf("query plan of Range = %q, want the covering index and no sort", got)
	}
}
