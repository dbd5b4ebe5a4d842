package cli

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"

	"picket/internal/app"
	"picket/internal/config"
	"picket/internal/rule"
	"picket/internal/rule/sigma"
)

// ruleFlags are the rule-selection flags shared by scan and rules list.
type ruleFlags struct {
	config           string
	paths            stringList
	noBuiltin        bool
	placeholders     stringList
	placeholdersFile string
}

func (rf *ruleFlags) register(fs *flag.FlagSet, withPaths bool) {
	if withPaths {
		fs.Var(&rf.paths, "rules", "Sigma rule file or directory to load (repeatable)")
		fs.BoolVar(&rf.noBuiltin, "no-builtin", false, "do not load picket's built-in rule pack")
	}
	fs.StringVar(&rf.config, "config", "", "configuration file (its rules section: builtin, paths, disabled_ids, disabled_tags, level_overrides, placeholders)")
	fs.Var(&rf.placeholders, "placeholder", "value for a %placeholder% used with the expand modifier, as NAME=VALUE[,VALUE...] (repeatable)")
	fs.StringVar(&rf.placeholdersFile, "placeholders", "", "YAML file mapping placeholder names to lists of values")
}

// placeholderMap merges --placeholders FILE and --placeholder flags.
func (rf *ruleFlags) placeholderMap() (map[string][]string, error) {
	out := map[string][]string{}
	if rf.placeholdersFile != "" {
		data, err := os.ReadFile(rf.placeholdersFile)
		if err != nil {
			return nil, fmt.Errorf("reading placeholders: %w", err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", rf.placeholdersFile, err)
		}
		for k, v := range m {
			switch x := v.(type) {
			case []any:
				for _, e := range x {
					out[k] = append(out[k], fmt.Sprint(e))
				}
			default:
				out[k] = append(out[k], fmt.Sprint(x))
			}
		}
	}
	for _, p := range rf.placeholders {
		name, vals, ok := strings.Cut(p, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--placeholder %q: want NAME=VALUE[,VALUE...]", p)
		}
		out[strings.Trim(name, "%")] = append(out[strings.Trim(name, "%")], strings.Split(vals, ",")...)
	}
	return out, nil
}

// load loads the built-in pack (unless disabled by flag or configuration), the configured
// paths and the given paths, then applies the configuration's disabled rules and level
// overrides. Policy problems come back as diagnostics.
func (rf *ruleFlags) load(builtinToo bool) (*sigma.Set, rule.Diagnostics, int, error) {
	cfg := &config.Config{}
	if rf.config != "" {
		var err error
		if cfg, err = config.Load(rf.config); err != nil {
			return nil, nil, 0, err
		}
	}
	ph, err := rf.placeholderMap()
	if err != nil {
		return nil, nil, 0, err
	}
	return app.LoadRules(cfg, app.RuleOptions{NoBuiltin: !builtinToo || rf.noBuiltin, Paths: rf.paths, Placeholders: ph})
}
