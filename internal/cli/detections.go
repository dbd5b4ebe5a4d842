package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"picket/internal/alert"
)

func runDetections(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "list" {
		fmt.Fprintln(stderr, "Usage: picket detections list [flags]\n\n  list   stored detections, newest event first")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return ExitOK
		}
		return ExitUsage
	}
	fs := newFlagSet("detections list", "picket detections list [flags]",
		"List stored detections (one rule matching one event), newest event first. With --format\n"+
			"jsonl each line has rule_id, rule_title, level, event_id, alert_id, event_time, source and\n"+
			"the raw event (leave it out with --no-event).", stderr)
	var sf storeFlags
	sf.register(fs)
	ruleID := fs.String("rule", "", "only detections of this rule id")
	alertID := fs.String("alert", "", "only detections folded into this alert")
	since := fs.Duration("since", 0, "only events of the last DURATION (e.g. 24h)")
	limit := fs.Int("limit", 100, "at most this many detections")
	noEvent := fs.Bool("no-event", false, "jsonl: leave the raw event out")
	if _, err := parseArgs(fs, args[1:]); err != nil {
		return flagExit(err)
	}
	if !sf.check("detections list", stderr) {
		return ExitUsage
	}
	a, code := sf.open(ctx, "detections list", stderr)
	if a == nil {
		return code
	}
	defer a.Close()
	q := alert.DetectionQuery{RuleID: *ruleID, AlertID: *alertID, Limit: *limit}
	if *since > 0 {
		q.Since = time.Now().Add(-*since)
	}
	ds, err := a.Detections.Detections(ctx, q)
	if err != nil {
		fmt.Fprintf(stderr, "picket detections list: %v\n", err)
		return ExitInput
	}
	if sf.format == "jsonl" {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		for _, d := range ds {
			line := detectionLine{RuleID: d.RuleID, RuleTitle: d.RuleTitle, Level: d.Level.String(), Tags: d.Tags, EventID: d.EventID,
				AlertID: d.AlertID, EventTime: d.EventTime, Source: d.Source, LogSource: d.LogSource, Account: d.Account, DetectedAt: d.DetectedAt}
			if !*noEvent {
				line.Event = d.Raw
			}
			if err := enc.Encode(line); err != nil {
				return ExitInput
			}
		}
		return ExitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EVENT TIME\tLEVEL\tRULE\tEVENT ID\tALERT\tSOURCE")
	for _, d := range ds {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", d.EventTime.Format(time.RFC3339), d.Level, truncate(d.RuleTitle, 60), d.EventID, d.AlertID, d.Source)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "%d detections\n", len(ds))
	return ExitOK
}

// detectionLine is one line of `detections list --format jsonl`.
type detectionLine struct {
	RuleID     string          `json:"rule_id"`
	RuleTitle  string          `json:"rule_title"`
	Level      string          `json:"level"`
	Tags       []string        `json:"tags,omitempty"`
	EventID    string          `json:"event_id"`
	AlertID    string          `json:"alert_id"`
	EventTime  time.Time       `json:"event_time"`
	Source     string          `json:"source"`
	LogSource  any             `json:"logsource"`
	Account    string          `json:"account,omitempty"`
	DetectedAt time.Time       `json:"detected_at"`
	Event      json.RawMessage `json:"event,omitempty"`
}
