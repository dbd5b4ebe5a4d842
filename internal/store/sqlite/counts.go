package sqlite

import (
	"context"
	"time"
)

// DetectionCounts returns, per rule id, the number of stored detections whose event time is at
// or after since; rules without any are absent. The rule catalog shows them as hit counts. The
// range on event_time is served by the detections_event_time index (migration 0002); the
// grouping then reads the rows in that range.
func (r *Alerts) DetectionCounts(ctx context.Context, since time.Time) (map[string]int, error) {
	rows, err := r.s.r.QueryContext(ctx, `SELECT rule_id, count(*) FROM detections
		WHERE event_time >= ? AND alert_id IS NOT NULL GROUP BY rule_id`, unixNanos(since))
	if err != nil {
		return nil, r.s.fail(ctx, "counting detections", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, r.s.fail(ctx, "counting detections", err)
		}
		out[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, r.s.fail(ctx, "counting detections", err)
	}
	return out, nil
}
