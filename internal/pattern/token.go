package pattern

import (
	"fmt"
	"strings"
)

// TokenKind is the kind of one Token of a parsed Sigma string value.
type TokenKind uint8

// Token kinds. The literal kind is named Plain because Literal is the
// constructor of a wildcard-free value.
const (
	// Plain is a run of characters matched as written (case-folded unless the
	// matcher is cased).
	Plain TokenKind = iota
	// Star is the `*` wildcard: zero or more characters.
	Star
	// Question is the `?` wildcard: exactly one character, that is one Unicode
	// code point (or one byte that is not valid UTF-8).
	Question
)

// String returns the name of the kind, for test failures and debugging.
func (k TokenKind) String() string {
	switch k {
	case Plain:
		return "Plain"
	case Star:
		return "Star"
	case Question:
		return "Question"
	}
	return "TokenKind(?)"
}

// Token is one element of a parsed Sigma string value: a literal run (Kind
// Plain, text in Lit) or a wildcard (Kind Star or Question, Lit empty).
type Token struct {
	Kind TokenKind
	Lit  string
}

// ParseValue splits a Sigma string value into literal runs and wildcards,
// following the escaping rules of the Sigma specification (RULES §Escape
// Character) as pySigma's SigmaString implements them, scanning left to right:
//
//   - `*` and `?` are wildcards;
//   - `\` followed by `*`, `?` or `\` yields that character as a literal;
//   - `\` followed by any other character is itself literal (`C:\Windows`);
//   - a trailing lone `\` is literal.
//
// So `\*` is a literal star, `\\*` a literal backslash and a wildcard,
// `\\\*` a literal backslash and a literal star, and both `\\\` and `\\\\`
// give `\\`. The result is normalised: no empty literal, adjacent literals
// merged, consecutive stars collapsed into one. The empty value gives no
// token at all.
func ParseValue(s string) []Token {
	var toks []Token
	var acc strings.Builder
	flush := func() {
		if acc.Len() > 0 {
			toks = append(toks, Token{Kind: Plain, Lit: acc.String()})
			acc.Reset()
		}
	}
	escaped := false
	// Byte-wise scanning is safe: the special characters are ASCII and never
	// occur inside a multi-byte UTF-8 sequence.
	for i := 0; i < len(s); i++ {
		c := s[i]
		if escaped {
			escaped = false
			if c != '*' && c != '?' && c != '\\' {
				acc.WriteByte('\\')
			}
			acc.WriteByte(c)
			continue
		}
		switch c {
		case '\\':
			escaped = true
		case '*':
			flush()
			if len(toks) == 0 || toks[len(toks)-1].Kind != Star {
				toks = append(toks, Token{Kind: Star})
			}
		case '?':
			flush()
			toks = append(toks, Token{Kind: Question})
		default:
			acc.WriteByte(c)
		}
	}
	if escaped {
		acc.WriteByte('\\')
	}
	flush()
	return toks
}

// FormatValue is the inverse of ParseValue: it writes t back in Sigma syntax,
// escaping literal `*` and `?` and doubling a literal `\` only where a single
// one would be read as an escape. ParseValue(FormatValue(t)) equals the
// normalised t. Descriptions use it to show values.
func FormatValue(t []Token) string {
	var b strings.Builder
	for i, tok := range t {
		switch tok.Kind {
		case Star:
			b.WriteByte('*')
			continue
		case Question:
			b.WriteByte('?')
			continue
		}
		for j := 0; j < len(tok.Lit); j++ {
			switch c := tok.Lit[j]; c {
			case '*', '?':
				b.WriteByte('\\')
				b.WriteByte(c)
			case '\\':
				b.WriteByte('\\')
				if escapesNext(t, i, j) {
					b.WriteByte('\\')
				}
			default:
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}

// escapesNext reports whether a single `\` written for t[i].Lit[j] would be
// read as an escape, because the next written character is `*`, `?` or `\`.
func escapesNext(t []Token, i, j int) bool {
	if j+1 < len(t[i].Lit) {
		c := t[i].Lit[j+1]
		return c == '*' || c == '?' || c == '\\'
	}
	for _, next := range t[i+1:] {
		if next.Kind != Plain {
			return true
		}
		if next.Lit != "" {
			c := next.Lit[0]
			return c == '*' || c == '?' || c == '\\'
		}
	}
	return false
}

// Literal returns the tokens of a value that has no wildcard at all: s is taken
// verbatim, with no escape processing (field references, keywords, values
// produced by encodings). The empty string gives no token.
func Literal(s string) []Token {
	if s == "" {
		return nil
	}
	return []Token{{Kind: Plain, Lit: s}}
}

// HasWildcards reports whether t contains a Star or a Question token.
func HasWildcards(t []Token) bool {
	for _, tok := range t {
		if tok.Kind != Plain {
			return true
		}
	}
	return false
}

// Contains implements the `contains` modifier: a Star is added at the start
// and at the end of the normalised t, each only where t does not already have
// one (as pySigma). Contains of the empty value is a lone Star. t is not
// modified.
func Contains(t []Token) []Token {
	return EndsWith(StartsWith(t))
}

// StartsWith implements the `startswith` modifier: a Star is appended to the
// normalised t unless it already ends with one. t is not modified.
func StartsWith(t []Token) []Token {
	t = normalize(t)
	if len(t) == 0 || t[len(t)-1].Kind != Star {
		t = append(t, Token{Kind: Star})
	}
	return t
}

// EndsWith implements the `endswith` modifier: a Star is prepended to the
// normalised t unless it already starts with one. t is not modified.
func EndsWith(t []Token) []Token {
	t = normalize(t)
	if len(t) == 0 || t[0].Kind != Star {
		t = append([]Token{{Kind: Star}}, t...)
	}
	return t
}

// normalize returns a fresh copy of t without empty literals, with adjacent
// literals merged and consecutive stars collapsed. It never aliases t, and
// panics on a token kind other than Plain, Star and Question.
func normalize(t []Token) []Token {
	out := make([]Token, 0, len(t)+1)
	for _, tok := range t {
		n := len(out)
		switch {
		case tok.Kind == Plain && tok.Lit == "":
		case tok.Kind == Plain && n > 0 && out[n-1].Kind == Plain:
			out[n-1].Lit += tok.Lit
		case tok.Kind == Star && n > 0 && out[n-1].Kind == Star:
		case tok.Kind == Plain:
			out = append(out, tok)
		case tok.Kind == Star || tok.Kind == Question:
			out = append(out, Token{Kind: tok.Kind})
		default:
			panic(fmt.Sprintf("pattern: invalid token kind %d", tok.Kind))
		}
	}
	return out
}
