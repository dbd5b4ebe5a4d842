package pattern

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Matcher matches one string value. Every Matcher of this package is
// immutable and safe for concurrent use, and implements fmt.Stringer with a
// short description (see Describe).
type Matcher interface {
	// MatchString reports whether s matches. The rule engine calls it for
	// each candidate event value, from many goroutines at once; it never
	// fails and never retains s.
	MatchString(s string) bool
}

// Describe returns a short human description of m for explanations, such as
// `equals "x"`, `starts with "a"` or `matches regexp "a.*b"`. The matchers of
// this package describe themselves through their String method; for any other
// Matcher, Describe uses its String method when it has one and its type
// otherwise.
func Describe(m Matcher) string {
	if s, ok := m.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprintf("%T", m)
}

// Glob compiles the tokens of a Sigma value into a matcher of the whole value
// (anchored at both ends). Matching is case-insensitive by Unicode simple case
// folding (see Fold: "É" matches "é", "ß" does not match "ss") unless cased is
// true, in which case bytes are compared exactly. A lone Star matches every
// string including "", the empty value only "". Question matches exactly one
// rune.
//
// The shape of t selects a fast path: equality, prefix, suffix, contains, or a
// segment matcher for several stars (anchored head and tail, then each middle
// literal at its leftmost position, which is exact for star-only globs); a
// glob with Question uses a linear-space matcher that backtracks only to the
// last star (O(len(s)·len(t)) at worst) and jumps to the next occurrence of
// the literal after it.
//
// Case-insensitive matching works on the raw input: ASCII literals are
// compared eight bytes at a time under ASCII folding, and equality, prefix and
// suffix fold non-ASCII input rune by rune as they go, so none of these
// allocates. The other shapes fold a copy of the input (one allocation) only
// when it is not ASCII and could fold into a literal: it holds the Kelvin sign
// or the long s and a literal holds 'k' or 's', or a literal is not ASCII.
//
// Case-insensitive matching is defined as the byte-wise match of the folded
// literals in Fold(s), Question consuming one rune of Fold(s). Literals that
// are not valid UTF-8 (UTF-16 encodings) thus compare byte for byte with ASCII
// letters folded; matching them against non-ASCII input allocates.
func Glob(t []Token, cased bool) Matcher {
	orig := normalize(t)
	t = normalize(orig)
	f := flags{cased: cased, ascii: true, utf8: true}
	shape := make([]byte, len(t))
	for i, tok := range t {
		shape[i] = "L*?"[tok.Kind]
		if tok.Kind != Plain {
			continue
		}
		if !cased {
			t[i].Lit = Fold(tok.Lit)
		}
		f.ascii = f.ascii && isASCII(t[i].Lit)
		f.utf8 = f.utf8 && utf8.ValidString(t[i].Lit)
		f.ks = f.ks || strings.ContainsAny(t[i].Lit, "ks")
	}
	switch s := string(shape); {
	case s == "":
		return &equal{flags: f}
	case s == "L":
		return &equal{lit: t[0].Lit, flags: f, desc: orig[0].Lit}
	case s == "*":
		return anyString{}
	case strings.Contains(s, "?"):
		return newWildGlob(t, f, FormatValue(orig))
	case s == "L*":
		return &prefix{lit: t[0].Lit, flags: f, desc: orig[0].Lit}
	case s == "*L":
		return &suffix{lit: t[1].Lit, flags: f, desc: orig[1].Lit}
	case s == "*L*":
		lit := t[1].Lit
		return &contains{lit: lit, litBytes: []byte(lit), anchor: pickAnchor(lit), flags: f, desc: orig[1].Lit}
	}
	return newStarGlob(t, f, orig)
}

// flags are the properties of a compiled glob that pick a matching strategy.
type flags struct {
	cased bool // literals are compared byte for byte; otherwise they are folded
	ascii bool // every literal is ASCII
	ks    bool // some literal contains 'k' or 's' (see foldsToASCIIK)
	utf8  bool // every literal is valid UTF-8, so rune-wise folding applies
}

// suffixDesc marks descriptions of case-sensitive matchers.
func (f flags) suffixDesc() string {
	if f.cased {
		return " (case-sensitive)"
	}
	return ""
}

// needsFold tells an unanchored case-insensitive matcher what to do after the
// raw ASCII-folding attempt failed on s (or could not run because a literal
// is not ASCII): report false, or retry on Fold(s). The raw attempt is exact
// unless s has a rune that folds into a literal's ASCII byte (only the Kelvin
// sign and the long s do) or a non-ASCII literal may match non-ASCII input.
func (f flags) needsFold(s string) bool {
	if f.ascii {
		return f.ks && hasKS(s)
	}
	return !isASCII(s)
}

// anyString is the glob `*`.
type anyString struct{}

func (anyString) MatchString(string) bool { return true }
func (anyString) String() string          { return "matches any value" }

// equal is a glob without wildcards.
type equal struct {
	lit string // folded unless cased
	flags
	desc string
}

func (m *equal) MatchString(s string) bool {
	if m.cased {
		return s == m.lit
	}
	if m.ascii {
		if len(s) == len(m.lit) {
			// Equal lengths leave no room for a rune that folds shorter, so
			// any non-ASCII byte is a mismatch.
			return cmpFoldASCII(s, m.lit) == cmpEqual
		}
		// Otherwise s must hold a non-ASCII rune that folds to ASCII: the
		// Kelvin sign or the long s.
		if !m.ks {
			return false
		}
	}
	if len(s) < len(m.lit) { // folding never lengthens
		return false
	}
	if !m.utf8 {
		return Fold(s) == m.lit
	}
	n, ok := foldHasPrefix(s, m.lit)
	return ok && n == len(s)
}

func (m *equal) String() string { return fmt.Sprintf("equals %q", m.desc) + m.suffixDesc() }

// prefix is the glob `lit*`.
type prefix struct {
	lit string
	flags
	desc string
}

func (m *prefix) MatchString(s string) bool {
	if m.cased {
		return strings.HasPrefix(s, m.lit)
	}
	if len(s) < len(m.lit) {
		return false
	}
	if m.ascii {
		switch cmpFoldASCII(s[:len(m.lit)], m.lit) {
		case cmpEqual:
			return true
		case cmpDiffer:
			return false
		}
	}
	if !m.utf8 {
		return strings.HasPrefix(Fold(s), m.lit)
	}
	_, ok := foldHasPrefix(s, m.lit)
	return ok
}

func (m *prefix) String() string { return fmt.Sprintf("starts with %q", m.desc) + m.suffixDesc() }

// suffix is the glob `*lit`.
type suffix struct {
	lit string
	flags
	desc string
}

func (m *suffix) MatchString(s string) bool {
	if m.cased {
		return strings.HasSuffix(s, m.lit)
	}
	if len(s) < len(m.lit) {
		return false
	}
	if m.ascii {
		switch cmpFoldASCII(s[len(s)-len(m.lit):], m.lit) {
		case cmpEqual:
			return true
		case cmpDiffer:
			return false
		}
	}
	if !m.utf8 {
		return strings.HasSuffix(Fold(s), m.lit)
	}
	return foldHasSuffix(s, m.lit)
}

func (m *suffix) String() string { return fmt.Sprintf("ends with %q", m.desc) + m.suffixDesc() }

// shortInput is the longest input that contains lower-cases into a stack
// buffer and searches with bytes.Contains; longer inputs are scanned for the
// anchor byte instead.
const shortInput = 64

// contains is the glob `*lit*`.
type contains struct {
	lit      string
	litBytes []byte // lit, for bytes.Contains
	anchor   int
	flags
	desc string
}

func (m *contains) MatchString(s string) bool {
	if m.cased {
		return strings.Contains(s, m.lit)
	}
	if m.ascii {
		if len(s) <= shortInput {
			var buf [shortInput]byte
			if lowerInto(buf[:], s) { // an ASCII s folds to its lower case
				return bytes.Contains(buf[:len(s)], m.litBytes)
			}
		}
		if indexFoldASCII(s, m.lit, m.anchor) >= 0 {
			return true
		}
	}
	return m.needsFold(s) && strings.Contains(Fold(s), m.lit)
}

func (m *contains) String() string { return fmt.Sprintf("contains %q", m.desc) + m.suffixDesc() }

// starGlob is a glob of literals and stars only, not one of the shapes above:
// head*mid*…*mid*tail with head or tail possibly empty (the value starts or
// ends with a star).
type starGlob struct {
	head, tail string
	mids       []string
	anchors    []int // pickAnchor of each mid
	minLen     int
	flags
	desc     string // FormatValue of the original tokens, or its head when there is no mid
	tailDesc string // original tail when there is no mid
}

// newStarGlob compiles t (normalised, literals folded unless cased) whose
// original tokens are orig.
func newStarGlob(t []Token, f flags, orig []Token) *starGlob {
	m := &starGlob{flags: f, desc: FormatValue(orig)}
	if len(t) == 3 { // head*tail
		m.desc, m.tailDesc = orig[0].Lit, orig[2].Lit
	}
	if t[0].Kind == Plain {
		m.head, t = t[0].Lit, t[1:]
	}
	if t[len(t)-1].Kind == Plain {
		m.tail, t = t[len(t)-1].Lit, t[:len(t)-1]
	}
	for _, tok := range t {
		if tok.Kind == Plain {
			m.mids = append(m.mids, tok.Lit)
			m.anchors = append(m.anchors, pickAnchor(tok.Lit))
			m.minLen += len(tok.Lit)
		}
	}
	m.minLen += len(m.head) + len(m.tail)
	return m
}

func (m *starGlob) MatchString(s string) bool {
	if m.cased {
		return m.match(s, false)
	}
	if m.ascii && m.match(s, true) {
		return true
	}
	return m.needsFold(s) && m.match(Fold(s), false)
}

// match matches s exactly, or under ASCII folding of s when fold is set.
func (m *starGlob) match(s string, fold bool) bool {
	if len(s) < m.minLen ||
		!hasPrefixMode(s, m.head, fold) ||
		!hasPrefixMode(s[len(s)-len(m.tail):], m.tail, fold) {
		return false
	}
	s = s[len(m.head) : len(s)-len(m.tail)]
	for i, mid := range m.mids {
		var j int
		if fold {
			j = indexFoldASCII(s, mid, m.anchors[i])
		} else {
			j = strings.Index(s, mid)
		}
		if j < 0 {
			return false
		}
		s = s[j+len(mid):]
	}
	return true
}

func (m *starGlob) String() string {
	if len(m.mids) == 0 {
		return fmt.Sprintf("starts with %q and ends with %q", m.desc, m.tailDesc) + m.suffixDesc()
	}
	return fmt.Sprintf("matches %q", m.desc) + m.suffixDesc()
}

// wildGlob is a glob with at least one Question.
type wildGlob struct {
	toks    []Token // normalised, literals folded unless cased
	anchors []int   // pickAnchor of each literal token
	flags
	desc string
}

func newWildGlob(t []Token, f flags, desc string) *wildGlob {
	m := &wildGlob{toks: t, anchors: make([]int, len(t)), flags: f, desc: desc}
	for i, tok := range t {
		if tok.Kind == Plain {
			m.anchors[i] = pickAnchor(tok.Lit)
		}
	}
	return m
}

func (m *wildGlob) MatchString(s string) bool {
	if m.cased {
		return m.match(s, false)
	}
	if m.ascii && m.match(s, true) {
		return true
	}
	return m.needsFold(s) && m.match(Fold(s), false)
}

// match runs the classic wildcard algorithm, exactly or under ASCII folding
// of s: on a mismatch it backtracks to the last star only and lets it absorb
// one more rune, which is exact for globs and bounded by len(s)·len(toks)
// steps. A literal right after the star is searched for rather than tried at
// each position. Question consumes one rune.
func (m *wildGlob) match(s string, fold bool) bool {
	toks := m.toks
	ti, si := 0, 0
	starTi, starSi := -1, 0
	for {
		if ti < len(toks) {
			switch tok := toks[ti]; tok.Kind {
			case Star:
				if ti == len(toks)-1 {
					return true
				}
				starTi, starSi = ti, si
				ti++
				continue
			case Question:
				if si < len(s) {
					si += runeWidth(s[si:])
					ti++
					continue
				}
			default:
				if starTi >= 0 && ti == starTi+1 && utf8.RuneStart(tok.Lit[0]) {
					// Jump the star to the next occurrence: every position
					// before it would fail here. The occurrence starts on a
					// rune boundary, as the star's one-rune steps would.
					j := m.index(s[si:], ti, fold)
					if j < 0 {
						return false
					}
					starSi = si + j
					si += j + len(tok.Lit)
					ti++
					continue
				}
				if hasPrefixMode(s[si:], tok.Lit, fold) {
					si += len(tok.Lit)
					ti++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		if starTi < 0 || starSi >= len(s) {
			return false
		}
		starSi += runeWidth(s[starSi:])
		ti, si = starTi+1, starSi
	}
}

// index finds literal token ti in s, exactly or under ASCII folding of s.
func (m *wildGlob) index(s string, ti int, fold bool) int {
	if fold {
		return indexFoldASCII(s, m.toks[ti].Lit, m.anchors[ti])
	}
	return strings.Index(s, m.toks[ti].Lit)
}

func (m *wildGlob) String() string { return fmt.Sprintf("matches %q", m.desc) + m.suffixDesc() }

// hasPrefixMode reports whether s starts with lit, exactly or under ASCII
// folding of s.
func hasPrefixMode(s, lit string, fold bool) bool {
	if len(s) < len(lit) {
		return false
	}
	if fold {
		return cmpFoldASCII(s[:len(lit)], lit) == cmpEqual
	}
	return s[:len(lit)] == lit
}

// runeWidth returns the byte length of the first rune of non-empty s; a byte
// that is not valid UTF-8 counts as one rune.
func runeWidth(s string) int {
	if s[0] < utf8.RuneSelf {
		return 1
	}
	_, n := utf8.DecodeRuneInString(s)
	return n
}
