package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/alert"
	"picket/internal/store"
)

// testDetectionCounts checks the detection counts per rule of the console's and the API's rule
// list (catalog.HitCounter, implemented by the stores' alert repositories).
func testDetectionCounts(t *testing.T, s store.Store) {
	counter, ok := s.Alerts().(interface {
		DetectionCounts(ctx context.Context, since time.Time) (map[string]int, error)
	})
	if !ok {
		t.Fatalf("%T cannot count detections", s.Alerts())
	}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	m, err := alert.NewManager(s.Alerts(), alert.Options{Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	var ds []alert.Detection
	for i, d := range []struct {
		rule string
		age  time.Duration
	}{{"r1", time.Hour}, {"r1", 2 * time.Hour}, {"r1", 3 * 24 * time.Hour}, {"r2", 30 * time.Minute}, {"r3", 10 * 24 * time.Hour}} {
		ds = append(ds, alert.Detection{RuleID: d.rule, RuleTitle: d.rule, Kind: "detection", EventID: string(rune('a' + i)), EventTime: now.Add(-d.age), DetectedAt: now})
	}
	if _, err := m.Ingest(t.Context(), ds); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		since time.Duration
		want  map[string]int
	}{
		{24 * time.Hour, map[string]int{"r1": 2, "r2": 1}},
		{7 * 24 * time.Hour, map[string]int{"r1": 3, "r2": 1}},
		{time.Minute, map[string]int{}},
	}
	for _, tt := range tests {
		got, err := counter.DetectionCounts(t.Context(), now.Add(-tt.since))
		if err != nil {
			t.Fatalf("DetectionCounts(now-%v) = %v", tt.since, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("DetectionCounts(now-%v) mismatch (-want +got):\n%s", tt.since, diff)
		}
	}
}
