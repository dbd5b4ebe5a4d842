package condition

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

type tokenKind int

const (
	tokEOF    tokenKind = iota
	tokWord             // identifier, quantifier, number or pattern
	tokAnd              // "and"
	tokOr               // "or"
	tokNot              // "not"
	tokOf               // "of"
	tokThem             // "them"
	tokLParen           // "("
	tokRParen           // ")"
)

// keywords maps each reserved word to its token kind. It is read-only.
var keywords = map[string]tokenKind{
	"and":  tokAnd,
	"or":   tokOr,
	"not":  tokNot,
	"of":   tokOf,
	"them": tokThem,
}

type token struct {
	kind tokenKind
	text string
	pos  int
}

// String describes the token for error messages.
func (t token) String() string {
	if t.kind == tokEOF {
		return "end of condition"
	}
	return fmt.Sprintf("%q", t.text)
}

// lexer splits a condition into tokens on demand, so errors come out in text
// order.
type lexer struct {
	src string
	off int
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '_' || c == '-' || c == '*'
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// next returns the next token.
func (l *lexer) next() (token, error) {
	for l.off < len(l.src) && isSpace(l.src[l.off]) {
		l.off++
	}
	start := l.off
	if start == len(l.src) {
		return token{kind: tokEOF, pos: start}, nil
	}
	switch c := l.src[start]; {
	case c == '(':
		l.off++
		return token{kind: tokLParen, text: "(", pos: start}, nil
	case c == ')':
		l.off++
		return token{kind: tokRParen, text: ")", pos: start}, nil
	case c == '|':
		// Parse rejects pipes before lexing; kept so the lexer is total.
		return token{}, &Error{Offset: start, Msg: msgPipe}
	case !isWordByte(c):
		r, _ := utf8.DecodeRuneInString(l.src[start:])
		return token{}, &Error{Offset: start, Msg: fmt.Sprintf("unexpected character %q", r)}
	}
	for l.off < len(l.src) && isWordByte(l.src[l.off]) {
		l.off++
	}
	text := l.src[start:l.off]
	if kind, ok := keywords[text]; ok {
		return token{kind: kind, text: text, pos: start}, nil
	}
	lower := strings.ToLower(text)
	if _, ok := keywords[lower]; ok {
		return token{}, &Error{Offset: start, Msg: upperKeyword(text)}
	}
	if lower == "timeframe" && strings.HasPrefix(strings.TrimLeft(l.src[l.off:], " \t\r\n"), ":") {
		return token{}, &Error{Offset: start, Msg: msgTimeframe}
	}
	return token{kind: tokWord, text: text, pos: start}, nil
}

const (
	msgPipe = `the pipe aggregation syntax ("| count()", "| near") is obsolete since Sigma 2.0: ` +
		`write it as a correlation rule`
	msgTimeframe = `"timeframe" is obsolete since Sigma 2.0: ` +
		`write the aggregation as a correlation rule with a timespan`
)

func upperKeyword(text string) string {
	return fmt.Sprintf("keywords are lower-case: write %q, not %q", strings.ToLower(text), text)
}
