// Package router connects alerts to the outbox: it feeds alert changes to the routing tree's
// Grouper (package route), and at each group evaluation writes the notifications it decides,
// the re-alert bookkeeping of the alerts they announce and the Grouper's state to the store in
// one transaction (store.NotifyCommit). The Dispatcher (package notify) then delivers them.
//
// Why nothing is lost or sent twice:
//   - An alert change is stored (by the alert Manager) before the router hears of it; a router
//     that crashes before its next flush recovers on start: it restores the Grouper's state as
//     of the last commit, then re-adds every active alert (due again when open, not silenced,
//     and not notified since its re-alert time) and every alert resolved since that commit.
//   - A flush is one transaction: if it fails or the process dies before it commits, the
//     restarted router decides the same notifications again, with the same ids (route's
//     NotificationID), and the outbox keeps one entry per id.
//   - The dispatcher sends each entry with its id as the idempotency key until it records the
//     outcome.
//
// Several instances sharing a PostgreSQL store run one router at a time (the caller holds a
// store lock); the active one also re-reads the alerts every ResyncInterval, so that changes
// made by other instances or by the CLI reach the Grouper.
package router

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"picket/internal/alert"
	"picket/internal/notify"
	"picket/internal/notify/route"
	"picket/internal/store"
)

// StateKey is the checkpoint key of the router's state.
const StateKey = "notify/router"

// Store is what the router needs from the store.
type Store interface {
	Checkpoint(ctx context.Context, key string) (cursor []byte, ok bool, err error)
	CommitNotifications(ctx context.Context, c store.NotifyCommit) error
}

// Alerts lists alerts with their silenced state evaluated (alert.Manager.List).
type Alerts interface {
	List(ctx context.Context, q alert.Query) ([]*alert.Alert, error)
	Get(ctx context.Context, id string) (*alert.Alert, error)
}

// Evidence lists the detections of an alert (alert.DetectionLister).
type Evidence interface {
	Detections(ctx context.Context, q alert.DetectionQuery) ([]*alert.Detection, error)
}

// Kicker wakes the dispatcher for a receiver (notify.Dispatcher.Kick); may be nil.
type Kicker interface {
	Kick(receiver string)
}

// Options configure a Router.
type Options struct {
	// Routing is the routing tree, inhibition rules and time intervals.
	Routing route.Config
	// SendResolved names the receivers that want resolved notifications.
	SendResolved map[string]bool
	// Notified returns the re-alert bookkeeping applied to an alert announced firing at a time
	// (alert.Manager.NotifiedUpdate).
	Notified func(at time.Time) func(*alert.Alert) error
	// ConsoleURL is the console's base URL for links; empty leaves them out.
	ConsoleURL string
	// MaxEvents is how many evidence events each alert of a notification carries (default 5).
	MaxEvents int
	// ResyncInterval is how often the alerts are re-read from the store (default 10s): how
	// soon alerts stored by another instance, or changed by the CLI, reach the Grouper.
	ResyncInterval time.Duration
	Clock          func() time.Time
	Logger         *slog.Logger
}

// Router routes alert changes to the outbox. It is safe for concurrent use.
type Router struct {
	st       Store
	alerts   Alerts
	evidence Evidence
	kick     Kicker
	opts     Options

	mu       sync.Mutex // serialises Add against flush+commit, so a failed commit can roll back
	grouper  *route.Grouper
	lastSync time.Time
	wake     chan struct{}
}

// New returns a router; call Recover before Run.
func New(st Store, alerts Alerts, evidence Evidence, kick Kicker, opts Options) (*Router, error) {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxEvents <= 0 {
		opts.MaxEvents = 5
	}
	if opts.ResyncInterval <= 0 {
		opts.ResyncInterval = 10 * time.Second
	}
	if opts.Notified == nil {
		return nil, errors.New("router: Options.Notified is required")
	}
	if opts.Routing.Route == nil {
		return nil, errors.New("router: no route configured")
	}
	g, err := route.NewGrouper(opts.Routing, route.Options{SendResolved: opts.SendResolved})
	if err != nil {
		return nil, fmt.Errorf("router: %w", err)
	}
	return &Router{st: st, alerts: alerts, evidence: evidence, kick: kick, opts: opts, grouper: g,
		wake: make(chan struct{}, 1)}, nil
}

// saved is the persisted state.
type saved struct {
	Grouper route.State `json:"grouper"`
	// At is when the state was committed: alerts resolved after it are re-added on recovery.
	At time.Time `json:"at"`
}

// Recover restores the state of the last commit and re-adds the alerts changed since (see the
// package doc).
func (r *Router) Recover(ctx context.Context) error {
	cur, ok, err := r.st.Checkpoint(ctx, StateKey)
	if err != nil {
		return fmt.Errorf("router: reading state: %w", err)
	}
	var s saved
	if ok && len(cur) > 0 {
		if err := json.Unmarshal(cur, &s); err != nil {
			// A state we cannot read is rebuilt from the alerts: at worst a group notifies
			// early or repeats once, never loses an alert.
			r.opts.Logger.Warn("notification router state unreadable; rebuilding it from the alerts", "err", err)
			s = saved{}
		}
	}
	if len(s.Grouper.Alerts) == 0 && len(s.Grouper.Groups) > 0 {
		// The state keeps the groups only; their alerts come from the store.
		if s.Grouper.Alerts, err = r.memberAlerts(ctx, s.Grouper.Groups); err != nil {
			return fmt.Errorf("router: reading the alerts of the saved groups: %w", err)
		}
	}
	r.mu.Lock()
	r.grouper.Restore(s.Grouper)
	r.mu.Unlock()
	return r.resync(ctx, s.At)
}

// memberAlerts reads the alerts that are members of groups: the active ones in one listing,
// the others (resolved, waiting for their resolved notification) one by one. An alert that no
// longer exists (pruned) is left out, and Restore drops it from its groups.
func (r *Router) memberAlerts(ctx context.Context, groups []route.GroupState) ([]*alert.Alert, error) {
	want := map[string]bool{}
	for _, g := range groups {
		for _, m := range g.Members {
			want[m.ID] = true
		}
	}
	var out []*alert.Alert
	err := r.each(ctx, alert.Query{Status: []alert.Status{alert.StatusOpen, alert.StatusAcknowledged}}, func(a *alert.Alert) {
		if want[a.ID] {
			out = append(out, a)
			delete(want, a.ID)
		}
	})
	if err != nil {
		return nil, err
	}
	for id := range want {
		a, err := r.alerts.Get(ctx, id)
		if errors.Is(err, alert.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// resync re-adds every active alert (so that silences, acknowledgements and changes made by
// other instances reach the Grouper) and the alerts resolved since since. An alert is added as
// due when it may notify and has detections it was not notified of (see pending).
func (r *Router) resync(ctx context.Context, since time.Time) error {
	now := r.opts.Clock()
	var changed []*alert.Alert
	err := r.each(ctx, alert.Query{Status: []alert.Status{alert.StatusOpen, alert.StatusAcknowledged}}, func(a *alert.Alert) {
		changed = append(changed, a)
	})
	if err != nil {
		return fmt.Errorf("router: reading active alerts: %w", err)
	}
	err = r.each(ctx, alert.Query{Status: []alert.Status{alert.StatusResolved}, Limit: 500}, func(a *alert.Alert) {
		if a.ResolvedAt.After(since) {
			changed = append(changed, a)
		}
	})
	if err != nil {
		return fmt.Errorf("router: reading resolved alerts: %w", err)
	}
	r.add(now, changed)
	r.mu.Lock()
	r.lastSync = now
	r.mu.Unlock()
	return nil
}

// Changed feeds alert changes made outside ingestion (an acknowledgement, a resolution, a
// reopening): each is due when it warrants a notification not decided yet (see pending), as
// on recovery.
func (r *Router) Changed(as []*alert.Alert) {
	r.add(r.opts.Clock(), as)
}

// add adds alerts to the Grouper, each due when pending, and wakes Run.
func (r *Router) add(now time.Time, as []*alert.Alert) {
	r.mu.Lock()
	for _, a := range as {
		r.grouper.Add(now, a, pending(a, now))
	}
	r.mu.Unlock()
	r.poke()
}

// pending reports whether alert a warrants a notification the router may not have decided yet:
// it may notify now (alert.Due) and holds detections processed after its last notification
// (or was never notified). After a crash between an ingest and the flush that would have
// announced it, this is what brings the alert back.
func pending(a *alert.Alert, now time.Time) bool {
	return alert.Due(a, now) && (a.LastNotified.IsZero() || a.LastDetectedAt.After(a.LastNotified))
}

// each calls fn for every alert q selects (all pages; q.Limit > 0 caps the total).
func (r *Router) each(ctx context.Context, q alert.Query, fn func(*alert.Alert)) error {
	total := q.Limit
	q.Limit = alert.MaxLimit
	n := 0
	for {
		page, err := r.alerts.List(ctx, q)
		if err != nil {
			return err
		}
		for _, a := range page {
			fn(a)
			n++
			if total > 0 && n >= total {
				return nil
			}
		}
		if len(page) < q.Limit {
			return nil
		}
		q.After = page[len(page)-1].Cursor()
	}
}

// Observe feeds alert changes: due says they warrant a notification now (alert.Manager.Ingest's
// due alerts); other changes (counts, acknowledgements, resolutions) are fed with due false.
func (r *Router) Observe(as []*alert.Alert, due bool) {
	if len(as) == 0 {
		return
	}
	now := r.opts.Clock()
	r.mu.Lock()
	for _, a := range as {
		r.grouper.Add(now, a, due)
	}
	r.mu.Unlock()
	r.poke()
}

func (r *Router) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run evaluates the groups when they are due and re-reads the alerts every ResyncInterval,
// until ctx is done; then it returns nil. A failed commit is logged and tried again a little
// later: the flush is repeated, with the same notification ids.
func (r *Router) Run(ctx context.Context) error {
	retry := time.Duration(0)
	for {
		now := r.opts.Clock()
		if now.Sub(r.lastSync) >= r.opts.ResyncInterval {
			if err := r.resync(ctx, r.lastSync.Add(-time.Second)); err != nil && ctx.Err() == nil {
				r.opts.Logger.Warn("notification router: re-reading alerts failed", "err", err)
			}
		}
		if _, err := r.Flush(ctx, r.opts.Clock()); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			retry = min(max(retry*2, time.Second), time.Minute)
			r.opts.Logger.Warn("notification router: committing notifications failed; will retry", "err", err, "retry_in", retry)
		} else {
			retry = 0
		}
		wait := r.opts.ResyncInterval
		r.mu.Lock()
		next := r.grouper.Next()
		r.mu.Unlock()
		if !next.IsZero() {
			wait = min(wait, max(next.Sub(r.opts.Clock()), 0))
		}
		if retry > 0 {
			wait = max(wait, retry)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-r.wake:
			t.Stop()
		case <-t.C:
		}
	}
}

// Flush evaluates the groups due at now and commits the notifications they decide; it returns
// how many it committed. On error nothing is committed and the Grouper is as before.
func (r *Router) Flush(ctx context.Context, now time.Time) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	next := r.grouper.Next()
	if next.IsZero() || next.After(now) {
		return 0, nil
	}
	before := r.grouper.Snapshot()
	intents := r.grouper.Flush(now)
	if len(intents) == 0 {
		// Evaluations that decided nothing still moved group timers; persist them lazily with
		// the next commit.
		return 0, nil
	}
	ns, firing, err := r.notifications(ctx, intents, now)
	if err == nil {
		var state []byte
		// The groups only: their alerts are in the store, and writing a copy of each with every
		// commit would grow with the number of open alerts (about 0.8 KB each).
		snap := r.grouper.Snapshot()
		snap.Alerts = nil
		state, err = json.Marshal(saved{Grouper: snap, At: now})
		if err == nil {
			err = r.st.CommitNotifications(ctx, store.NotifyCommit{
				Notifications: ns, Alerts: firing, Update: r.opts.Notified(now),
				StateKey: StateKey, State: state, Now: now,
			})
		}
	}
	if err != nil {
		r.grouper.Restore(before)
		return 0, fmt.Errorf("router: %w", err)
	}
	if r.kick != nil {
		for _, n := range ns {
			r.kick.Kick(n.Receiver)
		}
	}
	return len(ns), nil
}

// Drain flushes every group now, as if group_wait had passed, for one-shot runs (`picket
// collect --once`) that exit before any timer would fire: it evaluates the groups in the order
// they come due, up to the longest group_wait from now, so that every group created by this
// run is evaluated once. It returns how many notifications it committed.
func (r *Router) Drain(ctx context.Context) (int, error) {
	horizon := r.opts.Clock().Add(maxGroupWait(r.opts.Routing.Route, route.DefaultGroupWait))
	total := 0
	for range 100000 { // each round moves the groups it evaluates past horizon or notifies
		r.mu.Lock()
		next := r.grouper.Next()
		r.mu.Unlock()
		if next.IsZero() || next.After(horizon) {
			break
		}
		at := r.opts.Clock()
		if next.After(at) {
			at = next
		}
		n, err := r.Flush(ctx, at)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// maxGroupWait is the longest group_wait of the routing tree (inherit is the parent's).
func maxGroupWait(rt *route.Route, inherited time.Duration) time.Duration {
	if rt == nil {
		return inherited
	}
	w := inherited
	if rt.GroupWait > 0 {
		w = rt.GroupWait
	}
	out := w
	for _, c := range rt.Routes {
		out = max(out, maxGroupWait(c, w))
	}
	return out
}

// notifications builds the outbox content of intents, and lists the alerts announced firing.
func (r *Router) notifications(ctx context.Context, intents []route.Intent, now time.Time) ([]notify.Notification, []string, error) {
	views := map[string]notify.AlertView{}
	var firing []string
	seen := map[string]bool{}
	ns := make([]notify.Notification, 0, len(intents))
	for _, in := range intents {
		n := notify.Notification{ID: in.ID, Receiver: in.Receiver, Status: notify.Status(in.Status),
			GroupKey: in.GroupKey, GroupLabels: in.GroupLabels, CreatedAt: now}
		for _, a := range in.Alerts {
			v, ok := views[a.ID]
			if !ok {
				var err error
				if v, err = r.view(ctx, a); err != nil {
					return nil, nil, err
				}
				views[a.ID] = v
			}
			n.Alerts = append(n.Alerts, v)
			if a.Status != alert.StatusResolved && !seen[a.ID] {
				seen[a.ID] = true
				firing = append(firing, a.ID)
			}
		}
		ns = append(ns, n)
	}
	return ns, firing, nil
}

// view is an alert as notifications show it: its newest evidence events and a console link.
func (r *Router) view(ctx context.Context, a *alert.Alert) (notify.AlertView, error) {
	v := notify.AlertView{Alert: *a}
	v.History = nil
	if r.evidence != nil {
		ds, err := r.evidence.Detections(ctx, alert.DetectionQuery{AlertID: a.ID, Limit: r.opts.MaxEvents})
		if err != nil {
			return v, fmt.Errorf("reading evidence of alert %s: %w", a.ID, err)
		}
		for _, d := range ds {
			v.Events = append(v.Events, notify.Event{ID: d.EventID, Time: d.EventTime, Source: d.Source, Data: json.RawMessage(d.Raw)})
		}
	}
	v.EventsOmitted = max(a.Count-len(v.Events), 0)
	if r.opts.ConsoleURL != "" {
		v.URL = strings.TrimSuffix(r.opts.ConsoleURL, "/") + "/alerts/" + a.ID
	}
	return v, nil
}
