package teams

import (
	"errors"

	"picket/internal/config"
	"picket/internal/notify/httpx"
)

// Config configures a Microsoft Teams receiver (a Workflows "post to a channel when a webhook
// request is received" trigger).
type Config struct {
	// WebhookURL is the workflow trigger URL; its sig query parameter is the credential, so it
	// is a secret (or read from WebhookURLFile).
	WebhookURL     config.Secret `yaml:"webhook_url"`
	WebhookURLFile string        `yaml:"webhook_url_file"`
	// Title and Text override the default templates (Go text/template over httpx.Data); Text is
	// rendered in a TextBlock, which supports a Markdown subset.
	Title string `yaml:"title"`
	Text  string `yaml:"text"`
}

// DefaultConfig returns the defaults: the built-in templates.
func DefaultConfig() Config { return Config{} }

// Validate reports every problem of c at once. It reads no file and makes no network call.
func (c Config) Validate() error {
	var errs []error
	if err := httpx.CheckSecret("webhook_url", c.WebhookURL, c.WebhookURLFile, true); err != nil {
		errs = append(errs, err)
	} else if c.WebhookURL != "" {
		if err := httpx.CheckURL("webhook_url", c.WebhookURL.Reveal()); err != nil {
			errs = append(errs, err)
		}
	}
	if _, _, err := c.templates(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
