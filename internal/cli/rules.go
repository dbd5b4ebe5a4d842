package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"picket/internal/rule"
	"picket/internal/rule/sigma"
)

func runRules(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return dispatch("rules", "Usage: picket rules <lint|list|test> [flags]\n\n"+
		"  lint   check Sigma rule files and report every problem as file:line:col: message\n"+
		"  list   list the built-in rules and the rules of --rules paths\n"+
		"  test   run the tests that live beside rules (name.test.yml)", args, stdout, stderr,
		subcommand{"lint", func(a []string) int { return runRulesLint(ctx, a, stdout, stderr) }},
		subcommand{"list", func(a []string) int { return runRulesList(ctx, a, stdout, stderr) }},
		subcommand{"test", func(a []string) int { return runRulesTest(ctx, a, stdout, stderr) }},
	)
}

func runRulesLint(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("rules lint", "picket rules lint [flags] [PATH...]",
		"Check Sigma rule files or directories (recursively) and print every problem as\n"+
			"file:line:col: message. Without PATH, lint the built-in rule pack.\n"+
			"Exit status: 0 when no errors, 1 on errors, 2 on usage errors.", stderr)
	var rf ruleFlags
	rf.register(fs, false)
	quiet := fs.Bool("no-warnings", false, "print errors only")
	paths, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	rf.paths = paths
	builtinToo := len(paths) == 0
	set, diags, files, err := rf.load(builtinToo)
	if err != nil {
		fmt.Fprintf(stderr, "picket rules lint: %v\n", err)
		return ExitUsage
	}
	for _, d := range diags {
		if d.Severity == rule.SeverityWarning && *quiet {
			continue
		}
		fmt.Fprintln(stdout, d.String())
	}
	errs, warns := len(diags.Errors()), len(diags.Warnings())
	fmt.Fprintf(stdout, "%d files, %d rules loaded: %d %s, %d %s\n", files, len(set.Rules)+len(set.Filters),
		errs, plural(errs, "error", "errors"), warns, plural(warns, "warning", "warnings"))
	if errs > 0 {
		return ExitInput
	}
	return ExitOK
}

// ruleRow is one line of `rules list --format jsonl`.
type ruleRow struct {
	rule.Meta
	Kind      string      `json:"kind"`
	LogSource any         `json:"logsource"`
	Origin    rule.Origin `json:"origin"`
	Generate  bool        `json:"generate"`
	Enabled   bool        `json:"enabled"`
}

func runRulesList(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("rules list", "picket rules list [flags]",
		"List the built-in rules and the rules loaded from --rules paths, with their origin.", stderr)
	var rf ruleFlags
	rf.register(fs, true)
	format := fs.String("format", "table", "output format: table or jsonl")
	if _, err := parseArgs(fs, args); err != nil {
		return flagExit(err)
	}
	if *format != "table" && *format != "jsonl" {
		fmt.Fprintf(stderr, "picket rules list: --format must be table or jsonl, not %q\n", *format)
		return ExitUsage
	}
	set, diags, _, err := rf.load(true)
	if err != nil {
		fmt.Fprintf(stderr, "picket rules list: %v\n", err)
		return ExitUsage
	}
	if errs := diags.Errors(); len(errs) > 0 {
		fmt.Fprintln(stderr, errs.Error())
		fmt.Fprintf(stderr, "picket rules list: %d rule errors (rules with errors are not listed)\n", len(errs))
	}
	rules := append(append([]*sigma.Rule{}, set.Rules...), set.Filters...)
	sort.SliceStable(rules, func(i, j int) bool {
		if rules[i].Origin.Builtin != rules[j].Origin.Builtin {
			return rules[i].Origin.Builtin
		}
		return rules[i].Origin.File < rules[j].Origin.File
	})
	if *format == "jsonl" {
		enc := json.NewEncoder(stdout)
		for _, r := range rules {
			if err := enc.Encode(ruleRow{Meta: r.Meta, Kind: r.Kind.String(), LogSource: r.LogSource, Origin: r.Origin, Generate: r.Generate, Enabled: !r.Disabled}); err != nil {
				return ExitInput
			}
		}
		return ExitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tLEVEL\tKIND\tLOGSOURCE\tTITLE\tORIGIN")
	disabled := 0
	for _, r := range rules {
		kind := r.Kind.String()
		if r.Disabled {
			kind += " (disabled)"
			disabled++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", shortID(r.ID), r.Level, kind, logsourceText(r), truncate(r.Title, 70), r.Origin)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "%d rules, %d disabled\n", len(rules), disabled)
	return ExitOK
}

func logsourceText(r *sigma.Rule) string {
	var parts []string
	for _, s := range []string{r.LogSource.Product, r.LogSource.Service, r.LogSource.Category} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return "*"
	}
	return strings.Join(parts, "/")
}

func shortID(id string) string {
	if len(id) > 8 && id[8] == '-' {
		return id[:8]
	}
	return id
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
