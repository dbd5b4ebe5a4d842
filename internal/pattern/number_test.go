package pattern

import (
	"math"
	"testing"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in     string
		want   float64
		wantOK bool
	}{
		{"42", 42, true},
		{" 42 ", 42, true}, // surrounding white space is ignored
		{"\t42\n", 42, true},
		{"-7", -7, true},
		{"+7", 7, true},
		{"4.2e1", 42, true},
		{"4.2E+1", 42, true},
		{"420e-1", 42, true},
		{"0.5", 0.5, true},
		{".5", 0.5, true},
		{"5.", 5, true},
		{"007", 7, true},
		{"-0", 0, true},
		{"1e308", 1e308, true},
		{"", 0, false},
		{" ", 0, false},
		{"4 2", 0, false},
		{"42abc", 0, false},
		{"abc", 0, false},
		{"NaN", 0, false},
		{"Inf", 0, false},
		{"-Infinity", 0, false},
		{"0x2A", 0, false},
		{"0x1p-2", 0, false},
		{"1_000", 0, false},
		{"1e", 0, false},
		{"e5", 0, false},
		{".", 0, false},
		{"-", 0, false},
		{"1e400", 0, false}, // out of range
		{"true", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseNumber(tt.in)
		if ok != tt.wantOK || ok && got != tt.want {
			t.Errorf("ParseNumber(%q) = %v, %v, want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestNumberMatcher(t *testing.T) {
	tests := []struct {
		m     NumberMatcher
		input string
		want  bool
	}{
		{NumberMatcher{Op: Eq, Value: 42}, "42", true},
		{NumberMatcher{Op: Eq, Value: 42}, "42.0", true},
		{NumberMatcher{Op: Eq, Value: 42}, "4.2e1", true},
		{NumberMatcher{Op: Eq, Value: 42}, "43", false},
		{NumberMatcher{Op: Gt, Value: 42}, "43", true},
		{NumberMatcher{Op: Gt, Value: 42}, "42", false},
		{NumberMatcher{Op: Gte, Value: 42}, "42", true},
		{NumberMatcher{Op: Gte, Value: 42}, "41.9", false},
		{NumberMatcher{Op: Lt, Value: 0}, "-1", true},
		{NumberMatcher{Op: Lt, Value: 0}, "0", false},
		{NumberMatcher{Op: Lte, Value: 0}, "-0", true},
		{NumberMatcher{Op: Lte, Value: -5}, "-5", true},
		{NumberMatcher{Op: Gt, Value: 1}, "abc", false}, // non-numeric never matches
		{NumberMatcher{Op: Lt, Value: 1}, "", false},
		{NumberMatcher{Op: Lt, Value: 1}, "NaN", false},
		{NumberMatcher{Op: Op(99), Value: 1}, "1", false},
	}
	for _, tt := range tests {
		if got := tt.m.MatchString(tt.input); got != tt.want {
			t.Errorf("%s: MatchString(%q) = %v, want %v", tt.m, tt.input, got, tt.want)
		}
	}
	if (NumberMatcher{Op: Gte, Value: 1}).MatchNumber(math.NaN()) {
		t.Errorf("MatchNumber(NaN) = true, want false")
	}
}

func TestNumberDescribe(t *testing.T) {
	tests := []struct {
		m    NumberMatcher
		want string
	}{
		{NumberMatcher{Op: Eq, Value: 42}, "is a number == 42"},
		{NumberMatcher{Op: Gt, Value: 0.5}, "is a number > 0.5"},
		{NumberMatcher{Op: Gte, Value: -1}, "is a number >= -1"},
		{NumberMatcher{Op: Lt, Value: 1e21}, "is a number < 1e+21"},
		{NumberMatcher{Op: Lte, Value: 3}, "is a number <= 3"},
	}
	for _, tt := range tests {
		if got := Describe(tt.m); got != tt.want {
			t.Errorf("Describe(%+v) = %q, want %q", tt.m, got, tt.want)
		}
	}
	if n := testing.AllocsPerRun(10, func() { NumberMatcher{Op: Gt, Value: 1}.MatchString(" 403 ") }); n != 0 {
		t.Errorf("MatchString allocates %v times, want 0", n)
	}
}
