package postgres

import (
	"fmt"
	"testing"
	"time"

	"picket/internal/alert"
	"picket/internal/alert/alerttest"
)

func TestAlertRepository(t *testing.T) {
	alerttest.RunRepository(t, func(t *testing.T) alert.Repository {
		_, dsn := freshSchema(t)
		return openTest(t, dsn).Alerts()
	})
}

// TestAlertIngestAcrossStores runs overlapping batches through two stores (two instances) on
// one schema: the advisory locks must keep one alert per fingerprint.
func TestAlertIngestAcrossStores(t *testing.T) {
	_, dsn := freshSchema(t)
	a, b := openTest(t, dsn).Alerts(), openTest(t, dsn).Alerts()
	m := func(r alert.Repository) *alert.Manager {
		m, err := alert.NewManager(r, alert.Options{DedupWindow: time.Hour, GroupBy: map[string][]string{alert.AnyRule: {"user"}}})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	ma, mb := m(a), m(b)
	t0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	var ds []alert.Detection
	for i := range 400 {
		u := fmt.Sprintf("u%d", i%8)
		ds = append(ds, alert.Detection{RuleID: "r", Kind: "detection", EventID: fmt.Sprint(i),
			EventTime: t0.Add(time.Duration(i) * time.Second), GroupValues: map[string]string{"user": u}})
	}
	errs := make(chan error, 2)
	for k, mm := range []*alert.Manager{ma, mb} {
		go func() {
			for j := range 20 {
				lo := ((j + k*7) % 20) * 20 // the two instances send the same batches in another order
				if _, err := mm.Ingest(t.Context(), ds[lo:lo+20]); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	as, err := a.List(t.Context(), alert.Query{})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, x := range as {
		total += x.Count
	}
	if len(as) != 8 || total != len(ds) {
		t.Errorf("%d alerts with %d detections; want 8 and %d", len(as), total, len(ds))
	}
}

// BenchmarkAlertIngest folds 100k detections into 1k alerts (see alerttest.BenchmarkIngest).
func BenchmarkAlertIngest(b *testing.B) {
	alerttest.BenchmarkIngest(b, func(b *testing.B) alert.Repository {
		_, dsn := freshSchema(b)
		return openTest(b, dsn).Alerts()
	})
}
