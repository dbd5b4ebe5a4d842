package alerttest

import (
	"context"
	"testing"
	"time"

	"picket/internal/alert"
)

// testDetections checks alert.DetectionLister: filters, order and limit.
func testDetections(t *testing.T, r alert.Repository) {
	l, ok := r.(alert.DetectionLister)
	if !ok {
		t.Fatalf("%T does not implement alert.DetectionLister", r)
	}
	ctx := context.Background()
	c := &counter{}
	ingest(t, r, c, time.Hour, det("r1", "e1", 0, "a"), det("r1", "e2", 10, "a"), det("r2", "e3", 5, "b"))
	all, err := l.Detections(ctx, alert.DetectionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range all {
		ids = append(ids, d.EventID)
		if d.AlertID == "" || len(d.Raw) == 0 {
			t.Errorf("detection %s lacks its alert id or raw event: %+v", d.ID, d)
		}
	}
	if want := []string{"e2", "e3", "e1"}; !equal(ids, want) {
		t.Errorf("Detections() event ids = %v, want %v (newest first)", ids, want)
	}
	got, err := l.Detections(ctx, alert.DetectionQuery{RuleID: "r1", Limit: 1})
	if err != nil || len(got) != 1 || got[0].EventID != "e2" {
		t.Errorf("Detections(rule r1, limit 1) = %v, %v", got, err)
	}
	got, err = l.Detections(ctx, alert.DetectionQuery{Since: t0.Add(5 * time.Minute), Until: t0.Add(10 * time.Minute)})
	if err != nil || len(got) != 1 || got[0].EventID != "e3" {
		t.Errorf("Detections(time range) = %v, %v", got, err)
	}
	if got, err := l.Detections(ctx, alert.DetectionQuery{AlertID: all[0].AlertID}); err != nil || len(got) != 2 {
		t.Errorf("Detections(alert %s) = %d, %v; want 2", all[0].AlertID, len(got), err)
	}
}

// testPrune checks alert.Pruner: old detections and resolved alerts go, evidence is trimmed.
func testPrune(t *testing.T, r alert.Repository) {
	p, ok := r.(alert.Pruner)
	if !ok {
		t.Fatalf("%T does not implement alert.Pruner", r)
	}
	ctx := context.Background()
	c := &counter{}
	// Alert "a": events at 0 and 60 minutes (one alert, 2h window); alert "b": event at 10, resolved.
	as := ingest(t, r, c, 2*time.Hour, det("r", "e1", 0, "a"), det("r", "e2", 60, "a"), det("r", "e3", 10, "b"))
	var b string
	for _, a := range as {
		if a.Group["g"] == "b" {
			b = a.ID
		}
	}
	if _, err := r.Update(ctx, b, func(a *alert.Alert) error { a.Status = alert.StatusResolved; return nil }); err != nil {
		t.Fatal(err)
	}
	res, err := p.Prune(ctx, t0.Add(30*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if res.Detections != 2 || res.Alerts != 1 {
		t.Errorf("Prune = %+v, want 2 detections (e1, e3) and 1 resolved alert deleted", res)
	}
	if _, err := r.Get(ctx, b); err == nil {
		t.Error("resolved alert older than the cutoff still there")
	}
	l := r.(alert.DetectionLister)
	left, err := l.Detections(ctx, alert.DetectionQuery{})
	if err != nil || len(left) != 1 || left[0].EventID != "e2" {
		t.Errorf("detections after prune = %v, %v; want e2 only", left, err)
	}
	for _, a := range as {
		if a.Group["g"] != "a" {
			continue
		}
		got, err := r.Get(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range got.Evidence {
			if e.EventTime.Before(t0.Add(30 * time.Minute)) {
				t.Errorf("evidence %s older than the cutoff kept", e.EventID)
			}
		}
		if len(a.Evidence) > 0 && int64(got.EvidenceOmitted) != int64(a.EvidenceOmitted)+res.Evidence {
			t.Errorf("EvidenceOmitted = %d, want %d", got.EvidenceOmitted, int64(a.EvidenceOmitted)+res.Evidence)
		}
	}
	if again, err := p.Prune(ctx, t0.Add(30*time.Minute)); err != nil || again != (alert.PruneResult{}) {
		t.Errorf("second Prune = %+v, %v; want nothing left to prune", again, err)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
