package sigma

import (
	"go.yaml.in/yaml/v3"

	"picket/internal/match"
)

// filter parses a Sigma meta filter document: `filter: {rules: [...] | any, <selections>, condition}`.
func (p *docParser) filter(r *Rule, n *yaml.Node) *Filter {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "filter must be a mapping")
		return nil
	}
	f := &Filter{}
	det := &yaml.Node{Kind: yaml.MappingNode, Line: n.Line, Column: n.Column}
	var rulesNode *yaml.Node
	for _, kv := range p.mapping(n) {
		k, v := kv[0], kv[1]
		if k.Value == "rules" {
			rulesNode = v
			if v.Kind == yaml.ScalarNode && v.Value == "any" {
				f.Any = true
				continue
			}
			f.Rules = p.strList(v, "filter.rules")
			continue
		}
		det.Content = append(det.Content, k, v)
	}
	if rulesNode == nil || !f.Any && len(f.Rules) == 0 {
		p.errorf(n, "filter has no rules (list rule ids or names, or say any)")
	}
	f.Detection = p.detection(r, det)
	if f.Detection == nil {
		return nil
	}
	return f
}

// applyFilter ANDs a filter's condition into every rule it names whose logsource it covers.
func (l *Loader) applyFilter(set *Set, f *Rule) {
	if f.Filter == nil {
		return
	}
	targets := map[*Rule]bool{}
	if f.Filter.Any {
		for _, r := range set.Rules {
			targets[r] = true
		}
	}
	for _, ref := range f.Filter.Rules {
		r, ok := set.Lookup(ref)
		if !ok {
			l.warn(f, "filter %q names unknown rule %q", f.Title, ref)
			continue
		}
		targets[r] = true
	}
	for _, r := range set.Rules {
		if !targets[r] || r.Kind != KindDetection || r.Detection == nil || !LogSourceMatches(f.LogSource, r.LogSource) {
			continue
		}
		d := r.Detection
		d.Filters = append(d.Filters, f)
		d.Matcher = match.And{d.Matcher, f.Filter.Detection.Matcher}
	}
}
