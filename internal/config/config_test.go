package config

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestParse(t *testing.T) {
	data := "rules:\n  builtin: false\n  paths: [my-rules, /abs/rules]\n  disabled_ids: ['${RULE}']\n  disabled_tags: [attack.discovery]\n  level_overrides: {x: high}\n  placeholders: {Admins: [root]}\n"
	c, err := Parse(filepath.Join("etc", "picket.yaml"), []byte(data), env(map[string]string{"RULE": "abc"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Rules.BuiltinEnabled() {
		t.Error("builtin: false not applied")
	}
	want := Rules{
		Builtin: c.Rules.Builtin, Paths: []string{filepath.Join("etc", "my-rules"), "/abs/rules"}, DisabledIDs: []string{"abc"},
		DisabledTags: []string{"attack.discovery"}, LevelOverrides: map[string]string{"x": "high"}, Placeholders: map[string][]string{"Admins": {"root"}},
	}
	if diff := cmp.Diff(want, c.Rules); diff != "" {
		t.Errorf("Rules mismatch (-want +got):\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ data, want string }{
		{"rules:\n  bulitin: true\n", `picket.yaml:2: unknown key "bulitin"`},
		{"rulez: {}\n", `picket.yaml:1: unknown key "rulez"`},
		{"rules:\n  disabled_ids: ['${NOPE}']\n", "picket.yaml:2:18: environment variable NOPE is not set"},
		{"rules:\n  level_overrides: {x: huge}\n", `unknown level "huge"`},
		{"rules: [\n", "picket.yaml:"},
	}
	for _, tt := range tests {
		_, err := Parse("picket.yaml", []byte(tt.data), env(nil))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error = %v, want it to contain %q", tt.data, err, tt.want)
		}
	}
	if c, err := Parse("empty.yaml", nil, env(nil)); err != nil || !c.Rules.BuiltinEnabled() {
		t.Errorf("empty config: %v %v", c, err)
	}
}

func TestEnvInFlowMappingAndTypes(t *testing.T) {
	data := "rules:\n  placeholders: {Admins: [${ADMIN}, 'lit ${ADMIN}']}\nalerts:\n  max_evidence: ${MAXEV}\n"
	c, err := Parse("p.yaml", []byte(data), env(map[string]string{"ADMIN": "root: {x}", "MAXEV": "7"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Rules.Placeholders["Admins"]; len(got) != 2 || got[0] != "root: {x}" || got[1] != "lit root: {x}" {
		t.Errorf("placeholders = %q: a value must never be parsed as YAML", got)
	}
	if c.Alerts.MaxEvidence != 7 {
		t.Errorf("max_evidence = %d, want 7 from ${MAXEV}", c.Alerts.MaxEvidence)
	}
	if _, err := Parse("p.yaml", []byte("alerts:\n  max_evidence: ${MAXEV}\n"), env(map[string]string{"MAXEV": "many"})); err == nil || !strings.Contains(err.Error(), "p.yaml") {
		t.Errorf("non-numeric value: %v", err)
	}
}
