package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Receiver is one destination as the Dispatcher delivers to it.
type Receiver struct {
	Notifier Notifier
	// Concurrency bounds the Notify calls in flight for this receiver in one Dispatcher;
	// 0 means 4.
	Concurrency int
	// RateLimit is the sustained number of Notify calls per second (a token bucket of Burst
	// tokens); 0 means no limit. Like Concurrency it holds per Dispatcher: instances sharing an
	// outbox together send up to their number times the rate. Tokens are taken before claiming,
	// so no lease runs out while an entry waits for one.
	RateLimit float64
	// Burst is the token bucket's size; 0 means 1, so no window ever sees more than the rate.
	Burst int
	// MaxAge is how long an entry may stay undelivered before it goes dead; 0 means 24h.
	MaxAge time.Duration
	// Fallback names the receiver that gets a copy of every notification this receiver
	// dead-letters; empty means none.
	Fallback string
}

// Defaults of Receiver and DispatcherOptions.
const (
	DefaultConcurrency    = 4
	DefaultMaxAge         = 24 * time.Hour
	DefaultPollInterval   = time.Second
	DefaultLease          = 2 * time.Minute
	DefaultBackoffBase    = time.Second
	DefaultBackoffMax     = 10 * time.Minute
	DefaultAttemptTimeout = 30 * time.Second
	DefaultStatsInterval  = 15 * time.Second
)

// maxErrorText bounds Entry.LastError.
const maxErrorText = 1024

// DispatcherOptions tune a Dispatcher. Zero fields take the defaults above.
type DispatcherOptions struct {
	// Clock stamps claims, completions and failures and tells when an entry is due. Waiting
	// uses timers, so a test clock must move with them: run such tests under testing/synctest
	// with the default time.Now.
	Clock  func() time.Time
	Logger *slog.Logger // nil discards
	// Metrics registers the picket_notify_* metrics; nil leaves them unregistered.
	Metrics prometheus.Registerer
	// PollInterval is how often an idle receiver looks for due entries it was not told about
	// (retries scheduled by another instance, expired leases); Kick wakes it sooner.
	PollInterval time.Duration
	// Lease is how long a claimed entry stays reserved to this Dispatcher; it must exceed
	// AttemptTimeout, or an attempt may still run when another claim sends the entry again.
	Lease time.Duration
	// BackoffBase and BackoffMax bound the exponential back-off: the n-th failed attempt waits
	// a uniformly random time in [0, min(BackoffMax, BackoffBase·2^(n-1))] ("full jitter").
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// Rand is the jitter's randomness; nil means a random seed. Tests inject a fixed source.
	Rand rand.Source
	// AttemptTimeout bounds one Notify call.
	AttemptTimeout time.Duration
	// StatsInterval is how often the queue-depth gauges are refreshed from Outbox.Stats.
	StatsInterval time.Duration
}

// Dispatcher delivers the outbox's notifications to their receivers: per receiver, it claims due
// entries, sends them with bounded concurrency and an optional rate limit, and records the
// outcome. Retryable failures back off exponentially with full jitter (never sooner than a
// RetryAfterError asks); permanent failures, notifier panics and entries older than the
// receiver's MaxAge go dead, with a copy to the receiver's Fallback. Each receiver runs on its
// own, so a slow or failing one never delays another.
//
// Delivery is at least once towards the provider and exactly once logically: an entry is sent
// again only when its outcome was not recorded (a crash, a store failure, a shutdown in the
// middle of a send), and then with the same Notification.ID, the idempotency key providers use
// to drop the duplicate.
//
// A Dispatcher logs a failure once per distinct error text per receiver until that receiver
// next succeeds; Entry.LastError, the outbox stats and the metrics show every failure.
type Dispatcher struct {
	outbox  Outbox
	opts    DispatcherOptions
	logger  *slog.Logger
	metrics *metrics
	lanes   map[string]*lane

	randMu sync.Mutex
	rand   *rand.Rand
}

// ValidateReceivers reports receivers without a notifier and fallbacks that name an unknown
// receiver or form a cycle. Configuration validation calls it; NewDispatcher panics on what it
// reports.
func ValidateReceivers(receivers map[string]Receiver) error {
	var errs []error
	names := make([]string, 0, len(receivers))
	for name := range receivers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		r := receivers[name]
		if r.Notifier == nil {
			errs = append(errs, fmt.Errorf("receiver %q: no notifier", name))
		}
		seen := map[string]bool{name: true}
		for cur := r.Fallback; cur != ""; cur = receivers[cur].Fallback {
			if _, ok := receivers[cur]; !ok {
				errs = append(errs, fmt.Errorf("receiver %q: fallback %q is not a receiver", name, cur))
				break
			}
			if seen[cur] {
				errs = append(errs, fmt.Errorf("receiver %q: fallback chain loops at %q", name, cur))
				break
			}
			seen[cur] = true
		}
	}
	return errors.Join(errs...)
}

// NewDispatcher returns a Dispatcher for receivers, keyed by receiver name (Notification.Receiver).
// It panics when ValidateReceivers reports a problem, or when opts.Metrics already holds the
// picket_notify_* metrics: both are wiring bugs.
func NewDispatcher(outbox Outbox, receivers map[string]Receiver, opts DispatcherOptions) *Dispatcher {
	if err := ValidateReceivers(receivers); err != nil {
		panic(fmt.Sprintf("notify.NewDispatcher: %v", err))
	}
	opts = opts.withDefaults()
	d := &Dispatcher{
		outbox:  outbox,
		opts:    opts,
		logger:  opts.Logger,
		metrics: newMetrics(opts.Metrics),
		lanes:   make(map[string]*lane, len(receivers)),
	}
	if opts.Rand != nil {
		d.rand = rand.New(opts.Rand)
	}
	for name, r := range receivers {
		d.lanes[name] = newLane(d, name, r.withDefaults())
	}
	return d
}

func (o DispatcherOptions) withDefaults() DispatcherOptions {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	setDefault(&o.PollInterval, DefaultPollInterval)
	setDefault(&o.Lease, DefaultLease)
	setDefault(&o.BackoffBase, DefaultBackoffBase)
	setDefault(&o.BackoffMax, DefaultBackoffMax)
	setDefault(&o.AttemptTimeout, DefaultAttemptTimeout)
	setDefault(&o.StatsInterval, DefaultStatsInterval)
	return o
}

func (r Receiver) withDefaults() Receiver {
	if r.Concurrency <= 0 {
		r.Concurrency = DefaultConcurrency
	}
	if r.Burst <= 0 {
		r.Burst = 1
	}
	setDefault(&r.MaxAge, DefaultMaxAge)
	return r
}

func setDefault(d *time.Duration, def time.Duration) {
	if *d <= 0 {
		*d = def
	}
}

// Run delivers until ctx is done, then returns nil. It starts one loop per receiver and one
// that refreshes the queue metrics, and returns only when all of them, and every send they
// started, have returned.
//
// On cancellation no new entry is claimed and in-flight sends see their context cancelled. A
// send that still succeeds is recorded as delivered (with a short context of its own); one that
// fails because of the cancellation is abandoned without recording anything, and its lease
// expires so that the next run (of this or another instance) sends it again.
//
// Run must not be called again while it runs; several Dispatchers, in one process or several,
// may share an Outbox.
func (d *Dispatcher) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, l := range d.lanes {
		wg.Go(func() { l.run(ctx) })
	}
	wg.Go(func() { d.refreshStats(ctx) })
	wg.Wait()
	return nil
}

// Kick wakes receiver's loop to claim at once, for example after enqueueing notifications for
// it. It never blocks; an unknown receiver is ignored.
func (d *Dispatcher) Kick(receiver string) {
	if l, ok := d.lanes[receiver]; ok {
		select {
		case l.kick <- struct{}{}:
		default:
		}
	}
}

// refreshStats sets the queue gauges from the outbox every StatsInterval.
func (d *Dispatcher) refreshStats(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		stats, err := d.outbox.Stats(ctx)
		if err != nil {
			if ctx.Err() == nil {
				d.logger.Debug("reading outbox stats", "err", err)
			}
		} else {
			d.metrics.setQueue(stats, d.opts.Clock())
		}
		t.Reset(d.opts.StatsInterval)
	}
}

// backoff returns the wait after the attempts-th failed attempt: full jitter over an
// exponentially growing ceiling.
func (d *Dispatcher) backoff(attempts int) time.Duration {
	ceiling := d.opts.BackoffBase
	for i := 1; i < attempts && ceiling < d.opts.BackoffMax; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, d.opts.BackoffMax)
	if d.rand == nil {
		return rand.N(ceiling + 1)
	}
	d.randMu.Lock()
	defer d.randMu.Unlock()
	return time.Duration(d.rand.Int64N(int64(ceiling) + 1))
}

// fallbackID is the id of the copy of notification id sent to receiver fallback: stable, so
// dead-lettering the same entry twice (after a crash) enqueues one copy.
func fallbackID(id, fallback string) string { return id + "/fallback/" + fallback }
