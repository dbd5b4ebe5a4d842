package pattern

import "strconv"

// Op is a numeric comparison: plain numeric equality or one of the Sigma
// modifiers gt, gte, lt and lte.
type Op uint8

// Numeric comparison operators; the event value is the left operand.
const (
	Eq  Op = iota // value == Value
	Gt            // value > Value (`gt`)
	Gte           // value >= Value (`gte`)
	Lt            // value < Value (`lt`)
	Lte           // value <= Value (`lte`)
)

// String returns the operator's symbol.
func (o Op) String() string {
	switch o {
	case Eq:
		return "=="
	case Gt:
		return ">"
	case Gte:
		return ">="
	case Lt:
		return "<"
	case Lte:
		return "<="
	}
	return "Op(?)"
}

// ParseNumber parses decimal number text as JSON writes it, leniently: an
// optional sign ('+' too), digits with an optional fraction (".5" and "5."
// too), an optional exponent, with surrounding ASCII white space ignored
// (" 42 " is 42). It rejects "", hexadecimal, underscores, "NaN", "Inf" and
// values out of float64 range, so that a non-numeric event value never
// compares. It does not allocate.
func ParseNumber(s string) (float64, bool) {
	s = trimSpace(s)
	if !isDecimal(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// isDecimal checks the grammar [+-]? (d+ (. d*)? | . d+) ([eE] [+-]? d+)?.
func isDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(s) && isDigit(s[i]); i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && isDigit(s[i]); i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := i
		for ; i < len(s) && isDigit(s[i]); i++ {
		}
		if i == exp {
			return false
		}
	}
	return i == len(s)
}

// trimSpace removes leading and trailing ASCII spaces, tabs, CRs and LFs.
func trimSpace(s string) string {
	for s != "" && isSpace(s[0]) {
		s = s[1:]
	}
	for s != "" && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// NumberMatcher compares numbers with a Sigma rule value: Op applied to the
// event value and Value. Comparisons use float64, so integers beyond 2^53
// compare approximately. The zero value is "equals 0".
type NumberMatcher struct {
	Op    Op
	Value float64
}

// MatchNumber reports whether x Op Value holds; NaN never matches.
func (m NumberMatcher) MatchNumber(x float64) bool {
	switch m.Op {
	case Eq:
		return x == m.Value
	case Gt:
		return x > m.Value
	case Gte:
		return x >= m.Value
	case Lt:
		return x < m.Value
	case Lte:
		return x <= m.Value
	}
	return false
}

// MatchString parses s with ParseNumber and compares it; text that is not a
// number never matches.
func (m NumberMatcher) MatchString(s string) bool {
	x, ok := ParseNumber(s)
	return ok && m.MatchNumber(x)
}

// String describes the comparison, e.g. "is a number > 42".
func (m NumberMatcher) String() string {
	return "is a number " + m.Op.String() + " " + strconv.FormatFloat(m.Value, 'g', -1, 64)
}
