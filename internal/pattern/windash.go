package pattern

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// MaxWindashFlags is the largest number of flag characters Windash expands:
// 5^4 = 625 variants. More is an error rather than a combinatorial blow-up.
const MaxWindashFlags = 4

// Windash implements the `windash` modifier as pySigma does: every `-` or `/`
// that starts a word (the regular expression \B[-/]\b, applied to each
// literal run separately, so a wildcard counts as a non-word neighbour) is
// replaced by each of `-`, `/`, `–` (U+2013), `—` (U+2014) and `―` (U+2015),
// giving 5^n variants in which the first flag varies slowest. The variants are
// meant to be ORed. "-foo /bar" gives 25 variants; "a-b" and the second dash
// of "-param-1" are not flags. A value without flags gives itself alone. Word
// characters are Unicode letters, numbers and '_', as in Python. A value with
// more than MaxWindashFlags flags is an error.
func Windash(t []Token) ([][]Token, error) {
	// The replacements of a flag character, in pySigma's order: hyphen-minus,
	// slash, en dash, em dash, horizontal bar.
	windashChars := [...]string{"-", "/", "\u2013", "\u2014", "\u2015"}
	t = normalize(t)
	type flagPos struct{ tok, off int }
	var flags []flagPos
	for i, tok := range t {
		if tok.Kind != Plain {
			continue
		}
		for _, off := range windashFlags(tok.Lit) {
			flags = append(flags, flagPos{i, off})
		}
	}
	if len(flags) > MaxWindashFlags {
		return nil, fmt.Errorf("windash of %q: %d flag characters exceed the limit of %d",
			FormatValue(t), len(flags), MaxWindashFlags)
	}
	n := 1
	for range flags {
		n *= len(windashChars)
	}
	out := make([][]Token, 0, n)
	for v := range n {
		variant := make([]Token, len(t))
		copy(variant, t)
		// Rewrite right to left so earlier offsets stay valid; digit k of v
		// in base 5 selects the replacement of flag k (flag 0 most significant).
		rest := v
		for k := len(flags) - 1; k >= 0; k-- {
			f := flags[k]
			lit := variant[f.tok].Lit
			variant[f.tok].Lit = lit[:f.off] + windashChars[rest%len(windashChars)] + lit[f.off+1:]
			rest /= len(windashChars)
		}
		out = append(out, variant)
	}
	return out, nil
}

// windashFlags returns the byte offsets in s of the `-` and `/` that match
// \B[-/]\b: the previous rune is not a word character (or there is none) and
// the next rune is one.
func windashFlags(s string) []int {
	var offs []int
	prevWord := false
	for i, r := range s {
		if (r == '-' || r == '/') && !prevWord {
			next, _ := utf8.DecodeRuneInString(s[i+1:])
			if i+1 < len(s) && isWordRune(next) {
				offs = append(offs, i)
			}
		}
		prevWord = isWordRune(r)
	}
	return offs
}

// isWordRune reports whether r matches Python's \w for str patterns.
func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}
