package pattern

import (
	"strings"
	"testing"
)

var sinkB bool

func BenchmarkCalibEq(b *testing.B) {
	x, y := bench30, strings.Clone(bench30)
	for b.Loop() {
		sinkB = x == y
	}
}
func BenchmarkCalibEqualFold(b *testing.B) {
	x, y := bench30, strings.ToLower(bench30)
	for b.Loop() {
		sinkB = strings.EqualFold(x, y)
	}
}
func BenchmarkCalibCmp(b *testing.B) {
	x, y := bench30, strings.ToLower(bench30)
	for b.Loop() {
		sinkB = cmpFoldASCII(x, y) == 1
	}
}
func BenchmarkCalibMap(b *testing.B) {
	m := map[string]struct{}{}
	for i := range 50 {
		m[strings.Repeat("x", i)] = struct{}{}
	}
	y := strings.ToLower(bench30)
	for b.Loop() {
		_, sinkB = m[y]
	}
}

func cmp2(s, lit string) int {
	lit = lit[:len(s)]
	var acc, diff uint64
	for len(s) >= 8 {
		x := load64(s)
		acc |= x
		diff |= lower8(x&^highBits) ^ load64(lit)
		s, lit = s[8:], lit[8:]
	}
	if len(s) > 0 {
		// handled by caller in real code
		for i := 0; i < len(s); i++ {
			c := s[i]
			acc |= uint64(c)
			diff |= uint64(lowerByte(c) ^ lit[i])
		}
	}
	if acc&highBits != 0 {
		return -1
	}
	if diff != 0 {
		return 0
	}
	return 1
}

func cmp3(s, lit string) int {
	n := len(s)
	if n < 8 {
		return cmp2(s, lit)
	}
	lit = lit[:n]
	var acc, diff uint64
	for i := 0; i < n-8; i += 8 {
		x := load64(s[i:])
		acc |= x
		diff |= lower8(x&^highBits) ^ load64(lit[i:])
	}
	x := load64(s[n-8:])
	acc |= x
	diff |= lower8(x&^highBits) ^ load64(lit[n-8:])
	if acc&highBits != 0 {
		return -1
	}
	if diff != 0 {
		return 0
	}
	return 1
}

func BenchmarkCalibCmp2(b *testing.B) {
	x, y := bench30, strings.ToLower(bench30)
	for b.Loop() {
		sinkB = cmp2(x, y) == 1
	}
}
func BenchmarkCalibCmp3(b *testing.B) {
	x, y := bench30, strings.ToLower(bench30)
	for b.Loop() {
		sinkB = cmp3(x, y) == 1
	}
}
