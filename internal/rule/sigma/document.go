package sigma

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"picket/internal/event"
	"picket/internal/rule"
)

// docParser parses one YAML document into a Rule, collecting positioned diagnostics.
type docParser struct {
	file    string
	opts    *Options
	builtin bool
	ls      event.LogSource // logsource of the document being parsed
	diags   rule.Diagnostics
}

func (p *docParser) errorf(n *yaml.Node, format string, args ...any) {
	d := rule.Diagnostic{File: p.file, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		d.Line, d.Col = n.Line, n.Column
	}
	p.diags = append(p.diags, d)
}

func (p *docParser) warnf(n *yaml.Node, format string, args ...any) {
	p.errorf(n, format, args...)
	p.diags[len(p.diags)-1].Severity = rule.SeverityWarning
}

var (
	uuidRe   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	tagRe    = regexp.MustCompile(`^[a-z0-9_-]+\.[a-z0-9._-]+$`)
	dateRe   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	statuses = map[string]bool{"stable": true, "test": true, "experimental": true, "deprecated": true, "unsupported": true}
)

// mapping returns the key/value pairs of a mapping node, reporting duplicates.
func (p *docParser) mapping(n *yaml.Node) [][2]*yaml.Node {
	var out [][2]*yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			p.errorf(k, "duplicate key %q", k.Value)
			continue
		}
		seen[k.Value] = true
		out = append(out, [2]*yaml.Node{k, resolveAlias(v)})
	}
	return out
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// str reads a scalar string value.
func (p *docParser) str(n *yaml.Node, key string) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errorf(n, "%s must be a string", key)
		return ""
	}
	return n.Value
}

// strList reads a list of scalar strings (a single scalar is accepted as a one-element list).
func (p *docParser) strList(n *yaml.Node, key string) []string {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil
		}
		return []string{n.Value}
	case yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		for _, c := range n.Content {
			c = resolveAlias(c)
			if c.Kind != yaml.ScalarNode {
				p.errorf(c, "%s must be a list of strings", key)
				continue
			}
			out = append(out, c.Value)
		}
		return out
	}
	p.errorf(n, "%s must be a list of strings", key)
	return nil
}

// document parses one rule, correlation or filter document.
func (p *docParser) document(n *yaml.Node) *Rule {
	n = resolveAlias(n)
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "a Sigma rule must be a YAML mapping, not %s", kindName(n))
		return nil
	}
	r := &Rule{Origin: rule.Origin{Builtin: p.builtin, File: p.file, Line: n.Line}, Generate: true}
	var logsource, detection, correlation, filter *yaml.Node
	var titleNode *yaml.Node
	for _, kv := range p.mapping(n) {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "title":
			titleNode = v
			r.Title = p.str(v, "title")
		case "id":
			r.ID = p.str(v, "id")
			if r.ID != "" && !uuidRe.MatchString(r.ID) {
				p.warnf(v, "id %q is not a UUID", r.ID)
			}
		case "name":
			r.Name = p.str(v, "name")
		case "description":
			r.Description = p.str(v, "description")
		case "status":
			r.Status = p.str(v, "status")
			if r.Status != "" && !statuses[r.Status] {
				p.warnf(v, "unknown status %q (want stable, test, experimental, deprecated or unsupported)", r.Status)
			}
		case "author":
			r.Author = p.str(v, "author")
		case "date", "modified":
			s := p.str(v, k.Value)
			if s != "" && !dateRe.MatchString(s) {
				p.warnf(v, "%s %q is not a YYYY-MM-DD date", k.Value, s)
			}
			if k.Value == "date" {
				r.Date = s
			} else {
				r.Modified = s
			}
		case "level":
			s := p.str(v, "level")
			lv, ok := rule.ParseLevel(s)
			if !ok && s != "" {
				p.errorf(v, "unknown level %q (want informational, low, medium, high or critical)", s)
			}
			r.Level = lv
		case "tags":
			r.Tags = p.strList(v, "tags")
			for i, t := range r.Tags {
				if !tagRe.MatchString(t) {
					p.warnf(elem(v, i), "tag %q does not follow the namespace.value form", t)
				}
			}
		case "references":
			r.References = p.strList(v, "references")
		case "falsepositives":
			r.FalsePositives = p.strList(v, "falsepositives")
		case "fields":
			r.Fields = p.strList(v, "fields")
		case "logsource":
			logsource = v
		case "detection":
			detection = v
		case "correlation":
			correlation = v
		case "filter":
			filter = v
		case "action":
			p.errorf(k, "rule collections (action: %s) are Sigma 1.0 syntax and are not supported; write complete rules", v.Value)
		}
	}
	if titleNode == nil {
		p.errorf(n, "missing required key title")
	} else if len(r.Title) > 256 {
		p.errorf(titleNode, "title longer than 256 characters")
	}
	if r.ID == "" {
		r.ID = derivedID(p.file, r.Title)
		p.warnf(n, "rule has no id; using %s (give it a UUID so detections keep their identity when the file moves)", r.ID)
	}
	if logsource != nil {
		p.logsource(r, logsource)
		p.ls = r.LogSource
	}
	switch {
	case correlation != nil:
		r.Kind = KindCorrelation
		if detection != nil {
			p.errorf(detection, "a correlation rule has no detection section")
		}
		r.Correlation = p.correlation(correlation)
	case filter != nil:
		r.Kind = KindFilter
		if logsource == nil {
			p.errorf(n, "missing required key logsource")
		}
		r.Filter = p.filter(r, filter)
	default:
		if logsource == nil {
			p.errorf(n, "missing required key logsource")
		}
		if detection == nil {
			p.errorf(n, "missing required key detection")
			return nil
		}
		r.Detection = p.detection(r, detection)
		if r.Level == rule.LevelUnknown {
			r.Level = rule.Medium
			p.warnf(n, "rule has no level; using medium")
		}
	}
	if r.Status == "unsupported" {
		p.warnf(n, "status unsupported: the rule is not loaded")
		return nil
	}
	return r
}

func (p *docParser) logsource(r *Rule, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "logsource must be a mapping")
		return
	}
	for _, kv := range p.mapping(n) {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "product":
			r.LogSource.Product = p.str(v, "logsource.product")
		case "service":
			r.LogSource.Service = p.str(v, "logsource.service")
		case "category":
			r.LogSource.Category = p.str(v, "logsource.category")
		case "definition":
			r.Definition = p.str(v, "logsource.definition")
		}
	}
}

// elem returns the i-th element of a sequence node, or the node itself.
func elem(n *yaml.Node, i int) *yaml.Node {
	if n.Kind == yaml.SequenceNode && i < len(n.Content) {
		return n.Content[i]
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return "a scalar"
	}
	return "an unknown node"
}

// LogSourceMatches reports whether a rule with logsource want applies to an event with logsource
// have: every key the rule sets must equal the event's.
func LogSourceMatches(want, have event.LogSource) bool {
	return (want.Product == "" || strings.EqualFold(want.Product, have.Product)) &&
		(want.Service == "" || strings.EqualFold(want.Service, have.Service)) &&
		(want.Category == "" || strings.EqualFold(want.Category, have.Category))
}
