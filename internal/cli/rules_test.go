package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRulesTestCommand(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "stop.yml", testRule)
	writeFile(t, dir, "stop.test.yml", `cases:
    - name: stop logging matches
      expect: match
      event: `+stopLogging+`
    - name: describe does not match
      expect: no_match
      event: `+describe+`
    - name: wrong expectation
      expect: match
      event: `+describe+`
`)
	code, out, errs := run("rules", "test", "--no-builtin", dir)
	if code != ExitInput {
		t.Fatalf("exit %d, want %d (one failing case)\n%s\n%s", code, ExitInput, out, errs)
	}
	for _, want := range []string{"3 cases: 2 passed, 1 failed", `FAIL ` + filepath.Join(dir, "stop.test.yml") + `:8 "wrong expectation"`, "did not match sel"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if err := os.Remove(filepath.Join(dir, "stop.test.yml")); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run("rules", "test", "--no-builtin", dir); code != ExitInput || !strings.Contains(errs, "no test cases") {
		t.Errorf("no tests: exit %d, stderr %q", code, errs)
	}
}

func TestBuiltinRulesTestCommand(t *testing.T) {
	code, out, errs := run("rules", "test")
	if code != ExitOK || !strings.Contains(out, " 0 failed") {
		t.Fatalf("built-in pack tests: exit %d\n%s\n%s", code, out, errs)
	}
}

func TestExplainCommand(t *testing.T) {
	dir := t.TempDir()
	rules := writeFile(t, dir, "rules.yml", testRule)
	logs := writeFile(t, dir, "trail.jsonl", describe+"\n"+stopLogging+"\n")
	code, out, errs := run("explain", "--no-builtin", "--rules", rules, "--rule", "6a2b9c1e-1f0d-4c57-9e3a-0d8f5b7c2a10", "--record", "2", logs)
	if code != ExitOK || !strings.Contains(out, "MATCHES") || !strings.Contains(out, `eventName equals "StopLogging" — event has "StopLogging"`) {
		t.Errorf("explain match: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = run("explain", "--no-builtin", "--rules", rules, "--rule", "6a2b9c1e-1f0d-4c57-9e3a-0d8f5b7c2a10", logs)
	if code != ExitInput || !strings.Contains(out, "DOES NOT MATCH") || !strings.Contains(out, `✗ eventSource equals "cloudtrail.amazonaws.com" — event has "ec2.amazonaws.com"`) {
		t.Errorf("explain no match: exit %d\n%s", code, out)
	}
	if code, _, errs := run("explain", "--no-builtin", "--rules", rules, "--rule", "nope", logs); code != ExitUsage || !strings.Contains(errs, `no rule "nope"`) {
		t.Errorf("unknown rule: exit %d %s", code, errs)
	}
}

func TestConfigPolicy(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "rules.yml", testRule)
	logs := writeFile(t, dir, "trail.jsonl", stopLogging+"\n")
	cfg := writeFile(t, dir, "picket.yaml", "storage: {path: picket.db}\nrules:\n  builtin: false\n  paths: [rules.yml]\n  level_overrides: {6a2b9c1e-1f0d-4c57-9e3a-0d8f5b7c2a10: critical}\n")
	code, out, errs := run("scan", "--config", cfg, "--format", "jsonl", logs)
	if code != ExitOK || !strings.Contains(out, `"level":"critical"`) {
		t.Errorf("level override: exit %d\n%s%s", code, out, errs)
	}
	cfg = writeFile(t, dir, "off.yaml", "storage: {path: picket.db}\nrules:\n  builtin: false\n  paths: [rules.yml]\n  disabled_tags: [attack.defense-evasion]\n")
	code, out, errs = run("scan", "--config", cfg, "--format", "jsonl", logs)
	if code != ExitOK || out != "" {
		t.Errorf("disabled by tag: exit %d, out %q %s", code, out, errs)
	}
	cfg = writeFile(t, dir, "typo.yaml", "rules:\n  builtin: false\n  paths: [rules.yml]\n  disabled_ids: [no-such-rule]\n")
	if code, _, errs := run("scan", "--config", cfg, logs); code != ExitUsage || !strings.Contains(errs, `"no-such-rule"`) {
		t.Errorf("unknown disabled id: exit %d %s", code, errs)
	}
	cfg = writeFile(t, dir, "bad.yaml", "rules:\n  bultin: false\n")
	if code, _, errs := run("scan", "--config", cfg, logs); code != ExitUsage || !strings.Contains(errs, `bad.yaml:2: unknown key "bultin"`) {
		t.Errorf("unknown key: exit %d %s", code, errs)
	}
}
