package pagerduty

import (
	"errors"

	"picket/internal/config"
	"picket/internal/notify/httpx"
)

// DefaultURL is the Events API v2 endpoint.
const DefaultURL = "https://events.pagerduty.com/v2/enqueue"

// Config configures a PagerDuty receiver (an Events API v2 integration).
type Config struct {
	// RoutingKey is the integration key of the service or ruleset (or read from RoutingKeyFile).
	RoutingKey     config.Secret `yaml:"routing_key"`
	RoutingKeyFile string        `yaml:"routing_key_file"`
	// URL is the Events API endpoint; change it only for a proxy or tests.
	URL string `yaml:"url"`
	// Source overrides payload.source, which defaults to the alert's picket source name.
	Source string `yaml:"source"`
	// Client names the sender in PagerDuty.
	Client string `yaml:"client"`
	// Summary overrides the summary template (Go text/template over httpx.Data of one alert);
	// PagerDuty truncates nothing, picket cuts it at 1024 characters.
	Summary string `yaml:"summary"`
}

// DefaultConfig returns the defaults: the public endpoint, client "picket".
func DefaultConfig() Config { return Config{URL: DefaultURL, Client: "picket"} }

// Validate reports every problem of c at once. It reads no file and makes no network call.
func (c Config) Validate() error {
	var errs []error
	if err := httpx.CheckSecret("routing_key", c.RoutingKey, c.RoutingKeyFile, true); err != nil {
		errs = append(errs, err)
	}
	if c.URL == "" {
		errs = append(errs, errors.New("url is required"))
	} else if err := httpx.CheckURL("url", c.URL); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.template(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func resolveKey(c Config) (string, error) {
	s, err := config.ResolveSecret("routing_key", c.RoutingKey, c.RoutingKeyFile, true)
	if err != nil {
		return "", err
	}
	return s.Reveal(), nil
}
