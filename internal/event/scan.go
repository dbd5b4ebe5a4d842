package event

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
)

// maxDepth bounds the nesting of arrays and objects so that hostile input cannot exhaust the stack.
const maxDepth = 512

// SyntaxError describes malformed JSON in an event's raw bytes.
type SyntaxError struct {
	Offset int    // byte offset in the raw event where the problem was found
	Msg    string // what is wrong, lower-case
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("malformed JSON at byte %d: %s", e.Offset, e.Msg)
}

var errTooDeep = errors.New("nesting deeper than 512 levels")

// byteClass tables: immutable lookup tables (package-level constants in spirit).
var (
	isSpace   = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}
	isDigit   = [256]bool{'0': true, '1': true, '2': true, '3': true, '4': true, '5': true, '6': true, '7': true, '8': true, '9': true}
	isSpecial = func() (t [256]bool) {
		for c := 0; c < 0x20; c++ {
			t[c] = true
		}
		t['"'], t['\\'] = true, true
		return t
	}()
	isHex = func() (t [256]bool) {
		for _, c := range "0123456789abcdefABCDEF" {
			t[c] = true
		}
		return t
	}()
)

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// specialMask returns a word whose high bit is set in each byte of w that is '"', '\\' or a control
// character (< 0x20); the lowest set byte is exact (borrows only propagate upwards).
func specialMask(w uint64) uint64 {
	q := w ^ (lsb * '"')
	b := w ^ (lsb * '\\')
	zq := (q - lsb) &^ q
	zb := (b - lsb) &^ b
	lt := (w - lsb*0x20) &^ w
	return (zq | zb | lt) & msb
}

// scanner validates JSON strictly (RFC 8259 grammar; invalid UTF-8 inside strings is tolerated, as
// encoding/json does) and reports the extent of values.
type scanner struct {
	data []byte
}

func (s *scanner) fail(i int, format string, args ...any) error {
	return &SyntaxError{Offset: i, Msg: fmt.Sprintf(format, args...)}
}

func (s *scanner) skipSpace(i int) int {
	if i < len(s.data) && s.data[i] > ' ' {
		return i
	}
	for i < len(s.data) && isSpace[s.data[i]] {
		i++
	}
	return i
}

// stringEnd expects s.data[i] == '"' and returns the offset just past the closing quote and whether
// the string contains escape sequences.
func (s *scanner) stringEnd(i int) (end int, escaped bool, err error) {
	d := s.data
	i++
	for {
		if i+8 <= len(d) {
			m := specialMask(binary.LittleEndian.Uint64(d[i:]))
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) / 8
		} else {
			for i < len(d) && !isSpecial[d[i]] {
				i++
			}
			if i >= len(d) {
				return 0, false, s.fail(i, "unterminated string")
			}
		}
		switch c := d[i]; {
		case c == '"':
			return i + 1, escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(d) {
				return 0, false, s.fail(i, "unterminated string")
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(d) || !isHex[d[i+2]] || !isHex[d[i+3]] || !isHex[d[i+4]] || !isHex[d[i+5]] {
					return 0, false, s.fail(i, "invalid \\u escape")
				}
				i += 6
			default:
				return 0, false, s.fail(i, "invalid escape %q", d[i:i+2])
			}
		default:
			return 0, false, s.fail(i, "control character 0x%02x in string", c)
		}
	}
}

// valueEnd validates the value starting at i (no leading space) and returns the offset just past it.
func (s *scanner) valueEnd(i, depth int) (int, error) {
	d := s.data
	if i >= len(d) {
		return 0, s.fail(i, "unexpected end of input")
	}
	switch c := d[i]; c {
	case '"':
		end, _, err := s.stringEnd(i)
		return end, err
	case '{':
		return s.objectEnd(i, depth+1)
	case '[':
		return s.arrayEnd(i, depth+1)
	case 't':
		return s.literal(i, "true")
	case 'f':
		return s.literal(i, "false")
	case 'n':
		return s.literal(i, "null")
	default:
		if c == '-' || isDigit[c] {
			return s.numberEnd(i)
		}
		return 0, s.fail(i, "unexpected character %q", c)
	}
}

func (s *scanner) literal(i int, lit string) (int, error) {
	if len(s.data)-i < len(lit) || string(s.data[i:i+len(lit)]) != lit {
		return 0, s.fail(i, "invalid literal")
	}
	return i + len(lit), nil
}

func (s *scanner) numberEnd(i int) (int, error) {
	d := s.data
	start := i
	if d[i] == '-' {
		i++
	}
	if i >= len(d) || !isDigit[d[i]] {
		return 0, s.fail(start, "invalid number")
	}
	if d[i] == '0' {
		i++
	} else {
		for i < len(d) && isDigit[d[i]] {
			i++
		}
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || !isDigit[d[i]] {
			return 0, s.fail(start, "invalid number")
		}
		for i < len(d) && isDigit[d[i]] {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || !isDigit[d[i]] {
			return 0, s.fail(start, "invalid number")
		}
		for i < len(d) && isDigit[d[i]] {
			i++
		}
	}
	return i, nil
}

// objectEnd validates the object at i. When members is not nil, each member's key and value spans
// are appended to it (used for the top-level index).
func (s *scanner) objectEnd(i, depth int) (int, error) {
	_, end, err := s.object(i, depth, nil, false)
	return end, err
}

// object validates the object at i; with collect, it appends each member's key and value spans
// to ms (the top-level index) and returns the extended slice.
func (s *scanner) object(i, depth int, ms []member, collect bool) ([]member, int, error) {
	if depth > maxDepth {
		return ms, 0, &SyntaxError{Offset: i, Msg: errTooDeep.Error()}
	}
	d := s.data
	i = s.skipSpace(i + 1)
	if i < len(d) && d[i] == '}' {
		return ms, i + 1, nil
	}
	for {
		if i >= len(d) || d[i] != '"' {
			return ms, 0, s.fail(i, "expected object key")
		}
		kEnd, kEsc, err := s.stringEnd(i)
		if err != nil {
			return ms, 0, err
		}
		j := s.skipSpace(kEnd)
		if j >= len(d) || d[j] != ':' {
			return ms, 0, s.fail(j, "expected ':' after object key")
		}
		v := s.skipSpace(j + 1)
		var vEnd int
		vEsc := false
		if v < len(d) && d[v] == '"' {
			vEnd, vEsc, err = s.stringEnd(v)
		} else {
			vEnd, err = s.valueEnd(v, depth)
		}
		if err != nil {
			return ms, 0, err
		}
		if collect {
			ms = append(ms, member{k0: int32(i + 1), k1: int32(kEnd - 1), v0: int32(v), v1: int32(vEnd), kEsc: kEsc, vEsc: vEsc})
		}
		i = s.skipSpace(vEnd)
		if i >= len(d) {
			return ms, 0, s.fail(i, "unexpected end of input in object")
		}
		switch d[i] {
		case ',':
			i = s.skipSpace(i + 1)
		case '}':
			return ms, i + 1, nil
		default:
			return ms, 0, s.fail(i, "expected ',' or '}' in object")
		}
	}
}

func (s *scanner) arrayEnd(i, depth int) (int, error) {
	if depth > maxDepth {
		return 0, &SyntaxError{Offset: i, Msg: errTooDeep.Error()}
	}
	d := s.data
	i = s.skipSpace(i + 1)
	if i < len(d) && d[i] == ']' {
		return i + 1, nil
	}
	for {
		end, err := s.valueEnd(i, depth)
		if err != nil {
			return 0, err
		}
		i = s.skipSpace(end)
		if i >= len(d) {
			return 0, s.fail(i, "unexpected end of input in array")
		}
		switch d[i] {
		case ',':
			i = s.skipSpace(i + 1)
		case ']':
			return i + 1, nil
		default:
			return 0, s.fail(i, "expected ',' or ']' in array")
		}
	}
}

// Valid reports whether data is exactly one well-formed JSON value (surrounding space allowed).
func Valid(data []byte) bool {
	s := scanner{data: data}
	i := s.skipSpace(0)
	end, err := s.valueEnd(i, 0)
	return err == nil && s.skipSpace(end) == len(data)
}

// The functions below walk JSON that index() has already validated: they only find extents.

// skipString returns the offset just past the string starting at d[i] == '"'.
func skipString(d []byte, i int) int {
	j := i + 1
	for {
		k := bytes.IndexByte(d[j:], '"')
		if k < 0 {
			return len(d)
		}
		j += k
		n := 0
		for b := j - 1; b > i && d[b] == '\\'; b-- {
			n++
		}
		if n%2 == 0 {
			return j + 1
		}
		j++
	}
}

// skipValue returns the offset just past the value starting at d[i].
func skipValue(d []byte, i int) int {
	switch d[i] {
	case '"':
		return skipString(d, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(d); j++ {
			switch d[j] {
			case '"':
				j = skipString(d, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(d)
	default:
		j := i
		for j < len(d) && d[j] != ',' && d[j] != '}' && d[j] != ']' && !isSpace[d[j]] {
			j++
		}
		return j
	}
}
