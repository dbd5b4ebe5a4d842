package source

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the metrics every source reports, labelled by source name. The composition root
// creates them once and shares them between sources.
type Metrics struct {
	// Records counts records read and handed to the sink ({source}).
	Records *prometheus.CounterVec
	// Bytes counts bytes read from the provider ({source}).
	Bytes *prometheus.CounterVec
	// APICalls counts provider API calls ({source, api}), Throttles those answered with a
	// throttling error ({source, api}).
	APICalls  *prometheus.CounterVec
	Throttles *prometheus.CounterVec
	// Errors counts failed polls ({source}); the daemon, which runs the polls, updates it and
	// LastSuccess, not the sources.
	Errors *prometheus.CounterVec
	// Skipped counts records that could not be framed ({source, reason}).
	Skipped *prometheus.CounterVec
	// Lag is now minus the source's checkpoint time, in seconds ({source}).
	Lag *prometheus.GaugeVec
	// LastSuccess is the Unix time of the last successful poll ({source}).
	LastSuccess *prometheus.GaugeVec
}

// NewMetrics creates the source metrics and registers them with reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Records: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "picket_source_records_total",
			Help: "Records read by a source and handed to the pipeline."}, []string{"source"}),
		Bytes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "picket_source_bytes_total",
			Help: "Bytes read by a source from its provider."}, []string{"source"}),
		APICalls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "picket_source_api_calls_total",
			Help: "Provider API calls made by a source."}, []string{"source", "api"}),
		Throttles: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "picket_source_throttles_total",
			Help: "Provider API calls answered with a throttling error."}, []string{"source", "api"}),
		Errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "picket_source_errors_total",
			Help: "Failed polls of a source."}, []string{"source"}),
		Skipped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "picket_source_skipped_records_total",
			Help: "Records a source read but could not frame, by reason."}, []string{"source", "reason"}),
		Lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "picket_source_lag_seconds",
			Help: "How far behind the source is: now minus its checkpoint time."}, []string{"source"}),
		LastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "picket_source_last_success_timestamp_seconds",
			Help: "Unix time of the source's last successful poll."}, []string{"source"}),
	}
	if reg != nil {
		reg.MustRegister(m.Records, m.Bytes, m.APICalls, m.Throttles, m.Errors, m.Skipped, m.Lag, m.LastSuccess)
	}
	return m
}
