package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"picket/internal/correlate"
	"picket/internal/store"
)

// testConcurrentWriters runs goroutines writing checkpoints, ledger batches and windows at
// once: nothing is lost and the ledger counts every id fresh exactly once.
func testConcurrentWriters(t *testing.T, s store.Store) {
	ctx := t.Context()
	const writers, iterations, perBatch = 8, 25, 20
	var wg sync.WaitGroup
	var mu sync.Mutex
	freshCount := map[string]int{}
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range iterations {
				if err := s.SetCheckpoint(ctx, fmt.Sprint("source-", w), []byte(fmt.Sprint(i))); err != nil {
					errs <- err
					return
				}
				items := make([]store.LedgerItem, perBatch)
				for j := range items { // neighbouring writers overlap by half their ids
					items[j] = item("scope", fmt.Sprint((w*iterations*perBatch+i*perBatch+j)/2), i)
				}
				fresh, err := s.MarkProcessed(ctx, items)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				for j, f := range fresh {
					if f {
						freshCount[items[j].ID]++
					}
				}
				mu.Unlock()
				k := correlate.Key{Rule: "r", Group: fmt.Sprint(w)}
				if err := s.Put(ctx, k, &correlate.Window{Newest: at(i)}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent write: %v", err)
	}
	for w := range writers {
		got, ok, err := s.Checkpoint(ctx, fmt.Sprint("source-", w))
		if err != nil || !ok || string(got) != fmt.Sprint(iterations-1) {
			t.Errorf("Checkpoint(source-%d) = %q, %v, %v; want %q", w, got, ok, err, fmt.Sprint(iterations-1))
		}
		win, ok, err := s.Get(ctx, correlate.Key{Rule: "r", Group: fmt.Sprint(w)})
		if err != nil || !ok || !win.Newest.Equal(at(iterations-1)) {
			t.Errorf("Get(r/%d) = %v, %v, %v; want Newest %v", w, win, ok, err, at(iterations-1))
		}
	}
	if want := writers * iterations * perBatch / 2; len(freshCount) != want {
		t.Errorf("%d distinct ids fresh, want %d", len(freshCount), want)
	}
	for id, n := range freshCount {
		if n != 1 {
			t.Errorf("id %s fresh %d times, want 1", id, n)
		}
	}
}

// testCancelled checks that every method called with a done context fails with its error.
func testCancelled(t *testing.T, s store.Store) {
	past, cancel := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	defer cancel()
	for _, c := range []struct {
		ctx  context.Context
		want error
	}{{cancelled(t), context.Canceled}, {past, context.DeadlineExceeded}} {
		ctx := c.ctx
		k := correlate.Key{Rule: "r", Group: "g"}
		calls := map[string]func() error{
			"Checkpoint":    func() error { _, _, err := s.Checkpoint(ctx, "k"); return err },
			"SetCheckpoint": func() error { return s.SetCheckpoint(ctx, "k", []byte("v")) },
			"MarkProcessed": func() error { _, err := s.MarkProcessed(ctx, []store.LedgerItem{item("s", "e", 0)}); return err },
			"PruneLedger":   func() error { _, err := s.PruneLedger(ctx, at(0)); return err },
			"Get":           func() error { _, _, err := s.Get(ctx, k); return err },
			"Put":           func() error { return s.Put(ctx, k, &correlate.Window{}) },
			"Delete":        func() error { return s.Delete(ctx, k) },
			"Range":         func() error { return s.Range(ctx, "r", func(string, time.Time) bool { return true }) },
			"TryLock":       func() error { _, _, err := s.TryLock(ctx, "l"); return err },
			"Migrate":       func() error { return s.Migrate(ctx) },
			"Ping":          func() error { return s.Ping(ctx) },
		}
		for name, call := range calls {
			if err := call(); !errors.Is(err, c.want) {
				t.Errorf("%s(done context) = %v, want %v", name, err, c.want)
			}
		}
	}
	// Nothing was written.
	if _, ok, err := s.Checkpoint(t.Context(), "k"); err != nil || ok {
		t.Errorf("Checkpoint(k) after cancelled writes = _, %v, %v; want false, nil", ok, err)
	}
	if fresh, err := s.MarkProcessed(t.Context(), []store.LedgerItem{item("s", "e", 0)}); err != nil || !fresh[0] {
		t.Errorf("MarkProcessed() after a cancelled one = %v, %v; want [true], nil", fresh, err)
	}
}
