package postgres

import (
	"errors"
	"testing"
	"time"

	"picket/internal/correlate"
	"picket/internal/store"
)

// terminate ends every server backend of the store's connections (application_name is the
// schema name, see freshSchema), as a server restart or an administrator would, and returns
// how many it ended.
func terminate(t *testing.T, app string) int {
	t.Helper()
	var n int
	err := adminConn(t).QueryRow(t.Context(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = $1 AND pid <> pg_backend_pid()`, app).Scan(&n)
	if err != nil {
		t.Fatalf("terminating backends: %v", err)
	}
	return n
}

// TestConnectionLost terminates the pool's connections between calls: each next call either
// succeeds (an idempotent call retried on a new connection) or fails with
// store.ErrUnavailable having written nothing, and later calls succeed.
func TestConnectionLost(t *testing.T) {
	app, dsn := freshSchema(t)
	s := openTest(t, dsn)
	ctx := t.Context()
	if err := s.SetCheckpoint(ctx, "k", []byte("1")); err != nil {
		t.Fatal(err)
	}
	// Several idle connections, so that a retry could meet a dead one too.
	for range 4 {
		if _, err := s.MarkProcessed(ctx, []store.LedgerItem{{Scope: "warm", ID: "x"}}); err != nil {
			t.Fatal(err)
		}
	}

	calls := []struct {
		name string
		call func() error
	}{
		{"SetCheckpoint", func() error { return s.SetCheckpoint(ctx, "k", []byte("2")) }},
		{"Checkpoint", func() error { _, _, err := s.Checkpoint(ctx, "k"); return err }},
		{"Put", func() error {
			return s.Put(ctx, correlate.Key{Rule: "r", Group: "g"}, &correlate.Window{Newest: time.Now()})
		}},
		{"Range", func() error { return s.Range(ctx, "r", func(string, time.Time) bool { return true }) }},
		{"Ping", func() error { return s.Ping(ctx) }},
	}
	for _, c := range calls {
		if n := terminate(t, app); n == 0 {
			t.Fatalf("%s: no backend to terminate", c.name)
		}
		err := c.call()
		t.Logf("%s after termination: %v", c.name, err)
		if err != nil && !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("%s after termination = %v, want nil or store.ErrUnavailable", c.name, err)
		}
		if err := c.call(); err != nil {
			t.Errorf("%s, second call after termination = %v, want nil", c.name, err)
		}
	}

	// MarkProcessed is not idempotent: it is retried only if the server cannot have seen it.
	terminate(t, app)
	items := []store.LedgerItem{{Scope: "s", ID: "e1"}, {Scope: "s", ID: "e2"}}
	fresh, err := s.MarkProcessed(ctx, items)
	t.Logf("MarkProcessed after termination: %v, %v", fresh, err)
	if err != nil && !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("MarkProcessed after termination = %v, want nil or store.ErrUnavailable", err)
	}
	again, err2 := s.MarkProcessed(ctx, items)
	if err2 != nil {
		t.Fatalf("MarkProcessed, second call = %v, want nil", err2)
	}
	wantAgain := err != nil // a failed batch wrote nothing: its items are still fresh
	if again[0] != wantAgain || again[1] != wantAgain {
		t.Errorf("MarkProcessed, second call = %v, want both %v", again, wantAgain)
	}
}

// TestLockConnectionLost terminates the connection holding a lock: unlock neither hangs nor
// panics, and the lock can be taken again.
func TestLockConnectionLost(t *testing.T) {
	app, dsn := freshSchema(t)
	s := openTest(t, dsn)
	unlock, ok, err := s.TryLock(t.Context(), "job")
	if err != nil || !ok {
		t.Fatalf("TryLock() = _, %v, %v; want true, nil", ok, err)
	}
	terminate(t, app)
	unlock()
	unlock2, ok, err := s.TryLock(t.Context(), "job")
	if err != nil || !ok {
		t.Fatalf("TryLock() after the holder's connection died = _, %v, %v; want true, nil", ok, err)
	}
	unlock2()
}
