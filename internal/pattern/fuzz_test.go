package pattern

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// escapeLiteral writes lit as a Sigma value matching exactly lit, the way a
// rule author would: a backslash before every `*`, `?` and `\`.
func escapeLiteral(lit string) string {
	var b strings.Builder
	for i := 0; i < len(lit); i++ {
		if c := lit[i]; c == '*' || c == '?' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(lit[i])
	}
	return b.String()
}

func FuzzParseValue(f *testing.F) {
	for _, s := range []string{"", "a", `\`, `\\`, `\\\`, `*`, `?`, `a\*b`, `C:\Windows\*`, "é*?\\", `\\\\*`, "x\x00y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, lit string) {
		v := escapeLiteral(lit)
		toks := ParseValue(v)
		if diff := cmp.Diff(Literal(lit), toks, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("ParseValue(%q) mismatch (-want +got):\n%s", v, diff)
		}
		for _, cased := range []bool{false, true} {
			m := Glob(toks, cased)
			if !m.MatchString(lit) {
				t.Errorf("Glob(ParseValue(%q), %v).MatchString(%q) = false, want true", v, cased, lit)
			}
			for _, longer := range []string{lit + "x", "x" + lit, lit + lit + "*"} {
				if longer != lit && m.MatchString(longer) {
					t.Errorf("Glob(ParseValue(%q), %v).MatchString(%q) = true, want false", v, cased, longer)
				}
			}
		}
		// Any string, read as a value, survives FormatValue.
		parsed := ParseValue(lit)
		if diff := cmp.Diff(parsed, ParseValue(FormatValue(parsed)), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("ParseValue(FormatValue(ParseValue(%q))) mismatch (-want +got):\n%s", lit, diff)
		}
	})
}

// refElem is one element of a glob for the reference matcher: a rune, or a
// wildcard.
type refElem struct {
	kind TokenKind
	r    rune
}

// refMatch is an independent reference for Glob on valid UTF-8: dynamic
// programming over runes, runes compared with strings.EqualFold (Unicode
// simple folding) unless cased.
func refMatch(t []Token, s string, cased bool) bool {
	var p []refElem
	for _, tok := range t {
		if tok.Kind != Plain {
			p = append(p, refElem{kind: tok.Kind})
			continue
		}
		for _, r := range tok.Lit {
			p = append(p, refElem{kind: Plain, r: r})
		}
	}
	in := []rune(s)
	// ok[j] = p[:i] matches in[:j], for the current i.
	ok := make([]bool, len(in)+1)
	ok[0] = true
	for _, e := range p {
		next := make([]bool, len(in)+1)
		for j := range next {
			switch e.kind {
			case Star:
				next[j] = ok[j] || j > 0 && next[j-1]
			case Question:
				next[j] = j > 0 && ok[j-1]
			default:
				next[j] = j > 0 && ok[j-1] && runeEq(e.r, in[j-1], cased)
			}
		}
		ok = next
	}
	return ok[len(in)]
}

func runeEq(a, b rune, cased bool) bool {
	if cased {
		return a == b
	}
	return strings.EqualFold(string(a), string(b))
}

// clip cuts s to at most n bytes, so that long fuzz inputs stay cheap (the
// reference matcher is quadratic) without a skip path the fuzzer would chase.
func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func FuzzGlob(f *testing.F) {
	seeds := []struct {
		pat, s string
	}{
		{"GetObject", "getobject"}, {"Get*", "GETX"}, {"*ask*", "TAſK"}, {"a*b*c", "aXbYc"},
		{"a?c", "aéc"}, {"É", "é"}, {"*", ""}, {"", ""}, {"?", ""}, {"*k*", "\u212a"},
		{"*sk*s", "ſKſ"}, {"a*a", "a"}, {"*ab*ab*", "abab"}, {"?*?", "é"}, {"*σ*", "ΟΔΥΣΣΕΥΣ"},
		{"straße", "STRAẞE"}, {"Ⱥ*", "ⱥx"}, {"*ⱥ", "xȺ"}, {"k?s*", "\u212a\u017fS"},
	}
	for _, sd := range seeds {
		f.Add(sd.pat, sd.s, false)
		f.Add(sd.pat, sd.s, true)
	}
	f.Fuzz(func(t *testing.T, pat, s string, cased bool) {
		pat, s = strings.ToValidUTF8(clip(pat, 64), "\uFFFD"), strings.ToValidUTF8(clip(s, 256), "\uFFFD")
		toks := ParseValue(pat)
		got := Glob(toks, cased).MatchString(s)
		if want := refMatch(toks, s, cased); got != want {
			t.Fatalf("Glob(ParseValue(%q), %v).MatchString(%q) = %v, want %v (%s)",
				pat, cased, s, got, want, Describe(Glob(toks, cased)))
		}
	})
}

// FuzzGlobBytes checks, on arbitrary bytes (invalid UTF-8 included), that the
// case-insensitive fast paths agree with exact matching of the folded forms.
func FuzzGlobBytes(f *testing.F) {
	f.Add("*a*", "\xffA")
	f.Add("a?\xff", "A\xe2\x84\xff")
	f.Add("*k\xe2*", "\xe2\x84\xaa\xe2")
	f.Fuzz(func(t *testing.T, pat, s string) {
		pat, s = clip(pat, 64), clip(s, 256)
		toks := ParseValue(pat)
		folded := normalize(toks)
		for i := range folded {
			folded[i].Lit = Fold(folded[i].Lit)
		}
		got := Glob(toks, false).MatchString(s)
		if want := Glob(folded, true).MatchString(Fold(s)); got != want {
			t.Fatalf("Glob(ParseValue(%q), false).MatchString(%q) = %v, want %v", pat, s, got, want)
		}
	})
}
