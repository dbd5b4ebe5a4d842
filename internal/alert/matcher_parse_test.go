package alert

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseMatcher(t *testing.T) {
	tests := []struct {
		in      string
		want    Matcher
		wantErr bool
	}{
		{in: "level=high", want: Matcher{Field: "level", Op: OpEqual, Value: "high"}},
		{in: " level != high ", want: Matcher{Field: "level", Op: OpNotEqual, Value: "high"}},
		{in: `tag=~"attack\\..*"`, want: Matcher{Field: "tag", Op: OpRegexp, Value: `attack\..*`}},
		{in: "account!~1111.*", want: Matcher{Field: "account", Op: OpNotRegexp, Value: "1111.*"}},
		{in: `group.user=`, want: Matcher{Field: "group.user", Op: OpEqual, Value: ""}},
		{in: `rule_id="a=b"`, want: Matcher{Field: "rule_id", Op: OpEqual, Value: "a=b"}},
		{in: `group.user="say \"hi\"\\n\.x"`, want: Matcher{Field: "group.user", Op: OpEqual, Value: `say "hi"\n\.x`}},
		{in: "level", wantErr: true},
		{in: `level="a"b"`, wantErr: true},
		{in: `level="a\"`, wantErr: true},
		{in: "=x", wantErr: true},
		{in: "level!x", wantErr: true},
		{in: `level="x`, wantErr: true},
	}
	for _, tc := range tests {
		got, err := ParseMatcher(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("ParseMatcher(%q) error = %v, want error %v", tc.in, err, tc.wantErr)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ParseMatcher(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}
