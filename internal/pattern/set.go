package pattern

import (
	"fmt"
	"slices"
	"strings"
)

// Set returns one matcher that is true when any of ms matches. Equalities
// compiled by Glob are merged into hash lookups: the case-insensitive ones into
// one set keyed by their folded form (see Fold; an input of up to 128 bytes is
// folded into a stack buffer, so the lookup does not allocate), the cased ones
// into another. Nested sets are flattened; every other matcher is kept, in
// order, and tried after the lookups. Set of one matcher returns it unchanged,
// and so does a Set that reduces to one non-equality matcher; Set of none
// matches nothing.
func Set(ms ...Matcher) Matcher {
	switch len(ms) {
	case 0:
		return nothing{}
	case 1:
		return ms[0]
	}
	m := &set{}
	for _, x := range ms {
		m.add(x)
	}
	if m.folded == nil && m.cased == nil && len(m.rest) <= 1 {
		if len(m.rest) == 0 {
			return nothing{}
		}
		return m.rest[0]
	}
	return m
}

// nothing is the matcher of an empty Set.
type nothing struct{}

func (nothing) MatchString(string) bool { return false }
func (nothing) String() string          { return "matches nothing" }

// set is the matcher built by Set from two matchers or more.
type set struct {
	folded    map[string]struct{} // Fold of case-insensitive equalities
	maxFolded int                 // longest key of folded
	lengths   uint64              // bit min(n, 63) set for each key length n
	cased     map[string]struct{} // case-sensitive equalities
	rest      []Matcher
}

func (m *set) add(x Matcher) {
	switch x := x.(type) {
	case *equal:
		if x.cased {
			if m.cased == nil {
				m.cased = make(map[string]struct{})
			}
			m.cased[x.lit] = struct{}{}
			return
		}
		if m.folded == nil {
			m.folded = make(map[string]struct{})
		}
		m.folded[x.lit] = struct{}{}
		m.maxFolded = max(m.maxFolded, len(x.lit))
		m.lengths |= 1 << min(len(x.lit), 63)
	case nothing:
	case *set:
		for k := range x.folded {
			m.add(&equal{lit: k})
		}
		for k := range x.cased {
			m.add(&equal{lit: k, flags: flags{cased: true}})
		}
		m.rest = append(m.rest, x.rest...)
	default:
		m.rest = append(m.rest, x)
	}
}

// foldBuf is the size of the stack buffer MatchString folds the input into.
const foldBuf = 128

func (m *set) MatchString(s string) bool {
	if m.cased != nil {
		if _, ok := m.cased[s]; ok {
			return true
		}
	}
	if m.folded != nil && m.matchFolded(s) {
		return true
	}
	for _, x := range m.rest {
		if x.MatchString(s) {
			return true
		}
	}
	return false
}

func (m *set) matchFolded(s string) bool {
	if len(s) > foldBuf {
		// Folding shrinks a rune at most threefold (the Kelvin sign).
		if len(s) > 3*m.maxFolded || len(s) > m.maxFolded && isASCII(s) {
			return false
		}
		_, ok := m.folded[Fold(s)]
		return ok
	}
	var buf [foldBuf]byte
	if len(s) < 63 && m.lengths&(1<<len(s)) == 0 {
		// No key has this length, so only a non-ASCII s, which may fold
		// shorter, can match.
		if isASCII(s) {
			return false
		}
	} else if lowerInto(buf[:], s) { // an ASCII s folds to its lower case
		_, ok := m.folded[string(buf[:len(s)])]
		return ok
	}
	_, ok := m.folded[string(AppendFold(buf[:0], s))]
	return ok
}

// maxDescValues bounds the values listed by a set's description.
const maxDescValues = 5

func (m *set) String() string {
	var parts []string
	if len(m.folded) > 0 {
		parts = append(parts, "equals "+describeValues(m.folded))
	}
	if len(m.cased) > 0 {
		parts = append(parts, "equals "+describeValues(m.cased)+" (case-sensitive)")
	}
	for _, x := range m.rest {
		parts = append(parts, Describe(x))
	}
	return strings.Join(parts, ", or ")
}

func describeValues(vs map[string]struct{}) string {
	keys := sortedKeys(vs)
	if len(keys) == 1 {
		return fmt.Sprintf("%q", keys[0])
	}
	var b strings.Builder
	b.WriteString("one of ")
	if len(keys) > maxDescValues {
		fmt.Fprintf(&b, "%d values ", len(keys))
	}
	for i, k := range keys[:min(len(keys), maxDescValues)] {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", k)
	}
	if len(keys) > maxDescValues {
		b.WriteString(", …")
	}
	return b.String()
}

func sortedKeys(vs map[string]struct{}) []string {
	keys := make([]string, 0, len(vs))
	for k := range vs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// EqualValues reports the values of a pure case-insensitive equality matcher,
// for an index of rules by field value: m is a Glob without wildcards, or a Set
// made only of such globs. The values are in folded form (see Fold; ASCII is
// lower-cased), sorted and without duplicates; look event values up by their
// Fold. ok is false for anything else, cased equalities included.
func EqualValues(m Matcher) (values []string, ok bool) {
	switch m := m.(type) {
	case *equal:
		if !m.cased {
			return []string{m.lit}, true
		}
	case *set:
		if m.cased == nil && len(m.rest) == 0 && m.folded != nil {
			return sortedKeys(m.folded), true
		}
	}
	return nil, false
}
