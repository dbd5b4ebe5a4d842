package config

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecretRedacted(t *testing.T) {
	s := Secret("hunter2")
	for _, out := range []string{s.String(), fmt.Sprint(s), fmt.Sprintf("%v %s %#v", s, s, s)} {
		if strings.Contains(out, "hunter2") {
			t.Errorf("secret shown: %q", out)
		}
	}
	b, _ := json.Marshal(struct{ P Secret }{s})
	if strings.Contains(string(b), "hunter2") {
		t.Errorf("secret in JSON: %s", b)
	}
	if s.Reveal() != "hunter2" {
		t.Error("Reveal lost the value")
	}
}

func TestResolveSecret(t *testing.T) {
	f := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(f, []byte("from-file\n"), 0o600)
	if got, err := ResolveSecret("password", "", f, true); err != nil || got.Reveal() != "from-file" {
		t.Errorf("file: %q %v", got.Reveal(), err)
	}
	if _, err := ResolveSecret("password", "x", f, true); err == nil || strings.Contains(err.Error(), "x") && !strings.Contains(err.Error(), "both") {
		t.Errorf("both: %v", err)
	}
	if _, err := ResolveSecret("password", "", "", true); err == nil || !strings.Contains(err.Error(), "password is required") {
		t.Errorf("missing: %v", err)
	}
}
