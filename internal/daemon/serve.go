package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"picket/internal/alert"
	"picket/internal/app"
	"picket/internal/catalog"
	"picket/internal/config"
	"picket/internal/console"
	"picket/internal/event"
	"picket/internal/notify"
	"picket/internal/rule/sigma"
	"picket/internal/server"
)

// lifecycle is the alert lifecycle the API and the console drive: the current generation's
// manager, with every change told to its router (a resolution, say, may be announced).
type lifecycle struct{ d *Daemon }

func (l lifecycle) m() *alert.Manager { return l.d.current().manager }

func (l lifecycle) observe(a *alert.Alert, err error) (*alert.Alert, error) {
	if err == nil {
		if r := l.d.current().router; r != nil {
			r.Changed([]*alert.Alert{a})
		}
	}
	return a, err
}

func (l lifecycle) List(ctx context.Context, q alert.Query) ([]*alert.Alert, error) {
	return l.m().List(ctx, q)
}

func (l lifecycle) Get(ctx context.Context, id string) (*alert.Alert, error) {
	return l.m().Get(ctx, id)
}

func (l lifecycle) Acknowledge(ctx context.Context, id, actor, comment string) (*alert.Alert, error) {
	return l.observe(l.m().Acknowledge(ctx, id, actor, comment))
}

func (l lifecycle) Resolve(ctx context.Context, id, actor, comment string) (*alert.Alert, error) {
	return l.observe(l.m().Resolve(ctx, id, actor, comment))
}

func (l lifecycle) Reopen(ctx context.Context, id, actor, comment string) (*alert.Alert, error) {
	return l.observe(l.m().Reopen(ctx, id, actor, comment))
}

func (l lifecycle) Comment(ctx context.Context, id, actor, comment string) (*alert.Alert, error) {
	return l.m().Comment(ctx, id, actor, comment)
}

func (l lifecycle) AddSilence(ctx context.Context, s alert.Silence) (alert.Silence, error) {
	return l.m().AddSilence(ctx, s)
}

func (l lifecycle) ExpireSilence(ctx context.Context, id, actor string) error {
	return l.m().ExpireSilence(ctx, id, actor)
}

func (l lifecycle) PreviewSilence(ctx context.Context, s alert.Silence, since time.Time) ([]*alert.Alert, error) {
	return l.m().PreviewSilence(ctx, s, since)
}

func (l lifecycle) Silences(ctx context.Context, activeOnly bool) ([]alert.Silence, error) {
	return l.m().Silences(ctx, activeOnly)
}

// explain finds a detection rule of the current generation and explains it on a raw event.
func (d *Daemon) explain(ruleID string, raw []byte) (sigma.Explanation, error) {
	var r *sigma.Rule
	for _, x := range d.current().rules.Rules {
		if x.ID == ruleID || (x.Name != "" && x.Name == ruleID) {
			r = x
			break
		}
	}
	if r == nil {
		return sigma.Explanation{}, fmt.Errorf("rule %s: %w", ruleID, catalog.ErrNotFound)
	}
	if r.Kind != sigma.KindDetection {
		return sigma.Explanation{}, fmt.Errorf("rule %s is a %s rule: only detection rules can be explained", ruleID, r.Kind)
	}
	ev := event.New(raw)
	if ev.Err() != nil {
		// A text event is stored as a JSON string.
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			ev.Reset([]byte(s), true)
		}
	}
	return sigma.Explain(r, ev), nil
}

// newServer builds the HTTP server: API, console, metrics and health, over the daemon's store
// and its current generation.
func (d *Daemon) newServer(ctx context.Context) (*server.Server, error) {
	g := d.current()
	lister := d.store.Alerts().(alert.DetectionLister)
	life := lifecycle{d}
	con, err := console.New(console.Deps{
		Alerts: life, Detections: lister, Catalog: d.catalog,
		Sources: d.tracker.Statuses,
		Explain: func(_ context.Context, ruleID string, raw []byte) (*console.Explanation, error) {
			x, err := d.explain(ruleID, raw)
			if err != nil {
				return nil, err
			}
			return console.ExplanationFromSigma(x), nil
		},
		Audit: d.store.Audit(), User: server.User, CSRFToken: server.CSRFToken, CSRFField: server.CSRFField,
		Logger: d.logger, Clock: d.clock,
	})
	if err != nil {
		return nil, err
	}
	return server.New(server.Deps{
		Config: g.cfg.Server, Logger: d.logger, Clock: d.clock,
		Alerts: life, Detections: lister, Outbox: d.store.Outbox(), Catalog: d.catalog,
		Sources:   d.tracker.Statuses,
		Receivers: func() []string { return d.current().receivers },
		TestReceiver: func(ctx context.Context, name string) error {
			return d.testReceiver(ctx, name)
		},
		Explain: func(_ context.Context, ruleID string, raw []byte) (any, error) {
			x, err := d.explain(ruleID, raw)
			if err != nil {
				return nil, err
			}
			return x, nil
		},
		Audit:   d.store.Audit(),
		Metrics: promhttp.HandlerFor(d.Gatherer(), promhttp.HandlerOpts{}),
		Ready:   d.ready,
		Reload:  d.Reload,
		Console: con,
	})
}

// ready is nil when the store answers and the daemon runs.
func (d *Daemon) ready(ctx context.Context) error {
	if err := d.store.Ping(ctx); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// testReceiver sends a test notification to a receiver of the current configuration, directly
// (not through the outbox), and reports the provider's answer.
func (d *Daemon) testReceiver(ctx context.Context, name string) error {
	g := d.current()
	for _, r := range g.cfg.Receivers {
		if r.Name != name {
			continue
		}
		one := *g.cfg
		one.Receivers = []config.Receiver{r}
		ns, err := app.BuildNotifiers(ctx, &one, notify.Deps{Logger: d.logger, Clock: d.clock})
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		_, err = ns[name].Notify(ctx, notify.TestNotification(name, consoleURL(g.cfg), d.clock()))
		return err
	}
	return fmt.Errorf("receiver %q: %w", name, errUnknownReceiver)
}

var errUnknownReceiver = errors.New("no such receiver")
