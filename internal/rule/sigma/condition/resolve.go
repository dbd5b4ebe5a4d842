package condition

import (
	"fmt"
	"slices"
	"strings"
)

// Resolve checks a parsed condition against the selection names of a rule
// and expands every [Of]. Every [Ident] must name a selection. A pattern
// matches whole names, "*" standing for any run of characters, and skips
// names starting with "_" unless the pattern itself starts with "_"; "them"
// is every name not starting with "_". A target that matches nothing is an
// error. Errors are [*Error] values with the offset of the offending node;
// the first one in tree order is returned.
//
// The result is a new tree; n is not modified. Each [*Of] in it has Expanded
// set, as described in the package documentation. Resolving a resolved tree
// again recomputes the expansions.
func Resolve(n Node, names []string) (Node, error) {
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	r := resolver{names: slices.Compact(sorted)}
	return r.resolve(n)
}

type resolver struct {
	names []string // sorted, unique
}

func (r *resolver) resolve(n Node) (Node, error) {
	switch n := n.(type) {
	case *Ident:
		if _, ok := slices.BinarySearch(r.names, n.Name); !ok {
			return nil, &Error{Offset: n.Offset, Msg: fmt.Sprintf("unknown selection %q%s", n.Name, r.defined())}
		}
		return &Ident{Name: n.Name, Offset: n.Offset}, nil
	case *Not:
		x, err := r.resolve(n.X)
		if err != nil {
			return nil, err
		}
		return &Not{X: x, Offset: n.Offset}, nil
	case *And, *Or:
		c := flatten(n)
		operands := make([]Node, len(c.operands))
		for i, o := range c.operands {
			x, err := r.resolve(o)
			if err != nil {
				return nil, err
			}
			operands[i] = x
		}
		return join(c.and, operands, c.opPos), nil
	case *Of:
		return r.expand(n)
	case nil:
		return nil, &Error{Offset: 0, Msg: "missing condition node"}
	default:
		return nil, &Error{Offset: n.Pos(), Msg: fmt.Sprintf("unsupported condition node %T", n)}
	}
}

func (r *resolver) expand(o *Of) (Node, error) {
	var matched []Node
	var opPos []int
	for _, name := range r.names {
		if !o.matches(name) {
			continue
		}
		if len(matched) > 0 {
			opPos = append(opPos, o.Offset)
		}
		matched = append(matched, &Ident{Name: name, Offset: o.Offset})
	}
	if len(matched) == 0 {
		what := fmt.Sprintf("pattern %q", o.Pattern)
		if o.Them {
			what = `"them"`
		}
		hidden := ""
		underscored := slices.ContainsFunc(r.names, func(s string) bool { return strings.HasPrefix(s, "_") })
		if underscored && (o.Them || !strings.HasPrefix(o.Pattern, "_")) {
			hidden = `, not counting names that start with "_"`
		}
		return nil, &Error{Offset: o.Offset, Msg: fmt.Sprintf("%s matches no selection%s%s", what, hidden, r.defined())}
	}
	return &Of{
		All:      o.All,
		Pattern:  o.Pattern,
		Them:     o.Them,
		Offset:   o.Offset,
		Expanded: join(o.All, matched, opPos),
	}, nil
}

// matches reports whether the target of o selects name.
func (o *Of) matches(name string) bool {
	if o.Them {
		return !strings.HasPrefix(name, "_")
	}
	if strings.HasPrefix(name, "_") && !strings.HasPrefix(o.Pattern, "_") {
		return false
	}
	return match(o.Pattern, name)
}

// defined lists the names for an error message.
func (r *resolver) defined() string {
	if len(r.names) == 0 {
		return " (the rule defines no selections)"
	}
	const limit = 10
	list := r.names
	more := ""
	if len(list) > limit {
		list, more = list[:limit], fmt.Sprintf(", … (%d more)", len(list)-limit)
	}
	return fmt.Sprintf(" (defined: %s%s)", strings.Join(list, ", "), more)
}

// match reports whether name matches pattern as a whole, "*" matching any
// run of bytes. It backtracks only to the last "*", so it runs in
// O(len(pattern)·len(name)) at worst.
func match(pattern, name string) bool {
	p, n := 0, 0
	star, retry := -1, 0
	for n < len(name) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, retry = p, n
			p++
		case p < len(pattern) && pattern[p] == name[n]:
			p++
			n++
		case star >= 0:
			retry++
			p, n = star+1, retry
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// Idents lists the selection names a condition refers to, sorted and
// without duplicates. For a resolved tree this includes the names each
// [Of] expanded to; an unresolved Of contributes nothing.
func Idents(n Node) []string {
	var names []string
	stack := []Node{n}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch n := n.(type) {
		case *Ident:
			names = append(names, n.Name)
		case *Not:
			stack = append(stack, n.X)
		case *And:
			stack = append(stack, n.Left, n.Right)
		case *Or:
			stack = append(stack, n.Left, n.Right)
		case *Of:
			if n.Expanded != nil {
				stack = append(stack, n.Expanded)
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}
