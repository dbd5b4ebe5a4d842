package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const testRule = `title: CloudTrail logging stopped
id: 6a2b9c1e-1f0d-4c57-9e3a-0d8f5b7c2a10
author: picket tests
logsource: {product: aws, service: cloudtrail}
detection:
    sel:
        eventSource: 'cloudtrail.amazonaws.com'
        eventName: 'StopLogging'
    condition: sel
level: high
tags: [attack.defense-evasion]
---
title: error in an application log
id: 0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f
logsource: {category: application}
detection:
    kw: ['ERROR']
    condition: kw
level: low
`

const stopLogging = `{"eventVersion":"1.09","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","eventID":"e-1","eventTime":"2026-11-20T09:04:11Z","userIdentity":{"type":"IAMUser"}}`
const describe = `{"eventVersion":"1.09","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","eventID":"e-2","eventTime":"2026-11-20T09:05:00Z"}`

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestScanJSONL(t *testing.T) {
	dir := t.TempDir()
	rules := writeFile(t, dir, "rules.yml", testRule)
	logs := writeFile(t, dir, "trail.jsonl", stopLogging+"\n"+describe+"\n")
	code, out, errs := run("scan", "--no-builtin", "--rules", rules, "--format", "jsonl", logs)
	if code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1 {
		t.Fatalf("got %d detections, want 1:\n%s", len(lines), out)
	}
	var d map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &d); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"rule_id", "rule_title", "level", "tags", "event_id", "event_time", "source", "logsource", "event"} {
		if _, ok := d[k]; !ok {
			t.Errorf("detection lacks %q: %s", k, lines[0])
		}
	}
	if d["rule_id"] != "6a2b9c1e-1f0d-4c57-9e3a-0d8f5b7c2a10" || d["event_id"] != "e-1" || d["source"] != logs || d["event_time"] != "2026-11-20T09:04:11Z" {
		t.Errorf("detection = %s", lines[0])
	}
	if ev, _ := d["event"].(map[string]any); ev["eventName"] != "StopLogging" {
		t.Errorf("event = %v, want the raw record", d["event"])
	}
	if !strings.Contains(errs, "2 events") || !strings.Contains(errs, "1 detection") {
		t.Errorf("summary = %q", errs)
	}
}

func TestScanExitCodes(t *testing.T) {
	dir := t.TempDir()
	rules := writeFile(t, dir, "rules.yml", testRule)
	hit := writeFile(t, dir, "hit.jsonl", stopLogging+"\n")
	miss := writeFile(t, dir, "miss.jsonl", describe+"\n")
	badRule := writeFile(t, dir, "bad.yml", "title: x\nlogsource: {product: aws}\ndetection:\n  sel:\n    a|nosuchmod: b\n  condition: sel\n")
	tests := []struct {
		name string
		args []string
		want int
		err  string
	}{
		{"detection without flag", []string{"--rules", rules, hit}, ExitOK, ""},
		{"fail on detection", []string{"--rules", rules, "--fail-on-detection", hit}, ExitDetection, ""},
		{"nothing detected", []string{"--rules", rules, "--fail-on-detection", miss}, ExitOK, ""},
		{"rule error", []string{"--rules", badRule, hit}, ExitUsage, `bad.yml:5:5: unknown modifier "nosuchmod"`},
		{"missing input", []string{"--rules", rules, filepath.Join(dir, "nope.json"), hit}, ExitInput, "nope.json"},
		{"no input", []string{"--rules", rules}, ExitUsage, "no input"},
		{"bad format", []string{"--rules", rules, "--format", "xml", hit}, ExitUsage, "--format"},
		{"bad flag", []string{"--nope", hit}, ExitUsage, ""},
		{"help", []string{"--help"}, ExitOK, "Usage: picket scan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"scan", "--no-builtin"}, tt.args...)
			code, _, errs := run(args...)
			if code != tt.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.want, errs)
			}
			if !strings.Contains(errs, tt.err) {
				t.Errorf("stderr lacks %q:\n%s", tt.err, errs)
			}
		})
	}
}

func TestScanBadInputKeepsGoing(t *testing.T) {
	dir := t.TempDir()
	rules := writeFile(t, dir, "rules.yml", testRule)
	logs := writeFile(t, dir, "mixed.jsonl", describe+"\n{\"eventName\": broken\n"+stopLogging+"\n")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Repeat(stopLogging+"\n", 50)))
	zw.Close()
	trunc := writeFile(t, dir, "trunc.jsonl.gz", gz.String()[:gz.Len()/2])
	code, out, errs := run("scan", "--no-builtin", "--rules", rules, "--format", "jsonl", logs, trunc)
	if code != ExitInput {
		t.Errorf("exit %d, want %d (truncated gzip)", code, ExitInput)
	}
	if !strings.Contains(errs, "mixed.jsonl:2:") {
		t.Errorf("malformed line not reported with file:line:\n%s", errs)
	}
	if !strings.Contains(errs, "trunc.jsonl.gz") {
		t.Errorf("truncated gzip not named:\n%s", errs)
	}
	if !strings.Contains(out, `"event_id":"e-1"`) {
		t.Errorf("good record after the bad line not scanned:\n%s", out)
	}
	if !strings.Contains(errs, "skipped") {
		t.Errorf("summary does not count skipped records:\n%s", errs)
	}
}

func TestScanInvalidUTF8(t *testing.T) {
	dir := t.TempDir()
	rules := writeFile(t, dir, "rules.yml", testRule)
	logs := writeFile(t, dir, "bad-utf8.log", "2026-11-20 09:02:44 ERROR caf\xe9 \xff down\n")
	code, out, errs := run("scan", "--no-builtin", "--rules", rules, "--format", "jsonl", logs)
	if code != ExitOK || !strings.Contains(errs, "bad-utf8.log: 1 record holds invalid UTF-8") {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	var d Detection
	if err := json.Unmarshal([]byte(out), &d); err != nil || !strings.Contains(string(d.Event), `caf\ufffd \ufffd down`) && !strings.Contains(string(d.Event), "caf\uFFFD \uFFFD down") && !strings.Contains(string(d.Event), "caf� � down") {
		t.Errorf("detection on an invalid UTF-8 line = %s (%v)", out, err)
	}
}

func TestScanTextAndStdinLogsource(t *testing.T) {
	dir := t.TempDir()
	rules := writeFile(t, dir, "rules.yml", testRule)
	logs := writeFile(t, dir, "app.log", "2026-11-20 09:00:01 INFO ok\n2026-11-20 09:02:44 ERROR boom\n")
	code, out, errs := run("scan", "--no-builtin", "--rules", rules, "--format", "jsonl", logs)
	if code != ExitOK || strings.Count(out, "\n") != 1 {
		t.Fatalf("exit %d, out:\n%s\nerr:\n%s", code, out, errs)
	}
	if !strings.Contains(out, `"event":{"message":"2026-11-20 09:02:44 ERROR boom"}`) || !strings.Contains(out, `"event_time":"2026-11-20T09:02:44Z"`) {
		t.Errorf("text detection = %s", out)
	}
	// Forcing another logsource takes the application rule out.
	code, out, _ = run("scan", "--no-builtin", "--rules", rules, "--logsource", "myapp/api", logs)
	if code != ExitOK || strings.Contains(out, "boom") {
		t.Errorf("--logsource not applied: %s", out)
	}
}

func TestRulesLint(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.yml", testRule)
	bad := writeFile(t, dir, "bad.yml", "title: x\nlogsource: {product: aws}\ndetection:\n  sel: {a: b}\n  condition: sel | count() > 5\n")
	code, out, _ := run("rules", "lint", good)
	if code != ExitOK || !strings.Contains(out, "0 errors") {
		t.Errorf("lint good: exit %d\n%s", code, out)
	}
	code, out, _ = run("rules", "lint", good, bad)
	if code != ExitInput || !strings.Contains(out, "bad.yml:5:") || !strings.Contains(out, "pipe") || !strings.Contains(out, "1 error") {
		t.Errorf("lint bad: exit %d\n%s", code, out)
	}
}

func TestScanCorrelation(t *testing.T) {
	dir := t.TempDir()
	rules := writeFile(t, dir, "rules.yml", `title: failed login
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
    condition: {gte: 3}
level: high
`)
	logs := writeFile(t, dir, "auth.log", "2026-11-20T09:00:01Z sshd: Failed password for root\n2026-11-20T09:00:02Z sshd: Failed password for root\n2026-11-20T09:30:00Z sshd: Failed password for root\n2026-11-20T09:31:00Z sshd: Failed password for admin\n2026-11-20T09:32:00Z sshd: Failed password for bob\n")
	code, out, errs := run("scan", "--no-builtin", "--rules", rules, "--format", "jsonl", logs)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1 {
		t.Fatalf("got %d detections, want 1 correlation (the base rule has generate: false):\n%s", len(lines), out)
	}
	var d Detection
	if err := json.Unmarshal([]byte(lines[0]), &d); err != nil {
		t.Fatal(err)
	}
	if d.RuleID != "2c1d3e4f-5061-4728-99aa-bbccddeeff00" || d.Correlation == nil || d.Correlation.Value != 3 || len(d.Correlation.Events) != 3 || d.Line != 5 {
		t.Errorf("correlation detection = %s", lines[0])
	}
	if !d.Correlation.First.Equal(time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)) {
		t.Errorf("first = %v, want the window of the last three failures", d.Correlation.First)
	}
}
