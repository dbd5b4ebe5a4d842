// Package source is the contract between picket's log sources (files, CloudWatch Logs, S3/SQS,
// …) and the pipeline that evaluates what they read. Every source package has the same shape:
//
//	type Config struct{ … }                 // its YAML settings, decoded strictly
//	func DefaultConfig() Config
//	func (c Config) Validate() error         // no network: `picket config validate`
//	func New(name string, c Config, d source.Deps) (*Source, error)
//	func (s *Source) Name() string
//	func (s *Source) Poll(ctx context.Context, sink source.Sink) error
//
// A source reads what is new since its checkpoint, hands it to the Sink in bounded batches, and
// saves its checkpoint only after the Sink accepted the batch that covers it: a crash at any
// moment re-reads at most the last batch, which the pipeline's ledger and idempotent detections
// absorb. Nothing is acknowledged (an SQS message deleted, a checkpoint moved) before the sink
// returned nil.
package source

import (
	"context"
	"log/slog"
	"time"

	"picket/internal/event"
)

// Record is one raw log record read by a source.
type Record struct {
	// Data is one record: a JSON object, or a text line when Text is set. It must stay valid
	// until Sink.Process returns; the sink copies what it keeps.
	Data []byte
	Text bool
	// ID is the provider's id of the record when it has one (a CloudWatch eventId); the
	// pipeline uses it when the event's shape has no id of its own (CloudTrail's eventID wins),
	// then a content hash.
	ID string
	// Time is the provider's timestamp of the record (CloudWatch's event timestamp), used when
	// the event's shape has no time of its own; zero if none.
	Time time.Time
	// Origin names where the record came from in messages ("s3://bucket/key",
	// "log-group/stream"); Line is its line or index there (1-based, 0 if unknown).
	Origin string
	Line   int
}

// Batch is a set of records processed together, after which the source may checkpoint.
type Batch struct {
	Records []Record
	// LogSource, when set, is the logsource of every record (the source's `logsource`
	// setting); otherwise the pipeline recognises each record's shape.
	LogSource *event.LogSource
	// Skipped counts records the source read but could not frame, by reason (for example
	// "record too large", "malformed gzip"); the pipeline reports and counts them.
	Skipped map[string]int
}

// Sink processes batches: detection, correlation, storage of detections and alerts, and the
// notifications they cause. When Process returns nil every record of the batch is durably
// processed and the source may move its checkpoint past them; on error the source keeps its
// checkpoint and returns (the next poll reads the batch again). Process is safe for concurrent
// use by several sources.
type Sink interface {
	Process(ctx context.Context, source string, b *Batch) error
}

// Source is one configured input.
type Source interface {
	// Name is the source's configured name (unique; also its metrics label).
	Name() string
	// Poll reads what is new since the checkpoint, hands it to sink in bounded batches,
	// checkpointing after each accepted batch, and returns once it has caught up (or ctx is
	// done: then it returns ctx.Err() after the batch in flight). The scheduler never calls
	// Poll of one source concurrently. A returned error is logged, counted and retried at the
	// next poll; a source that can tell transient from permanent problems says so in the error.
	Poll(ctx context.Context, sink Sink) error
}

// Checkpoints keeps one opaque cursor per key (store.Store implements it). Keys of a source are
// prefixed with "source/<type>/<name>/" so that two sources never share one.
type Checkpoints interface {
	Checkpoint(ctx context.Context, key string) (cursor []byte, ok bool, err error)
	SetCheckpoint(ctx context.Context, key string, cursor []byte) error
}

// Ledger remembers processed ids for a bounded time (store.Store implements it); sources use
// it for their own bookkeeping, such as the S3 keys processed per day folder.
type Ledger interface {
	MarkProcessed(ctx context.Context, items []LedgerItem) (fresh []bool, err error)
}

// LedgerItem mirrors store.LedgerItem (the store package imports this one's users, not the
// reverse); see store.Ledger for the semantics.
type LedgerItem struct {
	Scope string
	ID    string
	Time  time.Time
}

// Deps are what a source may use, injected by the composition root.
type Deps struct {
	Logger      *slog.Logger
	Checkpoints Checkpoints
	// Clock returns the current time (tests inject a controllable one). Never nil.
	Clock func() time.Time
	// Metrics are the shared source metrics; never nil (tests use NewMetrics(nil)).
	Metrics *Metrics
	// Status records what the console and API show about the source; never nil.
	Status *Tracker
	// Dir is the directory of the configuration file: relative paths in settings are
	// relative to it.
	Dir string
}
