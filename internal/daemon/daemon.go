// Package daemon assembles a running picket from its configuration: the store, the rules, the
// pipeline, the sources and their schedule, the notification router and dispatcher, the jobs
// and the HTTP server. `picket run` runs it until a signal; `picket collect --once` polls every
// source once, delivers what that caused and exits.
//
// Everything built from the configuration forms a generation; a reload validates the new
// configuration completely, builds a new generation over the same store, and only then stops
// the old one (finishing its batches in flight) and starts the new one. An invalid
// configuration leaves the old generation running.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	dto "github.com/prometheus/client_model/go"

	"picket/internal/alert"
	"picket/internal/app"
	"picket/internal/catalog"
	"picket/internal/config"
	"picket/internal/notify"
	"picket/internal/notify/router"
	"picket/internal/pipeline"
	"picket/internal/rule/sigma"
	"picket/internal/schedule"
	"picket/internal/server"
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
	// Load reads the configuration again on reload; nil disables reloading.
	Load func() (*config.Config, error)
	// ShutdownTimeout bounds a graceful stop (default 30s).
	ShutdownTimeout time.Duration
}

// Daemon is one assembled picket: the store, which lives as long as the daemon, and the
// current generation of everything built from the configuration.
type Daemon struct {
	opts    Options
	logger  *slog.Logger
	clock   func() time.Time
	store   store.Store
	base    *prometheus.Registry // process-wide metrics
	tracker *source.Tracker
	catalog *catalog.Rules // the rules as the console and API see them, with run-time switches

	mu     sync.Mutex
	gen    *generation
	reload chan reloadRequest
}

// generation is everything built from one configuration.
type generation struct {
	cfg       *config.Config
	reg       *prometheus.Registry
	rules     *sigma.Set
	manager   *alert.Manager
	pipe      *pipeline.Pipeline
	router    *router.Router // nil without routing
	disp      *notify.Dispatcher
	receivers []string
	smetric   *source.Metrics
	sources   []app.Source
}

type reloadRequest struct {
	reply chan error
}

// New opens the store and builds the first generation from cfg; nothing runs until Run or
// Once.
func New(ctx context.Context, cfg *config.Config, o Options) (*Daemon, error) {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = 30 * time.Second
	}
	base := prometheus.NewRegistry()
	base.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	d := &Daemon{opts: o, logger: o.Logger, clock: o.Clock, base: base, tracker: source.NewTracker(o.Clock),
		reload: make(chan reloadRequest)}
	if _, err := Check(ctx, cfg); err != nil {
		return nil, err
	}
	st, err := app.OpenStore(ctx, cfg.Storage, o.Logger)
	if err != nil {
		return nil, err
	}
	d.store = st
	if d.gen, err = d.build(ctx, cfg); err != nil {
		st.Close()
		return nil, err
	}
	hits, _ := st.Alerts().(catalog.HitCounter)
	d.catalog, err = catalog.New(ctx, catalog.Options{Set: d.gen.rules, Store: st, Hits: hits, Clock: o.Clock, OnChange: d.rulesSwitched})
	if err != nil {
		st.Close()
		return nil, err
	}
	if err := d.applySwitches(d.gen, d.catalog.Disabled()); err != nil {
		st.Close()
		return nil, err
	}
	return d, nil
}

// rulesSwitched rebuilds the current generation's engine after rules were switched on or off
// at run time (console, API).
func (d *Daemon) rulesSwitched(disabled map[string]bool) {
	if err := d.applySwitches(d.current(), disabled); err != nil {
		d.logger.Error("applying rule switches", "err", err)
		return
	}
	d.logger.Info("rules switched at run time", "disabled", len(disabled))
}

// applySwitches compiles g's rules without the rules switched off at run time.
func (d *Daemon) applySwitches(g *generation, disabled map[string]bool) error {
	rules, err := pipeline.NewRules(g.rules, d.store, 0, disabled)
	if err != nil {
		return err
	}
	g.pipe.Swap(rules)
	return nil
}

// build makes a generation from cfg over the daemon's store.
func (d *Daemon) build(ctx context.Context, cfg *config.Config) (*generation, error) {
	g := &generation{cfg: cfg, reg: prometheus.NewRegistry()}
	set, diags, _, err := app.LoadRules(cfg, app.RuleOptions{})
	if err != nil {
		return nil, err
	}
	if errs := diags.Errors(); len(errs) > 0 {
		return nil, fmt.Errorf("%d rule errors (see 'picket rules lint'):\n%w", len(errs), errs)
	}
	g.rules = set
	mo := app.ManagerOptions(cfg.Alerts)
	mo.Clock = d.clock
	if g.manager, err = alert.NewManager(d.store.Alerts(), mo); err != nil {
		return nil, fmt.Errorf("alerts configuration: %w", err)
	}
	if err := d.buildNotifications(ctx, g); err != nil {
		return nil, err
	}
	var off map[string]bool
	if d.catalog != nil {
		off = d.catalog.Disabled()
	}
	rules, err := pipeline.NewRules(set, d.store, 0, off)
	if err != nil {
		return nil, err
	}
	var obs pipeline.Observer
	if g.router != nil {
		obs = g.router
	}
	g.pipe = pipeline.New(rules, d.store, g.manager, obs, pipeline.Options{Clock: d.clock, Logger: d.logger, Metrics: g.reg})
	g.smetric = source.NewMetrics(g.reg)
	g.sources, err = app.BuildSources(ctx, cfg, source.Deps{
		Logger: d.logger, Checkpoints: d.store, Clock: d.clock, Metrics: g.smetric, Status: d.tracker, Dir: configDir(cfg),
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// buildNotifications builds the notifiers, the dispatcher and the router of g.
func (d *Daemon) buildNotifications(ctx context.Context, g *generation) error {
	cfg := g.cfg
	deps := notify.Deps{Logger: d.logger, Clock: d.clock, State: d.store, Stdout: d.opts.Stdout}
	notifiers, err := app.BuildNotifiers(ctx, cfg, deps)
	if err != nil {
		return err
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
		g.receivers = append(g.receivers, r.Name)
	}
	if err := notify.ValidateReceivers(receivers); err != nil {
		return fmt.Errorf("%s: %w", cfg.File(), err)
	}
	nc := cfg.Notifications
	g.disp = notify.NewDispatcher(d.store.Outbox(), receivers, notify.DispatcherOptions{Clock: d.clock, Logger: d.logger, Metrics: g.reg,
		AttemptTimeout: nc.AttemptTimeout, Lease: nc.Lease, BackoffBase: nc.BackoffBase, BackoffMax: nc.BackoffMax})
	g.router, err = router.New(d.store, g.manager, d.store.Alerts().(alert.DetectionLister), g.disp, router.Options{
		Routing: cfg.Routing, SendResolved: resolved, Notified: g.manager.NotifiedUpdate,
		ConsoleURL: consoleURL(cfg), MaxEvents: nc.MaxEvents, Clock: d.clock, Logger: d.logger,
	})
	return err
}

// Close releases the store.
func (d *Daemon) Close() error { return d.store.Close() }

// Store returns the daemon's store.
func (d *Daemon) Store() store.Store { return d.store }

// current returns the running generation.
func (d *Daemon) current() *generation {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.gen
}

// Gatherer returns the metrics of the process and of the current generation.
func (d *Daemon) Gatherer() prometheus.Gatherer {
	return prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		return prometheus.Gatherers{d.base, d.current().reg}.Gather()
	})
}

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
	g := d.current()
	var res OnceResult
	routing := false
	if g.router != nil {
		unlock, ok, err := d.store.TryLock(ctx, routerLock)
		if err != nil {
			return res, err
		}
		if ok {
			defer unlock()
			if err := g.router.Recover(ctx); err != nil {
				return res, err
			}
			routing = true
		} else {
			d.logger.Info("another instance routes notifications: the alerts of this run are notified by it")
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for _, s := range g.sources {
		wg.Go(func() {
			if err := d.poll(ctx, g, s); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	res.Sources, res.Failed = len(g.sources), len(errs)
	if !routing {
		return res, errors.Join(errs...)
	}
	n, err := g.router.Drain(ctx)
	res.Notifications = n
	if err != nil {
		errs = append(errs, err)
	}
	und, err := d.deliver(ctx, g, deliverFor)
	res.Undelivered = und
	if err != nil {
		errs = append(errs, err)
	}
	return res, errors.Join(errs...)
}

// poll runs one poll of s and records its outcome.
func (d *Daemon) poll(ctx context.Context, g *generation, s app.Source) error {
	err := s.Poll(ctx, g.pipe)
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return err // shutting down: not a source failure
	}
	d.tracker.PollDone(s.Name(), err)
	if err != nil {
		g.smetric.Errors.WithLabelValues(s.Name()).Inc()
		d.logger.Warn("source poll failed", "source", s.Name(), "type", s.Type, "err", err)
		return fmt.Errorf("source %s: %w", s.Name(), err)
	}
	g.smetric.LastSuccess.WithLabelValues(s.Name()).Set(float64(d.clock().Unix()))
	return nil
}

// deliver runs the dispatcher until the outbox holds nothing pending or delivering, or for at
// most limit; it returns how many entries were still undelivered.
func (d *Daemon) deliver(ctx context.Context, g *generation, limit time.Duration) (int, error) {
	dctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- g.disp.Run(dctx) }()
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

// Summary counts what a configuration defines, for `picket config validate`.
type Summary struct {
	Rules, Disabled, Sources, Receivers, Jobs int
}

// Check builds everything New builds except the store, so that every problem of cfg (rules,
// receivers, routes, sources, jobs) is reported without network calls or files written.
func Check(ctx context.Context, cfg *config.Config) (Summary, error) {
	var sum Summary
	var errs []error
	set, diags, _, err := app.LoadRules(cfg, app.RuleOptions{})
	if err != nil {
		errs = append(errs, err)
	} else {
		if es := diags.Errors(); len(es) > 0 {
			errs = append(errs, es)
		}
		for _, r := range set.Rules {
			sum.Rules++
			if r.Disabled {
				sum.Disabled++
			}
		}
	}
	if _, err := app.BuildNotifiers(ctx, cfg, notify.Deps{Logger: slog.New(slog.DiscardHandler), Clock: time.Now}); err != nil {
		errs = append(errs, err)
	}
	sum.Receivers = len(cfg.Receivers)
	if len(cfg.Receivers) > 0 && cfg.Routing.Route == nil {
		errs = append(errs, fmt.Errorf("%s: receivers are defined but there is no route; add e.g. `route: {receiver: %s}`", cfg.File(), cfg.Receivers[0].Name))
	}
	srcs, err := app.BuildSources(ctx, cfg, source.Deps{Logger: slog.New(slog.DiscardHandler), Clock: time.Now,
		Checkpoints: noCheckpoints{}, Metrics: source.NewMetrics(nil), Status: source.NewTracker(time.Now), Dir: configDir(cfg)})
	if err != nil {
		errs = append(errs, err)
	}
	sum.Sources = len(srcs)
	for _, s := range cfg.Sources {
		sc := s.Schedule
		if sc.Every == 0 && sc.Cron == "" {
			sc.Every = DefaultEvery
		}
		if _, err := schedule.NewSpec(sc); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: source %q: %w", cfg.File(), s.Line, s.Name, err))
		}
	}
	if !cfg.Server.Disabled {
		if err := server.Validate(cfg.Server); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", cfg.File(), err))
		}
	}
	if _, err := buildJobs(cfg, nil, nil); err != nil {
		errs = append(errs, err)
	}
	sum.Jobs = len(cfg.Jobs)
	return sum, errors.Join(errs...)
}

// noCheckpoints stands in for the store while Check builds sources that are never polled.
type noCheckpoints struct{}

func (noCheckpoints) Checkpoint(context.Context, string) ([]byte, bool, error) {
	return nil, false, nil
}

func (noCheckpoints) SetCheckpoint(context.Context, string, []byte) error {
	return errors.New("checkpoints are not available while validating")
}

// consoleURL is the base of the links in notifications: console_url, or the server's own
// address when it listens on loopback (a link that works on this machine), else none.
func consoleURL(cfg *config.Config) string {
	if cfg.ConsoleURL != "" || cfg.Server.Disabled {
		return cfg.ConsoleURL
	}
	host, port, err := net.SplitHostPort(cfg.Server.ListenAddr())
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() || port == "0" {
		return ""
	}
	return "http://" + net.JoinHostPort(host, port)
}
