package correlate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"picket/internal/event"
	"picket/internal/rule/sigma"
)

// Default option values.
const (
	DefaultMaxGroups    = 100_000
	DefaultMaxHitEvents = 100
)

// Options configure an Engine. The zero value is usable.
type Options struct {
	// Lateness is how much older than a correlation's newest event an event may be and still be
	// accepted (out-of-order arrival). 0 accepts any event that still falls in the window of
	// the newest event: younger than the timespan. Later events are dropped and counted.
	Lateness time.Duration
	// MaxGroups bounds the groups held per correlation rule (default DefaultMaxGroups). When a
	// new group would exceed it, the groups with the oldest newest event are evicted (down to
	// 15/16 of the bound, so that eviction is amortised) and counted.
	MaxGroups int
	// MaxHitEvents caps Hit.Events (default DefaultMaxHitEvents).
	MaxHitEvents int
	// Store holds the windows; nil means a new in-memory store.
	Store State
}

// Stats counts what one correlation rule holds and what it dropped.
type Stats struct {
	Groups     int    // groups held (exact after each sweep, maintained in between)
	Hits       uint64 // hits emitted
	Late       uint64 // events dropped as older than the lateness allows
	Duplicates uint64 // events already in their window (redelivery), ignored
	Ungrouped  uint64 // events lacking a group-by field, ignored
	NoValue    uint64 // events without a usable value of the condition field (value_* types), ignored
	Expired    uint64 // groups removed because every event in them aged out
	Evicted    uint64 // groups removed to respect MaxGroups
}

// Engine evaluates correlation rules over the stream of detections. It is safe for concurrent
// use: one mutex serialises Observe.
type Engine struct {
	opts      Options
	corrs     []*corr            // in rule order
	consumers map[string][]*corr // by input rule id: the correlations it feeds
	mu        sync.Mutex
}

// New builds an engine for the correlation rules among rules (the other rules are ignored; the
// rules they reference are linked through sigma.Correlation.Refs). It fails, reporting every
// problem, when a correlation cannot be evaluated, when a referenced correlation is not among
// rules, or when correlations reference each other in a cycle.
func New(rules []*sigma.Rule, opts Options) (*Engine, error) {
	if opts.MaxGroups <= 0 {
		opts.MaxGroups = DefaultMaxGroups
	}
	if opts.MaxHitEvents <= 0 {
		opts.MaxHitEvents = DefaultMaxHitEvents
	}
	if opts.Store == nil {
		opts.Store = NewMemory()
	}
	e := &Engine{opts: opts, consumers: map[string][]*corr{}}
	byID := map[string]*corr{}
	var order []string
	var errs []error
	for _, r := range rules {
		if r.Kind != sigma.KindCorrelation {
			continue
		}
		if _, dup := byID[r.ID]; dup {
			errs = append(errs, fmt.Errorf("correlation %s (%q): duplicate rule id", r.ID, r.Title))
			continue
		}
		c, err := compile(r, opts)
		if err != nil {
			errs = append(errs, fmt.Errorf("correlation %s (%q): %w", r.ID, r.Title, err))
			continue
		}
		byID[r.ID] = c
		order = append(order, r.ID)
		e.corrs = append(e.corrs, c)
	}
	for _, c := range e.corrs {
		for _, ref := range c.rule.Correlation.Refs {
			if ref.Kind == sigma.KindCorrelation && byID[ref.ID] == nil {
				errs = append(errs, fmt.Errorf("correlation %s (%q) references correlation %s, which is not in the rule set",
					c.rule.ID, c.rule.Title, ref.ID))
			}
			if !slices.Contains(e.consumers[ref.ID], c) {
				e.consumers[ref.ID] = append(e.consumers[ref.ID], c)
			}
		}
	}
	if len(errs) == 0 {
		if cyc := findCycle(byID, order); cyc != nil {
			errs = append(errs, fmt.Errorf("correlations reference each other in a cycle: %s", strings.Join(cyc, " -> ")))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return e, nil
}

// Inputs maps the id of every rule that feeds a correlation (detection rules, and correlations
// that chained correlations reference) to the correlation rules it feeds. The caller passes the
// matches of the detection rules among them to Observe, and may use the map to decide about
// `generate: false`.
func (e *Engine) Inputs() map[string][]*sigma.Rule {
	out := make(map[string][]*sigma.Rule, len(e.consumers))
	for id, cs := range e.consumers {
		for _, c := range cs {
			out[id] = append(out[id], c.rule)
		}
	}
	return out
}

// Stats reports the counters of every correlation rule, by rule id.
func (e *Engine) Stats() map[string]Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]Stats, len(e.corrs))
	for _, c := range e.corrs {
		s := c.stats
		s.Groups = c.groups
		out[c.rule.ID] = s
	}
	return out
}

// Observe feeds one detection, rule r matching event ev, to the correlations r feeds, and
// returns the hits it completes, including those of chained correlations fed by these hits
// (inner hits come before the outer ones they complete). Hits of rules whose Generate is false
// are returned too: the caller decides whether they alert. r is a detection rule: hits are fed
// to chained correlations here and must not be passed back. ev.Time must be set; ev is not
// retained (its ID and Source strings are). On a State error, Observe returns the hits
// completed so far with the error.
func (e *Engine) Observe(ctx context.Context, r *sigma.Rule, ev *event.Event) ([]Hit, error) {
	if len(e.consumers[r.ID]) == 0 {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	in := input{rule: r.ID, id: ev.ID, time: ev.Time, source: ev.Source, ev: ev}
	var hits []Hit
	err := e.feed(ctx, &in, &hits)
	return hits, err
}

// feed passes in to every correlation that consumes it, and their hits on, recursively (the
// reference graph is acyclic).
func (e *Engine) feed(ctx context.Context, in *input, hits *[]Hit) error {
	for _, c := range e.consumers[in.rule] {
		hs, err := c.observe(ctx, in, &e.opts)
		for i := range hs {
			*hits = append(*hits, hs[i])
			next := fromHit(&hs[i])
			if err := e.feed(ctx, &next, hits); err != nil {
				return err
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// observe adds one input to the rule's windows and returns the hits it completes.
func (c *corr) observe(ctx context.Context, in *input, opts *Options) ([]Hit, error) {
	if !c.accept(in.time) {
		c.stats.Late++
		return nil, nil
	}
	if in.time.After(c.newest) {
		c.newest = in.time
	}
	if c.newest.Sub(c.swept) >= c.lateness+c.span {
		if err := c.sweep(ctx, opts, false); err != nil {
			return nil, err
		}
	}
	p := c.plans[in.rule]
	groups := in.tuples(p.groupBy)
	if groups == nil {
		c.stats.Ungrouped++
		return nil, nil
	}
	en := Entry{Rule: in.rule, Event: strings.Clone(in.id), Time: in.time, Source: strings.Clone(in.source)}
	switch {
	case c.agg == valueCount:
		en.Values = in.distinctValues(p.fields)
	case c.agg.numeric():
		en.Numbers = in.numbers(p.fields)
	}
	if (c.agg == valueCount || c.agg.numeric()) && len(en.Values)+len(en.Numbers) == 0 {
		c.stats.NoValue++
		return nil, nil
	}
	if in.hit != nil {
		en.Refs, en.Omitted = slices.Clone(in.hit.Events), in.hit.Omitted
	}
	var hits []Hit
	var arr [64]byte
	buf := arr[:0]
	for _, g := range groups {
		buf = encodeTuple(buf[:0], g)
		h, ok, err := c.add(ctx, Key{Rule: c.rule.ID, Group: string(buf)}, g, en, opts)
		if err != nil {
			return hits, err
		}
		if ok {
			hits = append(hits, h)
		}
	}
	return hits, nil
}

// add inserts en into the window of group k (values group, possibly sharing the event's memory)
// and evaluates it.
func (c *corr) add(ctx context.Context, k Key, group []string, en Entry, opts *Options) (Hit, bool, error) {
	st := opts.Store
	w, ok, err := st.Get(ctx, k)
	if err != nil {
		return Hit{}, false, fmt.Errorf("correlation %s: loading window: %w", c.rule.ID, err)
	}
	changed := false
	if ok {
		changed = w.prune(c.cutoff())
		if w.duplicate(&en, c.agg.temporalKind()) {
			c.stats.Duplicates++
			if changed {
				if err := st.Put(ctx, k, w); err != nil {
					return Hit{}, false, fmt.Errorf("correlation %s: storing window: %w", c.rule.ID, err)
				}
			}
			return Hit{}, false, nil
		}
	} else {
		if c.groups >= opts.MaxGroups {
			if err := c.sweep(ctx, opts, true); err != nil {
				return Hit{}, false, err
			}
		}
		w = &Window{Group: cloneAll(group)}
		c.groups++
	}
	i := w.insert(en)
	if en.Time.After(w.Newest) {
		w.Newest = en.Time
	}
	h, fired := c.evaluate(w, k.Group, i, opts.MaxHitEvents)
	if err := st.Put(ctx, k, w); err != nil {
		return Hit{}, false, fmt.Errorf("correlation %s: storing window: %w", c.rule.ID, err)
	}
	return h, fired, nil
}

// sweep deletes the rule's expired groups and, with room, evicts the oldest groups so that one
// more fits under MaxGroups. It recounts the groups held.
func (c *corr) sweep(ctx context.Context, opts *Options, room bool) error {
	type group struct {
		key    string
		newest time.Time
	}
	var gs []group
	err := opts.Store.Range(ctx, c.rule.ID, func(k string, newest time.Time) bool {
		gs = append(gs, group{k, newest})
		return true
	})
	if err != nil {
		return fmt.Errorf("correlation %s: listing windows: %w", c.rule.ID, err)
	}
	del := func(k string) error {
		if err := opts.Store.Delete(ctx, Key{Rule: c.rule.ID, Group: k}); err != nil {
			return fmt.Errorf("correlation %s: deleting window: %w", c.rule.ID, err)
		}
		return nil
	}
	cut := c.cutoff()
	live := gs[:0]
	for _, g := range gs {
		if g.newest.After(cut) {
			live = append(live, g)
			continue
		}
		if err := del(g.key); err != nil {
			return err
		}
		c.stats.Expired++
	}
	if room && len(live) >= opts.MaxGroups {
		slices.SortFunc(live, func(a, b group) int {
			return cmp.Or(a.newest.Compare(b.newest), strings.Compare(a.key, b.key))
		})
		n := len(live) - opts.MaxGroups + max(1, opts.MaxGroups/16)
		for _, g := range live[:n] {
			if err := del(g.key); err != nil {
				return err
			}
			c.stats.Evicted++
		}
		live = live[n:]
	}
	c.groups = len(live)
	c.swept = c.newest
	return nil
}
