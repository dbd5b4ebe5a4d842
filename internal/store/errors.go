package store

import "errors"

// Sentinel errors the backends wrap, together with the driver's own error, so that callers can
// tell what went wrong with errors.Is without matching strings.
var (
	// ErrBusy reports that the database was locked or contended (an SQLite file locked by
	// another process beyond the busy timeout, a PostgreSQL deadlock or serialization failure).
	// Retrying later may succeed.
	ErrBusy = errors.New("database is busy")
	// ErrUnavailable reports that the database server could not be reached or the connection
	// was lost. Retrying later may succeed; the backends reconnect by themselves.
	ErrUnavailable = errors.New("database is unavailable")
	// ErrCorrupt reports a file that is not a database or a database whose content is
	// malformed. Retrying does not help.
	ErrCorrupt = errors.New("database is corrupt or not a database")
	// ErrDiskFull reports that the disk (or the database's configured size limit) is full. The
	// failed write left nothing behind; retrying after space is freed succeeds.
	ErrDiskFull = errors.New("database or disk is full")
	// ErrSchemaTooNew reports a database migrated by a newer picket: it has a schema version
	// this binary does not know. Upgrade picket or point it at another database.
	ErrSchemaTooNew = errors.New("database schema is newer than this picket")
)

// Retryable reports whether err is one that may go away by itself: ErrBusy or ErrUnavailable.
func Retryable(err error) bool {
	return errors.Is(err, ErrBusy) || errors.Is(err, ErrUnavailable)
}
