package condition

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// expanded returns the canonical form of a resolved tree with every Of
// replaced by its expansion.
func expanded(n Node) string {
	var b strings.Builder
	var walk func(Node)
	walk = func(n Node) {
		switch n := n.(type) {
		case *Of:
			walk(n.Expanded)
		case *Not:
			b.WriteString("(not ")
			walk(n.X)
			b.WriteString(")")
		case *And, *Or:
			c := flatten(n)
			b.WriteString("(")
			for i, o := range c.operands {
				if i > 0 {
					b.WriteString(map[bool]string{true: " and ", false: " or "}[c.and])
				}
				walk(o)
			}
			b.WriteString(")")
		default:
			b.WriteString(n.String())
		}
	}
	walk(n)
	return b.String()
}

func TestResolve(t *testing.T) {
	tests := []struct {
		cond   string
		names  []string
		want   string // expanded form
		idents []string
	}{
		{"selection", []string{"selection"}, "selection", []string{"selection"}},
		{
			"selection and not 1 of filter_main_*",
			[]string{"selection", "filter_main_b", "filter_main_a", "filter_optional_x", "_filter_main_c"},
			"(selection and (not (filter_main_a or filter_main_b)))",
			[]string{"filter_main_a", "filter_main_b", "selection"},
		},
		{"all of them", []string{"b", "a", "_x"}, "(a and b)", []string{"a", "b"}},
		{"1 of them", []string{"sel", "_x"}, "sel", []string{"sel"}},
		{"any of them", []string{"b", "a", "a"}, "(a or b)", []string{"a", "b"}},
		{"1 of _*", []string{"_a", "_b", "c"}, "(_a or _b)", []string{"_a", "_b"}},
		{"1 of *", []string{"_a", "b", "c"}, "(b or c)", []string{"b", "c"}},
		{"all of sel*", []string{"sel", "selection", "other"}, "(sel and selection)", []string{"sel", "selection"}},
		{"1 of s*l", []string{"sel", "seal", "sl", "sx", "sell"}, "(seal or sel or sell or sl)", []string{"seal", "sel", "sell", "sl"}},
		{"1 of *_a*", []string{"x_a", "x_b", "y_a1", "_a"}, "(x_a or y_a1)", []string{"x_a", "y_a1"}},
		{"1 of sel_*_end", []string{"sel_x_end", "sel__end", "sel_end", "sel_x_end2"}, "(sel__end or sel_x_end)", []string{"sel__end", "sel_x_end"}},
		{"_hidden and not all of them", []string{"_hidden", "a"}, "(_hidden and (not a))", []string{"_hidden", "a"}},
		{
			"(a or 1 of b*) and not (c and all of d*)",
			[]string{"a", "b1", "b2", "c", "d1", "d2", "e"},
			"((a or (b1 or b2)) and (not (c and (d1 and d2))))",
			[]string{"a", "b1", "b2", "c", "d1", "d2"},
		},
		// Names that the grammar cannot spell are still found by patterns.
		{"1 of them", []string{"selection 1", "sel.2"}, "(sel.2 or selection 1)", []string{"sel.2", "selection 1"}},
	}
	for _, tt := range tests {
		n, err := Parse(tt.cond)
		if err != nil {
			t.Fatalf("Parse(%q) error = %v", tt.cond, err)
		}
		before := n.String()
		r, err := Resolve(n, tt.names)
		if err != nil {
			t.Errorf("Resolve(%q, %q) error = %v, want nil", tt.cond, tt.names, err)
			continue
		}
		if got := expanded(r); got != tt.want {
			t.Errorf("Resolve(%q, %q) = %s, want %s", tt.cond, tt.names, got, tt.want)
		}
		if got := r.String(); got != before {
			t.Errorf("Resolve(%q, %q).String() = %q, want the original %q", tt.cond, tt.names, got, before)
		}
		if diff := cmp.Diff(tt.idents, Idents(r)); diff != "" {
			t.Errorf("Idents(Resolve(%q, %q)) mismatch (-want +got):\n%s", tt.cond, tt.names, diff)
		}
		if got := n.String(); got != before {
			t.Errorf("Resolve(%q) modified its input: %q", tt.cond, got)
		}
	}
}

func TestResolveTree(t *testing.T) {
	n, err := Parse("a or all of b*")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Resolve(n, []string{"a", "b2", "b1"})
	if err != nil {
		t.Fatal(err)
	}
	want := &Or{
		Left: &Ident{Name: "a"},
		Right: &Of{All: true, Pattern: "b*", Offset: 5, Expanded: &And{
			Left:  &Ident{Name: "b1", Offset: 5},
			Right: &Ident{Name: "b2", Offset: 5},
			OpPos: 5,
		}},
		OpPos: 2,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Resolve mismatch (-want +got):\n%s", diff)
	}
	if of := n.(*Or).Right.(*Of); of.Expanded != nil {
		t.Errorf("Resolve set Expanded on its input: %v", of.Expanded)
	}
}

func TestResolveErrors(t *testing.T) {
	tests := []struct {
		cond   string
		names  []string
		offset int
		msg    string
	}{
		{"selection and filter", []string{"selection"}, 14, `unknown selection "filter" (defined: selection)`},
		{"Selection", []string{"selection"}, 0, `unknown selection "Selection"`},
		{"a or not b", nil, 0, `unknown selection "a" (the rule defines no selections)`},
		{"a or 1 of x*", []string{"a"}, 5, `pattern "x*" matches no selection (defined: a)`},
		{"1 of filter*", []string{"selection", "_filter"}, 0,
			`pattern "filter*" matches no selection, not counting names that start with "_" (defined: _filter, selection)`},
		{"1 of sel", []string{"selection"}, 0, `pattern "sel" matches no selection`},
		{"all of them", []string{"_a"}, 0, `"them" matches no selection, not counting names that start with "_"`},
		{"all of them", nil, 0, `"them" matches no selection (the rule defines no selections)`},
		{"x", strings.Split("a b c d e f g h i j k l", " "), 0, "(defined: a, b, c, d, e, f, g, h, i, j, … (2 more))"},
		{"a and (b or not c)", []string{"a", "b"}, 16, `unknown selection "c"`},
	}
	for _, tt := range tests {
		n, err := Parse(tt.cond)
		if err != nil {
			t.Fatalf("Parse(%q) error = %v", tt.cond, err)
		}
		r, err := Resolve(n, tt.names)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Resolve(%q, %q) = %v, %v; want *Error", tt.cond, tt.names, r, err)
			continue
		}
		if e.Offset != tt.offset || !strings.Contains(e.Msg, tt.msg) {
			t.Errorf("Resolve(%q, %q) error = %d: %q; want %d: …%q…", tt.cond, tt.names, e.Offset, e.Msg, tt.offset, tt.msg)
		}
	}
}

func TestResolveBadNodes(t *testing.T) {
	tests := []struct {
		name string
		n    Node
		msg  string
	}{
		{"nil", nil, "missing condition node"},
		{"nil operand", &And{Left: &Ident{Name: "a"}, OpPos: 2}, "missing condition node"},
	}
	for _, tt := range tests {
		_, err := Resolve(tt.n, []string{"a"})
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(e.Msg, tt.msg) {
			t.Errorf("Resolve(%s) error = %v, want …%q…", tt.name, err, tt.msg)
		}
	}
}

func TestIdents(t *testing.T) {
	tests := []struct {
		cond string
		want []string
	}{
		{"b and a and b", []string{"a", "b"}},
		{"not (x or 1 of y*)", []string{"x"}}, // unresolved Of contributes nothing
		{"all of them", nil},
	}
	for _, tt := range tests {
		n, err := Parse(tt.cond)
		if err != nil {
			t.Fatalf("Parse(%q) error = %v", tt.cond, err)
		}
		if diff := cmp.Diff(tt.want, Idents(n)); diff != "" {
			t.Errorf("Idents(%q) mismatch (-want +got):\n%s", tt.cond, diff)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"sel", "sel", true},
		{"sel", "selection", false},
		{"sel*", "sel", true},
		{"sel*", "selection", true},
		{"*", "", true},
		{"", "", true},
		{"", "a", false},
		{"*x", "axbx", true},
		{"*x", "axb", false},
		{"a*b*c", "abc", true},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "acb", false},
		{"**a**", "a", true},
		{"a*a*a*a*b", strings.Repeat("a", 64), false},
	}
	for _, tt := range tests {
		if got := match(tt.pattern, tt.name); got != tt.want {
			t.Errorf("match(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}
