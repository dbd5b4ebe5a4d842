package sqlite

import (
	"context"
	"strings"

	"picket/internal/audit"
)

// AuditLog is the audit.Log of a Store: the audit_log table of migration 0004. It is safe for
// concurrent use.
type AuditLog struct{ s *Store }

// Audit returns the audit log of s.
func (s *Store) Audit() audit.Log { return &AuditLog{s: s} }

// Record implements audit.Log.
func (l *AuditLog) Record(ctx context.Context, e audit.Entry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	_, err := l.s.w.ExecContext(ctx, `INSERT INTO audit_log (at, actor, action, target, detail, remote_addr)
		VALUES (?, ?, ?, ?, ?, ?)`, unixNanos(e.Time), e.Actor, e.Action, e.Target, e.Detail, e.RemoteAddr)
	if err != nil {
		return l.s.fail(ctx, "recording audit entry", err)
	}
	return nil
}

// List implements audit.Log, every filter in SQL.
func (l *AuditLog) List(ctx context.Context, q audit.Query) ([]audit.Entry, error) {
	limit, err := q.EffectiveLimit()
	if err != nil {
		return nil, err
	}
	cond := []string{`1 = 1`}
	var args []any
	add := func(c string, v any) { cond, args = append(cond, c), append(args, v) }
	if q.Actor != "" {
		add(`actor = ?`, q.Actor)
	}
	if q.Action != "" {
		add(`action = ?`, q.Action)
	}
	if q.Target != "" {
		add(`target = ?`, q.Target)
	}
	if !q.Since.IsZero() {
		add(`at >= ?`, unixNanos(q.Since))
	}
	if !q.Until.IsZero() {
		add(`at < ?`, unixNanos(q.Until))
	}
	rows, err := l.s.r.QueryContext(ctx, `SELECT at, actor, action, target, detail, remote_addr FROM audit_log WHERE `+
		strings.Join(cond, ` AND `)+` ORDER BY at DESC, seq DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, l.s.fail(ctx, "listing audit entries", err)
	}
	defer rows.Close()
	out := []audit.Entry{}
	for rows.Next() {
		var e audit.Entry
		var at int64
		if err := rows.Scan(&at, &e.Actor, &e.Action, &e.Target, &e.Detail, &e.RemoteAddr); err != nil {
			return nil, l.s.fail(ctx, "listing audit entries", err)
		}
		e.Time = fromUnixNanos(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, l.s.fail(ctx, "listing audit entries", err)
	}
	return out, nil
}
