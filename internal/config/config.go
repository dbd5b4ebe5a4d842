// Package config reads picket's configuration file: strict YAML (an unknown key is an error
// naming the file and line), `${ENV}` references expanded in values, paths relative to the file.
package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"picket/internal/notify/route"
)

// Config is the whole configuration file.
type Config struct {
	Rules     Rules      `yaml:"rules"`
	Storage   Storage    `yaml:"storage"`
	Alerts    Alerts     `yaml:"alerts"`
	Receivers []Receiver `yaml:"receivers"`
	// Routing is the notification routing tree (route), inhibition rules and time intervals.
	Routing route.Config `yaml:",inline"`
	// ConsoleURL is the web console's base URL, for links in notifications.
	ConsoleURL string `yaml:"console_url"`
	// Sources are the log sources `picket run` and `picket collect` read.
	Sources []Source `yaml:"sources"`
	// Jobs are scheduled jobs: digests, scheduled queries, retention.
	Jobs []Job `yaml:"jobs"`
	// Server is the HTTP server of `picket run` (API, console, metrics, health).
	Server Server `yaml:"server"`
	// Logging configures picket's own logs.
	Logging Logging `yaml:"logging"`
	// Notifications tunes delivery for every receiver.
	Notifications Notifications `yaml:"notifications"`
	// file is the path the configuration was read from.
	file string
}

// Rules selects and tunes rules.
type Rules struct {
	// Builtin loads picket's built-in pack (default true).
	Builtin *bool `yaml:"builtin"`
	// Paths are Sigma rule files or directories to load, relative to the configuration file.
	Paths []string `yaml:"paths"`
	// DisabledIDs are rule ids or names that are not evaluated.
	DisabledIDs []string `yaml:"disabled_ids"`
	// DisabledTags disables every rule carrying one of these tags (e.g. attack.discovery).
	DisabledTags []string `yaml:"disabled_tags"`
	// LevelOverrides sets the level of rules by id or name.
	LevelOverrides map[string]string `yaml:"level_overrides"`
	// Placeholders gives the values of %placeholders% used with the expand modifier.
	Placeholders map[string][]string `yaml:"placeholders"`
}

// Storage selects the store: one SQLite file (the default, `picket.db`) or a PostgreSQL
// database shared by several picket instances.
type Storage struct {
	// Path is the SQLite database file, relative to the configuration file.
	Path string `yaml:"path"`
	// URL is a PostgreSQL connection string (postgres://user@host:5432/db?sslmode=verify-full).
	// Put the password in ${ENV} or a .pgpass file, not in the configuration file.
	URL string `yaml:"url"`
}

// Alerts tunes how detections fold into alerts (zero values take the defaults of package alert).
type Alerts struct {
	// DedupWindow: detections of a rule (and group) fold into one alert within this event-time
	// window (default 24h).
	DedupWindow time.Duration `yaml:"dedup_window"`
	// GroupBy lists event fields whose values split every rule's alerts (dotted paths).
	GroupBy []string `yaml:"group_by"`
	// RuleGroupBy overrides GroupBy per rule id.
	RuleGroupBy map[string][]string `yaml:"rule_group_by"`
	// Realert is the re-alert policy: mode fixed (default) or exponential, interval, max.
	Realert Realert `yaml:"realert"`
	// AutoResolve resolves alerts of these rule ids ("*" for every rule, "@correlation" for
	// correlation rules) after this long without new detections.
	AutoResolve map[string]time.Duration `yaml:"auto_resolve"`
	// MaxEvidence caps the evidence references kept per alert (default 20).
	MaxEvidence int `yaml:"max_evidence"`
	// Retention prunes detections and alert evidence older than this (0 keeps everything).
	Retention time.Duration `yaml:"retention"`
}

// Notifications tunes the dispatcher and the router (zero values take the defaults).
type Notifications struct {
	// AttemptTimeout bounds one delivery attempt (default 30s).
	AttemptTimeout time.Duration `yaml:"attempt_timeout"`
	// Lease is how long a claimed notification stays reserved to one dispatcher; after a crash
	// in the middle of a send it is sent again (with the same idempotency key) once the lease
	// has expired (default 2m; must exceed attempt_timeout).
	Lease time.Duration `yaml:"lease"`
	// BackoffBase and BackoffMax bound the exponential back-off between attempts (1s, 10m).
	BackoffBase time.Duration `yaml:"backoff_base"`
	BackoffMax  time.Duration `yaml:"backoff_max"`
	// MaxEvents is how many evidence events each alert of a notification carries (default 5).
	MaxEvents int `yaml:"max_events"`
}

// Realert is the re-alert policy of alerts.
type Realert struct {
	Mode     string        `yaml:"mode"`
	Interval time.Duration `yaml:"interval"`
	Max      time.Duration `yaml:"max"`
}

// DefaultDatabase is the SQLite file used when the configuration names no store.
const DefaultDatabase = "picket.db"

// BuiltinEnabled reports whether the built-in pack is loaded.
func (r Rules) BuiltinEnabled() bool { return r.Builtin == nil || *r.Builtin }

// File returns the path the configuration was read from.
func (c *Config) File() string { return c.file }

// Load reads and validates a configuration file.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading configuration: %w", err)
	}
	return Parse(path, data, os.LookupEnv)
}

var (
	envRef   = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)
	envToken = regexp.MustCompile(`__PICKET_ENV_([A-Za-z_][A-Za-z0-9_]*?)__`)
)

// The token an ${ENV} reference becomes while the file is parsed.
const (
	envTokenPrefix = "__PICKET_ENV_"
	envTokenSuffix = "__"
)

// Parse decodes configuration data; name is the file name used in errors and for relative
// paths, lookup resolves ${ENV} references.
func Parse(name string, data []byte, lookup func(string) (string, bool)) (*Config, error) {
	// ${NAME} is replaced by a plain token before parsing, so that a reference is a valid YAML
	// scalar wherever it stands (`{password: ${SMTP_PASSWORD}}` included), then expanded in
	// the parsed values: a value can never inject YAML.
	data = envRef.ReplaceAll(data, []byte(envTokenPrefix+"${1}"+envTokenSuffix))
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var errs []error
	expandEnv(&root, name, lookup, &errs)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	c := &Config{file: name}
	if len(root.Content) > 0 {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		// Decode the expanded node tree; KnownFields applies to Node.Decode through a decoder
		// only, so decode the original text for strictness and the node for values.
		var strict Config
		if err := dec.Decode(&strict); err != nil && !errors.Is(err, io.EOF) {
			// Only unknown keys matter here: values are checked when the expanded tree is
			// decoded below (an ${ENV} token is not yet a number, say).
			var te *yaml.TypeError
			if !errors.As(err, &te) {
				return nil, positioned(name, err)
			}
			var unknown []string
			for _, e := range te.Errors {
				if strings.Contains(e, " not found in type ") {
					unknown = append(unknown, e)
				}
			}
			if len(unknown) > 0 {
				return nil, positioned(name, &yaml.TypeError{Errors: unknown})
			}
		}
		if err := root.Decode(c); err != nil {
			return nil, positioned(name, err)
		}
	}
	c.file = name
	dir := filepath.Dir(name)
	for i, p := range c.Rules.Paths {
		if !filepath.IsAbs(p) {
			c.Rules.Paths[i] = filepath.Join(dir, p)
		}
	}
	if c.Storage.Path != "" && !filepath.IsAbs(c.Storage.Path) {
		c.Storage.Path = filepath.Join(dir, c.Storage.Path)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// expandEnv replaces ${NAME} in every scalar value; an unset variable is an error.
func expandEnv(n *yaml.Node, file string, lookup func(string) (string, bool), errs *[]error) {
	if n.Kind == yaml.ScalarNode && strings.Contains(n.Value, envTokenPrefix) {
		n.Value = envToken.ReplaceAllStringFunc(n.Value, func(m string) string {
			name := m[len(envTokenPrefix) : len(m)-len(envTokenSuffix)]
			v, ok := lookup(name)
			if !ok {
				*errs = append(*errs, fmt.Errorf("%s:%d:%d: environment variable %s is not set", file, n.Line, n.Column, name))
			}
			return v
		})
		if n.Style == 0 {
			n.Tag = "" // a plain scalar: resolve its type from the expanded value (port: ${PORT})
		}
	}
	for _, c := range n.Content {
		expandEnv(c, file, lookup, errs)
	}
}

var typeErrLine = regexp.MustCompile(`^line (\d+): (?:field (\S+) not found in type \S+|(.*))$`)

// positioned rewrites YAML decoding errors as `file:line: message`, one per problem.
func positioned(file string, err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return fmt.Errorf("%s: %s", file, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var errs []error
	for _, e := range te.Errors {
		m := typeErrLine.FindStringSubmatch(e)
		switch {
		case m == nil:
			errs = append(errs, fmt.Errorf("%s: %s", file, e))
		case m[2] != "":
			errs = append(errs, fmt.Errorf("%s:%s: unknown key %q", file, m[1], m[2]))
		default:
			errs = append(errs, fmt.Errorf("%s:%s: %s", file, m[1], m[3]))
		}
	}
	return errors.Join(errs...)
}

var levels = map[string]bool{"informational": true, "low": true, "medium": true, "high": true, "critical": true}

// Validate reports every problem at once.
func (c *Config) Validate() error {
	var errs []error
	for id, lv := range c.Rules.LevelOverrides {
		if !levels[lv] {
			errs = append(errs, fmt.Errorf("%s: rules.level_overrides.%s: unknown level %q (want informational, low, medium, high or critical)", c.file, id, lv))
		}
	}
	if c.Storage.Path != "" && c.Storage.URL != "" {
		errs = append(errs, fmt.Errorf("%s: storage: set path (SQLite) or url (PostgreSQL), not both", c.file))
	}
	if u := c.Storage.URL; u != "" && !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
		errs = append(errs, fmt.Errorf("%s: storage.url must be a postgres:// URL", c.file))
	}
	if m := c.Alerts.Realert.Mode; m != "" && m != "fixed" && m != "exponential" {
		errs = append(errs, fmt.Errorf("%s: alerts.realert.mode must be fixed or exponential, not %q", c.file, m))
	}
	if c.Alerts.DedupWindow < 0 || c.Alerts.Retention < 0 || c.Alerts.MaxEvidence < 0 {
		errs = append(errs, fmt.Errorf("%s: alerts: durations and max_evidence must not be negative", c.file))
	}
	receivers := map[string]bool{}
	for _, r := range c.Receivers {
		switch {
		case r.Name == "":
			errs = append(errs, fmt.Errorf("%s:%d: receiver without a name", c.file, r.Line))
		case receivers[r.Name]:
			errs = append(errs, fmt.Errorf("%s:%d: receiver %q defined twice", c.file, r.Line, r.Name))
		case r.Type == "":
			errs = append(errs, fmt.Errorf("%s:%d: receiver %q has no type", c.file, r.Line, r.Name))
		}
		receivers[r.Name] = true
	}
	for _, r := range c.Receivers {
		if f := r.Delivery.Fallback; f != "" && (!receivers[f] || f == r.Name) {
			errs = append(errs, fmt.Errorf("%s:%d: receiver %q: fallback %q is not another receiver", c.file, r.Line, r.Name, f))
		}
	}
	if c.Routing.Route != nil || len(c.Routing.InhibitRules) > 0 || len(c.Routing.TimeIntervals) > 0 {
		if c.Routing.Route == nil {
			errs = append(errs, fmt.Errorf("%s: inhibit_rules and time_intervals need a route", c.file))
		} else if err := c.Routing.Validate(receivers); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c.file, err))
		}
	}
	errs = append(errs, c.validateIntegrations()...)
	if n := c.Notifications; n.AttemptTimeout < 0 || n.Lease < 0 || n.BackoffBase < 0 || n.BackoffMax < 0 || n.MaxEvents < 0 {
		errs = append(errs, fmt.Errorf("%s: notifications: durations and max_events must not be negative", c.file))
	} else if attempt := cmp.Or(n.AttemptTimeout, 30*time.Second); n.Lease > 0 && n.Lease <= attempt {
		errs = append(errs, fmt.Errorf("%s: notifications.lease must exceed attempt_timeout", c.file))
	}
	for name, vals := range c.Rules.Placeholders {
		if len(vals) == 0 {
			errs = append(errs, fmt.Errorf("%s: rules.placeholders.%s has no values", c.file, name))
		}
	}
	return errors.Join(errs...)
}
