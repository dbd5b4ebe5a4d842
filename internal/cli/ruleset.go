package cli

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"

	"picket/internal/rule"
	"picket/internal/rule/builtin"
	"picket/internal/rule/sigma"
)

// ruleFlags are the rule-selection flags shared by scan and rules list.
type ruleFlags struct {
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

// loadRules loads the built-in pack (unless disabled) and the given paths.
func (rf *ruleFlags) load(builtinToo bool) (*sigma.Set, rule.Diagnostics, int, error) {
	ph, err := rf.placeholderMap()
	if err != nil {
		return nil, nil, 0, err
	}
	l := sigma.NewLoader(sigma.Options{Placeholders: ph})
	if builtinToo && !rf.noBuiltin {
		if err := l.AddFS(builtin.FS(), "builtin", true); err != nil {
			return nil, nil, 0, err
		}
	}
	for _, p := range rf.paths {
		if err := l.AddPath(p); err != nil {
			return nil, nil, 0, err
		}
	}
	set, diags := l.Finish()
	return set, diags, l.Files(), nil
}
