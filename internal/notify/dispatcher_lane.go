package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"
)

// bookkeepingTimeout bounds recording an outcome after Run's context is cancelled.
const bookkeepingTimeout = 10 * time.Second

// maxLoggedErrors bounds a lane's memory of logged error texts.
const maxLoggedErrors = 64

// lane delivers one receiver's entries. Its run loop owns the claiming and the count of sends in
// flight; each send runs in a goroutine the loop waits for.
type lane struct {
	d      *Dispatcher
	name   string
	r      Receiver
	logger *slog.Logger
	kick   chan struct{}
	done   chan struct{} // one value per finished send; capacity Concurrency, so never blocks
	bucket *tokenBucket  // nil without a rate limit

	mu     sync.Mutex
	wake   time.Time       // earliest retry this lane scheduled; zero if none
	logged map[string]bool // error texts logged since the last success
}

func newLane(d *Dispatcher, name string, r Receiver) *lane {
	l := &lane{
		d:      d,
		name:   name,
		r:      r,
		logger: d.logger.With("receiver", name),
		kick:   make(chan struct{}, 1),
		done:   make(chan struct{}, r.Concurrency),
		logged: make(map[string]bool),
	}
	if r.RateLimit > 0 {
		l.bucket = &tokenBucket{rate: r.RateLimit, burst: float64(r.Burst), tokens: float64(r.Burst)}
	}
	return l
}

// run claims and sends until ctx is done, then waits for the sends in flight.
func (l *lane) run(ctx context.Context) {
	var sends sync.WaitGroup
	defer sends.Wait()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	inflight := 0
	for ctx.Err() == nil {
		wait := l.d.opts.PollInterval
		if free := l.r.Concurrency - inflight; free > 0 {
			now := l.d.opts.Clock()
			n, tokenWait := free, time.Duration(0)
			if l.bucket != nil {
				n, tokenWait = l.bucket.allow(now, free)
			}
			if n > 0 {
				entries, err := l.d.outbox.Claim(ctx, l.name, now, n, l.d.opts.Lease)
				if err != nil {
					if ctx.Err() != nil {
						break
					}
					l.logOnce("claiming notifications", err)
				}
				if l.bucket != nil {
					l.bucket.take(len(entries))
				}
				for _, e := range entries {
					inflight++
					sends.Go(func() {
						l.deliver(ctx, e)
						l.done <- struct{}{}
					})
				}
				if err == nil && len(entries) == n {
					wait = 0 // more may be due
				}
			} else {
				wait = min(wait, tokenWait)
			}
			wait = min(wait, l.untilWake(now))
		} else {
			wait = -1 // full: only a finished send frees a slot
		}
		if wait == 0 {
			inflight -= l.drainDone()
			continue
		}
		var tc <-chan time.Time
		if wait > 0 {
			timer.Reset(wait)
			tc = timer.C
		}
		select {
		case <-ctx.Done():
		case <-l.kick:
		case <-l.done:
			inflight--
		case <-tc:
		}
		inflight -= l.drainDone()
	}
}

// drainDone counts the finished sends without waiting.
func (l *lane) drainDone() int {
	n := 0
	for {
		select {
		case <-l.done:
			n++
		default:
			return n
		}
	}
}

// untilWake returns how long until the earliest retry this lane scheduled, forgetting it once
// due (the claim at now has then seen it, or a finished send makes the loop claim again).
func (l *lane) untilWake(now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.wake.IsZero() {
		return math.MaxInt64
	}
	if !l.wake.After(now) {
		l.wake = time.Time{}
		return math.MaxInt64
	}
	return l.wake.Sub(now)
}

func (l *lane) scheduleWake(t time.Time) {
	l.mu.Lock()
	if l.wake.IsZero() || t.Before(l.wake) {
		l.wake = t
	}
	l.mu.Unlock()
}

// deliver sends one claimed entry and records the outcome.
func (l *lane) deliver(ctx context.Context, e Entry) {
	start := e.CreatedAt
	if e.RetriedAt.After(start) {
		start = e.RetriedAt
	}
	deadline := start.Add(l.r.MaxAge)
	if now := l.d.opts.Clock(); !now.Before(deadline) {
		err := fmt.Errorf("not delivered within max age %s", l.r.MaxAge)
		if e.LastError != "" {
			err = fmt.Errorf("not delivered within max age %s; last error: %s", l.r.MaxAge, e.LastError)
		}
		l.deadLetter(ctx, e, now, err, "max_age")
		return
	}

	actx, cancel := context.WithTimeout(ctx, l.d.opts.AttemptTimeout)
	began := time.Now()
	retry, err := l.notify(actx, &e.Notification)
	timedOut := err != nil && ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded)
	cancel()
	l.d.metrics.attempt.WithLabelValues(l.name).Observe(time.Since(began).Seconds())
	now := l.d.opts.Clock()

	if err == nil {
		l.complete(ctx, e, now)
		return
	}
	if ctx.Err() != nil {
		// Shutting down: the failure may be ours. Leave the lease to expire; the entry is
		// sent again later with the same id.
		l.logger.Debug("notification abandoned on shutdown", "notification_id", e.ID, "err", err)
		return
	}
	reason := "retryable"
	switch {
	case timedOut:
		reason, retry = "timeout", true
		err = fmt.Errorf("attempt timed out after %s: %w", l.d.opts.AttemptTimeout, err)
	case !retry:
		reason = "permanent"
	}
	l.d.metrics.failed.WithLabelValues(l.name, reason).Inc()
	l.logOnce("notification failed", err, "reason", reason)
	if !retry {
		l.deadLetter(ctx, e, now, err, "permanent")
		return
	}
	delay := l.d.backoff(e.Attempts)
	if after, ok := RetryAfter(err); ok && after > delay {
		delay = after
	}
	next := now.Add(delay)
	if next.After(deadline) {
		l.deadLetter(ctx, e, now, fmt.Errorf("next attempt would pass max age %s: %w", l.r.MaxAge, err), "max_age")
		return
	}
	bctx, bcancel := bookkeeping(ctx)
	defer bcancel()
	if ferr := l.d.outbox.Fail(bctx, e.ID, now, next, errorText(err), false); ferr != nil {
		l.logOnce("recording a failed notification", ferr)
		return
	}
	l.scheduleWake(next)
}

// notify calls the notifier, turning a panic into a permanent error of this entry.
func (l *lane) notify(ctx context.Context, n *Notification) (retry bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			retry, err = false, fmt.Errorf("notifier panicked: %v", p)
		}
	}()
	return l.r.Notifier.Notify(ctx, n)
}

func (l *lane) complete(ctx context.Context, e Entry, now time.Time) {
	bctx, cancel := bookkeeping(ctx)
	defer cancel()
	if err := l.d.outbox.Complete(bctx, e.ID, now); err != nil {
		// The lease expires and the entry is sent again, with the same idempotency key.
		l.logOnce("recording a delivered notification", err)
		return
	}
	l.d.metrics.sent.WithLabelValues(l.name).Inc()
	l.d.metrics.latency.WithLabelValues(l.name).Observe(now.Sub(e.CreatedAt).Seconds())
	l.mu.Lock()
	clear(l.logged)
	l.mu.Unlock()
}

// deadLetter enqueues the fallback copy, then marks the entry dead: in that order, so a crash
// in between sends the entry once more and enqueues the same copy, which Enqueue ignores.
func (l *lane) deadLetter(ctx context.Context, e Entry, now time.Time, cause error, reason string) {
	bctx, cancel := bookkeeping(ctx)
	defer cancel()
	if l.r.Fallback != "" {
		n := e.Notification
		n.ID = fallbackID(e.ID, l.r.Fallback)
		n.Receiver = l.r.Fallback
		if err := l.d.outbox.Enqueue(bctx, []Notification{n}); err != nil {
			l.logOnce("enqueueing fallback notification", err, "fallback", l.r.Fallback)
			return // not marked dead: the lease expires and this runs again
		}
		l.d.Kick(l.r.Fallback)
	}
	if err := l.d.outbox.Fail(bctx, e.ID, now, time.Time{}, errorText(cause), true); err != nil {
		l.logOnce("recording a dead notification", err)
		return
	}
	l.d.metrics.dead.WithLabelValues(l.name, reason).Inc()
	l.logOnce("notification dead-lettered", cause, "reason", reason, "fallback", l.r.Fallback)
}

// logOnce logs err at Warn unless this lane logged the same message and text since its last
// success.
func (l *lane) logOnce(msg string, err error, args ...any) {
	key := msg + "\x00" + err.Error()
	l.mu.Lock()
	seen := l.logged[key]
	if !seen {
		if len(l.logged) >= maxLoggedErrors {
			clear(l.logged)
		}
		l.logged[key] = true
	}
	l.mu.Unlock()
	if !seen {
		l.logger.Warn(msg, append(args, "err", errorText(err))...)
	}
}

// bookkeeping returns a context for recording an outcome that outlives ctx's cancellation
// briefly, so a send that succeeded during shutdown is still recorded.
func bookkeeping(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), bookkeepingTimeout)
}

// errorText is err's text bounded to maxErrorText bytes, on a rune boundary.
func errorText(err error) string {
	s := err.Error()
	if len(s) <= maxErrorText {
		return s
	}
	cut := maxErrorText
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// tokenBucket is a rate limiter owned by one lane's loop (not safe for concurrent use).
type tokenBucket struct {
	rate, burst, tokens float64
	last                time.Time
}

// allow refills the bucket at now and returns how many of want may start now, and when none
// may, how long until one can.
func (b *tokenBucket) allow(now time.Time, want int) (int, time.Duration) {
	if !b.last.IsZero() {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	n := min(want, int(b.tokens))
	if n > 0 {
		return n, 0
	}
	return 0, time.Duration(math.Ceil((1 - b.tokens) / b.rate * float64(time.Second)))
}

func (b *tokenBucket) take(n int) { b.tokens -= float64(n) }
