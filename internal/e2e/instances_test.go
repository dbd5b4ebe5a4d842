package e2e

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"picket/internal/alert"
	"picket/internal/store/postgres"
)

// pgSchema creates an empty PostgreSQL schema for the test (dropped at its end) and returns a
// URL whose connections use it. Without PICKET_TEST_PG_DSN the test is skipped, or fails under
// CI=true.
func pgSchema(t *testing.T) string {
	t.Helper()
	base := os.Getenv("PICKET_TEST_PG_DSN")
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PICKET_TEST_PG_DSN is not set under CI: .ci/run must start PostgreSQL")
		}
		t.Skip("PICKET_TEST_PG_DSN is not set")
	}
	name := "picket_e2e_" + strings.ToLower(rand.Text()[:12])
	conn, err := pgx.Connect(t.Context(), base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), "CREATE SCHEMA "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, base); err == nil {
			c.Exec(ctx, "DROP SCHEMA "+name+" CASCADE")
			c.Close(ctx)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// TestTwoInstancesShareTheWork runs two `picket run` processes on one PostgreSQL store and one
// SQS queue (competing consumers): every CloudTrail object is processed, every event stored
// once, and every alert notified exactly once although both instances deliver.
func TestTwoInstancesShareTheWork(t *testing.T) {
	dsn := pgSchema(t)
	tb := newTrailBucket(t)
	ctx := context.Background()
	const objects = 30
	for i := range objects {
		key := fmt.Sprintf("AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/20/123456789012_CloudTrail_us-east-1_20261120T0905Z_%03d.json.gz", i)
		tb.put(key, []string{strings.TrimSpace(stopLogging(fmt.Sprintf("ev-%d", i), fmt.Sprintf("user%d", i)))})
	}

	h := newHook(3)
	h.noFail = true
	hook := httptest.NewServer(h)
	defer hook.Close()
	dir := t.TempDir()
	config := func(listen string) string {
		return fmt.Sprintf(`
storage: {url: %q}
alerts: {group_by: [userIdentity.userName]}
sources:
  - {name: bucket, type: aws_s3, region: us-east-1, endpoint: %q, use_path_style: true, queue_url: %q, wait_time: 0s, max_messages: 2, every: 1s}
receivers:
  - {name: hook, type: webhook, url: %q}
route: {receiver: hook, group_by: ['...'], group_wait: 1s, group_interval: 1s}
server: {listen: %q}
logging: {level: info, format: json}
`, dsn, tb.URL, tb.Queue, hook.URL, listen)
	}
	a := startEnv(t, dir, awsEnv(), "run", "--config", writeFile(t, dir, "a.yaml", config(freeAddr(t))))
	b := startEnv(t, dir, awsEnv(), "run", "--config", writeFile(t, dir, "b.yaml", config(freeAddr(t))))
	keys := func() int {
		h.mu.Lock()
		defer h.mu.Unlock()
		return len(h.keys)
	}
	eventually(t, 60*time.Second, "30 notifications", func() bool { return keys() >= objects || !running(a) || !running(b) })
	if !running(a) || !running(b) {
		t.Fatalf("an instance exited:\n%s\n%s", a.stdoutStderr(), b.stdoutStderr())
	}
	time.Sleep(3 * time.Second) // time for a duplicate to show up, if any
	for _, c := range []*child{a, b} {
		c.cmd.Process.Signal(os.Interrupt)
		if code, ok := c.wait(30 * time.Second); !ok || code != 0 {
			t.Fatalf("stopping an instance: exited %v with %d\n%s", ok, code, c.stdoutStderr())
		}
	}
	routers := 0
	for _, c := range []*child{a, b} {
		if !strings.Contains(c.stdoutStderr(), "another instance routes notifications") {
			routers++
		}
	}
	if routers != 1 {
		t.Errorf("%d instances routed notifications, want exactly 1", routers)
	}

	st, err := postgres.Open(ctx, postgres.Options{URL: dsn}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	as, err := st.Alerts().List(ctx, alert.Query{Limit: alert.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != objects {
		t.Errorf("%d alerts stored, want %d", len(as), objects)
	}
	for _, al := range as {
		if al.Count != 1 {
			t.Errorf("alert %s (%v): count %d, want 1", al.ID, al.Group, al.Count)
		}
	}
	if st := tb.SQS.Stats(tb.Queue); st.Deleted != objects || st.Visible != 0 || st.InFlight != 0 {
		t.Errorf("queue: %+v, want every message deleted", st)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	perAlert := map[string]int{}
	for _, ids := range h.keys {
		for _, id := range ids {
			perAlert[id]++
		}
	}
	for _, al := range as {
		if perAlert[al.ID] != 1 {
			t.Errorf("alert %s: %d logical notifications, want 1", al.ID, perAlert[al.ID])
		}
	}
}
