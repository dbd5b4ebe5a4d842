package postgres

import (
	"context"
	"strconv"
	"strings"

	"picket/internal/audit"
)

// AuditLog is the audit.Log of a Store: the audit_log table of migration 0004, shared by every
// instance on the database. It is safe for concurrent use.
type AuditLog struct{ s *Store }

// Audit returns the audit log of s.
func (s *Store) Audit() audit.Log { return &AuditLog{s: s} }

// Record implements audit.Log. It is not retried after a lost connection unless the server
// cannot have seen the insert: an entry is recorded at most once.
func (l *AuditLog) Record(ctx context.Context, e audit.Entry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	return l.s.do(ctx, "recording audit entry", false, func(ctx context.Context) error {
		_, err := l.s.pool.Exec(ctx, `INSERT INTO audit_log (at, actor, action, target, detail, remote_addr)
			VALUES ($1, $2, $3, $4, $5, $6)`, unixNanos(e.Time), []byte(e.Actor), e.Action, []byte(e.Target),
			[]byte(e.Detail), []byte(e.RemoteAddr))
		return err
	})
}

// List implements audit.Log, every filter in SQL.
func (l *AuditLog) List(ctx context.Context, q audit.Query) ([]audit.Entry, error) {
	limit, err := q.EffectiveLimit()
	if err != nil {
		return nil, err
	}
	cond := []string{`true`}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if q.Actor != "" {
		cond = append(cond, `actor = `+arg([]byte(q.Actor)))
	}
	if q.Action != "" {
		cond = append(cond, `action = `+arg(q.Action))
	}
	if q.Target != "" {
		cond = append(cond, `target = `+arg([]byte(q.Target)))
	}
	if !q.Since.IsZero() {
		cond = append(cond, `at >= `+arg(unixNanos(q.Since)))
	}
	if !q.Until.IsZero() {
		cond = append(cond, `at < `+arg(unixNanos(q.Until)))
	}
	query := `SELECT at, actor, action, target, detail, remote_addr FROM audit_log WHERE ` +
		strings.Join(cond, ` AND `) + ` ORDER BY at DESC, seq DESC LIMIT ` + arg(limit)
	var out []audit.Entry
	err = l.s.do(ctx, "listing audit entries", true, func(ctx context.Context) error {
		out = []audit.Entry{}
		rows, err := l.s.pool.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var at int64
			var actor, target, detail, remote []byte
			var e audit.Entry
			if err := rows.Scan(&at, &actor, &e.Action, &target, &detail, &remote); err != nil {
				return err
			}
			e.Time, e.Actor, e.Target, e.Detail, e.RemoteAddr = fromUnixNanos(at), string(actor), string(target), string(detail), string(remote)
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
