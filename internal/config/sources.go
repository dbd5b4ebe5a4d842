package config

import (
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Schedule says when a source polls or a job runs: every interval, or on a cron expression
// (five fields, in TimeZone), with a random jitter added to each run.
type Schedule struct {
	Every    time.Duration
	Cron     string
	TimeZone string
	Jitter   time.Duration
	// CatchUp runs a cron job once after downtime for the runs it missed (default true).
	CatchUp *bool
}

// Integration is one source or job: a name, a type, its schedule and the type's own settings
// (decoded strictly by the type's package when it is built).
type Integration struct {
	Name     string
	Type     string
	Schedule Schedule
	// Settings holds the remaining keys, for the type to decode strictly.
	Settings yaml.Node
	// Line is where the entry is defined.
	Line int
}

// Source is one entry of `sources`.
type Source struct{ Integration }

// Job is one entry of `jobs`.
type Job struct{ Integration }

// UnmarshalYAML reads the common keys and keeps the others as the type's settings.
func (s *Source) UnmarshalYAML(n *yaml.Node) error { return s.Integration.unmarshal(n, "source") }

// UnmarshalYAML reads the common keys and keeps the others as the type's settings.
func (j *Job) UnmarshalYAML(n *yaml.Node) error { return j.Integration.unmarshal(n, "job") }

func (it *Integration) unmarshal(n *yaml.Node, what string) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a %s is a mapping", n.Line, what)
	}
	it.Line = n.Line
	it.Settings = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "name":
			it.Name = v.Value
		case "type":
			it.Type = v.Value
		case "every":
			err = v.Decode(&it.Schedule.Every)
		case "cron":
			it.Schedule.Cron = v.Value
		case "timezone":
			it.Schedule.TimeZone = v.Value
		case "jitter":
			err = v.Decode(&it.Schedule.Jitter)
		case "catch_up":
			var b bool
			err = v.Decode(&b)
			it.Schedule.CatchUp = &b
		default:
			it.Settings.Content = append(it.Settings.Content, k, v)
		}
		if err != nil {
			return fmt.Errorf("line %d: %s: %s", v.Line, k.Value, cleanYAMLError(err))
		}
	}
	return nil
}

// Server configures the HTTP server of `picket run`: the API, the console, metrics and health.
type Server struct {
	// Listen is the address to listen on (default 127.0.0.1:8089). Any address other than a
	// loopback one requires authentication: at least one token or user.
	Listen string `yaml:"listen"`
	// Disabled turns the server off.
	Disabled bool `yaml:"disabled"`
	// Tokens are API bearer tokens, stored hashed: `picket server hash-token` prints the line.
	Tokens []Token `yaml:"tokens"`
	// Users may log in to the console, with a hashed password (`picket server hash-password`).
	Users []User `yaml:"users"`
	// TLSCertFile and TLSKeyFile serve HTTPS when both are set.
	TLSCertFile string `yaml:"tls_cert_file"`
	TLSKeyFile  string `yaml:"tls_key_file"`
	// SessionTTL is how long a console login lasts (default 12h).
	SessionTTL time.Duration `yaml:"session_ttl"`
}

// Token is one API bearer token, as the hex SHA-256 of the token.
type Token struct {
	Name   string `yaml:"name"`
	SHA256 string `yaml:"sha256"`
}

// User is one console user with a password hash.
type User struct {
	Name         string `yaml:"name"`
	PasswordHash string `yaml:"password_hash"`
}

// DefaultListen is the server's default address: loopback only.
const DefaultListen = "127.0.0.1:8089"

// Logging configures picket's own logs.
type Logging struct {
	// Level is debug, info (default), warn or error.
	Level string `yaml:"level"`
	// Format is text, json, or auto (default: text on a terminal, JSON otherwise).
	Format string `yaml:"format"`
}

// cleanYAMLError drops the "yaml: " prefixes of a decoding error.
func cleanYAMLError(err error) string {
	return strings.ReplaceAll(err.Error(), "yaml: ", "")
}

// validateIntegrations checks what the configuration itself knows of sources, jobs, the server
// and logging; each type's settings are checked by its package when it is built.
func (c *Config) validateIntegrations() []error {
	var errs []error
	check := func(kind string, its []Integration) {
		seen := map[string]bool{}
		for _, it := range its {
			switch {
			case it.Name == "":
				errs = append(errs, fmt.Errorf("%s:%d: %s without a name", c.file, it.Line, kind))
			case seen[it.Name]:
				errs = append(errs, fmt.Errorf("%s:%d: %s %q defined twice", c.file, it.Line, kind, it.Name))
			case it.Type == "":
				errs = append(errs, fmt.Errorf("%s:%d: %s %q has no type", c.file, it.Line, kind, it.Name))
			}
			seen[it.Name] = true
			s := it.Schedule
			if s.Every < 0 || s.Jitter < 0 {
				errs = append(errs, fmt.Errorf("%s:%d: %s %q: every and jitter must not be negative", c.file, it.Line, kind, it.Name))
			}
			if s.Every > 0 && s.Cron != "" {
				errs = append(errs, fmt.Errorf("%s:%d: %s %q: set every or cron, not both", c.file, it.Line, kind, it.Name))
			}
		}
	}
	srcs := make([]Integration, len(c.Sources))
	for i := range c.Sources {
		srcs[i] = c.Sources[i].Integration
	}
	jobs := make([]Integration, len(c.Jobs))
	for i := range c.Jobs {
		jobs[i] = c.Jobs[i].Integration
	}
	check("source", srcs)
	check("job", jobs)
	switch c.Logging.Level {
	case "", "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("%s: logging.level must be debug, info, warn or error, not %q", c.file, c.Logging.Level))
	}
	switch c.Logging.Format {
	case "", "auto", "text", "json":
	default:
		errs = append(errs, fmt.Errorf("%s: logging.format must be auto, text or json, not %q", c.file, c.Logging.Format))
	}
	if (c.Server.TLSCertFile == "") != (c.Server.TLSKeyFile == "") {
		errs = append(errs, fmt.Errorf("%s: server: set both tls_cert_file and tls_key_file, or neither", c.file))
	}
	return errs
}

// ListenAddr returns the server's address, the default when unset.
func (s Server) ListenAddr() string {
	if s.Listen == "" {
		return DefaultListen
	}
	return s.Listen
}
