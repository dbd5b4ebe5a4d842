package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"picket/internal/config"
	"picket/internal/schedule"
)

// DefaultEvery is a source's poll interval when its configuration gives none.
const DefaultEvery = time.Minute

// Run runs the daemon until ctx is done: the sources on their schedules, the jobs, the
// notification router and dispatcher, and self-monitoring. Reload (SIGHUP, POST /-/reload)
// swaps in a new generation. When ctx ends it stops gracefully within ShutdownTimeout: no new
// polls, batches in flight finished and checkpointed, notifications in flight given a moment
// to complete; whatever is left is picked up by the next start.
func (d *Daemon) Run(ctx context.Context) error {
	g := d.current()
	var srvDone chan error
	if !g.cfg.Server.Disabled {
		srv, err := d.newServer(ctx)
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", g.cfg.Server.ListenAddr())
		if err != nil {
			return fmt.Errorf("server: %w", err)
		}
		d.logger.Info("serving the API, the console and /metrics", "addr", ln.Addr().String())
		srvDone = make(chan error, 1)
		sctx, scancel := context.WithCancel(context.WithoutCancel(ctx))
		defer func() {
			scancel()
			if err := <-srvDone; err != nil {
				d.logger.Warn("server stopped", "err", err)
			}
		}()
		go func() { srvDone <- srv.Serve(sctx, ln) }()
	}
	stop, err := d.start(ctx, g)
	if err != nil {
		return err
	}
	d.logger.Info("picket running", "sources", len(g.sources), "receivers", len(g.receivers), "rules", len(g.rules.Rules), "jobs", len(g.cfg.Jobs))
	for {
		select {
		case err := <-srvDone:
			// The server failed (its address taken, say): stop rather than run unobserved.
			srvDone <- err
			sctx, cancel := context.WithTimeout(context.Background(), d.opts.ShutdownTimeout)
			stop(sctx)
			cancel()
			return fmt.Errorf("server: %w", err)
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), d.opts.ShutdownTimeout)
			err := stop(sctx)
			cancel()
			d.logger.Info("picket stopped", "err", err)
			return nil
		case req := <-d.reload:
			next, err := d.prepareReload(ctx)
			if err != nil {
				d.logger.Error("configuration reload rejected; the running configuration stays", "err", err)
				req.reply <- err
				continue
			}
			sctx, cancel := context.WithTimeout(context.Background(), d.opts.ShutdownTimeout)
			if err := stop(sctx); err != nil {
				d.logger.Warn("stopping the previous configuration", "err", err)
			}
			cancel()
			d.swap(next)
			if stop, err = d.start(ctx, next); err != nil {
				// The new generation validated but failed to start (the store went away, say):
				// report it and keep trying the old one.
				d.logger.Error("starting the reloaded configuration failed; restarting the previous one", "err", err)
				d.swap(g)
				if stop, err = d.start(ctx, g); err != nil {
					return err
				}
				req.reply <- err
				continue
			}
			g = next
			d.logger.Info("configuration reloaded", "sources", len(g.sources), "receivers", len(g.receivers), "rules", len(g.rules.Rules))
			req.reply <- nil
		}
	}
}

// Reload asks the running daemon to load its configuration again; it returns the validation
// error when the new configuration is rejected (the old one keeps running).
func (d *Daemon) Reload(ctx context.Context) error {
	req := reloadRequest{reply: make(chan error, 1)}
	select {
	case d.reload <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-req.reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// prepareReload loads and validates the configuration and builds a generation from it.
func (d *Daemon) prepareReload(ctx context.Context) (*generation, error) {
	if d.opts.Load == nil {
		return nil, errors.New("this daemon was started without a configuration file to reload")
	}
	cfg, err := d.opts.Load()
	if err != nil {
		return nil, err
	}
	if _, err := Check(ctx, cfg); err != nil {
		return nil, err
	}
	if cfg.Storage != d.current().cfg.Storage {
		return nil, errors.New("storage settings changed: restart picket to switch stores")
	}
	return d.build(ctx, cfg)
}

func (d *Daemon) swap(g *generation) {
	d.mu.Lock()
	old := d.gen
	d.gen = g
	d.mu.Unlock()
	d.catalog.SetRules(g.rules)
	names := map[string]bool{}
	for _, s := range g.sources {
		names[s.Name()] = true
	}
	for _, s := range old.sources {
		if !names[s.Name()] {
			d.tracker.Forget(s.Name())
		}
	}
}

// start starts generation g and returns the function that stops it gracefully.
func (d *Daemon) start(ctx context.Context, g *generation) (func(context.Context) error, error) {
	sched := schedule.New(schedule.Options{Logger: d.logger, Metrics: g.reg, Locker: d.store, Checkpoints: d.store})
	for _, s := range g.sources {
		sc := s.Schedule
		if sc.Every == 0 && sc.Cron == "" {
			sc.Every = DefaultEvery
		}
		spec, err := schedule.NewSpec(sc)
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", s.Name(), err)
		}
		if err := sched.Add(schedule.Task{Name: "source/" + s.Name(), Spec: spec,
			Run: func(ctx context.Context) error { return d.poll(ctx, g, s) }}); err != nil {
			return nil, err
		}
	}
	jobs, err := buildJobs(g.cfg, d, g)
	if err != nil {
		return nil, err
	}
	for _, t := range jobs {
		if err := sched.Add(t); err != nil {
			return nil, err
		}
	}
	if err := d.addHealthTask(sched, g); err != nil {
		return nil, err
	}

	// The router and the dispatcher outlive the scheduler's stop by a little, so that the
	// notifications of the last batches are committed and sent.
	nctx, ncancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	if g.router != nil {
		wg.Go(func() { d.lead(nctx, g) })
		wg.Go(func() { g.disp.Run(nctx) })
	}
	if err := sched.Start(ctx); err != nil {
		ncancel()
		wg.Wait()
		return nil, err
	}
	return func(sctx context.Context) error {
		err := sched.Stop(sctx)
		if g.router != nil {
			// Commit what the last batches decided (groups already due), then give the
			// dispatcher until the deadline to send what is pending.
			if _, ferr := g.router.Flush(sctx, d.clock()); ferr != nil {
				err = errors.Join(err, ferr)
			}
			d.drainOutbox(sctx)
		}
		ncancel()
		wg.Wait()
		return err
	}, nil
}

// routerLock is the store lock of the notification router: of several instances sharing a
// store, one routes (the others take over when it stops); every instance delivers.
const routerLock = "notify/router"

// lead runs g's router while this instance holds the router lock, trying to take it every few
// seconds otherwise, until ctx is done.
func (d *Daemon) lead(ctx context.Context, g *generation) {
	logged := false
	for {
		unlock, ok, err := d.store.TryLock(ctx, routerLock)
		switch {
		case err != nil && ctx.Err() == nil:
			d.logger.Warn("taking the notification router lock", "err", err)
		case ok:
			if err := g.router.Recover(ctx); err != nil {
				unlock()
				if ctx.Err() != nil {
					return
				}
				d.logger.Error("notification router: recovering its state failed; retrying", "err", err)
				break
			}
			if logged {
				d.logger.Info("this instance now routes notifications")
			}
			g.router.Run(ctx)
			unlock()
			return
		case !logged:
			d.logger.Info("another instance routes notifications; this one delivers and stands by")
			logged = true
		}
		t := time.NewTimer(5 * time.Second)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// drainOutbox waits until nothing is pending or delivering, or ctx is done (at most a few
// seconds: what is left is sent at the next start).
func (d *Daemon) drainOutbox(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		stats, err := d.store.Outbox().Stats(ctx)
		if err != nil {
			return
		}
		left := 0
		for _, s := range stats {
			left += s.Pending + s.Delivering
		}
		if left == 0 {
			return
		}
		select {
		case <-ctx.Done():
			d.logger.Info("notifications still pending at shutdown; they are sent at the next start", "pending", left)
			return
		case <-t.C:
		}
	}
}

// sourceInterval is the expected time between two polls of a source with schedule sc.
func sourceInterval(sc config.Schedule) time.Duration {
	if sc.Every > 0 {
		return sc.Every
	}
	if sc.Cron != "" {
		if spec, err := schedule.NewSpec(sc); err == nil {
			now := time.Now()
			n1 := spec.Next(now)
			return spec.Next(n1).Sub(n1)
		}
	}
	return DefaultEvery
}
