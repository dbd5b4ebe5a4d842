package pattern

import (
	"math/rand/v2"
	"testing"
)

func TestHangHunt(t *testing.T) {
	alpha := []string{"a", "b", "k", "s", "K", "S", "*", "?", "\\", "é", "É", "\u212a", "\u017f", "ß", "x"}
	r := rand.New(rand.NewPCG(1, 2))
	gen := func(n int) string {
		s := ""
		for range r.IntN(n) {
			s += alpha[r.IntN(len(alpha))]
		}
		return s
	}
	for i := 0; i < 2000000; i++ {
		p, s := gen(8), gen(10)
		cased := r.IntN(2) == 0
		done := make(chan bool)
		go func() { Glob(ParseValue(p), cased).MatchString(s); close(done) }()
		select {
		case <-done:
		case <-timeAfter():
			t.Fatalf("hang: %q %q %v", p, s, cased)
		}
		if got, want := Glob(ParseValue(p), cased).MatchString(s), refMatch(ParseValue(p), s, cased); got != want {
			t.Fatalf("%q %q %v: got %v want %v", p, s, cased, got, want)
		}
	}
}
