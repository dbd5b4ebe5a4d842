package sigma

import (
	"fmt"

	"picket/internal/rule"
)

// Policy tunes a loaded set without editing rule files.
type Policy struct {
	DisabledIDs    []string          // rule ids or names
	DisabledTags   []string          // every rule with one of these tags
	LevelOverrides map[string]string // rule id or name → level
}

// Apply disables rules and overrides levels. It returns an error for each id, name or tag that
// matched nothing, so that a typo in the configuration does not silently keep a rule enabled,
// and a warning for each correlation left without one of its rules.
func (s *Set) Apply(p Policy) (problems, warnings []string) {
	for _, id := range p.DisabledIDs {
		r, ok := s.Lookup(id)
		if !ok {
			problems = append(problems, fmt.Sprintf("disabled rule %q: no such rule id or name", id))
			continue
		}
		r.Disabled = true
	}
	for _, tag := range p.DisabledTags {
		n := 0
		for _, r := range s.Rules {
			for _, t := range r.Tags {
				if t == tag {
					r.Disabled = true
					n++
					break
				}
			}
		}
		if n == 0 {
			problems = append(problems, fmt.Sprintf("disabled tag %q: no rule carries it", tag))
		}
	}
	for id, lv := range p.LevelOverrides {
		r, ok := s.Lookup(id)
		if !ok {
			problems = append(problems, fmt.Sprintf("level override for %q: no such rule id or name", id))
			continue
		}
		level, ok := rule.ParseLevel(lv)
		if !ok {
			problems = append(problems, fmt.Sprintf("level override for %q: unknown level %q", id, lv))
			continue
		}
		r.Level = level
	}
	for _, r := range s.Rules {
		if r.Kind != KindCorrelation || r.Disabled || r.Correlation == nil {
			continue
		}
		for _, ref := range r.Correlation.Refs {
			if ref.Disabled {
				warnings = append(warnings, fmt.Sprintf("correlation %q references disabled rule %q: it cannot fire", r.Title, ref.Title))
			}
		}
	}
	return problems, warnings
}
