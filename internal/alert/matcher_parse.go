package alert

import (
	"fmt"
	"strings"
)

// ParseMatcher parses an Alertmanager-style matcher: field=value, field!=value, field=~regexp or
// field!~regexp, the syntax of silences (CLI, console, API) and of notification routes. The
// value may be double-quoted (escapes as in Alertmanager, see unquote; Matcher.String writes
// that form); spaces around the field, the operator and an unquoted value are ignored. It
// checks the syntax only: Silence.Validate and the route compilers check the field and the
// regular expression.
func ParseMatcher(s string) (Matcher, error) {
	i := strings.IndexAny(s, "=!")
	field := strings.TrimSpace(s[:max(i, 0)])
	if i < 0 || field == "" {
		return Matcher{}, fmt.Errorf("matcher %q: want field=value, field!=value, field=~regexp or field!~regexp", s)
	}
	rest := s[i:]
	var op MatchOp
	for _, o := range []MatchOp{OpRegexp, OpNotEqual, OpNotRegexp, OpEqual} {
		if strings.HasPrefix(rest, string(o)) {
			op = o
			break
		}
	}
	if op == "" {
		return Matcher{}, fmt.Errorf("matcher %q: unknown operator (use =, !=, =~ or !~)", s)
	}
	v := strings.TrimSpace(rest[len(op):])
	if strings.HasPrefix(v, `"`) {
		uq, ok := unquote(v)
		if !ok {
			return Matcher{}, fmt.Errorf("matcher %q: bad quoted value", s)
		}
		v = uq
	}
	return Matcher{Field: field, Op: op, Value: v}, nil
}

// unquote removes the double quotes around q and resolves the escapes \", \\ and \n, as
// Alertmanager does; any other backslash stays, so that regular expressions such as
// "attack\..*" need no doubling.
func unquote(q string) (string, bool) {
	if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		return "", false
	}
	var b strings.Builder
	escaped := false
	for _, r := range q[1 : len(q)-1] {
		switch {
		case escaped:
			escaped = false
			switch r {
			case 'n':
				b.WriteByte('\n')
			case '"', '\\':
				b.WriteRune(r)
			default:
				b.WriteByte('\\')
				b.WriteRune(r)
			}
		case r == '\\':
			escaped = true
		case r == '"':
			return "", false // an unescaped quote inside
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), !escaped
}
