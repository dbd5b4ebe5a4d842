package stdout

import (
	"errors"
	"fmt"
)

// Config configures a stdout receiver.
type Config struct {
	// Stream is "stdout" (default) or "stderr"; a WithWriter option overrides it.
	Stream string `yaml:"stream"`
	// Format is json (default: the webhook's version 1 body, one line per notification) or
	// text (one readable line per alert, for a terminal).
	Format string `yaml:"format"`
}

// DefaultConfig returns the defaults: standard output.
func DefaultConfig() Config { return Config{Stream: "stdout", Format: "json"} }

// Validate reports the problems of c.
func (c Config) Validate() error {
	var errs []error
	if c.Stream != "stdout" && c.Stream != "stderr" {
		errs = append(errs, fmt.Errorf("stream: %q is not stdout or stderr", c.Stream))
	}
	if c.Format != "" && c.Format != "json" && c.Format != "text" {
		errs = append(errs, fmt.Errorf("format: %q is not json or text", c.Format))
	}
	return errors.Join(errs...)
}
