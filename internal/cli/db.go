package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"picket/internal/alert"
	"picket/internal/app"
	"picket/internal/config"
)

const dbUsage = "Usage: picket db <migrate|prune> [flags]\n\n" +
	"  migrate   create or upgrade the store's schema (picket also does it when it opens the store)\n" +
	"  prune     delete detections and resolved alerts older than the retention (alerts.retention or --older-than)"

func runDB(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return dispatch("db", dbUsage, args, stdout, stderr,
		subcommand{"migrate", func(a []string) int { return runDBMigrate(ctx, a, stdout, stderr) }},
		subcommand{"prune", func(a []string) int { return runDBPrune(ctx, a, stdout, stderr) }},
	)
}

func runDBMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("db migrate", "picket db migrate [--config FILE]",
		"Create or upgrade the schema of the configured store (storage.path, an SQLite file,\n"+
			"picket.db by default; or storage.url, PostgreSQL). Migrations are ordered, embedded in\n"+
			"the binary and each applied in a transaction; running it again changes nothing.", stderr)
	cfgFile := fs.String("config", "", "configuration file (its storage section)")
	if _, err := parseArgs(fs, args); err != nil {
		return flagExit(err)
	}
	cfg := &config.Config{}
	if *cfgFile != "" {
		var err error
		if cfg, err = config.Load(*cfgFile); err != nil {
			fmt.Fprintf(stderr, "picket db migrate: %v\n", err)
			return ExitUsage
		}
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	st, err := app.OpenStore(ctx, cfg.Storage, logger)
	if err != nil {
		fmt.Fprintf(stderr, "picket db migrate: %v\n", err)
		return ExitInput
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		fmt.Fprintf(stderr, "picket db migrate: %v\n", err)
		return ExitInput
	}
	where := cfg.Storage.URL
	if where == "" {
		where = cfg.Storage.Path
		if where == "" {
			where = config.DefaultDatabase
		}
	} else {
		where = "PostgreSQL"
	}
	fmt.Fprintf(stdout, "store %s: schema up to date\n", where)
	return ExitOK
}

func runDBPrune(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("db prune", "picket db prune [--config FILE] [--older-than DURATION]",
		"Delete the detections (and their raw events) whose event time is older than the retention,\n"+
			"the resolved alerts last seen before it, and the evidence references older than it from the\n"+
			"alerts kept. Detections pruned are no longer deduplicated: keep the retention longer than\n"+
			"any backfill.", stderr)
	var sf storeFlags
	sf.register(fs)
	olderThan := fs.Duration("older-than", 0, "retention (default: alerts.retention of the configuration)")
	if _, err := parseArgs(fs, args); err != nil {
		return flagExit(err)
	}
	retention := *olderThan
	if retention == 0 && sf.config != "" {
		cfg, err := config.Load(sf.config)
		if err != nil {
			fmt.Fprintf(stderr, "picket db prune: %v\n", err)
			return ExitUsage
		}
		retention = cfg.Alerts.Retention
	}
	if retention <= 0 {
		fmt.Fprintln(stderr, "picket db prune: no retention: set alerts.retention in the configuration or --older-than")
		return ExitUsage
	}
	a, code := sf.open(ctx, "db prune", stderr)
	if a == nil {
		return code
	}
	defer a.Close()
	p, ok := a.Store.Alerts().(alert.Pruner)
	if !ok {
		fmt.Fprintln(stderr, "picket db prune: this store cannot prune")
		return ExitInput
	}
	res, err := p.Prune(ctx, time.Now().Add(-retention))
	if err != nil {
		fmt.Fprintf(stderr, "picket db prune: %v\n", err)
		return ExitInput
	}
	fmt.Fprintf(stdout, "pruned %d detections, %d resolved alerts and %d evidence references older than %s\n", res.Detections, res.Alerts, res.Evidence, retention)
	return ExitOK
}
