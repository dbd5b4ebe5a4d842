package stdout

import "fmt"

// Config configures a stdout receiver.
type Config struct {
	// Stream is "stdout" (default) or "stderr"; a WithWriter option overrides it.
	Stream string `yaml:"stream"`
}

// DefaultConfig returns the defaults: standard output.
func DefaultConfig() Config { return Config{Stream: "stdout"} }

// Validate reports the problems of c.
func (c Config) Validate() error {
	if c.Stream != "stdout" && c.Stream != "stderr" {
		return fmt.Errorf("stream: %q is not stdout or stderr", c.Stream)
	}
	return nil
}
