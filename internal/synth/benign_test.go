package synth

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestBenign(t *testing.T) {
	a, b := NewBenign(1), NewBenign(1)
	for i := 0; i < 500; i++ {
		g, z := a.GCPAudit(), a.AzureActivity()
		if !json.Valid(g) || !json.Valid(z) {
			t.Fatalf("invalid JSON: %s %s", g, z)
		}
		if !bytes.Contains(g, []byte(`"@type":"type.googleapis.com/google.cloud.audit.AuditLog"`)) || !bytes.Contains(z, []byte(`"resultType":"Success"`)) {
			t.Fatalf("unexpected shape: %s %s", g, z)
		}
		if g2, z2 := b.GCPAudit(), b.AzureActivity(); !bytes.Equal(g, g2) || !bytes.Equal(z, z2) {
			t.Fatal("same seed, different output")
		}
	}
}
