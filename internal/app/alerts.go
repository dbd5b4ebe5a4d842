package app

import (
	"context"
	"fmt"
	"log/slog"

	"picket/internal/alert"
	"picket/internal/config"
	"picket/internal/store"
)

// Alerts is the alert side of picket opened from the configuration: the store and the manager
// over it. Close releases the store.
type Alerts struct {
	Store   store.Store
	Manager *alert.Manager
	// Detections lists stored detections.
	Detections alert.DetectionLister
}

// Close closes the store.
func (a *Alerts) Close() error { return a.Store.Close() }

// OpenAlerts opens the configured store and builds the alert manager over it.
func OpenAlerts(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*Alerts, error) {
	st, err := OpenStore(ctx, cfg.Storage, logger)
	if err != nil {
		return nil, err
	}
	repo := st.Alerts()
	lister, ok := repo.(alert.DetectionLister)
	if !ok {
		st.Close()
		return nil, fmt.Errorf("the %T store cannot list detections", st)
	}
	m, err := alert.NewManager(repo, ManagerOptions(cfg.Alerts))
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("alerts configuration: %w", err)
	}
	return &Alerts{Store: st, Manager: m, Detections: lister}, nil
}

// ManagerOptions turns the alerts section of the configuration into manager options.
func ManagerOptions(c config.Alerts) alert.Options {
	o := alert.Options{
		DedupWindow: c.DedupWindow,
		AutoResolve: c.AutoResolve,
		MaxEvidence: c.MaxEvidence,
		Realert:     alert.RealertPolicy{Mode: alert.RealertMode(c.Realert.Mode), Interval: c.Realert.Interval, Max: c.Realert.Max},
	}
	if len(c.GroupBy) > 0 || len(c.RuleGroupBy) > 0 {
		o.GroupBy = map[string][]string{}
		if len(c.GroupBy) > 0 {
			o.GroupBy[alert.AnyRule] = c.GroupBy
		}
		for id, f := range c.RuleGroupBy {
			o.GroupBy[id] = f
		}
	}
	return o
}
