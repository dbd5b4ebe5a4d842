package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"picket/internal/config"
	"picket/internal/daemon"
)

// daemonFlags are the flags shared by run and collect.
type daemonFlags struct {
	config string
	watch  stringList
}

func (f *daemonFlags) register(fsReg *flag.FlagSet) {
	fsReg.StringVar(&f.config, "config", "", "configuration file (default: the embedded defaults: picket.db here, the built-in rules, a file source on ./"+daemon.DefaultWatch+", a stdout receiver)")
	fsReg.Var(&f.watch, "watch", "also read log files from this file, directory or glob (repeatable)")
}

// loadConfig returns the configuration file's contents, or the defaults, plus --watch sources.
func (f *daemonFlags) loadConfig() (*config.Config, error) {
	if f.config == "" {
		return daemon.Defaults(f.watch)
	}
	cfg, err := config.Load(f.config)
	if err != nil {
		return nil, err
	}
	return daemon.WithWatch(cfg, f.watch)
}

// newLogger returns picket's logger: text on a terminal, JSON otherwise, unless the
// configuration says.
func newLogger(c config.Logging, w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	switch c.Level {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	o := &slog.HandlerOptions{Level: level}
	if c.Format == "json" || (c.Format != "text" && !isTerminal(w)) {
		return slog.New(slog.NewJSONHandler(w, o))
	}
	return slog.New(slog.NewTextHandler(w, o))
}

func runCollect(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("collect", "picket collect --once [--config FILE] [--watch PATH]",
		"Poll every configured source once from its checkpoint, evaluate the rules, store detections\n"+
			"and alerts, send the notifications they cause, and exit. This is how picket runs from cron;\n"+
			"`picket run` does the same continuously on each source's schedule.\n\n"+
			"Exit status: 0 when every source was read and every notification delivered, 1 when a source\n"+
			"failed or notifications are still pending (they are kept and sent by the next run), 2 for\n"+
			"configuration errors.", stderr)
	var f daemonFlags
	f.register(fs)
	once := fs.Bool("once", false, "poll each source once and exit (required: continuous collection is `picket run`)")
	deliverFor := fs.Duration("deliver-timeout", 30*time.Second, "how long to keep delivering notifications before exiting")
	if _, err := parseArgs(fs, args); err != nil {
		return flagExit(err)
	}
	if !*once {
		fmt.Fprintln(stderr, "picket collect: --once is required (for continuous collection use `picket run`)")
		return ExitUsage
	}
	cfg, err := f.loadConfig()
	if err != nil {
		fmt.Fprintf(stderr, "picket collect: %v\n", err)
		return ExitUsage
	}
	logger := newLogger(cfg.Logging, stderr)
	d, err := daemon.New(ctx, cfg, daemon.Options{Stdout: stdout, Logger: logger})
	if err != nil {
		fmt.Fprintf(stderr, "picket collect: %v\n", err)
		return ExitUsage
	}
	defer d.Close()
	start := time.Now()
	res, err := d.Once(ctx, *deliverFor)
	logger.Info("collection done", "sources", res.Sources, "failed_sources", res.Failed,
		"notifications", res.Notifications, "undelivered", res.Undelivered, "duration", time.Since(start).Round(time.Millisecond).String())
	if err != nil {
		fmt.Fprintf(stderr, "picket collect: %v\n", err)
		return ExitInput
	}
	if res.Undelivered > 0 {
		fmt.Fprintf(stderr, "picket collect: %d notifications not delivered yet; they are kept and sent by the next run (see 'picket notify status')\n", res.Undelivered)
		return ExitInput
	}
	return ExitOK
}

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("run", "picket run [--config FILE] [--watch PATH]",
		"Run picket as a service: poll every source on its schedule, evaluate the rules, store\n"+
			"detections and alerts, send notifications, run the jobs, and serve the API, the console,\n"+
			"/metrics, /healthz and /readyz. Without --config it runs on the embedded defaults: picket.db\n"+
			"in the working directory, the built-in rules, a file source on ./"+daemon.DefaultWatch+" (or the --watch paths)\n"+
			"and a stdout receiver.\n\n"+
			"Signals: SIGTERM or SIGINT stop it gracefully (batches in flight are finished and\n"+
			"checkpointed); SIGHUP reloads the configuration file (an invalid one is rejected and the\n"+
			"running configuration stays).", stderr)
	var f daemonFlags
	f.register(fs)
	shutdown := fs.Duration("shutdown-timeout", 30*time.Second, "how long a graceful stop may take")
	if _, err := parseArgs(fs, args); err != nil {
		return flagExit(err)
	}
	cfg, err := f.loadConfig()
	if err != nil {
		fmt.Fprintf(stderr, "picket run: %v\n", err)
		return ExitUsage
	}
	logger := newLogger(cfg.Logging, stderr)
	o := daemon.Options{Stdout: stdout, Logger: logger, ShutdownTimeout: *shutdown}
	if f.config != "" {
		o.Load = f.loadConfig
	}
	d, err := daemon.New(ctx, cfg, o)
	if err != nil {
		fmt.Fprintf(stderr, "picket run: %v\n", err)
		return ExitUsage
	}
	defer d.Close()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				logger.Info("SIGHUP: reloading the configuration")
				if err := d.Reload(ctx); err != nil {
					logger.Error("reload failed", "err", err)
				}
			}
		}
	}()
	if err := d.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "picket run: %v\n", err)
		return ExitInput
	}
	return ExitOK
}
