package pattern

import (
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// requiredLiteral returns the longest case-sensitive literal that every match of the regular
// expression must contain, or "" when there is none worth checking. A regexp is then tried only on
// values that contain the literal, a plain substring search being far cheaper than the regexp
// engine on the values that cannot match.
func requiredLiteral(expr string) string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return ""
	}
	best := longestRequired(re.Simplify())
	// The regexp engine reads a byte that is not UTF-8 as U+FFFD, which a
	// substring search for the encoded U+FFFD would miss.
	if len(best) < 3 || strings.ContainsRune(best, utf8.RuneError) {
		return ""
	}
	return best
}

// longestRequired walks the nodes a match must go through (concatenations, captures and
// repetitions of at least one) and returns the longest literal among them.
func longestRequired(re *syntax.Regexp) string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return ""
		}
		return string(re.Rune)
	case syntax.OpCapture:
		return longestRequired(re.Sub[0])
	case syntax.OpPlus:
		return longestRequired(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return longestRequired(re.Sub[0])
		}
	case syntax.OpConcat:
		best := ""
		for _, s := range re.Sub {
			if l := longestRequired(s); len(l) > len(best) {
				best = l
			}
		}
		return best
	}
	return ""
}

// prefiltered is a matcher guarded by a required literal.
type prefiltered struct {
	lit string
	*regexpMatcher
}

func (m *prefiltered) MatchString(s string) bool {
	return strings.Contains(s, m.lit) && m.regexpMatcher.MatchString(s)
}
