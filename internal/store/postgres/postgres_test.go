package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"picket/internal/store"
	"picket/internal/store/storetest"
)

// baseDSN returns PICKET_TEST_PG_DSN. Without it the test is skipped, or fails under CI
// (CI=true), where a missing PostgreSQL must not turn the build green.
func baseDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("PICKET_TEST_PG_DSN")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PICKET_TEST_PG_DSN is not set under CI: .ci/run must start PostgreSQL (docs TESTING.md §8, §12)")
		}
		t.Skip("PICKET_TEST_PG_DSN is not set; see docs TESTING.md §8 to run the PostgreSQL tests")
	}
	return dsn
}

// freshSchema creates an empty schema, dropped when the test ends, and returns its name and a
// URL whose connections use it (search_path) and carry it as application_name, so that a test
// can find its own backends in pg_stat_activity.
func freshSchema(t testing.TB) (name, dsn string) {
	t.Helper()
	base := baseDSN(t)
	name = "picket_test_" + strings.ToLower(rand.Text()[:16])
	admin := adminConn(t)
	if _, err := admin.Exec(t.Context(), `CREATE SCHEMA `+name); err != nil {
		t.Fatalf("creating schema %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("dropping schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+name+` CASCADE`); err != nil {
			t.Errorf("dropping schema %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("PICKET_TEST_PG_DSN: %v", err)
	}
	q := u.Query()
	q.Set("search_path", name)
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	return name, u.String()
}

// adminConn connects to PICKET_TEST_PG_DSN for test set-up, closed when the test ends.
func adminConn(t testing.TB) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), baseDSN(t))
	if err != nil {
		t.Fatalf("connecting to PICKET_TEST_PG_DSN: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// openTest opens a store on dsn and closes it when the test ends.
func openTest(t testing.TB, dsn string) *Store {
	t.Helper()
	s, err := Open(t.Context(), Options{URL: dsn}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("Open() = %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		_, dsn := freshSchema(t)
		return openTest(t, dsn)
	})
}

// TestLockerAcrossStores checks the locks between two stores (two instances) on one schema,
// and that a store on another schema is not blocked by them.
func TestLockerAcrossStores(t *testing.T) {
	_, dsn := freshSchema(t)
	a, b := openTest(t, dsn), openTest(t, dsn)
	storetest.LockerExclusive(t, a, b)

	unlock, ok, err := a.TryLock(t.Context(), "retention")
	if err != nil || !ok {
		t.Fatalf("TryLock() = _, %v, %v; want true, nil", ok, err)
	}
	defer unlock()
	_, otherDSN := freshSchema(t)
	other := openTest(t, otherDSN)
	unlockOther, ok, err := other.TryLock(t.Context(), "retention")
	if err != nil || !ok {
		t.Fatalf("TryLock() in another schema = _, %v, %v; want true, nil", ok, err)
	}
	unlockOther()
}

// TestCloseReleasesLocks checks that Close returns the connections of held locks (instead of
// waiting for them) and that the locks are free afterwards.
func TestCloseReleasesLocks(t *testing.T) {
	_, dsn := freshSchema(t)
	a, err := Open(t.Context(), Options{URL: dsn}, nil)
	if err != nil {
		t.Fatal(err)
	}
	unlock, ok, err := a.TryLock(t.Context(), "job")
	if err != nil || !ok {
		t.Fatalf("TryLock() = _, %v, %v; want true, nil", ok, err)
	}
	done := make(chan struct{})
	go func() { defer close(done); a.Close() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close() with a lock held did not return")
	}
	unlock() // after Close: a no-op
	b := openTest(t, dsn)
	if _, ok, err := b.TryLock(t.Context(), "job"); err != nil || !ok {
		t.Errorf("TryLock() after the holder closed = _, %v, %v; want true, nil", ok, err)
	}
}

// TestConcurrentOpen starts several instances at once on an empty schema: each migration is
// applied once.
func TestConcurrentOpen(t *testing.T) {
	_, dsn := freshSchema(t)
	var wg sync.WaitGroup
	stores := make([]*Store, 4)
	errs := make([]error, len(stores))
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = Open(t.Context(), Options{URL: dsn}, nil) })
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
		want = append(want, m.Name)
	}
	rows, err := stores[0].pool.Query(t.Context(), `SELECT name FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	got, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("schema_migrations mismatch (-want +got):\n%s", diff)
	}
}

func TestSchemaTooNew(t *testing.T) {
	_, dsn := freshSchema(t)
	s := openTest(t, dsn)
	if _, err := s.pool.Exec(t.Context(), `INSERT INTO schema_migrations (version, name) VALUES (999, 'future')`); err != nil {
		t.Fatal(err)
	}
	_, err := Open(t.Context(), Options{URL: dsn}, nil)
	t.Logf("Open: %v", err)
	if !errors.Is(err, store.ErrSchemaTooNew) || !strings.Contains(err.Error(), "999") {
		t.Errorf("Open(newer schema) = %v, want store.ErrSchemaTooNew naming version 999", err)
	}
}

// TestUnreachable checks that a server that does not answer is store.ErrUnavailable and that
// the password stays out of the error.
func TestUnreachable(t *testing.T) {
	baseDSN(t) // the test needs no server, but belongs with the others
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	_, err := Open(ctx, Options{URL: "postgres://picket:s3cr3t-pw@127.0.0.1:1/picket?sslmode=disable&connect_timeout=5"}, nil)
	t.Logf("Open: %v", err)
	if !errors.Is(err, store.ErrUnavailable) || !store.Retryable(err) {
		t.Errorf("Open(closed port) = %v, want store.ErrUnavailable", err)
	}
	if err != nil && strings.Contains(err.Error(), "s3cr3t-pw") {
		t.Errorf("Open(closed port) = %v, leaks the password", err)
	}
}

// TestMigrationsInStep checks that both backends have the same migrations (versions and names).
func TestMigrationsInStep(t *testing.T) {
	names := func(dir string) []string {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".sql") {
				out = append(out, e.Name())
			}
		}
		slices.Sort(out)
		return out
	}
	if diff := cmp.Diff(names("../sqlite/migrations"), names("migrations")); diff != "" {
		t.Errorf("migration files differ between sqlite and postgres (-sqlite +postgres):\n%s", diff)
	}
}

func BenchmarkStore(b *testing.B) {
	storetest.Benchmark(b, func(b *testing.B) store.Store {
		_, dsn := freshSchema(b)
		return openTest(b, dsn)
	})
}

// TestRangeUsesIndex guards the shape of the index Range relies on: (rule, newest, grp) serves
// its pages in order, without a sort. (On a small table the planner may still prefer a bitmap
// scan and a sort, which is cheap there; bitmap scans are turned off to see what the index
// offers.)
func TestRangeUsesIndex(t *testing.T) {
	_, dsn := freshSchema(t)
	s := openTest(t, dsn)
	ctx := t.Context()
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	for _, q := range []string{
		`INSERT INTO correlation_windows (rule, grp, newest, doc)
			SELECT 'r' || (i % 20), convert_to('g' || i, 'UTF8'), i * 1000, '{}'
			FROM generate_series(1, 20000) AS i`,
		`ANALYZE correlation_windows`,
		`SET LOCAL enable_bitmapscan = off`,
	} {
		if _, err := tx.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{rangeFirst, []any{"r7", rangePage}},
		{rangeNext, []any{"r7", int64(5_000_000), []byte("g5007"), rangePage}},
	} {
		rows, err := tx.Query(ctx, `EXPLAIN `+q.sql, q.args...)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		plan := strings.Join(lines, "\n")
		if !strings.Contains(plan, "using correlation_windows_rule_newest") || strings.Contains(plan, "Sort") {
			t.Errorf("plan of %q:\n%s\nwant a scan of correlation_windows_rule_newest and no sort", q.sql, plan)
		}
	}
}
