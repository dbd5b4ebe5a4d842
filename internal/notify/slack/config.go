package slack

import (
	"errors"
	"strings"

	"picket/internal/config"
	"picket/internal/notify/httpx"
)

// Config configures a Slack receiver (an incoming webhook).
type Config struct {
	// WebhookURL is the incoming webhook (https://hooks.slack.com/services/…): the URL is the
	// credential, so it is a secret (or read from WebhookURLFile).
	WebhookURL     config.Secret `yaml:"webhook_url"`
	WebhookURLFile string        `yaml:"webhook_url_file"`
	// Channel, Username and IconEmoji override the webhook's defaults; only legacy webhooks
	// honour them, Slack-app webhooks post as the app to their fixed channel.
	Channel   string `yaml:"channel"`
	Username  string `yaml:"username"`
	IconEmoji string `yaml:"icon_emoji"`
	// Title and Text override the default templates (Go text/template over httpx.Data): Title is
	// the header and the notification text, Text the body in Slack mrkdwn.
	Title string `yaml:"title"`
	Text  string `yaml:"text"`
}

// DefaultConfig returns the defaults: the built-in templates, the webhook's own channel.
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
	if c.IconEmoji != "" && (!strings.HasPrefix(c.IconEmoji, ":") || !strings.HasSuffix(c.IconEmoji, ":")) {
		errs = append(errs, errors.New("icon_emoji: want the :name: form"))
	}
	if _, _, err := c.templates(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
