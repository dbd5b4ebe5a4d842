package alert

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"picket/internal/rule/sigma"
)

// Lifecycle transitions are strict: each is allowed from the states listed and any other
// state gives ErrInvalidTransition (resolving a resolved alert is an error, not a no-op, so
// that two people acting at once learn that the other was first).
//
//	Acknowledge: open → acknowledged
//	Resolve:     open, acknowledged → resolved
//	Reopen:      resolved → open
//
// Every transition needs an actor and is recorded in the alert's history.

// Acknowledge marks an open alert as being handled by actor. It keeps folding detections but
// no longer notifies.
func (m *Manager) Acknowledge(ctx context.Context, id, actor, comment string) (*Alert, error) {
	return m.transition(ctx, "acknowledging", id, actor, comment, func(a *Alert, now time.Time) error {
		if a.Status != StatusOpen {
			return fmt.Errorf("%s alert: %w", a.Status, ErrInvalidTransition)
		}
		a.Status = StatusAcknowledged
		a.record(now, actor, ActionAcknowledged, comment)
		return nil
	})
}

// Resolve closes an open or acknowledged alert. A later detection within the dedup window
// reopens it.
func (m *Manager) Resolve(ctx context.Context, id, actor, comment string) (*Alert, error) {
	return m.transition(ctx, "resolving", id, actor, comment, func(a *Alert, now time.Time) error {
		if !a.Status.Active() {
			return fmt.Errorf("%s alert: %w", a.Status, ErrInvalidTransition)
		}
		resolve(a, now, actor, ActionResolved, comment)
		return nil
	})
}

// Reopen makes a resolved alert open again, with a fresh notification schedule.
func (m *Manager) Reopen(ctx context.Context, id, actor, comment string) (*Alert, error) {
	return m.transition(ctx, "reopening", id, actor, comment, func(a *Alert, now time.Time) error {
		if a.Status != StatusResolved {
			return fmt.Errorf("%s alert: %w", a.Status, ErrInvalidTransition)
		}
		a.Status = StatusOpen
		a.ResolvedAt = time.Time{}
		a.NextNotify, a.RealertStep, a.Notifications = time.Time{}, 0, 0
		a.record(now, actor, ActionReopened, comment)
		return nil
	})
}

// Comment adds a comment to alert id's history without changing its state.
func (m *Manager) Comment(ctx context.Context, id, actor, comment string) (*Alert, error) {
	if strings.TrimSpace(comment) == "" {
		return nil, fmt.Errorf("commenting alert %s: comment is required: %w", id, ErrInvalid)
	}
	return m.transition(ctx, "commenting", id, actor, comment, func(a *Alert, now time.Time) error {
		a.record(now, actor, ActionCommented, comment)
		return nil
	})
}

func resolve(a *Alert, now time.Time, actor string, action Action, comment string) {
	a.Status = StatusResolved
	a.ResolvedAt = now
	a.record(now, actor, action, comment)
}

// transition validates the actor and applies fn to alert id at the current time.
func (m *Manager) transition(ctx context.Context, what, id, actor, comment string, fn func(*Alert, time.Time) error) (*Alert, error) {
	if strings.TrimSpace(actor) == "" {
		return nil, fmt.Errorf("%s alert %s: actor is required: %w", what, id, ErrInvalid)
	}
	now := m.opts.Clock()
	a, err := m.repo.Update(ctx, id, func(a *Alert) error { return fn(a, now) })
	if err != nil {
		return nil, fmt.Errorf("%s alert %s: %w", what, id, err)
	}
	if err := m.view(ctx, a); err != nil {
		return nil, fmt.Errorf("%s alert %s: %w", what, id, err)
	}
	return a, nil
}

// AutoResolve resolves the open and acknowledged alerts whose rule has an auto-resolve period
// (Options.AutoResolve) and that received no detection for that long (processing time, so that
// a backfill of old events does not resolve at once what it creates). Run it periodically; it
// returns the alerts it resolved.
func (m *Manager) AutoResolve(ctx context.Context) (resolved []*Alert, err error) {
	if len(m.opts.AutoResolve) == 0 {
		return nil, nil
	}
	now := m.opts.Clock()
	shortest := time.Duration(0)
	for _, d := range m.opts.AutoResolve {
		if shortest == 0 || d < shortest {
			shortest = d
		}
	}
	q := Query{
		Status:         []Status{StatusOpen, StatusAcknowledged},
		DetectedBefore: now.Add(-shortest).Add(time.Nanosecond),
		Limit:          500,
	}
	for {
		page, err := m.repo.List(ctx, q)
		if err != nil {
			return resolved, fmt.Errorf("auto-resolving alerts: %w", err)
		}
		for _, a := range page {
			r, err := m.autoResolve(ctx, a, now)
			if err != nil {
				return resolved, err
			}
			if r != nil {
				resolved = append(resolved, r)
			}
		}
		if len(page) < q.Limit {
			return resolved, nil
		}
		q.After = page[len(page)-1].Cursor()
	}
}

// autoResolve resolves a if its quiet period has passed, checking again under the update;
// it returns nil when a is left alone.
func (m *Manager) autoResolve(ctx context.Context, a *Alert, now time.Time) (*Alert, error) {
	quiet, ok := lookup(m.opts.AutoResolve, a.RuleID, a.Kind == sigma.KindCorrelation.String())
	if !ok || now.Sub(a.LastDetectedAt) < quiet {
		return nil, nil
	}
	r, err := m.repo.Update(ctx, a.ID, func(a *Alert) error {
		if !a.Status.Active() || now.Sub(a.LastDetectedAt) < quiet {
			return errSkip // changed meanwhile
		}
		resolve(a, now, SystemActor, ActionAutoResolved, fmt.Sprintf("no detection for %s", quiet))
		return nil
	})
	switch {
	case errors.Is(err, errSkip), errors.Is(err, ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("auto-resolving alert %s: %w", a.ID, err)
	}
	return r, nil
}

// MarkNotified records that a notification for alert id was delivered at at, and schedules the
// next one by the re-alert policy. The notification pipeline calls it after delivery.
func (m *Manager) MarkNotified(ctx context.Context, id string, at time.Time) error {
	if _, err := m.repo.Update(ctx, id, m.NotifiedUpdate(at)); err != nil {
		return fmt.Errorf("marking alert %s notified: %w", id, err)
	}
	return nil
}

// NotifiedUpdate returns the change MarkNotified applies to an alert notified at at (count the
// notification, schedule the next one by the re-alert policy), for callers that store it in a
// transaction of their own (the notification router commits it with the outbox entries).
func (m *Manager) NotifiedUpdate(at time.Time) func(*Alert) error {
	p := m.opts.Realert
	return func(a *Alert) error {
		a.Notifications++
		a.LastNotified = at
		a.NextNotify = at.Add(p.interval(a.RealertStep))
		if p.Mode == RealertExponential && p.interval(a.RealertStep) < p.Max {
			a.RealertStep++
		}
		return nil
	}
}

// Due reports whether alert a warrants a notification at now: open, not silenced, and its
// re-alert time has come. Ingest returns such alerts; the notification router asks again after
// a restart.
func Due(a *Alert, now time.Time) bool {
	return a.Status == StatusOpen && !a.Silenced && !now.Before(a.NextNotify)
}

// Get returns alert id (ErrNotFound if there is none), its silenced state evaluated now.
func (m *Manager) Get(ctx context.Context, id string) (*Alert, error) {
	a, err := m.repo.Get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("getting alert %s: %w", id, err)
	}
	if err := m.view(ctx, a); err != nil {
		return nil, fmt.Errorf("getting alert %s: %w", id, err)
	}
	return a, nil
}

// List returns the alerts matching q, newest LastSeen first, their silenced state evaluated
// now. q.Limit defaults to DefaultLimit and is capped at MaxLimit; pass the Cursor of the last
// alert as q.After for the next page.
func (m *Manager) List(ctx context.Context, q Query) ([]*Alert, error) {
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	q.Limit = min(q.Limit, MaxLimit)
	as, err := m.repo.List(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("listing alerts: %w", err)
	}
	if err := m.view(ctx, as...); err != nil {
		return nil, fmt.Errorf("listing alerts: %w", err)
	}
	return as, nil
}

// AddSilence validates and stores a new silence. The Manager sets its ID (when empty),
// CreatedAt, and StartsAt when zero (now). Validation errors wrap ErrInvalid.
func (m *Manager) AddSilence(ctx context.Context, s Silence) (Silence, error) {
	now := m.opts.Clock()
	s = s.Clone()
	if s.ID == "" {
		s.ID = rand.Text()
	}
	s.CreatedAt = now
	if s.StartsAt.IsZero() {
		s.StartsAt = now
	}
	if err := s.Validate(now); err != nil {
		return Silence{}, err
	}
	if err := m.repo.CreateSilence(ctx, s); err != nil {
		return Silence{}, fmt.Errorf("adding silence: %w", err)
	}
	return s, nil
}

// ExpireSilence ends silence id now, recording actor. Expiring an expired silence gives
// ErrInvalidTransition; a silence not yet started ends before it starts.
func (m *Manager) ExpireSilence(ctx context.Context, id, actor string) error {
	if strings.TrimSpace(actor) == "" {
		return fmt.Errorf("expiring silence %s: actor is required: %w", id, ErrInvalid)
	}
	now := m.opts.Clock()
	_, err := m.repo.UpdateSilence(ctx, id, func(s *Silence) error {
		if !now.Before(s.EndsAt) {
			return fmt.Errorf("silence expired at %s: %w", s.EndsAt.Format(time.RFC3339), ErrInvalidTransition)
		}
		s.EndsAt = now
		if s.StartsAt.After(now) {
			s.StartsAt = now
		}
		s.ExpiredBy = actor
		return nil
	})
	if err != nil {
		return fmt.Errorf("expiring silence %s: %w", id, err)
	}
	return nil
}

// Silences returns the silences, or with activeOnly only those in effect now.
func (m *Manager) Silences(ctx context.Context, activeOnly bool) ([]Silence, error) {
	now := m.opts.Clock()
	var after time.Time
	if activeOnly {
		after = now
	}
	ss, err := m.repo.Silences(ctx, after)
	if err != nil {
		return nil, fmt.Errorf("listing silences: %w", err)
	}
	out := ss[:0]
	for _, s := range ss {
		if !activeOnly || s.Active(now) {
			out = append(out, s)
		}
	}
	return out, nil
}

// PreviewSilence returns the alerts last seen at or after since that s would match (its
// matchers only: author, comment and times are not checked). ErrInvalid for bad matchers.
func (m *Manager) PreviewSilence(ctx context.Context, s Silence, since time.Time) ([]*Alert, error) {
	c, err := compileSilence(&s)
	if err != nil {
		return nil, fmt.Errorf("previewing silence: %w: %w", ErrInvalid, err)
	}
	q := Query{Since: since, Limit: 1000}
	var out []*Alert
	for {
		page, err := m.repo.List(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("previewing silence: %w", err)
		}
		for _, a := range page {
			if c.matches(a) {
				out = append(out, a)
			}
		}
		if len(page) < q.Limit {
			break
		}
		q.After = page[len(page)-1].Cursor()
	}
	if err := m.view(ctx, out...); err != nil {
		return nil, fmt.Errorf("previewing silence: %w", err)
	}
	return out, nil
}
