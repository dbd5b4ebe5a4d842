// Package daemon assembles a running picket from its configuration: the store, the rules, the
// pipeline, the sources and their schedule, the notification router and dispatcher, the jobs
// and the HTTP server. `picket run` runs it until a signal; `picket collect --once` polls every
// source once, delivers what that caused and exits.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"picket/internal/alert"
	"picket/internal/app"
	"picket/internal/config"
	"picket/internal/notify"
	"picket/internal/notify/router"
	"picket/internal/notify/stdout"
	"picket/internal/pipeline"
	"picket/internal/rule/sigma"
	"picket/internal/source"
	"picket/internal/store"
)

// Options are how the command line tunes the daemon.
type Options struct {
	// Stdout receives the stdout receiver's notifications.
	Stdout io.Writer
	Logger *slog.Logger
	// Clock is the time source; nil means time.Now.
	Clock func() time.Time
	// Registry collects the metrics; nil creates one.
	Registry *prometheus.Registry
}

// Daemon is one assembled picket.
type Daemon struct {
	cfg     *config.Config
	opts    Options
	logger  *slog.Logger
	clock   func() time.Time
	reg     *prometheus.Registry
	store   store.Store
	manager *alert.Manager
	rules   *sigma.Set
	pipe    *pipeline.Pipeline
	router  *router.Router // nil without routing
	disp    *notify.Dispatcher
	tracker *source.Tracker
	smetric *source.Metrics
	sources []source.Source

	mu sync.Mutex // guards cfg, rules and sources during a reload
}

// New builds a daemon from cfg; nothing runs until Run or Once. It validates everything it
// can without network calls (rules, receivers, sources, jobs) and reports every problem.
func New(ctx context.Context, cfg *config.Config, o Options) (*Daemon, error) {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
		o.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	d := &Daemon{cfg: cfg, opts: o, logger: o.Logger, clock: o.Clock, reg: o.Registry}
	d.tracker = source.NewTracker(o.Clock)
	d.smetric = source.NewMetrics(o.Registry)

	set, diags, _, err := app.LoadRules(cfg, app.RuleOptions{})
	if err != nil {
		return nil, err
	}
	if errs := diags.Errors(); len(errs) > 0 {
		return nil, fmt.Errorf("%d rule errors (see 'picket rules lint'):\n%w", len(errs), errs)
	}
	d.rules = set

	st, err := app.OpenStore(ctx, cfg.Storage, o.Logger)
	if err != nil {
		return nil, err
	}
	d.store = st
	ok := false
	defer func() {
		if !ok {
			st.Close()
		}
	}()
	mo := app.ManagerOptions(cfg.Alerts)
	mo.Clock = o.Clock
	if d.manager, err = alert.NewManager(st.Alerts(), mo); err != nil {
		return nil, fmt.Errorf("alerts configuration: %w", err)
	}
	if err := d.buildNotifications(ctx); err != nil {
		return nil, err
	}
	rules, err := pipeline.NewRules(set, st, 0)
	if err != nil {
		return nil, err
	}
	var obs pipeline.Observer
	if d.router != nil {
		obs = d.router
	}
	d.pipe = pipeline.New(rules, st, d.manager, obs, pipeline.Options{Clock: o.Clock, Logger: o.Logger, Metrics: o.Registry})
	if d.sources, err = d.buildSources(ctx, cfg); err != nil {
		return nil, err
	}
	ok = true
	return d, nil
}

// buildNotifications builds the notifiers, the dispatcher and the router.
func (d *Daemon) buildNotifications(ctx context.Context) error {
	cfg := d.cfg
	deps := notify.Deps{Logger: d.logger, Clock: d.clock}
	notifiers, err := app.BuildNotifiers(ctx, cfg, deps)
	if err != nil {
		return err
	}
	for _, r := range cfg.Receivers {
		if r.Type == "stdout" && d.opts.Stdout != nil {
			// The stdout channel writes to the daemon's standard output (tests capture it).
			c := stdout.DefaultConfig()
			if n, err := stdout.New(r.Name, c, deps, stdout.WithWriter(d.opts.Stdout)); err == nil {
				notifiers[r.Name] = n
			}
		}
	}
	if len(notifiers) == 0 {
		if cfg.Routing.Route != nil {
			return fmt.Errorf("%s: route needs receivers", cfg.File())
		}
		d.logger.Info("no receivers configured: alerts are stored, nobody is notified")
		return nil
	}
	if cfg.Routing.Route == nil {
		return fmt.Errorf("%s: receivers are defined but there is no route; add e.g. `route: {receiver: %s}`", cfg.File(), cfg.Receivers[0].Name)
	}
	receivers := map[string]notify.Receiver{}
	resolved := map[string]bool{}
	for _, r := range cfg.Receivers {
		dl := r.Delivery
		receivers[r.Name] = notify.Receiver{Notifier: notifiers[r.Name], Concurrency: dl.Concurrency, RateLimit: dl.RateLimit,
			Burst: dl.Burst, MaxAge: dl.MaxAge, Fallback: dl.Fallback}
		resolved[r.Name] = r.WantsResolved()
	}
	if err := notify.ValidateReceivers(receivers); err != nil {
		return fmt.Errorf("%s: %w", cfg.File(), err)
	}
	nc := cfg.Notifications
	d.disp = notify.NewDispatcher(d.store.Outbox(), receivers, notify.DispatcherOptions{Clock: d.clock, Logger: d.logger, Metrics: d.reg,
		AttemptTimeout: nc.AttemptTimeout, Lease: nc.Lease, BackoffBase: nc.BackoffBase, BackoffMax: nc.BackoffMax})
	d.router, err = router.New(d.store, d.manager, d.store.Alerts().(alert.DetectionLister), d.disp, router.Options{
		Routing: cfg.Routing, SendResolved: resolved, Notified: d.manager.NotifiedUpdate,
		ConsoleURL: cfg.ConsoleURL, MaxEvents: nc.MaxEvents, Clock: d.clock, Logger: d.logger,
	})
	return err
}

// Close releases the store.
func (d *Daemon) Close() error { return d.store.Close() }

// Store returns the daemon's store.
func (d *Daemon) Store() store.Store { return d.store }

// OnceResult summarises a one-shot run.
type OnceResult struct {
	Sources, Failed int
	Notifications   int
	Undelivered     int
}

// Once polls every source once (in parallel, each to its end), then routes the alerts that
// caused right away (as if group_wait had passed) and delivers until nothing is pending or
// deliverFor has passed. A source that fails is reported and the others go on.
func (d *Daemon) Once(ctx context.Context, deliverFor time.Duration) (OnceResult, error) {
	var res OnceResult
	if d.router != nil {
		if err := d.router.Recover(ctx); err != nil {
			return res, err
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for _, s := range d.sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Poll(ctx, d.pipe)
			d.tracker.PollDone(s.Name(), err)
			if err != nil {
				d.smetric.Errors.WithLabelValues(s.Name()).Inc()
				mu.Lock()
				errs = append(errs, fmt.Errorf("source %s: %w", s.Name(), err))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.Sources, res.Failed = len(d.sources), len(errs)
	if d.router == nil {
		return res, errors.Join(errs...)
	}
	n, err := d.router.Drain(ctx)
	res.Notifications = n
	if err != nil {
		errs = append(errs, err)
	}
	und, err := d.deliver(ctx, deliverFor)
	res.Undelivered = und
	if err != nil {
		errs = append(errs, err)
	}
	return res, errors.Join(errs...)
}

// deliver runs the dispatcher until the outbox holds nothing pending or delivering, or for at
// most limit; it returns how many entries were still undelivered.
func (d *Daemon) deliver(ctx context.Context, limit time.Duration) (int, error) {
	dctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- d.disp.Run(dctx) }()
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	left := 0
loop:
	for {
		stats, err := d.store.Outbox().Stats(ctx)
		if err != nil {
			cancel()
			<-done
			return 0, err
		}
		left = 0
		for _, s := range stats {
			left += s.Pending + s.Delivering
		}
		if left == 0 {
			break
		}
		select {
		case <-dctx.Done():
			break loop
		case <-t.C:
		}
	}
	cancel()
	<-done
	return left, nil
}

// configDir is the directory relative paths of the configuration are resolved against.
func configDir(cfg *config.Config) string {
	if cfg.File() == "" {
		return "."
	}
	return filepath.Dir(cfg.File())
}

// buildSources constructs the configured sources.
func (d *Daemon) buildSources(ctx context.Context, cfg *config.Config) ([]source.Source, error) {
	return app.BuildSources(ctx, cfg, source.Deps{
		Logger: d.logger, Checkpoints: d.store, Clock: d.clock, Metrics: d.smetric, Status: d.tracker, Dir: configDir(cfg),
	})
}
