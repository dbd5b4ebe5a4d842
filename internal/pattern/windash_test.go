package pattern

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWindashFlags(t *testing.T) {
	tests := []struct {
		in   string
		want []int
	}{
		{"-foo /bar", []int{0, 5}},
		{"a-b", nil},
		{"-param-1", []int{0}},
		{"--x", []int{1}},
		{"x-", nil},
		{"-", nil},
		{"/_", []int{0}},
		{"-1", []int{0}},
		{"-é", []int{0}},
		{"é-x", nil},
		{" -é /x", []int{1, 5}}, // byte offsets
		{"–x", nil},             // an en dash is not a flag character
		{"-foo /bar a-b -param-1 --x -1 x-", []int{0, 5, 14, 24, 27}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, windashFlags(tt.in)); diff != "" {
			t.Errorf("windashFlags(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestWindash(t *testing.T) {
	dashes := []string{"-", "/", "\u2013", "\u2014", "\u2015"}
	tests := []struct {
		value string
		want  []string // FormatValue of each variant, in order
	}{
		{"a-b", []string{"a-b"}},
		{"-param-1", []string{"-param-1", "/param-1", "\u2013param-1", "\u2014param-1", "\u2015param-1"}},
		{"*-c*", []string{"*-c*", "*/c*", "*\u2013c*", "*\u2014c*", "*\u2015c*"}},
		{"x*-", []string{"x*-"}},
	}
	// "-foo /bar": 25 variants, the first flag varying slowest.
	var both []string
	for _, a := range dashes {
		for _, b := range dashes {
			both = append(both, a+"foo "+b+"bar")
		}
	}
	tests = append(tests, struct {
		value string
		want  []string
	}{"-foo /bar", both})
	for _, tt := range tests {
		got, err := Windash(ParseValue(tt.value))
		if err != nil {
			t.Fatalf("Windash(%q) error: %v", tt.value, err)
		}
		var gotS []string
		for _, v := range got {
			gotS = append(gotS, FormatValue(v))
		}
		if diff := cmp.Diff(tt.want, gotS); diff != "" {
			t.Errorf("Windash(%q) mismatch (-want +got):\n%s", tt.value, diff)
		}
	}
}

func TestWindashLimit(t *testing.T) {
	got, err := Windash(ParseValue("-a -b -c -d"))
	if err != nil || len(got) != 625 {
		t.Errorf("Windash(4 flags) = %d variants, %v; want 625, nil", len(got), err)
	}
	if _, err := Windash(ParseValue("-a -b -c -d -e")); err == nil || !strings.Contains(err.Error(), "-a -b -c -d -e") {
		t.Errorf("Windash(5 flags) error = %v, want one naming the value", err)
	}
}

func TestWindashDoesNotModifyInput(t *testing.T) {
	in := ParseValue("-x")
	if _, err := Windash(in); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Token{lit("-x")}, in); diff != "" {
		t.Errorf("input modified (-want +got):\n%s", diff)
	}
}
