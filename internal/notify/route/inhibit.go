package route

import (
	"errors"
	"fmt"

	"picket/internal/alert"
)

// Inhibitor applies inhibition rules. It is immutable and safe for concurrent use.
type Inhibitor struct {
	rules []inhibitRule
}

type inhibitRule struct {
	source, target conds
	equal          []string
}

// NewInhibitor compiles inhibition rules, reporting every problem with its place
// ("inhibit_rules[0].source_matchers[1]: …").
func NewInhibitor(rules []InhibitRule) (*Inhibitor, error) {
	inh := &Inhibitor{}
	var errs []error
	for i, r := range rules {
		path := fmt.Sprintf("inhibit_rules[%d]", i)
		src, serrs := compileMatchers(path+".source_matchers", r.SourceMatchers)
		tgt, terrs := compileMatchers(path+".target_matchers", r.TargetMatchers)
		errs = append(append(errs, serrs...), terrs...)
		if len(r.SourceMatchers) == 0 || len(r.TargetMatchers) == 0 {
			errs = append(errs, fmt.Errorf("%s: source_matchers and target_matchers are required", path))
		}
		for j, f := range r.Equal {
			if !KnownField(f) || f == fieldAll {
				errs = append(errs, fmt.Errorf("%s.equal[%d]: unknown alert field %q", path, j, f))
			}
		}
		inh.rules = append(inh.rules, inhibitRule{source: src, target: tgt, equal: r.Equal})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return inh, nil
}

// Inhibited reports whether a is muted by an alert of firing: some rule's target matchers match
// a, and some other alert of firing (not a itself, by id) that is active (open or
// acknowledged, silenced or not, as in Alertmanager) matches the rule's source matchers and
// has the same values as a for each of the rule's equal fields.
func (inh *Inhibitor) Inhibited(a *alert.Alert, firing []*alert.Alert) bool {
	return inh.inhibitedBy(a, firing) != nil
}

// inhibitedBy returns the alert inhibiting a, or nil.
func (inh *Inhibitor) inhibitedBy(a *alert.Alert, firing []*alert.Alert) *alert.Alert {
	if inh == nil {
		return nil
	}
	for i := range inh.rules {
		r := &inh.rules[i]
		if !r.target.match(a) {
			continue
		}
		for _, s := range firing {
			if s == a || s.ID == a.ID || !s.Status.Active() || !r.source.match(s) || !sameFields(a, s, r.equal) {
				continue
			}
			return s
		}
	}
	return nil
}

func sameFields(a, b *alert.Alert, names []string) bool {
	for _, n := range names {
		if fieldKey(a, n) != fieldKey(b, n) {
			return false
		}
	}
	return true
}
