// Package clock abstracts time for code whose behaviour depends on it (the scheduler), so that
// tests drive time explicitly instead of sleeping.
//
// Real is the system clock. Fake only moves when told: Advance fires, in deadline order, every
// timer that falls due, at its own deadline. A test that wants a goroutine to wait on a timer
// before it advances time calls BlockUntil(ctx, n), which returns once n timers are pending:
// a goroutine that created a timer has decided to wait, and because each timer channel has a
// buffer of one, a tick fired before the goroutine reaches its select is not lost.
package clock

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Clock tells the time and makes timers.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// NewTimer returns a timer that sends the time on its channel once d has passed.
	NewTimer(d time.Duration) Timer
}

// Timer is a single-shot timer, like time.Timer.
type Timer interface {
	// C returns the channel the timer fires on (buffer of one).
	C() <-chan time.Time
	// Stop prevents the timer from firing; it reports whether it stopped it.
	Stop() bool
}

// Sleep waits for d on c, or until ctx is done; it reports whether the full d elapsed.
func Sleep(ctx context.Context, c Clock, d time.Duration) bool {
	t := c.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return true
	case <-ctx.Done():
		return false
	}
}

// Real returns the system clock.
func Real() Clock { return realClock{} }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time { return r.t.C }
func (r realTimer) Stop() bool          { return r.t.Stop() }

// Fake is a clock for tests: time stands still until Advance or Set. It is safe for
// concurrent use.
type Fake struct {
	mu      sync.Mutex
	now     time.Time
	timers  []*fakeTimer  // pending, in no particular order
	changed chan struct{} // closed and replaced whenever the pending timers change
}

// NewFake returns a fake clock showing now.
func NewFake(now time.Time) *Fake { return &Fake{now: now, changed: make(chan struct{})} }

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// NewTimer returns a timer firing once the fake time reaches now + d; a timer with d <= 0
// fires at once.
func (f *Fake) NewTimer(d time.Duration) Timer {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := &fakeTimer{f: f, at: f.now.Add(d), c: make(chan time.Time, 1)}
	if d <= 0 {
		t.c <- f.now
		return t
	}
	f.timers = append(f.timers, t)
	f.notify()
	return t
}

// Advance moves the time forward by d, firing the timers that fall due in deadline order,
// each with the time set to its deadline.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	target := f.now.Add(d)
	f.mu.Unlock()
	f.Set(target)
}

// Set moves the time to t (never backwards), firing the timers due by then.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		i := f.earliest()
		if i < 0 || f.timers[i].at.After(t) {
			break
		}
		tm := f.timers[i]
		f.timers = slices.Delete(f.timers, i, i+1)
		if tm.at.After(f.now) {
			f.now = tm.at
		}
		tm.c <- f.now // never blocks: the timer fires once into a buffer of one
		f.notify()
	}
	if t.After(f.now) {
		f.now = t
	}
}

// Pending returns the number of timers not yet fired or stopped.
func (f *Fake) Pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.timers)
}

// BlockUntil waits until at least n timers are pending, or ctx is done (then it returns
// ctx.Err()). Tests call it before Advance to know that the goroutines under test are
// waiting for time to pass.
func (f *Fake) BlockUntil(ctx context.Context, n int) error {
	for {
		f.mu.Lock()
		ok, ch := len(f.timers) >= n, f.changed
		f.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// NextDeadline returns the earliest pending timer's deadline, and false when none is pending.
func (f *Fake) NextDeadline() (time.Time, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i := f.earliest(); i >= 0 {
		return f.timers[i].at, true
	}
	return time.Time{}, false
}

func (f *Fake) earliest() int {
	best := -1
	for i, t := range f.timers {
		if best < 0 || t.at.Before(f.timers[best].at) {
			best = i
		}
	}
	return best
}

// notify wakes BlockUntil callers; f.mu is held.
func (f *Fake) notify() {
	close(f.changed)
	f.changed = make(chan struct{})
}

type fakeTimer struct {
	f  *Fake
	at time.Time
	c  chan time.Time
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }

func (t *fakeTimer) Stop() bool {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	i := slices.Index(t.f.timers, t)
	if i < 0 {
		return false
	}
	t.f.timers = slices.Delete(t.f.timers, i, i+1)
	t.f.notify()
	return true
}
