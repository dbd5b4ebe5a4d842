package cli

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"picket/internal/app"
	"picket/internal/config"
	"picket/internal/notify"
)

func TestNotifyTestWebhook(t *testing.T) {
	var mu sync.Mutex
	var got struct {
		body []byte
		sig  string
		key  string
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		got.body, _ = io.ReadAll(r.Body)
		got.sig, got.key = r.Header.Get("X-Picket-Signature"), r.Header.Get("Idempotency-Key")
	}))
	defer srv.Close()
	dir := t.TempDir()
	t.Setenv("PICKET_TEST_HOOK_SECRET", "s3cret-value")
	cfg := writeFile(t, dir, "picket.yaml", `receivers:
  - name: hook
    type: webhook
    url: `+srv.URL+`/picket
    secret: ${PICKET_TEST_HOOK_SECRET}
route:
  receiver: hook
`)
	code, out, errs := run("notify", "test", "hook", "--config", cfg)
	if code != ExitOK || !strings.Contains(out, "delivered to hook (webhook)") {
		t.Fatalf("notify test: exit %d\n%s%s", code, out, errs)
	}
	mu.Lock()
	defer mu.Unlock()
	mac := hmac.New(sha256.New, []byte("s3cret-value"))
	mac.Write(got.body)
	if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); got.sig != want {
		t.Errorf("signature %q, want %q", got.sig, want)
	}
	if got.key == "" || !strings.Contains(string(got.body), `"version":"1"`) || !strings.Contains(string(got.body), "StopLogging") {
		t.Errorf("idempotency key %q, body %s", got.key, got.body)
	}
	if strings.Contains(out+errs, "s3cret-value") {
		t.Error("secret printed")
	}
	// A receiver that refuses: a clear error, exit 1, no secret.
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "nope", http.StatusBadRequest) })
	code, _, errs = run("notify", "test", "hook", "--config", cfg)
	if code != ExitInput || !strings.Contains(errs, "permanent") || strings.Contains(errs, "s3cret-value") {
		t.Errorf("refused: exit %d %s", code, errs)
	}
	if code, _, errs := run("notify", "test", "nobody", "--config", cfg); code != ExitUsage || !strings.Contains(errs, `no receiver "nobody"`) {
		t.Errorf("unknown receiver: exit %d %s", code, errs)
	}
}

func TestReceiverConfigErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "picket.yaml", "receivers:\n  - name: hook\n    type: webhook\n    ulr: https://example.com\n  - name: x\n    type: pigeon\nroute:\n  receiver: hook\n")
	code, _, errs := run("notify", "test", "hook", "--config", cfg)
	if code != ExitUsage || !strings.Contains(errs, `picket.yaml:2: receiver "hook" (webhook)`) || !strings.Contains(errs, "ulr") {
		t.Errorf("misspelt key: exit %d %s", code, errs)
	}
	if code, _, errs := run("notify", "test", "x", "--config", cfg); code != ExitUsage || !strings.Contains(errs, `unknown type "pigeon"`) {
		t.Errorf("unknown type: exit %d %s", code, errs)
	}
	bad := writeFile(t, dir, "bad.yaml", "receivers:\n  - name: hook\n    type: webhook\n    url: https://example.com\nroute:\n  receiver: nobody\n")
	if code, _, errs := run("routes", "test", "--config", bad, "--alert-json", bad); code != ExitUsage || !strings.Contains(errs, `unknown receiver "nobody"`) {
		t.Errorf("route to an unknown receiver: exit %d %s", code, errs)
	}
}

func TestRoutesTest(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "picket.yaml", `receivers:
  - name: hook
    type: webhook
    url: https://hooks.example.com/picket
  - name: secops-mail
    type: stdout
route:
  receiver: hook
  group_by: [rule_id]
  routes:
    - match: {level: [high, critical]}
      receiver: secops-mail
      continue: true
    - receiver: hook
`)
	high := writeFile(t, dir, "high.json", `{"id":"a1","rule_id":"r","rule_title":"t","level":"high","status":"open"}`)
	low := writeFile(t, dir, "low.json", `{"id":"a2","rule_id":"r","rule_title":"t","level":"low","status":"open"}`)
	code, out, errs := run("routes", "test", "--config", cfg, "--alert-json", high)
	if code != ExitOK || !strings.Contains(out, "receivers: secops-mail, hook") {
		t.Errorf("high alert: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = run("routes", "test", "--config", cfg, "--alert-json", low)
	if code != ExitOK || !strings.Contains(out, "receivers: hook") || strings.Contains(out, "receivers: secops") {
		t.Errorf("low alert: exit %d\n%s", code, out)
	}
}

func TestNotifyOutboxCommands(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "picket.yaml", "storage:\n  path: picket.db\n")
	c, err := config.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := app.OpenStore(ctx, c.Storage, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ob := st.Outbox()
	n := notify.TestNotification("hook", "", now)
	if err := ob.Enqueue(ctx, []notify.Notification{*n}); err != nil {
		t.Fatal(err)
	}
	if es, err := ob.Claim(ctx, "hook", now, 10, time.Minute); err != nil || len(es) != 1 {
		t.Fatalf("Claim = %v, %v", es, err)
	}
	if err := ob.Fail(ctx, n.ID, now, now, "400 bad request", true); err != nil {
		t.Fatal(err)
	}
	st.Close()

	code, out, errs := run("notify", "status", "--config", cfg)
	if code != ExitOK || !strings.Contains(out, "hook") || !strings.Contains(out, "DEAD") {
		t.Fatalf("status: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = run("notify", "list", "--config", cfg, "--state", "dead")
	if code != ExitOK || !strings.Contains(out, n.ID) || !strings.Contains(out, "400 bad request") {
		t.Errorf("list dead: exit %d\n%s", code, out)
	}
	if code, out, errs = run("notify", "retry", "--config", cfg, n.ID); code != ExitOK || !strings.Contains(out, "pending again") {
		t.Errorf("retry: exit %d %s %s", code, out, errs)
	}
	if code, _, errs = run("notify", "retry", "--config", cfg, n.ID); code != ExitUsage {
		t.Errorf("retrying a pending entry: exit %d %s", code, errs)
	}
	if _, out, _ = run("notify", "list", "--config", cfg, "--state", "pending", "--format", "jsonl"); !strings.Contains(out, n.ID) {
		t.Errorf("entry not pending after retry: %s", out)
	}
}
