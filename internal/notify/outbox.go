package notify

import (
	"context"
	"errors"
	"time"
)

// State is where an outbox entry is in its delivery.
//
//	pending ──Claim──▶ delivering ──Complete──▶ delivered
//	   ▲                 │  │
//	   └──Fail(retry)────┘  └──Fail(dead)──▶ dead ──Retry──▶ pending
//	   ▲                 │
//	   └─lease expires───┘ (the entry is claimable again)
type State string

// Entry states.
const (
	StatePending    State = "pending"
	StateDelivering State = "delivering"
	StateDelivered  State = "delivered"
	StateDead       State = "dead"
)

// ErrEntryNotFound is returned for an outbox id that does not exist.
var ErrEntryNotFound = errors.New("outbox entry not found")

// ErrNotDead is returned by Retry for an entry that is not dead.
var ErrNotDead = errors.New("outbox entry is not dead")

// Entry is one notification in the outbox with its delivery state.
type Entry struct {
	// ID is Notification.ID, the idempotency key: one entry per id, for ever.
	ID       string
	Receiver string
	// Notification is the full content; it never changes, so every attempt sends the same.
	Notification Notification
	State        State
	// Attempts counts claims, including a claim whose dispatcher crashed before recording the
	// outcome. Retry resets it.
	Attempts int
	// NextAttempt is when a pending entry becomes due and, for a delivering entry, when its
	// lease expires and it becomes claimable again. Zero means due at once.
	NextAttempt time.Time
	// LastError is the last failure's text, as the notifier returned it (notifiers keep secrets
	// out of errors) and truncated by the dispatcher.
	LastError string
	// CreatedAt is when the entry was enqueued.
	CreatedAt time.Time
	// RetriedAt is when an operator last moved the entry from dead back to pending; zero if
	// never. The dispatcher counts the maximum age from the later of CreatedAt and RetriedAt.
	RetriedAt time.Time
	// DeliveredAt is when the provider accepted the notification; zero until delivered.
	DeliveredAt time.Time
}

// OutboxQuery selects entries for List. Zero fields select everything.
type OutboxQuery struct {
	Receiver string
	States   []State // any of them
	Limit    int     // at most this many; 0 means no limit
}

// ReceiverStats counts one receiver's entries by state.
type ReceiverStats struct {
	Receiver   string
	Pending    int
	Delivering int
	Delivered  int
	Dead       int
	// OldestPending is the CreatedAt of the oldest entry not yet delivered nor dead (pending or
	// delivering); zero if there is none. Its age is how far behind delivery is.
	OldestPending time.Time
}

// Outbox is the durable queue of notifications between the alert pipeline and the Dispatcher.
// The SQL stores implement it (several picket instances may share one database), MemoryOutbox
// implements it for tests and for runs without a store.
//
// All methods are safe for concurrent use, also by several processes sharing one store; each is
// atomic on its own. Errors other than ErrEntryNotFound and ErrNotDead are storage failures:
// the caller may try again later.
type Outbox interface {
	// Enqueue adds notifications as pending entries, due at once. It is idempotent on
	// Notification.ID: an id that already exists, in whatever state, is left as it is (so
	// re-running the alert change that produced it never notifies twice). The whole batch is
	// written or none of it.
	//
	// The router calls it. In the SQL stores it must run in the same transaction as the alert
	// change that causes the notifications, so a crash never loses or invents one: the stores
	// provide an in-transaction variant that the alert pipeline uses, and this method, which runs
	// its own transaction, serves everything else (fallback copies, tests).
	Enqueue(ctx context.Context, ns []Notification) error

	// Claim atomically moves up to limit entries of receiver that are due at now (pending with
	// NextAttempt <= now, or delivering with an expired lease) to delivering, with a lease until
	// now+lease, increments their Attempts, and returns them, earliest NextAttempt first. No
	// entry is returned by two Claims while its lease lasts, so dispatchers in several goroutines
	// or processes never send the same entry at the same time; an expired lease makes the entry
	// claimable again, which is how a crash in the middle of a send is recovered (the provider
	// may then see the notification twice, with the same idempotency key).
	//
	// The Dispatcher calls it from one goroutine per receiver.
	Claim(ctx context.Context, receiver string, now time.Time, limit int, lease time.Duration) ([]Entry, error)

	// Complete records that the provider accepted the entry: it becomes delivered with
	// DeliveredAt now, whatever its state (a delivery is never undone). The Dispatcher calls it
	// after a successful send.
	Complete(ctx context.Context, id string, now time.Time) error

	// Fail records a failed attempt: the entry becomes dead when dead is true, otherwise pending
	// and due at next; LastError becomes errText. It does nothing to a delivered entry (another
	// claim delivered it after this one's lease expired). The Dispatcher calls it after a failed
	// send, or without sending when the entry is too old.
	Fail(ctx context.Context, id string, now, next time.Time, errText string, dead bool) error

	// Retry moves a dead entry back to pending, due at now, with Attempts reset and RetriedAt
	// now (the maximum age counts again from there). It returns ErrNotDead for an entry in any
	// other state. `picket notify retry ID` and the API call it.
	Retry(ctx context.Context, id string, now time.Time) error

	// List returns the entries q selects, oldest CreatedAt first (ties by ID). The CLI and the
	// API call it.
	List(ctx context.Context, q OutboxQuery) ([]Entry, error)

	// Stats counts entries per receiver and state, sorted by receiver. `picket notify status`,
	// the API and the Dispatcher's queue metrics call it.
	Stats(ctx context.Context) ([]ReceiverStats, error)
}
