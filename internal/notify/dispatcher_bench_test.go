package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkDispatch delivers rounds of 10k notifications through a MemoryOutbox, pruning the
// delivered entries after each round, and reports notifications/s and the heap in use after the
// first round and after the last (flat when the dispatcher keeps nothing per notification).
func BenchmarkDispatch(b *testing.B) {
	b.Run("noop", func(b *testing.B) {
		benchDispatch(b, noopNotifier{}, 4, func() {})
	})
	b.Run("webhook", func(b *testing.B) {
		var keys sync.Map // idempotency keys seen this round
		var duplicates atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, err := io.Copy(io.Discard, r.Body); err != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			if _, dup := keys.LoadOrStore(r.Header.Get("Idempotency-Key"), true); dup {
				duplicates.Add(1)
			}
			w.WriteHeader(http.StatusNoContent)
		}))
		defer srv.Close()
		const concurrency = 16
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency}}
		defer client.CloseIdleConnections()
		benchDispatch(b, &benchWebhook{client: client, url: srv.URL}, concurrency, func() { keys.Clear() })
		if n := duplicates.Load(); n != 0 {
			b.Errorf("webhook saw %d duplicate idempotency keys, want 0", n)
		}
	})
}

// benchDispatch runs the rounds; afterRound lets the peer forget its per-round state so that
// only the dispatcher's memory is measured.
func benchDispatch(b *testing.B, inner Notifier, concurrency int, afterRound func()) {
	const batch = 10_000
	outbox := &countingOutbox{MemoryOutbox: NewMemoryOutbox(nil)}
	d := NewDispatcher(outbox, map[string]Receiver{"hook": {Notifier: inner, Concurrency: concurrency}}, DispatcherOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = d.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()

	alerts := []AlertView{{Events: []Event{{ID: "e1", Data: json.RawMessage(`{"eventName":"ConsoleLogin"}`)}}}}
	round := 0
	var firstRound uint64
	start := time.Now()
	for b.Loop() {
		ns := make([]Notification, batch)
		for i := range ns {
			ns[i] = Notification{
				ID: fmt.Sprintf("r%d-n%d", round, i), Receiver: "hook", Status: StatusFiring,
				GroupKey: "bench", Alerts: alerts,
			}
		}
		done := outbox.expect(batch)
		if err := outbox.Enqueue(ctx, ns); err != nil {
			b.Fatal(err)
		}
		d.Kick("hook")
		<-done
		outbox.Prune(time.Now().Add(time.Second))
		afterRound()
		if round == 0 {
			firstRound = heapInuse()
		}
		round++
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(batch*round)/elapsed.Seconds(), "notifications/s")
	b.ReportMetric(float64(firstRound)/(1<<20), "heap-MB-after-first")
	b.ReportMetric(float64(heapInuse())/(1<<20), "heap-MB-after-last")
	if stats, _ := outbox.Stats(ctx); len(stats) != 0 {
		b.Errorf("outbox stats after pruning = %+v, want empty", stats)
	}
}

func heapInuse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

type noopNotifier struct{}

func (noopNotifier) Notify(context.Context, *Notification) (bool, error) { return false, nil }

// countingOutbox closes the channel expect returned once that many entries were completed.
type countingOutbox struct {
	*MemoryOutbox
	remaining atomic.Int64
	mu        sync.Mutex
	done      chan struct{}
}

func (c *countingOutbox) expect(n int) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.done = make(chan struct{})
	c.remaining.Store(int64(n))
	return c.done
}

func (c *countingOutbox) Complete(ctx context.Context, id string, now time.Time) error {
	err := c.MemoryOutbox.Complete(ctx, id, now)
	if err == nil && c.remaining.Add(-1) == 0 {
		c.mu.Lock()
		close(c.done)
		c.mu.Unlock()
	}
	return err
}

// benchWebhook is a minimal webhook notifier: POST the notification as JSON with its
// idempotency key.
type benchWebhook struct {
	client *http.Client
	url    string
}

func (w *benchWebhook) Notify(ctx context.Context, n *Notification) (bool, error) {
	body, err := json.Marshal(n)
	if err != nil {
		return false, fmt.Errorf("encoding notification: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", n.ID)
	resp, err := w.client.Do(req)
	if err != nil {
		return true, fmt.Errorf("posting notification: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode/100 != 2 {
		retry := resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
		return retry, fmt.Errorf("webhook answered %s", resp.Status)
	}
	return false, nil
}
