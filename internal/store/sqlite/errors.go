package sqlite

import (
	"context"
	"errors"
	"fmt"
	"math"
	"syscall"
	"time"

	msqlite "modernc.org/sqlite"

	"picket/internal/store"
)

// Primary SQLite result codes (the low byte of extended codes), from sqlite3.h.
const (
	codeBusy    = 5
	codeLocked  = 6
	codeCorrupt = 11
	codeFull    = 13
	codeNotADB  = 26
)

// fail wraps err, the failure of op, once: with the file name and, when the cause is known,
// the store sentinel. When ctx is done the driver's report (an interrupt) is replaced by
// ctx.Err(), the real cause.
func (s *Store) fail(ctx context.Context, op string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		err = cerr
	}
	if kind := kindOf(err); kind != nil {
		return fmt.Errorf("sqlite %s: %s: %w: %w", s.path, op, kind, err)
	}
	return fmt.Errorf("sqlite %s: %s: %w", s.path, op, err)
}

// kindOf maps a driver or system error to a store sentinel, or nil.
func kindOf(err error) error {
	var se *msqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case codeBusy, codeLocked:
			return store.ErrBusy
		case codeCorrupt, codeNotADB:
			return store.ErrCorrupt
		case codeFull:
			return store.ErrDiskFull
		}
	}
	if errors.Is(err, syscall.ENOSPC) {
		return store.ErrDiskFull
	}
	return nil
}

// unixNanos encodes t for an INTEGER column. Times outside int64 nanoseconds (years 1678 to
// 2261), the zero time among them, clamp to the extremes; fromUnixNanos maps the low extreme
// back to the zero time.
func unixNanos(t time.Time) int64 {
	switch y := t.Year(); {
	case y < 1678:
		return math.MinInt64
	case y > 2261:
		return math.MaxInt64
	}
	return t.UnixNano()
}

// fromUnixNanos decodes unixNanos, in UTC.
func fromUnixNanos(n int64) time.Time {
	if n == math.MinInt64 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
