package schedule

import "github.com/prometheus/client_golang/prometheus"

// Outcomes of a scheduled tick, the values of the runs metric's outcome label.
const (
	// OutcomeSuccess is a run that returned nil.
	OutcomeSuccess = "success"
	// OutcomeError is a run that returned an error or panicked.
	OutcomeError = "error"
	// OutcomeLocked is a singleton run skipped because another holder has its lock.
	OutcomeLocked = "locked"
	// OutcomeLockError is a singleton run skipped because the lock could not be asked for.
	OutcomeLockError = "lock_error"
	// OutcomeOverlap is a tick skipped because the task's previous run outlasted it.
	OutcomeOverlap = "overlap"
)

type metrics struct {
	runs        *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	lastSuccess *prometheus.GaugeVec
}

// newMetrics creates the scheduler's metrics and registers them with reg (nil: not
// registered).
func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "picket_schedule_runs_total",
			Help: "Scheduled task ticks by outcome: success, error, locked, lock_error, overlap."}, []string{"task", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "picket_schedule_run_duration_seconds",
			Help:    "Duration of scheduled task runs.",
			Buckets: prometheus.ExponentialBuckets(0.01, 4, 10)}, []string{"task"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "picket_schedule_last_success_timestamp_seconds",
			Help: "Unix time of the end of the task's last successful run."}, []string{"task"}),
	}
	if reg != nil {
		reg.MustRegister(m.runs, m.duration, m.lastSuccess)
	}
	return m
}
