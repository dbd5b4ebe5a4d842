package httpx

import (
	"errors"
	"fmt"
	"net/url"

	"picket/internal/config"
)

// CheckSecret validates a secret setting and its `*_file` alternative without reading the file
// (Validate does no I/O): at most one may be set, and one must be when required.
func CheckSecret(name string, inline config.Secret, file string, required bool) error {
	if inline != "" && file != "" {
		return fmt.Errorf("%s and %s_file are both set: choose one", name, name)
	}
	if inline == "" && file == "" && required {
		return fmt.Errorf("%s is required (set it through ${ENV} or %s_file)", name, name)
	}
	return nil
}

// CheckURL reports whether s is an absolute http or https URL. The error names the setting, never
// the value, which may hold a token.
func CheckURL(name, s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%s: not a valid URL", name)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%s: the scheme must be http or https", name)
	}
	if u.Host == "" {
		return fmt.Errorf("%s: the URL has no host", name)
	}
	return nil
}

// ResolveURL resolves a secret URL setting (inline or `*_file`) and checks it.
func ResolveURL(name string, inline config.Secret, file string) (string, error) {
	s, err := config.ResolveSecret(name, inline, file, true)
	if err != nil {
		return "", err
	}
	if err := CheckURL(name, s.Reveal()); err != nil {
		return "", err
	}
	return s.Reveal(), nil
}

// errNoTemplate is returned for templates that render nothing.
var errNoTemplate = errors.New("template rendered an empty string")
