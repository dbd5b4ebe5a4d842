package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"picket/internal/alert"
	"picket/internal/store"
)

// Prune implements alert.Pruner in one transaction.
func (r *Alerts) Prune(ctx context.Context, before time.Time) (alert.PruneResult, error) {
	var res alert.PruneResult
	cut := before.UnixNano()
	err := r.s.do(ctx, "pruning detections and alerts", true, func(ctx context.Context) error {
		return pgx.BeginFunc(ctx, r.s.pool, func(tx pgx.Tx) error {
			res = alert.PruneResult{}
			tag, err := tx.Exec(ctx, `DELETE FROM detections WHERE event_time < $1`, cut)
			if err != nil {
				return err
			}
			res.Detections = tag.RowsAffected()
			var cascaded int64
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM detections WHERE alert_id IN (SELECT id FROM alerts WHERE status = 'resolved' AND last_seen < $1)`, cut).Scan(&cascaded); err != nil {
				return err
			}
			if tag, err = tx.Exec(ctx, `DELETE FROM alerts WHERE status = 'resolved' AND last_seen < $1`, cut); err != nil {
				return err
			}
			res.Alerts = tag.RowsAffected()
			res.Detections += cascaded
			rows, err := tx.Query(ctx, `SELECT id, doc FROM alerts WHERE first_seen < $1 FOR UPDATE`, cut)
			if err != nil {
				return err
			}
			b := store.NewFoldBatch(0)
			b.Changed = map[string]*alert.Alert{}
			for rows.Next() {
				var id string
				var doc []byte
				if err := rows.Scan(&id, &doc); err != nil {
					rows.Close()
					return err
				}
				a, err := decodeAlert(id, doc)
				if err != nil {
					rows.Close()
					return err
				}
				if n := a.DropEvidenceBefore(before); n > 0 {
					res.Evidence += int64(n)
					b.Order = append(b.Order, id)
					b.Changed[id] = a
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if len(b.Order) == 0 {
				return nil
			}
			return upsert(ctx, tx, b)
		})
	})
	return res, err
}
