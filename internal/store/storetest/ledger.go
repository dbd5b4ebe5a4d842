package storetest

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/store"
)

// at returns an arbitrary event time plus minutes.
func at(minutes int) time.Time {
	return time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC).Add(time.Duration(minutes) * time.Minute)
}

func item(scope, id string, minute int) store.LedgerItem {
	return store.LedgerItem{Scope: scope, ID: id, Time: at(minute)}
}

func testLedger(t *testing.T, s store.Store) {
	ctx := t.Context()
	batches := []struct {
		name  string
		items []store.LedgerItem
		want  []bool
	}{
		{"empty batch", nil, []bool{}},
		{"new items", []store.LedgerItem{item("r1", "e1", 0), item("r1", "e2", 0)}, []bool{true, true}},
		{"seen across batches", []store.LedgerItem{item("r1", "e1", 5), item("r1", "e3", 0)}, []bool{false, true}},
		{"duplicates in one batch", []store.LedgerItem{item("r1", "e4", 0), item("r1", "e4", 0), item("r1", "e4", 1)}, []bool{true, false, false}},
		{"scopes are independent", []store.LedgerItem{item("r2", "e1", 0), item("", "e1", 0), item("r2", "e1", 0)}, []bool{true, true, false}},
		{"empty ids are always fresh", []store.LedgerItem{item("r1", "", 0), item("r1", "", 0)}, []bool{true, true}},
		{"mixed", []store.LedgerItem{item("r1", "e2", 0), item("r1", "e5", 0), item("r1", "", 0), item("r1", "e5", 0)}, []bool{false, true, true, false}},
		{"odd ids", []store.LedgerItem{item("r1", "E1", 0), item("r1", "e1 ", 0), item("r1", "ë1'\"\\;", 0)}, []bool{true, true, true}},
		{"ids are any bytes", []store.LedgerItem{item("r1", "a\x00b", 0), item("r1", "a\x00c", 0), item("r1", "\xff\xfe", 0), item("r1", "a\x00b", 0)}, []bool{true, true, true, false}},
	}
	for _, b := range batches {
		got, err := s.MarkProcessed(ctx, b.items)
		if err != nil {
			t.Fatalf("%s: MarkProcessed() = %v", b.name, err)
		}
		if got == nil {
			got = []bool{}
		}
		if diff := cmp.Diff(b.want, got); diff != "" {
			t.Errorf("%s: MarkProcessed() fresh mismatch (-want +got):\n%s", b.name, diff)
		}
	}
}

// testLedgerConcurrent marks the same ids from several goroutines, each in its own order:
// every id is fresh for exactly one of them.
func testLedgerConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	const workers, ids, rounds = 4, 300, 3
	for round := range rounds {
		counts := make([]int, ids)
		var mu sync.Mutex
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			order := rand.New(rand.NewPCG(uint64(round), uint64(w))).Perm(ids)
			wg.Go(func() {
				items := make([]store.LedgerItem, ids)
				for i, k := range order {
					items[i] = item("rule", fmt.Sprintf("round%d-id%d", round, k), 0)
				}
				fresh, err := s.MarkProcessed(ctx, items)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				defer mu.Unlock()
				for i, f := range fresh {
					if f {
						counts[order[i]]++
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("MarkProcessed() = %v", err)
		}
		for id, n := range counts {
			if n != 1 {
				t.Errorf("round %d: id %d fresh in %d of %d concurrent batches, want exactly 1", round, id, n, workers)
			}
		}
	}
}

func testLedgerPrune(t *testing.T, s store.Store) {
	ctx := t.Context()
	var items []store.LedgerItem
	for m := range 10 {
		items = append(items, item("r", fmt.Sprint("e", m), m))
	}
	_, err := s.MarkProcessed(ctx, items)
	mustNot(t, "MarkProcessed", err)

	cut := at(5) // items 0..4 are before it, 5 is not
	n, err := s.PruneLedger(ctx, cut)
	if err != nil || n != 5 {
		t.Fatalf("PruneLedger(+5m) = %d, %v; want 5, nil", n, err)
	}
	if n, err := s.PruneLedger(ctx, cut); err != nil || n != 0 {
		t.Errorf("PruneLedger(+5m) again = %d, %v; want 0, nil", n, err)
	}
	got, err := s.MarkProcessed(ctx, []store.LedgerItem{items[0], items[4], items[5], items[9]})
	mustNot(t, "MarkProcessed", err)
	if diff := cmp.Diff([]bool{true, true, false, false}, got); diff != "" {
		t.Errorf("MarkProcessed() after prune: fresh mismatch (-want +got):\n%s", diff)
	}
	// A re-marked item keeps its first time: e5 is pruned with the +6m cut although marked later.
	if n, err := s.PruneLedger(ctx, at(6)); err != nil || n != 3 {
		t.Errorf("PruneLedger(+6m) = %d, %v; want 3 (e0, e4 re-marked at their times, e5), nil", n, err)
	}
}

// testLedgerPruneMany prunes more rows than a backend may delete in one transaction.
func testLedgerPruneMany(t *testing.T, s store.Store) {
	ctx := t.Context()
	const old, recent = 12000, 100
	for start := 0; start < old+recent; start += 1000 {
		batch := make([]store.LedgerItem, 0, 1000)
		for i := start; i < min(start+1000, old+recent); i++ {
			m := -60
			if i >= old {
				m = 60
			}
			batch = append(batch, item("bulk", fmt.Sprint(i), m))
		}
		_, err := s.MarkProcessed(ctx, batch)
		mustNot(t, "MarkProcessed", err)
	}
	n, err := s.PruneLedger(ctx, at(0))
	if err != nil || n != old {
		t.Fatalf("PruneLedger() = %d, %v; want %d, nil", n, err, old)
	}
	got, err := s.MarkProcessed(ctx, []store.LedgerItem{item("bulk", "0", 0), item("bulk", fmt.Sprint(old), 0)})
	mustNot(t, "MarkProcessed", err)
	if diff := cmp.Diff([]bool{true, false}, got); diff != "" {
		t.Errorf("MarkProcessed() after prune: fresh mismatch (-want +got):\n%s", diff)
	}
}
