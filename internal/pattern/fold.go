package pattern

import (
	"encoding/binary"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Fold returns the case-folded form of s that the case-insensitive matchers
// compare and that EqualValues reports. Every rune is replaced by one canonical
// member of its Unicode simple case-folding orbit (the runes unicode.SimpleFold
// cycles through): the member with the shortest UTF-8 encoding, then a
// lower-case one, then the lowest code point. ASCII letters therefore fold to
// lower case, the Kelvin sign to "k" and the long s "ſ" to "s", and Fold never
// makes a string longer. For valid UTF-8, Fold(a) == Fold(b) exactly when
// strings.EqualFold(a, b); bytes that are not valid UTF-8 are kept as they are.
// Fold returns s itself, without allocating, when s is already folded.
func Fold(s string) string {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				return foldFrom(s, i)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if n > 1 && foldRune(r) != r {
			return foldFrom(s, i)
		}
		i += n
	}
	return s
}

// foldFrom folds s whose first i bytes are known to be folded already, with
// a single allocation.
func foldFrom(s string, i int) string {
	var b strings.Builder
	b.Grow(len(s)) // folding never lengthens
	b.WriteString(s[:i])
	var buf [128]byte
	for s = s[i:]; s != ""; {
		n := min(len(s), 96)
		// Cut on a rune boundary so that AppendFold sees whole runes.
		for k := 0; k < utf8.UTFMax-1 && n < len(s) && !utf8.RuneStart(s[n]); k++ {
			n--
		}
		b.Write(AppendFold(buf[:0], s[:n]))
		s = s[n:]
	}
	return b.String()
}

// AppendFold appends Fold(s) to dst and returns the extended slice; with a
// stack buffer it folds without allocating (map lookups by folded key).
func AppendFold(dst []byte, s string) []byte {
	i := 0
	for i < len(s) {
		if len(s)-i >= 8 {
			if x := load64(s[i:]); x&highBits == 0 {
				dst = binary.LittleEndian.AppendUint64(dst, lower8(x))
				i += 8
				continue
			}
		}
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, lowerByte(c))
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if n == 1 {
			dst = append(dst, c) // not valid UTF-8: kept verbatim
		} else {
			dst = utf8.AppendRune(dst, foldRune(r))
		}
		i += n
	}
	return dst
}

// foldRune returns the canonical member of r's simple case-folding orbit (see
// Fold).
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		return rune(lowerByte(byte(r)))
	}
	best, bestLen, bestLower := r, utf8.RuneLen(r), unicode.IsLower(r)
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		n, lower := utf8.RuneLen(f), unicode.IsLower(f)
		if n < bestLen || n == bestLen && (lower && !bestLower || lower == bestLower && f < best) {
			best, bestLen, bestLower = f, n, lower
		}
	}
	return best
}

// foldsToASCIIK and foldsToASCIIS are the only non-ASCII runes whose folded
// form is ASCII (the Kelvin sign and the long s; checked by a test over all of
// Unicode). A folded ASCII literal without 'k' or 's' can therefore only match
// ASCII bytes of the input, which lets the matchers work on the raw input.
const (
	foldsToASCIIK = "\u212a"
	foldsToASCIIS = "\u017f"
)

// hasKS reports whether s contains a rune that folds to ASCII "k" or "s".
func hasKS(s string) bool {
	return strings.Contains(s, foldsToASCIIK) || strings.Contains(s, foldsToASCIIS)
}

// highBits has the top bit of every byte of a word set.
const highBits = 0x8080808080808080

// load64 reads the first 8 bytes of s as a little-endian word; the compiler
// turns it into one load.
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// load32 reads the first 4 bytes of s as a little-endian word.
func load32(s string) uint64 {
	_ = s[3]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24
}

// lower8 lower-cases the ASCII letters of a word whose bytes are all ASCII.
func lower8(x uint64) uint64 {
	const ones = 0x0101010101010101
	ge := x + ones*(0x80-'A')   // top bit set where byte >= 'A'
	gt := x + ones*(0x80-'Z'-1) // top bit set where byte > 'Z'
	return x | (ge&^gt&highBits)>>2
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isLetter(c byte) bool {
	c |= 0x20
	return 'a' <= c && c <= 'z'
}

// isASCII reports whether s has no byte of 0x80 or above.
func isASCII(s string) bool {
	for len(s) >= 8 {
		if load64(s)&highBits != 0 {
			return false
		}
		s = s[8:]
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Results of cmpFoldASCII.
const (
	cmpNonASCII = -1 // s has a non-ASCII byte: undecided
	cmpDiffer   = 0  // s is ASCII and differs: definitely not equal
	cmpEqual    = 1  // s is ASCII and folds to lit
)

// cmpFoldASCII compares s with lit under ASCII case folding; lit is ASCII and
// folded, len(s) == len(lit). An ASCII s folds rune for rune, so cmpDiffer is
// final even for Unicode folding; a non-ASCII s is left to the caller. It
// works a word at a time without branching on the data.
func cmpFoldASCII(s, lit string) int {
	n := len(s)
	lit = lit[:n]
	var acc, diff uint64
	switch {
	case n >= 8:
		for i := 0; i < n-8; i += 8 {
			x := load64(s[i:])
			acc |= x
			diff |= lower8(x) ^ load64(lit[i:])
		}
		x := load64(s[n-8:]) // the tail, overlapping the last full word
		acc |= x
		diff |= lower8(x) ^ load64(lit[n-8:])
	case n >= 4:
		x := load32(s) | load32(s[n-4:])<<32
		acc = x
		diff = lower8(x) ^ (load32(lit) | load32(lit[n-4:])<<32)
	default:
		for i := 0; i < n; i++ {
			acc |= uint64(s[i])
			diff |= uint64(lowerByte(s[i]) ^ lit[i])
		}
	}
	switch {
	case acc&highBits != 0: // lower8 is meaningless on non-ASCII words
		return cmpNonASCII
	case diff != 0:
		return cmpDiffer
	}
	return cmpEqual
}

// lowerInto writes the ASCII lower case of s into buf (len(buf) >= len(s))
// and reports whether s is ASCII; when it is not, buf holds garbage.
func lowerInto(buf []byte, s string) bool {
	n := len(s)
	buf = buf[:n]
	var acc uint64
	if n >= 8 {
		for i := 0; i < n-8; i += 8 {
			x := load64(s[i:])
			acc |= x
			binary.LittleEndian.PutUint64(buf[i:], lower8(x))
		}
		x := load64(s[n-8:])
		acc |= x
		binary.LittleEndian.PutUint64(buf[n-8:], lower8(x))
		return acc&highBits == 0
	}
	for i := 0; i < n; i++ {
		acc |= uint64(s[i])
		buf[i] = lowerByte(s[i])
	}
	return acc&highBits == 0
}

// foldHasPrefix reports whether Fold(s) starts with lit (a folded string) and
// returns how many bytes of s that prefix takes. It handles any input without
// allocating.
func foldHasPrefix(s, lit string) (int, bool) {
	i, j := 0, 0
	for j < len(lit) {
		if i >= len(s) {
			return 0, false
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if lowerByte(c) != lit[j] {
				return 0, false
			}
			i, j = i+1, j+1
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if n == 1 {
			if c != lit[j] {
				return 0, false
			}
			i, j = i+1, j+1
			continue
		}
		var enc [utf8.UTFMax]byte
		m := utf8.EncodeRune(enc[:], foldRune(r))
		if len(lit)-j < m || lit[j:j+m] != string(enc[:m]) {
			return 0, false
		}
		i, j = i+n, j+m
	}
	return i, true
}

// foldHasSuffix reports whether Fold(s) ends with lit (a folded string),
// walking s backwards rune by rune without allocating.
func foldHasSuffix(s, lit string) bool {
	i, j := len(s), len(lit)
	for j > 0 {
		if i <= 0 {
			return false
		}
		c := s[i-1]
		if c < utf8.RuneSelf {
			if lowerByte(c) != lit[j-1] {
				return false
			}
			i, j = i-1, j-1
			continue
		}
		r, n := utf8.DecodeLastRuneInString(s[:i])
		if n == 1 {
			if c != lit[j-1] {
				return false
			}
			i, j = i-1, j-1
			continue
		}
		var enc [utf8.UTFMax]byte
		m := utf8.EncodeRune(enc[:], foldRune(r))
		if j < m || lit[j-m:j] != string(enc[:m]) {
			return false
		}
		i, j = i-n, j-m
	}
	return true
}

// indexFoldASCII returns the offset of the first ASCII run of s that folds to
// lit (ASCII, folded, non-empty), or -1. It searches for lit[anchor] (in both
// cases when it is a letter) with strings.IndexByte and verifies around it.
func indexFoldASCII(s, lit string, anchor int) int {
	n := len(lit)
	if n > len(s) {
		return -1
	}
	end := len(s) - n + anchor + 1 // anchor positions are < end
	lo := lit[anchor]
	if !isLetter(lo) {
		for i := anchor; i < end; i++ {
			j := strings.IndexByte(s[i:end], lo)
			if j < 0 {
				return -1
			}
			i += j
			if cmpFoldASCII(s[i-anchor:i-anchor+n], lit) == cmpEqual {
				return i - anchor
			}
		}
		return -1
	}
	up := lo - ('a' - 'A')
	// nextLo and nextUp cache the next occurrence of each case at or after i
	// (-1: none left), so every byte is scanned at most once per case.
	nextLo, nextUp := indexByteFrom(s[:end], lo, anchor), indexByteFrom(s[:end], up, anchor)
	for i := anchor; i < end; i++ {
		if nextLo != -1 && nextLo < i {
			nextLo = indexByteFrom(s[:end], lo, i)
		}
		if nextUp != -1 && nextUp < i {
			nextUp = indexByteFrom(s[:end], up, i)
		}
		switch {
		case nextLo == -1 && nextUp == -1:
			return -1
		case nextLo == -1:
			i = nextUp
		case nextUp == -1:
			i = nextLo
		default:
			i = min(nextLo, nextUp)
		}
		if cmpFoldASCII(s[i-anchor:i-anchor+n], lit) == cmpEqual {
			return i - anchor
		}
	}
	return -1
}

func indexByteFrom(s string, c byte, from int) int {
	if j := strings.IndexByte(s[from:], c); j >= 0 {
		return from + j
	}
	return -1
}

// pickAnchor chooses the byte of lit that indexFoldASCII searches first: the
// likely rarest one, preferring bytes without a case (one scan instead of
// two); the first such byte wins ties.
func pickAnchor(lit string) int {
	best, bestRank := 0, 255
	for i := 0; i < len(lit); i++ {
		if r := byteRank(lit[i]); r < bestRank {
			best, bestRank = i, r
		}
	}
	return best
}

// byteRank is a rough frequency rank of a byte in log values (lower is
// rarer), from English letter frequencies and the punctuation of JSON, ARNs,
// URLs and paths. A letter is searched in both cases, so it must be rarer than
// a caseless byte to win.
func byteRank(c byte) int {
	const letters = "etaoinsrhldcumfpgwybvkxjqz" // most to least frequent
	switch {
	case isLetter(c):
		if i := strings.IndexByte(letters, c|0x20); i < 14 {
			return 7
		} else if i < 20 {
			return 5
		}
		return 2
	case c == ' ' || c == '.' || c == '/' || c == '-' || c == '_' || c == ':' || c == '"' || c == 0:
		return 6 // NUL: UTF-16 encoded values are half NUL bytes
	case '0' <= c && c <= '9':
		return 4
	}
	return 1
}
