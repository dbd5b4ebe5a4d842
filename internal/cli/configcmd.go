package cli

import (
	"context"
	_ "embed"
	"fmt"
	"io"

	"picket/internal/daemon"
)

//go:embed sample.yaml
var sampleConfig string

func runConfig(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return dispatch("config", "Usage: picket config validate [--config FILE] | picket config sample\n\n"+
		"  validate  check a configuration file completely (rules, receivers, routes, sources, jobs)\n"+
		"            without network calls; exit 0 when valid, 2 with every problem as file:line otherwise\n"+
		"  sample    print a commented example of every section", args, stdout, stderr,
		subcommand{"validate", func(a []string) int { return runConfigValidate(ctx, a, stdout, stderr) }},
		subcommand{"sample", func(a []string) int { return runConfigSample(a, stdout, stderr) }},
	)
}

func runConfigSample(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("config sample", "picket config sample", "Print a commented example configuration with every section.", stderr)
	if _, err := parseArgs(fs, args); err != nil {
		return flagExit(err)
	}
	fmt.Fprint(stdout, sampleConfig)
	return ExitOK
}

func runConfigValidate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("config validate", "picket config validate [--config FILE] [FILE...]",
		"Check configuration files completely without network calls: strict keys, ${ENV} references,\n"+
			"rules, receivers, routes, sources and jobs. Every problem is reported as file:line.", stderr)
	var f daemonFlags
	f.register(fs)
	files, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if f.config != "" {
		files = append([]string{f.config}, files...)
	}
	if len(files) == 0 {
		files = []string{""} // the embedded defaults
	}
	code := ExitOK
	for _, file := range files {
		f.config = file
		name := file
		if name == "" {
			name = "(embedded defaults)"
		}
		cfg, err := f.loadConfig()
		if err == nil {
			var sum daemon.Summary
			if sum, err = daemon.Check(ctx, cfg); err == nil {
				fmt.Fprintf(stdout, "%s: OK — %d rules (%d disabled), %d sources, %d receivers, %d jobs\n",
					name, sum.Rules, sum.Disabled, sum.Sources, sum.Receivers, sum.Jobs)
				continue
			}
		}
		fmt.Fprintf(stderr, "%v\n", err)
		fmt.Fprintf(stderr, "picket config validate: %s is not valid\n", name)
		code = ExitUsage
	}
	return code
}
