package pattern

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
)

// ErrWildcards is returned, wrapped, by the encodings that cannot encode a
// wildcard (base64, base64offset), as pySigma refuses them.
var ErrWildcards = errors.New("value has wildcards")

// plainText returns the text of a value without wildcards.
func plainText(t []Token, modifier string) (string, error) {
	if HasWildcards(t) {
		return "", fmt.Errorf("%s of %q: %w", modifier, FormatValue(t), ErrWildcards)
	}
	var b strings.Builder
	for _, tok := range t {
		b.WriteString(tok.Lit)
	}
	return b.String(), nil
}

// Base64 implements the `base64` modifier: the value's bytes in standard
// padded Base64. Values with wildcards are an error wrapping ErrWildcards.
func Base64(t []Token) ([]Token, error) {
	s, err := plainText(t, "base64")
	if err != nil {
		return nil, err
	}
	return Literal(base64.StdEncoding.EncodeToString([]byte(s))), nil
}

// Base64Offset implements the `base64offset` modifier exactly as pySigma: the
// three encodings of the value shifted by 0, 1 and 2 bytes, with the
// characters that depend on the unknown neighbouring bytes cut off. Variant i
// is b64(i spaces + value)[start[i] : end[(n+i) % 3]] with start = (0, 2, 3)
// and end = (none, -3, -2), n being the value's length in bytes (pySigma
// counts characters; both agree for ASCII). "whoami" gives "d2hvYW1p",
// "dob2Fta" and "3aG9hbW". The variants are meant to be ORed, usually with
// contains. Values with wildcards are an error wrapping ErrWildcards.
func Base64Offset(t []Token) ([][]Token, error) {
	s, err := plainText(t, "base64offset")
	if err != nil {
		return nil, err
	}
	start := [3]int{0, 2, 3}
	end := [3]int{0, -3, -2} // 0: to the end
	out := make([][]Token, 3)
	for i := range 3 {
		enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat(" ", i) + s))
		lo, hi := start[i], len(enc)+end[(len(s)+i)%3]
		if lo > len(enc) {
			lo = len(enc)
		}
		if hi < lo { // Python slicing yields "" for an empty range
			hi = lo
		}
		out[i] = Literal(enc[lo:hi])
	}
	return out, nil
}

// UTF16LE implements the `utf16le` modifier and its alias `wide` (the only
// name pySigma registers): each literal run is re-encoded from UTF-8 to
// UTF-16LE bytes ("cmd" becomes 63 00 6d 00 64 00); wildcards are kept.
// Bytes that are not valid UTF-8 are encoded as U+FFFD.
func UTF16LE(t []Token) []Token { return mapPlain(t, binary.LittleEndian) }

// UTF16BE implements the `utf16be` modifier: like UTF16LE in big-endian order
// ("cmd" becomes 00 63 00 6d 00 64).
func UTF16BE(t []Token) []Token { return mapPlain(t, binary.BigEndian) }

// UTF16 implements the `utf16` modifier: the byte order mark FF FE followed by
// the UTF16LE encoding. As in pySigma the mark always comes first, even before
// a leading wildcard.
func UTF16(t []Token) []Token {
	return normalize(append([]Token{{Kind: Plain, Lit: "\xff\xfe"}}, UTF16LE(t)...))
}

func mapPlain(t []Token, order binary.AppendByteOrder) []Token {
	out := normalize(t)
	for i, tok := range out {
		if tok.Kind != Plain {
			continue
		}
		units := utf16.Encode([]rune(tok.Lit))
		b := make([]byte, 0, 2*len(units))
		for _, u := range units {
			b = order.AppendUint16(b, u)
		}
		out[i].Lit = string(b)
	}
	return out
}
