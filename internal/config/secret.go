package config

import (
	"fmt"
	"os"
	"strings"
)

// Secret is a configuration value that must never be shown: it prints, marshals and logs as
// <redacted>. Reveal returns the value for the one place that uses it.
type Secret string

// String implements fmt.Stringer with the redacted form.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "<redacted>"
}

// GoString redacts %#v as well.
func (s Secret) GoString() string { return s.String() }

// MarshalText redacts the value in JSON, YAML and text output.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalYAML redacts the value in YAML output.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// ResolveSecret returns the secret given inline (usually through ${ENV}) or read from file (a
// `*_file` key; trailing newlines trimmed). Setting both is an error, and so is neither when
// required. name is the key, for messages (never the value).
func ResolveSecret(name string, inline Secret, file string, required bool) (Secret, error) {
	switch {
	case inline != "" && file != "":
		return "", fmt.Errorf("%s and %s_file are both set: choose one", name, name)
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("reading %s_file: %w", name, err)
		}
		return Secret(strings.TrimRight(string(b), "\r\n")), nil
	case inline == "" && required:
		return "", fmt.Errorf("%s is required (set it through ${ENV} or %s_file)", name, name)
	}
	return inline, nil
}
