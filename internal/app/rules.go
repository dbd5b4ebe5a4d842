package app

import (
	"picket/internal/config"
	"picket/internal/rule"
	"picket/internal/rule/builtin"
	"picket/internal/rule/sigma"
)

// RuleOptions add to the configuration's rules section.
type RuleOptions struct {
	// NoBuiltin leaves the built-in pack out even when the configuration enables it.
	NoBuiltin bool
	// Paths are loaded after the configured paths.
	Paths []string
	// Placeholders take precedence over the configured ones.
	Placeholders map[string][]string
	// DisabledIDs are disabled on top of the configuration (the catalog's run-time switches).
	DisabledIDs []string
}

// LoadRules loads the built-in pack (unless disabled), the configured and extra paths, and
// applies the configuration's disabled rules and level overrides; policy problems come back as
// diagnostics naming the configuration file. files is the number of rule files read.
func LoadRules(cfg *config.Config, o RuleOptions) (set *sigma.Set, diags rule.Diagnostics, files int, err error) {
	ph := map[string][]string{}
	for k, v := range cfg.Rules.Placeholders {
		ph[k] = v
	}
	for k, v := range o.Placeholders {
		ph[k] = v
	}
	l := sigma.NewLoader(sigma.Options{Placeholders: ph})
	if !o.NoBuiltin && cfg.Rules.BuiltinEnabled() {
		if err := l.AddFS(builtin.FS(), "builtin", true); err != nil {
			return nil, nil, 0, err
		}
	}
	for _, p := range append(append([]string{}, cfg.Rules.Paths...), o.Paths...) {
		if err := l.AddPath(p); err != nil {
			return nil, nil, 0, err
		}
	}
	set, diags = l.Finish()
	errs, warns := set.Apply(sigma.Policy{
		DisabledIDs: cfg.Rules.DisabledIDs, DisabledTags: cfg.Rules.DisabledTags, LevelOverrides: cfg.Rules.LevelOverrides,
	})
	for _, e := range errs {
		diags = append(diags, rule.Diagnostic{File: cfg.File(), Msg: e})
	}
	for _, w := range warns {
		diags = append(diags, rule.Diagnostic{File: cfg.File(), Severity: rule.SeverityWarning, Msg: w})
	}
	if len(o.DisabledIDs) > 0 {
		off := map[string]bool{}
		for _, id := range o.DisabledIDs {
			off[id] = true
		}
		for _, r := range set.Rules {
			if off[r.ID] {
				r.Disabled = true
			}
		}
	}
	return set, diags, l.Files(), nil
}
