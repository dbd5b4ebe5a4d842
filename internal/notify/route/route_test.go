package route

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/alert"
	"picket/internal/rule"
)

func receiversOf(rs []*Route) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Receiver)
	}
	return out
}

// leaf is what a test compares of a route Match returns.
type leaf struct {
	Path, Receiver                           string
	GroupBy                                  []string
	GroupWait, GroupInterval, RepeatInterval time.Duration
}

func leaves(rs []*Route) []leaf {
	var out []leaf
	for _, r := range rs {
		out = append(out, leaf{r.Path(), r.Receiver, r.GroupBy, r.GroupWait, r.GroupInterval, r.RepeatInterval})
	}
	return out
}

func testTree() *Route {
	return &Route{
		Receiver: "default", GroupBy: []string{"rule_id"}, RepeatInterval: time.Hour,
		Routes: []*Route{
			{ // 0: critical goes to the pager, and on
				Matchers: []string{"level=critical"}, Receiver: "pager", GroupWait: 5 * time.Second, Continue: true,
			},
			{ // 1: aws accounts by team, nested
				MatchEqual: map[string]StringOrList{"logsource.product": {"aws"}},
				GroupBy:    []string{"account"}, GroupInterval: time.Minute,
				Routes: []*Route{
					{MatchRE: map[string]string{"account": "1111.*"}, Receiver: "team-a"},
					{Matchers: []string{`account=~"2222.*"`}, Receiver: "team-b", GroupBy: []string{}, Continue: true},
					{Matchers: []string{"tag=attack.t1078"}, Receiver: "identity"},
				},
			},
			{ // 2: everything high or critical, unless aws took it without continue
				MatchEqual: map[string]StringOrList{"level": {"high", "critical"}}, Receiver: "secops",
			},
		},
	}
}

func TestMatch(t *testing.T) {
	def := func(path, recv string, groupBy []string, wait, interval time.Duration) leaf {
		return leaf{path, recv, groupBy, wait, interval, time.Hour}
	}
	tests := []struct {
		name string
		a    *alert.Alert
		want []leaf
	}{
		{"gcp low: no child, root takes it with defaults", mk("a", level(rule.Low), product("gcp")), []leaf{
			def("route", "default", []string{"rule_id"}, DefaultGroupWait, DefaultGroupInterval),
		}},
		{"gcp high: secops", mk("a", product("gcp")), []leaf{
			def("route.routes[2]", "secops", []string{"rule_id"}, DefaultGroupWait, DefaultGroupInterval),
		}},
		{"gcp critical: pager continues to secops", mk("a", level(rule.Critical), product("gcp")), []leaf{
			def("route.routes[0]", "pager", []string{"rule_id"}, 5*time.Second, DefaultGroupInterval),
			def("route.routes[2]", "secops", []string{"rule_id"}, DefaultGroupWait, DefaultGroupInterval),
		}},
		{"aws team a: first child takes it, secops not tried", mk("a", account("111100000000")), []leaf{
			def("route.routes[1].routes[0]", "team-a", []string{"account"}, DefaultGroupWait, time.Minute),
		}},
		{"aws team b with identity tag: continue reaches the sibling", mk("a", account("222200000000"), tags("attack.t1078")), []leaf{
			def("route.routes[1].routes[1]", "team-b", []string{}, DefaultGroupWait, time.Minute),
			def("route.routes[1].routes[2]", "identity", []string{"account"}, DefaultGroupWait, time.Minute),
		}},
		{"aws other account: the aws route itself, receiver inherited from the root", mk("a", account("999900000000")), []leaf{
			def("route.routes[1]", "default", []string{"account"}, DefaultGroupWait, time.Minute),
		}},
		{"aws critical team b: pager, team-b, then the aws route stops", mk("a", level(rule.Critical), account("222200000000")), []leaf{
			def("route.routes[0]", "pager", []string{"rule_id"}, 5*time.Second, DefaultGroupInterval),
			def("route.routes[1].routes[1]", "team-b", []string{}, DefaultGroupWait, time.Minute),
		}},
	}
	root := testTree()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, leaves(root.Match(tc.a))); diff != "" {
				t.Errorf("Match() (-want +got):\n%s", diff)
			}
		})
	}
	if diff := cmp.Diff(testTree(), root, cmp.AllowUnexported(Route{})); diff != "" {
		t.Errorf("Match modified the tree (-want +got):\n%s", diff)
	}
}

func TestMatchBrokenRouteMatchesNothing(t *testing.T) {
	root := &Route{Receiver: "d", Routes: []*Route{{Receiver: "x", Matchers: []string{"level=~("}}}}
	if got := receiversOf(root.Match(mk("a"))); !cmp.Equal(got, []string{"d"}) {
		t.Errorf("Match() receivers = %v, want [d]", got)
	}
}

func TestField(t *testing.T) {
	a := mk("id1", tags("b", "a"), group("user", "alice"), status(alert.StatusAcknowledged))
	a.LogSource.Category = "api"
	tests := map[string][]string{
		"rule_id":            {"r1"},
		"rule_title":         {"Rule one"},
		"level":              {"high"},
		"tag":                {"b", "a"},
		"tags":               {"b", "a"},
		"kind":               {"detection"},
		"source":             {"trail"},
		"logsource":          {"aws/cloudtrail/api"},
		"logsource.product":  {"aws"},
		"logsource.service":  {"cloudtrail"},
		"logsource.category": {"api"},
		"account":            {"123456789012"},
		"project":            {"123456789012"},
		"subscription":       {"123456789012"},
		"status":             {"acknowledged"},
		"id":                 {"id1"},
		"fingerprint":        {"fp-id1"},
		"group.user":         {"alice"},
		"group.missing":      {""},
		"nope":               nil,
		"group.":             nil,
	}
	for name, want := range tests {
		if got := Field(a, name); !cmp.Equal(want, got) {
			t.Errorf("Field(%q) = %q, want %q", name, got, want)
		}
		if got, want := KnownField(name), want != nil; got != want {
			t.Errorf("KnownField(%q) = %v, want %v", name, got, want)
		}
	}
	if got := fieldKey(a, "tags"); got != "a,b" {
		t.Errorf("fieldKey(tags) = %q, want sorted %q", got, "a,b")
	}
}

// TestConditions checks each condition form on single- and multi-valued fields.
func TestConditions(t *testing.T) {
	a := mk("a", tags("attack.t1078", "cloud"), group("user", "alice@example.com"))
	none := mk("b") // no tags, no group
	tests := []struct {
		route     Route
		a, noneOK bool // match a; match none
	}{
		{Route{Matchers: []string{"level=high"}}, true, true},
		{Route{Matchers: []string{"level!=high"}}, false, false},
		{Route{Matchers: []string{"level=~hi"}}, false, false}, // anchored
		{Route{Matchers: []string{"level=~hi.*"}}, true, true},
		{Route{Matchers: []string{"level!~low|medium"}}, true, true},
		{Route{Matchers: []string{"tag=cloud"}}, true, false},
		{Route{Matchers: []string{"tag!=cloud"}}, false, true},
		{Route{Matchers: []string{"tag=~attack\\..*"}}, true, false},
		{Route{Matchers: []string{"tag!~attack\\..*"}}, false, true},
		{Route{Matchers: []string{"group.user=~.*@example\\.com"}}, true, false},
		{Route{Matchers: []string{"group.user="}}, false, true},
		{Route{Matchers: []string{"rule_id=r1", "source=trail", "kind=detection", "status=open", "logsource=aws/cloudtrail", "account=123456789012"}}, true, true},
		{Route{MatchEqual: map[string]StringOrList{"level": {"critical", "high"}, "tags": {"x", "cloud"}}}, true, false},
		{Route{MatchEqual: map[string]StringOrList{"level": {"critical"}}}, false, false},
		{Route{MatchRE: map[string]string{"account": "1234.*", "rule_title": "Rule .*"}}, true, true},
		{Route{MatchRE: map[string]string{"account": "234.*"}}, false, false},
		{Route{MatchEqual: map[string]StringOrList{"level": {"high"}}, Matchers: []string{"tag!=cloud"}}, false, true},
	}
	for _, tc := range tests {
		cs, errs := compileRouteConds(&tc.route)
		if len(errs) > 0 {
			t.Fatalf("compileRouteConds(%+v): %v", tc.route, errs)
		}
		if got := cs.match(a); got != tc.a {
			t.Errorf("route %+v matches alert with tags = %v, want %v", tc.route, got, tc.a)
		}
		if got := cs.match(none); got != tc.noneOK {
			t.Errorf("route %+v matches alert without tags = %v, want %v", tc.route, got, tc.noneOK)
		}
	}
}

func TestExplain(t *testing.T) {
	steps := Explain(testTree(), mk("a", level(rule.Critical), account("222200000000")))
	var got []string
	for _, s := range steps {
		got = append(got, s.String())
	}
	want := []string{
		"route: matched []",
		`  route.routes[0]: → receiver pager [level="critical" holds (level="critical")]`,
		`  route.routes[1]: matched [logsource.product="aws" holds (logsource.product="aws")]`,
		`    route.routes[1].routes[0]: no match [account=~"1111.*" fails (account="222200000000")]`,
		`    route.routes[1].routes[1]: → receiver team-b [account=~"2222.*" holds (account="222200000000")]`,
		`    route.routes[1].routes[2]: no match [tag="attack.t1078" fails (tag="")]`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Explain() (-want +got):\n%s", diff)
	}
	// Explain's selected steps are exactly Match's leaves.
	var sel []string
	for _, s := range steps {
		if s.Selected {
			sel = append(sel, s.Path)
		}
	}
	var paths []string
	for _, r := range testTree().Match(mk("a", level(rule.Critical), account("222200000000"))) {
		paths = append(paths, r.Path())
	}
	if diff := cmp.Diff(paths, sel); diff != "" {
		t.Errorf("Explain selected vs Match (-match +explain):\n%s", diff)
	}
	if !strings.Contains(Explain(&Route{Receiver: "x", Routes: []*Route{{Matchers: []string{"x"}}}}, mk("a"))[1].String(), "does not compile") {
		t.Error("Explain of a broken route does not say it does not compile")
	}
}
