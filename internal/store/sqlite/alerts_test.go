package sqlite

import (
	"testing"

	"picket/internal/alert"
	"picket/internal/alert/alerttest"
)

func TestAlertRepository(t *testing.T) {
	alerttest.RunRepository(t, func(t *testing.T) alert.Repository { return openTest(t, Options{}).Alerts() })
}

// BenchmarkAlertIngest folds 100k detections into 1k alerts (1k users) through a Manager, in
// batches of 1000 as a source delivers them.
func BenchmarkAlertIngest(b *testing.B) {
	alerttest.BenchmarkIngest(b, func(b *testing.B) alert.Repository { return openTest(b, Options{}).Alerts() })
}
