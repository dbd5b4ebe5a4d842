package store

import (
	"context"
	"time"

	"picket/internal/alert"
	"picket/internal/audit"
	"picket/internal/correlate"
	"picket/internal/notify"
)

// Store is everything picket keeps durably. The SQLite and PostgreSQL backends implement it
// and storetest.Run checks them; the application wires a Store into the components, each of
// which sees only the small interface it declares. All methods are safe for concurrent use.
type Store interface {
	Checkpoints
	Ledger
	correlate.State
	Locker
	NotifyCommitter

	// Alerts returns the detections, alerts and silences (alert.Repository, checked by
	// alerttest.RunRepository). It is a value of its own rather than methods of Store, whose
	// Get (correlate.State) would clash with alert.Repository's. The value also implements
	// alert.DetectionLister.
	Alerts() alert.Repository

	// Outbox returns the durable notification outbox (notify.Outbox, checked by
	// outboxtest.Run), shared by every instance on the database. Like Alerts it is a value of
	// its own: its List and Stats are not the Store's.
	Outbox() notify.Outbox

	// Audit returns the audit log of user actions (audit.Log, checked by audittest.Run).
	Audit() audit.Log

	// Migrate brings the schema up to the newest migration embedded in the binary. Open
	// already calls it; `picket db migrate` calls it explicitly. Re-running it is a no-op.
	// Several instances may call it at once: the migrations are applied once. It fails with
	// ErrSchemaTooNew when the database was migrated by a newer binary.
	Migrate(ctx context.Context) error
	// Ping checks that the database answers, for health and readiness probes.
	Ping(ctx context.Context) error
	// Close releases the database. Locks still held are released. No method may be called
	// after Close.
	Close() error
}

// Checkpoints keeps one opaque cursor per source key (a log group, a subscription, a file),
// so that a source resumes where it stopped. Sources call it from their Run loop, after the
// sink accepted a batch; calls for different keys may be concurrent.
type Checkpoints interface {
	// Checkpoint returns the cursor stored under key. ok is false, and err nil, when the key
	// has no cursor yet. A stored empty cursor is returned as a non-nil empty slice. The
	// returned slice belongs to the caller.
	Checkpoint(ctx context.Context, key string) (cursor []byte, ok bool, err error)
	// SetCheckpoint stores cursor under key, replacing any previous one. A nil cursor is
	// stored as an empty one. The backend does not keep cursor after returning.
	SetCheckpoint(ctx context.Context, key string, cursor []byte) error
}

// LedgerItem is one processed event in the Ledger.
type LedgerItem struct {
	// Scope says what processed the event, such as a rule id or a source name: the same event
	// id in two scopes is two items.
	Scope string
	// ID is the event's id. An item without one cannot be deduplicated.
	ID string
	// Time is the time PruneLedger compares, normally the event time. An item marked again
	// keeps its first Time.
	Time time.Time
}

// Ledger remembers which events were already processed, so that redelivery, overlapping
// polling windows and restarts do not process an event twice. It is bounded in time: a job
// calls PruneLedger to forget items older than the dedup window. The pipeline calls
// MarkProcessed concurrently from several sources; concurrent calls marking the same item
// agree that exactly one of them saw it fresh.
type Ledger interface {
	// MarkProcessed records items and reports, for each item in order, whether it was fresh:
	// not in the ledger before this call and not earlier in items. An item with an empty ID
	// is always fresh and is not recorded. The batch is atomic: on error nothing is recorded.
	MarkProcessed(ctx context.Context, items []LedgerItem) (fresh []bool, err error)
	// PruneLedger forgets the items whose Time is before before and returns how many it
	// removed. A forgotten item is fresh again if it is marked later. Pruning may proceed in
	// several transactions; an error leaves the items not yet removed in place.
	PruneLedger(ctx context.Context, before time.Time) (n int64, err error)
}

// Locker grants named locks to singleton jobs (retention, pruning, outbox delivery), so that
// of several picket instances sharing a database only one runs a job at a time. The scheduler
// calls TryLock before each run of a singleton job, possibly concurrently for different names.
type Locker interface {
	// TryLock takes the lock name without waiting. ok is false, and err nil, when another
	// holder (in this process or another instance) has it. On success the caller must call
	// unlock when done; unlock is safe to call more than once and never releases a lock taken
	// again by someone else. err reports a failure to ask, such as a lost connection.
	TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error)
}

// CheckpointPruner forgets old checkpoints: the retention job prunes the bookkeeping of
// integrations that write one key per item (a Slack receiver's record of each message sent).
// Both SQL stores implement it.
type CheckpointPruner interface {
	// PruneCheckpoints deletes the checkpoints whose key matches the SQL LIKE pattern and
	// which were last written before before, and returns how many it deleted.
	PruneCheckpoints(ctx context.Context, pattern string, before time.Time) (int64, error)
}
