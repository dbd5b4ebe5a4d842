package synth

import (
	"strconv"
	"unicode/utf8"
)

// This file holds the append-style JSON writers. Object members and array
// elements get their separating comma from sep, which looks at the previous
// byte, so writers need no "first" bookkeeping.

const hexDigits = "0123456789abcdef"

// appendQuote appends s as a JSON string.
func appendQuote(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendEscaped(b, s)
	return append(b, '"')
}

// appendEscaped appends the JSON string escaping of s, without quotes.
// Invalid UTF-8 becomes U+FFFD.
func appendEscaped(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, `\ufffd`...)
				i += size
				start = i
				continue
			}
			i += size
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' {
			i++
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	return append(b, s[start:]...)
}

// sep appends the comma that separates a member or element from the
// previous one, unless b ends an opening brace or bracket.
func sep(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] != '{' && b[n-1] != '[' {
		b = append(b, ',')
	}
	return b
}

// key appends the member name k, which must need no escaping, and a colon.
func key(b []byte, k string) []byte {
	b = append(sep(b), '"')
	b = append(b, k...)
	return append(b, '"', ':')
}

func kstr(b []byte, k, v string) []byte { return appendQuote(key(b, k), v) }

func kint(b []byte, k string, v int64) []byte { return strconv.AppendInt(key(b, k), v, 10) }

func kbool(b []byte, k string, v bool) []byte { return strconv.AppendBool(key(b, k), v) }

// kraw appends a member whose value is the literal JSON raw.
func kraw(b []byte, k, raw string) []byte { return append(key(b, k), raw...) }

// kobj opens an object member; the caller closes it with '}'.
func kobj(b []byte, k string) []byte { return append(key(b, k), '{') }

// karr opens an array member; the caller closes it with ']'.
func karr(b []byte, k string) []byte { return append(key(b, k), '[') }

// estr appends a string array element.
func estr(b []byte, v string) []byte { return appendQuote(sep(b), v) }

// eobj opens an object array element; the caller closes it with '}'.
func eobj(b []byte) []byte { return append(sep(b), '{') }

// items appends the EC2 query-API list shape
// "k":{"items":[{"field":"v1"},{"field":"v2"}]}.
func items(b []byte, k, field string, values ...string) []byte {
	b = append(kobj(b, k), `"items":[`...)
	for _, v := range values {
		b = append(kstr(eobj(b), field, v), '}')
	}
	return append(b, ']', '}')
}

// filterSet appends an EC2 filterSet with one filter.
func filterSet(b []byte, name string, values ...string) []byte {
	b = append(kobj(b, "filterSet"), `"items":[`...)
	b = kstr(eobj(b), "name", name)
	b = append(items(b, "valueSet", "value", values...), '}')
	return append(b, ']', '}')
}
