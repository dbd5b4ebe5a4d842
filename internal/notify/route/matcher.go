package route

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"picket/internal/alert"
)

// cond is one compiled condition on an alert field: equality with any of values, or a regular
// expression, possibly negated. For a multi-valued field (tags) a positive condition holds
// when some value satisfies it, a negated one when no value does (silence semantics).
type cond struct {
	field  string
	values []string       // equality: any of these
	re     *regexp.Regexp // anchored; nil for equality
	negate bool
	text   string // as configured, for explanations
}

// compileCond validates and compiles one matcher.
func compileCond(m alert.Matcher) (cond, error) {
	if !KnownField(m.Field) {
		return cond{}, fmt.Errorf("matcher %s: unknown alert field %q", m, m.Field)
	}
	c := cond{field: m.Field, text: m.String()}
	switch m.Op {
	case alert.OpEqual, alert.OpNotEqual:
		c.values = []string{m.Value}
	case alert.OpRegexp, alert.OpNotRegexp:
		re, err := compileAnchored(m.Value)
		if err != nil {
			return cond{}, fmt.Errorf("matcher %s: %w", m, err)
		}
		c.re = re
	default:
		return cond{}, fmt.Errorf("matcher %s: unknown operator %q", m, m.Op)
	}
	c.negate = m.Op == alert.OpNotEqual || m.Op == alert.OpNotRegexp
	return c, nil
}

// compileAnchored compiles an RE2 expression anchored at both ends.
func compileAnchored(expr string) (*regexp.Regexp, error) {
	re, err := regexp.Compile("^(?:" + expr + ")$")
	if err != nil {
		return nil, fmt.Errorf("bad regular expression %q: %w", expr, err)
	}
	return re, nil
}

// eval reports whether a satisfies the condition, and why in words.
func (c *cond) eval(a *alert.Alert) (bool, string) {
	vals := Field(a, c.field)
	hit := slices.ContainsFunc(vals, func(v string) bool {
		if c.re != nil {
			return c.re.MatchString(v)
		}
		return slices.Contains(c.values, v)
	})
	ok := hit != c.negate
	verdict := "holds"
	if !ok {
		verdict = "fails"
	}
	return ok, fmt.Sprintf("%s %s (%s=%q)", c.text, verdict, c.field, strings.Join(vals, ","))
}

// conds is a conjunction of conditions.
type conds []cond

func (cs conds) match(a *alert.Alert) bool {
	for i := range cs {
		if ok, _ := cs[i].eval(a); !ok {
			return false
		}
	}
	return true
}

// compileMatchers parses and compiles matcher strings, reporting every problem, each prefixed
// with label[index].
func compileMatchers(label string, ss []string) (conds, []error) {
	var cs conds
	var errs []error
	for i, s := range ss {
		m, err := alert.ParseMatcher(s)
		if err == nil {
			var c cond
			if c, err = compileCond(m); err == nil {
				cs = append(cs, c)
				continue
			}
		}
		errs = append(errs, fmt.Errorf("%s[%d]: %w", label, i, err))
	}
	return cs, errs
}

// compileRouteConds compiles a route's match, match_re and matchers, in that order (map keys
// sorted), reporting every problem.
func compileRouteConds(r *Route) (conds, []error) {
	var cs conds
	var errs []error
	for _, f := range slices.Sorted(maps.Keys(r.MatchEqual)) {
		vals := r.MatchEqual[f]
		if !KnownField(f) {
			errs = append(errs, fmt.Errorf("match: unknown alert field %q", f))
			continue
		}
		if len(vals) == 0 {
			errs = append(errs, fmt.Errorf("match: field %q has no values", f))
			continue
		}
		text := fmt.Sprintf("%s=%q", f, vals[0])
		if len(vals) > 1 {
			text = fmt.Sprintf("%s in %q", f, []string(vals))
		}
		cs = append(cs, cond{field: f, values: slices.Clone(vals), text: text})
	}
	for _, f := range slices.Sorted(maps.Keys(r.MatchRE)) {
		c, err := compileCond(alert.Matcher{Field: f, Op: alert.OpRegexp, Value: r.MatchRE[f]})
		if err != nil {
			errs = append(errs, fmt.Errorf("match_re: %w", err))
			continue
		}
		cs = append(cs, c)
	}
	ms, merrs := compileMatchers("matchers", r.Matchers)
	return append(cs, ms...), append(errs, merrs...)
}
