package condition

import (
	"slices"
	"strings"
)

// Node is a parsed condition: one of [*And], [*Or], [*Not], [*Ident] and
// [*Of].
type Node interface {
	// Pos returns the byte offset of the node's first token in the
	// condition text.
	Pos() int
	// String returns the canonical, fully parenthesised form of the node,
	// which Parse accepts and parses back to an equal tree.
	String() string
}

// And is "Left and Right". A chain "a and b and c" is left-nested:
// And{Left: And{a, b}, Right: c}.
type And struct {
	Left, Right Node
	// OpPos is the byte offset of the "and" keyword. For a node made by
	// Resolve from an [Of], it is the offset of the quantifier.
	OpPos int
}

// Or is "Left or Right". A chain "a or b or c" is left-nested:
// Or{Left: Or{a, b}, Right: c}.
type Or struct {
	Left, Right Node
	// OpPos is the byte offset of the "or" keyword. For a node made by
	// Resolve from an [Of], it is the offset of the quantifier.
	OpPos int
}

// Not is "not X".
type Not struct {
	X      Node
	Offset int // byte offset of the "not" keyword
}

// Ident names one selection of the rule's detection.
type Ident struct {
	Name   string
	Offset int // byte offset of the name
}

// Of is "1 of target", "any of target" or "all of target", where the target
// is "them" or a pattern over selection names.
type Of struct {
	// All is true for "all of" and false for "1 of" and "any of".
	All bool
	// Pattern is the name pattern, with "*" standing for any run of
	// characters; it is empty when Them is true.
	Pattern string
	// Them is true for "them": every selection whose name does not start
	// with "_".
	Them bool
	// Offset is the byte offset of the quantifier.
	Offset int
	// Expanded is nil in a tree returned by Parse. Resolve sets it to the
	// equivalent explicit expression: an [*Or] (All false) or [*And] (All
	// true) chain of [*Ident] nodes in sorted name order, or a single
	// [*Ident] when one name matches.
	Expanded Node
}

// Pos returns the offset of the left operand's first token.
func (n *And) Pos() int { return pos(n.Left, n.OpPos) }

// Pos returns the offset of the left operand's first token.
func (n *Or) Pos() int { return pos(n.Left, n.OpPos) }

// Pos returns the offset of the "not" keyword.
func (n *Not) Pos() int { return n.Offset }

// Pos returns the offset of the name.
func (n *Ident) Pos() int { return n.Offset }

// Pos returns the offset of the quantifier.
func (n *Of) Pos() int { return n.Offset }

// pos returns the position of the first token of a chain whose leftmost
// operand is n, falling back to def for a nil operand.
func pos(n Node, def int) int {
	for {
		switch x := n.(type) {
		case *And:
			n, def = x.Left, x.OpPos
		case *Or:
			n, def = x.Left, x.OpPos
		case nil:
			return def
		default:
			return x.Pos()
		}
	}
}

// String returns the canonical form, e.g. "(a and b and c)".
func (n *And) String() string { return format(n) }

// String returns the canonical form, e.g. "(a or (b and c))".
func (n *Or) String() string { return format(n) }

// String returns the canonical form, e.g. "(not a)".
func (n *Not) String() string { return format(n) }

// String returns the name.
func (n *Ident) String() string { return n.Name }

// String returns the canonical form: "1 of pattern", "all of them", …; a
// resolved Of prints the same as an unresolved one.
func (n *Of) String() string { return format(n) }

func format(n Node) string {
	var b strings.Builder
	writeNode(&b, n)
	return b.String()
}

// writeNode writes the canonical form of n. Chains of one operator are
// written flat, so the recursion depth is the nesting depth of the canonical
// form (bounded by MaxDepth for parsed trees), not the chain length.
func writeNode(b *strings.Builder, n Node) {
	switch n := n.(type) {
	case nil:
		b.WriteString("<nil>")
	case *Ident:
		b.WriteString(n.Name)
	case *Of:
		if n.All {
			b.WriteString("all of ")
		} else {
			b.WriteString("1 of ")
		}
		if n.Them {
			b.WriteString("them")
		} else {
			b.WriteString(n.Pattern)
		}
	case *Not:
		b.WriteString("(not ")
		writeNode(b, n.X)
		b.WriteByte(')')
	case *And, *Or:
		c := flatten(n)
		kw := " or "
		if c.and {
			kw = " and "
		}
		b.WriteByte('(')
		for i, o := range c.operands {
			if i > 0 {
				b.WriteString(kw)
			}
			writeNode(b, o)
		}
		b.WriteByte(')')
	default:
		b.WriteString(n.String())
	}
}

// chain is a left-nested run of one binary operator, "a and b and c",
// flattened: operands [a b c] and the offsets of the two "and"s.
type chain struct {
	and      bool
	operands []Node
	opPos    []int // opPos[i] is the operator between operands[i] and operands[i+1]
}

// flatten walks the left spine of an *And or *Or without recursion. Any
// other node is returned as a one-operand chain.
func flatten(n Node) chain {
	var c chain
	_, c.and = n.(*And)
	var rights []Node
	for {
		l, r, op, ok := split(n, c.and)
		if !ok {
			break
		}
		rights = append(rights, r)
		c.opPos = append(c.opPos, op)
		n = l
	}
	c.operands = make([]Node, 0, len(rights)+1)
	c.operands = append(c.operands, n)
	for i := len(rights) - 1; i >= 0; i-- {
		c.operands = append(c.operands, rights[i])
	}
	slices.Reverse(c.opPos)
	return c
}

// split returns the operands and operator offset of n if n is an *And (for
// and true) or an *Or (for and false).
func split(n Node, and bool) (l, r Node, opPos int, ok bool) {
	if and {
		if x, ok := n.(*And); ok {
			return x.Left, x.Right, x.OpPos, true
		}
		return nil, nil, 0, false
	}
	if x, ok := n.(*Or); ok {
		return x.Left, x.Right, x.OpPos, true
	}
	return nil, nil, 0, false
}

// join builds the left-nested chain of operands; opPos must have one entry
// fewer than operands, which must not be empty.
func join(and bool, operands []Node, opPos []int) Node {
	n := operands[0]
	for i, o := range operands[1:] {
		if and {
			n = &And{Left: n, Right: o, OpPos: opPos[i]}
		} else {
			n = &Or{Left: n, Right: o, OpPos: opPos[i]}
		}
	}
	return n
}
