package route

import (
	"fmt"

	"picket/internal/alert"
)

// node is a compiled route: its conditions and its effective settings.
type node struct {
	path     string
	route    *Route // effective settings, without children
	conds    conds
	broken   bool // a condition did not compile: the route matches nothing
	children []*node
}

// matches reports whether every condition of the route holds for a.
func (n *node) matches(a *alert.Alert) bool { return !n.broken && n.conds.match(a) }

// match returns the leaves that take a (Alertmanager semantics): nil when n does not match;
// otherwise the leaves of the children that match, in order, stopping after the first that
// matches without continue; n itself when no child matches.
func (n *node) match(a *alert.Alert) []*node {
	if !n.matches(a) {
		return nil
	}
	var leaves []*node
	for _, c := range n.children {
		got := c.match(a)
		leaves = append(leaves, got...)
		if len(got) > 0 && !c.route.Continue {
			break
		}
	}
	if len(leaves) == 0 {
		return []*node{n}
	}
	return leaves
}

// Match routes a through the tree rooted at r and returns the routes that take it, in order:
// depth-first, the first matching child takes the alert unless it has continue, the following
// siblings being tried only after a match with continue; a matching route none of whose
// children match takes the alert itself. Each returned route is a copy with its effective
// receiver, group_by and timings filled in (inherited or defaulted), without children, and
// with its Path. Match returns nil when r itself does not match; a route with a condition
// that does not compile matches nothing (Validate reports it). Match compiles the tree on
// each call: a Grouper compiles it once.
func (r *Route) Match(a *alert.Alert) []*Route {
	tc := treeCompiler{}
	var out []*Route
	for _, n := range tc.compile(r, nil, "route").match(a) {
		out = append(out, n.route)
	}
	return out
}

// Step is one route tried by Explain.
type Step struct {
	// Path locates the route ("route.routes[0]"); Depth is 0 for the root.
	Path  string `json:"path"`
	Depth int    `json:"depth"`
	// Receiver is the route's effective receiver.
	Receiver string `json:"receiver"`
	// Matched reports whether all the route's conditions hold; Conditions explains each, in
	// order (none: the route takes every alert).
	Matched    bool     `json:"matched"`
	Conditions []string `json:"conditions,omitempty"`
	Continue   bool     `json:"continue,omitempty"`
	// Selected reports whether the route takes the alert (it is among Match's results).
	Selected bool `json:"selected"`
}

// String renders the step as one indented line.
func (s Step) String() string {
	mark := "no match"
	switch {
	case s.Selected:
		mark = "→ receiver " + s.Receiver
	case s.Matched:
		mark = "matched"
	}
	return fmt.Sprintf("%*s%s: %s %v", 2*s.Depth, "", s.Path, mark, s.Conditions)
}

// Explain routes a through the tree rooted at root as Match does and describes every route it
// tried, in the order it tried them, with the outcome of each condition; routes not tried
// (siblings after a match without continue, children of routes that did not match) do not
// appear. It is what `picket routes test` prints.
func Explain(root *Route, a *alert.Alert) []Step {
	tc := treeCompiler{}
	var steps []Step
	explain(tc.compile(root, nil, "route"), a, 0, &steps)
	return steps
}

// explain appends the steps of n and its tried descendants and returns whether n matched.
func explain(n *node, a *alert.Alert, depth int, steps *[]Step) bool {
	st := Step{Path: n.path, Depth: depth, Receiver: n.route.Receiver, Continue: n.route.Continue, Matched: !n.broken}
	if n.broken {
		st.Conditions = append(st.Conditions, "a condition does not compile")
	}
	for i := range n.conds {
		ok, why := n.conds[i].eval(a)
		st.Matched = st.Matched && ok
		st.Conditions = append(st.Conditions, why)
	}
	*steps = append(*steps, st)
	at := len(*steps) - 1
	if !st.Matched {
		return false
	}
	taken := false
	for _, c := range n.children {
		if explain(c, a, depth+1, steps) {
			taken = true
			if !c.route.Continue {
				break
			}
		}
	}
	(*steps)[at].Selected = !taken
	return true
}
