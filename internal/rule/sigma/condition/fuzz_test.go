package condition

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// fuzzNames is the rule a fuzzed condition is resolved against, together
// with the names the condition itself mentions.
var fuzzNames = []string{"sel", "selection_a", "selection_b", "filter_main_x", "_hidden", "a", "b"}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"selection",
		"selection and not 1 of filter_main_*",
		"1 of selection_* and not all of filter*",
		"a or b and c",
		"not a and b",
		"not not (a or b)",
		"all of them",
		"any of _*",
		"(a and (b or (c and not d)))",
		"((a))",
		"1 and all",
		"selection | count() > 5",
		"a AND b",
		"2 of x*",
		"(a or b",
		"a or b)",
		"selection timeframe: 5m",
		"s\u00e9l",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) error %T %v, want *Error", s, err, err)
			}
			if e.Offset < 0 || e.Offset > len(s) || e.Msg == "" {
				t.Fatalf("Parse(%q) error = %d: %q, want offset in [0, %d] and a message", s, e.Offset, e.Msg, len(s))
			}
			if n != nil {
				t.Fatalf("Parse(%q) = %v with error %v", s, n, err)
			}
			return
		}
		checkPositions(t, s, n)
		canon := n.String()
		n2, err := Parse(canon)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but Parse(%q) error = %v", s, canon, err)
		}
		if got := n2.String(); got != canon {
			t.Fatalf("Parse(%q).String() = %q, reparsed as %q", s, canon, got)
		}

		names := append(slices.Clone(fuzzNames), Idents(n)...)
		r, err := Resolve(n, names)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Offset < 0 || e.Offset > len(s) {
				t.Fatalf("Resolve(%q) error = %v, want *Error within the text", s, err)
			}
			return
		}
		if got := r.String(); got != canon {
			t.Fatalf("Resolve(%q).String() = %q, want %q", s, got, canon)
		}
		for _, id := range Idents(r) {
			if !slices.Contains(names, id) {
				t.Fatalf("Idents(Resolve(%q)) has %q, not a rule name", s, id)
			}
		}
	})
}

// checkPositions verifies that every node lies within s and that names and
// patterns appear in s at their offsets.
func checkPositions(t *testing.T, s string, n Node) {
	t.Helper()
	stack := []Node{n}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if p := n.Pos(); p < 0 || p >= len(s) {
			t.Fatalf("Parse(%q): %s at offset %d, outside the text", s, n, p)
		}
		switch n := n.(type) {
		case *Ident:
			if !strings.HasPrefix(s[n.Offset:], n.Name) {
				t.Fatalf("Parse(%q): identifier %q not at offset %d", s, n.Name, n.Offset)
			}
		case *Not:
			if !strings.HasPrefix(s[n.Offset:], "not") {
				t.Fatalf("Parse(%q): not at offset %d", s, n.Offset)
			}
			stack = append(stack, n.X)
		case *And:
			if !strings.HasPrefix(s[n.OpPos:], "and") {
				t.Fatalf("Parse(%q): and at offset %d", s, n.OpPos)
			}
			stack = append(stack, n.Left, n.Right)
		case *Or:
			if !strings.HasPrefix(s[n.OpPos:], "or") {
				t.Fatalf("Parse(%q): or at offset %d", s, n.OpPos)
			}
			stack = append(stack, n.Left, n.Right)
		case *Of:
			if n.Them == (n.Pattern != "") {
				t.Fatalf("Parse(%q): Of with Them=%v and Pattern=%q", s, n.Them, n.Pattern)
			}
		}
	}
}
