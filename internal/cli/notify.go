package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"picket/internal/alert"
	"picket/internal/app"
	"picket/internal/config"
	"picket/internal/notify"
	"picket/internal/notify/route"
)

func runRoutes(_ context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "test" {
		fmt.Fprintln(stderr, "Usage: picket routes test --config FILE --alert-json FILE\n\n  test   show which routes and receivers an alert would reach, and why")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return ExitOK
		}
		return ExitUsage
	}
	fs := newFlagSet("routes test", "picket routes test --config FILE --alert-json FILE",
		"Walk the routing tree of the configuration with one alert (JSON, as `picket alerts show\n"+
			"--format jsonl` prints it) and show each route tried, its conditions and the receivers\n"+
			"the alert reaches. Exit 0 when it reaches at least one receiver, 1 otherwise.", stderr)
	cfgFile := fs.String("config", "", "configuration file (required)")
	alertFile := fs.String("alert-json", "", "file holding the alert as JSON, or - for standard input (required)")
	if _, err := parseArgs(fs, args[1:]); err != nil {
		return flagExit(err)
	}
	if *cfgFile == "" || *alertFile == "" {
		fmt.Fprintln(stderr, "picket routes test: --config and --alert-json are required")
		return ExitUsage
	}
	cfg, err := config.Load(*cfgFile)
	if err != nil {
		fmt.Fprintf(stderr, "picket routes test: %v\n", err)
		return ExitUsage
	}
	if cfg.Routing.Route == nil {
		fmt.Fprintf(stderr, "picket routes test: %s has no route\n", *cfgFile)
		return ExitUsage
	}
	var data []byte
	if *alertFile == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(*alertFile)
	}
	if err != nil {
		fmt.Fprintf(stderr, "picket routes test: %v\n", err)
		return ExitUsage
	}
	var a alert.Alert
	if err := json.Unmarshal(data, &a); err != nil {
		fmt.Fprintf(stderr, "picket routes test: %s: %v\n", *alertFile, err)
		return ExitUsage
	}
	for _, st := range route.Explain(cfg.Routing.Route, &a) {
		mark := "✗"
		if st.Selected {
			mark = "→"
		} else if st.Matched {
			mark = "✓"
		}
		cont := ""
		if st.Continue {
			cont = " (continue)"
		}
		fmt.Fprintf(stdout, "%s%s %s receiver=%s%s\n", strings.Repeat("  ", st.Depth), mark, st.Path, st.Receiver, cont)
		for _, c := range st.Conditions {
			fmt.Fprintf(stdout, "%s    %s\n", strings.Repeat("  ", st.Depth), c)
		}
	}
	var receivers []string
	for _, r := range cfg.Routing.Route.Match(&a) {
		receivers = append(receivers, r.Receiver)
	}
	if len(receivers) == 0 {
		fmt.Fprintln(stdout, "receivers: none")
		return ExitInput
	}
	fmt.Fprintf(stdout, "receivers: %s\n", strings.Join(receivers, ", "))
	return ExitOK
}

const notifyUsage = "Usage: picket notify <test|status|list|retry> [flags]\n\n" +
	"  test RECEIVER   send a realistic test notification to a receiver\n" +
	"  status          the outbox per receiver: pending, delivering, delivered, dead, oldest pending\n" +
	"  list            outbox entries (--state dead to see dead letters)\n" +
	"  retry ID...     send dead-lettered notifications again"

func runNotify(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return dispatch("notify", notifyUsage, args, stdout, stderr,
		subcommand{"test", func(a []string) int { return runNotifyTest(ctx, a, stdout, stderr) }},
		subcommand{"status", func(a []string) int { return runNotifyStatus(ctx, a, stdout, stderr) }},
		subcommand{"list", func(a []string) int { return runNotifyList(ctx, a, stdout, stderr) }},
		subcommand{"retry", func(a []string) int { return runNotifyRetry(ctx, a, stdout, stderr) }},
	)
}

func runNotifyTest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("notify test", "picket notify test RECEIVER --config FILE",
		"Build the receiver from the configuration and send it a realistic test notification (a\n"+
			"high-level CloudTrail alert marked as a test). Exit 0 when the provider accepted it.", stderr)
	cfgFile := fs.String("config", "", "configuration file (required)")
	timeout := fs.Duration("timeout", 30*time.Second, "give up after this long")
	names, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if *cfgFile == "" || len(names) != 1 {
		fmt.Fprintln(stderr, "picket notify test: give one RECEIVER and --config FILE")
		return ExitUsage
	}
	cfg, err := config.Load(*cfgFile)
	if err != nil {
		fmt.Fprintf(stderr, "picket notify test: %v\n", err)
		return ExitUsage
	}
	var rc *config.Receiver
	for i := range cfg.Receivers {
		if cfg.Receivers[i].Name == names[0] {
			rc = &cfg.Receivers[i]
		}
	}
	if rc == nil {
		fmt.Fprintf(stderr, "picket notify test: no receiver %q in %s\n", names[0], *cfgFile)
		return ExitUsage
	}
	one := *cfg
	one.Receivers = []config.Receiver{*rc}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	notifiers, err := app.BuildNotifiers(ctx, &one, notify.Deps{Logger: logger, Clock: time.Now})
	if err != nil {
		fmt.Fprintf(stderr, "picket notify test: %v\n", err)
		return ExitUsage
	}
	n := notify.TestNotification(rc.Name, cfg.ConsoleURL, time.Now())
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	if retry, err := notifiers[rc.Name].Notify(ctx, n); err != nil {
		hint := "a permanent error: check the receiver's settings"
		if retry {
			hint = "a transient error: picket would retry it"
		}
		fmt.Fprintf(stderr, "picket notify test: %s: %v (%s)\n", rc.Name, err, hint)
		return ExitInput
	}
	fmt.Fprintf(stdout, "test notification %s delivered to %s (%s)\n", n.ID, rc.Name, rc.Type)
	return ExitOK
}

func runNotifyStatus(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("notify status", "picket notify status [--config FILE] [--format table|jsonl]",
		"Show the notification outbox of the store per receiver.", stderr)
	var sf storeFlags
	sf.register(fs)
	if _, err := parseArgs(fs, args); err != nil {
		return flagExit(err)
	}
	if !sf.check("notify status", stderr) {
		return ExitUsage
	}
	a, code := sf.open(ctx, "notify status", stderr)
	if a == nil {
		return code
	}
	defer a.Close()
	stats, err := a.Store.Outbox().Stats(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "picket notify status: %v\n", err)
		return ExitInput
	}
	if sf.format == "jsonl" {
		enc := json.NewEncoder(stdout)
		for _, st := range stats {
			enc.Encode(st)
		}
		return ExitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RECEIVER\tPENDING\tDELIVERING\tDELIVERED\tDEAD\tOLDEST PENDING")
	for _, st := range stats {
		oldest := "-"
		if !st.OldestPending.IsZero() {
			oldest = time.Since(st.OldestPending).Round(time.Second).String() + " ago"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\n", st.Receiver, st.Pending, st.Delivering, st.Delivered, st.Dead, oldest)
	}
	tw.Flush()
	return ExitOK
}

func runNotifyList(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("notify list", "picket notify list [--config FILE] [--state STATE] [--receiver NAME]",
		"List notification outbox entries, with their last error.", stderr)
	var sf storeFlags
	sf.register(fs)
	state := fs.String("state", "", "only entries in this state: pending, delivering, delivered or dead")
	receiver := fs.String("receiver", "", "only entries of this receiver")
	limit := fs.Int("limit", 100, "at most this many entries")
	if _, err := parseArgs(fs, args); err != nil {
		return flagExit(err)
	}
	if !sf.check("notify list", stderr) {
		return ExitUsage
	}
	q := notify.OutboxQuery{Receiver: *receiver, Limit: *limit}
	if *state != "" {
		q.States = []notify.State{notify.State(*state)}
	}
	a, code := sf.open(ctx, "notify list", stderr)
	if a == nil {
		return code
	}
	defer a.Close()
	entries, err := a.Store.Outbox().List(ctx, q)
	if err != nil {
		fmt.Fprintf(stderr, "picket notify list: %v\n", err)
		return ExitInput
	}
	if sf.format == "jsonl" {
		enc := json.NewEncoder(stdout)
		for _, e := range entries {
			enc.Encode(e)
		}
		return ExitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRECEIVER\tSTATE\tATTEMPTS\tCREATED\tLAST ERROR")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", e.ID, e.Receiver, e.State, e.Attempts, e.CreatedAt.Format(time.RFC3339), truncate(e.LastError, 80))
	}
	tw.Flush()
	fmt.Fprintf(stdout, "%d entries\n", len(entries))
	return ExitOK
}

func runNotifyRetry(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("notify retry", "picket notify retry [--config FILE] ID...",
		"Move dead-lettered notifications back to pending: the dispatcher sends them again, with the\n"+
			"same idempotency key.", stderr)
	var sf storeFlags
	sf.register(fs)
	ids, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(ids) == 0 {
		fmt.Fprintln(stderr, "picket notify retry: give one or more notification IDs (see picket notify list --state dead)")
		return ExitUsage
	}
	a, code := sf.open(ctx, "notify retry", stderr)
	if a == nil {
		return code
	}
	defer a.Close()
	exit := ExitOK
	for _, id := range ids {
		if err := a.Store.Outbox().Retry(ctx, id, time.Now()); err != nil {
			fmt.Fprintf(stderr, "picket notify retry: %s: %v\n", id, err)
			exit = ExitUsage
			continue
		}
		fmt.Fprintf(stdout, "%s pending again\n", id)
	}
	return exit
}
