package sigma

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"picket/internal/match"
	"picket/internal/pattern"
)

// modifier names known to the engine.
var knownModifiers = map[string]bool{
	"contains": true, "startswith": true, "endswith": true, "all": true, "exists": true, "cased": true,
	"neq": true, "windash": true, "re": true, "i": true, "m": true, "s": true, "ignorecase": true,
	"multiline": true, "dotall": true, "base64": true, "base64offset": true, "utf16le": true,
	"utf16be": true, "utf16": true, "wide": true, "lt": true, "lte": true, "gt": true, "gte": true,
	"minute": true, "hour": true, "day": true, "week": true, "month": true, "year": true,
	"cidr": true, "expand": true, "fieldref": true,
}

// reFlags are the sub-modifiers that may follow re.
var reFlags = map[string]bool{"i": true, "m": true, "s": true, "ignorecase": true, "multiline": true, "dotall": true}

var compareOps = map[string]pattern.Op{"gt": pattern.Gt, "gte": pattern.Gte, "lt": pattern.Lt, "lte": pattern.Lte}

// itemSpec is a parsed `field|mod|mod` key.
type itemSpec struct {
	field string
	mods  []string // in order, list-level modifiers (all, neq) removed
	all   bool
	neq   bool
	cased bool
	has   map[string]bool
}

func (p *docParser) parseKey(k *yaml.Node) (*itemSpec, bool) {
	parts := strings.Split(k.Value, "|")
	s := &itemSpec{field: parts[0], has: map[string]bool{}}
	ok := true
	for _, m := range parts[1:] {
		if !knownModifiers[m] {
			p.errorf(k, "unknown modifier %q in %q", m, k.Value)
			ok = false
			continue
		}
		if s.has[m] {
			p.errorf(k, "modifier %q repeated in %q", m, k.Value)
			ok = false
			continue
		}
		s.has[m] = true
		switch m {
		case "all":
			s.all = true
		case "neq":
			s.neq = true
		case "cased":
			s.cased = true
		default:
			s.mods = append(s.mods, m)
		}
	}
	return s, ok && p.checkOrder(k, s)
}

// checkOrder enforces the modifier chaining rules of the specification.
func (p *docParser) checkOrder(k *yaml.Node, s *itemSpec) bool {
	ok := true
	bad := func(format string, args ...any) {
		p.errorf(k, format, args...)
		ok = false
	}
	wraps, enc := 0, false
	for i, m := range s.mods {
		switch m {
		case "re", "cidr", "exists":
			if i != 0 {
				bad("modifier %q must come first in %q", m, k.Value)
			}
		case "i", "m", "s", "ignorecase", "multiline", "dotall":
			if !s.has["re"] {
				bad("modifier %q is a flag of re and needs it", m)
			}
		case "contains", "startswith", "endswith":
			wraps++
		case "base64", "base64offset", "utf16le", "utf16be", "utf16", "wide":
			enc = true
			if wraps > 0 {
				bad("encoding modifier %q must come before contains, startswith and endswith in %q", m, k.Value)
			}
		}
		if s.has["re"] && i > 0 && !reFlags[m] {
			bad("modifier %q cannot follow re (only i, m and s can)", m)
		}
	}
	if s.has["re"] && s.cased {
		bad("modifier cased cannot be combined with re: regular expressions are case-sensitive already (use re|i to ignore case)")
	}
	if wraps > 1 {
		bad("only one of contains, startswith and endswith may be used in %q", k.Value)
	}
	if s.has["exists"] && (len(s.mods) > 1 || s.neq || s.all || s.cased) {
		bad("exists cannot be combined with other modifiers")
	}
	if s.has["cidr"] && len(s.mods) > 1 {
		bad("cidr cannot be combined with %q", s.mods[1])
	}
	cmp := 0
	for op := range compareOps {
		if s.has[op] {
			cmp++
		}
	}
	if cmp > 1 {
		bad("only one of gt, gte, lt and lte may be used in %q", k.Value)
	}
	if cmp > 0 && (wraps > 0 || enc || s.has["re"] || s.has["cidr"] || s.has["windash"] || s.has["expand"]) {
		bad("numeric comparison cannot be combined with string modifiers in %q", k.Value)
	}
	if s.has["fieldref"] && (enc || s.has["windash"] || s.has["expand"] || cmp > 0) {
		bad("fieldref combines only with contains, startswith, endswith, cased and neq")
	}
	if s.field == "" && (s.has["exists"] || s.has["fieldref"]) {
		bad("a keyword search cannot use %q", s.mods[0])
	}
	return ok
}

// item compiles one `field|modifiers: value(s)` entry. For keyword lists k.Value is "".
func (p *docParser) item(r *Rule, k, v *yaml.Node, group int) (match.Matcher, []Item) {
	spec, ok := p.parseKey(k)
	if !ok {
		return nil, nil
	}
	var values []*yaml.Node
	switch v.Kind {
	case yaml.ScalarNode:
		values = []*yaml.Node{v}
		if spec.all {
			p.errorf(k, "modifier all needs a list of values")
			return nil, nil
		}
	case yaml.SequenceNode:
		for _, c := range v.Content {
			c = resolveAlias(c)
			if c.Kind != yaml.ScalarNode {
				p.errorf(c, "values of %q must be scalars, not %s", k.Value, kindName(c))
				return nil, nil
			}
			values = append(values, c)
		}
	default:
		p.errorf(v, "value of %q must be a scalar or a list of scalars, not %s", k.Value, kindName(v))
		return nil, nil
	}
	var field match.Field
	if spec.field != "" {
		field = p.opts.FieldMap.Field(r.LogSource, spec.field)
	}
	m, desc, err := p.compileItem(spec, field, values, k)
	if err != nil {
		p.errorf(k, "%s: %v", k.Value, err)
		return nil, nil
	}
	subject := spec.field
	if subject == "" {
		subject = "any field (keyword)"
	}
	it := Item{Key: k.Value, Field: spec.field, Ref: field, Group: group, Line: k.Line, Col: k.Column, Matcher: m, Desc: subject + " " + desc}
	if spec.neq {
		it.Desc = subject + " not " + desc
	}
	return m, []Item{it}
}

// compileItem builds the matcher of one item.
func (p *docParser) compileItem(s *itemSpec, f match.Field, values []*yaml.Node, k *yaml.Node) (match.Matcher, string, error) {
	if len(values) == 0 { // `field: []` is null in Sigma
		values = []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!null"}}
	}
	nulls := 0
	for _, v := range values {
		if v.Tag == "!!null" {
			nulls++
		}
	}
	if nulls > 0 {
		if len(values) > 1 {
			return nil, "", fmt.Errorf("null cannot be one of several values; put it in its own selection and use 1 of")
		}
		if len(s.mods) > 0 || s.cased {
			return nil, "", fmt.Errorf("null cannot be used with modifiers other than neq")
		}
		if s.field == "" {
			return nil, "", fmt.Errorf("null is not a keyword")
		}
		var m match.Matcher = &match.IsNull{Field: f}
		if s.neq {
			m = match.Not{M: m}
		}
		return m, "is null", nil
	}
	if s.has["exists"] {
		if len(values) != 1 || values[0].Tag != "!!bool" {
			return nil, "", fmt.Errorf("exists needs true or false")
		}
		want := values[0].Value == "true"
		desc := "exists"
		if !want {
			desc = "does not exist"
		}
		return &match.Exists{Field: f, Want: want}, desc, nil
	}
	tests := make([]match.ValueTest, 0, len(values))
	var descs []string
	for _, v := range values {
		t, d, err := p.valueTest(s, v)
		if err != nil {
			return nil, "", err
		}
		tests = append(tests, t)
		descs = append(descs, d)
	}
	wrap := func(t match.ValueTest) match.Matcher {
		if s.field == "" {
			return &match.Keyword{Test: t}
		}
		return &match.FieldMatch{Field: f, Test: t}
	}
	var m match.Matcher
	var desc string
	if s.all {
		and := make(match.And, len(tests))
		for i, t := range tests {
			and[i] = wrap(t)
		}
		m, desc = and, strings.Join(descs, " and ")
	} else {
		m, desc = wrap(mergeTests(tests)), strings.Join(descs, " or ")
	}
	if s.neq {
		m = match.Not{M: m}
	}
	return m, desc, nil
}

// mergeTests ORs value tests, merging string patterns into one pattern.Set so that equalities
// become one hash lookup.
func mergeTests(tests []match.ValueTest) match.ValueTest {
	if len(tests) == 1 {
		return tests[0]
	}
	var pats []pattern.Matcher
	var descs []string
	var rest match.AnyTest
	for _, t := range tests {
		if tt, ok := t.(*match.Text); ok {
			pats = append(pats, tt.P)
			descs = append(descs, tt.Desc)
		} else {
			rest = append(rest, t)
		}
	}
	var merged match.ValueTest
	if len(pats) > 0 {
		merged = &match.Text{P: pattern.Set(pats...), Desc: strings.Join(descs, " or ")}
	}
	if len(rest) == 0 {
		return merged
	}
	if merged != nil {
		rest = append(match.AnyTest{merged}, rest...)
	}
	return rest
}

// valueTest compiles one rule value under the item's modifiers.
func (p *docParser) valueTest(s *itemSpec, v *yaml.Node) (match.ValueTest, string, error) {
	switch {
	case s.has["re"]:
		if v.Tag != "!!str" {
			return nil, "", fmt.Errorf("re needs a string regular expression")
		}
		flags := pattern.RegexpFlags{
			IgnoreCase: s.has["i"] || s.has["ignorecase"],
			MultiLine:  s.has["m"] || s.has["multiline"],
			DotAll:     s.has["s"] || s.has["dotall"],
		}
		m, err := pattern.Regexp(v.Value, flags)
		if err != nil {
			return nil, "", err
		}
		d := fmt.Sprintf("matches regular expression %q", v.Value)
		return &match.Text{P: m, Desc: d}, d, nil
	case s.has["cidr"]:
		m, err := pattern.CIDR(v.Value)
		if err != nil {
			return nil, "", err
		}
		d := fmt.Sprintf("is in network %s", v.Value)
		return &match.Text{P: m, Desc: d}, d, nil
	case s.has["fieldref"]:
		if v.Tag != "!!str" || pattern.HasWildcards(pattern.ParseValue(v.Value)) || v.Value == "" {
			return nil, "", fmt.Errorf("fieldref needs a field name without wildcards")
		}
		mode := match.RefEqual
		switch {
		case s.has["contains"]:
			mode = match.RefContains
		case s.has["startswith"]:
			mode = match.RefPrefix
		case s.has["endswith"]:
			mode = match.RefSuffix
		}
		t := &match.FieldRef{Ref: p.opts.FieldMap.Field(p.ls, v.Value), Mode: mode, Cased: s.cased}
		return t, t.String(), nil
	}
	if tp := timePartOf(s); tp != "" {
		n, ok := number(v)
		if !ok {
			return nil, "", fmt.Errorf("%s needs a number, not %q", tp, v.Value)
		}
		part, _ := pattern.ParseTimePart(tp)
		op := pattern.Eq
		for name, o := range compareOps {
			if s.has[name] {
				op = o
			}
		}
		t := &match.TimePart{Part: part, Name: tp, N: pattern.NumberMatcher{Op: op, Value: n}}
		return t, t.String(), nil
	}
	for name, op := range compareOps {
		if s.has[name] {
			n, ok := number(v)
			if !ok {
				return nil, "", fmt.Errorf("%s needs a number, not %q", name, v.Value)
			}
			t := &match.Number{N: pattern.NumberMatcher{Op: op, Value: n}, Text: v.Value}
			return t, t.String(), nil
		}
	}
	if len(s.mods) == 0 && s.field != "" {
		switch v.Tag {
		case "!!int", "!!float":
			if n, ok := number(v); ok {
				t := &match.Number{N: pattern.NumberMatcher{Op: pattern.Eq, Value: n}, Text: v.Value}
				return t, fmt.Sprintf("equals %s", v.Value), nil
			}
		case "!!bool":
			t := &match.Bool{Want: v.Value == "true"}
			return t, t.String(), nil
		}
	}
	return p.stringTest(s, v)
}

func timePartOf(s *itemSpec) string {
	for _, m := range s.mods {
		if _, ok := pattern.ParseTimePart(m); ok {
			return m
		}
	}
	return ""
}

func number(v *yaml.Node) (float64, bool) {
	if v.Tag == "!!int" {
		if n, err := strconv.ParseInt(v.Value, 0, 64); err == nil {
			return float64(n), true
		}
	}
	return pattern.ParseNumber(v.Value)
}

// stringTest compiles a string value with the transforming modifiers, in order.
func (p *docParser) stringTest(s *itemSpec, v *yaml.Node) (match.ValueTest, string, error) {
	raws := []string{v.Value}
	if s.has["expand"] {
		var err error
		if raws, err = expand(v.Value, p.opts.Placeholders); err != nil {
			return nil, "", err
		}
	} else if strings.Contains(v.Value, "%") && placeholderRe.MatchString(v.Value) && p.builtin {
		// Built-in rules must not carry unexpanded placeholders by accident.
		return nil, "", fmt.Errorf("value %q looks like a placeholder but has no expand modifier", v.Value)
	}
	var variants [][]pattern.Token
	for _, raw := range raws {
		variants = append(variants, pattern.ParseValue(raw))
	}
	verb := "equals"
	if s.field == "" {
		verb = "contains"
		for i, t := range variants {
			variants[i] = pattern.Contains(t)
		}
	}
	for _, m := range s.mods {
		var next [][]pattern.Token
		for _, t := range variants {
			switch m {
			case "contains":
				next, verb = append(next, pattern.Contains(t)), "contains"
			case "startswith":
				next, verb = append(next, pattern.StartsWith(t)), "starts with"
			case "endswith":
				next, verb = append(next, pattern.EndsWith(t)), "ends with"
			case "wide", "utf16le":
				next = append(next, pattern.UTF16LE(t))
			case "utf16be":
				next = append(next, pattern.UTF16BE(t))
			case "utf16":
				next = append(next, pattern.UTF16(t))
			case "base64":
				b, err := pattern.Base64(t)
				if err != nil {
					return nil, "", err
				}
				next = append(next, b)
			case "base64offset":
				bs, err := pattern.Base64Offset(t)
				if err != nil {
					return nil, "", err
				}
				next = append(next, bs...)
			case "windash":
				ws, err := pattern.Windash(t)
				if err != nil {
					return nil, "", err
				}
				next = append(next, ws...)
			case "expand":
				next = append(next, t)
			default:
				return nil, "", fmt.Errorf("modifier %q cannot be applied to a string value", m)
			}
		}
		variants = next
	}
	pats := make([]pattern.Matcher, len(variants))
	for i, t := range variants {
		pats[i] = pattern.Glob(t, s.cased)
	}
	d := fmt.Sprintf("%s %q", verb, v.Value)
	if s.cased {
		d += " (case-sensitive)"
	}
	if len(s.mods) > 0 && verb == "equals" || len(variants) > 1 {
		d = fmt.Sprintf("%s %q after %s", verb, v.Value, strings.Join(s.mods, "|"))
	}
	return &match.Text{P: pattern.Set(pats...), Desc: d}, d, nil
}
