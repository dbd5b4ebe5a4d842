package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestScanStoresAndAlertsLifecycle runs the backfill path end to end on an SQLite store: scan
// twice (the second adds nothing), list detections and alerts, acknowledge, resolve, silence.
func TestScanStoresAndAlertsLifecycle(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "rules.yml", testRule)
	cfg := writeFile(t, dir, "picket.yaml", "rules:\n  builtin: false\n  paths: [rules.yml]\nstorage:\n  path: picket.db\n")
	stop2 := strings.Replace(stopLogging, `"e-1"`, `"e-3"`, 1)
	logs := writeFile(t, dir, "trail.jsonl", stopLogging+"\n"+describe+"\n"+stop2+"\n")

	for i := 0; i < 2; i++ {
		code, _, errs := run("scan", "--config", cfg, logs)
		if code != ExitOK || !strings.Contains(errs, "stored 2 detections") {
			t.Fatalf("scan %d: exit %d\n%s", i+1, code, errs)
		}
	}
	code, out, errs := run("detections", "list", "--config", cfg, "--format", "jsonl")
	if code != ExitOK {
		t.Fatalf("detections list: exit %d %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d stored detections after two scans, want 2:\n%s", len(lines), out)
	}
	var d map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &d); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"rule_id", "event_id", "alert_id", "event_time", "source", "event"} {
		if d[k] == nil || d[k] == "" {
			t.Errorf("detection line lacks %q: %s", k, lines[0])
		}
	}
	alertID, _ := d["alert_id"].(string)

	code, out, _ = run("alerts", "list", "--config", cfg, "--format", "jsonl")
	if code != ExitOK || strings.Count(out, "\n") != 1 || !strings.Contains(out, `"count":2`) {
		t.Fatalf("alerts list: exit %d, want one alert folding two detections:\n%s", code, out)
	}
	if code, out, errs = run("alerts", "ack", "--config", cfg, "--actor", "ana", "--comment", "looking", alertID); code != ExitOK || !strings.Contains(out, "acknowledged") {
		t.Fatalf("ack: exit %d %s %s", code, out, errs)
	}
	if code, out, errs = run("alerts", "resolve", "--config", cfg, "--actor", "ana", alertID); code != ExitOK || !strings.Contains(out, "resolved") {
		t.Fatalf("resolve: exit %d %s %s", code, out, errs)
	}
	if code, _, errs = run("alerts", "resolve", "--config", cfg, "--actor", "ana", alertID); code != ExitUsage {
		t.Errorf("resolving a resolved alert: exit %d %s", code, errs)
	}
	code, out, _ = run("alerts", "show", "--config", cfg, alertID)
	for _, want := range []string{"resolved", "acknowledged by ana: looking", "resolved by ana"} {
		if !strings.Contains(out, want) {
			t.Errorf("alerts show lacks %q:\n%s", want, out)
		}
	}
	if code, out, _ = run("alerts", "list", "--config", cfg); code != ExitOK || !strings.Contains(out, "0 alerts") {
		t.Errorf("open alerts after resolve: %s", out)
	}

	// Silences: mandatory comment; a valid one is listed and can be expired.
	if code, _, errs = run("silence", "add", "--config", cfg, "--match", "rule_id=6a2b9c1e-1f0d-4c57-9e3a-0d8f5b7c2a10", "--expires", "2h"); code != ExitUsage || !strings.Contains(errs, "comment") {
		t.Errorf("silence without comment: exit %d %s", code, errs)
	}
	code, out, errs = run("silence", "add", "--config", cfg, "--match", "rule_id=6a2b9c1e-1f0d-4c57-9e3a-0d8f5b7c2a10", "--comment", "drill", "--expires", "2h", "--format", "jsonl")
	if code != ExitOK {
		t.Fatalf("silence add: exit %d %s", code, errs)
	}
	var sil struct{ ID string }
	json.Unmarshal([]byte(out), &sil)
	if code, out, _ = run("silence", "list", "--config", cfg); code != ExitOK || !strings.Contains(out, sil.ID) {
		t.Errorf("silence list: %s", out)
	}
	if code, _, errs = run("silence", "expire", "--config", cfg, sil.ID); code != ExitOK {
		t.Errorf("silence expire: exit %d %s", code, errs)
	}
	if code, out, _ = run("silence", "list", "--config", cfg); code != ExitOK || strings.Contains(out, sil.ID) {
		t.Errorf("expired silence still listed as active: %s", out)
	}
}

// TestCorrelationAcrossRestart scans the first half of a brute force in one process run and the
// rest in another: the window kept in the store makes the correlation fire once, not never.
func TestCorrelationAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "rules.yml", `title: failed login
id: 1b0c2d3e-4f50-4617-8899-aabbccddeeff
name: failed_login
logsource: {category: application}
detection:
    sel:
        message|contains: 'Failed password'
    condition: sel
level: informational
---
title: brute force
id: 2c1d3e4f-5061-4728-99aa-bbccddeeff00
correlation:
    type: event_count
    rules: [failed_login]
    timespan: 5m
    condition: {gte: 4}
level: high
`)
	cfg := writeFile(t, dir, "picket.yaml", "rules:\n  builtin: false\n  paths: [rules.yml]\nstorage:\n  path: picket.db\n")
	first := writeFile(t, dir, "auth-1.log", "2026-11-20T09:00:01Z sshd: Failed password for root\n2026-11-20T09:00:02Z sshd: Failed password for root\n")
	second := writeFile(t, dir, "auth-2.log", "2026-11-20T09:00:03Z sshd: Failed password for admin\n2026-11-20T09:00:04Z sshd: Failed password for bob\n")
	if code, out, errs := run("scan", "--config", cfg, "--format", "jsonl", first); code != ExitOK || out != "" {
		t.Fatalf("first half: exit %d out %q %s", code, out, errs)
	}
	code, out, errs := run("scan", "--config", cfg, "--format", "jsonl", second)
	if code != ExitOK || strings.Count(out, "\n") != 1 || !strings.Contains(out, `"value":4`) {
		t.Fatalf("second half: exit %d, want the correlation to fire with 4 events:\n%s%s", code, out, errs)
	}
	// Scanning both again adds nothing and fires nothing new in the store.
	run("scan", "--config", cfg, first, second)
	code, out, _ = run("alerts", "list", "--config", cfg, "--format", "jsonl")
	if code != ExitOK || strings.Count(out, "\n") != 1 || !strings.Contains(out, `"count":1`) {
		t.Errorf("alerts after rescanning: %s", out)
	}
}
