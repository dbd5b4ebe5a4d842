package alert_test

import (
	"testing"

	"picket/internal/alert"
	"picket/internal/alert/alerttest"
)

func TestMemoryRepository(t *testing.T) {
	alerttest.RunRepository(t, func(*testing.T) alert.Repository { return alert.NewMemoryRepository() })
}
