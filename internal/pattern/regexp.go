package pattern

import (
	"fmt"
	"regexp"
)

// RegexpFlags are the sub-modifiers of the Sigma `re` modifier: `i`
// (alias `ignorecase`), `m` (`multiline`) and `s` (`dotall`).
type RegexpFlags struct {
	IgnoreCase bool // `i`: case-insensitive (Unicode simple folding)
	MultiLine  bool // `m`: `^` and `$` also match at line breaks
	DotAll     bool // `s`: `.` also matches a newline
}

// String returns the flags as the RE2 flag letters ("ims", or "" for none).
func (f RegexpFlags) String() string {
	var s string
	if f.IgnoreCase {
		s += "i"
	}
	if f.MultiLine {
		s += "m"
	}
	if f.DotAll {
		s += "s"
	}
	return s
}

// Regexp compiles the value of a Sigma `re` modifier with Go's RE2 engine,
// which runs in time linear in the input (never a backtracking engine).
// The expression is taken raw, with no wildcard or escape processing. It is
// searched for anywhere in the value (unanchored, as sigma-go and Hayabusa
// do; anchor it with `^…$` for a whole-value match) and is case-sensitive
// unless f.IgnoreCase. PCRE constructs RE2 lacks (lookaround, backreferences)
// are errors; the error names the expression. When every match must contain
// some case-sensitive literal of three bytes or more, the matcher first
// checks for it with a substring search, which rejects most values far more
// cheaply than the regexp engine.
func Regexp(expr string, f RegexpFlags) (Matcher, error) {
	prefix := ""
	if fl := f.String(); fl != "" {
		prefix = "(?" + fl + ")"
	}
	re, err := regexp.Compile(prefix + expr)
	if err != nil {
		return nil, fmt.Errorf("compiling regular expression %q: %w", expr, err)
	}
	m := &regexpMatcher{re: re, expr: expr, flags: f}
	if lit := requiredLiteral(prefix + expr); lit != "" {
		return &prefiltered{lit: lit, regexpMatcher: m}, nil
	}
	return m, nil
}

// regexpMatcher is the matcher built by Regexp.
type regexpMatcher struct {
	re    *regexp.Regexp
	expr  string
	flags RegexpFlags
}

func (m *regexpMatcher) MatchString(s string) bool { return m.re.MatchString(s) }

func (m *regexpMatcher) String() string {
	if fl := m.flags.String(); fl != "" {
		return fmt.Sprintf("matches regexp %q (flags %s)", m.expr, fl)
	}
	return fmt.Sprintf("matches regexp %q", m.expr)
}
