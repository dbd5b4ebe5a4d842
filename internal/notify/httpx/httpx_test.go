package httpx

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"7", 7 * time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, false},
		{"", 0, false},
		{"0", 0, false},
		{"-3", 0, false},
		{"soon", 0, false},
		{"999999999", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestRetryable(t *testing.T) {
	for status, want := range map[int]bool{400: false, 401: false, 403: false, 404: false, 408: true, 409: false, 410: false, 413: false, 429: true, 500: true, 502: true, 503: true, 504: true} {
		if got := Retryable(status); got != want {
			t.Errorf("Retryable(%d) = %v, want %v", status, got, want)
		}
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://hooks.slack.com/services/T0/B0/secret", "https://hooks.slack.com"},
		{"https://user:pass@example.com:8443/x?token=abc#f", "https://example.com:8443"},
		{"not a url", "<invalid URL>"},
		{"http://[::1", "<invalid URL>"},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestScrubURLParts(t *testing.T) {
	u := "https://u:p4ss@h.example.com/services/T0/B0/tok?sig=s1g%2Fx"
	text := "echo: /services/T0/B0/tok?sig=s1g%2Fx and sig=s1g/x and p4ss"
	got := Scrub(text, urlSecrets(u)...)
	want := "echo: <redacted>?<redacted> and <redacted> and <redacted>"
	if got != want {
		t.Errorf("Scrub() = %q, want %q", got, want)
	}
}

func TestEvidence(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want []Field
	}{
		{"cloudtrail", `{"eventName":"StopLogging","userIdentity":{"arn":"arn:x"},"other":1}`,
			[]Field{{"eventName", "StopLogging"}, {"userIdentity.arn", "arn:x"}}},
		{"generic", `{"b":"2","a":1,"c":{"d":1},"e":true}`, []Field{{"a", "1"}, {"b", "2"}, {"e", "true"}}},
		{"not an object", `"text event"`, nil},
		{"invalid", `{`, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Evidence(json.RawMessage(tt.raw), 6)); diff != "" {
			t.Errorf("Evidence(%s) (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{{"hello", 10, "hello"}, {"hello", 5, "hello"}, {"hello", 4, "hel…"}, {"héllo", 2, "h…"}}
	for _, tt := range tests {
		if got := Truncate(tt.in, tt.n); got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestMarshalJSONKeepsMarkup(t *testing.T) {
	got, err := MarshalJSON(map[string]string{"t": "<a|b> & c"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"t":"<a|b> & c"}`; string(got) != want {
		t.Errorf("MarshalJSON() = %s, want %s", got, want)
	}
}

func TestParseTemplateOr(t *testing.T) {
	for _, tt := range []struct{ text, want string }{{"", "default"}, {"custom", "custom"}} {
		tm, err := ParseTemplateOr("t", tt.text, "default", nil)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := tm.Execute(&b, nil); err != nil || b.String() != tt.want {
			t.Errorf("ParseTemplateOr(%q) renders %q, %v; want %q", tt.text, b.String(), err, tt.want)
		}
	}
	if _, err := ParseTemplateOr("t", "{{", "default", nil); err == nil {
		t.Error("a broken override was accepted")
	}
}
