package condition

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseCanonical(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"selection", "selection"},
		{"a or b and c", "(a or (b and c))"},
		{"a and b or c", "((a and b) or c)"},
		{"not a and b", "((not a) and b)"},
		{"not a or b", "((not a) or b)"},
		{"not (a and b)", "(not (a and b))"},
		{"not not a", "(not (not a))"},
		{"not 1 of x*", "(not 1 of x*)"},
		{"a and b and c", "(a and b and c)"},
		{"(a and b) and c", "(a and b and c)"},
		{"a and (b and c)", "(a and (b and c))"},
		{"a or b or c and d", "(a or b or (c and d))"},
		{"(a or b) and c", "((a or b) and c)"},
		{"a and (b or (c and not d))", "(a and (b or (c and (not d))))"},
		{"((a))", "a"},
		{"((a) and ((b)))", "(a and b)"},
		{"a and(b)or(c)", "((a and b) or c)"},
		{"  a\n\tand\r\nb  ", "(a and b)"},
		{"all of them", "all of them"},
		{"1 of them", "1 of them"},
		{"any of sel*", "1 of sel*"},
		{"all of selection_*", "all of selection_*"},
		{"1 of *", "1 of *"},
		{"1 of them*", "1 of them*"},
		{"all of _*", "all of _*"},
		{"selection and not 1 of filter_main_*", "(selection and (not 1 of filter_main_*))"},
		{"1 of selection* and not 1 of filter*", "(1 of selection* and (not 1 of filter*))"},
		{"selection_event_source and 1 of selection_action_* and 1 of selection_status_*",
			"(selection_event_source and 1 of selection_action_* and 1 of selection_status_*)"},
		{"sel-1 and _hidden and -x", "(sel-1 and _hidden and -x)"},
		// Quantifier words are identifiers unless "of" follows them (pySigma).
		{"1", "1"},
		{"all and any", "(all and any)"},
		{"Selection_A or selection_a", "(Selection_A or selection_a)"},
	}
	for _, tt := range tests {
		n, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q) error = %v, want nil", tt.in, err)
			continue
		}
		if got := n.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseTree(t *testing.T) {
	tests := []struct {
		in   string
		want Node
	}{
		{"sel", &Ident{Name: "sel"}},
		{"not a or any of b*", &Or{
			Left:  &Not{X: &Ident{Name: "a", Offset: 4}, Offset: 0},
			Right: &Of{Pattern: "b*", Offset: 9},
			OpPos: 6,
		}},
		{"a and b and c", &And{
			Left:  &And{Left: &Ident{Name: "a"}, Right: &Ident{Name: "b", Offset: 6}, OpPos: 2},
			Right: &Ident{Name: "c", Offset: 12},
			OpPos: 8,
		}},
		{"( all of them )", &Of{All: true, Them: true, Offset: 2}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q) error = %v, want nil", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestPos(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"sel", 0},
		{"  sel", 2},
		{"(a or b) and c", 1},
		{"x and not y", 0},
		{" not y", 1},
		{"  1 of x*", 2},
	}
	for _, tt := range tests {
		n, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q) error = %v, want nil", tt.in, err)
			continue
		}
		if got := n.Pos(); got != tt.want {
			t.Errorf("Parse(%q).Pos() = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	deepParens := strings.Repeat("(", MaxDepth+1) + "a" + strings.Repeat(")", MaxDepth+1)
	deepNot := strings.Repeat("not ", MaxDepth+1) + "a"
	// a and (a or (a and (… a or a))): MaxDepth parentheses, but one more
	// level in the canonical form, because of the innermost chain.
	var deepMixed strings.Builder
	for i := range MaxDepth {
		deepMixed.WriteString("a " + []string{"and", "or"}[i%2] + " (")
	}
	deepMixed.WriteString("a or a" + strings.Repeat(")", MaxDepth))

	tests := []struct {
		in     string
		offset int
		msg    string // substring of the message
	}{
		{"", 0, "empty condition"},
		{" \t\n", 0, "empty condition"},
		{"selection | count() > 5", 10, `the pipe aggregation syntax ("| count()", "| near") is obsolete since Sigma 2.0: write it as a correlation rule`},
		{"selection1 | near selection2", 11, "obsolete since Sigma 2.0"},
		{"sel and (x | count() by y > 3", 11, "pipe aggregation syntax"},
		{"selection timeframe: 5m", 10, `"timeframe" is obsolete since Sigma 2.0`},
		{"selection timeframe", 10, `unexpected "timeframe"; expected "and", "or" or end of condition (aggregations are obsolete`},
		{"a and", 5, `unexpected end of condition; expected a selection name`},
		{"not", 3, "unexpected end of condition"},
		{"and a", 0, `unexpected "and"; expected a selection name`},
		{"a or or b", 5, `unexpected "or"`},
		{"a b", 2, `unexpected "b"; expected "and", "or" or end of condition`},
		{"(a b)", 3, `unexpected "b"; expected "and", "or" or ")"`},
		{"a not b", 2, `unexpected "not"`},
		{"sel count", 4, "aggregations are obsolete since Sigma 2.0"},
		{"(a or b", 0, `unbalanced parenthesis: "(" is never closed`},
		{"((a)", 0, `unbalanced parenthesis: "(" is never closed`},
		{"a and (b or (c)", 6, `unbalanced parenthesis: "(" is never closed`},
		{"a or b)", 6, `unbalanced parenthesis: ")" has no matching "("`},
		{")", 0, `unbalanced parenthesis: ")" has no matching "("`},
		{"()", 0, "empty parentheses"},
		{"a and ()", 6, "empty parentheses"},
		{"(a and )", 7, `unexpected ")"; expected a selection name`},
		{"2 of sel*", 0, `"2 of" is not supported: the only quantifiers are "1", "any" and "all"`},
		{"a and 0 of them", 6, `"0 of" is not supported`},
		{"selection of them", 0, `unexpected "of" after "selection": the quantifier must be "1", "any" or "all"`},
		{"of them", 0, `"of" needs a quantifier`},
		{"them", 0, `"them" is only allowed after`},
		{"a and them", 6, `"them" is only allowed after`},
		{"1 of", 4, `unexpected end of condition; expected a selection name pattern or "them" after "1 of"`},
		{"all of (a)", 7, `expected a selection name pattern or "them" after "all of"`},
		{"1 of not", 5, `unexpected "not"`},
		{"1 of sel-*", 8, `invalid pattern "sel-*": patterns may contain only letters, digits, "_" and "*"`},
		{"sel*", 0, `wildcard in "sel*": patterns are only allowed after "1 of", "any of" or "all of"`},
		{"a and *", 6, "wildcard"},
		{"a AND b", 2, `keywords are lower-case: write "and", not "AND"`},
		{"NOT a", 0, `keywords are lower-case: write "not", not "NOT"`},
		{"a Or b", 2, `write "or", not "Or"`},
		{"ALL of them", 0, `keywords are lower-case: write "all", not "ALL"`},
		{"Any of them", 0, `write "any", not "Any"`},
		{"1 OF them", 2, `write "of", not "OF"`},
		{"1 of THEM", 5, `write "them", not "THEM"`},
		{"selection = 1", 10, `unexpected character '='`},
		{"a && b", 2, `unexpected character '&'`},
		{"s\u00e9l", 1, `unexpected character 'é'`},
		{"a\x00", 1, `unexpected character '\x00'`},
		{"'sel'", 0, `unexpected character '\''`},
		{deepParens, MaxDepth, "condition nested too deeply (more than 200 levels)"},
		{deepNot, 0, "nested too deeply"},
		{deepMixed.String(), 2, "nested too deeply"},
	}
	for _, tt := range tests {
		n, err := Parse(tt.in)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%.40q) = %v, %v; want *Error", tt.in, n, err)
			continue
		}
		if e.Offset != tt.offset || !strings.Contains(e.Msg, tt.msg) {
			t.Errorf("Parse(%.40q) error = %d: %q; want %d: …%q…", tt.in, e.Offset, e.Msg, tt.offset, tt.msg)
		}
		if n != nil {
			t.Errorf("Parse(%.40q) node = %v, want nil with an error", tt.in, n)
		}
	}
}

func TestErrorString(t *testing.T) {
	_, err := Parse("a and")
	want := "offset 5: unexpected end of condition; expected a selection name, \"not\", \"(\" or \"1 of\"/\"all of\""
	if err == nil || err.Error() != want {
		t.Errorf("Parse(%q) error = %v, want %q", "a and", err, want)
	}
}

func TestDepthLimitBoundary(t *testing.T) {
	tests := []string{
		strings.Repeat("(", MaxDepth) + "a" + strings.Repeat(")", MaxDepth),
		strings.Repeat("not ", MaxDepth) + "a",
		strings.Repeat("not (a and ", MaxDepth/2) + "a" + strings.Repeat(")", MaxDepth/2),
	}
	for _, in := range tests {
		n, err := Parse(in)
		if err != nil {
			t.Errorf("Parse(%.40q…) error = %v, want nil", in, err)
			continue
		}
		// The canonical form must stay within the limit too.
		if _, err := Parse(n.String()); err != nil {
			t.Errorf("Parse(Parse(%.40q…).String()) error = %v, want nil", in, err)
		}
	}
}

// Long flat chains are not nesting: they parse, print, resolve and list
// without deep recursion.
func TestLongChain(t *testing.T) {
	const terms = 200_000
	in := strings.Repeat("a or not b or ", terms/2) + "1 of c*"
	n, err := Parse(in)
	if err != nil {
		t.Fatalf("Parse(long chain) error = %v", err)
	}
	s := n.String()
	if !strings.HasPrefix(s, "(a or (not b) or a") || !strings.HasSuffix(s, "or 1 of c*)") {
		t.Errorf("Parse(long chain).String() = %.40q…%q", s, s[len(s)-20:])
	}
	r, err := Resolve(n, []string{"a", "b", "c1", "c2"})
	if err != nil {
		t.Fatalf("Resolve(long chain) error = %v", err)
	}
	if diff := cmp.Diff([]string{"a", "b", "c1", "c2"}, Idents(r)); diff != "" {
		t.Errorf("Idents(long chain) mismatch (-want +got):\n%s", diff)
	}
}

func TestCorpusConditions(t *testing.T) {
	// Every distinct condition of the SigmaHQ cloud rules (SIGMA.md §10), and
	// the obsolete ones from unsupported/cloud.
	valid := []string{
		"selection",
		"selection and not 1 of filter_main_*",
		"selection_source",
		"1 of selection_*",
		"keywords",
		"selection_event_name and 1 of selection_status_*",
		"all of selection_*",
		"selection_usertype and not selection_eventtype",
		"selection_status and 1 of selection_request_*",
		"selection_source and not filter",
		"selection_main and 1 of selection_empty*",
		"selection_event_source and 1 of selection_action_* and 1 of selection_status_*",
		"selection_event and 1 of selection_status_*",
		"selection and not valid_admin",
		"selection and not filter_mfa",
		"selection and not filter_main",
		"selection and not filter",
		"selection and not 1 of filter*",
		"selection and keywords",
		"selection and filter",
		"not filter",
		"all of selection*",
		"1 of selection*",
		"selection1 and selection2",
	}
	for _, in := range valid {
		if _, err := Parse(in); err != nil {
			t.Errorf("Parse(%q) error = %v, want nil", in, err)
		}
	}
	obsolete := []string{
		"selection | count() > 5",
		"selection_source | count() > 10",
		"selection_eventname | count() > 50",
		"selection1 | near selection2",
		"selection | count() by sourceIPAddress > 5",
		"selection and not filter_computer | count(TargetUserName) by IpAddress > 10",
	}
	for _, in := range obsolete {
		_, err := Parse(in)
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(e.Msg, "correlation rule") || in[e.Offset] != '|' {
			t.Errorf("Parse(%q) error = %v, want the obsolete-pipe error at the pipe", in, err)
		}
	}
}
