package storetest

import (
	"sync"
	"sync/atomic"
	"testing"

	"picket/internal/store"
)

// LockerExclusive checks that a lock taken through a is refused through b until it is
// released, that unlock is idempotent and never frees a later holder, and that names are
// independent. Run calls it with one store twice; the PostgreSQL tests also call it with two
// stores open on the same database.
func LockerExclusive(t *testing.T, a, b store.Locker) {
	t.Helper()
	ctx := t.Context()
	try := func(l store.Locker, name string, want bool) func() {
		t.Helper()
		unlock, ok, err := l.TryLock(ctx, name)
		if err != nil || ok != want {
			t.Fatalf("TryLock(%q) = _, %v, %v; want %v, nil", name, ok, err, want)
		}
		if ok && unlock == nil {
			t.Fatalf("TryLock(%q) granted with a nil unlock", name)
		}
		return unlock
	}
	unlockA := try(a, "retention", true)
	try(b, "retention", false)
	try(a, "retention", false)
	unlockOther := try(b, "outbox", true) // names are independent
	unlockA()
	unlockB := try(b, "retention", true)
	unlockA() // idempotent: must not release b's lock
	try(a, "retention", false)
	unlockB()
	unlockOther()
	try(a, "retention", true)()
	try(a, "outbox", true)()
}

// testLockerConcurrent races goroutines for one lock: at most one holds it at any time.
func testLockerConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	var holders, maxHolders, granted atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for range 20 {
				unlock, ok, err := s.TryLock(ctx, "singleton")
				if err != nil {
					errs <- err
					return
				}
				if !ok {
					continue
				}
				granted.Add(1)
				n := holders.Add(1)
				for m := maxHolders.Load(); n > m && !maxHolders.CompareAndSwap(m, n); m = maxHolders.Load() {
				}
				holders.Add(-1)
				unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("TryLock() = %v", err)
	}
	if maxHolders.Load() != 1 || granted.Load() == 0 {
		t.Errorf("lock granted %d times with at most %d holders at once; want > 0 grants, 1 holder", granted.Load(), maxHolders.Load())
	}
}
