package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// call is one Notify call a fakeNotifier saw.
type call struct {
	ID string
	At time.Time
}

// fakeNotifier records calls and the most calls in flight at once, and answers with fn (nil:
// success). attempt counts the calls for the same notification id, from 1.
type fakeNotifier struct {
	fn func(ctx context.Context, n *Notification, attempt int) (bool, error)

	mu        sync.Mutex
	calls     []call
	perID     map[string]int
	active    int
	maxActive int
}

func (f *fakeNotifier) Notify(ctx context.Context, n *Notification) (bool, error) {
	f.mu.Lock()
	f.calls = append(f.calls, call{n.ID, time.Now()})
	if f.perID == nil {
		f.perID = make(map[string]int)
	}
	f.perID[n.ID]++
	attempt := f.perID[n.ID]
	f.active++
	f.maxActive = max(f.maxActive, f.active)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.active--
		f.mu.Unlock()
	}()
	if f.fn == nil {
		return false, nil
	}
	return f.fn(ctx, n, attempt)
}

func (f *fakeNotifier) MaxActive() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.maxActive
}

func (f *fakeNotifier) Calls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a slog handler.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// harness runs a Dispatcher over a MemoryOutbox inside a synctest bubble.
type harness struct {
	t      *testing.T
	outbox *MemoryOutbox
	d      *Dispatcher
	reg    *prometheus.Registry
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

// newHarness builds the dispatcher; start runs it. Call inside synctest.Test.
func newHarness(t *testing.T, receivers map[string]Receiver, opts DispatcherOptions) *harness {
	t.Helper()
	h := &harness{t: t, outbox: NewMemoryOutbox(nil), reg: prometheus.NewRegistry(), logs: &syncBuffer{}}
	opts.Logger = slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	opts.Metrics = h.reg
	h.d = NewDispatcher(h.outbox, receivers, opts)
	return h
}

func (h *harness) start() *harness {
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel, h.done = cancel, make(chan error, 1)
	go func() { h.done <- h.d.Run(ctx) }()
	h.t.Cleanup(h.stop)
	return h
}

func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.cancel = nil
	if err := <-h.done; err != nil {
		h.t.Errorf("Run = %v, want nil", err)
	}
}

func (h *harness) enqueue(ns ...Notification) {
	h.t.Helper()
	if err := h.outbox.Enqueue(context.Background(), ns); err != nil {
		h.t.Fatalf("Enqueue: %v", err)
	}
	for _, n := range ns {
		h.d.Kick(n.Receiver)
	}
}

func (h *harness) entry(id string) Entry {
	h.t.Helper()
	return entry(h.t, h.outbox, id)
}

func (h *harness) logCount(msg string) int {
	return strings.Count(h.logs.String(), fmt.Sprintf("msg=%q", msg))
}

func notifications(receiver string, n int) []Notification {
	out := make([]Notification, n)
	for i := range out {
		out[i] = testNotification(fmt.Sprintf("%s-%03d", receiver, i), receiver)
	}
	return out
}

func TestDispatcherDeliversOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hook, mail := &fakeNotifier{}, &fakeNotifier{}
		h := newHarness(t, map[string]Receiver{"hook": {Notifier: hook}, "mail": {Notifier: mail}}, DispatcherOptions{}).start()
		start := time.Now()
		h.enqueue(append(notifications("hook", 3), notifications("mail", 2)...)...)
		synctest.Wait()

		wantHook := []call{{"hook-000", start}, {"hook-001", start}, {"hook-002", start}}
		if diff := cmp.Diff(wantHook, sortCalls(hook.Calls())); diff != "" {
			t.Errorf("hook calls (-want +got):\n%s", diff)
		}
		if got := len(mail.Calls()); got != 2 {
			t.Errorf("mail got %d calls, want 2", got)
		}
		for _, id := range []string{"hook-000", "mail-001"} {
			if e := h.entry(id); e.State != StateDelivered || e.Attempts != 1 || !e.DeliveredAt.Equal(start) {
				t.Errorf("entry %s = %+v, want delivered at once in 1 attempt", id, e)
			}
		}
		// Re-enqueueing delivered ids sends nothing.
		h.enqueue(notifications("hook", 3)...)
		time.Sleep(time.Minute)
		synctest.Wait()
		if got := len(hook.Calls()); got != 3 {
			t.Errorf("after re-enqueue hook got %d calls, want still 3", got)
		}
		if got := testutil.ToFloat64(h.d.metrics.sent.WithLabelValues("hook")); got != 3 {
			t.Errorf("picket_notify_sent_total{receiver=hook} = %v, want 3", got)
		}
		if got := testutil.ToFloat64(h.d.metrics.queue.WithLabelValues("mail", "pending")); got != 0 {
			t.Errorf("queue depth mail pending = %v, want 0", got)
		}
	})
}

func sortCalls(cs []call) []call {
	slices.SortFunc(cs, func(a, b call) int { return strings.Compare(a.ID, b.ID) })
	return cs
}

func TestDispatcherRetriesWithJitteredBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errDown := errors.New("connection refused")
		n := &fakeNotifier{fn: func(_ context.Context, _ *Notification, attempt int) (bool, error) {
			if attempt < 4 {
				return true, errDown
			}
			return false, nil
		}}
		h := newHarness(t, map[string]Receiver{"hook": {Notifier: n}}, DispatcherOptions{
			PollInterval: time.Hour, // the scheduled retry, not polling, must wake the receiver
			BackoffBase:  time.Second,
			BackoffMax:   3 * time.Second,
			Rand:         rand.NewPCG(1, 2),
		}).start()
		// The same source gives the delays the dispatcher draws: full jitter over 1s, 2s, 3s (capped).
		r := rand.New(rand.NewPCG(1, 2))
		start := time.Now()
		h.enqueue(testNotification("n1", "hook"))
		time.Sleep(time.Minute)

		want := []call{{"n1", start}}
		at := start
		for _, ceiling := range []time.Duration{time.Second, 2 * time.Second, 3 * time.Second} {
			at = at.Add(time.Duration(r.Int64N(int64(ceiling) + 1)))
			want = append(want, call{"n1", at})
		}
		if diff := cmp.Diff(want, n.Calls()); diff != "" {
			t.Errorf("calls (-want +got):\n%s", diff)
		}
		e := h.entry("n1")
		if e.State != StateDelivered || e.Attempts != 4 || e.LastError != errDown.Error() {
			t.Errorf("entry = %+v, want delivered after 4 attempts, last error %q", e, errDown)
		}
		if got := testutil.ToFloat64(h.d.metrics.failed.WithLabelValues("hook", "retryable")); got != 3 {
			t.Errorf("failed{reason=retryable} = %v, want 3", got)
		}
	})
}

func TestDispatcherHonoursRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := &fakeNotifier{fn: func(_ context.Context, _ *Notification, attempt int) (bool, error) {
			if attempt == 1 {
				return true, &RetryAfterError{After: 42 * time.Second, Err: errors.New("HTTP 429")}
			}
			return false, nil
		}}
		h := newHarness(t, map[string]Receiver{"hook": {Notifier: n}}, DispatcherOptions{
			BackoffBase: time.Millisecond, PollInterval: 100 * time.Millisecond,
		}).start()
		start := time.Now()
		h.enqueue(testNotification("n1", "hook"))
		time.Sleep(41 * time.Second)
		if got := len(n.Calls()); got != 1 {
			t.Fatalf("%d calls before Retry-After passed, want 1", got)
		}
		time.Sleep(time.Minute)
		want := []call{{"n1", start}, {"n1", start.Add(42 * time.Second)}}
		if diff := cmp.Diff(want, n.Calls()); diff != "" {
			t.Errorf("calls (-want +got):\n%s", diff)
		}
	})
}

func TestDispatcherPermanentErrorGoesDeadWithFallback(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hook := &fakeNotifier{fn: func(context.Context, *Notification, int) (bool, error) {
			return false, errors.New("HTTP 400: bad payload")
		}}
		mail := &fakeNotifier{}
		h := newHarness(t, map[string]Receiver{
			"hook": {Notifier: hook, Fallback: "mail"},
			"mail": {Notifier: mail},
		}, DispatcherOptions{}).start()
		h.enqueue(testNotification("n1", "hook"))
		synctest.Wait()

		if got := len(hook.Calls()); got != 1 {
			t.Errorf("hook got %d calls, want 1 (permanent errors are not retried)", got)
		}
		if e := h.entry("n1"); e.State != StateDead || e.LastError != "HTTP 400: bad payload" {
			t.Errorf("entry = %+v, want dead with the error", e)
		}
		fb := h.entry("n1/fallback/mail")
		if fb.State != StateDelivered || fb.Receiver != "mail" || fb.Notification.Receiver != "mail" ||
			fb.Notification.GroupKey != "g-n1" {
			t.Errorf("fallback entry = %+v, want delivered to mail with the same content", fb)
		}
		if diff := cmp.Diff([]string{"n1/fallback/mail"}, callIDs(mail.Calls())); diff != "" {
			t.Errorf("mail calls (-want +got):\n%s", diff)
		}
		if got := testutil.ToFloat64(h.d.metrics.dead.WithLabelValues("hook", "permanent")); got != 1 {
			t.Errorf("dead{reason=permanent} = %v, want 1", got)
		}
	})
}

func callIDs(cs []call) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func TestDispatcherMaxAge(t *testing.T) {
	t.Run("while retrying", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			n := &fakeNotifier{fn: func(context.Context, *Notification, int) (bool, error) {
				return true, errors.New("HTTP 503")
			}}
			h := newHarness(t, map[string]Receiver{"hook": {Notifier: n, MaxAge: time.Minute}}, DispatcherOptions{
				BackoffBase: time.Second, BackoffMax: 10 * time.Second, Rand: rand.NewPCG(3, 4),
			}).start()
			start := time.Now()
			h.enqueue(testNotification("n1", "hook"))
			time.Sleep(time.Hour)
			e := h.entry("n1")
			if e.State != StateDead || !strings.Contains(e.LastError, "max age") || !strings.Contains(e.LastError, "HTTP 503") {
				t.Errorf("entry = %+v, want dead for max age with the last error", e)
			}
			calls := n.Calls()
			if len(calls) < 3 || calls[len(calls)-1].At.After(start.Add(time.Minute)) {
				t.Errorf("calls = %v, want several, none after max age", calls)
			}
		})
	})
	t.Run("before the first attempt", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			n := &fakeNotifier{}
			h := newHarness(t, map[string]Receiver{"hook": {Notifier: n}}, DispatcherOptions{})
			h.enqueue(testNotification("n1", "hook"))
			time.Sleep(25 * time.Hour) // picket was down
			h.start()
			synctest.Wait()
			if got := len(n.Calls()); got != 0 {
				t.Errorf("%d calls, want none for a notification older than max age", got)
			}
			if e := h.entry("n1"); e.State != StateDead || !strings.Contains(e.LastError, "max age 24h") {
				t.Errorf("entry = %+v, want dead for max age", e)
			}
		})
	})
}

func TestDispatcherConcurrencyLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := &fakeNotifier{fn: func(context.Context, *Notification, int) (bool, error) {
			time.Sleep(time.Second)
			return false, nil
		}}
		h := newHarness(t, map[string]Receiver{"hook": {Notifier: n, Concurrency: 3}}, DispatcherOptions{}).start()
		start := time.Now()
		h.enqueue(notifications("hook", 20)...)
		time.Sleep(time.Minute)
		if got := n.MaxActive(); got != 3 {
			t.Errorf("most concurrent Notify calls = %d, want 3", got)
		}
		calls := n.Calls()
		if len(calls) != 20 {
			t.Fatalf("%d calls, want 20", len(calls))
		}
		// 20 one-second sends, 3 at a time: the last starts at +6s.
		if got, want := calls[19].At.Sub(start), 6*time.Second; got != want {
			t.Errorf("last call at +%v, want +%v", got, want)
		}
	})
}

func TestDispatcherRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := &fakeNotifier{}
		h := newHarness(t, map[string]Receiver{"hook": {Notifier: n, RateLimit: 2, Concurrency: 10}}, DispatcherOptions{}).start()
		start := time.Now()
		h.enqueue(notifications("hook", 10)...)
		time.Sleep(time.Minute)
		calls := n.Calls()
		if len(calls) != 10 {
			t.Fatalf("%d calls, want 10", len(calls))
		}
		for i, c := range calls {
			if want := start.Add(time.Duration(i) * 500 * time.Millisecond); !c.At.Equal(want) {
				t.Errorf("call %d at +%v, want +%v", i, c.At.Sub(start), want.Sub(start))
			}
		}
	})
}

func TestDispatcherSlowReceiverDoesNotBlockOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slow := &fakeNotifier{fn: func(ctx context.Context, _ *Notification, _ int) (bool, error) {
			<-ctx.Done() // hangs until the attempt times out or Run stops
			return true, ctx.Err()
		}}
		fast := &fakeNotifier{}
		h := newHarness(t, map[string]Receiver{
			"slow": {Notifier: slow, Concurrency: 1},
			"fast": {Notifier: fast},
		}, DispatcherOptions{AttemptTimeout: time.Hour, Lease: 2 * time.Hour}).start()
		start := time.Now()
		h.enqueue(notifications("slow", 5)...)
		h.enqueue(notifications("fast", 10)...)
		time.Sleep(time.Second)
		calls := fast.Calls()
		if len(calls) != 10 || !calls[9].At.Equal(start) {
			t.Errorf("fast calls = %v, want 10 at once", calls)
		}
		if got := len(slow.Calls()); got != 1 {
			t.Errorf("slow calls = %d, want 1 (hanging)", got)
		}
		// Stopping abandons the hanging send: its lease is left to expire, nothing recorded.
		h.stop()
		if e := h.entry("slow-000"); e.State != StateDelivering || e.LastError != "" {
			t.Errorf("abandoned entry = %+v, want still delivering (leased), no error", e)
		}
	})
}

func TestDispatcherAttemptTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := &fakeNotifier{fn: func(ctx context.Context, _ *Notification, attempt int) (bool, error) {
			if attempt == 1 {
				<-ctx.Done()
				return false, ctx.Err() // even a notifier saying "permanent": a timeout is retried
			}
			return false, nil
		}}
		h := newHarness(t, map[string]Receiver{"hook": {Notifier: n}}, DispatcherOptions{AttemptTimeout: 5 * time.Second}).start()
		h.enqueue(testNotification("n1", "hook"))
		time.Sleep(time.Minute)
		if e := h.entry("n1"); e.State != StateDelivered || e.Attempts != 2 || !strings.Contains(e.LastError, "timed out after 5s") {
			t.Errorf("entry = %+v, want delivered on attempt 2 after a timeout", e)
		}
		if got := testutil.ToFloat64(h.d.metrics.failed.WithLabelValues("hook", "timeout")); got != 1 {
			t.Errorf("failed{reason=timeout} = %v, want 1", got)
		}
	})
}

func TestDispatcherRedeliversAfterExpiredLease(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := &fakeNotifier{}
		h := newHarness(t, map[string]Receiver{"hook": {Notifier: n}}, DispatcherOptions{Lease: 2 * time.Minute})
		start := time.Now()
		h.enqueue(testNotification("n1", "hook"))
		// A dispatcher that crashed mid-send: it claimed the entry and never recorded anything.
		crashed, err := h.outbox.Claim(context.Background(), "hook", start, 10, 2*time.Minute)
		if err != nil || len(crashed) != 1 {
			t.Fatalf("Claim = %v, %v; want one entry", crashed, err)
		}
		h.start()
		time.Sleep(time.Minute)
		if got := len(n.Calls()); got != 0 {
			t.Fatalf("%d calls while the lease holds, want 0", got)
		}
		time.Sleep(2 * time.Minute)
		calls := n.Calls()
		if diff := cmp.Diff([]string{"n1"}, callIDs(calls)); diff != "" {
			t.Fatalf("calls after the lease expired (-want +got):\n%s", diff)
		}
		// Found by polling, within one poll interval of the expiry.
		if at := calls[0].At.Sub(start); at < 2*time.Minute || at > 2*time.Minute+DefaultPollInterval {
			t.Errorf("redelivered at +%v, want within a poll interval after +2m", at)
		}
		if e := h.entry("n1"); e.State != StateDelivered || e.Attempts != 2 {
			t.Errorf("entry = %+v, want delivered, 2 attempts", e)
		}
	})
}

func TestDispatcherRetryOfDeadEntry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		broken := true
		n := &fakeNotifier{fn: func(context.Context, *Notification, int) (bool, error) {
			mu.Lock()
			defer mu.Unlock()
			if broken {
				return false, errors.New("HTTP 401")
			}
			return false, nil
		}}
		h := newHarness(t, map[string]Receiver{"hook": {Notifier: n}}, DispatcherOptions{}).start()
		h.enqueue(testNotification("n1", "hook"))
		time.Sleep(time.Hour)
		if e := h.entry("n1"); e.State != StateDead {
			t.Fatalf("entry = %+v, want dead", e)
		}
		mu.Lock()
		broken = false // the operator fixed the credentials
		mu.Unlock()
		if err := h.outbox.Retry(context.Background(), "n1", time.Now()); err != nil {
			t.Fatal(err)
		}
		h.d.Kick("hook")
		synctest.Wait()
		if e := h.entry("n1"); e.State != StateDelivered || e.Attempts != 1 {
			t.Errorf("entry = %+v, want delivered on the first attempt after Retry", e)
		}
		if got := len(n.Calls()); got != 2 {
			t.Errorf("%d calls, want 2", got)
		}
	})
}

func TestDispatcherContainsNotifierPanic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := &fakeNotifier{fn: func(_ context.Context, n *Notification, _ int) (bool, error) {
			if n.ID == "bad" {
				panic("nil map write")
			}
			return false, nil
		}}
		h := newHarness(t, map[string]Receiver{"hook": {Notifier: n, Concurrency: 1}}, DispatcherOptions{}).start()
		h.enqueue(testNotification("bad", "hook"), testNotification("good", "hook"))
		synctest.Wait()
		if e := h.entry("bad"); e.State != StateDead || !strings.Contains(e.LastError, "notifier panicked: nil map write") {
			t.Errorf("entry bad = %+v, want dead with the panic", e)
		}
		if e := h.entry("good"); e.State != StateDelivered {
			t.Errorf("entry good = %+v, want delivered", e)
		}
	})
}

func TestDispatcherLogsEachDistinctFailureOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		text := "connection refused"
		n := &fakeNotifier{fn: func(context.Context, *Notification, int) (bool, error) {
			mu.Lock()
			defer mu.Unlock()
			return true, errors.New(text)
		}}
		h := newHarness(t, map[string]Receiver{"hook": {Notifier: n}}, DispatcherOptions{
			BackoffBase: time.Second, BackoffMax: 5 * time.Second,
		}).start()
		h.enqueue(notifications("hook", 5)...)
		time.Sleep(10 * time.Minute)
		if got := len(n.Calls()); got < 50 {
			t.Fatalf("%d calls, want many retries", got)
		}
		if got := h.logCount("notification failed"); got != 1 {
			t.Errorf("logged %d failures, want 1:\n%s", got, h.logs)
		}
		mu.Lock()
		text = "HTTP 503"
		mu.Unlock()
		time.Sleep(10 * time.Minute)
		if got := h.logCount("notification failed"); got != 2 {
			t.Errorf("logged %d failures after a new error text, want 2:\n%s", got, h.logs)
		}
		if !strings.Contains(h.logs.String(), `err="HTTP 503"`) || !strings.Contains(h.logs.String(), "receiver=hook") {
			t.Errorf("logs lack the error or receiver:\n%s", h.logs)
		}
	})
}

func TestValidateReceivers(t *testing.T) {
	n := &fakeNotifier{}
	tests := []struct {
		name      string
		receivers map[string]Receiver
		want      string // substring of the error; empty for none
	}{
		{"ok", map[string]Receiver{"a": {Notifier: n, Fallback: "b"}, "b": {Notifier: n}}, ""},
		{"no notifier", map[string]Receiver{"a": {}}, `receiver "a": no notifier`},
		{"unknown fallback", map[string]Receiver{"a": {Notifier: n, Fallback: "x"}}, `fallback "x" is not a receiver`},
		{"cycle", map[string]Receiver{"a": {Notifier: n, Fallback: "b"}, "b": {Notifier: n, Fallback: "a"}}, "loops"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateReceivers(tt.receivers)
			if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("ValidateReceivers() = %v, want error containing %q", err, tt.want)
			}
		})
	}
}

func TestErrorTextIsBounded(t *testing.T) {
	got := errorText(errors.New(strings.Repeat("é", 1000)))
	if len(got) > maxErrorText+len("…") || !strings.HasSuffix(got, "é…") {
		t.Errorf("errorText(2000 bytes) = %d bytes ending %q, want at most %d bytes on a rune boundary",
			len(got), got[len(got)-5:], maxErrorText)
	}
}
