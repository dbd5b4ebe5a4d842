// Package store defines the contract of picket's durable state and the pieces its backends share.
//
// Store is the one producer-side interface in picket: the two backends (store/sqlite for a
// single instance, store/postgres for several instances sharing the work) implement it, and
// store/storetest checks both against the same conformance suite. Store is composed of small
// interfaces owned by the packages that consume them. Until those packages exist, Checkpoints,
// Ledger and Locker are declared here; they move to source, the pipeline and schedule as those
// packages appear, and Store keeps embedding them from there.
//
// Invariants every backend keeps:
//   - every multi-statement write runs in one transaction: a failed call leaves no partial write;
//   - "not found" is reported with ok=false, never as an error and never as (nil, nil);
//   - a cancelled context makes a call fail with an error for which errors.Is(err, ctx.Err())
//     holds;
//   - errors carry the database they concern (file path or host/database, never a password)
//     and, where the cause is known, one of the sentinel errors of this package (ErrBusy,
//     ErrCorrupt, ErrDiskFull, ErrUnavailable, ErrSchemaTooNew), tested with errors.Is;
//   - the schema is versioned by ordered, embedded migrations recorded in schema_migrations;
//     a database migrated by a newer binary is refused with ErrSchemaTooNew.
package store
