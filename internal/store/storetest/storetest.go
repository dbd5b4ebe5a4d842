// Package storetest is the conformance suite every store.Store backend passes: the SQLite
// backend against temporary files, the PostgreSQL backend against a throw-away schema.
//
// A backend's test calls Run with a function that opens a fresh, empty, migrated Store for
// each subtest and closes it in t.Cleanup. The suite checks the contract documented on the
// store interfaces, including concurrency and cancellation; backend-specific faults (corrupt
// files, lost connections) are tested in the backend packages.
package storetest

import (
	"context"
	"testing"

	"picket/internal/store"
)

// Run runs the conformance suite against the stores open returns.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Checkpoints", testCheckpoints},
		{"CheckpointCopies", testCheckpointCopies},
		{"PruneCheckpoints", testPruneCheckpoints},
		{"Ledger", testLedger},
		{"LedgerConcurrentSameIDs", testLedgerConcurrent},
		{"LedgerPrune", testLedgerPrune},
		{"LedgerPruneMany", testLedgerPruneMany},
		{"CorrelationRoundTrip", testCorrelationRoundTrip},
		{"CorrelationDelete", testCorrelationDelete},
		{"CorrelationRange", testCorrelationRange},
		{"CorrelationRangeMany", testCorrelationRangeMany},
		{"CorrelationWriteWindows", testCorrelationWriteWindows},
		{"Locker", func(t *testing.T, s store.Store) { LockerExclusive(t, s, s) }},
		{"LockerConcurrent", testLockerConcurrent},
		{"Migrate", testMigrate},
		{"Ping", testPing},
		{"ConcurrentWriters", testConcurrentWriters},
		{"Cancelled", testCancelled},
		{"CommitNotifications", testCommitNotifications},
		{"DetectionCounts", testDetectionCounts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, open(t))
		})
	}
}

func testMigrate(t *testing.T, s store.Store) {
	ctx := t.Context()
	if err := s.SetCheckpoint(ctx, "k", []byte("v")); err != nil {
		t.Fatalf("SetCheckpoint() = %v", err)
	}
	for i := range 2 {
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("Migrate() #%d = %v, want nil (re-running is a no-op)", i+2, err)
		}
	}
	got, ok, err := s.Checkpoint(ctx, "k")
	if err != nil || !ok || string(got) != "v" {
		t.Errorf("Checkpoint(k) after Migrate = %q, %v, %v; want \"v\", true, nil", got, ok, err)
	}
}

func testPing(t *testing.T, s store.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping() = %v, want nil", err)
	}
}

// mustNot fails the test when err is not nil.
func mustNot(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// cancelled returns a context that is already cancelled.
func cancelled(t *testing.T) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	return ctx
}
