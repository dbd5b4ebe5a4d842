package sqlite

import (
	"testing"

	"picket/internal/audit"
	"picket/internal/audit/audittest"
)

func TestAuditConformance(t *testing.T) {
	audittest.Run(t, func(t *testing.T) audit.Log { return openTest(t, Options{}).Audit() })
}
