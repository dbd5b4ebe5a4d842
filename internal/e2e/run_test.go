package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"picket/internal/alert"
	"picket/internal/store/sqlite"
)

// stopLogging is a CloudTrail StopLogging event by user, raising the built-in rule's alert.
func stopLogging(id, user string) string {
	return fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/%s","accountId":"123456789012","userName":%q},"eventTime":"2026-11-20T09:04:11Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","requestParameters":{"name":"trail"},"eventID":%q,"readOnly":false,"eventType":"AwsApiCall","recipientAccountId":"123456789012"}`+"\n", user, user, id)
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// eventually polls cond every 50 ms until it holds or d passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s", d, what)
}

// alertsIn opens the store read-only and lists the alerts of a rule.
func storedAlerts(t *testing.T, db string) []*alert.Alert {
	t.Helper()
	st, err := sqlite.Open(context.Background(), sqlite.Options{Path: db}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	as, err := st.Alerts().List(context.Background(), alert.Query{Limit: alert.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	return as
}

// TestRunServiceLifecycle runs `picket run` as a service: it tails a file, notifies a webhook,
// stops gracefully on SIGTERM, restarts where it stopped, survives SIGKILL, rejects an invalid
// configuration on SIGHUP while it keeps running, and applies a valid one.
func TestRunServiceLifecycle(t *testing.T) {
	dir := t.TempDir()
	h := newHook(2)
	h.noFail = true
	srv := httptest.NewServer(h)
	defer srv.Close()
	logs := filepath.Join(dir, "logs", "trail.jsonl")
	os.MkdirAll(filepath.Dir(logs), 0o755)
	addr := freeAddr(t)
	config := func(extra string) string {
		return `
storage: {path: picket.db}
server: {listen: "` + addr + `"}
alerts: {group_by: [userIdentity.userName]}
sources:
  - {name: trail, type: file, paths: [logs], every: 1s}
receivers:
  - {name: hook, type: webhook, url: "` + srv.URL + `"}
route: {receiver: hook, group_by: ['...'], group_wait: 1s, group_interval: 1s}
notifications: {attempt_timeout: 1s, lease: 2s, backoff_base: 20ms, backoff_max: 100ms}
logging: {format: json}
` + extra
	}
	cfg := writeFile(t, dir, "picket.yaml", config(""))
	db := filepath.Join(dir, "picket.db")
	keys := func() int {
		h.mu.Lock()
		defer h.mu.Unlock()
		return len(h.keys)
	}

	// First start: two users stop logging; two alerts, two notifications.
	appendFile(t, logs, stopLogging("e1", "alice")+stopLogging("e2", "bob"))
	c := start(t, dir, "run", "--config", cfg)
	eventually(t, 15*time.Second, "two notifications", func() bool { return keys() == 2 || !running(c) })
	if keys() != 2 {
		t.Fatalf("picket exited early:\n%s", c.stdoutStderr())
	}

	// The API, the console, metrics and health answer.
	for path, want := range map[string]string{
		"/healthz":                   "ok",
		"/readyz":                    "ok",
		"/metrics":                   "picket_source_records_total",
		"/metrics?":                  "picket_alerts_due_total",
		"/api/v1/alerts?status=open": "AWS CloudTrail Logging Stopped",
		"/api/v1/sources":            `"name":"trail"`,
		"/":                          "<title>Alerts",
	} {
		if body := get(t, "http://"+addr+path); !strings.Contains(body, want) {
			t.Errorf("GET %s lacks %q:\n%.300s", path, want, body)
		}
	}

	// SIGTERM: a graceful stop, exit 0.
	c.cmd.Process.Signal(syscall.SIGTERM)
	if code, ok := c.wait(20 * time.Second); !ok || code != 0 {
		t.Fatalf("after SIGTERM: exited %v with %d\n%s", ok, code, c.stderr.String())
	}
	if !strings.Contains(c.stderr.String(), `"picket stopped"`) {
		t.Errorf("no graceful stop in the log:\n%s", c.stderr.String())
	}

	// Written while picket was down: read after the restart, nothing twice.
	appendFile(t, logs, stopLogging("e3", "carol"))
	c = start(t, dir, "run", "--config", cfg)
	eventually(t, 15*time.Second, "carol's notification", func() bool { return keys() == 3 })

	// SIGHUP with an invalid configuration: rejected, still running.
	writeFile(t, dir, "picket.yaml", config("bogus_key: 1\n"))
	c.cmd.Process.Signal(syscall.SIGHUP)
	eventually(t, 10*time.Second, "the reload rejection", func() bool {
		return strings.Contains(c.stdoutStderr(), "reload rejected") || strings.Contains(c.stdoutStderr(), "reload failed")
	})
	appendFile(t, logs, stopLogging("e4", "dave"))
	eventually(t, 15*time.Second, "dave's notification after the rejected reload", func() bool { return keys() == 4 })

	// SIGHUP with a valid configuration: applied (the new source name shows in the log).
	writeFile(t, dir, "picket.yaml", strings.Replace(config(""), "name: trail,", "name: trail2,", 1))
	c.cmd.Process.Signal(syscall.SIGHUP)
	eventually(t, 10*time.Second, "the reload", func() bool { return strings.Contains(c.stdoutStderr(), "configuration reloaded") })

	// SIGKILL, then more events and a restart: nothing lost, nothing notified twice.
	c.kill()
	appendFile(t, logs, stopLogging("e5", "erin"))
	c = start(t, dir, "run", "--config", cfg)
	eventually(t, 15*time.Second, "erin's notification", func() bool { return keys() == 5 })
	c.cmd.Process.Signal(syscall.SIGTERM)
	if code, ok := c.wait(20 * time.Second); !ok || code != 0 {
		t.Fatalf("final SIGTERM: exited %v with %d\n%s", ok, code, c.stderr.String())
	}

	as := storedAlerts(t, db)
	users := map[string]int{}
	for _, a := range as {
		if a.RuleTitle == "AWS CloudTrail Logging Stopped" {
			users[a.Group["userIdentity.userName"]] += a.Count
		}
	}
	for _, u := range []string{"alice", "bob", "carol", "dave", "erin"} {
		if users[u] != 1 {
			t.Errorf("user %s: %d detections stored, want 1 (%v)", u, users[u], users)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.keys) != 5 {
		t.Errorf("%d logical notifications, want 5", len(h.keys))
	}
}

// freeAddr returns a loopback address with a port free at the time of the call.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// get returns the body of a GET, failing the test on a transport error or a status other than 200.
func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s: %s", url, resp.Status)
	}
	return string(b)
}
