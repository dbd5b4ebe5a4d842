package webhook

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"picket/internal/config"
	"picket/internal/notify/httpx"
)

// Config configures a webhook receiver.
type Config struct {
	// URL receives the POST; it may carry a token, so it is a secret (or read from URLFile).
	URL     config.Secret `yaml:"url"`
	URLFile string        `yaml:"url_file"`
	// Secret, when set (or read from SecretFile), signs each body: X-Picket-Signature is
	// "sha256=" and the hex HMAC-SHA256 of the exact body bytes under this key.
	Secret     config.Secret `yaml:"secret"`
	SecretFile string        `yaml:"secret_file"`
	// Headers are added to every request; values are secrets (an Authorization header, say).
	Headers map[string]config.Secret `yaml:"headers"`
	// InsecureSkipVerify disables TLS certificate verification. Off by default; only for test
	// peers with self-signed certificates.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
}

// DefaultConfig returns the defaults: TLS verification on, no signature, no extra header.
func DefaultConfig() Config { return Config{} }

// reservedHeaders are set by the notifier and may not be configured.
func reservedHeaders() []string {
	return []string{"Content-Type", "Content-Length", "Host", "Idempotency-Key", "X-Picket-Signature"}
}

// Validate reports every problem of c at once. It reads no file and makes no network call.
func (c Config) Validate() error {
	var errs []error
	if err := httpx.CheckSecret("url", c.URL, c.URLFile, true); err != nil {
		errs = append(errs, err)
	} else if c.URL != "" {
		if err := httpx.CheckURL("url", c.URL.Reveal()); err != nil {
			errs = append(errs, err)
		}
	}
	if err := httpx.CheckSecret("secret", c.Secret, c.SecretFile, false); err != nil {
		errs = append(errs, err)
	}
	for name, v := range c.Headers {
		switch {
		case !validHeaderName(name):
			errs = append(errs, fmt.Errorf("headers: %q is not a valid header name", name))
		case isReserved(name):
			errs = append(errs, fmt.Errorf("headers: %s is set by picket and cannot be configured", http.CanonicalHeaderKey(name)))
		case strings.ContainsAny(v.Reveal(), "\r\n\x00"):
			errs = append(errs, fmt.Errorf("headers: the value of %s contains a line break", http.CanonicalHeaderKey(name)))
		}
	}
	return errors.Join(errs...)
}

func isReserved(name string) bool {
	for _, r := range reservedHeaders() {
		if strings.EqualFold(name, r) {
			return true
		}
	}
	return false
}

// validHeaderName reports whether name is an RFC 9110 token.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("!#$%&'*+-.^_`|~", r):
		default:
			return false
		}
	}
	return true
}
