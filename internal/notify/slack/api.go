package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"picket/internal/notify"
	"picket/internal/notify/httpx"
)

const (
	// maxAPIResponse bounds how much of a Web API answer is read.
	maxAPIResponse = 1 << 20
	// maxErrorBody is how much of an unsuccessful HTTP answer is quoted in errors.
	maxErrorBody = 512
	// defaultRateLimitWait is the wait asked for when Slack says "ratelimited" without a
	// Retry-After header.
	defaultRateLimitWait = 30 * time.Second
)

// APIError is a Web API answer {"ok": false, "error": Code} (Slack answers errors with HTTP 200).
// Its text holds no secret.
type APIError struct {
	Method string // the Web API method, e.g. "chat.postMessage"
	Code   string // Slack's error code, e.g. "not_in_channel"
}

func (e *APIError) Error() string {
	msg := "slack " + e.Method + ": " + e.Code
	if h := errorHints[e.Code]; h != "" {
		msg += " (" + h + ")"
	}
	return msg
}

// errorHints tell the operator what to do about the common permanent errors.
var errorHints = map[string]string{
	"not_in_channel":    "invite the bot to the channel",
	"channel_not_found": "check channel, and invite the bot if the channel is private",
	"invalid_auth":      "check token",
	"not_authed":        "check token",
	"token_revoked":     "the token was revoked: install the app again",
	"token_expired":     "the token expired",
	"account_inactive":  "the token's user or workspace was deleted",
	"missing_scope":     "the bot token needs the chat:write scope",
	"is_archived":       "the channel is archived",
}

// retryableCodes are the error codes of transient failures on Slack's side.
var retryableCodes = map[string]bool{
	"internal_error":             true,
	"fatal_error":                true,
	"service_unavailable":        true,
	"request_timeout":            true,
	"team_added_to_org":          true,
	"org_login_required":         true,
	"external_channel_migrating": true,
	"update_failed":              true,
}

// threadGoneCodes say that the parent message of a thread no longer exists (deleted): a new
// thread is started.
var threadGoneCodes = map[string]bool{
	"thread_not_found":  true,
	"invalid_thread_ts": true,
	"message_not_found": true,
}

// apiResponse is the part of a Web API answer picket reads.
type apiResponse struct {
	OK      bool   `json:"ok"`
	Error   string `json:"error"`
	Channel string `json:"channel"`
	TS      string `json:"ts"`
}

// call posts body to the Web API method and returns the answer of a successful call. retry
// and the error follow notify.Notifier: network errors, HTTP 408, 429 and 5xx, and the
// transient error codes retry; "ratelimited" and HTTP 429 ask for their Retry-After as a
// *notify.RetryAfterError; other error codes (authentication, channel) are permanent. The token
// never appears in errors.
func (s *Notifier) call(ctx context.Context, method string, body []byte) (res apiResponse, retry bool, err error) {
	endpoint := s.apiURL + "/" + method
	redacted := httpx.RedactURL(endpoint)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return res, false, fmt.Errorf("slack %s: invalid api_url", method)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("User-Agent", "picket")
	resp, err := s.client.Do(req)
	if err != nil {
		return res, true, s.transportError(method, redacted, err)
	}
	defer httpx.Drain(resp)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		serr := &httpx.StatusError{Method: http.MethodPost, URL: redacted, StatusCode: resp.StatusCode, Body: s.scrub(oneLine(snippet))}
		err := fmt.Errorf("slack %s: %w", method, serr)
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
			if d, ok := httpx.ParseRetryAfter(resp.Header.Get("Retry-After"), s.now()); ok {
				return res, true, &notify.RetryAfterError{After: d, Err: err}
			}
		}
		return res, httpx.Retryable(resp.StatusCode), err
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIResponse))
	if err != nil {
		return res, true, s.transportError(method, redacted, err)
	}
	if err := json.Unmarshal(data, &res); err != nil {
		// Not Slack (a proxy?): nothing says whether the message was posted.
		return res, true, fmt.Errorf("slack %s: %s answered HTTP %d with a body that is not a Web API response", method, redacted, resp.StatusCode)
	}
	if res.OK {
		return res, false, nil
	}
	aerr := &APIError{Method: method, Code: s.scrub(oneLine([]byte(res.Error)))}
	if aerr.Code == "" {
		aerr.Code = "unknown_error"
	}
	switch {
	case aerr.Code == "ratelimited" || aerr.Code == "rate_limited":
		d, ok := httpx.ParseRetryAfter(resp.Header.Get("Retry-After"), s.now())
		if !ok {
			d = defaultRateLimitWait
		}
		return res, true, &notify.RetryAfterError{After: d, Err: aerr}
	case retryableCodes[aerr.Code]:
		return res, true, aerr
	}
	return res, false, aerr
}

// transportError describes a failed round trip without the URL, which *url.Error quotes, and
// without the token, keeping the context error for errors.Is.
func (s *Notifier) transportError(method, redacted string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if msg := err.Error(); s.scrub(msg) != msg {
		switch {
		case errors.Is(err, context.Canceled):
			return fmt.Errorf("slack %s: POST %s: %s: %w", method, redacted, s.scrub(msg), context.Canceled)
		case errors.Is(err, context.DeadlineExceeded):
			return fmt.Errorf("slack %s: POST %s: %s: %w", method, redacted, s.scrub(msg), context.DeadlineExceeded)
		}
		return fmt.Errorf("slack %s: POST %s: %s", method, redacted, s.scrub(msg))
	}
	return fmt.Errorf("slack %s: POST %s: %w", method, redacted, err)
}

// scrub removes the token from text quoted in errors.
func (s *Notifier) scrub(text string) string {
	return httpx.Scrub(text, s.token)
}

// isThreadGone reports whether err says that a thread's parent message no longer exists.
func isThreadGone(err error) bool {
	var aerr *APIError
	return errors.As(err, &aerr) && threadGoneCodes[aerr.Code]
}

// oneLine renders a snippet on one line of valid UTF-8, at most maxErrorBody bytes.
func oneLine(b []byte) string {
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(b), "\uFFFD")), " ")
	return httpx.Truncate(s, maxErrorBody)
}
