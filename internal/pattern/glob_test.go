package pattern

import (
	"strings"
	"testing"
)

func TestGlob(t *testing.T) {
	long := strings.Repeat("x", 200)
	tests := []struct {
		value string // Sigma syntax, through ParseValue
		cased bool
		input string
		want  bool
	}{
		// Equality: a value without wildcards equals the whole field (RULES §General).
		{"GetObject", false, "GetObject", true},
		{"GetObject", false, "getobject", true},
		{"GetObject", false, "GETOBJECT", true},
		{"GetObject", false, "GetObjectAcl", false},
		{"GetObject", false, "xGetObject", false},
		{"GetObject", false, "GetObjec", false},
		{"GetObject", false, "", false},
		{"", false, "", true},
		{"", false, " ", false},
		{"assumerolewithwebidentity-2024", false, "AssumeRoleWithWebIdentity-2024", true},
		{"assumerolewithwebidentity-2024", false, "AssumeRoleWithWebIdentity-2025", false},
		{"ab", false, "AB", true},       // < 4 bytes
		{"abcde", false, "ABCDE", true}, // 4 to 7 bytes
		{"abcde", false, "ABCDF", false},
		{"a@[`{", false, "A@[`{", true}, // neighbours of the letter ranges do not fold
		{"a@[`{", false, "a`{@[", false},
		{long, false, strings.ToUpper(long), true},
		// Prefix (`startswith`), suffix (`endswith`), contains.
		{"Get*", false, "GetObject", true},
		{"Get*", false, "get", true},
		{"Get*", false, "xGet", false},
		{"Get*", false, "Ge", false},
		{"*Object", false, "GetOBJECT", true},
		{"*Object", false, "Objects", false},
		{"*bucket*", false, "PutBucketPolicy", true},
		{"*bucket*", false, "bucket", true},
		{"*bucket*", false, "buckt", false},
		{"*bucket*", false, long + "BUCKET" + long, true},
		{"*bucket*", false, long + "BUCKE" + long, false},
		{"*x-amz*", false, long + "X-AMZ" + long, true},
		// Several stars, `?`.
		{"a*b", false, "ab", true},
		{"a*b", false, "AxxB", true},
		{"a*b", false, "a", false}, // head and tail must not overlap
		{"aba*aba", false, "aba", false},
		{"aba*aba", false, "ababa", false},
		{"aba*aba", false, "abaaba", true},
		{"a*b*c", false, "abc", true},
		{"a*b*c", false, "aXbYc", true},
		{"a*b*c", false, "acb", false},
		{"a*b*c", false, "abcbc", true},
		{"*ab*ab*", false, "abab", true},
		{"*ab*ab*", false, "aba", false},
		{"*aab*", false, "aaab", true},
		{"v*.Compute.Firewalls.Delete", false, "v1.compute.firewalls.delete", true},
		{"io.k8s.core.v*.secrets.create", false, "io.k8s.core.v1.secrets.create", true},
		{"io.k8s.core.v*.secrets.create", false, "io.k8s.core.v1.secrets.delete", false},
		{"*", false, "", true},
		{"*", false, "anything", true},
		{"**", false, "", true},
		{"?", false, "", false},
		{"?", false, "a", true},
		{"?", false, "é", true}, // one rune, two bytes
		{"?", false, "ab", false},
		{"??", false, "é", false},
		{"a?c", false, "abc", true},
		{"a?c", false, "AéC", true},
		{"a?c", false, "ac", false},
		{"a?c", false, "abbc", false},
		{"?*", false, "", false},
		{"*?", false, "x", true},
		{"*?*", false, "", false},
		{"?bc*", false, "ABCD", true},
		{"*b?d", false, "abcd", true},
		{"*b?d", false, "abccd", false},
		{"*a?c*", false, "xxabXacx", false},
		{"*a?c*", false, "xxabXabcx", true},
		// Escapes.
		{`\*`, false, "*", true},
		{`\*`, false, "x", false},
		{`a\*b`, false, "a*b", true},
		{`a\*b`, false, "axb", false},
		{`a\?b`, false, "axb", false},
		{`C:\Windows\*`, false, `c:\windows*`, true}, // `\*` escapes the star
		{`C:\Windows\*`, false, `c:\windows\*`, false},
		{`C:\Windows\*`, false, `c:\windows\x`, false},
		{`C:\\*`, false, `c:\windows`, true},
		{`C:\\*`, false, `c:windows`, false},
		{`\\\*`, false, `\*`, true},
		{`\\\`, false, `\\`, true},
		{`\\\\`, false, `\\`, true},
		{`\\\\`, false, `\`, false},
		// Unicode case folding.
		{"É", false, "é", true},
		{"é", false, "É", true},
		{"*é*", false, "CAFÉS", true},
		{"café", false, "CAFÉ", true},
		{"café", false, "CAFE", false},
		{"straße", false, "STRASSE", false}, // simple folding: ß is not ss
		{"straße", false, "STRAẞE", true},   // U+1E9E folds to ß
		{"Σ", false, "ς", true},
		{"*σ*", false, "ΟΔΥΣΣΕΥΣ", true},
		{"k", false, "\u212a", true},   // Kelvin sign
		{"\u212a", false, "K", true},   //
		{"*ask*", false, "TAſK", true}, // long s, through the fold fallback
		{"*ask*", false, "TA\u017f\u212a", true},
		{"t*k", false, "TAS\u212a", true},
		{"*ask*", false, "TAXK", false},
		{"?ask", false, "\u212aASK", true},
		{"i", false, "İ", false}, // U+0130 is not in i's folding orbit
		{"Ⱥ*", false, "ⱥx", true},
		{"*Ⱥ", false, "xⱥ", true},
		{"ⱥ", false, "Ⱥ", true},
		{"*bucket*", false, "é BUCKET é", true},
		{"*bucket*", false, "é BUCKE é", false},
		{"get*", false, "gét", false},
		{"é*", false, "ÉCOLE", true},
		{"é*", false, "ECOLE", false},
		{"*é", false, "CAFÉ", true},
		{"*é", false, "CAFE", false},
		{"*sk", false, "TA\u017f\u212a", true}, // suffix through rune-wise folding
		{"*sk", false, "TA\u017fX", false},
		{"*ék", false, "É\u212a", true},
		{"*ék", false, "\u212a", false},
		{"sk*", false, "\u017f\u212aX", true},
		{"ks", false, "\u212a\u017f", true},
		{"ks", false, "\u212a\u017fx", false},
		{"*\xff", false, "A\xff", true},
		{"\xffa*", false, "\xffA", true},
		{"\xffa", false, "\xffA", true},
		// cased.
		{"GetObject", true, "GetObject", true},
		{"GetObject", true, "getobject", false},
		{"Get*", true, "GetX", true},
		{"Get*", true, "getX", false},
		{"*Object", true, "getobject", false},
		{"*Bucket*", true, "PutBucketPolicy", true},
		{"*Bucket*", true, "putbucketpolicy", false},
		{"a*B*c", true, "aXBYc", true},
		{"a*B*c", true, "aXbYc", false},
		{"a?C", true, "aéC", true},
		{"a?C", true, "aéc", false},
		{"É", true, "é", false},
		// UTF-16 output matched as bytes, ASCII letters folded.
		{"*c\x00m\x00d\x00*", false, "xC\x00M\x00D\x00y", true},
		{"*c\x00m\x00d\x00*", false, "xC\x00M\x00E\x00y", false},
		// Bytes that are not UTF-8.
		{"*a*", false, "\xffA", true},
		{"?a", false, "\xffA", true},
		{"\xff", false, "\xff", true},
	}
	for _, tt := range tests {
		m := Glob(ParseValue(tt.value), tt.cased)
		if got := m.MatchString(tt.input); got != tt.want {
			t.Errorf("Glob(ParseValue(%q), %v).MatchString(%q) = %v, want %v (%s)",
				tt.value, tt.cased, tt.input, got, tt.want, Describe(m))
		}
	}
}

func TestGlobDescribe(t *testing.T) {
	tests := []struct {
		value string
		cased bool
		want  string
	}{
		{"GetObject", false, `equals "GetObject"`},
		{"", false, `equals ""`},
		{"GetObject", true, `equals "GetObject" (case-sensitive)`},
		{"Get*", false, `starts with "Get"`},
		{"*Object", false, `ends with "Object"`},
		{"*Bucket*", false, `contains "Bucket"`},
		{`C:\Win*`, false, `starts with "C:\\Win"`},
		{"a*b", false, `starts with "a" and ends with "b"`},
		{"a*b*c", false, `matches "a*b*c"`},
		{`a?b\*`, false, `matches "a?b\\*"`},
		{"*", false, "matches any value"},
	}
	for _, tt := range tests {
		if got := Describe(Glob(ParseValue(tt.value), tt.cased)); got != tt.want {
			t.Errorf("Describe(Glob(ParseValue(%q), %v)) = %q, want %q", tt.value, tt.cased, got, tt.want)
		}
	}
}

func TestGlobAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts are slow to measure")
	}
	inputs := []string{"AssumeRoleWithWebIdentity-2024", strings.Repeat("Bucket-Name/", 100), "é BUCKET é"}
	values := []string{"GetObject", "assumerolewithwebidentity-2024", "Get*", "*2024", "*bucket*", "a*b*c", "*b*c*", "a?c*", "*", "*ks*"}
	for _, v := range values {
		m := Glob(ParseValue(v), false)
		for _, in := range inputs {
			if n := testing.AllocsPerRun(10, func() { m.MatchString(in) }); n != 0 {
				t.Errorf("Glob(ParseValue(%q)).MatchString(%.20q…) allocates %v times, want 0", v, in, n)
			}
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"abc", "abc"},
		{"GetObject", "getobject"},
		{"ÉCOLE", "école"},
		{"\u212a\u017f", "ks"},
		{"ΣΑΣ", "ςας"}, // canonical member: shortest encoding, then lower case, then lowest
		{"Ⱥ", "Ⱥ"},     // ⱥ would be longer
		{"ẞ", "ß"},
		{"\xffA\xe2\x84", "\xffa\xe2\x84"},
		{strings.Repeat("AbC", 50) + "É", strings.Repeat("abc", 50) + "é"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := string(AppendFold([]byte("x"), tt.in)); got != "x"+tt.want {
			t.Errorf("AppendFold(x, %q) = %q, want %q", tt.in, got, "x"+tt.want)
		}
	}
}

// TestFoldOrbits checks the facts the fast paths rely on, over all of
// Unicode: folding picks one member per orbit, never lengthens a rune, and
// maps only the Kelvin sign and the long s from non-ASCII to ASCII.
func TestFoldOrbits(t *testing.T) {
	if testing.Short() {
		t.Skip("walks all of Unicode")
	}
	for r := rune(0); r <= 0x10FFFF; r++ {
		if 0xD800 <= r && r <= 0xDFFF {
			continue
		}
		f := foldRune(r)
		if !strings.EqualFold(string(r), string(f)) {
			t.Fatalf("foldRune(%U) = %U, not in its folding orbit", r, f)
		}
		if foldRune(f) != f {
			t.Fatalf("foldRune(foldRune(%U)) = %U, want %U", r, foldRune(f), f)
		}
		if len(string(f)) > len(string(r)) {
			t.Fatalf("foldRune(%U) = %U is longer", r, f)
		}
		if r >= 0x80 && f < 0x80 && r != 0x212A && r != 0x017F {
			t.Fatalf("foldRune(%U) = %q: a new non-ASCII rune folds to ASCII", r, f)
		}
	}
}

// TestConcurrentUse runs every kind of matcher from several goroutines; with
// -race it checks that matching touches no shared mutable state.
func TestConcurrentUse(t *testing.T) {
	ms := globs(false, "GetObject", "Get*", "*Object", "*bucket*", "a*b*c", "a?c*", "*")
	ms = append(ms, Set(globs(false, "x", "y", "z*")...), mustRegexp(t, "a.c"), NumberMatcher{Op: Gt, Value: 1})
	cidr, err := CIDR("10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	ms = append(ms, cidr)
	inputs := []string{"GetObject", "getbucketacl", "aXbYc", "abc", "10.1.2.3", "CAFÉ", "TA\u017fK", "42", ""}
	want := make([][]bool, len(ms))
	for i, m := range ms {
		for _, in := range inputs {
			want[i] = append(want[i], m.MatchString(in))
		}
	}
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 200 {
				for i, m := range ms {
					for j, in := range inputs {
						if got := m.MatchString(in); got != want[i][j] {
							t.Errorf("%s: MatchString(%q) = %v, want %v", Describe(m), in, got, want[i][j])
							return
						}
					}
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
}
