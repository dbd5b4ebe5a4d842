package console

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/alert"
	"picket/internal/catalog"
	"picket/internal/rule"
	"picket/internal/rule/sigma"
	"picket/internal/source"
)

func TestRulesList(t *testing.T) {
	f := newFixture(t, nil)
	tests := []struct {
		query string
		want  []string // rule ids in order
	}{
		{"", []string{"root-login", "ct-stop-logging", "iam-user-created"}},
		{"state=enabled", []string{"root-login", "ct-stop-logging"}},
		{"state=disabled", []string{"iam-user-created"}},
		{"tag=attack.T1078.004", []string{"root-login"}},
		{"q=cloudtrail", []string{"ct-stop-logging"}},
		{"q=nothing-matches", nil},
	}
	re := regexp.MustCompile(`<tr id="rule-([^"]+)">`)
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			code, body := f.get("/rules?" + tt.query)
			if code != http.StatusOK {
				t.Fatalf("GET /rules?%s = %d", tt.query, code)
			}
			var got []string
			for _, m := range re.FindAllStringSubmatch(body, -1) {
				got = append(got, m[1])
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("GET /rules?%s (-want +got):\n%s", tt.query, diff)
			}
		})
	}
}

func TestRuleToggle(t *testing.T) {
	tests := []struct {
		name, id, action, back string
		wantCode               int
		wantLoc                string
		wantEnabled            bool
	}{
		{"disable from list", "ct-stop-logging", "disable", "list", http.StatusSeeOther, "/rules?ok=disabled#rule-ct-stop-logging", false},
		{"enable from page", "iam-user-created", "enable", "", http.StatusSeeOther, "/rules/iam-user-created?ok=enabled", true},
		{"unknown rule", "nope", "enable", "", http.StatusNotFound, "", false},
		{"unknown action", "ct-stop-logging", "delete", "", http.StatusNotFound, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			rec := f.post("/rules/"+tt.id+"/"+tt.action, url.Values{testCSRFField: {testCSRFToken}, "back": {tt.back}}, "dave")
			if rec.Code != tt.wantCode {
				t.Fatalf("POST = %d, want %d", rec.Code, tt.wantCode)
			}
			if rec.Code != http.StatusSeeOther {
				if len(f.cat.sets) != 0 {
					t.Errorf("a refused toggle called SetEnabled: %+v", f.cat.sets)
				}
				return
			}
			if got := rec.Header().Get("Location"); got != tt.wantLoc {
				t.Errorf("redirect = %q, want %q", got, tt.wantLoc)
			}
			want := []setCall{{tt.id, tt.wantEnabled, "dave"}}
			if diff := cmp.Diff(want, f.cat.sets); diff != "" {
				t.Errorf("SetEnabled calls (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRulePageShowsRecentDetections(t *testing.T) {
	f := newFixture(t, nil)
	f.seed()
	_, body := f.get("/rules/ct-stop-logging")
	a := f.alertOf("ct-stop-logging")
	for _, want := range []string{"<code>e1</code>", "<code>e2</code>", `href="/alerts/` + a.ID + `"`, "Disable rule", "2 in 24 h, 5 in 7 days"} {
		if !strings.Contains(body, want) {
			t.Errorf("rule page lacks %q", want)
		}
	}
}

func TestCoverageMatrix(t *testing.T) {
	c := &console{}
	rules := []catalog.Rule{
		{ID: "a", Enabled: true, Hits7d: 3, Tags: []string{"attack.defense-evasion", "attack.t1562.008"}},
		{ID: "b", Enabled: false, Tags: []string{"attack.defense_evasion", "attack.t1562.008", "attack.persistence", "attack.t1098"}},
		{ID: "c", Enabled: true, Tags: []string{"attack.t1530"}}, // no tactic
		{ID: "d", Enabled: true, Tags: []string{"cve.2021-1234"}},
	}
	v := c.matrix(rules)
	type cell struct {
		Tactic, ID, State string
		Rules, Enabled    int
		Hits7d            int
	}
	var got []cell
	for _, col := range v.Columns {
		for _, x := range col.Cells {
			got = append(got, cell{col.Name, x.ID, x.State, x.Rules, x.Enabled, x.Hits7d})
		}
	}
	want := []cell{
		{"Persistence", "T1098", "off", 1, 0, 0},
		{"Persistence", "T1562.008", "off", 1, 0, 0},
		{"Defense Evasion", "T1562.008", "hit", 2, 1, 3},
		{"Defense Evasion", "T1098", "off", 1, 0, 0},
		{"Unmapped", "T1530", "on", 1, 1, 0},
	}
	// Within a column cells are sorted by id.
	want[2], want[3] = want[3], want[2]
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("matrix cells (-want +got):\n%s", diff)
	}
	if v.Techniques != 3 || v.Enabled != 2 || v.Hit != 1 {
		t.Errorf("totals = %d techniques, %d enabled, %d hit; want 3, 2, 1", v.Techniques, v.Enabled, v.Hit)
	}
	if len(v.Columns) != 15 {
		t.Errorf("%d columns, want the 14 tactics and Unmapped", len(v.Columns))
	}
}

func TestSourcesPage(t *testing.T) {
	f := newFixture(t, nil)
	f.sources = append(f.sources, source.Status{Name: "new-one", Type: "file"})
	_, body := f.get("/sources")
	tests := []struct{ name, health string }{{"trail", "ok"}, {"gcp-audit", "error"}, {"new-one", "pending"}}
	for _, tt := range tests {
		re := regexp.MustCompile(`(?s)<tr id="source-` + tt.name + `">.*?<span class="badge h-([a-z]+)">`)
		m := re.FindStringSubmatch(body)
		if m == nil || m[1] != tt.health {
			t.Errorf("source %s health = %v, want %s", tt.name, m, tt.health)
		}
	}
	for _, want := range []string{`<polyline fill="none" points="0.0,21.0`, "5m", "permission denied &lt;b&gt;", "peak 13/min, latest 2/min"} {
		if !strings.Contains(body, want) {
			t.Errorf("sources page lacks %q", want)
		}
	}
}

func TestHealth(t *testing.T) {
	tests := []struct {
		name string
		s    source.Status
		want string
	}{
		{"never polled", source.Status{}, "pending"},
		{"recent success", source.Status{LastSuccess: t0.Add(-time.Minute)}, "ok"},
		{"old success", source.Status{LastSuccess: t0.Add(-time.Hour)}, "stale"},
		{"failing", source.Status{LastSuccess: t0.Add(-time.Minute), LastError: "boom"}, "error"},
	}
	for _, tt := range tests {
		if got := health(tt.s, t0); got != tt.want {
			t.Errorf("%s: health = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestSparkline(t *testing.T) {
	tests := []struct {
		per  []int64
		want sparkline
	}{
		{nil, sparkline{Width: 120, Height: 28}},
		{[]int64{0, 0}, sparkline{Width: 120, Height: 28, Points: "0.0,27.0 120.0,27.0", Minutes: 2}},
		{[]int64{0, 26, 13}, sparkline{Width: 120, Height: 28, Points: "0.0,27.0 60.0,1.0 120.0,14.0", Max: 26, Last: 13, Minutes: 3}},
		{[]int64{5}, sparkline{Width: 120, Height: 28, Points: "0.0,1.0 120,1.0", Max: 5, Last: 5, Minutes: 1}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, newSparkline(tt.per)); diff != "" {
			t.Errorf("newSparkline(%v) (-want +got):\n%s", tt.per, diff)
		}
	}
}

func TestOverviewChart(t *testing.T) {
	day0 := time.Date(2026, 11, 12, 0, 0, 0, 0, time.UTC)
	as := []*alert.Alert{
		{Level: rule.High, FirstSeen: day0.Add(time.Hour)},
		{Level: rule.Critical, FirstSeen: day0.Add(2 * time.Hour)},
		{Level: rule.High, FirstSeen: day0.Add(13*24*time.Hour + time.Hour)},
		{Level: rule.Low, FirstSeen: day0.Add(-time.Hour)},          // before the window
		{Level: rule.Low, FirstSeen: day0.Add(14 * 24 * time.Hour)}, // after it
	}
	ch := newChart(as, day0)
	if ch.Total != 3 || len(ch.Bars) != chartDays {
		t.Fatalf("chart total %d over %d bars, want 3 over %d", ch.Total, len(ch.Bars), chartDays)
	}
	first, last := ch.Bars[0], ch.Bars[chartDays-1]
	if diff := cmp.Diff([]int{1, 1, 0, 0, 0, 0}, first.PerLevel); diff != "" {
		t.Errorf("first day per level (-want +got):\n%s", diff)
	}
	if last.Total != 1 || last.Date != "2026-11-25" {
		t.Errorf("last bar = %d on %s, want 1 on 2026-11-25", last.Total, last.Date)
	}
	// Stacked: least severe at the bottom, segments touch.
	if len(first.Segments) != 2 || first.Segments[0].Level != "high" || first.Segments[1].Level != "critical" {
		t.Fatalf("first bar segments = %+v", first.Segments)
	}
	if s0, s1 := first.Segments[0], first.Segments[1]; s1.Y+s1.Height != s0.Y || s0.Y+s0.Height != float64(ch.BaseY) {
		t.Errorf("segments do not stack on the base line: %+v (base %d)", first.Segments, ch.BaseY)
	}
}

func TestOverviewPage(t *testing.T) {
	f := newFixture(t, nil)
	f.seed()
	ack(f, f.alertOf("root-login").ID)
	_, body := f.get("/overview")
	re := regexp.MustCompile(`<a class="card lvl-([a-z]+)" href="[^"]*"><span class="n">(\d+)</span> <span class="name">[a-z]+</span><span class="sub">(\d+) acknowledged`)
	got := map[string]string{}
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		got[m[1]] = m[2] + "/" + m[3]
	}
	want := map[string]string{"critical": "0/1", "high": "1/0", "medium": "1/0", "low": "0/0", "informational": "0/0"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("open/acknowledged per level (-want +got):\n%s", diff)
	}
	if n := strings.Count(body, `<rect class="bar`); n != 3 {
		t.Errorf("chart has %d bar segments, want 3 (one per seeded alert, on the same day but different levels)", n)
	}
}

func TestSilencesPageAndExpire(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	mk := func(comment string, starts, ends time.Time) alert.Silence {
		s, err := f.mgr.AddSilence(ctx, alert.Silence{
			Matchers: []alert.Matcher{{Field: "rule_id", Op: alert.OpEqual, Value: "root-login"}},
			Author:   "erin", Comment: comment, StartsAt: starts, EndsAt: ends,
		})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	active := mk("active one", t0.Add(-time.Hour), t0.Add(time.Hour))
	pending := mk("pending one", t0.Add(time.Hour), t0.Add(2*time.Hour))
	_, body := f.get("/silences")
	if a, p := strings.Index(body, "active one"), strings.Index(body, "pending one"); a < 0 || p < 0 || a > p {
		t.Errorf("silences page: active at %d, pending at %d; want active first", a, p)
	}
	if !strings.Contains(body, `rule_id=&#34;root-login&#34;`) {
		t.Errorf("silences page does not show the matcher")
	}
	tests := []struct {
		name     string
		id       string
		wantCode int
	}{
		{"active", active.ID, http.StatusSeeOther},
		{"pending", pending.ID, http.StatusSeeOther},
		{"again", active.ID, http.StatusConflict},
		{"unknown", "nope", http.StatusNotFound},
	}
	for _, tt := range tests {
		rec := f.post("/silences/"+tt.id+"/expire", url.Values{testCSRFField: {testCSRFToken}}, "frank")
		if rec.Code != tt.wantCode {
			t.Errorf("expire %s = %d, want %d", tt.name, rec.Code, tt.wantCode)
		}
	}
	ss, err := f.mgr.Silences(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 0 {
		t.Errorf("active silences after expiring = %+v, want none", ss)
	}
	all, err := f.mgr.Silences(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if s.ExpiredBy != "frank" {
			t.Errorf("silence %q expired by %q, want frank", s.Comment, s.ExpiredBy)
		}
	}
}

func TestPrettyJSON(t *testing.T) {
	type line struct {
		Text string
		Path string
		Hit  bool
	}
	render := func(d jsonDoc) []line {
		var out []line
		for _, l := range d.Lines {
			s := l.Indent
			if l.Key != "" {
				s += l.Key + ": "
			}
			s += l.Value
			if l.Comma {
				s += ","
			}
			out = append(out, line{s, l.Path, l.Hit || l.Group})
		}
		return out
	}
	tests := []struct {
		name string
		raw  string
		hits []string
		want []line
		text string
	}{
		{
			name: "nested", raw: `{"a":1,"b":{"C":"x<y","d":[true,null]},"e":{},"f":[]}`, hits: []string{"b.c", "b.d"},
			want: []line{
				{"{", "", false},
				{`  "a": 1,`, "a", false},
				{`  "b": {`, "b", false},
				{`    "C": "x<y",`, "b.C", true},
				{`    "d": [`, "b.d", true},
				{`      true,`, "b.d", true},
				{`      null`, "b.d", true},
				{`    ]`, "", false},
				{`  },`, "", false},
				{`  "e": {},`, "e", false},
				{`  "f": []`, "f", false},
				{"}", "", false},
			},
		},
		{name: "text event", raw: `"just text"`, want: []line{{`"just text"`, "", false}}},
		{name: "top-level array", raw: `[1,2]`, want: []line{{"[", "", false}, {"  1,", "", false}, {"  2", "", false}, {"]", "", false}}},
		{name: "not JSON", raw: `<b>not json`, text: `<b>not json`},
		{name: "truncated JSON", raw: `{"a":`, text: `{"a":`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := prettyJSON([]byte(tt.raw), tt.hits, nil)
			if diff := cmp.Diff(tt.want, render(d)); diff != "" {
				t.Errorf("prettyJSON(%s) lines (-want +got):\n%s", tt.raw, diff)
			}
			if d.Text != tt.text {
				t.Errorf("prettyJSON(%s).Text = %q, want %q", tt.raw, d.Text, tt.text)
			}
		})
	}
}

func TestPrettyJSONTruncates(t *testing.T) {
	raw := "[" + strings.Repeat("1,", maxJSONLines*2) + "1]"
	d := prettyJSON([]byte(raw), nil, nil)
	if !d.Truncated || len(d.Lines) != maxJSONLines {
		t.Errorf("prettyJSON(huge) = %d lines, truncated %v; want %d, true", len(d.Lines), d.Truncated, maxJSONLines)
	}
}

func TestExplanationFromSigma(t *testing.T) {
	x := sigma.Explanation{
		Matched:    true,
		Conditions: []sigma.ConditionResult{{Text: "selection and not filter", Matched: true}},
		Selections: []sigma.SelectionResult{
			{Name: "selection", Matched: true, Items: []sigma.ItemResult{
				{Key: "eventName|startswith", Desc: `eventName starts with "Stop"`, Matched: true, Present: true, Values: []string{`"StopLogging"`}},
				{Key: "", Desc: "any field (keyword) contains x", Matched: true, Present: true},
				{Key: "errorCode", Desc: "errorCode exists", Matched: false},
			}},
			{Name: "other", Matched: false, Items: []sigma.ItemResult{{Key: "userAgent", Matched: true, Present: true}}},
		},
		FilterResults: []sigma.SelectionResult{{Name: "noise", Matched: false}},
	}
	got := ExplanationFromSigma(x)
	want := &Explanation{
		Matched:    true,
		Conditions: []ExplainCondition{{Text: "selection and not filter", Matched: true}},
		Selections: []ExplainSelection{
			{Name: "selection", Matched: true, Items: []ExplainItem{
				{Field: "eventName", Test: `eventName starts with "Stop"`, Matched: true, Present: true, Values: []string{`"StopLogging"`}},
				{Field: "", Test: "any field (keyword) contains x", Matched: true, Present: true},
				{Field: "errorCode", Test: "errorCode exists"},
			}},
			{Name: "other", Items: []ExplainItem{{Field: "userAgent", Matched: true, Present: true}}},
			{Name: "filter: noise"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ExplanationFromSigma (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"eventName"}, got.MatchedFields()); diff != "" {
		t.Errorf("MatchedFields (-want +got):\n%s", diff)
	}
}

func TestFormatting(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{formatDuration(42 * time.Second), "42s"},
		{formatDuration(12 * time.Minute), "12m"},
		{formatDuration(3*time.Hour + 5*time.Minute), "3h 5m"},
		{formatDuration(2 * time.Hour), "2h"},
		{formatDuration(50 * time.Hour), "2d 2h"},
		{ago(t0, time.Time{}), "never"},
		{ago(t0, t0.Add(-90*time.Second)), "1m ago"},
		{ago(t0, t0.Add(time.Hour)), "in 1h"},
		{formatTime(time.Time{}), "—"},
		{formatTime(t0), "2026-11-25 12:00:00 UTC"},
		{attackURL("attack.t1078"), "https://attack.mitre.org/techniques/T1078/"},
		{attackURL("attack.T1078.004"), "https://attack.mitre.org/techniques/T1078/004/"},
		{attackURL("attack.persistence"), ""},
		{levelName(rule.LevelUnknown), "unknown"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d = %q, want %q", i, tt.got, tt.want)
		}
	}
}
