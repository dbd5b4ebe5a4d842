package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"picket/internal/app"
	"picket/internal/config"
)

func runDB(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "migrate" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(stdout, "Usage: picket db migrate [--config FILE]\n\n  migrate   create or upgrade the store's schema (picket also does it when it starts)")
			return ExitOK
		}
		fmt.Fprintln(stderr, "Usage: picket db migrate [--config FILE]")
		return ExitUsage
	}
	fs := newFlagSet("db migrate", "picket db migrate [--config FILE]",
		"Create or upgrade the schema of the configured store (storage.path, an SQLite file,\n"+
			"picket.db by default; or storage.url, PostgreSQL). Migrations are ordered, embedded in\n"+
			"the binary and each applied in a transaction; running it again changes nothing.", stderr)
	cfgFile := fs.String("config", "", "configuration file (its storage section)")
	if _, err := parseArgs(fs, args[1:]); err != nil {
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
