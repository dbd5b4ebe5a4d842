package daemon

import (
	"fmt"
	"os"
	"strings"

	"picket/internal/config"
)

// DefaultWatch is the directory the default file source watches when none is given.
const DefaultWatch = "logs"

// Defaults returns the configuration picket runs on without a configuration file: SQLite
// (picket.db) in the working directory, the built-in rule pack, one file source reading the
// watch paths (DefaultWatch when none), and a stdout receiver taking every alert.
func Defaults(watch []string) (*config.Config, error) {
	if len(watch) == 0 {
		watch = []string{DefaultWatch}
	}
	var b strings.Builder
	b.WriteString("storage: {path: picket.db}\nrules: {builtin: true}\nsources:\n  - name: files\n    type: file\n    every: 10s\n    paths:\n")
	for _, w := range watch {
		fmt.Fprintf(&b, "      - %q\n", w)
	}
	b.WriteString("receivers:\n  - {name: console, type: stdout, format: text}\nroute:\n  receiver: console\n  group_by: [rule_id]\n  group_wait: 10s\n")
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	return config.Parse(wd+string(os.PathSeparator)+"(defaults)", []byte(b.String()), os.LookupEnv)
}

// WithWatch adds a file source named "watch" reading paths to cfg (the --watch flag).
func WithWatch(cfg *config.Config, paths []string) (*config.Config, error) {
	if len(paths) == 0 {
		return cfg, nil
	}
	var b strings.Builder
	b.WriteString("sources:\n  - name: watch\n    type: file\n    every: 10s\n    paths:\n")
	for _, w := range paths {
		fmt.Fprintf(&b, "      - %q\n", w)
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	extra, err := config.Parse(wd+string(os.PathSeparator)+"(--watch)", []byte(b.String()), os.LookupEnv)
	if err != nil {
		return nil, err
	}
	cfg.Sources = append(cfg.Sources, extra.Sources...)
	return cfg, nil
}
