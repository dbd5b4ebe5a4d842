package daemon

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"picket/internal/alert"
	"picket/internal/config"
	"picket/internal/job/insights"
	"picket/internal/notify"
	"picket/internal/rule"
	"picket/internal/schedule"
	"picket/internal/store"
)

// Job types.
const (
	JobDigest    = "digest"
	JobRetention = "retention"
	JobQuery     = insights.Type
)

// DigestConfig configures a digest job: a summary of the alerts of the last period, with the
// trend against the period before, sent to receivers.
type DigestConfig struct {
	// Receivers get the digest (at least one).
	Receivers []string `yaml:"receivers"`
	// Period is the time summarised (default 24h; 168h for a weekly digest).
	Period time.Duration `yaml:"period"`
	// MinLevel leaves out alerts below this level (default informational: all).
	MinLevel string `yaml:"min_level"`
	// MaxAlerts is how many alerts, most severe first, the digest lists (default 20).
	MaxAlerts int `yaml:"max_alerts"`
}

// RetentionConfig configures a retention job.
type RetentionConfig struct {
	// Keep overrides alerts.retention for this job (0: alerts.retention, or 30 days when that
	// is unset too).
	Keep time.Duration `yaml:"keep"`
	// LedgerKeep is how long processed event ids are remembered for deduplication
	// (default 7 days; keep it above the longest redelivery or overlap window).
	LedgerKeep time.Duration `yaml:"ledger_keep"`
}

// buildJobs builds the scheduled tasks of cfg's jobs; with d nil it only validates them.
func buildJobs(cfg *config.Config, d *Daemon, g *generation) ([]schedule.Task, error) {
	var tasks []schedule.Task
	var errs []error
	receivers := map[string]bool{}
	for _, r := range cfg.Receivers {
		receivers[r.Name] = true
	}
	for _, j := range cfg.Jobs {
		fail := func(err error) {
			errs = append(errs, fmt.Errorf("%s:%d: job %q (%s): %w", cfg.File(), j.Line, j.Name, j.Type, err))
		}
		sc := j.Schedule
		if sc.Every == 0 && sc.Cron == "" {
			fail(errors.New("needs a schedule: every or cron"))
			continue
		}
		spec, err := schedule.NewSpec(sc)
		if err != nil {
			fail(err)
			continue
		}
		task := schedule.Task{Name: j.Name, Spec: spec, Singleton: true, CatchUp: spec.CatchUp()}
		switch j.Type {
		case JobDigest:
			c := DigestConfig{Period: 24 * time.Hour, MaxAlerts: 20}
			if err := decodeSettings(&j.Settings, &c); err != nil {
				fail(err)
				continue
			}
			var lvl rule.Level
			if err := lvl.UnmarshalText([]byte(cmp.Or(c.MinLevel, "informational"))); err != nil {
				fail(fmt.Errorf("min_level: %w", err))
				continue
			}
			if len(c.Receivers) == 0 {
				fail(errors.New("receivers: at least one is required"))
				continue
			}
			for _, r := range c.Receivers {
				if !receivers[r] {
					fail(fmt.Errorf("receivers: unknown receiver %q", r))
				}
			}
			if c.Period <= 0 || c.MaxAlerts <= 0 {
				fail(errors.New("period and max_alerts must be positive"))
				continue
			}
			name := j.Name
			task.Run = func(ctx context.Context) error { return d.digest(ctx, g, name, c, lvl) }
		case JobRetention:
			c := RetentionConfig{Keep: cfg.Alerts.Retention, LedgerKeep: 7 * 24 * time.Hour}
			if err := decodeSettings(&j.Settings, &c); err != nil {
				fail(err)
				continue
			}
			if c.Keep == 0 {
				c.Keep = 30 * 24 * time.Hour
			}
			if c.Keep < 0 || c.LedgerKeep <= 0 {
				fail(errors.New("keep and ledger_keep must be positive"))
				continue
			}
			task.Run = func(ctx context.Context) error { return d.retention(ctx, c) }
		case JobQuery:
			run, err := d.queryJob(cfg, j, g)
			if err != nil {
				fail(err)
				continue
			}
			task.Run = run
		default:
			fail(fmt.Errorf("unknown job type (want %s, %s or %s)", JobDigest, JobQuery, JobRetention))
			continue
		}
		tasks = append(tasks, task)
	}
	return tasks, errors.Join(errs...)
}

// decodeSettings decodes a job's settings strictly.
func decodeSettings(n *yaml.Node, v any) error {
	if len(n.Content) == 0 {
		return nil
	}
	text, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(strings.NewReader(string(text)))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return errors.New(strings.ReplaceAll(err.Error(), "yaml: ", ""))
	}
	return nil
}

// retention prunes detections and evidence older than c.Keep and ledger entries older than
// c.LedgerKeep.
func (d *Daemon) retention(ctx context.Context, c RetentionConfig) error {
	now := d.clock()
	var errs []error
	if p, ok := d.store.Alerts().(alert.Pruner); ok {
		res, err := p.Prune(ctx, now.Add(-c.Keep))
		if err != nil {
			errs = append(errs, err)
		} else {
			d.logger.Info("retention: alerts pruned", "detections", res.Detections, "alerts", res.Alerts, "evidence", res.Evidence)
		}
	}
	n, err := d.store.PruneLedger(ctx, now.Add(-c.LedgerKeep))
	if err != nil {
		errs = append(errs, err)
	} else {
		d.logger.Info("retention: ledger pruned", "entries", n)
	}
	if p, ok := d.store.(store.CheckpointPruner); ok {
		// Slack bot receivers keep one record per message sent (against posting twice on a
		// retry: kept as long as the ledger) and one per thread (a group quiet for longer than
		// the retention starts a new thread).
		for pattern, before := range map[string]time.Time{
			"notify/slack/%/sent/%":   now.Add(-c.LedgerKeep),
			"notify/slack/%/thread/%": now.Add(-c.Keep),
		} {
			if n, err := p.PruneCheckpoints(ctx, pattern, before); err != nil {
				errs = append(errs, err)
			} else if n > 0 {
				d.logger.Info("retention: notification records pruned", "pattern", pattern, "records", n)
			}
		}
	}
	return errors.Join(errs...)
}

// digest sends the summary of the period ending now to the job's receivers. Its notification
// id is derived from the job and the period, so a run repeated after a crash, or by a second
// instance, enqueues nothing new.
func (d *Daemon) digest(ctx context.Context, g *generation, name string, c DigestConfig, minLevel rule.Level) error {
	now := d.clock().UTC().Truncate(time.Minute)
	cur, err := d.periodAlerts(ctx, g, now.Add(-c.Period), now, minLevel)
	if err != nil {
		return err
	}
	prev, err := d.periodAlerts(ctx, g, now.Add(-2*c.Period), now.Add(-c.Period), minLevel)
	if err != nil {
		return err
	}
	summary := DigestSummary(cur, prev, c.Period)
	slices.SortFunc(cur, func(a, b *alert.Alert) int {
		return cmp.Or(cmp.Compare(b.Level, a.Level), cmp.Compare(b.Count, a.Count), strings.Compare(a.ID, b.ID))
	})
	shown := cur[:min(len(cur), c.MaxAlerts)]
	var ns []notify.Notification
	for _, r := range c.Receivers {
		n := notify.Notification{
			ID:       fmt.Sprintf("digest-%s-%s-%d", name, r, now.Unix()),
			Receiver: r, Status: notify.StatusFiring, GroupKey: "digest:" + name,
			GroupLabels: map[string]string{"digest": name, "period": fmt.Sprintf("%s – %s", now.Add(-c.Period).Format(time.RFC3339), now.Format(time.RFC3339))},
			Summary:     summary, CreatedAt: now,
		}
		for _, a := range shown {
			v := notify.AlertView{Alert: *a}
			v.History, v.Evidence = nil, nil
			if u := consoleURL(g.cfg); u != "" {
				v.URL = strings.TrimSuffix(u, "/") + "/alerts/" + a.ID
			}
			n.Alerts = append(n.Alerts, v)
		}
		ns = append(ns, n)
	}
	if err := d.store.Outbox().Enqueue(ctx, ns); err != nil {
		return err
	}
	if g.disp != nil {
		for _, r := range c.Receivers {
			g.disp.Kick(r)
		}
	}
	d.logger.Info("digest enqueued", "job", name, "alerts", len(cur), "receivers", len(c.Receivers))
	return nil
}

// periodAlerts lists the alerts whose event time span ends in [from, to).
func (d *Daemon) periodAlerts(ctx context.Context, g *generation, from, to time.Time, minLevel rule.Level) ([]*alert.Alert, error) {
	var out []*alert.Alert
	q := alert.Query{Since: from, Until: to, MinLevel: minLevel, Limit: alert.MaxLimit}
	for {
		page, err := g.manager.List(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < q.Limit {
			return out, nil
		}
		q.After = page[len(page)-1].Cursor()
	}
}

// DigestSummary writes the plain-text summary of a digest: alerts of the period by level, by
// rule and by account, each with the change against the previous period.
func DigestSummary(cur, prev []*alert.Alert, period time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d alerts in the last %s (%s against the period before).\n", len(cur), humanPeriod(period), trend(len(cur), len(prev)))
	section := func(title string, key func(*alert.Alert) string, limit int) {
		now, before := map[string]int{}, map[string]int{}
		for _, a := range cur {
			now[key(a)]++
		}
		for _, a := range prev {
			before[key(a)]++
		}
		keys := make([]string, 0, len(now))
		for k := range now {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(x, y string) int { return cmp.Or(cmp.Compare(now[y], now[x]), strings.Compare(x, y)) })
		if len(keys) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s:\n", title)
		for i, k := range keys {
			if i == limit {
				fmt.Fprintf(&b, "  … and %d more\n", len(keys)-limit)
				break
			}
			fmt.Fprintf(&b, "  %-48s %5d  (%s)\n", cmp.Or(k, "(none)"), now[k], trend(now[k], before[k]))
		}
	}
	section("By level", func(a *alert.Alert) string { return a.Level.String() }, 10)
	section("By rule", func(a *alert.Alert) string { return a.RuleTitle }, 15)
	section("By account", func(a *alert.Alert) string { return a.Account }, 10)
	return b.String()
}

func trend(now, before int) string {
	switch {
	case before == 0 && now == 0:
		return "no change"
	case before == 0:
		return "new"
	default:
		pct := (now - before) * 100 / before
		if pct >= 0 {
			return fmt.Sprintf("+%d%%", pct)
		}
		return fmt.Sprintf("%d%%", pct)
	}
}

func humanPeriod(d time.Duration) string {
	switch {
	case d%(7*24*time.Hour) == 0:
		return fmt.Sprintf("%d week(s)", d/(7*24*time.Hour))
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%d day(s)", d/(24*time.Hour))
	default:
		return d.String()
	}
}
