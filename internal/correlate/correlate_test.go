package correlate

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// cor is a correlation document named name with the given `correlation:` body (one key per
// line, flow style for nested values).
func cor(name, body string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "---\ntitle: Correlation %s\nname: %s\nlevel: high\ncorrelation:\n", name, name)
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		b.WriteString("    " + strings.TrimSpace(line) + "\n")
	}
	return b.String()
}

// repeat returns n steps of rule r for user u, one every `every` seconds from `from`, with ids
// prefix0, prefix1, ...
func repeat(r, prefix string, n, from, every int, u string) []step {
	var out []step
	for i := range n {
		out = append(out, user(r, fmt.Sprintf("%s%d", prefix, i), from+i*every, u))
	}
	return out
}

func num(r, id string, at int, u string, field string, v any) step {
	return step{rule: r, id: id, at: at, fields: fmt.Sprintf(`{"user":%q,%q:%s}`, u, field, jsonValue(v))}
}

func jsonValue(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(v)
}

const countByUser = `
type: event_count
rules: [a]
group-by: [user]
timespan: 10m
condition: {gte: 3}
`

func TestObserve(t *testing.T) {
	alice := map[string]string{"user": "alice"}
	tests := []struct {
		name  string
		rules string
		opts  Options
		steps []step
		want  []result
		stats *Stats // of the rule named corr, when set
	}{
		{
			name:  "event_count reached",
			rules: cor("corr", countByUser),
			steps: repeat("a", "e", 3, 0, 60, "alice"),
			want:  []result{{Step: 2, Rule: "corr", Group: alice, Value: 3, Events: []string{"e0", "e1", "e2"}, First: 0, Last: 120}},
			stats: &Stats{Groups: 1, Hits: 1},
		},
		{
			name:  "event_count not reached",
			rules: cor("corr", countByUser),
			steps: []step{user("a", "e0", 0, "alice"), user("a", "e1", 300, "alice"), user("a", "e2", 700, "alice")},
		},
		{
			name:  "window edge excludes t minus timespan",
			rules: cor("corr", countByUser),
			steps: []step{user("a", "e0", 0, "alice"), user("a", "e1", 300, "alice"), user("a", "e2", 600, "alice"), user("a", "e3", 601, "alice")},
			want:  []result{{Step: 3, Rule: "corr", Group: alice, Value: 3, Events: []string{"e1", "e2", "e3"}, First: 300, Last: 601}},
		},
		{
			name:  "window edge includes just inside",
			rules: cor("corr", countByUser),
			steps: []step{user("a", "e0", 0, "alice"), user("a", "e1", 300, "alice"), user("a", "e2", 599, "alice")},
			want:  []result{{Step: 2, Rule: "corr", Group: alice, Value: 3, Events: []string{"e0", "e1", "e2"}, First: 0, Last: 599}},
		},
		{
			name:  "group-by separates ten users",
			rules: cor("corr", countByUser),
			steps: func() []step {
				var s []step
				for round := range 2 {
					for u := range 10 {
						s = append(s, user("a", fmt.Sprintf("u%d-%d", u, round), round*100+u, fmt.Sprintf("user%d", u)))
					}
				}
				return append(s, user("a", "u3-2", 250, "user3"))
			}(),
			want:  []result{{Step: 20, Rule: "corr", Group: map[string]string{"user": "user3"}, Value: 3, Events: []string{"u3-0", "u3-1", "u3-2"}, First: 3, Last: 250}},
			stats: &Stats{Groups: 10, Hits: 1},
		},
		{
			name:  "no group-by is one global group",
			rules: cor("corr", "type: event_count\nrules: [a, b]\ntimespan: 1m\ncondition: {gte: 2}"),
			steps: []step{user("a", "e0", 0, "alice"), user("b", "e1", 30, "bob")},
			want:  []result{{Step: 1, Rule: "corr", Value: 2, Events: []string{"e0", "e1"}, First: 0, Last: 30}},
		},
		{
			name:  "several group-by fields",
			rules: cor("corr", "type: event_count\nrules: [a]\ngroup-by: [user, ip]\ntimespan: 1m\ncondition: {gte: 2}"),
			steps: []step{
				{rule: "a", id: "e0", at: 0, fields: `{"user":"alice","ip":"1"}`},
				{rule: "a", id: "e1", at: 1, fields: `{"user":"alice","ip":"2"}`},
				{rule: "a", id: "e2", at: 2, fields: `{"user":"alice","ip":"1"}`},
			},
			want: []result{{Step: 2, Rule: "corr", Group: map[string]string{"user": "alice", "ip": "1"}, Value: 2, Events: []string{"e0", "e2"}, First: 0, Last: 2}},
		},
		{
			name:  "missing group-by field does not participate",
			rules: cor("corr", countByUser),
			steps: []step{user("a", "e0", 0, "alice"), {rule: "a", id: "e1", at: 1, fields: `{"user":null}`}, {rule: "a", id: "e2", at: 2}, user("a", "e3", 3, "alice")},
			stats: &Stats{Groups: 1, Ungrouped: 2},
		},
		{
			name:  "array group-by field joins each group",
			rules: cor("corr", "type: event_count\nrules: [a]\ngroup-by: [user]\ntimespan: 1m\ncondition: {gte: 2}"),
			steps: []step{user("a", "e0", 0, "alice"), {rule: "a", id: "e1", at: 1, fields: `{"user":["bob","alice"]}`}},
			want:  []result{{Step: 1, Rule: "corr", Group: map[string]string{"user": "alice"}, Value: 2, Events: []string{"e0", "e1"}, First: 0, Last: 1}},
			stats: &Stats{Groups: 2, Hits: 1},
		},
		{
			name:  "value_count counts distinct values",
			rules: cor("corr", "type: value_count\nrules: [a]\ngroup-by: [user]\ntimespan: 10m\ncondition: {field: ip, gte: 3}"),
			steps: []step{
				num("a", "e0", 0, "alice", "ip", "10.0.0.1"), num("a", "e1", 1, "alice", "ip", "10.0.0.1"),
				num("a", "e2", 2, "alice", "ip", "10.0.0.2"), num("a", "e3", 3, "alice", "ip", "10.0.0.2"),
				user("a", "e4", 4, "alice"), // no ip: ignored
				num("a", "e5", 5, "alice", "ip", "10.0.0.3"),
			},
			want:  []result{{Step: 5, Rule: "corr", Group: alice, Value: 3, Events: []string{"e0", "e1", "e2", "e3", "e5"}, First: 0, Last: 5}},
			stats: &Stats{Groups: 1, Hits: 1, NoValue: 1},
		},
		{
			name:  "value_count of an array and of field tuples",
			rules: cor("corr", "type: value_count\nrules: [a]\ntimespan: 10m\ncondition: {field: [user, ip], gte: 3}"),
			steps: []step{
				{rule: "a", id: "e0", at: 0, fields: `{"user":"alice","ip":["1","2"]}`},
				{rule: "a", id: "e1", at: 1, fields: `{"user":"alice","ip":"2"}`},
				{rule: "a", id: "e2", at: 2, fields: `{"user":"bob","ip":"2"}`},
			},
			want: []result{{Step: 2, Rule: "corr", Value: 3, Events: []string{"e0", "e1", "e2"}, First: 0, Last: 2}},
		},
		{
			name:  "value_sum with numeric strings, ignoring other values",
			rules: cor("corr", "type: value_sum\nrules: [a]\ngroup-by: [user]\ntimespan: 10m\ncondition: {field: bytes, gt: 100}"),
			steps: []step{
				num("a", "e0", 0, "alice", "bytes", 40), num("a", "e1", 1, "alice", "bytes", "abc"),
				num("a", "e2", 2, "alice", "bytes", 50), num("a", "e3", 3, "alice", "bytes", "20.5"),
			},
			want:  []result{{Step: 3, Rule: "corr", Group: alice, Value: 110.5, Events: []string{"e0", "e2", "e3"}, First: 0, Last: 3}},
			stats: &Stats{Groups: 1, Hits: 1, NoValue: 1},
		},
		{
			name:  "value_avg",
			rules: cor("corr", "type: value_avg\nrules: [a]\ngroup-by: [user]\ntimespan: 10m\ncondition: {field: bytes, gte: 50}"),
			steps: []step{num("a", "e0", 0, "alice", "bytes", 10), num("a", "e1", 1, "alice", "bytes", 100)},
			want:  []result{{Step: 1, Rule: "corr", Group: alice, Value: 55, Events: []string{"e0", "e1"}, First: 0, Last: 1}},
		},
		{
			name:  "value_percentile nearest rank",
			rules: cor("corr", "type: value_percentile\nrules: [a]\ngroup-by: [user]\ntimespan: 10m\ncondition: {field: ms, percentile: 90, gt: 500}"),
			steps: []step{
				num("a", "e0", 0, "alice", "ms", 1000), num("a", "e1", 1, "alice", "ms", 100),
				num("a", "e2", 2, "alice", "ms", 200), num("a", "e3", 3, "alice", "ms", 300),
				num("a", "e4", 4, "alice", "ms", 400),
			},
			// p90 of 1 value is 1000 > 500: fires at once; then 100, 200, 300, 400: p90 = 400.
			want: []result{{Step: 0, Rule: "corr", Group: alice, Value: 1000, Events: []string{"e0"}, First: 0, Last: 0}},
		},
		{
			name:  "value_percentile over five values",
			rules: cor("corr", "type: value_percentile\nrules: [a]\ngroup-by: [user]\ntimespan: 10m\ncondition: {field: ms, percentile: 90, gt: 500}"),
			steps: []step{
				num("a", "e0", 0, "alice", "ms", 100), num("a", "e1", 1, "alice", "ms", 200),
				num("a", "e2", 2, "alice", "ms", 300), num("a", "e3", 3, "alice", "ms", 400),
				num("a", "e4", 4, "alice", "ms", 1000),
			},
			want: []result{{Step: 4, Rule: "corr", Group: alice, Value: 1000, Events: []string{"e0", "e1", "e2", "e3", "e4"}, First: 0, Last: 4}},
		},
		{
			name:  "value_median of an even count",
			rules: cor("corr", "type: value_median\nrules: [a]\ngroup-by: [user]\ntimespan: 10m\ncondition: {field: ms, gte: 300}"),
			steps: []step{num("a", "e0", 0, "alice", "ms", 100), num("a", "e1", 1, "alice", "ms", 500)},
			want:  []result{{Step: 1, Rule: "corr", Group: alice, Value: 300, Events: []string{"e0", "e1"}, First: 0, Last: 1}},
		},
		{
			name:  "temporal in any order",
			rules: cor("corr", "type: temporal\nrules: [a, b, c]\ngroup-by: [user]\ntimespan: 10m"),
			steps: []step{user("c", "e0", 0, "alice"), user("a", "e1", 60, "bob"), user("a", "e2", 61, "alice"), user("a", "e3", 62, "alice"), user("b", "e4", 120, "alice")},
			want:  []result{{Step: 4, Rule: "corr", Group: alice, Value: 3, Events: []string{"e0", "e2", "e3", "e4"}, First: 0, Last: 120}},
		},
		{
			name:  "temporal with a count condition",
			rules: cor("corr", "type: temporal\nrules: [a, b, c]\ngroup-by: [user]\ntimespan: 10m\ncondition: {gte: 2}"),
			steps: []step{user("b", "e0", 0, "alice"), user("b", "e1", 1, "alice"), user("c", "e2", 2, "alice")},
			want:  []result{{Step: 2, Rule: "corr", Group: alice, Value: 2, Events: []string{"e0", "e1", "e2"}, First: 0, Last: 2}},
		},
		{
			name:  "temporal counts one event matching two rules for both",
			rules: cor("corr", "type: temporal\nrules: [a, b]\ngroup-by: [user]\ntimespan: 10m"),
			steps: []step{user("a", "e0", 0, "alice"), user("b", "e0", 0, "alice")},
			want:  []result{{Step: 1, Rule: "corr", Group: alice, Value: 2, Events: []string{"e0", "e0"}, First: 0, Last: 0}},
		},
		{
			name:  "temporal outside the window",
			rules: cor("corr", "type: temporal\nrules: [a, b]\ngroup-by: [user]\ntimespan: 1m"),
			steps: []step{user("a", "e0", 0, "alice"), user("b", "e1", 60, "alice")},
		},
		{
			name:  "temporal_ordered in order",
			rules: cor("corr", "type: temporal_ordered\nrules: [a, b, c]\ngroup-by: [user]\ntimespan: 10m"),
			steps: []step{user("a", "e0", 0, "alice"), user("b", "e1", 60, "alice"), user("c", "e2", 120, "alice")},
			want:  []result{{Step: 2, Rule: "corr", Group: alice, Value: 3, Events: []string{"e0", "e1", "e2"}, First: 0, Last: 120}},
		},
		{
			name:  "temporal_ordered in the wrong order",
			rules: cor("corr", "type: temporal_ordered\nrules: [a, b, c]\ngroup-by: [user]\ntimespan: 10m"),
			steps: []step{user("c", "e0", 0, "alice"), user("b", "e1", 60, "alice"), user("a", "e2", 120, "alice")},
		},
		{
			name:  "temporal_ordered skips an early second rule",
			rules: cor("corr", "type: temporal_ordered\nrules: [a, b]\ngroup-by: [user]\ntimespan: 10m"),
			steps: []step{user("b", "e0", 0, "alice"), user("a", "e1", 10, "alice"), user("b", "e2", 20, "alice")},
			want:  []result{{Step: 2, Rule: "corr", Group: alice, Value: 2, Events: []string{"e0", "e1", "e2"}, First: 0, Last: 20}},
		},
		{
			name:  "temporal_ordered by event time, not arrival",
			rules: cor("corr", "type: temporal_ordered\nrules: [a, b, c]\ngroup-by: [user]\ntimespan: 10m"),
			steps: []step{user("a", "e0", 0, "alice"), user("c", "e2", 120, "alice"), user("b", "e1", 60, "alice")},
			want:  []result{{Step: 2, Rule: "corr", Group: alice, Value: 3, Events: []string{"e0", "e1", "e2"}, First: 0, Last: 120}},
		},
		{
			name:  "range condition",
			rules: cor("corr", "type: value_sum\nrules: [a]\ngroup-by: [user]\ntimespan: 10m\ncondition: {field: bytes, gt: 100, lte: 200}"),
			steps: []step{
				num("a", "x0", 0, "xavier", "bytes", 250),
				num("a", "y0", 1, "yvonne", "bytes", 60), num("a", "y1", 2, "yvonne", "bytes", 90),
			},
			want: []result{{Step: 2, Rule: "corr", Group: map[string]string{"user": "yvonne"}, Value: 150, Events: []string{"y0", "y1"}, First: 1, Last: 2}},
		},
		{
			name:  "lt fires when an event arrives",
			rules: cor("corr", "type: event_count\nrules: [a]\ngroup-by: [user]\ntimespan: 10m\ncondition: {lt: 2}"),
			steps: []step{user("a", "e0", 0, "alice"), user("a", "e1", 1, "alice")},
			want: []result{
				{Step: 0, Rule: "corr", Group: alice, Value: 1, Events: []string{"e0"}, First: 0, Last: 0},
				{Step: 1, Rule: "corr", Group: alice, Value: 1, Events: []string{"e1"}, First: 1, Last: 1},
			},
		},
		{
			name:  "out of order within lateness",
			rules: cor("corr", countByUser),
			opts:  Options{Lateness: 5 * time.Minute},
			steps: []step{user("a", "e0", 0, "alice"), user("a", "e2", 480, "alice"), user("a", "e1", 240, "alice")},
			want:  []result{{Step: 2, Rule: "corr", Group: alice, Value: 3, Events: []string{"e0", "e1", "e2"}, First: 0, Last: 480}},
		},
		{
			name:  "late event completes a later window",
			rules: cor("corr", countByUser),
			steps: []step{user("a", "e0", 0, "alice"), user("a", "e2", 500, "alice"), user("a", "e1", 100, "alice")},
			want:  []result{{Step: 2, Rule: "corr", Group: alice, Value: 3, Events: []string{"e0", "e1", "e2"}, First: 0, Last: 500}},
		},
		{
			name:  "too late for explicit lateness",
			rules: cor("corr", countByUser),
			opts:  Options{Lateness: time.Minute},
			steps: []step{user("a", "e0", 0, "alice"), user("a", "e2", 300, "alice"), user("a", "e1", 100, "alice")},
			stats: &Stats{Groups: 1, Late: 1},
		},
		{
			name:  "too late for the window without lateness",
			rules: cor("corr", countByUser),
			steps: []step{user("a", "e0", 0, "alice"), user("a", "e2", 900, "alice"), user("a", "e1", 300, "alice"), user("a", "e3", 901, "alice")},
			stats: &Stats{Groups: 1, Late: 1},
		},
		{
			name:  "duplicate event is not counted twice",
			rules: cor("corr", countByUser),
			steps: []step{user("a", "e0", 0, "alice"), user("a", "e0", 0, "alice"), user("a", "e1", 60, "alice")},
			stats: &Stats{Groups: 1, Duplicates: 1},
		},
		{
			name:  "event_count counts an event matching two rules once",
			rules: cor("corr", "type: event_count\nrules: [a, b]\ngroup-by: [user]\ntimespan: 10m\ncondition: {gte: 2}"),
			steps: []step{user("a", "e0", 0, "alice"), user("b", "e0", 0, "alice")},
			stats: &Stats{Groups: 1, Duplicates: 1},
		},
		{
			name:  "firing resets the window",
			rules: cor("corr", "type: event_count\nrules: [a]\ngroup-by: [user]\ntimespan: 10m\ncondition: {gte: 2}"),
			steps: []step{
				user("a", "e0", 0, "alice"), user("a", "e1", 10, "alice"),
				user("a", "e2", 20, "alice"), user("a", "e1", 10, "alice"), // redelivered after firing
				user("a", "e3", 30, "alice"),
			},
			want: []result{
				{Step: 1, Rule: "corr", Group: alice, Value: 2, Events: []string{"e0", "e1"}, First: 0, Last: 10},
				{Step: 4, Rule: "corr", Group: alice, Value: 2, Events: []string{"e2", "e3"}, First: 20, Last: 30},
			},
			stats: &Stats{Groups: 1, Hits: 2, Duplicates: 1},
		},
		{
			name: "chained correlation",
			rules: cor("inner", "type: event_count\nrules: [a]\ngroup-by: [user]\ntimespan: 10m\ncondition: {gte: 2}") +
				cor("corr", "type: temporal_ordered\nrules: [inner, b]\ngroup-by: [user]\ntimespan: 1h"),
			steps: []step{
				user("a", "e0", 0, "alice"), user("b", "e1", 5, "alice"), user("a", "e2", 10, "alice"),
				user("b", "e3", 100, "bob"), user("b", "e4", 200, "alice"),
			},
			want: []result{
				{Step: 2, Rule: "inner", Group: alice, Value: 2, Events: []string{"e0", "e2"}, First: 0, Last: 10},
				// e1 (b before the inner hit) is in the window: it contributes without advancing the order.
				{Step: 4, Rule: "corr", Group: alice, Value: 2, Events: []string{"e0", "e1", "e2", "e4"}, First: 0, Last: 200},
			},
		},
		{
			name: "aliases in group-by",
			rules: cor("corr", `type: event_count
				rules: [a, b]
				group-by: [who]
				timespan: 10m
				condition: {gte: 2}
				aliases: {who: {a: user, b: actor.name}}`),
			steps: []step{
				user("a", "e0", 0, "alice"),
				{rule: "b", id: "e1", at: 1, fields: `{"user":"bob","actor":{"name":"carol"}}`},
				{rule: "b", id: "e2", at: 2, fields: `{"user":"bob","actor":{"name":"alice"}}`},
			},
			want: []result{{Step: 2, Rule: "corr", Group: map[string]string{"who": "alice"}, Value: 2, Events: []string{"e0", "e2"}, First: 0, Last: 2}},
		},
		{
			name:  "MaxGroups evicts the oldest groups",
			rules: cor("corr", "type: event_count\nrules: [a]\ngroup-by: [user]\ntimespan: 10m\ncondition: {gte: 2}"),
			opts:  Options{MaxGroups: 3},
			steps: []step{
				user("a", "e0", 0, "u1"), user("a", "e1", 1, "u2"), user("a", "e2", 2, "u3"),
				user("a", "e3", 3, "u4"), // evicts u1
				user("a", "e4", 4, "u1"), // a new u1 group (count 1), evicts u2
				user("a", "e5", 5, "u4"),
			},
			want:  []result{{Step: 5, Rule: "corr", Group: map[string]string{"user": "u4"}, Value: 2, Events: []string{"e3", "e5"}, First: 3, Last: 5}},
			stats: &Stats{Groups: 3, Hits: 1, Evicted: 2},
		},
		{
			name:  "idle groups expire",
			rules: cor("corr", "type: event_count\nrules: [a]\ngroup-by: [user]\ntimespan: 1m\ncondition: {gte: 2}"),
			steps: []step{user("a", "e0", 0, "u1"), user("a", "e1", 10, "u2"), user("a", "e2", 1000, "u3")},
			stats: &Stats{Groups: 1, Expired: 2},
		},
		{
			name:  "hit events are capped",
			rules: cor("corr", countByUser),
			opts:  Options{MaxHitEvents: 2},
			steps: repeat("a", "e", 3, 0, 1, "alice"),
			want:  []result{{Step: 2, Rule: "corr", Group: alice, Value: 3, Events: []string{"e0", "e1"}, First: 0, Last: 2, Omitted: 1}},
		},
	}
	stores := []struct {
		name string
		new  func() State
	}{
		{"memory", func() State { return NewMemory() }},
		{"json", func() State { return newJSONState() }},
	}
	for _, tt := range tests {
		for _, st := range stores {
			t.Run(tt.name+"/"+st.name, func(t *testing.T) {
				set := loadRules(t, tt.rules)
				opts := tt.opts
				opts.Store = st.new()
				got, e := run(t, set, opts, tt.steps)
				if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("hits mismatch (-want +got):\n%s", diff)
				}
				if tt.stats != nil {
					gotStats := e.Stats()[lookup(t, set, "corr").ID]
					if diff := cmp.Diff(*tt.stats, gotStats); diff != "" {
						t.Errorf("Stats() mismatch (-want +got):\n%s", diff)
					}
				}
			})
		}
	}
}
