package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
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
	if err := decodeStrict(settings, cfg); err != nil {
		return nil, err
	}
	return construct()
}

// decodeStrict decodes an integration's settings into cfg: an unknown key is an error. Errors
// give the lines of the configuration file.
func decodeStrict(settings *yaml.Node, cfg any) error {
	text, err := yaml.Marshal(settings)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(text))
	dec.KnownFields(true)
	err = dec.Decode(cfg)
	if err == nil || errors.Is(err, io.EOF) {
		return nil
	}
	// The decoder saw the re-marshalled text: map its lines back to the file's.
	var copyTree yaml.Node
	lines := map[int]int{}
	if yaml.Unmarshal(text, &copyTree) == nil && len(copyTree.Content) == 1 {
		mapLines(copyTree.Content[0], settings, lines)
	}
	msg := strings.ReplaceAll(strings.TrimPrefix(err.Error(), "yaml: "), "yaml: ", "")
	msg = lineRef.ReplaceAllStringFunc(msg, func(m string) string {
		n, _ := strconv.Atoi(lineRef.FindStringSubmatch(m)[1])
		if orig, ok := lines[n]; ok {
			return "line " + strconv.Itoa(orig)
		}
		return m
	})
	msg = unknownField.ReplaceAllString(msg, `unknown key "$1"`)
	return errors.New(msg)
}

var (
	lineRef      = regexp.MustCompile(`line (\d+)`)
	unknownField = regexp.MustCompile(`field (\S+) not found in type \S+`)
)

// mapLines records, for each node of the re-parsed copy, the line of the same node in the
// original tree (the two have the same shape).
func mapLines(copyNode, orig *yaml.Node, lines map[int]int) {
	if _, ok := lines[copyNode.Line]; !ok {
		lines[copyNode.Line] = orig.Line
	}
	for i := 0; i < len(copyNode.Content) && i < len(orig.Content); i++ {
		mapLines(copyNode.Content[i], orig.Content[i], lines)
	}
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
