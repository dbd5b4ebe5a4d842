package condition

import (
	"fmt"
	"strings"
)

// MaxDepth is the deepest nesting Parse accepts, counted as parentheses in
// the condition text and in its canonical form ([Node.String]).
const MaxDepth = 200

// Error reports a malformed condition, or one that does not fit the rule's
// selections.
type Error struct {
	Offset int    // byte offset of the problem in the condition text
	Msg    string // what is wrong, lower-case
}

// Error returns the offset and message.
func (e *Error) Error() string { return fmt.Sprintf("offset %d: %s", e.Offset, e.Msg) }

// Parse parses one condition string. Errors are [*Error] values; see the
// package documentation for the grammar.
func Parse(s string) (Node, error) {
	if i := strings.IndexByte(s, '|'); i >= 0 {
		return nil, &Error{Offset: i, Msg: msgPipe}
	}
	if strings.Trim(s, " \t\r\n") == "" {
		return nil, &Error{Offset: 0, Msg: "empty condition"}
	}
	p := &parser{lex: lexer{src: s}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	n, _, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		return nil, p.trailing()
	}
	return n, nil
}

// parser is a recursive-descent parser. Only parentheses recurse; "and"/"or"
// chains and "not" runs are loops. Each parse method returns the node and
// its depth: the parenthesis nesting of its canonical form.
type parser struct {
	lex    lexer
	tok    token // current token
	parens int   // open parentheses around the current token
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) parseOr() (Node, int, error) {
	return p.parseChain(tokOr, p.parseAnd)
}

func (p *parser) parseAnd() (Node, int, error) {
	return p.parseChain(tokAnd, p.parseNot)
}

// parseChain parses operand { op operand } into a left-nested chain.
func (p *parser) parseChain(op tokenKind, operand func() (Node, int, error)) (Node, int, error) {
	left, depth, err := operand()
	if err != nil || p.tok.kind != op {
		return left, depth, err
	}
	if _, _, _, same := split(left, op == tokAnd); !same {
		depth++ // the chain's own parentheses; a parenthesised "(a and b) and c" shares them
	}
	for p.tok.kind == op {
		opPos := p.tok.pos
		if err := p.advance(); err != nil {
			return nil, 0, err
		}
		right, d, err := operand()
		if err != nil {
			return nil, 0, err
		}
		if op == tokAnd {
			left = &And{Left: left, Right: right, OpPos: opPos}
		} else {
			left = &Or{Left: left, Right: right, OpPos: opPos}
		}
		depth = max(depth, d+1)
		if depth > MaxDepth {
			return nil, 0, tooDeep(opPos)
		}
	}
	return left, depth, nil
}

func (p *parser) parseNot() (Node, int, error) {
	var nots []int
	for p.tok.kind == tokNot {
		nots = append(nots, p.tok.pos)
		if err := p.advance(); err != nil {
			return nil, 0, err
		}
	}
	x, depth, err := p.parsePrimary()
	if err != nil {
		return nil, 0, err
	}
	if depth+len(nots) > MaxDepth {
		return nil, 0, tooDeep(nots[0])
	}
	for i := len(nots) - 1; i >= 0; i-- {
		x = &Not{X: x, Offset: nots[i]}
	}
	return x, depth + len(nots), nil
}

func (p *parser) parsePrimary() (Node, int, error) {
	t := p.tok
	switch t.kind {
	case tokLParen:
		return p.parseParen()
	case tokWord:
		if err := p.advance(); err != nil {
			return nil, 0, err
		}
		if p.tok.kind == tokOf {
			n, err := p.parseOf(t)
			return n, 0, err
		}
		if i := strings.IndexByte(t.text, '*'); i >= 0 {
			return nil, 0, &Error{Offset: t.pos, Msg: fmt.Sprintf(
				`wildcard in %q: patterns are only allowed after "1 of", "any of" or "all of"`, t.text)}
		}
		return &Ident{Name: t.text, Offset: t.pos}, 0, nil
	case tokRParen:
		if p.parens == 0 {
			return nil, 0, unmatchedClose(t.pos)
		}
	case tokOf:
		return nil, 0, &Error{Offset: t.pos, Msg: `"of" needs a quantifier before it: "1 of", "any of" or "all of"`}
	case tokThem:
		return nil, 0, &Error{Offset: t.pos, Msg: `"them" is only allowed after "1 of", "any of" or "all of"`}
	}
	return nil, 0, &Error{Offset: t.pos, Msg: fmt.Sprintf(
		`unexpected %s; expected a selection name, "not", "(" or "1 of"/"all of"`, t)}
}

func (p *parser) parseParen() (Node, int, error) {
	open := p.tok
	p.parens++
	if p.parens > MaxDepth {
		return nil, 0, tooDeep(open.pos)
	}
	if err := p.advance(); err != nil {
		return nil, 0, err
	}
	if p.tok.kind == tokRParen {
		return nil, 0, &Error{Offset: open.pos, Msg: "empty parentheses"}
	}
	n, depth, err := p.parseOr()
	if err != nil {
		return nil, 0, err
	}
	switch p.tok.kind {
	case tokRParen:
	case tokEOF:
		return nil, 0, &Error{Offset: open.pos, Msg: `unbalanced parenthesis: "(" is never closed`}
	default:
		return nil, 0, p.trailing()
	}
	p.parens--
	if err := p.advance(); err != nil {
		return nil, 0, err
	}
	return n, depth, nil
}

// parseOf parses the rest of "quantifier of target"; q is the quantifier
// and the current token is "of".
func (p *parser) parseOf(q token) (Node, error) {
	n := &Of{Offset: q.pos}
	switch q.text {
	case "1", "any":
	case "all":
		n.All = true
	default:
		return nil, badQuantifier(q)
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	t := p.tok
	switch t.kind {
	case tokThem:
		n.Them = true
	case tokWord:
		if i := strings.IndexByte(t.text, '-'); i >= 0 {
			return nil, &Error{Offset: t.pos + i, Msg: fmt.Sprintf(
				`invalid pattern %q: patterns may contain only letters, digits, "_" and "*"`, t.text)}
		}
		n.Pattern = t.text
	default:
		return nil, &Error{Offset: t.pos, Msg: fmt.Sprintf(
			`unexpected %s; expected a selection name pattern or "them" after "%s of"`, t, q.text)}
	}
	return n, p.advance()
}

func badQuantifier(q token) error {
	if strings.Trim(q.text, "0123456789") == "" {
		return &Error{Offset: q.pos, Msg: fmt.Sprintf(
			`"%s of" is not supported: the only quantifiers are "1", "any" and "all"`, q.text)}
	}
	switch lower := strings.ToLower(q.text); lower {
	case "any", "all":
		return &Error{Offset: q.pos, Msg: upperKeyword(q.text)}
	}
	return &Error{Offset: q.pos, Msg: fmt.Sprintf(
		`unexpected "of" after %q: the quantifier must be "1", "any" or "all"`, q.text)}
}

// obsoleteWords are words that, found where an operator is expected, suggest
// the Sigma 1.x aggregation syntax. It is read-only.
var obsoleteWords = map[string]bool{
	"count": true, "near": true, "by": true, "timeframe": true,
	"min": true, "max": true, "avg": true, "sum": true,
}

// trailing reports the current token, found after a complete expression.
func (p *parser) trailing() error {
	t := p.tok
	if t.kind == tokRParen && p.parens == 0 {
		return unmatchedClose(t.pos)
	}
	want := `"and", "or" or end of condition`
	if p.parens > 0 {
		want = `"and", "or" or ")"`
	}
	msg := fmt.Sprintf("unexpected %s; expected %s", t, want)
	if t.kind == tokWord && obsoleteWords[strings.ToLower(t.text)] {
		msg += " (aggregations are obsolete since Sigma 2.0: write a correlation rule)"
	}
	return &Error{Offset: t.pos, Msg: msg}
}

func unmatchedClose(pos int) error {
	return &Error{Offset: pos, Msg: `unbalanced parenthesis: ")" has no matching "("`}
}

func tooDeep(pos int) error {
	return &Error{Offset: pos, Msg: fmt.Sprintf("condition nested too deeply (more than %d levels)", MaxDepth)}
}
