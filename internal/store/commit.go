package store

import (
	"context"
	"time"

	"picket/internal/alert"
	"picket/internal/notify"
)

// NotifyCommit is one flush of the notification router, written in one transaction: the
// notifications it decided (outbox entries), the re-alert bookkeeping of the alerts they
// announce, and the router's own state. A crash before the commit leaves nothing, so the
// restarted router decides the same notifications again (same ids); a crash after it leaves
// them in the outbox for the dispatcher. Either way each is sent once.
type NotifyCommit struct {
	// Notifications are enqueued as pending outbox entries (idempotent on their ids, like
	// notify.Outbox.Enqueue).
	Notifications []notify.Notification
	// Alerts are the ids of the alerts announced; Update is applied to each (skipped for an
	// alert that no longer exists).
	Alerts []string
	Update func(*alert.Alert) error
	// StateKey and State are written as a checkpoint (the router's grouping state); nothing is
	// written when StateKey is empty.
	StateKey string
	State    []byte
	// Now is the creation time of the outbox entries.
	Now time.Time
}

// NotifyCommitter writes a NotifyCommit atomically (both SQL stores implement it).
type NotifyCommitter interface {
	CommitNotifications(ctx context.Context, c NotifyCommit) error
}
