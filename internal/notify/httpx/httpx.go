// Package httpx holds what picket's HTTP notification channels share: a Sender that posts JSON
// with the attempt's context, drains and closes bodies, reads at most a capped amount of each
// response, and turns the outcome into the notify.Notifier result (retry on network errors, 408,
// 429 and 5xx; not on other statuses), honouring Retry-After as a *notify.RetryAfterError.
//
// Invariant: no error returned by this package contains a secret. URLs are reduced to scheme and
// host (RedactURL), and response bodies quoted in errors are scrubbed of the URL's path, query
// and userinfo and of every value listed in Request.Secrets, because a provider may echo the
// request back.
//
// It also holds the text/template helpers the channels share (template.go).
package httpx

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"picket/internal/notify"
)

const (
	// DefaultTimeout bounds a request when notify.Deps carries no HTTP client.
	DefaultTimeout = 30 * time.Second
	// maxErrorBody is how much of an error response is quoted in the error.
	maxErrorBody = 512
	// maxDrain is how much of a response is read before closing, so that the connection can be
	// reused; larger bodies are abandoned with their connection.
	maxDrain = 64 << 10
)

// Request is one HTTP request of a channel.
type Request struct {
	// Method defaults to POST.
	Method string
	URL    string
	Header http.Header
	Body   []byte
	// Secrets are scrubbed from any response text quoted in errors, in addition to the URL's
	// path, query and userinfo.
	Secrets []string
}

// StatusError reports a response with an unsuccessful status. Its fields hold no secret.
type StatusError struct {
	Method     string
	URL        string // redacted: scheme and host only
	StatusCode int
	Body       string // the start of the response body, scrubbed of secrets, one line
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s %s: unexpected status %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// Sender sends the requests of one channel instance. It is safe for concurrent use.
type Sender struct {
	client *http.Client
	now    func() time.Time
}

// NewSender returns a Sender using deps.HTTPClient (or a client with DefaultTimeout) and
// deps.Clock (or time.Now) for HTTP-date Retry-After values. insecureSkipVerify disables TLS
// certificate verification on a copy of the client's transport, which must then be an
// *http.Transport (or nil for the default one).
func NewSender(deps notify.Deps, insecureSkipVerify bool) (*Sender, error) {
	c := deps.HTTPClient
	if c == nil {
		c = &http.Client{Timeout: DefaultTimeout}
	}
	if insecureSkipVerify {
		var t *http.Transport
		switch bt := c.Transport.(type) {
		case nil:
			t = http.DefaultTransport.(*http.Transport).Clone()
		case *http.Transport:
			t = bt.Clone()
		default:
			return nil, fmt.Errorf("insecure_skip_verify needs an *http.Transport, the client has a %T", c.Transport)
		}
		if t.TLSClientConfig == nil {
			t.TLSClientConfig = &tls.Config{}
		}
		t.TLSClientConfig.InsecureSkipVerify = true //nolint:gosec // explicit, documented opt-in
		cc := *c
		cc.Transport = t
		c = &cc
	}
	now := deps.Clock
	if now == nil {
		now = time.Now
	}
	return &Sender{client: c, now: now}, nil
}

// PostJSON posts body as application/json to rawURL with the extra header, and classifies the
// outcome as Send does.
func (s *Sender) PostJSON(ctx context.Context, rawURL string, header http.Header, body []byte, secrets ...string) (retry bool, err error) {
	h := header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", "application/json")
	return s.Send(ctx, Request{Method: http.MethodPost, URL: rawURL, Header: h, Body: body, Secrets: secrets})
}

// Send sends req and returns nil on a 2xx response. Otherwise retry reports whether trying again
// may succeed: true for network errors (including the context ending: nothing says the provider
// got the message), 408, 429 and 5xx; false for other statuses. A Retry-After header on a 429
// or 503 response makes the error a *notify.RetryAfterError.
func (s *Sender) Send(ctx context.Context, req Request) (retry bool, err error) {
	method := req.Method
	if method == "" {
		method = http.MethodPost
	}
	redacted := RedactURL(req.URL)
	secrets := append(urlSecrets(req.URL), req.Secrets...)
	hr, err := http.NewRequestWithContext(ctx, method, req.URL, bytes.NewReader(req.Body))
	if err != nil {
		// The error of NewRequest quotes the URL: never return it.
		return false, fmt.Errorf("%s %s: invalid request URL", method, redacted)
	}
	for k, vs := range req.Header {
		hr.Header[k] = vs
	}
	if hr.Header.Get("User-Agent") == "" {
		hr.Header.Set("User-Agent", "picket")
	}
	resp, err := s.client.Do(hr)
	if err != nil {
		return true, transportError(method, redacted, err, secrets)
	}
	defer Drain(resp)
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return false, nil
	}
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	serr := &StatusError{Method: method, URL: redacted, StatusCode: resp.StatusCode, Body: Scrub(oneLine(snippet), secrets...)}
	retry = Retryable(resp.StatusCode)
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		if d, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), s.now()); ok {
			return true, &notify.RetryAfterError{After: d, Err: serr}
		}
	}
	return retry, serr
}

// Retryable reports whether a request answered with status may succeed later.
func Retryable(status int) bool {
	switch {
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests:
		return true
	case status >= 500:
		return true
	}
	return false
}

// ParseRetryAfter reads a Retry-After value, in seconds or as an HTTP date relative to now. It
// reports false when the value is missing, malformed, or not in the future.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 || n > int64(24*time.Hour/time.Second) {
			return 0, false
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d <= 0 {
		return 0, false
	}
	return d.Round(time.Second), true
}

// Drain reads what remains of a response body (up to a cap) and closes it, so that the
// connection can be reused.
func Drain(resp *http.Response) {
	if resp == nil || resp.Body == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	_ = resp.Body.Close()
}

// RedactURL returns the scheme and host of rawURL, without userinfo, path or query: webhook URLs
// carry their tokens in any of those.
func RedactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return "<invalid URL>"
	}
	return u.Scheme + "://" + u.Host
}

// Scrub replaces every non-empty secret in s with <redacted>.
func Scrub(s string, secrets ...string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "<redacted>")
		}
	}
	return s
}

// urlSecrets returns the parts of a URL that may be secret, raw and unescaped, longest first so
// that scrubbing a part does not leave the rest of a longer one behind.
func urlSecrets(rawURL string) []string {
	out := []string{rawURL}
	u, err := url.Parse(rawURL)
	if err != nil {
		return out
	}
	if u.User != nil {
		out = append(out, u.User.String(), u.User.Username())
		if p, ok := u.User.Password(); ok {
			out = append(out, p)
		}
	}
	if len(u.Path) > 1 {
		out = append(out, u.EscapedPath(), u.Path)
	}
	if u.RawQuery != "" {
		out = append(out, u.RawQuery)
		if q, err := url.QueryUnescape(u.RawQuery); err == nil {
			out = append(out, q)
		}
	}
	return out
}

// transportError describes a failed round trip without the URL, which *url.Error quotes.
func transportError(method, redacted string, err error, secrets []string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if msg := err.Error(); Scrub(msg, secrets...) != msg {
		// The cause itself quotes a secret: keep only its scrubbed text (and the context
		// error, so that callers can still tell cancellation).
		return fmt.Errorf("%s %s: %s%w", method, redacted, Scrub(msg, secrets...), ctxCause(err))
	}
	return fmt.Errorf("%s %s: %w", method, redacted, err)
}

// ctxCause returns an empty-text error wrapping the context error in err, if any.
func ctxCause(err error) error {
	switch {
	case errors.Is(err, context.Canceled):
		return quiet{context.Canceled}
	case errors.Is(err, context.DeadlineExceeded):
		return quiet{context.DeadlineExceeded}
	}
	return quiet{}
}

// quiet wraps an error without adding text.
type quiet struct{ err error }

func (quiet) Error() string   { return "" }
func (q quiet) Unwrap() error { return q.err }

// oneLine renders a response snippet on one line of valid UTF-8.
func oneLine(b []byte) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	s = strings.Join(strings.Fields(s), " ")
	if !utf8.ValidString(s) {
		return ""
	}
	return s
}

// MarshalJSON encodes v without escaping <, > and & (chat markup uses them) and without the
// trailing newline of json.Encoder.
func MarshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding payload: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
