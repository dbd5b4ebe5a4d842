package route

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"picket/internal/rule"
)

// fileConfig is the shape of picket's configuration file as far as routing is concerned.
type fileConfig struct {
	Receivers []map[string]any `yaml:"receivers"`
	Config    `yaml:",inline"`
}

func loadConfig(t *testing.T, path string) (Config, map[string]bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return decodeConfig(t, b)
}

// decodeConfig decodes strictly, as picket's configuration loader does.
func decodeConfig(t *testing.T, b []byte) (Config, map[string]bool) {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var fc fileConfig
	if err := dec.Decode(&fc); err != nil {
		t.Fatalf("decoding: %v", err)
	}
	recv := map[string]bool{}
	for _, r := range fc.Receivers {
		recv[r["name"].(string)] = true
	}
	return fc.Config, recv
}

func TestIssueExample(t *testing.T) {
	// The issue's example, kept verbatim, is not valid YAML: in a flow mapping the plain
	// scalar ${SMTP_PASSWORD} ends at its "}". It decodes once that value is quoted.
	b, err := os.ReadFile("testdata/issue.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var raw any
	if err := yaml.Unmarshal(b, &raw); err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("yaml.Unmarshal(issue example) error = %v, want a syntax error on line 3", err)
	}
	fixed := strings.Replace(string(b), "password: ${SMTP_PASSWORD}}", `password: "${SMTP_PASSWORD}"}`, 1)
	cfg, recv := decodeConfig(t, []byte(fixed))
	if err := cfg.Validate(recv); err != nil {
		t.Fatalf("Validate() = %v, want nil", err)
	}
	want := &Route{
		Receiver: "hook", GroupBy: []string{"rule_id"},
		GroupWait: 30 * time.Second, GroupInterval: 5 * time.Minute, RepeatInterval: 4 * time.Hour,
		Routes: []*Route{{
			MatchEqual: map[string]StringOrList{"level": {"high", "critical"}},
			Receiver:   "secops-mail", Continue: true,
		}},
	}
	if diff := cmp.Diff(want, cfg.Route, cmp.AllowUnexported(Route{})); diff != "" {
		t.Errorf("route (-want +got):\n%s", diff)
	}
	// Alertmanager semantics: a route takes an alert only when none of its children does, and
	// continue only lets later siblings try. So a high alert reaches secops-mail only, not the
	// root's hook, although the example probably meant both (a second child without
	// conditions, receiver hook, would do that).
	for _, tc := range []struct {
		lvl  rule.Level
		want []string
	}{{rule.High, []string{"secops-mail"}}, {rule.Critical, []string{"secops-mail"}}, {rule.Medium, []string{"hook"}}} {
		if diff := cmp.Diff(tc.want, receiversOf(cfg.Route.Match(mk("a", level(tc.lvl))))); diff != "" {
			t.Errorf("Match(%s) receivers (-want +got):\n%s", tc.lvl, diff)
		}
	}
}

func TestFullSample(t *testing.T) {
	cfg, recv := loadConfig(t, "testdata/full.yaml")
	if err := cfg.Validate(recv); err != nil {
		t.Fatalf("Validate() = %v, want nil", err)
	}
	if _, err := NewGrouper(cfg, Options{}); err != nil {
		t.Fatalf("NewGrouper() = %v", err)
	}
}

func TestStringOrList(t *testing.T) {
	var r Route
	if err := yaml.Unmarshal([]byte("match: {level: high, tag: [a, b]}"), &r); err != nil {
		t.Fatal(err)
	}
	want := map[string]StringOrList{"level": {"high"}, "tag": {"a", "b"}}
	if diff := cmp.Diff(want, r.MatchEqual); diff != "" {
		t.Errorf("yaml match (-want +got):\n%s", diff)
	}
	var j StringOrList
	for in, want := range map[string]StringOrList{`"x"`: {"x"}, `["x","y"]`: {"x", "y"}} {
		if err := j.UnmarshalJSON([]byte(in)); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, j); diff != "" {
			t.Errorf("UnmarshalJSON(%s) (-want +got):\n%s", in, diff)
		}
	}
	if err := j.UnmarshalJSON([]byte(`3`)); err == nil {
		t.Error("UnmarshalJSON(3) = nil, want error")
	}
}

func TestValidate(t *testing.T) {
	recv := map[string]bool{"a": true, "b": true}
	ivs := []TimeInterval{{Name: "night", Times: []TimeRange{{StartTime: "00:00", EndTime: "06:00"}}}}
	tests := []struct {
		name string
		cfg  Config
		want []string // one line per problem, in order
	}{
		{"valid", Config{Route: &Route{Receiver: "a", Routes: []*Route{{Receiver: "b", MuteTimeIntervals: []string{"night"}}}}, TimeIntervals: ivs}, nil},
		{"no route", Config{}, []string{"route: missing"}},
		{"root without receiver", Config{Route: &Route{}}, []string{"route: the root route needs a receiver"}},
		{"root with matchers, continue and mute", Config{Route: &Route{Receiver: "a", Matchers: []string{"level=high"}, Continue: true, MuteTimeIntervals: []string{"night"}}, TimeIntervals: ivs}, []string{
			"route: the root route must not have match, match_re or matchers: it takes every alert",
			"route: the root route must not have continue",
			"route: the root route must not have mute_time_intervals or active_time_intervals",
		}},
		{"unknown receiver deep", Config{Route: &Route{Receiver: "a", Routes: []*Route{{Receiver: "b"}, {Routes: []*Route{{Receiver: "x"}}}}}}, []string{
			`route.routes[1].routes[0]: unknown receiver "x"`,
		}},
		{"bad regexps and fields", Config{Route: &Route{Receiver: "a", Routes: []*Route{{
			MatchEqual: map[string]StringOrList{"nope": {"x"}, "level": {}},
			MatchRE:    map[string]string{"rule_id": "(", "bogus": "x"},
			Matchers:   []string{"level", "tag=~[", "what=x", `rule_id="unterminated`, "group.=x"},
		}}}}, []string{
			`route.routes[0].match: field "level" has no values`,
			`route.routes[0].match: unknown alert field "nope"`,
			`route.routes[0].match_re: matcher bogus=~"x": unknown alert field "bogus"`,
			"route.routes[0].match_re: matcher rule_id=~\"(\": bad regular expression \"(\": error parsing regexp: missing closing ): `^(?:()$`",
			`route.routes[0].matchers[0]: matcher "level": want field=value, field!=value, field=~regexp or field!~regexp`,
			"route.routes[0].matchers[1]: matcher tag=~\"[\": bad regular expression \"[\": error parsing regexp: missing closing ]: `[)$`",
			`route.routes[0].matchers[2]: matcher what="x": unknown alert field "what"`,
			`route.routes[0].matchers[3]: matcher "rule_id=\"unterminated": bad quoted value`,
			`route.routes[0].matchers[4]: matcher group.="x": unknown alert field "group."`,
		}},
		{"durations and group_by", Config{Route: &Route{Receiver: "a", GroupWait: -time.Second, GroupBy: []string{"rule_id", "rule_id", "status", "x"}, Routes: []*Route{{GroupBy: []string{"...", "level"}, RepeatInterval: -1}}}}, []string{
			"route: negative group_wait -1s",
			`route.group_by[1]: duplicate field "rule_id"`,
			"route.group_by[2]: cannot group by status: an alert must keep its group when it resolves",
			`route.group_by[3]: unknown alert field "x"`,
			"route.routes[0]: negative repeat_interval -1ns",
			`route.routes[0].group_by[0]: "..." must be the only group_by entry`,
		}},
		{"unknown time intervals", Config{Route: &Route{Receiver: "a", Routes: []*Route{{MuteTimeIntervals: []string{"night", "day"}, ActiveTimeIntervals: []string{"weekend"}}}}, TimeIntervals: ivs}, []string{
			`route.routes[0].mute_time_intervals[1]: unknown time interval "day"`,
			`route.routes[0].active_time_intervals[0]: unknown time interval "weekend"`,
		}},
		{"nil child", Config{Route: &Route{Receiver: "a", Routes: []*Route{nil}}}, []string{"route.routes[0]: empty route"}},
		{"inhibit rules", Config{Route: &Route{Receiver: "a"}, InhibitRules: []InhibitRule{
			{SourceMatchers: []string{"level=critical"}, TargetMatchers: []string{"level=high"}, Equal: []string{"account"}},
			{SourceMatchers: []string{"level=~("}, Equal: []string{"nope"}},
		}}, []string{
			"inhibit_rules[1].source_matchers[0]: matcher level=~\"(\": bad regular expression \"(\": error parsing regexp: missing closing ): `^(?:()$`",
			"inhibit_rules[1]: source_matchers and target_matchers are required",
			`inhibit_rules[1].equal[0]: unknown alert field "nope"`,
		}},
		{"time intervals", Config{Route: &Route{Receiver: "a"}, TimeIntervals: []TimeInterval{
			{Name: "", Weekdays: []string{"funday", "friday:monday"}},
			{Name: "x", Times: []TimeRange{{StartTime: "9:00", EndTime: "10:00"}, {StartTime: "10:00", EndTime: "10:00"}, {StartTime: "23:00", EndTime: "24:01"}}},
			{Name: "y", DaysOfMonth: []string{"0", "-3:5", "7:3", "-1:-3", "32"}, Months: []string{"13", "smarch", "march:january"}, Years: []string{"20x5"}, Location: "Mars/Olympus"},
		}}, []string{
			"time_intervals[0]: missing name",
			`time_intervals[0].weekdays[0]: unknown name "funday"`,
			`time_intervals[0].weekdays[1]: range "friday:monday": start after end`,
			`time_intervals[1].times[0]: start_time: bad time "9:00": want HH:MM from 00:00 to 24:00`,
			"time_intervals[1].times[1]: start_time 10:00 is not before end_time 10:00",
			`time_intervals[1].times[2]: end_time: bad time "24:01": want HH:MM from 00:00 to 24:00`,
			`time_intervals[2].location: unknown time zone Mars/Olympus`,
			`time_intervals[2].days_of_month[0]: bad day of month "0": want 1 to 31 or -31 to -1`,
			"time_intervals[2].days_of_month[1]: range -3:5: a negative start needs a negative end",
			"time_intervals[2].days_of_month[2]: range 7:3: start after end",
			"time_intervals[2].days_of_month[3]: range -1:-3: start after end",
			`time_intervals[2].days_of_month[4]: bad day of month "32": want 1 to 31 or -31 to -1`,
			"time_intervals[2].months[0]: month 13 out of 1–12",
			`time_intervals[2].months[1]: unknown name "smarch"`,
			`time_intervals[2].months[2]: range "march:january": start after end`,
			`time_intervals[2].years[0]: bad year "20x5"`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate(recv)
			var got []string
			if err != nil {
				got = strings.Split(err.Error(), "\n")
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Validate() (-want +got):\n%s", diff)
			}
			if _, gerr := NewGrouper(tc.cfg, Options{}); (gerr == nil) != (err == nil || tc.name == "unknown receiver deep") {
				t.Errorf("NewGrouper() error = %v, want error iff Validate fails on more than receivers", gerr)
			}
		})
	}
}
