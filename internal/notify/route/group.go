package route

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"picket/internal/alert"
)

// Status is the status of a notification intent (notify.Status has the same values).
type Status string

// Intent statuses.
const (
	StatusFiring   Status = "firing"
	StatusResolved Status = "resolved"
)

// Reason says why a group sends a notification.
type Reason string

// Reasons.
const (
	// ReasonNew is a group's first notification, group_wait after the group appeared.
	ReasonNew Reason = "new"
	// ReasonChanged: an alert fires that the last notification did not announce, an alert is
	// due again (Add with due), or an announced alert resolved and the receiver wants
	// resolved notifications.
	ReasonChanged Reason = "changed"
	// ReasonRepeat: nothing changed and repeat_interval passed since the last notification.
	ReasonRepeat Reason = "repeat"
	// ReasonResolved: every alert the group announced resolved.
	ReasonResolved Reason = "resolved"
)

// Intent is a notification to write to the outbox: what to send to which receiver, and why.
type Intent struct {
	// ID is the idempotency key: NotificationID(Receiver, GroupKey, Status, Alerts), except
	// that a repeat's id also covers the time of the notification it repeats (same content,
	// but not a retry).
	ID          string            `json:"id"`
	Receiver    string            `json:"receiver"`
	GroupKey    string            `json:"group_key"`
	GroupLabels map[string]string `json:"group_labels,omitempty"`
	Status      Status            `json:"status"`
	// AlertIDs are the alerts announced, sorted; Alerts are those alerts as last added
	// (without history and evidence), in the same order.
	AlertIDs []string       `json:"alert_ids"`
	Alerts   []*alert.Alert `json:"alerts"`
	Reason   Reason         `json:"reason"`
	// At is the flush time that produced the intent.
	At time.Time `json:"at"`
}

// Options configure a Grouper.
type Options struct {
	// SendResolved names the receivers that want resolved alerts announced (send_resolved).
	SendResolved map[string]bool
}

// State is a Grouper's state as plain data, JSON-encodable, so that a store can persist it and
// a restarted picket resumes the same timing (Snapshot, Restore).
type State struct {
	// Alerts are the latest versions of the alerts in some group, by id.
	Alerts []*alert.Alert `json:"alerts"`
	// Groups are the aggregation groups, by key.
	Groups []GroupState `json:"groups"`
}

// GroupState is one aggregation group: the alerts one route sends to its receiver for one
// combination of group_by values.
type GroupState struct {
	Key      string            `json:"key"`
	Route    string            `json:"route"` // the route's path
	Receiver string            `json:"receiver"`
	Labels   map[string]string `json:"labels,omitempty"`
	// Members are the group's alerts, by id.
	Members   []Member  `json:"members"`
	CreatedAt time.Time `json:"created_at"`
	// NextFlush is when the group is next evaluated: group_wait after it appeared, then
	// every group_interval.
	NextFlush time.Time `json:"next_flush"`
	// LastSent is when the group last notified (or would have, for a receiver that does not
	// want resolved notifications); zero if never. LastFiring are the alerts it then
	// announced as firing.
	LastSent   time.Time `json:"last_sent,omitzero"`
	LastFiring []string  `json:"last_firing,omitempty"`
}

// Member is an alert's standing in a group.
type Member struct {
	ID string `json:"id"`
	// Pending: the alert was added as due since the group last notified.
	Pending bool `json:"pending,omitempty"`
	// Notified: the group announced the alert firing; only such alerts are announced resolved.
	Notified bool `json:"notified,omitempty"`
}

// Grouper aggregates alerts into groups per route and decides when each group notifies, with
// Alertmanager timing (see the package doc). It holds no clock: callers pass the time. It is
// safe for concurrent use.
type Grouper struct {
	cfg   *compiled
	opts  Options
	nodes map[string]*node // every route, by path

	mu       sync.Mutex
	alerts   map[string]*alert.Alert
	groups   map[string]*GroupState
	memberOf map[string][]string // alert id → keys of the groups holding it
}

// NewGrouper compiles the configuration (receivers are not checked here: Config.Validate does
// that at load time) and returns an empty Grouper.
func NewGrouper(cfg Config, opts Options) (*Grouper, error) {
	c, err := compileConfig(&cfg, nil, false)
	if err != nil {
		return nil, err
	}
	g := &Grouper{cfg: c, opts: opts, nodes: map[string]*node{}}
	var walk func(n *node)
	walk = func(n *node) {
		g.nodes[n.path] = n
		for _, c := range n.children {
			walk(c)
		}
	}
	walk(c.root)
	g.reset()
	return g, nil
}

func (g *Grouper) reset() {
	g.alerts = map[string]*alert.Alert{}
	g.groups = map[string]*GroupState{}
	g.memberOf = map[string][]string{}
}

// Add records a change of an alert at now: it routes the alert and puts it in the group of each
// route that takes it, creating groups as needed (a new group first notifies group_wait
// later). due says that the alert warrants a notification now (alert.Manager's due: new,
// reopened or re-alerting); a change that is not due (a count, an acknowledgement, a silence)
// updates the alert without making its groups notify early. Feed every change, not only due
// ones: inhibition looks at all the active alerts the Grouper knows. A resolved alert leaves
// the groups that never announced it.
func (g *Grouper) Add(now time.Time, a *alert.Alert, due bool) {
	a = strip(a)
	g.mu.Lock()
	defer g.mu.Unlock()
	var keys []string
	for _, leaf := range g.cfg.root.match(a) {
		labels := groupLabels(a, leaf.route.GroupBy)
		key := groupKey(leaf.path, labels)
		gs := g.groups[key]
		if gs == nil {
			if a.Status == alert.StatusResolved {
				continue // nothing to announce
			}
			gs = &GroupState{Key: key, Route: leaf.path, Receiver: leaf.route.Receiver, Labels: labels, CreatedAt: now, NextFlush: now.Add(leaf.route.GroupWait)}
			g.groups[key] = gs
		}
		m := gs.member(a.ID)
		if a.Status == alert.StatusResolved && !m.Notified {
			gs.remove(a.ID)
			continue
		}
		m.Pending = m.Pending || due
		keys = append(keys, key)
	}
	for _, k := range g.memberOf[a.ID] {
		if gs := g.groups[k]; gs != nil && !slices.Contains(keys, k) {
			gs.remove(a.ID) // the alert no longer routes there
		}
	}
	g.setMembership(a, keys)
}

// setMembership records the groups a belongs to, forgetting it when none.
func (g *Grouper) setMembership(a *alert.Alert, keys []string) {
	if len(keys) == 0 {
		delete(g.memberOf, a.ID)
		delete(g.alerts, a.ID)
		return
	}
	g.memberOf[a.ID] = keys
	g.alerts[a.ID] = a
}

// Next returns the earliest time a group is due for evaluation, or the zero time when there
// are no groups: the caller's timer for Flush.
func (g *Grouper) Next() time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	var next time.Time
	for _, gs := range g.groups {
		if next.IsZero() || gs.NextFlush.Before(next) {
			next = gs.NextFlush
		}
	}
	return next
}

// Flush evaluates the groups due at now and returns the notifications to send, ordered by
// group key. Silenced and inhibited alerts are left out; a muted route (mute or active time
// intervals) sends nothing and keeps its state until it is unmuted. After a flush, resolved
// alerts leave the group and empty groups disappear.
func (g *Grouper) Flush(now time.Time) []Intent {
	g.mu.Lock()
	defer g.mu.Unlock()
	var active []*alert.Alert
	for _, a := range g.alerts {
		if a.Status.Active() {
			active = append(active, a)
		}
	}
	var out []Intent
	for _, key := range slices.Sorted(maps.Keys(g.groups)) {
		gs := g.groups[key]
		if now.Before(gs.NextFlush) {
			continue
		}
		n := g.nodes[gs.Route]
		if g.muted(n.route, now) {
			gs.NextFlush = now.Add(n.route.GroupInterval)
			continue
		}
		if in, ok := g.evaluate(gs, n.route, active, now); ok {
			out = append(out, in)
		}
		for _, m := range slices.Clone(gs.Members) {
			if g.alerts[m.ID].Status == alert.StatusResolved {
				gs.remove(m.ID)
				g.leave(m.ID, key)
			}
		}
		if len(gs.Members) == 0 {
			delete(g.groups, key)
			continue
		}
		gs.NextFlush = now.Add(n.route.GroupInterval)
	}
	return out
}

// leave removes group key from the groups alert id belongs to.
func (g *Grouper) leave(id, key string) {
	keys := slices.DeleteFunc(slices.Clone(g.memberOf[id]), func(k string) bool { return k == key })
	if a := g.alerts[id]; a != nil {
		g.setMembership(a, keys)
	}
}

// muted reports whether route r may not send at now.
func (g *Grouper) muted(r *Route, now time.Time) bool {
	for _, name := range r.MuteTimeIntervals {
		if anyContains(g.cfg.intervals[name], now) {
			return true
		}
	}
	if len(r.ActiveTimeIntervals) == 0 {
		return false
	}
	for _, name := range r.ActiveTimeIntervals {
		if anyContains(g.cfg.intervals[name], now) {
			return false
		}
	}
	return true
}

// evaluate decides whether group gs notifies at now and updates its state accordingly.
func (g *Grouper) evaluate(gs *GroupState, r *Route, active []*alert.Alert, now time.Time) (Intent, bool) {
	var firing, resolved []string
	anyOpen, anyPending := false, false
	for _, m := range gs.Members {
		a := g.alerts[m.ID]
		if a.Silenced || g.cfg.inhibitor.inhibitedBy(a, active) != nil {
			continue
		}
		switch {
		case a.Status.Active():
			firing = append(firing, m.ID)
			anyOpen = anyOpen || a.Status == alert.StatusOpen
			anyPending = anyPending || m.Pending
		case m.Notified:
			resolved = append(resolved, m.ID)
		}
	}
	sendResolved := g.opts.SendResolved[gs.Receiver]
	var reason Reason
	switch {
	case gs.LastSent.IsZero():
		if len(firing) > 0 {
			reason = ReasonNew
		}
	case !isSubset(firing, gs.LastFiring) || anyPending:
		reason = ReasonChanged
	case len(firing) == 0:
		if len(gs.LastFiring) > 0 {
			reason = ReasonResolved
		}
	case sendResolved && len(resolved) > 0:
		reason = ReasonChanged
	case anyOpen && !now.Before(gs.LastSent.Add(r.RepeatInterval)):
		reason = ReasonRepeat
	}
	if reason == "" {
		return Intent{}, false
	}
	repeats := time.Time{}
	if reason == ReasonRepeat {
		repeats = gs.LastSent
	}
	gs.LastSent, gs.LastFiring = now, firing
	for i := range gs.Members {
		gs.Members[i].Pending = false
		if slices.Contains(firing, gs.Members[i].ID) {
			gs.Members[i].Notified = true
		}
	}
	ids := firing
	if sendResolved {
		ids = append(slices.Clone(firing), resolved...)
	}
	if len(ids) == 0 {
		return Intent{}, false // all resolved, and the receiver does not want to know
	}
	slices.Sort(ids)
	in := Intent{Receiver: gs.Receiver, GroupKey: gs.Key, GroupLabels: maps.Clone(gs.Labels), Status: StatusFiring, AlertIDs: ids, Reason: reason, At: now}
	if len(firing) == 0 {
		in.Status = StatusResolved
	}
	for _, id := range ids {
		in.Alerts = append(in.Alerts, g.alerts[id].Clone())
	}
	in.ID = notificationID(in.Receiver, in.GroupKey, string(in.Status), in.Alerts, repeats)
	return in, true
}

// isSubset reports whether every element of sub is in set.
func isSubset(sub, set []string) bool {
	for _, s := range sub {
		if !slices.Contains(set, s) {
			return false
		}
	}
	return true
}

// member returns the member with id, inserting it (in id order) when absent.
func (gs *GroupState) member(id string) *Member {
	i, ok := slices.BinarySearchFunc(gs.Members, id, func(m Member, id string) int { return cmp.Compare(m.ID, id) })
	if !ok {
		gs.Members = slices.Insert(gs.Members, i, Member{ID: id})
	}
	return &gs.Members[i]
}

// remove removes the member with id, if present.
func (gs *GroupState) remove(id string) {
	gs.Members = slices.DeleteFunc(gs.Members, func(m Member) bool { return m.ID == id })
}

// groupKey identifies the group of a route path and group labels: path:{k="v",…}, keys sorted.
func groupKey(path string, labels map[string]string) string {
	var b strings.Builder
	b.WriteString(path)
	b.WriteString(":{")
	for i, k := range slices.Sorted(maps.Keys(labels)) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(labels[k]))
	}
	b.WriteByte('}')
	return b.String()
}

// strip returns a copy of a without what grouping does not need (history, evidence).
func strip(a *alert.Alert) *alert.Alert {
	c := a.Clone()
	c.History, c.Evidence = nil, nil
	return c
}

// Snapshot returns a deep copy of the state, sorted, for persistence.
func (g *Grouper) Snapshot() State {
	g.mu.Lock()
	defer g.mu.Unlock()
	var s State
	for _, id := range slices.Sorted(maps.Keys(g.alerts)) {
		s.Alerts = append(s.Alerts, g.alerts[id].Clone())
	}
	for _, k := range slices.Sorted(maps.Keys(g.groups)) {
		gs := *g.groups[k]
		gs.Labels = maps.Clone(gs.Labels)
		gs.Members = slices.Clone(gs.Members)
		gs.LastFiring = slices.Clone(gs.LastFiring)
		s.Groups = append(s.Groups, gs)
	}
	return s
}

// Restore replaces the state with s, typically a Snapshot taken before a restart. Groups the
// current configuration no longer produces (their route is gone, its receiver changed, or
// group_by changed) are dropped, as are members whose alert is missing from s.
func (g *Grouper) Restore(s State) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.reset()
	known := map[string]*alert.Alert{}
	for _, a := range s.Alerts {
		if a != nil {
			known[a.ID] = strip(a)
		}
	}
	for _, st := range s.Groups {
		n := g.nodes[st.Route]
		if n == nil || n.route.Receiver != st.Receiver {
			continue
		}
		gs := st
		gs.Labels = maps.Clone(st.Labels)
		gs.LastFiring = slices.Clone(st.LastFiring)
		gs.Members = nil
		for _, m := range st.Members {
			a := known[m.ID]
			if a == nil || groupKey(st.Route, groupLabels(a, n.route.GroupBy)) != st.Key {
				continue
			}
			gs.Members = append(gs.Members, m)
			g.memberOf[m.ID] = append(g.memberOf[m.ID], st.Key)
			g.alerts[m.ID] = a
		}
		slices.SortFunc(gs.Members, func(x, y Member) int { return cmp.Compare(x.ID, y.ID) })
		if len(gs.Members) > 0 {
			g.groups[gs.Key] = &gs
		}
	}
}
