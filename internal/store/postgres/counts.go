package postgres

import (
	"context"
	"time"
)

// DetectionCounts returns, per rule id, the number of stored detections whose event time is at
// or after since; rules without any are absent. The rule catalog shows them as hit counts. The
// range on event_time is served by the detections_event_time index (migration 0002); the
// grouping then reads the rows in that range.
func (r *Alerts) DetectionCounts(ctx context.Context, since time.Time) (map[string]int, error) {
	var out map[string]int
	err := r.s.do(ctx, "counting detections", true, func(ctx context.Context) error {
		out = map[string]int{}
		rows, err := r.s.pool.Query(ctx, `SELECT rule_id, count(*) FROM detections
			WHERE event_time >= $1 AND alert_id IS NOT NULL GROUP BY rule_id`, unixNanos(since))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var n int64
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			out[id] = int(n)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
