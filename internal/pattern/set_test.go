package pattern

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func globs(cased bool, values ...string) []Matcher {
	ms := make([]Matcher, len(values))
	for i, v := range values {
		ms[i] = Glob(ParseValue(v), cased)
	}
	return ms
}

func TestSet(t *testing.T) {
	folded := globs(false, "GetObject", "PutObject", "Café", "", strings.Repeat("Long", 40))
	cased := globs(true, "DeleteBucket")
	others := globs(false, "List*", "*Policy*")
	all := Set(append(append(append([]Matcher{}, folded...), cased...), others...)...)
	nested := Set(Set(folded...), Set(append(cased, others...)...))

	tests := []struct {
		input string
		want  bool
	}{
		{"GetObject", true},
		{"getobject", true},
		{"PUTOBJECT", true},
		{"CAFÉ", true},
		{"café", true},
		{"", true},
		{strings.Repeat("LONG", 40), true},
		{strings.Repeat("LONG", 40) + "x", false},
		{"DeleteBucket", true},
		{"deletebucket", false}, // cased
		{"ListBuckets", true},
		{"PutBucketPolicy", true},
		{"GetObjectAcl", false},
		{"Get", false},
		{"\u212aafé", false},
		{strings.Repeat("x", 300), false},
	}
	for _, m := range []Matcher{all, nested} {
		for _, tt := range tests {
			if got := m.MatchString(tt.input); got != tt.want {
				t.Errorf("%s: MatchString(%.30q) = %v, want %v", Describe(m), tt.input, got, tt.want)
			}
		}
	}
}

func TestSetKelvin(t *testing.T) {
	// Non-ASCII input that folds shorter than its length, in a set whose keys
	// have another length than the input: the length filter must not reject it.
	m := Set(globs(false, "kms", "sts")...)
	for _, in := range []string{"\u212aMS", "\u017fT\u017f", "KMS"} {
		if !m.MatchString(in) {
			t.Errorf("Set(kms, sts).MatchString(%q) = false, want true", in)
		}
	}
	long := Set(globs(false, strings.Repeat("k", 100), "x")...)
	if in := strings.Repeat("\u212a", 100); !long.MatchString(in) {
		t.Errorf("Set(k×100, x).MatchString(K×100) = false, want true")
	}
}

func TestSetOneAndNone(t *testing.T) {
	g := Glob(ParseValue("Get*"), false)
	if got := Set(g); got != g {
		t.Errorf("Set(g) = %v, want g itself", got)
	}
	none := Set()
	if none.MatchString("") || none.MatchString("x") {
		t.Errorf("Set() matched, want nothing")
	}
	if got, want := Describe(none), "matches nothing"; got != want {
		t.Errorf("Describe(Set()) = %q, want %q", got, want)
	}
}

func TestSetDescribe(t *testing.T) {
	var many []string
	for i := range 7 {
		many = append(many, fmt.Sprintf("v%d", i))
	}
	tests := []struct {
		m    Matcher
		want string
	}{
		{Set(globs(false, "B", "a")...), `equals one of "a", "b"`},
		{Set(globs(false, many...)...), `equals one of 7 values "v0", "v1", "v2", "v3", "v4", …`},
		{Set(append(globs(true, "X", "X"), globs(false, "y*")...)...), `equals "X" (case-sensitive), or starts with "y"`},
	}
	for _, tt := range tests {
		if got := Describe(tt.m); got != tt.want {
			t.Errorf("Describe = %q, want %q", got, tt.want)
		}
	}
}

func TestEqualValues(t *testing.T) {
	tests := []struct {
		name   string
		m      Matcher
		want   []string
		wantOK bool
	}{
		{"one equality", Glob(ParseValue("GetObject"), false), []string{"getobject"}, true},
		{"set of equalities", Set(globs(false, "PutObject", "GetObject", "getobject", "ÉTÉ")...),
			[]string{"getobject", "putobject", "été"}, true},
		{"nested sets", Set(Set(globs(false, "a", "b")...), Glob(ParseValue("c"), false)), []string{"a", "b", "c"}, true},
		{"empty value", Glob(nil, false), []string{""}, true},
		{"cased equality", Glob(ParseValue("GetObject"), true), nil, false},
		{"set with cased", Set(append(globs(false, "a"), globs(true, "b")...)...), nil, false},
		{"set with prefix", Set(globs(false, "a", "b*")...), nil, false},
		{"prefix", Glob(ParseValue("a*"), false), nil, false},
		{"escaped star is an equality", Glob(ParseValue(`a\*`), false), []string{"a*"}, true},
		{"regexp", mustRegexp(t, "a"), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := EqualValues(tt.m)
			if ok != tt.wantOK {
				t.Fatalf("EqualValues(%s) ok = %v, want %v", Describe(tt.m), ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("EqualValues(%s) mismatch (-want +got):\n%s", Describe(tt.m), diff)
			}
		})
	}
}

func TestSetAllocs(t *testing.T) {
	m := Set(globs(false, "AssumeRole", "GetSessionToken", "Café")...)
	for _, in := range []string{"ASSUMEROLE", "assumerole-x", "CAFÉ", strings.Repeat("y", 100), strings.Repeat("y", 1000)} {
		if n := testing.AllocsPerRun(10, func() { m.MatchString(in) }); n != 0 {
			t.Errorf("MatchString(%.20q…) allocates %v times, want 0", in, n)
		}
	}
}

func mustRegexp(t *testing.T, expr string) Matcher {
	t.Helper()
	m, err := Regexp(expr, RegexpFlags{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSetReduces(t *testing.T) {
	g := Glob(ParseValue("Get*"), false)
	if got := Set(Set(), g); got != g {
		t.Errorf("Set(Set(), g) = %s, want g itself", Describe(got))
	}
	if got := Set(Set(), Set()); got.MatchString("") {
		t.Errorf("Set(Set(), Set()) matched %q", "")
	}
}
