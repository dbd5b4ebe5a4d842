package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"picket/internal/alert"
	"picket/internal/app"
	"picket/internal/config"
	"picket/internal/notify"
	"picket/internal/notify/route"
	"picket/internal/rule"
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

func runNotify(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "test" {
		fmt.Fprintln(stderr, "Usage: picket notify test RECEIVER --config FILE\n\n  test   send a realistic test notification to a receiver")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return ExitOK
		}
		return ExitUsage
	}
	fs := newFlagSet("notify test", "picket notify test RECEIVER --config FILE",
		"Build the receiver from the configuration and send it a realistic test notification (a\n"+
			"high-level CloudTrail alert marked as a test). Exit 0 when the provider accepted it.", stderr)
	cfgFile := fs.String("config", "", "configuration file (required)")
	timeout := fs.Duration("timeout", 30*time.Second, "give up after this long")
	names, err := parseArgs(fs, args[1:])
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
	n := testNotification(rc.Name, cfg.ConsoleURL, time.Now())
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

// testNotification is a realistic notification marked as a test.
func testNotification(receiver, consoleURL string, now time.Time) *notify.Notification {
	raw := json.RawMessage(`{"eventVersion":"1.09","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.45","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/picket-test"},"recipientAccountId":"123456789012"}`)
	a := alert.Alert{
		ID: "test-" + now.UTC().Format("20060102T150405Z"), Fingerprint: "picket-test", RuleID: "picket-test-notification",
		RuleTitle: "picket test notification (AWS CloudTrail Logging Stopped)", Level: rule.High,
		Tags: []string{"attack.defense-evasion", "attack.t1562.008"}, Kind: "detection", Source: "picket notify test",
		Account: "123456789012", Group: map[string]string{"userIdentity.arn": "arn:aws:iam::123456789012:user/picket-test"},
		Status: alert.StatusOpen, FirstSeen: now.UTC(), LastSeen: now.UTC(), Count: 1, CreatedAt: now.UTC(), UpdatedAt: now.UTC(),
	}
	url := ""
	if consoleURL != "" {
		url = strings.TrimSuffix(consoleURL, "/") + "/alerts/" + a.ID
	}
	return &notify.Notification{
		ID: "test-" + receiver + "-" + now.UTC().Format("20060102T150405.000Z"), Receiver: receiver, Status: notify.StatusFiring,
		GroupKey: "test", GroupLabels: map[string]string{"rule_id": a.RuleID}, CreatedAt: now.UTC(),
		Alerts: []notify.AlertView{{Alert: a, Events: []notify.Event{{ID: "test-event", Time: now.UTC(), Source: "picket notify test", Data: raw}}, URL: url}},
	}
}
