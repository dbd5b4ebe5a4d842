package cli

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// exampleEnv sets the variables the sample and example configurations reference.
func exampleEnv(t *testing.T) {
	for k, v := range map[string]string{
		"SMTP_PASSWORD": "x", "WEBHOOK_SECRET": "x", "PAGERDUTY_ROUTING_KEY": "0123456789abcdef0123456789abcdef",
		"PICKET_EXTERNAL_ID": "x", "SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/X",
		"TEAMS_WORKFLOW_URL": "https://prod.westeurope.logic.azure.com/workflows/x", "OPSGENIE_API_KEY": "x",
	} {
		t.Setenv(k, v)
	}
}

func TestConfigSampleValidates(t *testing.T) {
	exampleEnv(t)
	code, out, errs := run("config", "sample")
	if code != ExitOK || !strings.Contains(out, "sources:") {
		t.Fatalf("config sample: exit %d %s", code, errs)
	}
	p := filepath.Join(t.TempDir(), "sample.yaml")
	if err := os.WriteFile(p, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := run("config", "validate", "--config", p); code != ExitOK || !strings.Contains(out, "OK") {
		t.Fatalf("the sample does not validate: exit %d\n%s%s", code, out, errs)
	}
}

func TestExamplesValidate(t *testing.T) {
	exampleEnv(t)
	files, err := filepath.Glob("../../examples/*.yaml")
	if err != nil || len(files) < 4 {
		t.Fatalf("examples: %v %v", files, err)
	}
	code, out, errs := run(append([]string{"config", "validate"}, files...)...)
	if code != ExitOK || strings.Count(out, ": OK") != len(files) {
		t.Fatalf("examples: exit %d\n%s%s", code, out, errs)
	}
}

func TestConfigValidateReportsProblems(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(p, []byte("sources:\n  - {name: a, type: file}\nserver: {listen: 0.0.0.0:8089}\n"), 0o644)
	code, _, errs := run("config", "validate", "--config", p)
	if code != ExitUsage {
		t.Fatalf("exit %d, want %d", code, ExitUsage)
	}
	for _, want := range []string{`bad.yaml:2: source "a" (file)`, "requires authentication", "is not valid"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
}

func TestHealthcheck(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/readyz" {
			http.Error(w, "store: down", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer ok.Close()
	if code, out, errs := run("healthcheck", "--url", ok.URL+"/healthz"); code != ExitOK || !strings.Contains(out, "ok") {
		t.Errorf("healthy: exit %d %s%s", code, out, errs)
	}
	if code, _, errs := run("healthcheck", "--url", ok.URL+"/readyz"); code != ExitInput || !strings.Contains(errs, "503") {
		t.Errorf("not ready: exit %d %s", code, errs)
	}
	if code, _, _ := run("healthcheck", "--url", "http://127.0.0.1:1/healthz", "--timeout", "1s"); code != ExitInput {
		t.Errorf("nothing listening: exit %d", code)
	}
}

func TestSubcommandDispatch(t *testing.T) {
	for _, group := range []string{"alerts", "silence", "server", "rules", "config", "db", "notify"} {
		if code, out, _ := run(group, "--help"); code != ExitOK || !strings.Contains(out, "Usage: picket "+group) {
			t.Errorf("%s --help: exit %d, stdout %q", group, code, out)
		}
		if code, _, errs := run(group); code != ExitUsage || !strings.Contains(errs, "Usage: picket "+group) {
			t.Errorf("%s without subcommand: exit %d, stderr %q", group, code, errs)
		}
		if code, _, errs := run(group, "bogus"); code != ExitUsage || !strings.Contains(errs, `unknown subcommand "bogus"`) {
			t.Errorf("%s bogus: exit %d, stderr %q", group, code, errs)
		}
	}
}
