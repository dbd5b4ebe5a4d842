package alert

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"picket/internal/rule"
)

// Errors returned by the Manager and by Repository implementations.
var (
	// ErrNotFound: no alert or silence has the given id.
	ErrNotFound = errors.New("not found")
	// ErrInvalidTransition: the lifecycle change is not allowed from the current state
	// (acknowledging a resolved alert, resolving a resolved alert, expiring an expired silence).
	ErrInvalidTransition = errors.New("invalid transition")
	// ErrInvalid: an argument failed validation (a silence without author, a bad cursor, …).
	ErrInvalid = errors.New("invalid")
	// ErrDuplicate: a silence with the same id already exists.
	ErrDuplicate = errors.New("duplicate")
)

// FoldFunc folds detection d into existing, the candidate alert the Repository found for d
// (nil when there is none; otherwise a copy fold owns), and returns the alert to store: existing
// updated in place, or a new alert (another id). d is the Repository's to keep: fold must not
// modify it. It runs inside the Repository's transaction, may be called again if the
// backend retries that transaction, and must therefore have no side effects beyond its result.
// An error aborts the whole batch.
type FoldFunc func(d *Detection, existing *Alert) (*Alert, error)

// Repository is the persistence the Manager needs. Implementations are safe for concurrent use
// by several Managers (several picket instances); every method is atomic. Returned values are
// copies the caller may modify. Not-found is ErrNotFound, never a nil result without error.
//
// Why this shape: ingestion is one call per batch with a fold callback, not Get then Put, so
// that "is this detection new, which alert does it join, store both" is one transaction an SQL
// backend runs as INSERT … ON CONFLICT DO NOTHING, SELECT, UPSERT, with the domain rules (window
// arithmetic aside) kept in the Manager rather than repeated in every backend. Batches amortise
// the transaction cost (SQLite commits are the bottleneck). Lifecycle changes use the same
// read-modify-write callback (Update). Silences are few and change rarely, so they are a plain
// list the Manager filters.
type Repository interface {
	// Ingest records a batch of detections and folds each into an alert, in order, as one
	// transaction: either every detection and alert change is stored or none is.
	//
	// For each detection d (d.ID and d.Fingerprint are set): if a detection with d.ID is
	// already stored (earlier, or earlier in the batch), nothing happens and the result for d
	// is nil; idempotence across restarts rests on this. Otherwise the candidate is, among the
	// alerts with d.Fingerprint whose [FirstSeen, LastSeen] intersects
	// [d.EventTime−window, d.EventTime+window], an open or acknowledged one if any, then the
	// one with the latest LastSeen (ties: greatest ID). fold(d, candidate) gives the alert to
	// store, inserted if its ID is new, else replacing the stored one; d is stored with AlertID
	// set to that alert's ID. The result for d is that alert as stored at the end of the batch
	// (the results of detections folded into one alert may share one value).
	//
	// Called by Manager.Ingest, possibly concurrently. Backends must serialise concurrent
	// batches that touch the same fingerprint (SQLite's single writer; on PostgreSQL, e.g.
	// pg_advisory_xact_lock on each fingerprint of the batch, taken in sorted order) so that
	// two batches never both create an alert for one fingerprint. Errors are storage errors,
	// or the error of fold.
	Ingest(ctx context.Context, ds []*Detection, window time.Duration, fold FoldFunc) ([]*Alert, error)

	// Update applies fn to the stored alert id and stores the result, atomically; it returns
	// the stored alert. fn receives a copy; an error from fn aborts the update and is returned
	// as is. Called by the Manager's lifecycle methods (acknowledge, resolve, reopen,
	// auto-resolve, notified). ErrNotFound when there is no such alert.
	Update(ctx context.Context, id string, fn func(*Alert) error) (*Alert, error)

	// Get returns the alert id, or ErrNotFound.
	Get(ctx context.Context, id string) (*Alert, error)

	// List returns the alerts matching q (Query.Match), ordered by LastSeen descending then ID
	// descending, starting after q.After, at most q.Limit of them (no limit when Limit <= 0).
	// An empty result is an empty slice and no error. ErrInvalid for a malformed cursor.
	List(ctx context.Context, q Query) ([]*Alert, error)

	// CreateSilence stores a new, validated silence; ErrDuplicate if its ID exists.
	// Called by Manager.AddSilence.
	CreateSilence(ctx context.Context, s Silence) error

	// UpdateSilence applies fn to the stored silence id and stores the result atomically;
	// fn's error aborts and is returned as is. ErrNotFound when there is no such silence.
	// Called by Manager.ExpireSilence.
	UpdateSilence(ctx context.Context, id string, fn func(*Silence) error) (Silence, error)

	// Silences returns the silences whose EndsAt is after endsAfter (all of them when it is
	// zero), in CreatedAt then ID order. Called on every ingest batch and alert read with the
	// current time, so an index on the expiry pays.
	Silences(ctx context.Context, endsAfter time.Time) ([]Silence, error)
}

// Query selects alerts. Zero fields do not filter.
type Query struct {
	Status   []Status   // any of these statuses
	MinLevel rule.Level // level at least this
	RuleID   string
	Source   string
	// Text matches, case-insensitively, a substring of the rule id, rule title or a group value.
	Text string
	// Since and Until bound LastSeen (event time): Since <= LastSeen < Until.
	Since, Until time.Time
	// DetectedBefore keeps alerts whose LastDetectedAt is before it (auto-resolution).
	DetectedBefore time.Time
	// Limit caps the result (Manager.List: DefaultLimit when 0, at most MaxLimit).
	Limit int
	// After is a cursor (Cursor of the last alert of the previous page).
	After string
}

// Query limits applied by Manager.List.
const (
	DefaultLimit = 100
	MaxLimit     = 10_000
)

// Match reports whether a satisfies the filters of q (the cursor and limit aside).
func (q *Query) Match(a *Alert) bool {
	switch {
	case len(q.Status) > 0 && !slices.Contains(q.Status, a.Status),
		a.Level < q.MinLevel,
		q.RuleID != "" && a.RuleID != q.RuleID,
		q.Source != "" && a.Source != q.Source,
		!q.Since.IsZero() && a.LastSeen.Before(q.Since),
		!q.Until.IsZero() && !a.LastSeen.Before(q.Until),
		!q.DetectedBefore.IsZero() && !a.LastDetectedAt.Before(q.DetectedBefore):
		return false
	}
	if q.Text == "" {
		return true
	}
	t := strings.ToLower(q.Text)
	if strings.Contains(strings.ToLower(a.RuleID), t) || strings.Contains(strings.ToLower(a.RuleTitle), t) {
		return true
	}
	for _, v := range a.Group {
		if strings.Contains(strings.ToLower(v), t) {
			return true
		}
	}
	return false
}

// Cursor returns the position of a in List order, to pass as Query.After for the next page.
func (a *Alert) Cursor() string {
	s := strconv.FormatInt(a.LastSeen.UnixNano(), 10) + ":" + a.ID
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// ParseCursor decodes a cursor into the LastSeen and ID of the alert it follows.
func ParseCursor(c string) (lastSeen time.Time, id string, err error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", fmt.Errorf("cursor %q: %w", c, ErrInvalid)
	}
	ns, id, ok := strings.Cut(string(b), ":")
	n, err := strconv.ParseInt(ns, 10, 64)
	if !ok || err != nil || id == "" {
		return time.Time{}, "", fmt.Errorf("cursor %q: %w", c, ErrInvalid)
	}
	return time.Unix(0, n).UTC(), id, nil
}

// ListLess reports whether a comes before b in List order.
func ListLess(a, b *Alert) bool {
	if !a.LastSeen.Equal(b.LastSeen) {
		return a.LastSeen.After(b.LastSeen)
	}
	return a.ID > b.ID
}

// AfterCursor reports whether a comes after the cursor position (lastSeen, id) in List order.
func AfterCursor(a *Alert, lastSeen time.Time, id string) bool {
	return ListLess(&Alert{LastSeen: lastSeen, ID: id}, a)
}
