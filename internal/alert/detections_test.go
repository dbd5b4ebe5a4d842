package alert

import (
	"context"
	"testing"
	"time"
)

func TestMemoryDetections(t *testing.T) {
	r := NewMemoryRepository()
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	for _, d := range []*Detection{
		{ID: "d1", RuleID: "r1", AlertID: "a1", Source: "s1", EventTime: t0},
		{ID: "d2", RuleID: "r1", AlertID: "a1", Source: "s2", EventTime: t0.Add(time.Minute)},
		{ID: "d3", RuleID: "r2", AlertID: "a2", Source: "s1", EventTime: t0.Add(2 * time.Minute)},
	} {
		r.detections[d.ID] = d
	}
	tests := []struct {
		q    DetectionQuery
		want []string
	}{
		{DetectionQuery{}, []string{"d3", "d2", "d1"}},
		{DetectionQuery{RuleID: "r1"}, []string{"d2", "d1"}},
		{DetectionQuery{AlertID: "a2"}, []string{"d3"}},
		{DetectionQuery{Source: "s1", Limit: 1}, []string{"d3"}},
		{DetectionQuery{Since: t0.Add(time.Minute), Until: t0.Add(2 * time.Minute)}, []string{"d2"}},
	}
	for _, tt := range tests {
		got, err := r.Detections(context.Background(), tt.q)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, d := range got {
			ids = append(ids, d.ID)
		}
		if len(ids) != len(tt.want) {
			t.Errorf("Detections(%+v) = %v, want %v", tt.q, ids, tt.want)
			continue
		}
		for i := range ids {
			if ids[i] != tt.want[i] {
				t.Errorf("Detections(%+v) = %v, want %v", tt.q, ids, tt.want)
				break
			}
		}
	}
}
