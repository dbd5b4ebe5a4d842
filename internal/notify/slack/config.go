package slack

import (
	"errors"
	"strings"

	"picket/internal/config"
	"picket/internal/notify/httpx"
)

// DefaultAPIURL is the base URL of Slack's Web API, used in bot mode.
const DefaultAPIURL = "https://slack.com/api"

// Config configures a Slack receiver: an incoming webhook (WebhookURL) or, in bot mode, a bot
// token (Token) posting to Channel with threads per aggregation group. Exactly one of the two
// credentials is set.
type Config struct {
	// WebhookURL is the incoming webhook (https://hooks.slack.com/services/…): the URL is the
	// credential, so it is a secret (or read from WebhookURLFile).
	WebhookURL     config.Secret `yaml:"webhook_url"`
	WebhookURLFile string        `yaml:"webhook_url_file"`
	// Token is a bot token (xoxb-…) with the chat:write scope, or read from TokenFile. Setting
	// it selects bot mode: messages go through chat.postMessage and chat.update.
	Token     config.Secret `yaml:"token"`
	TokenFile string        `yaml:"token_file"`
	// APIURL is the Web API base URL in bot mode (default DefaultAPIURL; tests point it to a
	// fake). It is not a secret.
	APIURL string `yaml:"api_url"`
	// Channel is, in bot mode, the channel to post to (an id such as C0123456789, or a name);
	// required. With a webhook it overrides the webhook's default channel, like Username and
	// IconEmoji: only legacy webhooks honour the overrides, Slack-app webhooks post as the app
	// to their fixed channel. In bot mode Username and IconEmoji need the chat:write.customize
	// scope.
	Channel   string `yaml:"channel"`
	Username  string `yaml:"username"`
	IconEmoji string `yaml:"icon_emoji"`
	// Title and Text override the default templates (Go text/template over httpx.Data): Title is
	// the header and the notification text, Text the body in Slack mrkdwn.
	Title string `yaml:"title"`
	Text  string `yaml:"text"`
}

// DefaultConfig returns the defaults: the built-in templates, the webhook's own channel, the
// public Web API for bot mode.
func DefaultConfig() Config { return Config{APIURL: DefaultAPIURL} }

// botMode reports whether c configures a bot token rather than a webhook.
func (c Config) botMode() bool { return c.Token != "" || c.TokenFile != "" }

// Validate reports every problem of c at once. It reads no file and makes no network call.
func (c Config) Validate() error {
	var errs []error
	hook := c.WebhookURL != "" || c.WebhookURLFile != ""
	switch {
	case hook && c.botMode():
		errs = append(errs, errors.New("webhook_url and token are both set: set webhook_url (or webhook_url_file) for a webhook, or token (or token_file) and channel for bot mode, not both"))
	case !hook && !c.botMode():
		errs = append(errs, errors.New("webhook_url is required (set it through ${ENV} or webhook_url_file), or token (or token_file) and channel for bot mode"))
	}
	if hook {
		if err := httpx.CheckSecret("webhook_url", c.WebhookURL, c.WebhookURLFile, false); err != nil {
			errs = append(errs, err)
		} else if c.WebhookURL != "" {
			if err := httpx.CheckURL("webhook_url", c.WebhookURL.Reveal()); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if c.botMode() {
		if err := httpx.CheckSecret("token", c.Token, c.TokenFile, false); err != nil {
			errs = append(errs, err)
		} else if c.Token != "" && strings.TrimSpace(c.Token.Reveal()) != c.Token.Reveal() {
			errs = append(errs, errors.New("token: has leading or trailing space"))
		}
		if strings.TrimSpace(c.Channel) == "" {
			errs = append(errs, errors.New("channel is required with token (a channel id such as C0123456789, or a name)"))
		}
	}
	if c.APIURL != "" {
		if err := httpx.CheckURL("api_url", c.APIURL); err != nil {
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
