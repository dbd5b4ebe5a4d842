package notifytest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/notify"
)

// AssertNoSecretLeak fails t when the text of err (in its %v, %+v and %#v forms) contains any
// non-empty secret, raw or URL-escaped.
func AssertNoSecretLeak(t testing.TB, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	texts := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for _, form := range []string{s, url.PathEscape(s), url.QueryEscape(s)} {
			for _, txt := range texts {
				if strings.Contains(txt, form) {
					t.Errorf("error leaks a secret: %q contains %q", txt, form)
				}
			}
		}
	}
}

// NewFunc builds the notifier under test, sending to the Receiver at baseURL (the function adds
// any path, token or key the channel needs).
type NewFunc func(t *testing.T, r *Receiver) notify.Notifier

// RunRetryTests checks a notifier's retry classification against a Receiver: 500 and 408 retry,
// 429 with Retry-After: 7 asks for 7s, 503 with an HTTP-date Retry-After asks for the time until
// then, 400 and 401 do not retry, and a cancelled or expired context returns its error promptly
// (retry true: nothing says the provider got the message).
func RunRetryTests(t *testing.T, newNotifier NewFunc) {
	t.Helper()
	tests := []struct {
		name       string
		resp       Response
		wantRetry  bool
		wantAfter  time.Duration
		wantStatus int
	}{
		{"500", Response{Status: 500, Body: "boom"}, true, 0, 500},
		{"408", Response{Status: 408}, true, 0, 408},
		{"429 seconds", Response{Status: 429, Header: http.Header{"Retry-After": {"7"}}}, true, 7 * time.Second, 429},
		{"429 no header", Response{Status: 429}, true, 0, 429},
		{"503 date", Response{Status: 503, Header: http.Header{"Retry-After": {Now().Add(90 * time.Second).Format(http.TimeFormat)}}}, true, 90 * time.Second, 503},
		{"400", Response{Status: 400, Body: "invalid_payload"}, false, 0, 400},
		{"401", Response{Status: 401}, false, 0, 401},
		{"404", Response{Status: 404}, false, 0, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReceiver(t)
			r.Fail(tt.resp, 1)
			n := newNotifier(t, r)
			retry, err := n.Notify(context.Background(), Notification())
			if err == nil {
				t.Fatalf("Notify() with a %d answer = nil error, want one", tt.resp.Status)
			}
			if retry != tt.wantRetry {
				t.Errorf("Notify() retry = %v, want %v (err %v)", retry, tt.wantRetry, err)
			}
			after, ok := notify.RetryAfter(err)
			if after != tt.wantAfter || ok != (tt.wantAfter != 0) {
				t.Errorf("RetryAfter(%v) = %v, %v; want %v", err, after, ok, tt.wantAfter)
			}
			if !strings.Contains(err.Error(), fmt.Sprint(tt.wantStatus)) {
				t.Errorf("Notify() error %q does not name status %d", err, tt.wantStatus)
			}
		})
	}

	t.Run("success after failure", func(t *testing.T) {
		r := NewReceiver(t)
		r.Fail(Response{Status: 502}, 1)
		n := newNotifier(t, r)
		if retry, err := n.Notify(context.Background(), Notification()); err == nil || !retry {
			t.Fatalf("first Notify() = %v, %v; want retry true and an error", retry, err)
		}
		if _, err := n.Notify(context.Background(), Notification()); err != nil {
			t.Fatalf("second Notify() = %v, want nil", err)
		}
	})

	t.Run("cancelled context", func(t *testing.T) {
		r := NewReceiver(t)
		n := newNotifier(t, r)
		retry, err := n.Notify(cancelled(), Notification())
		if !errors.Is(err, context.Canceled) || !retry {
			t.Errorf("Notify(cancelled) = %v, %v; want true, context.Canceled", retry, err)
		}
	})

	t.Run("deadline while the receiver hangs", func(t *testing.T) {
		r := NewReceiver(t)
		r.Fail(Response{Hang: true}, 10)
		n := newNotifier(t, r)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		retry, err := n.Notify(ctx, Notification())
		if !errors.Is(err, context.DeadlineExceeded) || !retry {
			t.Errorf("Notify(expiring) = %v, %v; want true, context.DeadlineExceeded", retry, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Notify(expiring) took %v, want it to return at the deadline", d)
		}
	})
}

// RunSecretLeakTests runs a notifier against failing receivers, some of which echo the whole
// request in their error bodies, and against a closed one, and checks that no secret appears in
// the returned errors.
func RunSecretLeakTests(t *testing.T, newNotifier NewFunc, secrets ...string) {
	t.Helper()
	for _, status := range []int{400, 401, 403, 404, 429, 500, 503} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			r := NewReceiver(t)
			r.Fail(Response{Status: status, Body: "error:", Echo: true, Header: http.Header{"Retry-After": {"3"}}}, 10)
			_, err := newNotifier(t, r).Notify(context.Background(), Notification())
			if err == nil {
				t.Fatalf("Notify() against a %d receiver = nil, want an error", status)
			}
			AssertNoSecretLeak(t, err, secrets...)
		})
	}
	t.Run("connection refused", func(t *testing.T) {
		r := NewReceiver(t)
		n := newNotifier(t, r)
		r.Close()
		_, err := n.Notify(context.Background(), Notification())
		if err == nil {
			t.Fatal("Notify() against a closed receiver = nil, want an error")
		}
		AssertNoSecretLeak(t, err, secrets...)
	})
	t.Run("cancelled", func(t *testing.T) {
		r := NewReceiver(t)
		_, err := newNotifier(t, r).Notify(cancelled(), Notification())
		if err == nil {
			t.Fatal("Notify(cancelled) = nil, want an error")
		}
		AssertNoSecretLeak(t, err, secrets...)
	})
}

// Golden compares got with the golden file path (relative to the test's directory); with update
// it writes the file instead. JSON is compared indented, so that golden files read well and
// diffs are line by line.
func Golden(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	got = IndentJSON(t, got)
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("payload differs from %s (-want +got; -update rewrites it):\n%s", path, diff)
	}
}

// IndentJSON indents a JSON document (and ends it with a newline); non-JSON fails t.
func IndentJSON(t testing.TB, b []byte) []byte {
	t.Helper()
	var out strings.Builder
	if err := indent(&out, b); err != nil {
		t.Fatalf("payload is not JSON: %v\n%s", err, b)
	}
	return []byte(out.String())
}

// AssertProblems checks a validation error: nil when want is empty, otherwise an error whose
// text contains every string of want (Validate reports every problem at once); want empty means
// no error.
func AssertProblems(t testing.TB, err error, want []string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Errorf("Validate() = %v, want nil", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("Validate() = nil, want %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("Validate() = %q, want it to contain %q", err, w)
		}
	}
}
