package email

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strings"
	"time"

	"picket/internal/config"
)

// TLSMode says how the connection to the SMTP server is protected.
type TLSMode string

// TLS modes.
const (
	// TLSStartTLS upgrades a plain connection with STARTTLS and refuses a server without it.
	TLSStartTLS TLSMode = "starttls"
	// TLSImplicit speaks TLS from the first byte (SMTPS, usually port 465).
	TLSImplicit TLSMode = "implicit"
	// TLSNone sends in clear text; allowed only to a server on the loopback interface.
	TLSNone TLSMode = "none"
)

// Auth mechanisms.
const (
	AuthPlain = "plain"
	AuthLogin = "login"
)

// Default ports.
const (
	DefaultPort         = 587
	DefaultImplicitPort = 465
)

// Config configures one email receiver.
type Config struct {
	SMTP SMTPConfig `yaml:"smtp"`
	// From is the sender address (envelope and header), e.g. "picket <picket@example.com>".
	From string `yaml:"from"`
	// To and CC list the recipients; To needs at least one.
	To []string `yaml:"to"`
	CC []string `yaml:"cc"`
	// Subject, Text and HTML override the embedded default templates (Go text/template for
	// Subject and Text, html/template for HTML). Empty means the default.
	Subject string `yaml:"subject"`
	Text    string `yaml:"text"`
	HTML    string `yaml:"html"`
	Digest  Digest `yaml:"digest"`
}

// SMTPConfig is the submission server and its credentials.
type SMTPConfig struct {
	Host string `yaml:"host"`
	// Port defaults to 587 (465 when TLS is implicit).
	Port     int    `yaml:"port"`
	Username string `yaml:"username"`
	// Password is set through ${ENV}; PasswordFile names a file holding it. At most one.
	Password     config.Secret `yaml:"password"`
	PasswordFile string        `yaml:"password_file"`
	// Auth is the SASL mechanism used when Username is set: plain (default) or login.
	Auth string  `yaml:"auth"`
	TLS  TLSMode `yaml:"tls"`
	// InsecureSkipVerify disables certificate verification (testing only).
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
	// Timeout bounds connecting and each SMTP command.
	Timeout time.Duration `yaml:"timeout"`
}

// Digest bounds how many alerts one email lists in full.
type Digest struct {
	// MaxAlerts is the number of alerts shown; the rest are counted ("and N more").
	MaxAlerts int `yaml:"max_alerts"`
}

// DefaultConfig returns the defaults that a receiver's YAML overrides.
func DefaultConfig() Config {
	return Config{
		SMTP: SMTPConfig{
			TLS:     TLSStartTLS,
			Auth:    AuthPlain,
			Timeout: 30 * time.Second,
		},
		Digest: Digest{MaxAlerts: 20},
	}
}

// port returns the configured port or the default for the TLS mode.
func (s SMTPConfig) port() int {
	switch {
	case s.Port != 0:
		return s.Port
	case s.TLS == TLSImplicit:
		return DefaultImplicitPort
	}
	return DefaultPort
}

// Validate reports every problem of the configuration at once. It does not read PasswordFile.
func (c Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	s := c.SMTP
	if s.Host == "" {
		add("smtp.host is required")
	}
	if s.Port < 0 || s.Port > 65535 {
		add("smtp.port %d is out of range", s.Port)
	}
	switch s.TLS {
	case TLSStartTLS, TLSImplicit:
	case TLSNone:
		if s.Host != "" && !isLoopback(s.Host) {
			add("smtp.tls: none is allowed only for localhost, 127.0.0.1 or ::1, not %q", s.Host)
		}
	default:
		add("smtp.tls %q is not one of starttls, implicit, none", s.TLS)
	}
	switch s.Auth {
	case AuthPlain, AuthLogin:
	default:
		add("smtp.auth %q is not one of plain, login", s.Auth)
	}
	hasPassword := s.Password != "" || s.PasswordFile != ""
	switch {
	case s.Password != "" && s.PasswordFile != "":
		add("smtp.password and smtp.password_file are both set: choose one")
	case s.Username != "" && !hasPassword:
		add("smtp.password is required with smtp.username (set it through ${ENV} or smtp.password_file)")
	case s.Username == "" && hasPassword:
		add("smtp.password is set without smtp.username")
	}
	if s.Timeout < 0 {
		add("smtp.timeout must not be negative")
	}

	if c.From == "" {
		add("from is required")
	} else if _, err := mail.ParseAddress(c.From); err != nil {
		add("from %q: %v", c.From, err)
	}
	if len(c.To) == 0 {
		add("to needs at least one address")
	}
	for i, a := range c.To {
		if _, err := mail.ParseAddress(a); err != nil {
			add("to[%d] %q: %v", i, a, err)
		}
	}
	for i, a := range c.CC {
		if _, err := mail.ParseAddress(a); err != nil {
			add("cc[%d] %q: %v", i, a, err)
		}
	}
	if c.Digest.MaxAlerts < 1 {
		add("digest.max_alerts must be at least 1")
	}
	if _, err := parseTemplates(c); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// isLoopback reports whether host names the local machine's loopback interface.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
