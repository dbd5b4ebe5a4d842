package pattern

import (
	"strconv"
	"strings"
	"testing"
)

func TestRegexp(t *testing.T) {
	tests := []struct {
		expr  string
		flags RegexpFlags
		input string
		want  bool
	}{
		// Unanchored search, case-sensitive by default (MODS §Regular Expression).
		{`Assume.*Role`, RegexpFlags{}, "sts:AssumeRoleWithSAML", true},
		{`Assume.*Role`, RegexpFlags{}, "sts:assumerole", false},
		{`^Assume`, RegexpFlags{}, "sts:AssumeRole", false},
		{`^sts:Assume$`, RegexpFlags{}, "sts:Assume", true},
		{`[0-9]{3}`, RegexpFlags{}, "code 403", true},
		{`a|b`, RegexpFlags{}, "xbx", true},
		// i: case-insensitive.
		{`Assume.*Role`, RegexpFlags{IgnoreCase: true}, "sts:assumerole", true},
		{`é`, RegexpFlags{IgnoreCase: true}, "É", true},
		// m: ^ and $ per line.
		{`^b$`, RegexpFlags{}, "a\nb\nc", false},
		{`^b$`, RegexpFlags{MultiLine: true}, "a\nb\nc", true},
		// s: dot matches newline.
		{`a.b`, RegexpFlags{}, "a\nb", false},
		{`a.b`, RegexpFlags{DotAll: true}, "a\nb", true},
		{`^A.B$`, RegexpFlags{IgnoreCase: true, MultiLine: true, DotAll: true}, "x\na\nb", true},
		// Raw expression: no Sigma escape processing.
		{`C:\\Windows\\`, RegexpFlags{}, `C:\Windows\System32`, true},
		{`a\*`, RegexpFlags{}, `a*`, true},
		{`a\*`, RegexpFlags{}, `aaa`, false},
	}
	for _, tt := range tests {
		m, err := Regexp(tt.expr, tt.flags)
		if err != nil {
			t.Fatalf("Regexp(%q, %+v) error: %v", tt.expr, tt.flags, err)
		}
		if got := m.MatchString(tt.input); got != tt.want {
			t.Errorf("Regexp(%q, %+v).MatchString(%q) = %v, want %v", tt.expr, tt.flags, tt.input, got, tt.want)
		}
	}
}

func TestRegexpErrors(t *testing.T) {
	for _, expr := range []string{`(`, `a{2,1}`, `(?<=a)b`, `(a)\1`, `[z-a]`} {
		m, err := Regexp(expr, RegexpFlags{})
		if err == nil {
			t.Errorf("Regexp(%q) = %v, want an error", expr, Describe(m))
			continue
		}
		if !strings.Contains(err.Error(), strconv.Quote(expr)) {
			t.Errorf("Regexp(%q) error %q does not name the expression", expr, err)
		}
	}
}

func TestRegexpDescribe(t *testing.T) {
	tests := []struct {
		flags RegexpFlags
		want  string
	}{
		{RegexpFlags{}, `matches regexp "a.*b"`},
		{RegexpFlags{IgnoreCase: true, DotAll: true}, `matches regexp "a.*b" (flags is)`},
	}
	for _, tt := range tests {
		m, err := Regexp("a.*b", tt.flags)
		if err != nil {
			t.Fatal(err)
		}
		if got := Describe(m); got != tt.want {
			t.Errorf("Describe(Regexp(a.*b, %+v)) = %q, want %q", tt.flags, got, tt.want)
		}
	}
}
