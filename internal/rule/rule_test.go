package rule

import (
	"encoding/json"
	"testing"
)

func TestLevelJSON(t *testing.T) {
	for _, lv := range []Level{Informational, Low, Medium, High, Critical} {
		b, err := json.Marshal(lv)
		if err != nil {
			t.Fatal(err)
		}
		var got Level
		if err := json.Unmarshal(b, &got); err != nil || got != lv {
			t.Errorf("round trip of %v via %s = %v, %v", lv, b, got, err)
		}
	}
	var l Level
	if err := json.Unmarshal([]byte(`"severe"`), &l); err == nil {
		t.Error("unknown level accepted")
	}
}

func TestDiagnosticString(t *testing.T) {
	d := Diagnostic{File: "r.yml", Line: 3, Col: 5, Msg: "bad"}
	if got := d.String(); got != "r.yml:3:5: bad" {
		t.Errorf("String() = %q", got)
	}
	d.Severity, d.Col = SeverityWarning, 0
	if got := d.String(); got != "r.yml:3:1: warning: bad" {
		t.Errorf("String() = %q", got)
	}
	if (Diagnostics{d}).Err() != nil {
		t.Error("warnings only must not be an error")
	}
}
