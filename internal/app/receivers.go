package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"picket/internal/config"
	"picket/internal/notify"
	"picket/internal/notify/email"
	"picket/internal/notify/opsgenie"
	"picket/internal/notify/pagerduty"
	"picket/internal/notify/slack"
	"picket/internal/notify/sns"
	"picket/internal/notify/stdout"
	"picket/internal/notify/teams"
	"picket/internal/notify/webhook"
)

// channelFactory builds a notifier from a receiver's settings.
type channelFactory func(ctx context.Context, name string, settings *yaml.Node, deps notify.Deps) (notify.Notifier, error)

// channels lists every notification channel picket has, one line each.
func channels() map[string]channelFactory {
	return map[string]channelFactory{
		"email": func(_ context.Context, name string, n *yaml.Node, d notify.Deps) (notify.Notifier, error) {
			c := email.DefaultConfig()
			return build(n, &c, func() (notify.Notifier, error) { return email.New(name, c, d) })
		},
		"webhook": func(_ context.Context, name string, n *yaml.Node, d notify.Deps) (notify.Notifier, error) {
			c := webhook.DefaultConfig()
			return build(n, &c, func() (notify.Notifier, error) { return webhook.New(name, c, d) })
		},
		"slack": func(_ context.Context, name string, n *yaml.Node, d notify.Deps) (notify.Notifier, error) {
			c := slack.DefaultConfig()
			return build(n, &c, func() (notify.Notifier, error) { return slack.New(name, c, d) })
		},
		"teams": func(_ context.Context, name string, n *yaml.Node, d notify.Deps) (notify.Notifier, error) {
			c := teams.DefaultConfig()
			return build(n, &c, func() (notify.Notifier, error) { return teams.New(name, c, d) })
		},
		"pagerduty": func(_ context.Context, name string, n *yaml.Node, d notify.Deps) (notify.Notifier, error) {
			c := pagerduty.DefaultConfig()
			return build(n, &c, func() (notify.Notifier, error) { return pagerduty.New(name, c, d) })
		},
		"opsgenie": func(_ context.Context, name string, n *yaml.Node, d notify.Deps) (notify.Notifier, error) {
			c := opsgenie.DefaultConfig()
			return build(n, &c, func() (notify.Notifier, error) { return opsgenie.New(name, c, d) })
		},
		"sns": func(ctx context.Context, name string, n *yaml.Node, d notify.Deps) (notify.Notifier, error) {
			c := sns.DefaultConfig()
			return build(n, &c, func() (notify.Notifier, error) { return sns.NewFromConfig(ctx, name, c, d) })
		},
		"stdout": func(_ context.Context, name string, n *yaml.Node, d notify.Deps) (notify.Notifier, error) {
			c := stdout.DefaultConfig()
			return build(n, &c, func() (notify.Notifier, error) { return stdout.New(name, c, d) })
		},
	}
}

// ChannelTypes lists the receiver types picket knows.
func ChannelTypes() []string {
	var out []string
	for t := range channels() {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// build decodes a receiver's settings strictly into cfg, then constructs the notifier.
func build[C any](settings *yaml.Node, cfg *C, construct func() (notify.Notifier, error)) (notify.Notifier, error) {
	text, err := yaml.Marshal(settings)
	if err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(text))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, errors.New(strings.ReplaceAll(strings.TrimPrefix(err.Error(), "yaml: "), "yaml: ", ""))
	}
	return construct()
}

// BuildNotifiers constructs the notifier of every configured receiver; errors name the file,
// the receiver's line and its name, and hold no secret.
func BuildNotifiers(ctx context.Context, cfg *config.Config, deps notify.Deps) (map[string]notify.Notifier, error) {
	if deps.HTTPClient == nil {
		deps.HTTPClient = &http.Client{}
	}
	factories := channels()
	out := map[string]notify.Notifier{}
	var errs []error
	for i := range cfg.Receivers {
		r := &cfg.Receivers[i]
		f, ok := factories[r.Type]
		if !ok {
			errs = append(errs, fmt.Errorf("%s:%d: receiver %q: unknown type %q (want one of %s)", cfg.File(), r.Line, r.Name, r.Type, strings.Join(ChannelTypes(), ", ")))
			continue
		}
		n, err := f(ctx, r.Name, &r.Settings, deps)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: receiver %q (%s): %w", cfg.File(), r.Line, r.Name, r.Type, err))
			continue
		}
		out[r.Name] = n
	}
	return out, errors.Join(errs...)
}
