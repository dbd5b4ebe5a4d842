package audit_test

import (
	"testing"

	"picket/internal/audit"
	"picket/internal/audit/audittest"
)

func TestMemoryLog(t *testing.T) {
	audittest.Run(t, func(*testing.T) audit.Log { return audit.NewMemoryLog() })
}
