package sigma

import (
	"errors"
	"strings"

	"go.yaml.in/yaml/v3"

	"picket/internal/match"
	"picket/internal/rule/sigma/condition"
)

// detection parses and compiles a detection section for rule r.
func (p *docParser) detection(r *Rule, n *yaml.Node) *Detection {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "detection must be a mapping of search identifiers and a condition")
		return nil
	}
	d := &Detection{}
	var condNode *yaml.Node
	for _, kv := range p.mapping(n) {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "condition":
			condNode = v
		case "timeframe":
			p.errorf(k, "timeframe belongs to the obsolete Sigma 1.0 pipe aggregation syntax (| count(), | near); express the detection as a correlation rule with a timespan")
		default:
			if !validIdent(k.Value) {
				p.errorf(k, "search identifier %q may only contain letters, digits, '_' and '-'", k.Value)
				continue
			}
			sel := &Selection{Name: k.Value, Line: k.Line, Col: k.Column}
			sel.Matcher, sel.Items = p.selection(r, v)
			if sel.Matcher == nil {
				// Already reported; keep the name so the condition does not report it again.
				sel.Matcher = match.Const(false)
			}
			d.Selections = append(d.Selections, sel)
		}
	}
	if condNode == nil {
		p.errorf(n, "detection has no condition")
		return nil
	}
	switch condNode.Kind {
	case yaml.ScalarNode:
		d.Conditions = []string{condNode.Value}
	case yaml.SequenceNode:
		for _, c := range condNode.Content {
			if c.Kind != yaml.ScalarNode {
				p.errorf(c, "condition must be a string or a list of strings")
				return nil
			}
			d.Conditions = append(d.Conditions, c.Value)
		}
	default:
		p.errorf(condNode, "condition must be a string or a list of strings")
		return nil
	}
	if len(d.Conditions) == 0 {
		p.errorf(condNode, "empty condition")
		return nil
	}
	names := make([]string, len(d.Selections))
	byName := map[string]match.Matcher{}
	for i, s := range d.Selections {
		names[i] = s.Name
		byName[s.Name] = s.Matcher
	}
	used := map[string]bool{}
	var ors match.Or
	for i, text := range d.Conditions {
		at := condNode
		if condNode.Kind == yaml.SequenceNode {
			at = condNode.Content[i]
		}
		tree, err := condition.Parse(text)
		if err == nil {
			tree, err = condition.Resolve(tree, names)
		}
		if err != nil {
			p.conditionError(at, err)
			continue
		}
		for _, id := range condition.Idents(tree) {
			used[id] = true
		}
		d.Trees = append(d.Trees, tree)
		ors = append(ors, compileCondition(tree, byName))
	}
	if len(d.Trees) != len(d.Conditions) {
		return nil
	}
	for _, s := range d.Selections {
		if !used[s.Name] {
			p.warnf(&yaml.Node{Line: s.Line, Column: s.Col}, "search identifier %q is not used by the condition", s.Name)
		}
	}
	if len(ors) == 1 {
		d.Matcher = ors[0]
	} else {
		d.Matcher = ors
	}
	return d
}

// conditionError reports a condition error at its position within the condition text.
func (p *docParser) conditionError(at *yaml.Node, err error) {
	var ce *condition.Error
	pos := &yaml.Node{Line: at.Line, Column: at.Column}
	msg := err.Error()
	if errors.As(err, &ce) {
		msg = ce.Msg
		// Plain and quoted one-line scalars map offsets to columns directly.
		if at.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 && !strings.Contains(at.Value, "\n") {
			pos.Column += ce.Offset
			if at.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
				pos.Column++
			}
		}
	}
	p.errorf(pos, "condition: %s", msg)
}

func validIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// compileCondition turns a resolved condition tree into a matcher over the selections.
func compileCondition(n condition.Node, sels map[string]match.Matcher) match.Matcher {
	switch x := n.(type) {
	case *condition.And:
		return flattenAnd(compileCondition(x.Left, sels), compileCondition(x.Right, sels))
	case *condition.Or:
		return flattenOr(compileCondition(x.Left, sels), compileCondition(x.Right, sels))
	case *condition.Not:
		return match.Not{M: compileCondition(x.X, sels)}
	case *condition.Of:
		return compileCondition(x.Expanded, sels)
	case *condition.Ident:
		return sels[x.Name]
	}
	return match.Const(false)
}

func flattenAnd(a, b match.Matcher) match.Matcher {
	var out match.And
	for _, m := range []match.Matcher{a, b} {
		if x, ok := m.(match.And); ok {
			out = append(out, x...)
		} else {
			out = append(out, m)
		}
	}
	return out
}

func flattenOr(a, b match.Matcher) match.Matcher {
	var out match.Or
	for _, m := range []match.Matcher{a, b} {
		if x, ok := m.(match.Or); ok {
			out = append(out, x...)
		} else {
			out = append(out, m)
		}
	}
	return out
}

// selection compiles one search identifier's definition.
func (p *docParser) selection(r *Rule, n *yaml.Node) (match.Matcher, []Item) {
	switch n.Kind {
	case yaml.MappingNode:
		if len(n.Content) == 0 {
			p.errorf(n, "empty selection")
			return nil, nil
		}
		return p.fieldMap(r, n, 0)
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			p.errorf(n, "empty selection")
			return nil, nil
		}
		maps, scalars := 0, 0
		for _, c := range n.Content {
			switch resolveAlias(c).Kind {
			case yaml.MappingNode:
				maps++
			case yaml.ScalarNode:
				scalars++
			}
		}
		switch {
		case maps == len(n.Content):
			var ors match.Or
			var items []Item
			for i, c := range n.Content {
				m, its := p.fieldMap(r, resolveAlias(c), i)
				if m == nil {
					return nil, nil
				}
				ors = append(ors, m)
				items = append(items, its...)
			}
			return ors, items
		case scalars == len(n.Content):
			return p.item(r, &yaml.Node{Kind: yaml.ScalarNode, Value: "", Line: n.Line, Column: n.Column}, n, 0)
		default:
			p.errorf(n, "a selection list must hold only maps (ORed) or only values (keywords), not both")
			return nil, nil
		}
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			p.errorf(n, "empty selection")
			return nil, nil
		}
		return p.item(r, &yaml.Node{Kind: yaml.ScalarNode, Value: "", Line: n.Line, Column: n.Column}, n, 0)
	}
	p.errorf(n, "unsupported selection")
	return nil, nil
}

// fieldMap compiles a map of field tests (ANDed).
func (p *docParser) fieldMap(r *Rule, n *yaml.Node, group int) (match.Matcher, []Item) {
	var and match.And
	var items []Item
	ok := true
	for _, kv := range p.mapping(n) {
		m, its := p.item(r, kv[0], kv[1], group)
		if m == nil {
			ok = false
			continue
		}
		and = append(and, m)
		items = append(items, its...)
	}
	if !ok {
		return nil, nil
	}
	if len(and) == 1 {
		return and[0], items
	}
	return and, items
}
