package pattern

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestBase64(t *testing.T) {
	tests := []struct {
		value string
		want  []Token
	}{
		{"foobar", []Token{lit("Zm9vYmFy")}}, // pySigma test_base64
		{"whoami", []Token{lit("d2hvYW1p")}},
		{"a", []Token{lit("YQ==")}},
		{"", nil},
		{`a\*`, []Token{lit("YSo=")}}, // the literal star is encoded, without its escape
	}
	for _, tt := range tests {
		got, err := Base64(ParseValue(tt.value))
		if err != nil {
			t.Fatalf("Base64(%q) error: %v", tt.value, err)
		}
		if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Base64(%q) mismatch (-want +got):\n%s", tt.value, diff)
		}
	}
}

func TestBase64Offset(t *testing.T) {
	tests := []struct {
		value string
		want  []string
	}{
		{"whoami", []string{"d2hvYW1p", "dob2Fta", "3aG9hbW"}}, // SIGMA.md §3
		{"foobar", []string{"Zm9vYmFy", "Zvb2Jhc", "mb29iYX"}}, // pySigma test_base64offset
		{"Invoke-Mimikatz", []string{"SW52b2tlLU1pbWlrYXR6", "ludm9rZS1NaW1pa2F0e", "JbnZva2UtTWltaWthdH"}},
		{"a", []string{"Y", "", "h"}},
		{"ab", []string{"YW", "Fi", "hY"}},
		{"", []string{"", "", ""}},
		{"é", []string{"w6", "Op", "Dq"}}, // cut by byte length (2), not characters
	}
	for _, tt := range tests {
		got, err := Base64Offset(ParseValue(tt.value))
		if err != nil {
			t.Fatalf("Base64Offset(%q) error: %v", tt.value, err)
		}
		var want [][]Token
		for _, w := range tt.want {
			want = append(want, Literal(w))
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Base64Offset(%q) mismatch (-want +got):\n%s", tt.value, diff)
		}
	}
}

func TestBase64Wildcards(t *testing.T) {
	for _, v := range []string{"foo*bar", "foo?", "*"} {
		if _, err := Base64(ParseValue(v)); !errors.Is(err, ErrWildcards) {
			t.Errorf("Base64(%q) error = %v, want ErrWildcards", v, err)
		}
		if _, err := Base64Offset(ParseValue(v)); !errors.Is(err, ErrWildcards) {
			t.Errorf("Base64Offset(%q) error = %v, want ErrWildcards", v, err)
		}
	}
}

func TestUTF16(t *testing.T) {
	tests := []struct {
		name  string
		fn    func([]Token) []Token
		value string
		want  []Token
	}{
		// MODS §Encoding examples, byte for byte.
		{"le", UTF16LE, "cmd", []Token{lit("c\x00m\x00d\x00")}},
		{"be", UTF16BE, "cmd", []Token{lit("\x00c\x00m\x00d")}},
		{"bom", UTF16, "cmd", []Token{lit("\xff\xfec\x00m\x00d\x00")}},
		// pySigma test_wide: wildcards kept.
		{"le wildcards", UTF16LE, "*foobar*", []Token{star, lit("f\x00o\x00o\x00b\x00a\x00r\x00"), star}},
		{"le question", UTF16LE, "a?b", []Token{lit("a\x00"), qm, lit("b\x00")}},
		{"be wildcards", UTF16BE, "*ab", []Token{star, lit("\x00a\x00b")}},
		{"bom before leading wildcard", UTF16, "*ab", []Token{lit("\xff\xfe"), star, lit("a\x00b\x00")}},
		{"bom of empty value", UTF16, "", []Token{lit("\xff\xfe")}},
		{"le non-ASCII", UTF16LE, "é€", []Token{lit("\xe9\x00\xac\x20")}},
		{"be non-ASCII", UTF16BE, "é€", []Token{lit("\x00\xe9\x20\xac")}},
		{"le surrogate pair", UTF16LE, "😀", []Token{lit("\x3d\xd8\x00\xde")}},
		{"be surrogate pair", UTF16BE, "😀", []Token{lit("\xd8\x3d\xde\x00")}},
		{"le empty", UTF16LE, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.fn(ParseValue(tt.value))
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s(%q) mismatch (-want +got):\n%s", tt.name, tt.value, diff)
			}
		})
	}
}

func TestWideThenBase64(t *testing.T) {
	// The usual chain |wide|base64offset|contains.
	got, err := Base64Offset(UTF16LE(ParseValue("cmd")))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]Token{Literal("YwBtAGQA"), Literal("MAbQBkA"), Literal("jAG0AZA")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Base64Offset(UTF16LE(cmd)) mismatch (-want +got):\n%s", diff)
	}
	gotBOM, err := Base64(UTF16(ParseValue("cmd")))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Literal("//5jAG0AZAA="), gotBOM); diff != "" {
		t.Errorf("Base64(UTF16(cmd)) mismatch (-want +got):\n%s", diff)
	}
}
