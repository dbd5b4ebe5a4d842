package pattern

import (
	"fmt"
	"strings"
	"testing"
)

// bench30 is a ~30-byte input shaped like a CloudTrail eventName.
const bench30 = "AssumeRoleWithWebIdentity-2024"

// bench1KInput returns a 1000-byte input shaped like a compact CloudTrail
// requestParameters object.
func bench1KInput() string {
	return strings.Repeat(`{"bucketName":"prod-logs","Host":"s3.us-east-1.amazonaws.com","acl":""},`, 14)[:1000]
}

func benchMatch(b *testing.B, m Matcher, s string) {
	b.Helper()
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		m.MatchString(s)
	}
}

func BenchmarkGlob(b *testing.B) {
	bench1K := bench1KInput()
	cases := []struct {
		name, value, input string
	}{
		{"equal/30/hit", "assumerolewithwebidentity-2024", bench30},
		{"equal/30/miss-same-length", "assumerolewithwebidentity-2025", bench30},
		{"equal/30/miss-other-length", "GetObject", bench30},
		{"equal/1K/hit", strings.ToUpper(bench1K), bench1K},
		{"prefix/30/hit", "ASSUMEROLE*", bench30},
		{"prefix/1K/hit", `{"BUCKETNAME"*`, bench1K},
		{"suffix/30/hit", "*identity-2024", bench30},
		{"contains/30/hit", "*webident*", bench30},
		{"contains/30/miss", "*console*", bench30},
		{"contains/1K/miss", "*ConsoleLogin*", bench1K},
		{"contains/1K/miss-rare-byte", "*x-amz-acl*", bench1K},
		{"contains/1K/hit-end", `*"acl":""},{"bucketN*`, bench1K},
		{"multistar/30/hit", "assume*with*2024", bench30},
		{"multistar/1K/miss", "*bucket*nosuch*acl*", bench1K},
		{"question/30/hit", "assume?ole*2024", bench30},
		{"any/30", "*", bench30},
	}
	for _, c := range cases {
		m := Glob(ParseValue(c.value), false)
		b.Run(c.name, func(b *testing.B) { benchMatch(b, m, c.input) })
	}
	cased := Glob(ParseValue("*Host*"), true)
	b.Run("contains-cased/1K/hit", func(b *testing.B) { benchMatch(b, cased, bench1K) })
	nonASCII := Glob(ParseValue("*webident*"), false)
	b.Run("contains/30/non-ascii-input", func(b *testing.B) { benchMatch(b, nonASCII, "AssumeRoléWithWebIdentity-2024") })
}

func BenchmarkSet50(b *testing.B) {
	ms := make([]Matcher, 50)
	for i := range ms {
		ms[i] = Glob(Literal(fmt.Sprintf("AssumeRoleWithWebIdentity-%04d", i*7)), false)
	}
	m := Set(ms...)
	bench1K := bench1KInput()
	b.Run("hit", func(b *testing.B) { benchMatch(b, m, "ASSUMEROLEWITHWEBIDENTITY-0049") })
	b.Run("miss", func(b *testing.B) { benchMatch(b, m, bench30) })
	b.Run("miss-long", func(b *testing.B) { benchMatch(b, m, bench1K) })
}

func BenchmarkCIDR(b *testing.B) {
	m, err := CIDR("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("v4/hit", func(b *testing.B) { benchMatch(b, m, "192.168.10.20") })
	b.Run("v4/miss", func(b *testing.B) { benchMatch(b, m, "203.0.113.7") })
	b.Run("v6/hit", func(b *testing.B) { benchMatch(b, m, "fd12:3456:789a::1") })
	b.Run("not-an-ip", func(b *testing.B) { benchMatch(b, m, "AWS Internal") })
}

func BenchmarkRegexp(b *testing.B) {
	m, err := Regexp(`Assume.*Web`, RegexpFlags{})
	if err != nil {
		b.Fatal(err)
	}
	benchMatch(b, m, bench30)
}

func BenchmarkNumber(b *testing.B) {
	m := NumberMatcher{Op: Gte, Value: 400}
	benchMatch(b, m, "403")
}
