// Package pipeline is what happens to the records a source reads: shape recognition, the
// processed-event ledger, detection, correlation, storage of detections and alerts, and the
// alert changes handed to the notification router. It implements source.Sink.
//
// Order of effects for one batch, and why nothing is lost or repeated:
//  1. every record is recognised (logsource, id, time) and matched against the detection
//     rules — repeats too, because their detections have the same ids as the first time and
//     are stored once;
//  2. the ids of the events that feed correlation rules are marked in the processed-event
//     ledger (scope: the logsource), which says which of them are new; only new ones feed the
//     correlations, so a redelivered event never counts twice in a window (a crash after the
//     marking loses at most the correlation counts of that batch, never a detection);
//  3. the detections are stored and folded into alerts in one transaction;
//  4. the changed alerts go to the router.
//
// Only events that feed correlations go to the ledger: every other repeat is absorbed by the
// detection ids, and the ledger's writes would otherwise dominate ingestion.
//
// Process returns nil only after step 4, so the source checkpoints only what is stored.
package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"picket/internal/alert"
	"picket/internal/correlate"
	"picket/internal/detect"
	"picket/internal/event"
	"picket/internal/rule/sigma"
	"picket/internal/shape"
	"picket/internal/source"
	"picket/internal/store"
)

// Ledger remembers processed event ids (store.Ledger).
type Ledger interface {
	MarkProcessed(ctx context.Context, items []store.LedgerItem) (fresh []bool, err error)
}

// Ingester stores detections and folds them into alerts (alert.Manager).
type Ingester interface {
	Ingest(ctx context.Context, ds []alert.Detection) (due []*alert.Alert, err error)
}

// Observer hears of alert changes (the notification router); may be nil.
type Observer interface {
	Observe(as []*alert.Alert, due bool)
}

// Rules are the compiled rules of one configuration; Swap replaces them on reload.
type Rules struct {
	Detect *detect.Engine
	Corr   *correlate.Engine
	feeds  map[string][]*sigma.Rule
	// buf buffers the correlation windows of a database-backed state between flushes (one
	// transaction per batch instead of one per observed event); nil for in-memory windows.
	buf *correlate.Buffer
}

// NewRules compiles the enabled rules of set, leaving out those whose id is in off (switched
// off at run time); correlation windows live in state.
func NewRules(set *sigma.Set, state correlate.State, lateness time.Duration, off map[string]bool) (*Rules, error) {
	var enabled []*sigma.Rule
	for _, r := range set.Rules {
		if !r.Disabled && !off[r.ID] {
			enabled = append(enabled, r)
		}
	}
	var buf *correlate.Buffer
	if state != nil {
		buf = correlate.NewBuffer(state)
		state = buf
	}
	corr, err := correlate.New(enabled, correlate.Options{Lateness: lateness, Store: state})
	if err != nil {
		return nil, fmt.Errorf("correlation rules: %w", err)
	}
	return &Rules{Detect: detect.New(enabled), Corr: corr, feeds: corr.Inputs(), buf: buf}, nil
}

// Pipeline processes source batches. It is safe for concurrent use.
type Pipeline struct {
	rules   atomic.Pointer[Rules]
	ledger  Ledger
	alerts  Ingester
	router  Observer
	clock   func() time.Time
	logger  *slog.Logger
	metrics *metrics
}

// Options configure a Pipeline.
type Options struct {
	Clock  func() time.Time
	Logger *slog.Logger
	// Metrics registers the picket_pipeline_* metrics; nil leaves them unregistered.
	Metrics prometheus.Registerer
}

// New returns a pipeline evaluating rules.
func New(rules *Rules, ledger Ledger, alerts Ingester, router Observer, o Options) *Pipeline {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	p := &Pipeline{ledger: ledger, alerts: alerts, router: router, clock: o.Clock, logger: o.Logger, metrics: newMetrics(o.Metrics)}
	p.rules.Store(rules)
	return p
}

// Swap replaces the rules (configuration reload, rules switched on or off); batches in flight
// finish with the rules they started with.
func (p *Pipeline) Swap(r *Rules) { p.rules.Store(r) }

// Rules returns the rules in use.
func (p *Pipeline) Rules() *Rules { return p.rules.Load() }

// Process implements source.Sink.
func (p *Pipeline) Process(ctx context.Context, src string, b *source.Batch) error {
	start := time.Now()
	rules := p.rules.Load()
	now := p.clock()
	for reason, n := range b.Skipped {
		p.metrics.skipped.WithLabelValues(src, reason).Add(float64(n))
	}
	events := make([]event.Event, len(b.Records))
	malformed := 0
	var ds []alert.Detection
	// Pass 1: recognise and match every event; the detections of single-event rules are
	// kept whether the event is new or not (a repeat's detections have the same ids and are
	// stored once), the matches that feed correlation rules wait for the ledger.
	type feed struct {
		event int
		rule  *sigma.Rule
	}
	var feeds []feed
	var items []store.LedgerItem
	itemOf := make([]int, len(events)) // event → index in items, or -1
	for i := range b.Records {
		r := &b.Records[i]
		ev := &events[i]
		ev.Reset(r.Data, r.Text)
		ev.Source, ev.Line = src, r.Line
		shape.Identify(ev, shape.Envelope{ID: r.ID, Time: r.Time}, now)
		if b.LogSource != nil {
			ev.LogSource = *b.LogSource
		}
		itemOf[i] = -1
		if ev.Err() != nil {
			malformed++
			continue
		}
		rules.Detect.Match(ev, func(r *sigma.Rule) {
			p.metrics.matches.WithLabelValues(r.ID).Inc()
			if r.Generate {
				ds = append(ds, alert.NewDetection(r, ev, now))
			}
			if len(rules.feeds[r.ID]) == 0 {
				return
			}
			if itemOf[i] < 0 {
				itemOf[i] = len(items)
				items = append(items, store.LedgerItem{Scope: "event/" + ev.LogSource.Product + "/" + ev.LogSource.Service, ID: ev.ID, Time: ev.Time})
			}
			feeds = append(feeds, feed{i, r})
		})
	}
	if malformed > 0 {
		p.metrics.skipped.WithLabelValues(src, "malformed").Add(float64(malformed))
		p.logger.Warn("skipped malformed records", "source", src, "count", malformed)
	}
	// Pass 2: the ledger says which of the events feeding correlations are new; only those
	// count, so that a redelivered event never counts twice in a window.
	repeats := 0
	if len(items) > 0 {
		fresh, err := p.ledger.MarkProcessed(ctx, items)
		if err != nil {
			return fmt.Errorf("marking %d events processed: %w", len(items), err)
		}
		for _, f := range fresh {
			if !f {
				repeats++
			}
		}
		var cerr error
		for _, f := range feeds {
			if !fresh[itemOf[f.event]] {
				continue
			}
			hits, err := rules.Corr.Observe(ctx, f.rule, &events[f.event])
			if err != nil && cerr == nil {
				cerr = err
			}
			for h := range hits {
				if hits[h].Rule.Generate {
					ds = append(ds, alert.HitDetection(&hits[h], now))
				}
			}
		}
		if rules.buf != nil {
			if err := rules.buf.Flush(ctx); err != nil && cerr == nil {
				cerr = err
			}
		}
		if cerr != nil {
			// The correlation state could not be read or written: the events' own detections
			// are still stored; the failure is logged and counted, never silent.
			p.metrics.errors.WithLabelValues(src, "correlation").Inc()
			p.logger.Error("correlation state failed", "source", src, "err", cerr)
		}
	}
	var due []*alert.Alert
	if len(ds) > 0 {
		var err error
		if due, err = p.alerts.Ingest(ctx, ds); err != nil {
			return fmt.Errorf("storing %d detections: %w", len(ds), err)
		}
	}
	for _, a := range due {
		p.metrics.due.WithLabelValues(a.Level.String()).Inc()
	}
	if p.router != nil && len(due) > 0 {
		p.router.Observe(due, true)
	}
	p.metrics.events.WithLabelValues(src).Add(float64(len(events) - malformed))
	p.metrics.repeats.WithLabelValues(src).Add(float64(repeats))
	p.metrics.detections.WithLabelValues(src).Add(float64(len(ds)))
	p.metrics.duration.Observe(time.Since(start).Seconds())
	return nil
}

type metrics struct {
	events, repeats, detections *prometheus.CounterVec
	matches, due                *prometheus.CounterVec
	skipped, errors             *prometheus.CounterVec
	duration                    prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "picket_pipeline_events_total",
			Help: "Events evaluated, by source."}, []string{"source"}),
		repeats: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "picket_pipeline_repeated_events_total",
			Help: "Events feeding correlation rules that were seen before (redelivery, overlapping polls), by source."}, []string{"source"}),
		detections: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "picket_pipeline_detections_total",
			Help: "Detections produced (including those of repeated events, stored once), by source."}, []string{"source"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "picket_pipeline_skipped_records_total",
			Help: "Records skipped, by source and reason."}, []string{"source", "reason"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "picket_pipeline_errors_total",
			Help: "Pipeline failures that did not fail the batch, by source and stage."}, []string{"source", "stage"}),
		matches: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "picket_rule_matches_total",
			Help: "Events matched, by rule id (correlation base rules included)."}, []string{"rule"}),
		due: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "picket_alerts_due_total",
			Help: "Alerts that became due for notification (new, reopened or re-alerting), by level."}, []string{"level"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "picket_pipeline_batch_seconds",
			Help: "Time to evaluate and store one batch.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 8)}),
	}
	if reg != nil {
		reg.MustRegister(m.events, m.repeats, m.detections, m.matches, m.due, m.skipped, m.errors, m.duration)
	}
	return m
}
