package sqlite

import (
	"context"
	"database/sql"
	"time"

	"picket/internal/alert"
)

// Prune implements alert.Pruner in one transaction.
func (r *Alerts) Prune(ctx context.Context, before time.Time) (alert.PruneResult, error) {
	var res alert.PruneResult
	cut := before.UnixNano()
	err := r.s.inTx(ctx, func(tx *sql.Tx) error {
		res = alert.PruneResult{}
		out, err := tx.ExecContext(ctx, `DELETE FROM detections WHERE event_time < ?`, cut)
		if err != nil {
			return err
		}
		res.Detections, _ = out.RowsAffected()
		// Detections of the deleted alerts go with them (ON DELETE CASCADE); count them first.
		var cascaded int64
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM detections WHERE alert_id IN (SELECT id FROM alerts WHERE status = 'resolved' AND last_seen < ?)`, cut).Scan(&cascaded); err != nil {
			return err
		}
		if out, err = tx.ExecContext(ctx, `DELETE FROM alerts WHERE status = 'resolved' AND last_seen < ?`, cut); err != nil {
			return err
		}
		res.Alerts, _ = out.RowsAffected()
		res.Detections += cascaded
		rows, err := tx.QueryContext(ctx, `SELECT id, doc FROM alerts WHERE first_seen < ?`, cut)
		if err != nil {
			return err
		}
		var changed []*alert.Alert
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
				changed = append(changed, a)
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(changed) == 0 {
			return nil
		}
		st, err := tx.PrepareContext(ctx, upsertAlert)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, a := range changed {
			if err := execUpsert(ctx, st, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return alert.PruneResult{}, r.s.fail(ctx, "pruning detections and alerts", err)
	}
	return res, nil
}
