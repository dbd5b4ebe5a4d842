package webhook

import (
	"context"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"picket/internal/config"
	"picket/internal/notify"
	"picket/internal/notify/notifytest"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	hookToken  = "tok-9f8e7d6c5b4a"
	hmacSecret = "hmac-s3cr3t-value"
	authHeader = "Bearer hdr-0a1b2c3d"
)

func newNotifier(t *testing.T, r *notifytest.Receiver, c Config) *Notifier {
	t.Helper()
	if c.URL == "" && c.URLFile == "" {
		c.URL = config.Secret(r.URL() + "/hooks/picket?token=" + hookToken)
	}
	n, err := New("hook", c, r.Deps())
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	return n
}

func TestNotify(t *testing.T) {
	tests := []struct {
		name       string
		cfg        Config
		notif      *notify.Notification
		golden     string
		wantHeader map[string]string
	}{
		{
			name: "firing signed", cfg: Config{Secret: hmacSecret, Headers: map[string]config.Secret{"Authorization": authHeader}},
			notif: notifytest.Notification(), golden: "firing.json",
			wantHeader: map[string]string{"Authorization": authHeader},
		},
		{name: "resolved unsigned", notif: notifytest.Resolved(), golden: "resolved.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := notifytest.NewReceiver(t)
			n := newNotifier(t, r, tt.cfg)
			if retry, err := n.Notify(context.Background(), tt.notif); err != nil {
				t.Fatalf("Notify() = %v, %v; want nil", retry, err)
			}
			reqs := r.Requests()
			if len(reqs) != 1 {
				t.Fatalf("receiver got %d requests, want 1", len(reqs))
			}
			req := reqs[0]
			if req.Method != http.MethodPost || req.Path != "/hooks/picket" || req.RawQuery != "token="+hookToken {
				t.Errorf("request = %s %s?%s, want POST /hooks/picket?token=…", req.Method, req.Path, req.RawQuery)
			}
			if got := req.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", got)
			}
			if got := req.Header.Get("Idempotency-Key"); got != tt.notif.ID {
				t.Errorf("Idempotency-Key = %q, want %q", got, tt.notif.ID)
			}
			for k, v := range tt.wantHeader {
				if got := req.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			sig := req.Header.Get("X-Picket-Signature")
			switch {
			case tt.cfg.Secret == "" && sig != "":
				t.Errorf("X-Picket-Signature = %q without a secret, want none", sig)
			case tt.cfg.Secret != "" && (!strings.HasPrefix(sig, "sha256=") || len(sig) != len("sha256=")+64):
				t.Errorf("X-Picket-Signature = %q, want sha256=<64 hex digits>", sig)
			case tt.cfg.Secret != "" && !Verify([]byte(hmacSecret), req.Body, sig):
				t.Errorf("X-Picket-Signature = %q does not verify against the body", sig)
			}
			body, err := Body(tt.notif)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(body), string(req.Body)); diff != "" {
				t.Errorf("posted body differs from Body() (-want +got):\n%s", diff)
			}
			notifytest.Golden(t, filepath.Join("testdata", tt.golden), req.Body, *update)
		})
	}
}

func TestBodyEmpty(t *testing.T) {
	n := &notify.Notification{ID: "x", Receiver: "r", Status: notify.StatusFiring}
	got, err := Body(n)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"version":"1","receiver":"r","status":"firing","notification_id":"x","alerts":[]}`
	if string(got) != want {
		t.Errorf("Body(empty) = %s, want %s", got, want)
	}
	n2 := notifytest.Notification()
	n2.Alerts[0].Tags, n2.Alerts[0].Group, n2.Alerts[0].Events = nil, nil, nil
	b, err := Body(n2)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"tags":[]`) || !strings.Contains(string(b), `"group":{}`) || !strings.Contains(string(b), `"events":[]`) {
		t.Errorf("Body() with nil lists = %s, want [] and {}", b)
	}
}

func TestSignVerify(t *testing.T) {
	// Reference value: printf '%s' '{"a":1}' | openssl dgst -sha256 -hmac key
	const want = "sha256=88a67f24bbcdaed0e6c997404bb79a743baf44c6bab2f4c27328e3009d22e342"
	got := Sign([]byte("key"), []byte(`{"a":1}`))
	if got != want {
		t.Errorf("Sign() = %s, want %s", got, want)
	}
	if !Verify([]byte("key"), []byte(`{"a":1}`), got) {
		t.Errorf("Verify(Sign()) = false")
	}
	if Verify([]byte("key"), []byte(`{"a":2}`), got) || Verify([]byte("other"), []byte(`{"a":1}`), got) {
		t.Errorf("Verify() accepts a wrong body or key")
	}
}

func TestRetry(t *testing.T) {
	notifytest.RunRetryTests(t, func(t *testing.T, r *notifytest.Receiver) notify.Notifier {
		return newNotifier(t, r, Config{Secret: hmacSecret})
	})
}

func TestNoSecretLeak(t *testing.T) {
	notifytest.RunSecretLeakTests(t, func(t *testing.T, r *notifytest.Receiver) notify.Notifier {
		return newNotifier(t, r, Config{
			URL:     config.Secret("http://user:pa55word@" + strings.TrimPrefix(r.URL(), "http://") + "/h/" + hookToken + "?token=" + hookToken),
			Secret:  hmacSecret,
			Headers: map[string]config.Secret{"Authorization": authHeader},
		})
	}, hookToken, hmacSecret, authHeader, "pa55word")
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string // substrings of the error, all of them; nil means valid
	}{
		{"minimal", Config{URL: "https://h.example.com/x"}, nil},
		{"from files", Config{URLFile: "/run/u", SecretFile: "/run/s"}, nil},
		{"no url", Config{}, []string{"url is required"}},
		{"both url", Config{URL: "https://h", URLFile: "/f"}, []string{"url and url_file are both set"}},
		{"bad scheme", Config{URL: "ftp://h.example.com/x?token=zzz"}, []string{"url: the scheme must be http or https"}},
		{"no host", Config{URL: "https:///x"}, []string{"url: the URL has no host"}},
		{"both secret", Config{URL: "https://h", Secret: "s", SecretFile: "/f"}, []string{"secret and secret_file are both set"}},
		{"bad headers", Config{URL: "https://h", Headers: map[string]config.Secret{"Bad Name": "x", "idempotency-key": "y", "X-Ok": "a\nb"}},
			[]string{`"Bad Name" is not a valid header name`, "Idempotency-Key is set by picket", "X-Ok contains a line break"}},
		{"every problem", Config{URLFile: "/a", URL: "x", Secret: "s", SecretFile: "/b"}, []string{"url and url_file", "secret and secret_file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			notifytest.AssertProblems(t, err, tt.want)
			notifytest.AssertNoSecretLeak(t, err, "zzz")
		})
	}
}

func TestSample(t *testing.T) {
	c := DefaultConfig()
	notifytest.DecodeStrict(t, Sample(), &c, map[string]string{"WEBHOOK_SECRET": "s"})
	if err := c.Validate(); err != nil {
		t.Errorf("sample.yaml: Validate() = %v", err)
	}
	if c.URL == "" || c.Secret == "" || c.InsecureSkipVerify {
		t.Errorf("sample.yaml decoded to %+v, want url and secret set, TLS verified", c)
	}
}

func TestNewReadsSecretFiles(t *testing.T) {
	r := notifytest.NewReceiver(t)
	dir := t.TempDir()
	write := func(name, v string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(v+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	n := newNotifier(t, r, Config{URLFile: write("url", r.URL()+"/f"), SecretFile: write("secret", hmacSecret)})
	if _, err := n.Notify(context.Background(), notifytest.Notification()); err != nil {
		t.Fatal(err)
	}
	req := r.Requests()[0]
	if req.Path != "/f" || !Verify([]byte(hmacSecret), req.Body, req.Header.Get("X-Picket-Signature")) {
		t.Errorf("request %s with signature %q: want /f signed with the file's secret", req.Path, req.Header.Get("X-Picket-Signature"))
	}
	if _, err := New("x", Config{URLFile: filepath.Join(dir, "missing")}, r.Deps()); err == nil {
		t.Errorf("New() with a missing url_file = nil, want an error")
	}
}

func TestInsecureSkipVerify(t *testing.T) {
	r := notifytest.NewReceiver(t)
	deps := r.Deps()
	deps.HTTPClient = &http.Client{Transport: roundTripperFunc(nil)}
	if _, err := New("x", Config{URL: "https://h.example.com", InsecureSkipVerify: true}, deps); err == nil {
		t.Errorf("New(insecure_skip_verify) with a custom RoundTripper = nil, want an error")
	}
	deps.HTTPClient = nil
	if _, err := New("x", Config{URL: "https://h.example.com", InsecureSkipVerify: true}, deps); err != nil {
		t.Errorf("New(insecure_skip_verify) = %v, want nil", err)
	}
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
