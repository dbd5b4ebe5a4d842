package notify

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the Dispatcher's picket_notify_* metrics, labelled by receiver name.
type metrics struct {
	sent    *prometheus.CounterVec   // receiver
	failed  *prometheus.CounterVec   // receiver, reason: retryable, permanent, timeout
	dead    *prometheus.CounterVec   // receiver, reason: permanent, max_age
	latency *prometheus.HistogramVec // receiver: enqueue to delivery
	attempt *prometheus.HistogramVec // receiver: one Notify call
	queue   *prometheus.GaugeVec     // receiver, state
	oldest  *prometheus.GaugeVec     // receiver
}

// newMetrics creates the metrics and registers them on reg unless it is nil. It panics when reg
// already holds them: a wiring bug.
func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "picket_notify_sent_total",
			Help: "Notifications the provider accepted.",
		}, []string{"receiver"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "picket_notify_failed_total",
			Help: "Failed delivery attempts by reason (retryable, permanent, timeout).",
		}, []string{"receiver", "reason"}),
		dead: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "picket_notify_dead_total",
			Help: "Notifications dead-lettered by reason (permanent, max_age).",
		}, []string{"receiver", "reason"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "picket_notify_delivery_latency_seconds",
			Help:    "Time from enqueueing a notification to its delivery.",
			Buckets: prometheus.ExponentialBuckets(0.01, 4, 10), // 10ms .. ~44min
		}, []string{"receiver"}),
		attempt: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "picket_notify_attempt_duration_seconds",
			Help:    "Duration of one delivery attempt (one Notify call).",
			Buckets: prometheus.ExponentialBuckets(0.005, 3, 9), // 5ms .. ~33s
		}, []string{"receiver"}),
		queue: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "picket_notify_queue_depth",
			Help: "Outbox entries by state (pending, delivering, dead).",
		}, []string{"receiver", "state"}),
		oldest: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "picket_notify_oldest_pending_age_seconds",
			Help: "Age of the oldest notification not yet delivered nor dead.",
		}, []string{"receiver"}),
	}
	if reg != nil {
		reg.MustRegister(m.sent, m.failed, m.dead, m.latency, m.attempt, m.queue, m.oldest)
	}
	return m
}

// setQueue sets the queue gauges from the outbox stats.
func (m *metrics) setQueue(stats []ReceiverStats, now time.Time) {
	for _, s := range stats {
		m.queue.WithLabelValues(s.Receiver, string(StatePending)).Set(float64(s.Pending))
		m.queue.WithLabelValues(s.Receiver, string(StateDelivering)).Set(float64(s.Delivering))
		m.queue.WithLabelValues(s.Receiver, string(StateDead)).Set(float64(s.Dead))
		age := 0.0
		if !s.OldestPending.IsZero() {
			age = now.Sub(s.OldestPending).Seconds()
		}
		m.oldest.WithLabelValues(s.Receiver).Set(age)
	}
}
