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
	"picket/internal/source/file"
)

// sourceFactory builds the sources of one `sources` entry (several when it expands, such as one
// per region).
type sourceFactory func(ctx context.Context, name string, settings *yaml.Node, deps source.Deps) ([]source.Source, error)

// sourceTypes lists every source type picket has, one line each.
func sourceTypes() map[string]sourceFactory {
	return map[string]sourceFactory{
		"file": func(_ context.Context, name string, n *yaml.Node, d source.Deps) ([]source.Source, error) {
			c := file.DefaultConfig()
			return buildSource(n, &c, func() (source.Source, error) { return file.New(name, c, d) })
		},
	}
}

// SourceTypes lists the source types picket knows.
func SourceTypes() []string {
	var out []string
	for t := range sourceTypes() {
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

// BuildSources constructs every configured source, without network calls; errors name the
// file, the source's line and its name.
func BuildSources(ctx context.Context, cfg *config.Config, deps source.Deps) ([]source.Source, error) {
	types := sourceTypes()
	var out []source.Source
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
		}
		out = append(out, srcs...)
	}
	return out, errors.Join(errs...)
}
