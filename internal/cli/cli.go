// Package cli implements picket's command line: one file per command, each parsing its own flags
// and returning an exit code.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"picket/internal/version"
)

// Exit codes shared by every command.
const (
	ExitOK        = 0
	ExitInput     = 1 // input could not be read (scan), or lint/test found problems
	ExitUsage     = 2 // bad usage, configuration or rules
	ExitDetection = 3 // scan --fail-on-detection found something
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"run", "run picket as a service: sources, rules, alerts, notifications, jobs, API and console", runRun},
		{"scan", "evaluate rules over log files and print detections", runScan},
		{"collect", "poll every source once, detect, store and notify, then exit (collect --once)", runCollect},
		{"rules", "lint, list and test rules (rules lint|list|test)", runRules},
		{"explain", "show why a rule did or did not match an event", runExplain},
		{"alerts", "list, show, acknowledge, resolve and reopen alerts", runAlerts},
		{"detections", "list stored detections", runDetections},
		{"silence", "add, list and expire silences", runSilence},
		{"routes", "show which receivers an alert would reach (routes test)", runRoutes},
		{"notify", "test receivers and manage the notification outbox (notify test|status|list|retry)", runNotify},
		{"config", "validate a configuration or print a commented sample (config validate|sample)", runConfig},
		{"db", "create or upgrade the store's schema and apply retention (db migrate|prune)", runDB},
		{"server", "create API tokens and console password hashes (server hash-token|hash-password)", runServer},
		{"healthcheck", "check that a running picket is healthy (for container health checks)", runHealthcheck},
		{"version", "print version information", runVersion},
	}
}

// Run executes the command line args (without the program name) and returns the exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return ExitUsage
	}
	switch args[0] {
	case "-h", "--help", "help":
		usage(stdout)
		return ExitOK
	case "--version", "-version":
		return runVersion(ctx, nil, stdout, stderr)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "picket: unknown command %q\n\n", args[0])
	usage(stderr)
	return ExitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "picket — security monitoring of cloud logs with Sigma rules")
	fmt.Fprintln(w, "\nUsage:\n  picket <command> [flags] [arguments]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'picket <command> --help' for the flags of a command.")
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version", "picket version", "Print the version, VCS revision and Go version of this binary.", stderr)
	if _, err := parseArgs(fs, args); err != nil {
		return flagExit(err)
	}
	fmt.Fprintln(stdout, version.Get())
	return ExitOK
}

// newFlagSet returns a flag set whose --help prints a usage line, a description and the flags.
func newFlagSet(name, use, desc string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s\n\n%s\n", use, desc)
		var any bool
		fs.VisitAll(func(*flag.Flag) { any = true })
		if any {
			fmt.Fprintln(fs.Output(), "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseArgs parses flags that may appear before, between or after positional arguments; "--" ends
// the flags.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// flagExit maps a flag parsing error to an exit code (help is success).
func flagExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	return ExitUsage
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// subcommand is one subcommand of a command group (picket alerts list, picket db migrate, …).
type subcommand struct {
	name string
	run  func(args []string) int
}

// dispatch runs the subcommand args[0] of the command group name with the rest of args.
// -h/--help prints usage to stdout (exit 0); no subcommand, or an unknown one, prints it to
// stderr (exit 2).
func dispatch(name, usage string, args []string, stdout, stderr io.Writer, subs ...subcommand) int {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprintln(stdout, usage)
		return ExitOK
	}
	if len(args) > 0 {
		for _, s := range subs {
			if s.name == args[0] {
				return s.run(args[1:])
			}
		}
		fmt.Fprintf(stderr, "picket %s: unknown subcommand %q\n\n", name, args[0])
	}
	fmt.Fprintln(stderr, usage)
	return ExitUsage
}
