package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"picket/internal/alert"
	"picket/internal/rule"
)

func runAlerts(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	usage := "Usage: picket alerts <list|show|ack|resolve|reopen> [flags]\n\n" +
		"  list            alerts, most recent first (filters: --status, --level, --rule, --text)\n" +
		"  show ID         one alert with its evidence and history\n" +
		"  ack ID          acknowledge (--comment, --actor)\n" +
		"  resolve ID      resolve (--comment, --actor)\n" +
		"  reopen ID       reopen a resolved alert (--comment, --actor)" +
		"\n\nWith --server URL (token: --token or $PICKET_TOKEN) they use a running server's API instead of the store."
	return dispatch("alerts", usage, args, stdout, stderr,
		subcommand{"list", func(a []string) int { return runAlertsList(ctx, a, stdout, stderr) }},
		subcommand{"show", func(a []string) int { return runAlertsShow(ctx, a, stdout, stderr) }},
		subcommand{"ack", func(a []string) int { return runAlertsTransition(ctx, "ack", a, stdout, stderr) }},
		subcommand{"resolve", func(a []string) int { return runAlertsTransition(ctx, "resolve", a, stdout, stderr) }},
		subcommand{"reopen", func(a []string) int { return runAlertsTransition(ctx, "reopen", a, stdout, stderr) }},
	)
}

func runAlertsList(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("alerts list", "picket alerts list [flags]", "List alerts, most recent first.", stderr)
	var sf storeFlags
	sf.register(fs)
	var rf remoteFlags
	rf.register(fs)
	status := fs.String("status", "open,acknowledged", "statuses to list, comma-separated (open, acknowledged, resolved), or all")
	level := fs.String("level", "", "minimum level (informational, low, medium, high, critical)")
	ruleID := fs.String("rule", "", "only alerts of this rule id")
	text := fs.String("text", "", "substring of the rule id, title or a group value")
	limit := fs.Int("limit", 100, "at most this many alerts")
	after := fs.String("after", "", "cursor: list the alerts after this one (printed by the previous page in jsonl)")
	if _, err := parseArgs(fs, args); err != nil {
		return flagExit(err)
	}
	if !sf.check("alerts list", stderr) {
		return ExitUsage
	}
	q := alert.Query{RuleID: *ruleID, Text: *text, Limit: *limit, After: *after}
	if *status != "all" {
		for _, s := range strings.Split(*status, ",") {
			st := alert.Status(strings.TrimSpace(s))
			if st != alert.StatusOpen && st != alert.StatusAcknowledged && st != alert.StatusResolved {
				fmt.Fprintf(stderr, "picket alerts list: unknown status %q\n", s)
				return ExitUsage
			}
			q.Status = append(q.Status, st)
		}
	}
	if *level != "" {
		lv, ok := rule.ParseLevel(*level)
		if !ok {
			fmt.Fprintf(stderr, "picket alerts list: unknown level %q\n", *level)
			return ExitUsage
		}
		q.MinLevel = lv
	}
	m, done, code := openBackend(ctx, "alerts list", &sf, &rf, stderr)
	if m == nil {
		return code
	}
	defer done()
	alerts, err := m.List(ctx, q)
	if err != nil {
		fmt.Fprintf(stderr, "picket alerts list: %v\n", err)
		return ExitInput
	}
	if sf.format == "jsonl" {
		enc := json.NewEncoder(stdout)
		for _, al := range alerts {
			enc.Encode(struct {
				*alert.Alert
				Cursor string `json:"cursor"`
			}{al, al.Cursor()})
		}
		return ExitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tLEVEL\tCOUNT\tLAST SEEN\tRULE\tGROUP")
	for _, al := range alerts {
		status := string(al.Status)
		if al.Silenced {
			status += " (silenced)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", al.ID, status, al.Level, al.Count, al.LastSeen.Format(time.RFC3339), truncate(al.RuleTitle, 60), groupText(al.Group))
	}
	tw.Flush()
	fmt.Fprintf(stdout, "%d alerts\n", len(alerts))
	return ExitOK
}

func groupText(g map[string]string) string {
	var parts []string
	for k, v := range g {
		parts = append(parts, k+"="+truncate(v, 40))
	}
	return strings.Join(parts, " ")
}

func runAlertsShow(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("alerts show", "picket alerts show [flags] ID", "Show one alert: its rule, group, counts, evidence and history.", stderr)
	var sf storeFlags
	sf.register(fs)
	var rf remoteFlags
	rf.register(fs)
	ids, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(ids) != 1 || !sf.check("alerts show", stderr) {
		fmt.Fprintln(stderr, "picket alerts show: give one alert ID")
		return ExitUsage
	}
	m, done, code := openBackend(ctx, "alerts show", &sf, &rf, stderr)
	if m == nil {
		return code
	}
	defer done()
	al, err := m.Get(ctx, ids[0])
	if err != nil {
		return alertError(stderr, "alerts show", err)
	}
	if sf.format == "jsonl" {
		json.NewEncoder(stdout).Encode(al)
		return ExitOK
	}
	fmt.Fprintf(stdout, "alert %s: %s\n", al.ID, al.Status)
	fmt.Fprintf(stdout, "  rule      %s (%s) %s\n", al.RuleTitle, al.RuleID, al.Level)
	fmt.Fprintf(stdout, "  tags      %s\n", strings.Join(al.Tags, ", "))
	fmt.Fprintf(stdout, "  group     %s\n", groupText(al.Group))
	fmt.Fprintf(stdout, "  seen      %d times, %s .. %s\n", al.Count, al.FirstSeen.Format(time.RFC3339), al.LastSeen.Format(time.RFC3339))
	if al.Silenced {
		fmt.Fprintf(stdout, "  silenced  by %s\n", strings.Join(al.SilenceIDs, ", "))
	}
	fmt.Fprintln(stdout, "  evidence:")
	for _, e := range al.Evidence {
		fmt.Fprintf(stdout, "    %s  event %s  %s\n", e.EventTime.Format(time.RFC3339), e.EventID, e.Source)
	}
	if al.EvidenceOmitted > 0 {
		fmt.Fprintf(stdout, "    … and %d more detections\n", al.EvidenceOmitted)
	}
	fmt.Fprintln(stdout, "  history:")
	for _, c := range al.History {
		fmt.Fprintf(stdout, "    %s  %s by %s", c.At.Format(time.RFC3339), c.Action, c.Actor)
		if c.Comment != "" {
			fmt.Fprintf(stdout, ": %s", c.Comment)
		}
		fmt.Fprintln(stdout)
	}
	return ExitOK
}

func runAlertsTransition(ctx context.Context, verb string, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("alerts "+verb, "picket alerts "+verb+" [flags] ID...", "Change the status of alerts; the change is recorded with who and when.", stderr)
	var sf storeFlags
	sf.register(fs)
	var rf remoteFlags
	rf.register(fs)
	comment := fs.String("comment", "", "why (recorded in the alert's history)")
	who := fs.String("actor", "", "who does it (default: $USER)")
	ids, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(ids) == 0 || !sf.check("alerts "+verb, stderr) {
		fmt.Fprintf(stderr, "picket alerts %s: give one or more alert IDs\n", verb)
		return ExitUsage
	}
	m, done, code := openBackend(ctx, "alerts "+verb, &sf, &rf, stderr)
	if m == nil {
		return code
	}
	defer done()
	fn := map[string]func(context.Context, string, string, string) (*alert.Alert, error){
		"ack": m.Acknowledge, "resolve": m.Resolve, "reopen": m.Reopen,
	}[verb]
	exit := ExitOK
	for _, id := range ids {
		al, err := fn(ctx, id, actor(*who), *comment)
		if err != nil {
			exit = alertError(stderr, "alerts "+verb, err)
			continue
		}
		fmt.Fprintf(stdout, "%s %s\n", al.ID, al.Status)
	}
	return exit
}

// alertError prints an alert operation error and maps it to an exit code.
func alertError(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "picket %s: %v\n", cmd, err)
	if errors.Is(err, alert.ErrNotFound) || errors.Is(err, alert.ErrInvalidTransition) || errors.Is(err, alert.ErrInvalid) {
		return ExitUsage
	}
	return ExitInput
}
