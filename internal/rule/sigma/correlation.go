package sigma

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"
)

var correlationTypes = map[string]bool{
	"event_count": true, "value_count": true, "temporal": true, "temporal_ordered": true,
	"value_sum": true, "value_avg": true, "value_percentile": true, "value_median": true,
}

var timespanRe = regexp.MustCompile(`^(\d+)([smhdwMy])$`)

// ParseTimespan parses a correlation timespan such as `90m` (units s, m, h, d, w, M = 30.44 days,
// y = 365.25 days).
func ParseTimespan(s string) (time.Duration, error) {
	m := timespanRe.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("timespan %q must be a number followed by s, m, h, d, w, M or y", s)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("timespan %q must be positive", s)
	}
	unit := map[string]time.Duration{
		"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour,
		"M": 2629746 * time.Second, "y": 31556952 * time.Second,
	}[m[2]]
	if n > int64(100*365*24*time.Hour/unit) {
		return 0, fmt.Errorf("timespan %q is too long", s)
	}
	return time.Duration(n) * unit, nil
}

// correlation parses and validates a correlation section.
func (p *docParser) correlation(n *yaml.Node) *Correlation {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "correlation must be a mapping")
		return nil
	}
	c := &Correlation{}
	var condNode, typeNode *yaml.Node
	for _, kv := range p.mapping(n) {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "type":
			typeNode = v
			c.Type = p.str(v, "correlation.type")
			if c.Type != "" && !correlationTypes[c.Type] {
				p.errorf(v, "unknown correlation type %q (want event_count, value_count, temporal, temporal_ordered, value_sum, value_avg, value_percentile or value_median)", c.Type)
			}
		case "rules":
			c.Rules = p.strList(v, "correlation.rules")
		case "group-by":
			c.GroupBy = p.strList(v, "correlation.group-by")
		case "timespan", "timeframe":
			d, err := ParseTimespan(p.str(v, "correlation.timespan"))
			if err != nil {
				p.errorf(v, "%v", err)
			}
			c.Timespan = d
		case "condition":
			condNode = v
		case "field":
			c.Field = p.strList(v, "correlation.field")
		case "aliases":
			c.Aliases = p.aliases(v)
		case "generate":
			if v.Tag != "!!bool" {
				p.errorf(v, "generate must be true or false")
			}
			c.Generate = v.Value == "true"
		default:
			p.errorf(k, "unknown correlation key %q", k.Value)
		}
	}
	if typeNode == nil {
		p.errorf(n, "correlation has no type")
	}
	if len(c.Rules) == 0 {
		p.errorf(n, "correlation has no rules")
	}
	if c.Timespan == 0 {
		p.errorf(n, "correlation has no timespan")
	}
	temporal := c.Type == "temporal" || c.Type == "temporal_ordered"
	if condNode != nil {
		c.Condition = p.correlationCondition(c, condNode)
	} else if temporal {
		c.Condition = []Comparison{{Op: "gte", Value: float64(len(c.Rules))}}
	} else if typeNode != nil {
		p.errorf(n, "correlation of type %s needs a condition", c.Type)
	}
	if len(c.Field) == 0 && c.Type != "" && c.Type != "event_count" && !temporal {
		p.errorf(n, "correlation of type %s needs condition.field", c.Type)
	}
	if c.Type == "value_percentile" && c.Percentile == 0 {
		c.Percentile = 50
	}
	return c
}

func (p *docParser) correlationCondition(c *Correlation, n *yaml.Node) []Comparison {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "correlation condition must be a mapping such as {gte: 5}")
		return nil
	}
	var out []Comparison
	for _, kv := range p.mapping(n) {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "gt", "gte", "lt", "lte", "eq", "neq":
			f, ok := number(v)
			if !ok {
				p.errorf(v, "condition %s needs a number, not %q", k.Value, v.Value)
				continue
			}
			out = append(out, Comparison{Op: k.Value, Value: f})
		case "field":
			c.Field = p.strList(v, "correlation.condition.field")
		case "percentile":
			f, ok := number(v)
			if !ok || f <= 0 || f > 100 {
				p.errorf(v, "percentile must be a number in (0, 100]")
			}
			c.Percentile = f
		default:
			p.errorf(k, "unknown correlation condition key %q (want gt, gte, lt, lte, eq, neq, field)", k.Value)
		}
	}
	if len(out) == 0 {
		p.errorf(n, "correlation condition has no comparison")
	}
	if len(out) > 2 {
		p.errorf(n, "correlation condition may hold at most two comparisons (a range)")
	}
	return out
}

func (p *docParser) aliases(n *yaml.Node) map[string]map[string]string {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "aliases must map alias names to {rule: field}")
		return nil
	}
	out := map[string]map[string]string{}
	for _, kv := range p.mapping(n) {
		k, v := kv[0], kv[1]
		if v.Kind != yaml.MappingNode {
			p.errorf(v, "alias %q must map rule names to fields", k.Value)
			continue
		}
		m := map[string]string{}
		for _, rf := range p.mapping(v) {
			m[rf[0].Value] = p.str(rf[1], "alias field")
		}
		out[k.Value] = m
	}
	return out
}

// resolveCorrelations links correlation rules to the rules they reference and applies generate.
func (l *Loader) resolveCorrelations(set *Set) {
	kept := set.Rules[:0]
	for _, r := range set.Rules {
		if r.Kind != KindCorrelation || r.Correlation == nil {
			kept = append(kept, r)
			continue
		}
		c := r.Correlation
		ok := true
		c.Refs = c.Refs[:0]
		for _, ref := range c.Rules {
			t, found := set.Lookup(ref)
			if !found || t.Kind == KindFilter {
				l.errorf(r, "correlation %q references unknown rule %q", r.Title, ref)
				ok = false
				continue
			}
			if t == r {
				l.errorf(r, "correlation %q references itself", r.Title)
				ok = false
				continue
			}
			c.Refs = append(c.Refs, t)
		}
		for alias, m := range c.Aliases {
			for name := range m {
				if !contains(c.Rules, name) {
					l.errorf(r, "alias %q names rule %q, which the correlation does not reference", alias, name)
					ok = false
				}
			}
		}
		if !ok {
			continue
		}
		if !c.Generate {
			for _, t := range c.Refs {
				t.Generate = false
			}
		}
		kept = append(kept, r)
	}
	set.Rules = kept
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
