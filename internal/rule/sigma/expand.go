package sigma

import (
	"fmt"
	"regexp"
	"strings"
)

// placeholderRe finds `%name%` placeholders; `\%` is a literal percent sign.
var placeholderRe = regexp.MustCompile(`(?:^|[^\\])%([A-Za-z0-9_.-]+)%`)

// maxExpansions bounds the values one placeholder value can expand to.
const maxExpansions = 4096

// expand resolves the placeholders of an `expand` value into the list of values it stands for
// (the cartesian product when several placeholders appear). Placeholder values are Sigma values:
// their wildcards are honoured.
func expand(value string, placeholders map[string][]string) ([]string, error) {
	out := []string{""}
	rest := value
	found := false
	for {
		loc := nextPlaceholder(rest)
		if loc == nil {
			break
		}
		found = true
		name := rest[loc[0]+1 : loc[1]-1]
		vals, ok := placeholders[name]
		if !ok || len(vals) == 0 {
			return nil, fmt.Errorf("placeholder %%%s%% has no values (supply it with --placeholder %s=VALUE or the placeholders file)", name, name)
		}
		prefix := strings.ReplaceAll(rest[:loc[0]], `\%`, "%")
		var next []string
		for _, o := range out {
			for _, v := range vals {
				next = append(next, o+prefix+v)
			}
		}
		if len(next) > maxExpansions {
			return nil, fmt.Errorf("placeholders expand to more than %d values", maxExpansions)
		}
		out = next
		rest = rest[loc[1]:]
	}
	if !found {
		return []string{strings.ReplaceAll(value, `\%`, "%")}, nil
	}
	for i := range out {
		out[i] += strings.ReplaceAll(rest, `\%`, "%")
	}
	return out, nil
}

// nextPlaceholder returns the [start, end) of the next unescaped %name% in s.
func nextPlaceholder(s string) []int {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && s[i+1] == '%' {
			i++
			continue
		}
		if s[i] != '%' {
			continue
		}
		j := strings.IndexByte(s[i+1:], '%')
		if j <= 0 {
			return nil
		}
		name := s[i+1 : i+1+j]
		if strings.ContainsAny(name, " \\*?") {
			continue
		}
		return []int{i, i + j + 2}
	}
	return nil
}
