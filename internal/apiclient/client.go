// Package apiclient is a typed client of picket's HTTP API (api/openapi.yaml), used by the
// CLI's --server mode. Errors returned for an API error answer are *Error, which matches the
// alert, catalog and notify sentinels with errors.Is by status (404 alert.ErrNotFound, …), so
// that callers handle a remote failure as they handle a local one.
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"picket/internal/alert"
	"picket/internal/audit"
	"picket/internal/catalog"
)

// maxResponse bounds the body the client reads.
const maxResponse = 64 << 20

// Client calls one picket server. It is safe for concurrent use.
type Client struct {
	base  *url.URL
	token string
	http  *http.Client
}

// New returns a client of the server at baseURL (such as http://127.0.0.1:8089), sending
// token as a bearer token when not empty. A nil httpClient means one with a 30 s timeout.
func New(baseURL, token string, httpClient *http.Client) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("server URL %q: want http://host:port or https://host:port", baseURL)
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{base: u, token: token, http: httpClient}, nil
}

// Error is an error answer of the API.
type Error struct {
	Status  int    // HTTP status
	Message string // the answer's "error"
}

func (e *Error) Error() string {
	return fmt.Sprintf("server answered %d: %s", e.Status, e.Message)
}

// Is matches the domain sentinels by status: 404 alert.ErrNotFound and catalog.ErrNotFound,
// 409 alert.ErrInvalidTransition, 400 alert.ErrInvalid.
func (e *Error) Is(target error) bool {
	switch e.Status {
	case http.StatusNotFound:
		return target == alert.ErrNotFound || target == catalog.ErrNotFound
	case http.StatusConflict:
		return target == alert.ErrInvalidTransition
	case http.StatusBadRequest:
		return target == alert.ErrInvalid
	}
	return false
}

// do sends a request with an optional JSON body and decodes a JSON answer into out (unless
// nil).
func (c *Client) do(ctx context.Context, method, path string, q url.Values, in, out any) error {
	u := *c.base
	u.Path = c.base.Path + path
	u.RawQuery = q.Encode()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encoding the request to %s: %w", path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		var eb struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(data, &eb) != nil || eb.Error == "" {
			eb.Error = strings.TrimSpace(string(data))
			if len(eb.Error) > 200 {
				eb.Error = eb.Error[:200]
			}
		}
		return &Error{Status: resp.StatusCode, Message: eb.Error}
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: decoding the answer: %w", method, path, err)
	}
	return nil
}

func seg(s string) string { return url.PathEscape(s) }

func setTime(q url.Values, k string, t time.Time) {
	if !t.IsZero() {
		q.Set(k, t.UTC().Format(time.RFC3339Nano))
	}
}

func setInt(q url.Values, k string, n int) {
	if n > 0 {
		q.Set(k, strconv.Itoa(n))
	}
}

func setStr(q url.Values, k, v string) {
	if v != "" {
		q.Set(k, v)
	}
}

// AlertQuery filters Alerts; zero fields do not filter.
type AlertQuery struct {
	Status       []alert.Status
	MinLevel     string // informational … critical
	RuleID       string
	Source       string
	Account      string
	Text         string
	Since, Until time.Time
	Limit        int    // 1..1000; 0 means the server's default (100)
	Cursor       string // NextCursor of the previous page
}

// AlertPage is one page of alerts.
type AlertPage struct {
	Items      []*alert.Alert `json:"items"`
	NextCursor string         `json:"next_cursor"`
}

// AlertDetail is one alert with its evidence detections and comments.
type AlertDetail struct {
	Alert    *alert.Alert       `json:"alert"`
	Evidence []*alert.Detection `json:"evidence"`
	Comments []audit.Entry      `json:"comments"`
}

// Alerts lists alerts, most recent first.
func (c *Client) Alerts(ctx context.Context, aq AlertQuery) (AlertPage, error) {
	q := url.Values{}
	if len(aq.Status) > 0 {
		ss := make([]string, len(aq.Status))
		for i, s := range aq.Status {
			ss[i] = string(s)
		}
		q.Set("status", strings.Join(ss, ","))
	}
	setStr(q, "level", aq.MinLevel)
	setStr(q, "rule", aq.RuleID)
	setStr(q, "source", aq.Source)
	setStr(q, "account", aq.Account)
	setStr(q, "q", aq.Text)
	setStr(q, "cursor", aq.Cursor)
	setTime(q, "since", aq.Since)
	setTime(q, "until", aq.Until)
	setInt(q, "limit", aq.Limit)
	var p AlertPage
	err := c.do(ctx, http.MethodGet, "/api/v1/alerts", q, nil, &p)
	return p, err
}

// Alert returns one alert with its evidence and comments.
func (c *Client) Alert(ctx context.Context, id string) (AlertDetail, error) {
	var d AlertDetail
	err := c.do(ctx, http.MethodGet, "/api/v1/alerts/"+seg(id), nil, nil, &d)
	return d, err
}

type commentBody struct {
	Comment string `json:"comment,omitempty"`
}

func (c *Client) alertAction(ctx context.Context, id, verb, comment string) (*alert.Alert, error) {
	var a alert.Alert
	if err := c.do(ctx, http.MethodPost, "/api/v1/alerts/"+seg(id)+"/"+verb, nil, commentBody{comment}, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// Acknowledge acknowledges an open alert; the server records the authenticated actor.
func (c *Client) Acknowledge(ctx context.Context, id, comment string) (*alert.Alert, error) {
	return c.alertAction(ctx, id, "ack", comment)
}

// Resolve resolves an alert.
func (c *Client) Resolve(ctx context.Context, id, comment string) (*alert.Alert, error) {
	return c.alertAction(ctx, id, "resolve", comment)
}

// Reopen reopens a resolved alert.
func (c *Client) Reopen(ctx context.Context, id, comment string) (*alert.Alert, error) {
	return c.alertAction(ctx, id, "reopen", comment)
}

// Comment adds a comment to an alert.
func (c *Client) Comment(ctx context.Context, id, comment string) (*alert.Alert, error) {
	return c.alertAction(ctx, id, "comment", comment)
}

// BulkResult is one alert's outcome in AcknowledgeMany.
type BulkResult struct {
	ID     string       `json:"id"`
	Status alert.Status `json:"status"`
	Error  string       `json:"error"`
}

// AcknowledgeMany acknowledges several alerts, reporting each outcome.
func (c *Client) AcknowledgeMany(ctx context.Context, ids []string, comment string) ([]BulkResult, error) {
	var out struct{ Items []BulkResult }
	in := struct {
		IDs     []string `json:"ids"`
		Comment string   `json:"comment,omitempty"`
	}{ids, comment}
	err := c.do(ctx, http.MethodPost, "/api/v1/alerts/ack", nil, in, &out)
	return out.Items, err
}

// Detections lists stored detections, newest first.
func (c *Client) Detections(ctx context.Context, dq alert.DetectionQuery) ([]*alert.Detection, error) {
	q := url.Values{}
	setStr(q, "rule", dq.RuleID)
	setStr(q, "alert", dq.AlertID)
	setStr(q, "source", dq.Source)
	setTime(q, "since", dq.Since)
	setTime(q, "until", dq.Until)
	setInt(q, "limit", dq.Limit)
	var out struct{ Items []*alert.Detection }
	err := c.do(ctx, http.MethodGet, "/api/v1/detections", q, nil, &out)
	return out.Items, err
}

// Rules lists the loaded rules.
func (c *Client) Rules(ctx context.Context) ([]catalog.Rule, error) {
	var out struct{ Items []catalog.Rule }
	err := c.do(ctx, http.MethodGet, "/api/v1/rules", nil, nil, &out)
	return out.Items, err
}

// Rule returns one rule with its YAML.
func (c *Client) Rule(ctx context.Context, id string) (catalog.Rule, error) {
	var r catalog.Rule
	err := c.do(ctx, http.MethodGet, "/api/v1/rules/"+seg(id), nil, nil, &r)
	return r, err
}

// SetRuleEnabled switches a rule on or off at run time and returns it.
func (c *Client) SetRuleEnabled(ctx context.Context, id string, enabled bool, comment string) (catalog.Rule, error) {
	verb := "disable"
	if enabled {
		verb = "enable"
	}
	var r catalog.Rule
	err := c.do(ctx, http.MethodPost, "/api/v1/rules/"+seg(id)+"/"+verb, nil, commentBody{comment}, &r)
	return r, err
}

// Source is one source's status as the API gives it.
type Source struct {
	Name           string    `json:"name"`
	Type           string    `json:"type"`
	LastPoll       time.Time `json:"last_poll"`
	LastSuccess    time.Time `json:"last_success"`
	LastError      string    `json:"last_error"`
	LastErrorAt    time.Time `json:"last_error_at"`
	Checkpoint     string    `json:"checkpoint"`
	CheckpointTime time.Time `json:"checkpoint_time"`
	LagSeconds     float64   `json:"lag_seconds"`
	Records        int64     `json:"records"`
	PerMinute      []int64   `json:"per_minute"`
}

// Sources returns the status of every source.
func (c *Client) Sources(ctx context.Context) ([]Source, error) {
	var out struct{ Items []Source }
	err := c.do(ctx, http.MethodGet, "/api/v1/sources", nil, nil, &out)
	return out.Items, err
}

// SilenceRequest creates or previews a silence: EndsAt or Duration ends it.
type SilenceRequest struct {
	Matchers []alert.Matcher `json:"matchers"`
	Comment  string          `json:"comment,omitempty"`
	StartsAt time.Time       `json:"starts_at,omitzero"`
	EndsAt   time.Time       `json:"ends_at,omitzero"`
	Duration string          `json:"duration,omitempty"`
	Since    time.Time       `json:"since,omitzero"` // preview only
}

// Silences lists silences, only active ones unless all.
func (c *Client) Silences(ctx context.Context, all bool) ([]alert.Silence, error) {
	q := url.Values{}
	if all {
		q.Set("all", "true")
	}
	var out struct{ Items []alert.Silence }
	err := c.do(ctx, http.MethodGet, "/api/v1/silences", q, nil, &out)
	return out.Items, err
}

// AddSilence creates a silence; its author is the authenticated actor.
func (c *Client) AddSilence(ctx context.Context, s SilenceRequest) (alert.Silence, error) {
	var out alert.Silence
	err := c.do(ctx, http.MethodPost, "/api/v1/silences", nil, s, &out)
	return out, err
}

// PreviewSilence returns the recent alerts s would match.
func (c *Client) PreviewSilence(ctx context.Context, s SilenceRequest) ([]*alert.Alert, error) {
	var out struct{ Items []*alert.Alert }
	err := c.do(ctx, http.MethodPost, "/api/v1/silences/preview", nil, s, &out)
	return out.Items, err
}

// ExpireSilence ends a silence now.
func (c *Client) ExpireSilence(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodPost, "/api/v1/silences/"+seg(id)+"/expire", nil, commentBody{}, nil)
}

// Receivers returns the configured receiver names.
func (c *Client) Receivers(ctx context.Context) ([]string, error) {
	var out struct{ Items []string }
	err := c.do(ctx, http.MethodGet, "/api/v1/receivers", nil, nil, &out)
	return out.Items, err
}

// TestReceiver sends a test notification to a receiver.
func (c *Client) TestReceiver(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodPost, "/api/v1/receivers/"+seg(name)+"/test", nil, nil, nil)
}

// Notification is one outbox entry as the API gives it.
type Notification struct {
	ID          string            `json:"id"`
	Receiver    string            `json:"receiver"`
	State       string            `json:"state"`
	Status      string            `json:"status"`
	GroupKey    string            `json:"group_key"`
	GroupLabels map[string]string `json:"group_labels"`
	AlertIDs    []string          `json:"alert_ids"`
	Attempts    int               `json:"attempts"`
	NextAttempt time.Time         `json:"next_attempt"`
	LastError   string            `json:"last_error"`
	CreatedAt   time.Time         `json:"created_at"`
	RetriedAt   time.Time         `json:"retried_at"`
	DeliveredAt time.Time         `json:"delivered_at"`
}

// ReceiverStats counts one receiver's outbox entries by state.
type ReceiverStats struct {
	Receiver      string    `json:"receiver"`
	Pending       int       `json:"pending"`
	Delivering    int       `json:"delivering"`
	Delivered     int       `json:"delivered"`
	Dead          int       `json:"dead"`
	OldestPending time.Time `json:"oldest_pending"`
}

// Notifications lists outbox entries of receiver (all when empty) in states (all when
// empty), at most limit (0: the server's default).
func (c *Client) Notifications(ctx context.Context, receiver string, states []string, limit int) ([]Notification, error) {
	q := url.Values{}
	setStr(q, "receiver", receiver)
	setStr(q, "state", strings.Join(states, ","))
	setInt(q, "limit", limit)
	var out struct{ Items []Notification }
	err := c.do(ctx, http.MethodGet, "/api/v1/notifications", q, nil, &out)
	return out.Items, err
}

// NotificationStats counts outbox entries per receiver and state.
func (c *Client) NotificationStats(ctx context.Context) ([]ReceiverStats, error) {
	var out struct{ Items []ReceiverStats }
	err := c.do(ctx, http.MethodGet, "/api/v1/notifications/stats", nil, nil, &out)
	return out.Items, err
}

// RetryNotification moves a dead notification back to pending.
func (c *Client) RetryNotification(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodPost, "/api/v1/notifications/"+seg(id)+"/retry", nil, nil, nil)
}

// Audit lists audit entries, newest first.
func (c *Client) Audit(ctx context.Context, aq audit.Query) ([]audit.Entry, error) {
	q := url.Values{}
	setStr(q, "actor", aq.Actor)
	setStr(q, "action", aq.Action)
	setStr(q, "target", aq.Target)
	setTime(q, "since", aq.Since)
	setTime(q, "until", aq.Until)
	setInt(q, "limit", aq.Limit)
	var out struct{ Items []audit.Entry }
	err := c.do(ctx, http.MethodGet, "/api/v1/audit", q, nil, &out)
	return out.Items, err
}

// Health is the server's health summary.
type Health struct {
	Status            string    `json:"status"`
	Error             string    `json:"error"`
	Time              time.Time `json:"time"`
	SourceErrors      int       `json:"source_errors"`
	DeadNotifications int       `json:"dead_notifications"`
}

// Health returns the server's health; an unready server is a *Error with status 503.
func (c *Client) Health(ctx context.Context) (Health, error) {
	var h Health
	err := c.do(ctx, http.MethodGet, "/api/v1/health", nil, nil, &h)
	return h, err
}

// IsStatus reports whether err is an API error answer with the given status.
func IsStatus(err error, status int) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == status
}
