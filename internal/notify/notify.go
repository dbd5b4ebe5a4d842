// Package notify delivers alerts to people: the notification model every channel receives, the
// Notifier contract channels implement, and (in this package) the dispatcher that delivers the
// notifications of the durable outbox with retries, rate limits and dead-lettering.
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"picket/internal/alert"
)

// Status says whether a notification announces alerts firing or resolved.
type Status string

// Notification statuses.
const (
	StatusFiring   Status = "firing"
	StatusResolved Status = "resolved"
)

// Notification is one message to one receiver about a group of alerts. It is immutable once
// written to the outbox: retries send exactly the same content.
type Notification struct {
	// ID is the idempotency key: stable across retries and restarts, derived from the receiver,
	// the group and the alert states it announces. Channels pass it on where the provider
	// supports it (webhook Idempotency-Key header, PagerDuty dedup_key, Opsgenie alias, …).
	ID       string `json:"id"`
	Receiver string `json:"receiver"`
	Status   Status `json:"status"`
	// GroupKey identifies the aggregation group (route and group_by values); GroupLabels are
	// the group_by values.
	GroupKey    string            `json:"group_key"`
	GroupLabels map[string]string `json:"group_labels,omitempty"`
	Alerts      []AlertView       `json:"alerts"`
	// Summary is a plain-text summary shown above the alerts; digests set it.
	Summary   string    `json:"summary,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// AlertView is an alert as a notification shows it: the alert, a sample of its evidence events
// with their raw data, and a link to it in the console.
type AlertView struct {
	alert.Alert
	Events        []Event `json:"events"`
	EventsOmitted int     `json:"events_omitted"`
	URL           string  `json:"url,omitempty"`
}

// Event is one evidence event of an alert.
type Event struct {
	ID     string          `json:"id"`
	Time   time.Time       `json:"time"`
	Source string          `json:"source,omitempty"`
	Data   json.RawMessage `json:"data"` // the raw event
}

// Notifier delivers notifications to one receiver (one configured channel instance).
//
// The dispatcher calls Notify, possibly concurrently up to the receiver's concurrency limit, with
// a context that bounds the attempt. Notify returns nil once the provider accepted the message.
// On failure, retry says whether trying again may succeed (network errors, HTTP 429 and 5xx) or
// not (bad request, authentication); wrap the error in a *RetryAfterError when the provider says
// when to come back. Notify must not log the error (the dispatcher does, once) and must never
// include secrets (URLs with tokens, passwords, routing keys) in errors.
type Notifier interface {
	Notify(ctx context.Context, n *Notification) (retry bool, err error)
}

// RetryAfterError asks the dispatcher to wait at least After before the next attempt (HTTP
// Retry-After, provider throttling).
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %s)", e.Err, e.After)
}

// Unwrap returns the underlying error.
func (e *RetryAfterError) Unwrap() error { return e.Err }

// RetryAfter returns the delay an error asks for, if any.
func RetryAfter(err error) (time.Duration, bool) {
	var ra *RetryAfterError
	if errors.As(err, &ra) {
		return ra.After, true
	}
	return 0, false
}

// Deps are what a channel may use, injected by the composition root.
type Deps struct {
	Logger *slog.Logger
	// HTTPClient is shared by HTTP channels; its transport verifies TLS by default.
	HTTPClient *http.Client
	// Clock returns the current time (tests inject a fixed one).
	Clock func() time.Time
	// Stdout is where the stdout channel writes its "stdout" stream; nil means os.Stdout.
	Stdout io.Writer
	// State is durable key-value state shared by every instance (the store), for channels that
	// must remember what they sent, such as Slack thread timestamps. It may be nil (`picket
	// notify test`): channels then work without such memory.
	State KV
}

// KV is durable key-value state, implemented by the store. Channels call it from Notify,
// possibly concurrently; keys are namespaced "notify/<channel>/<receiver>/…".
type KV interface {
	// Checkpoint returns the value stored under key. ok is false, and err nil, when the key
	// has no value yet. An error means the state could not be read.
	Checkpoint(ctx context.Context, key string) (value []byte, ok bool, err error)
	// SetCheckpoint stores value under key, replacing any previous one.
	SetCheckpoint(ctx context.Context, key string, value []byte) error
}
