package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"picket/internal/app"
	"picket/internal/config"
)

// storeFlags are the flags of the commands that work on the store.
type storeFlags struct {
	config string
	format string
}

func (sf *storeFlags) register(fs interface {
	StringVar(p *string, name, value, usage string)
}) {
	fs.StringVar(&sf.config, "config", "", "configuration file (its storage and alerts sections); default: picket.db in the working directory")
	fs.StringVar(&sf.format, "format", "table", "output format: table or jsonl")
}

func (sf *storeFlags) check(cmd string, stderr io.Writer) bool {
	if sf.format != "table" && sf.format != "jsonl" {
		fmt.Fprintf(stderr, "picket %s: --format must be table or jsonl, not %q\n", cmd, sf.format)
		return false
	}
	return true
}

// open loads the configuration and opens the alert store; errors are printed.
func (sf *storeFlags) open(ctx context.Context, cmd string, stderr io.Writer) (*app.Alerts, int) {
	cfg := &config.Config{}
	if sf.config != "" {
		var err error
		if cfg, err = config.Load(sf.config); err != nil {
			fmt.Fprintf(stderr, "picket %s: %v\n", cmd, err)
			return nil, ExitUsage
		}
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.OpenAlerts(ctx, cfg, logger)
	if err != nil {
		fmt.Fprintf(stderr, "picket %s: %v\n", cmd, err)
		return nil, ExitInput
	}
	return a, ExitOK
}

// actor names who runs a command, for the audit trail: --actor, else $USER.
func actor(flag string) string {
	if flag != "" {
		return flag
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "cli"
}
