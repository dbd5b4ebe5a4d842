package pattern

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Shorthands for expected tokens.
func lit(s string) Token { return Token{Kind: Plain, Lit: s} }

var (
	star = Token{Kind: Star}
	qm   = Token{Kind: Question}
)

func TestParseValue(t *testing.T) {
	tests := []struct {
		name, in string
		want     []Token
	}{
		// SIGMA.md §2.1 and RULES §Escape Character, one line each.
		{"plain backslash before other char", `C:\Windows\x`, []Token{lit(`C:\Windows\x`)}},
		{"escaped star is literal", `\*`, []Token{lit(`*`)}},
		{"escaped backslash then wildcard", `\\*`, []Token{lit(`\`), star}},
		{"escaped backslash and escaped star", `\\\*`, []Token{lit(`\*`)}},
		{"three backslashes give two", `\\\`, []Token{lit(`\\`)}},
		{"four backslashes give two", `\\\\`, []Token{lit(`\\`)}},
		{"escaped question mark", `\?`, []Token{lit(`?`)}},
		{"double backslash is one", `\\`, []Token{lit(`\`)}},
		{"trailing lone backslash is literal", `abc\`, []Token{lit(`abc\`)}},
		{"lone backslash", `\`, []Token{lit(`\`)}},
		{"backslash before non-ASCII", `\é`, []Token{lit(`\é`)}},
		{"placeholder escape is not ours", `\%x%`, []Token{lit(`\%x%`)}},
		// Wildcards at start, middle, end.
		{"empty value", ``, nil},
		{"lone star", `*`, []Token{star}},
		{"lone question", `?`, []Token{qm}},
		{"prefix", `Get*`, []Token{lit("Get"), star}},
		{"suffix", `*Object`, []Token{star, lit("Object")}},
		{"contains", `*bucket*`, []Token{star, lit("bucket"), star}},
		{"middle star", `io.k8s.core.v*.secrets.create`, []Token{lit("io.k8s.core.v"), star, lit(".secrets.create")}},
		{"question start middle end", `?a?b?`, []Token{qm, lit("a"), qm, lit("b"), qm}},
		{"consecutive stars collapse", `a***b**`, []Token{lit("a"), star, lit("b"), star}},
		{"questions do not collapse", `??`, []Token{qm, qm}},
		{"star question star", `*?*`, []Token{star, qm, star}},
		{"escaped star between stars", `*\**`, []Token{star, lit("*"), star}},
		{"escaped star merges with literals", `a\*b`, []Token{lit("a*b")}},
		{"escaped backslash and star after text", `C:\\*`, []Token{lit(`C:\`), star}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseValue(tt.in)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ParseValue(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestFormatValue(t *testing.T) {
	tests := []struct {
		in   []Token
		want string
	}{
		{nil, ``},
		{[]Token{lit(`C:\Windows\x`)}, `C:\Windows\x`},
		{[]Token{lit(`*`)}, `\*`},
		{[]Token{lit(`\`), star}, `\\*`},
		{[]Token{lit(`\*`)}, `\\\*`},
		{[]Token{lit(`\\`)}, `\\\`},
		{[]Token{lit(`a\`), qm}, `a\\?`},
		{[]Token{lit(`a\`)}, `a\`},
		{[]Token{star, lit("a?b"), star}, `*a\?b*`},
	}
	for _, tt := range tests {
		got := FormatValue(tt.in)
		if got != tt.want {
			t.Errorf("FormatValue(%v) = %q, want %q", tt.in, got, tt.want)
		}
		if diff := cmp.Diff(tt.in, ParseValue(got), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("ParseValue(FormatValue(%v)) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestFormatValueUnnormalised(t *testing.T) {
	// A backslash ending one literal and a special character starting the
	// next must still round-trip.
	in := []Token{lit(`a\`), lit(`*b`), lit(""), lit(`\`), qm}
	got := FormatValue(in)
	if want := `a\\\*b\\?`; got != want {
		t.Errorf("FormatValue(%v) = %q, want %q", in, got, want)
	}
	if diff := cmp.Diff([]Token{lit(`a\*b\`), qm}, ParseValue(got)); diff != "" {
		t.Errorf("ParseValue(FormatValue(%v)) mismatch (-want +got):\n%s", in, diff)
	}
}

func TestTokenKindString(t *testing.T) {
	for k, want := range map[TokenKind]string{Plain: "Plain", Star: "Star", Question: "Question", 7: "TokenKind(?)"} {
		if got := k.String(); got != want {
			t.Errorf("TokenKind(%d).String() = %q, want %q", k, got, want)
		}
	}
}

func TestLiteralAndHasWildcards(t *testing.T) {
	tests := []struct {
		in   []Token
		want bool
	}{
		{Literal(`a*b?\`), false},
		{Literal(""), false},
		{ParseValue(`a\*`), false},
		{ParseValue(`a*`), true},
		{ParseValue(`a?`), true},
	}
	for _, tt := range tests {
		if got := HasWildcards(tt.in); got != tt.want {
			t.Errorf("HasWildcards(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if diff := cmp.Diff([]Token{lit(`a*b?\`)}, Literal(`a*b?\`)); diff != "" {
		t.Errorf("Literal mismatch (-want +got):\n%s", diff)
	}
}

func TestModifierHelpers(t *testing.T) {
	tests := []struct {
		name                   string
		in                     []Token
		contains, starts, ends []Token
	}{
		{"plain", []Token{lit("a")},
			[]Token{star, lit("a"), star}, []Token{lit("a"), star}, []Token{star, lit("a")}},
		{"empty", nil, []Token{star}, []Token{star}, []Token{star}},
		{"already starred", []Token{star, lit("a"), star},
			[]Token{star, lit("a"), star}, []Token{star, lit("a"), star}, []Token{star, lit("a"), star}},
		{"question at ends", []Token{qm, lit("a"), qm},
			[]Token{star, qm, lit("a"), qm, star}, []Token{qm, lit("a"), qm, star}, []Token{star, qm, lit("a"), qm}},
		{"lone star", []Token{star}, []Token{star}, []Token{star}, []Token{star}},
		{"unnormalised input", []Token{lit("a"), lit(""), lit("b"), star, star},
			[]Token{star, lit("ab"), star}, []Token{lit("ab"), star}, []Token{star, lit("ab"), star}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := append([]Token(nil), tt.in...)
			if diff := cmp.Diff(tt.contains, Contains(tt.in)); diff != "" {
				t.Errorf("Contains(%v) mismatch (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(tt.starts, StartsWith(tt.in)); diff != "" {
				t.Errorf("StartsWith(%v) mismatch (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(tt.ends, EndsWith(tt.in)); diff != "" {
				t.Errorf("EndsWith(%v) mismatch (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(orig, tt.in, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("input modified (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHelpersDoNotAlias(t *testing.T) {
	in := make([]Token, 1, 10)
	in[0] = lit("a")
	a := StartsWith(in)
	b := StartsWith(in)
	a[0].Lit = "changed"
	if b[0].Lit != "a" || in[0].Lit != "a" {
		t.Errorf("StartsWith results share memory: in=%v b=%v", in, b)
	}
}
