package app

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"picket/internal/config"
	"picket/internal/source"
	"picket/internal/source/cloudwatch"
	"picket/internal/source/file"
	"picket/internal/source/s3"
)

// sourceFactory builds the sources of one `sources` entry (several when it expands, such as one
// per region).
type sourceFactory func(ctx context.Context, name string, settings *yaml.Node, deps source.Deps) ([]source.Source, error)

// sourceTypes lists every source type picket has. limiters is the CloudWatch Logs rate budget
// shared by every CloudWatch source of one account and region.
func sourceTypes(limiters *cloudwatch.Limiters) map[string]sourceFactory {
	return map[string]sourceFactory{
		"file": func(_ context.Context, name string, n *yaml.Node, d source.Deps) ([]source.Source, error) {
			c := file.DefaultConfig()
			return buildSource(n, &c, func() (source.Source, error) { return file.New(name, c, d) })
		},
		cloudwatch.Type: func(ctx context.Context, name string, n *yaml.Node, d source.Deps) ([]source.Source, error) {
			c := cloudwatch.DefaultConfig()
			if err := decodeStrict(n, &c); err != nil {
				return nil, err
			}
			var out []source.Source
			for _, in := range cloudwatch.Expand(name, c) {
				s, err := cloudwatch.New(ctx, in.Name, in.Config, d, limiters)
				if err != nil {
					return nil, err
				}
				out = append(out, s)
			}
			return out, nil
		},
		s3.Type: func(ctx context.Context, name string, n *yaml.Node, d source.Deps) ([]source.Source, error) {
			c := s3.DefaultConfig()
			return buildSource(n, &c, func() (source.Source, error) { return s3.New(ctx, name, c, d) })
		},
	}
}

// SourceTypes lists the source types picket knows.
func SourceTypes() []string {
	var out []string
	for t := range sourceTypes(nil) {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// buildSource decodes a source's settings strictly into cfg, then constructs the source.
func buildSource[C any, S source.Source](settings *yaml.Node, cfg *C, construct func() (S, error)) ([]source.Source, error) {
	if err := decodeStrict(settings, cfg); err != nil {
		return nil, err
	}
	s, err := construct()
	if err != nil {
		return nil, err
	}
	return []source.Source{s}, nil
}

// Source is one built source with the schedule and type of its configuration entry.
type Source struct {
	source.Source
	Type     string
	Schedule config.Schedule
}

// BuildSources constructs every configured source, without network calls; errors name the
// file, the source's line and its name. An entry may expand into several sources (one per
// region), which share its schedule.
func BuildSources(ctx context.Context, cfg *config.Config, deps source.Deps) ([]Source, error) {
	types := sourceTypes(cloudwatch.NewLimiters())
	var out []Source
	var errs []error
	for i := range cfg.Sources {
		s := &cfg.Sources[i]
		f, ok := types[s.Type]
		if !ok {
			errs = append(errs, fmt.Errorf("%s:%d: source %q: unknown type %q (want one of %s)", cfg.File(), s.Line, s.Name, s.Type, strings.Join(SourceTypes(), ", ")))
			continue
		}
		srcs, err := f(ctx, s.Name, &s.Settings, deps)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: source %q (%s): %w", cfg.File(), s.Line, s.Name, s.Type, err))
			continue
		}
		for _, src := range srcs {
			deps.Status.Register(src.Name(), s.Type)
			out = append(out, Source{Source: src, Type: s.Type, Schedule: s.Schedule})
		}
	}
	return out, errors.Join(errs...)
}
