package e2e

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"picket/internal/alert"
	"picket/internal/store/sqlite"
	"picket/internal/synth"
)

// hook is a webhook peer that records every delivery, answers slowly and sometimes fails, so
// that kills land in the middle of sends and retries.
type hook struct {
	mu  sync.Mutex
	rnd *rand.Rand
	// noFail answers every delivery with success.
	noFail bool
	got    []delivery
	keys   map[string][]string // idempotency key → sorted alert ids of its first delivery
}

type delivery struct {
	key, status string
	alerts      []string
}

func newHook(seed uint64) *hook {
	return &hook{rnd: rand.New(rand.NewPCG(seed, 7)), keys: map[string][]string{}}
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var p struct {
		Status         string `json:"status"`
		NotificationID string `json:"notification_id"`
		Alerts         []struct {
			ID string `json:"id"`
		} `json:"alerts"`
	}
	if err := json.Unmarshal(body, &p); err != nil || p.NotificationID != r.Header.Get("Idempotency-Key") {
		http.Error(w, "bad body or key", http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	delay := time.Duration(h.rnd.IntN(15)) * time.Millisecond
	fail := !h.noFail && h.rnd.IntN(10) == 0
	h.mu.Unlock()
	time.Sleep(delay)
	if fail {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	d := delivery{key: p.NotificationID, status: p.Status}
	for _, a := range p.Alerts {
		d.alerts = append(d.alerts, a.ID)
	}
	slices.Sort(d.alerts)
	h.mu.Lock()
	h.got = append(h.got, d)
	if _, ok := h.keys[d.key]; !ok {
		h.keys[d.key] = d.alerts
	}
	h.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

// TestCrashExactlyOnce kills `picket collect --once` with SIGKILL at random moments (while it
// reads and evaluates, stores alerts, routes and delivers), restarts it until a run completes,
// and checks that every stored alert reached the webhook in exactly one logical notification
// (one idempotency key), that a key always carried the same alerts, and that nothing is left
// undelivered.
func TestCrashExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts a child process many times")
	}
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "logs", "trail.jsonl"))
	if os.IsNotExist(err) {
		os.MkdirAll(filepath.Join(dir, "logs"), 0o755)
		f, err = os.Create(filepath.Join(dir, "logs", "trail.jsonl"))
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := synth.NewCloudTrail(42).WriteJSONL(f, 40000); err != nil {
		t.Fatal(err)
	}
	f.Close()

	h := newHook(1)
	srv := httptest.NewServer(h)
	defer srv.Close()
	cfg := writeFile(t, dir, "picket.yaml", `
storage: {path: picket.db}
rules: {builtin: true}
alerts:
  group_by: [userIdentity.arn, sourceIPAddress]
sources:
  - name: trail
    type: file
    paths: [logs]
    max_batch: 200
receivers:
  - name: hook
    type: webhook
    url: `+srv.URL+`/picket
    send_resolved: false
route:
  receiver: hook
  group_by: ['...']
  group_wait: 1s
notifications:
  attempt_timeout: 1s
  lease: 2s
  backoff_base: 20ms
  backoff_max: 200ms
logging: {level: warn, format: json}
`)
	rnd := rand.New(rand.NewPCG(42, 42))
	kills, runs := 0, 0
	deadline := time.Now().Add(3 * time.Minute)
	for {
		if time.Now().After(deadline) {
			t.Fatalf("no complete run within the deadline after %d runs (%d kills)", runs, kills)
		}
		runs++
		c := start(t, dir, "collect", "--once", "--config", cfg, "--deliver-timeout", "5s")
		var limit time.Duration = time.Minute
		if kills < 12 {
			limit = time.Duration(30+rnd.IntN(900)) * time.Millisecond
		}
		code, exited := c.wait(limit)
		if !exited {
			c.kill()
			kills++
			continue
		}
		if code == 0 {
			break
		}
		// Exit 1: notifications still pending (a lease left by a killed run had not expired).
		t.Logf("run %d exited %d: %s", runs, code, lastLine(c.stderr.String()))
		if code != 1 {
			t.Fatalf("run %d: exit %d\n%s", runs, code, c.stderr.String())
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Logf("%d runs, %d killed with SIGKILL", runs, kills)
	if kills < 5 {
		t.Errorf("only %d kills landed; the test did not exercise crashes", kills)
	}

	// What was stored.
	st, err := sqlite.Open(context.Background(), sqlite.Options{Path: filepath.Join(dir, "picket.db")}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var stored []*alert.Alert
	q := alert.Query{Limit: alert.MaxLimit}
	for {
		page, err := st.Alerts().List(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, page...)
		if len(page) < q.Limit {
			break
		}
		q.After = page[len(page)-1].Cursor()
	}
	if len(stored) < 50 {
		t.Fatalf("only %d alerts stored; expected the trail to raise many", len(stored))
	}

	h.mu.Lock()
	defer h.mu.Unlock()
	keysOf := map[string]map[string]bool{} // alert id → idempotency keys announcing it firing
	dups := 0
	seen := map[string]bool{}
	for _, d := range h.got {
		if !slices.Equal(d.alerts, h.keys[d.key]) {
			t.Errorf("key %s delivered with different alerts: %v and %v", d.key, d.alerts, h.keys[d.key])
		}
		if seen[d.key] {
			dups++
		}
		seen[d.key] = true
		if d.status != "firing" {
			continue
		}
		for _, id := range d.alerts {
			if keysOf[id] == nil {
				keysOf[id] = map[string]bool{}
			}
			keysOf[id][d.key] = true
		}
	}
	for _, a := range stored {
		if n := len(keysOf[a.ID]); n != 1 {
			t.Errorf("alert %s (%s, count %d): %d logical notifications, want exactly 1", a.ID, a.RuleTitle, a.Count, n)
		}
	}
	if len(keysOf) != len(stored) {
		t.Errorf("%d alerts notified, %d stored", len(keysOf), len(stored))
	}
	t.Logf("%d alerts, %d logical notifications, %d deliveries (%d repeated deliveries of a key, dropped by the idempotency key)",
		len(stored), len(h.keys), len(h.got), dups)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
