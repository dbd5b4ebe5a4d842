package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"picket/internal/alert"
)

func runSilence(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	usage := "Usage: picket silence <add|list|expire> [flags]\n\n" +
		"  add      silence alerts matching --match FIELD=VALUE (also !=, =~, !~) until --expires\n" +
		"  list     silences (active ones; --all for expired too)\n" +
		"  expire   end silences now: picket silence expire ID..." +
		"\n\nWith --server URL (token: --token or $PICKET_TOKEN) they use a running server's API instead of the store."
	return dispatch("silence", usage, args, stdout, stderr,
		subcommand{"add", func(a []string) int { return runSilenceAdd(ctx, a, stdout, stderr) }},
		subcommand{"list", func(a []string) int { return runSilenceList(ctx, a, stdout, stderr) }},
		subcommand{"expire", func(a []string) int { return runSilenceExpire(ctx, a, stdout, stderr) }},
	)
}

func runSilenceAdd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("silence add", "picket silence add --match FIELD=VALUE... --comment TEXT --expires DURATION|TIME [flags]",
		"Silence the alerts matching every --match: they are still stored and counted, only their\n"+
			"notifications are suppressed. Fields: rule_id, tag, level, source, account, logsource,\n"+
			"group.NAME. Author, comment and expiry are mandatory. --preview lists the recent alerts\n"+
			"the silence would match without creating it.", stderr)
	var sf storeFlags
	sf.register(fs)
	var rf remoteFlags
	rf.register(fs)
	var matches stringList
	fs.Var(&matches, "match", "matcher FIELD=VALUE (or !=, =~, !~ with an anchored RE2 regexp); repeatable, all must match")
	comment := fs.String("comment", "", "why (required)")
	who := fs.String("author", "", "who (default: $USER)")
	expires := fs.String("expires", "", "how long from now (e.g. 2h, 72h) or until an RFC 3339 time (required)")
	preview := fs.Bool("preview", false, "show the alerts of the last 7 days it would match, and do not create it")
	if _, err := parseArgs(fs, args); err != nil {
		return flagExit(err)
	}
	if !sf.check("silence add", stderr) {
		return ExitUsage
	}
	now := time.Now()
	s := alert.Silence{Author: actor(*who), Comment: *comment, StartsAt: now}
	for _, m := range matches {
		mt, err := alert.ParseMatcher(m)
		if err != nil {
			fmt.Fprintf(stderr, "picket silence add: %v\n", err)
			return ExitUsage
		}
		s.Matchers = append(s.Matchers, mt)
	}
	if d, err := time.ParseDuration(*expires); err == nil {
		s.EndsAt = now.Add(d)
	} else if t, err := time.Parse(time.RFC3339, *expires); err == nil {
		s.EndsAt = t
	} else if *expires != "" {
		fmt.Fprintf(stderr, "picket silence add: --expires %q: want a duration such as 2h or an RFC 3339 time\n", *expires)
		return ExitUsage
	}
	m, done, code := openBackend(ctx, "silence add", &sf, &rf, stderr)
	if m == nil {
		return code
	}
	defer done()
	if *preview {
		alerts, err := m.PreviewSilence(ctx, s, now.Add(-7*24*time.Hour))
		if err != nil {
			return alertError(stderr, "silence add", err)
		}
		for _, al := range alerts {
			fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\n", al.ID, al.Status, al.Level, al.RuleTitle)
		}
		fmt.Fprintf(stdout, "%d recent alerts would be silenced\n", len(alerts))
		return ExitOK
	}
	created, err := m.AddSilence(ctx, s)
	if err != nil {
		return alertError(stderr, "silence add", err)
	}
	if sf.format == "jsonl" {
		json.NewEncoder(stdout).Encode(created)
		return ExitOK
	}
	fmt.Fprintf(stdout, "silence %s until %s\n", created.ID, created.EndsAt.Format(time.RFC3339))
	return ExitOK
}

func runSilenceList(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("silence list", "picket silence list [flags]", "List silences.", stderr)
	var sf storeFlags
	sf.register(fs)
	var rf remoteFlags
	rf.register(fs)
	all := fs.Bool("all", false, "include expired silences")
	if _, err := parseArgs(fs, args); err != nil {
		return flagExit(err)
	}
	if !sf.check("silence list", stderr) {
		return ExitUsage
	}
	m, done, code := openBackend(ctx, "silence list", &sf, &rf, stderr)
	if m == nil {
		return code
	}
	defer done()
	ss, err := m.Silences(ctx, !*all)
	if err != nil {
		return alertError(stderr, "silence list", err)
	}
	if sf.format == "jsonl" {
		enc := json.NewEncoder(stdout)
		for _, s := range ss {
			enc.Encode(s)
		}
		return ExitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tENDS\tAUTHOR\tMATCHERS\tCOMMENT")
	for _, s := range ss {
		var ms []string
		for _, m := range s.Matchers {
			ms = append(ms, m.String())
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.ID, s.EndsAt.Format(time.RFC3339), s.Author, strings.Join(ms, " "), truncate(s.Comment, 50))
	}
	tw.Flush()
	return ExitOK
}

func runSilenceExpire(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("silence expire", "picket silence expire [flags] ID...", "End silences now.", stderr)
	var sf storeFlags
	sf.register(fs)
	var rf remoteFlags
	rf.register(fs)
	who := fs.String("actor", "", "who (default: $USER)")
	ids, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(ids) == 0 {
		fmt.Fprintln(stderr, "picket silence expire: give one or more silence IDs")
		return ExitUsage
	}
	m, done, code := openBackend(ctx, "silence expire", &sf, &rf, stderr)
	if m == nil {
		return code
	}
	defer done()
	exit := ExitOK
	for _, id := range ids {
		if err := m.ExpireSilence(ctx, id, actor(*who)); err != nil {
			exit = alertError(stderr, "silence expire", err)
			continue
		}
		fmt.Fprintf(stdout, "silence %s expired\n", id)
	}
	return exit
}
