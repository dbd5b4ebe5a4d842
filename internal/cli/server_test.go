package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"picket/internal/alert"
	"picket/internal/audit"
	"picket/internal/catalog"
	"picket/internal/config"
	"picket/internal/rule"
	"picket/internal/rule/sigma"
	"picket/internal/server"
)

type memCheckpoints map[string][]byte

func (m memCheckpoints) Checkpoint(_ context.Context, k string) ([]byte, bool, error) {
	v, ok := m[k]
	return v, ok, nil
}

func (m memCheckpoints) SetCheckpoint(_ context.Context, k string, v []byte) error {
	m[k] = v
	return nil
}

// apiServer serves the API over in-memory backends with one open alert; it returns the URL,
// the token, the alert id and the audit log.
func apiServer(t *testing.T) (url, token, id string, log *audit.MemoryLog) {
	t.Helper()
	repo := alert.NewMemoryRepository()
	mgr, err := alert.NewManager(repo, alert.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	due, err := mgr.Ingest(t.Context(), []alert.Detection{{
		RuleID: "r1", RuleTitle: "rule one", Level: rule.High, Kind: "detection", EventID: "e1",
		EventTime: now.Add(-time.Minute), Source: "trail", DetectedAt: now,
	}})
	if err != nil {
		t.Fatal(err)
	}
	set, _ := sigma.NewLoader(sigma.Options{}).Finish()
	cat, err := catalog.New(t.Context(), catalog.Options{Set: set, Store: memCheckpoints{}})
	if err != nil {
		t.Fatal(err)
	}
	token = "cli-test-token"
	log = audit.NewMemoryLog()
	srv, err := server.New(server.Deps{
		Config: config.Server{Tokens: []config.Token{{Name: "ops", SHA256: server.HashToken(token)}}},
		Alerts: mgr, Detections: repo, Catalog: cat, Audit: log,
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return hs.URL, token, due[0].ID, log
}

func TestAlertsAndSilencesWithServer(t *testing.T) {
	url, token, id, log := apiServer(t)
	t.Setenv("PICKET_TOKEN", token) // --token defaults to it
	srv := []string{"--server", url}
	steps := []struct {
		args     []string
		wantCode int
		wantOut  string
	}{
		{[]string{"alerts", "list"}, ExitOK, "1 alerts"},
		{[]string{"alerts", "list", "--format", "jsonl", "--level", "high", "--status", "open"}, ExitOK, `"id":"` + id + `"`},
		{[]string{"alerts", "list", "--rule", "other"}, ExitOK, "0 alerts"},
		{[]string{"alerts", "show", id}, ExitOK, "rule one (r1) high"},
		{[]string{"alerts", "show", "nope"}, ExitUsage, ""},
		{[]string{"alerts", "ack", "--comment", "on it", id}, ExitOK, id + " acknowledged"},
		{[]string{"alerts", "ack", id}, ExitUsage, ""}, // already acknowledged: 409
		{[]string{"alerts", "resolve", id}, ExitOK, id + " resolved"},
		{[]string{"alerts", "reopen", id}, ExitOK, id + " open"},
		{[]string{"silence", "add", "--match", "rule_id=r1", "--expires", "2h"}, ExitUsage, ""}, // no comment
		{[]string{"silence", "add", "--match", "rule_id=r1", "--expires", "2h", "--comment", "x", "--preview"}, ExitOK, "1 recent alerts would be silenced"},
		{[]string{"silence", "add", "--match", "rule_id=r1", "--expires", "2h", "--comment", "maintenance", "--format", "jsonl"}, ExitOK, `"author":"ops"`},
	}
	for _, s := range steps {
		code, out, errs := run(append(s.args, srv...)...)
		if code != s.wantCode || !strings.Contains(out, s.wantOut) {
			t.Fatalf("picket %s = exit %d\n%s%s\nwant exit %d and %q", strings.Join(s.args, " "), code, out, errs, s.wantCode, s.wantOut)
		}
	}
	code, out, _ := run("silence", "list", "--format", "jsonl", "--server", url)
	var sil alert.Silence
	if code != ExitOK || json.Unmarshal([]byte(out), &sil) != nil || sil.Comment != "maintenance" {
		t.Fatalf("silence list = %d %q", code, out)
	}
	if code, out, errs := run("silence", "expire", sil.ID, "--server", url); code != ExitOK || !strings.Contains(out, "expired") {
		t.Errorf("silence expire = %d %s %s", code, out, errs)
	}
	if code, out, _ := run("silence", "list", "--server", url); code != ExitOK || strings.Contains(out, sil.ID) {
		t.Errorf("silence list after expiry = %d %s", code, out)
	}
	es, err := log.List(t.Context(), audit.Query{Actor: "ops"})
	if err != nil || len(es) != 5 {
		t.Errorf("audit by ops = %d entries, %v; want ack, resolve, reopen, silence create and expire", len(es), err)
	}
}

func TestServerFlagErrors(t *testing.T) {
	url, _, _, _ := apiServer(t)
	t.Setenv("PICKET_TOKEN", "")
	tests := []struct {
		args     []string
		wantCode int
		wantErr  string
	}{
		{[]string{"alerts", "list", "--server", url}, ExitInput, "401"},
		{[]string{"alerts", "list", "--server", url, "--token", "wrong"}, ExitInput, "authentication required"},
		{[]string{"alerts", "list", "--server", url, "--config", "picket.yaml"}, ExitUsage, "not both"},
		{[]string{"silence", "list", "--server", "localhost:8089"}, ExitUsage, "--server"},
	}
	for _, tt := range tests {
		code, _, errs := run(tt.args...)
		if code != tt.wantCode || !strings.Contains(errs, tt.wantErr) {
			t.Errorf("picket %s = exit %d %q, want %d and %q", strings.Join(tt.args, " "), code, errs, tt.wantCode, tt.wantErr)
		}
	}
}

func TestServerHashCommands(t *testing.T) {
	var out, errs bytes.Buffer
	if code := runServerWith(t.Context(), []string{"hash-token", "--name", "ci"}, strings.NewReader(""), &out, &errs); code != ExitOK {
		t.Fatalf("hash-token = %d %s", code, errs.String())
	}
	lines := strings.Split(out.String(), "\n")
	if len(lines) < 5 || lines[3] != `- name: "ci"` || lines[4] != "  sha256: "+server.HashToken(lines[1]) {
		t.Errorf("hash-token output = %q, want the token then its entry", out.String())
	}

	out.Reset()
	if code := runServerWith(t.Context(), []string{"hash-token", "--stdin"}, strings.NewReader("abc\n"), &out, &errs); code != ExitOK ||
		!strings.Contains(out.String(), "sha256: "+server.HashToken("abc")) || strings.Contains(out.String(), "shown once") {
		t.Errorf("hash-token --stdin = %d %q", code, out.String())
	}

	out.Reset()
	if code := runServerWith(t.Context(), []string{"hash-password", "--name", "ana"}, strings.NewReader("pw\r\n"), &out, &errs); code != ExitOK {
		t.Fatalf("hash-password = %d %s", code, errs.String())
	}
	var hash string
	for _, l := range strings.Split(out.String(), "\n") {
		if h, ok := strings.CutPrefix(l, "  password_hash: '"); ok {
			hash = strings.TrimSuffix(h, "'")
		}
	}
	if err := bcrypt.CompareHashAndPassword([]byte(hash), []byte("pw")); err != nil {
		t.Errorf("hash-password output = %q: the hash does not verify the password: %v", out.String(), err)
	}
	for _, tt := range []struct {
		args  []string
		stdin string
		code  int
	}{
		{[]string{"hash-password"}, "", ExitUsage},
		{[]string{"hash-password"}, strings.Repeat("x", 80), ExitUsage},
		{[]string{"nope"}, "", ExitUsage},
		{nil, "", ExitUsage},
	} {
		if code := runServerWith(t.Context(), tt.args, strings.NewReader(tt.stdin), &out, &errs); code != tt.code {
			t.Errorf("picket server %v = %d, want %d", tt.args, code, tt.code)
		}
	}
}
