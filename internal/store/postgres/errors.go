package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"picket/internal/store"
)

// do runs fn, the operation op. When fn fails because a connection was lost, the pool is reset
// and fn runs once more if that is safe: always when idempotent, otherwise only when the
// server cannot have seen the statement. The error, if any, is wrapped once by fail.
func (s *Store) do(ctx context.Context, op string, idempotent bool, fn func(ctx context.Context) error) error {
	err := fn(ctx)
	if err != nil && ctx.Err() == nil && kindOf(err) == store.ErrUnavailable {
		s.pool.Reset()
		if idempotent || pgconn.SafeToRetry(err) {
			s.logger.Debug("retrying after a lost connection", "op", op, "err", err)
			err = fn(ctx)
		}
	}
	if err != nil {
		return s.fail(ctx, op, err)
	}
	return nil
}

// fail wraps err, the failure of op, once: with the database name and, when the cause is
// known, the store sentinel. When ctx is done its error replaces the driver's report.
func (s *Store) fail(ctx context.Context, op string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		err = cerr
	}
	if kind := kindOf(err); kind != nil {
		return fmt.Errorf("postgres %s: %s: %w: %w", s.name, op, kind, err)
	}
	return fmt.Errorf("postgres %s: %s: %w", s.name, op, err)
}

// kindOf maps a driver, network or server error to a store sentinel, or nil.
func kindOf(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), // connection exception
			pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03", // admin/crash shutdown, cannot connect now
			pe.Code == "53300": // too many connections
			return store.ErrUnavailable
		case pe.Code == "40001", pe.Code == "40P01", pe.Code == "55P03": // serialization, deadlock, lock not available
			return store.ErrBusy
		case pe.Code == "53100": // disk full
			return store.ErrDiskFull
		case pe.Code == "XX001", pe.Code == "XX002": // data or index corrupted
			return store.ErrCorrupt
		}
		return nil
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce), errors.As(err, &ne), pgconn.SafeToRetry(err),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EPIPE):
		return store.ErrUnavailable
	}
	return nil
}
