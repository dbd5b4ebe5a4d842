package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"picket/internal/alert"
	"picket/internal/apiclient"
	"picket/internal/app"
	"picket/internal/config"
	"picket/internal/rule"
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

// remoteFlags make the alerts and silence commands talk to a running server instead of
// opening the store.
type remoteFlags struct {
	server string
	token  string
}

func (rf *remoteFlags) register(fs interface {
	StringVar(p *string, name, value, usage string)
}) {
	fs.StringVar(&rf.server, "server", "", "URL of a running picket server to use instead of the store (e.g. http://127.0.0.1:8089); the server records its token's name as the actor")
	fs.StringVar(&rf.token, "token", "", "API token for --server (default $PICKET_TOKEN)")
}

// alertsBackend is what the alerts and silence commands use: the alert manager over the store,
// or the API of a running server (remoteAlerts). The actor arguments are ignored by the
// server, which records the authenticated token's name.
type alertsBackend interface {
	List(ctx context.Context, q alert.Query) ([]*alert.Alert, error)
	Get(ctx context.Context, id string) (*alert.Alert, error)
	Acknowledge(ctx context.Context, id, actor, comment string) (*alert.Alert, error)
	Resolve(ctx context.Context, id, actor, comment string) (*alert.Alert, error)
	Reopen(ctx context.Context, id, actor, comment string) (*alert.Alert, error)
	AddSilence(ctx context.Context, s alert.Silence) (alert.Silence, error)
	ExpireSilence(ctx context.Context, id, actor string) error
	PreviewSilence(ctx context.Context, s alert.Silence, since time.Time) ([]*alert.Alert, error)
	Silences(ctx context.Context, activeOnly bool) ([]alert.Silence, error)
}

// openBackend returns the backend the flags select and a function releasing it; errors are
// printed.
func openBackend(ctx context.Context, cmd string, sf *storeFlags, rf *remoteFlags, stderr io.Writer) (alertsBackend, func(), int) {
	if rf.server == "" {
		a, code := sf.open(ctx, cmd, stderr)
		if a == nil {
			return nil, nil, code
		}
		return a.Manager, func() { a.Close() }, ExitOK
	}
	if sf.config != "" {
		fmt.Fprintf(stderr, "picket %s: give --config or --server, not both\n", cmd)
		return nil, nil, ExitUsage
	}
	token := rf.token
	if token == "" {
		token = os.Getenv("PICKET_TOKEN")
	}
	c, err := apiclient.New(rf.server, token, nil)
	if err != nil {
		fmt.Fprintf(stderr, "picket %s: --server: %v\n", cmd, err)
		return nil, nil, ExitUsage
	}
	return remoteAlerts{c: c}, func() {}, ExitOK
}

// remoteAlerts is an alertsBackend over the API.
type remoteAlerts struct{ c *apiclient.Client }

// maxPage is the API's largest page.
const maxPage = 1000

func (r remoteAlerts) List(ctx context.Context, q alert.Query) ([]*alert.Alert, error) {
	aq := apiclient.AlertQuery{Status: q.Status, RuleID: q.RuleID, Source: q.Source, Text: q.Text, Since: q.Since, Until: q.Until, Cursor: q.After}
	if q.MinLevel != rule.LevelUnknown {
		aq.MinLevel = q.MinLevel.String()
	}
	want := q.Limit
	if want <= 0 {
		want = alert.DefaultLimit
	}
	out := []*alert.Alert{}
	for len(out) < want {
		aq.Limit = min(want-len(out), maxPage)
		page, err := r.c.Alerts(ctx, aq)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			break
		}
		aq.Cursor = page.NextCursor
	}
	return out, nil
}

func (r remoteAlerts) Get(ctx context.Context, id string) (*alert.Alert, error) {
	d, err := r.c.Alert(ctx, id)
	if err != nil {
		return nil, err
	}
	return d.Alert, nil
}

func (r remoteAlerts) Acknowledge(ctx context.Context, id, _, comment string) (*alert.Alert, error) {
	return r.c.Acknowledge(ctx, id, comment)
}

func (r remoteAlerts) Resolve(ctx context.Context, id, _, comment string) (*alert.Alert, error) {
	return r.c.Resolve(ctx, id, comment)
}

func (r remoteAlerts) Reopen(ctx context.Context, id, _, comment string) (*alert.Alert, error) {
	return r.c.Reopen(ctx, id, comment)
}

func (r remoteAlerts) AddSilence(ctx context.Context, s alert.Silence) (alert.Silence, error) {
	return r.c.AddSilence(ctx, apiclient.SilenceRequest{Matchers: s.Matchers, Comment: s.Comment, StartsAt: s.StartsAt, EndsAt: s.EndsAt})
}

func (r remoteAlerts) ExpireSilence(ctx context.Context, id, _ string) error {
	return r.c.ExpireSilence(ctx, id)
}

func (r remoteAlerts) PreviewSilence(ctx context.Context, s alert.Silence, since time.Time) ([]*alert.Alert, error) {
	return r.c.PreviewSilence(ctx, apiclient.SilenceRequest{Matchers: s.Matchers, Since: since})
}

func (r remoteAlerts) Silences(ctx context.Context, activeOnly bool) ([]alert.Silence, error) {
	return r.c.Silences(ctx, !activeOnly)
}
