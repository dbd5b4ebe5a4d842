package postgres

import (
	"testing"

	"picket/internal/audit"
	"picket/internal/audit/audittest"
)

func TestAuditConformance(t *testing.T) {
	audittest.Run(t, func(t *testing.T) audit.Log { return auditStore(t).Audit() })
}

// auditStore opens a store on a fresh schema (skipped without PICKET_TEST_PG_DSN, failing
// under CI).
func auditStore(t *testing.T) *Store {
	t.Helper()
	_, dsn := freshSchema(t)
	return openTest(t, dsn)
}
