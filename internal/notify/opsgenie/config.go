package opsgenie

import (
	"errors"
	"fmt"

	"picket/internal/config"
	"picket/internal/notify/httpx"
)

// Opsgenie API base URLs by region.
const (
	USURL = "https://api.opsgenie.com"
	EUURL = "https://api.eu.opsgenie.com"
)

// Config configures an Opsgenie receiver (the Alert API with an API integration key).
type Config struct {
	// APIKey is the API integration key (or read from APIKeyFile), sent as "GenieKey <key>".
	APIKey     config.Secret `yaml:"api_key"`
	APIKeyFile string        `yaml:"api_key_file"`
	// Region selects the API: "us" (default) or "eu".
	Region string `yaml:"region"`
	// APIURL overrides the region's base URL (a proxy, tests).
	APIURL string `yaml:"api_url"`
	// Tags are added to every alert's tags.
	Tags []string `yaml:"tags"`
	// Message and Description override the default templates (Go text/template over httpx.Data
	// of one alert); the message is cut at 130 characters, the description at 15000.
	Message     string `yaml:"message"`
	Description string `yaml:"description"`
}

// DefaultConfig returns the defaults: the US region, the built-in templates.
func DefaultConfig() Config { return Config{Region: "us"} }

// Validate reports every problem of c at once. It reads no file and makes no network call.
func (c Config) Validate() error {
	var errs []error
	if err := httpx.CheckSecret("api_key", c.APIKey, c.APIKeyFile, true); err != nil {
		errs = append(errs, err)
	}
	if c.Region != "us" && c.Region != "eu" {
		errs = append(errs, fmt.Errorf("region: %q is not us or eu", c.Region))
	}
	if c.APIURL != "" {
		if err := httpx.CheckURL("api_url", c.APIURL); err != nil {
			errs = append(errs, err)
		}
	}
	if _, _, err := c.templates(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// baseURL returns the API base URL.
func (c Config) baseURL() string {
	switch {
	case c.APIURL != "":
		return c.APIURL
	case c.Region == "eu":
		return EUURL
	}
	return USURL
}

func resolveKey(c Config) (string, error) {
	s, err := config.ResolveSecret("api_key", c.APIKey, c.APIKeyFile, true)
	if err != nil {
		return "", err
	}
	return s.Reveal(), nil
}
