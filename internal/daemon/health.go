package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"picket/internal/alert"
	"picket/internal/config"
	"picket/internal/event"
	"picket/internal/rule"
	"picket/internal/schedule"
	"picket/internal/source"
)

// HealthRuleID is the rule id of picket's own collection-gap alerts.
const HealthRuleID = "picket-source-health"

// healthEvery is how often source health is checked.
const healthEvery = time.Minute

// addHealthTask adds the self-monitoring task: a source that has not polled successfully for
// three of its intervals (at least five minutes), because it fails or because its polls do not
// end, raises an alert (rule HealthRuleID, grouped by source, with the last error) through the
// normal routes; the alert resolves when the source polls successfully again.
func (d *Daemon) addHealthTask(sched *schedule.Scheduler, g *generation) error {
	spec, err := schedule.NewSpec(config.Schedule{Every: healthEvery})
	if err != nil {
		return err
	}
	started := d.clock()
	expected := map[string]time.Duration{}
	for _, s := range g.sources {
		expected[s.Name()] = max(3*sourceInterval(s.Schedule), 5*time.Minute)
	}
	return sched.Add(schedule.Task{Name: "picket/health", Spec: spec, Run: func(ctx context.Context) error {
		return d.checkHealth(ctx, g, started, expected)
	}})
}

// Problem says why a source is unhealthy, or "" when it is healthy.
func Problem(st source.Status, now, started time.Time, silentAfter time.Duration) string {
	last := st.LastSuccess
	if last.IsZero() {
		last = started
	}
	if gap := now.Sub(last); gap > silentAfter {
		msg := fmt.Sprintf("no successful poll for %s", gap.Round(time.Second))
		if st.LastError != "" {
			msg += ": " + st.LastError
		}
		return msg
	}
	return ""
}

func (d *Daemon) checkHealth(ctx context.Context, g *generation, started time.Time, expected map[string]time.Duration) error {
	now := d.clock()
	var ds []alert.Detection
	healthy := map[string]bool{}
	for _, st := range d.tracker.Statuses() {
		limit, ok := expected[st.Name]
		if !ok {
			continue
		}
		problem := Problem(st, now, started, limit)
		if problem == "" {
			healthy[st.Name] = true
			continue
		}
		raw, _ := json.Marshal(map[string]any{"source": st.Name, "type": st.Type, "problem": problem,
			"last_success": st.LastSuccess, "last_error": st.LastError, "checkpoint": st.Checkpoint})
		ds = append(ds, alert.Detection{
			RuleID: HealthRuleID, RuleTitle: "picket source is not collecting", Level: rule.High,
			Tags: []string{"picket.health"}, Kind: "detection",
			// One event per source and hour: the alert's count says how long it lasted.
			EventID:   fmt.Sprintf("%s/%d", st.Name, now.Unix()/3600),
			EventTime: now, Source: st.Name, LogSource: event.LogSource{Product: "picket", Service: "health"},
			Raw: raw, GroupValues: map[string]string{"source": st.Name}, DetectedAt: now,
		})
	}
	if len(ds) > 0 {
		due, err := g.manager.Ingest(ctx, ds)
		if err != nil {
			return err
		}
		if g.router != nil {
			g.router.Observe(due, true)
		}
	}
	// Resolve the health alerts of sources that recovered.
	open, err := g.manager.List(ctx, alert.Query{RuleID: HealthRuleID, Status: []alert.Status{alert.StatusOpen, alert.StatusAcknowledged}})
	if err != nil {
		return err
	}
	for _, a := range open {
		if healthy[a.Group["source"]] {
			r, err := g.manager.Resolve(ctx, a.ID, alert.SystemActor, "the source collects again")
			if err != nil {
				return err
			}
			if g.router != nil {
				g.router.Changed([]*alert.Alert{r})
			}
		}
	}
	return nil
}
