package pattern

import "testing"

func TestRequiredLiteral(t *testing.T) {
	tests := []struct{ expr, want string }{
		{`.+:assumed-role/aws:.+`, ":assumed-role/aws:"},
		{`^foo(bar|baz)qux+`, "foo"},
		{`(?i)abcdef`, ""},
		{`a|bcd`, ""},
		{`(abcd)?x`, ""},
		{`x(hello){2}`, "hello"},
		{`ab`, ""},
		{`abc\x{FFFD}`, ""},
	}
	for _, tt := range tests {
		if got := requiredLiteral(tt.expr); got != tt.want {
			t.Errorf("requiredLiteral(%q) = %q, want %q", tt.expr, got, tt.want)
		}
	}
	m, err := Regexp(`.+:assumed-role/aws:.+`, RegexpFlags{})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := Regexp(`x\x{FFFD}yz`, RegexpFlags{})
	if err != nil {
		t.Fatal(err)
	}
	if !inv.MatchString("x\xffyz") {
		t.Errorf("Regexp(x\\x{FFFD}yz).MatchString(x\\xffyz) = false, want true (RE2 reads the invalid byte as U+FFFD)")
	}
	for s, want := range map[string]bool{"arn:aws:sts::1:assumed-role/aws:x/y": true, "arn:aws:sts::1:assumed-role/dev/y": false, ":assumed-role/aws:": false} {
		if got := m.MatchString(s); got != want {
			t.Errorf("MatchString(%q) = %v, want %v", s, got, want)
		}
	}
}
