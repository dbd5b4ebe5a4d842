package alert_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/alert"
	"picket/internal/rule"
)

func TestListFiltersAndPages(t *testing.T) {
	m, c := newManager(t, alert.Options{GroupBy: map[string][]string{alert.AnyRule: {"user"}}})
	ctx := context.Background()
	var ds []alert.Detection
	for i := range 130 {
		d := ev(fmt.Sprintf("r%d", i%3), fmt.Sprint(i), time.Duration(i)*time.Minute, fmt.Sprintf(`{"user":"u%d"}`, i))
		d.Level = rule.Level(1 + i%5)
		ds = append(ds, d)
	}
	ingest(t, m, ds...)
	c.Advance(time.Minute)

	first, err := m.List(ctx, alert.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != alert.DefaultLimit {
		t.Errorf("List without limit: %d alerts, want %d", len(first), alert.DefaultLimit)
	}
	tests := []struct {
		name string
		q    alert.Query
		want int
	}{
		{"rule", alert.Query{RuleID: "r1"}, 43},
		{"min level critical", alert.Query{MinLevel: rule.Critical}, 26},
		{"text", alert.Query{Text: "U12"}, 11}, // u12, u120..u129
		{"time range", alert.Query{Since: t0.Add(10 * time.Minute), Until: t0.Add(20 * time.Minute)}, 10},
		{"status", alert.Query{Status: []alert.Status{alert.StatusResolved}}, 0},
		{"source", alert.Query{Source: "trail"}, 130},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []*alert.Alert
			q := tt.q
			q.Limit = 7
			for range 100 {
				page, err := m.List(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, page...)
				if len(page) < q.Limit {
					break
				}
				q.After = page[len(page)-1].Cursor()
			}
			seen := map[string]bool{}
			for i, a := range got {
				if seen[a.ID] {
					t.Errorf("alert %s listed twice", a.ID)
				}
				seen[a.ID] = true
				if i > 0 && !alert.ListLess(got[i-1], a) {
					t.Errorf("out of order at %d", i)
				}
			}
			if len(got) != tt.want {
				t.Errorf("List(%+v) in pages of 7: %d alerts, want %d", tt.q, len(got), tt.want)
			}
		})
	}
	if _, err := m.List(ctx, alert.Query{After: "%%%"}); !errors.Is(err, alert.ErrInvalid) {
		t.Errorf("List with a bad cursor: %v, want ErrInvalid", err)
	}
}

func TestListShowsCurrentSilences(t *testing.T) {
	m, _ := newManager(t, alert.Options{})
	ctx := context.Background()
	ingest(t, m, ev("r", "1", 0, ""))
	s, err := m.AddSilence(ctx, alert.Silence{
		Matchers: []alert.Matcher{{Field: "rule_id", Op: "=", Value: "r"}}, Author: "a", Comment: "c", EndsAt: t0.Add(time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	as := all(t, m)
	if diff := cmp.Diff([]string{s.ID}, as[0].SilenceIDs); diff != "" || !as[0].Silenced {
		t.Errorf("alert silenced after it was stored: silenced %v, ids (-want +got):\n%s", as[0].Silenced, diff)
	}
}
