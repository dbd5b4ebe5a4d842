package parse

import (
	"encoding/binary"
	"math/bits"
)

// This file finds where a JSON value ends without decoding or validating it: a bracket
// matcher that knows about strings and escapes. It is resumable, so a value can be scanned
// as the buffer fills, and it can run over bytes that are being discarded.

// maxDepth bounds nesting, which bounds the scanner's stack.
const maxDepth = 10000

// scanStatus is the outcome of one scan call.
type scanStatus uint8

const (
	scanMore scanStatus = iota // the value continues past the bytes given
	scanDone                   // the value ends at scanner.n
	scanBad                    // the value is malformed at scanner.n; scanner.msg says how
)

// scanKind is the kind of value being scanned, set by its first byte.
type scanKind uint8

const (
	kindUnknown   scanKind = iota
	kindContainer          // object, array, or a string (a container with nothing open)
	kindLiteral            // number, true, false, null
)

// scanner is the state of the scan of one JSON value.
type scanner struct {
	stack   []byte // open brackets
	n       int    // bytes scanned, from the start of the value
	kind    scanKind
	inStr   bool
	esc     bool   // the byte after a backslash is pending
	seen    bool   // a literal has at least one byte
	lines   bool   // a newline outside a string ends the scan as malformed (jsonl)
	crossed bool   // scanBad because the value went on past its line
	msg     string // why scanBad

	// Objects opening in the first column inside the value: where a multi-line format
	// resynchronises after an error. cands holds those still open, innermost last.
	track bool
	cands []cand
}

// cand is an object that opens in the first column of a line inside the value being
// scanned: its offset, and the depth of the stack before its brace.
type cand struct {
	off, depth int
}

// reset prepares s for a new value.
func (s *scanner) reset(lines bool) {
	*s = scanner{stack: s.stack[:0], lines: lines, track: !lines, cands: s.cands[:0]}
}

// resume prepares s to scan the rest of a container whose opening bracket open has
// already been consumed.
func (s *scanner) resume(open byte, lines bool) {
	s.reset(lines)
	s.kind = kindContainer
	s.stack = append(s.stack, open)
}

// Byte classes. Immutable tables.
var (
	// strSpecial marks the bytes that matter inside a string.
	strSpecial = [256]bool{'"': true, '\\': true, '\n': true}
	// outSpecial marks the bytes that matter outside strings.
	outSpecial = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true}
	// outSpecialNL is outSpecial plus the newline, for line-oriented framing.
	outSpecialNL = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true, '\n': true}
	// literalEnd marks the bytes that end, or cannot be part of, a bare literal.
	literalEnd = [256]bool{
		' ': true, '\t': true, '\n': true, '\r': true, ',': true, ':': true,
		'{': true, '}': true, '[': true, ']': true, '"': true,
	}
)

// SWAR constants: a byte repeated in every lane of a uint64.
const (
	lanes01    = 0x0101010101010101
	lanes80    = 0x8080808080808080
	lanesQuote = '"' * lanes01
	lanesBack  = '\\' * lanes01
	lanesNL    = '\n' * lanes01
)

// skipString returns the offset of the first byte at or after i that ends or escapes a
// string ('"', '\\' or a newline), or len(b). It tests eight bytes at a time.
func skipString(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		q, bs, nl := x^lanesQuote, x^lanesBack, x^lanesNL
		// A lane is zero in q, bs or nl where b holds that byte; the lowest marked lane
		// is exact (higher ones may be false positives, which are never looked at).
		m := ((q - lanes01) &^ q) | ((bs - lanes01) &^ bs) | ((nl - lanes01) &^ nl)
		if m &= lanes80; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for i < len(b) && !strSpecial[b[i]] {
		i++
	}
	return i
}

// isSpace reports whether c is JSON whitespace.
func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t'
}

// scan continues the scan over b, which holds the value from its first unconsumed byte:
// s.n is an offset into b. It returns scanMore when b ends before the value does.
func (s *scanner) scan(b []byte) scanStatus {
	if s.kind == kindUnknown {
		if len(b) == 0 {
			return scanMore
		}
		switch c := b[0]; c {
		case '{', '[':
			s.kind = kindContainer
			s.stack = append(s.stack, c)
			s.n = 1
		case '"':
			s.kind = kindContainer
			s.inStr = true
			s.n = 1
		default:
			s.kind = kindLiteral
		}
	}
	if s.kind == kindLiteral {
		return s.scanLiteral(b)
	}
	return s.scanContainer(b)
}

// bad records why the value is malformed at offset i.
func (s *scanner) bad(i int, msg string) scanStatus {
	s.n = i
	s.msg = msg
	return scanBad
}

// scanContainer scans strings, objects and arrays.
func (s *scanner) scanContainer(b []byte) scanStatus {
	out := &outSpecial
	if s.lines {
		out = &outSpecialNL
	}
	i := s.n
	for {
		if s.inStr {
			if s.esc {
				if i >= len(b) {
					s.n = i
					return scanMore
				}
				if b[i] == '\n' {
					return s.bad(i, "unterminated string")
				}
				s.esc = false
				i++
			}
			i = skipString(b, i)
			if i >= len(b) {
				s.n = i
				return scanMore
			}
			switch b[i] {
			case '"':
				s.inStr = false
				i++
				if len(s.stack) == 0 {
					s.n = i
					return scanDone
				}
			case '\\':
				s.esc = true
				i++
			default:
				return s.bad(i, "unterminated string")
			}
			continue
		}
		for i < len(b) && !out[b[i]] {
			i++
		}
		if i >= len(b) {
			s.n = i
			return scanMore
		}
		switch c := b[i]; c {
		case '"':
			s.inStr = true
		case '{', '[':
			if len(s.stack) >= maxDepth {
				return s.bad(i, "nesting too deep")
			}
			if c == '{' && s.track && i > 0 && b[i-1] == '\n' {
				s.cands = append(s.cands, cand{off: i, depth: len(s.stack)})
			}
			s.stack = append(s.stack, c)
		case '}', ']':
			top := len(s.stack) - 1
			if top < 0 || s.stack[top]+2 != c { // '{'+2 == '}', '['+2 == ']'
				return s.bad(i, unexpected(c))
			}
			s.stack = s.stack[:top]
			if n := len(s.cands); n > 0 && s.cands[n-1].depth == top {
				s.cands = s.cands[:n-1] // it closed: a resynchronisation would find it whole
			}
			if top == 0 {
				s.n = i + 1
				return scanDone
			}
		default: // '\n' in line-oriented framing
			s.crossed = true
			return s.bad(i, "value continues past the end of the line")
		}
		i++
	}
}

// scanLiteral scans a bare number or keyword, up to the byte that ends it.
func (s *scanner) scanLiteral(b []byte) scanStatus {
	i := s.n
	for i < len(b) && !literalEnd[b[i]] {
		i++
	}
	s.seen = s.seen || i > s.n
	if i >= len(b) {
		s.n = i
		return scanMore
	}
	switch c := b[i]; {
	case !s.seen || c == '{' || c == '[' || c == '"':
		return s.bad(i, unexpected(c))
	}
	s.n = i
	return scanDone
}

// envelope is the kind of wrapper an object is, judged by its first key.
type envelope uint8

const (
	envNone       envelope = iota
	envRecords             // {"Records": [...]} or {"records": [...]}: each element is a record
	envCloudWatch          // {"messageType": ...}: a CloudWatch Logs subscription payload
	envDigest              // {"awsAccountId": ...}: a CloudTrail digest file if digestStartTime is present
)

// maxKeyLen is the length of the longest key sniffEnvelope looks for.
const maxKeyLen = len("awsAccountId")

// sniffEnvelope judges the object that starts at b[0] by its first key. For envRecords it
// also returns the offset just past the array's '['. ok is false when b ends before the
// answer is known.
func sniffEnvelope(b []byte) (env envelope, off int, ok bool) {
	i := skipSpace(b, 1)
	if i >= len(b) {
		return envNone, 0, false
	}
	if b[i] != '"' {
		return envNone, 0, true
	}
	i++
	j := i
	for j < len(b) && j-i <= maxKeyLen && b[j] != '"' {
		j++
	}
	if j-i > maxKeyLen {
		return envNone, 0, true
	}
	if j >= len(b) {
		return envNone, 0, false
	}
	switch string(b[i:j]) {
	case "Records", "records":
		k := skipSpace(b, j+1)
		if k >= len(b) {
			return envNone, 0, false
		}
		if b[k] != ':' {
			return envNone, 0, true
		}
		k = skipSpace(b, k+1)
		if k >= len(b) {
			return envNone, 0, false
		}
		if b[k] != '[' {
			return envNone, 0, true
		}
		return envRecords, k + 1, true
	case "messageType":
		return envCloudWatch, 0, true
	case "awsAccountId":
		return envDigest, 0, true
	}
	return envNone, 0, true
}

// skipSpace returns the offset of the first byte at or after i that is not whitespace.
func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}
