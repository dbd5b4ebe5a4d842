package cloudwatch

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"picket/internal/awsx"
)

// Limiters hands out one rate limiter per AWS account and region, so that every CloudWatch Logs
// source reading the same account and region shares one budget: the
// FilterLogEvents quota is per account and region, not per caller. The composition root creates
// one Limiters and passes it to every New; a nil *Limiters gives each source its own limiter.
// It is safe for concurrent use.
type Limiters struct {
	mu sync.Mutex
	m  map[string]*Limiter
}

// NewLimiters returns an empty registry.
func NewLimiters() *Limiters { return &Limiters{m: map[string]*Limiter{}} }

// For returns the limiter of the account and region, creating it with tps calls per second.
// When several callers ask with different rates, the smallest is kept.
func (l *Limiters) For(a awsx.Account, region string, tps float64) *Limiter {
	if l == nil {
		return newLimiter(tps)
	}
	key := a.Profile + "\x00" + a.RoleARN + "\x00" + a.Endpoint + "\x00" + region
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.m[key]
	if lim == nil {
		lim = newLimiter(tps)
		l.m[key] = lim
		return lim
	}
	lim.mu.Lock()
	lim.tps = min(lim.tps, tps)
	lim.mu.Unlock()
	return lim
}

// Limiter is a token bucket: tps tokens per second, holding at most max(1, tps) tokens. It is
// safe for concurrent use.
type Limiter struct {
	mu     sync.Mutex
	tps    float64
	tokens float64
	last   time.Time
}

func newLimiter(tps float64) *Limiter {
	return &Limiter{tps: tps, tokens: max(1, tps)}
}

// Wait blocks until a call may be made or ctx is done (then it returns ctx.Err()).
func (l *Limiter) Wait(ctx context.Context) error {
	l.mu.Lock()
	now := time.Now()
	if !l.last.IsZero() {
		l.tokens = min(max(1, l.tps), l.tokens+now.Sub(l.last).Seconds()*l.tps)
	}
	l.last = now
	l.tokens--
	wait := time.Duration(-l.tokens / l.tps * float64(time.Second))
	l.mu.Unlock()
	if wait <= 0 {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		l.mu.Lock()
		l.tokens++ // give the reservation back
		l.mu.Unlock()
		return ctx.Err()
	}
}

// backoff is the retry policy for throttled and transient answers: full jitter over an
// exponential ceiling.
type backoff struct {
	base, ceiling time.Duration
	attempts      int // calls in all, the first included
}

func defaultBackoff() backoff {
	return backoff{base: 250 * time.Millisecond, ceiling: 20 * time.Second, attempts: 10}
}

// delay returns the pause before retry number n (0 for the first retry).
func (b backoff) delay(n int) time.Duration {
	d := b.base << min(n, 20)
	if d <= 0 || d > b.ceiling {
		d = b.ceiling
	}
	return time.Duration(rand.Int64N(int64(d)) + 1)
}

// sleep waits d or until ctx is done; it reports whether the whole d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// classify tells whether err is worth retrying, and whether it is a throttle.
func classify(err error) (retry, throttled bool) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "ThrottlingException", "Throttling", "RequestLimitExceeded", "TooManyRequestsException":
			return true, true
		case "ServiceUnavailableException", "InternalFailure", "InternalServerError":
			return true, false
		}
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusTooManyRequests {
		return true, true
	}
	if errors.As(err, &re) && re.HTTPStatusCode() >= 500 {
		return true, false
	}
	// A connection lost while reading the answer (aws/aws-sdk-go-v2#2737: a 200 answer whose
	// body read fails with "use of closed network connection"); the read is idempotent.
	if errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true, false
	}
	return false, false
}
