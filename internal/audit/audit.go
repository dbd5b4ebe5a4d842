// Package audit is the audit log: who did what to which object, when and from where. The HTTP
// server writes one Entry per action (acknowledging an alert, creating a silence, switching a
// rule off, logging in, …); the API and the console list them.
//
// Entries are append-only: nothing in picket changes or deletes one. The SQL stores keep them
// in the table of migration 0004; MemoryLog keeps them in memory for tests and runs without a
// store. Every implementation passes the conformance suite in package audittest.
package audit

import (
	"context"
	"errors"
	"time"
)

// ErrInvalid is returned by Record for an entry without a time or an action, and by List for a
// query with a negative limit.
var ErrInvalid = errors.New("invalid audit entry")

// Query limits applied by List.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Entry is one recorded action. Actor, Target and Detail may carry text from users or logs:
// implementations store them byte for byte, and readers escape them for their output.
type Entry struct {
	// Time is when the action happened (UTC).
	Time time.Time `json:"time"`
	// Actor is the authenticated user or API token name, or "local" on an open loopback
	// server.
	Actor string `json:"actor"`
	// Action names the kind of action, such as "alert.acknowledge" or "rule.disable".
	Action string `json:"action"`
	// Target is the id of the object acted on (alert, silence, rule, receiver); may be empty.
	Target string `json:"target,omitempty"`
	// Detail is free text: a comment, the matchers of a silence, an error.
	Detail string `json:"detail,omitempty"`
	// RemoteAddr is the client's address as the server saw it.
	RemoteAddr string `json:"remote_addr,omitempty"`
}

// Query selects entries. Zero fields do not filter.
type Query struct {
	Actor  string
	Action string
	Target string
	// Since and Until bound Time: Since <= Time < Until.
	Since, Until time.Time
	// Limit caps the result: DefaultLimit when 0, at most MaxLimit.
	Limit int
}

// Match reports whether e satisfies the filters of q (the limit aside).
func (q *Query) Match(e *Entry) bool {
	switch {
	case q.Actor != "" && e.Actor != q.Actor,
		q.Action != "" && e.Action != q.Action,
		q.Target != "" && e.Target != q.Target,
		!q.Since.IsZero() && e.Time.Before(q.Since),
		!q.Until.IsZero() && !e.Time.Before(q.Until):
		return false
	}
	return true
}

// EffectiveLimit returns the number of entries List returns at most for q, or ErrInvalid for
// a negative limit.
func (q *Query) EffectiveLimit() (int, error) {
	switch {
	case q.Limit < 0:
		return 0, errors.Join(ErrInvalid, errors.New("negative limit"))
	case q.Limit == 0:
		return DefaultLimit, nil
	case q.Limit > MaxLimit:
		return MaxLimit, nil
	}
	return q.Limit, nil
}

// Validate checks an entry about to be recorded: it needs a time and an action.
func (e *Entry) Validate() error {
	var errs []error
	if e.Time.IsZero() {
		errs = append(errs, errors.New("no time"))
	}
	if e.Action == "" {
		errs = append(errs, errors.New("no action"))
	}
	if len(errs) > 0 {
		return errors.Join(append([]error{ErrInvalid}, errs...)...)
	}
	return nil
}

// Log records and lists audit entries. Implementations are safe for concurrent use (also by
// several picket instances sharing a store) and each call is atomic.
type Log interface {
	// Record appends e. The server calls it after every action it performed, from request
	// goroutines, concurrently. ErrInvalid when e fails Validate; any other error is a storage
	// failure (the action itself has happened: the caller logs the failure).
	Record(ctx context.Context, e Entry) error
	// List returns the entries q selects, newest first (entries recorded with the same time in
	// reverse order of recording), at most q's effective limit. An empty result is an empty
	// slice. The API's audit endpoint and the console call it.
	List(ctx context.Context, q Query) ([]Entry, error)
}
