package daemon

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"go.yaml.in/yaml/v3"

	"picket/internal/alert"
	"picket/internal/config"
	"picket/internal/event"
	"picket/internal/job/insights"
	"picket/internal/rule"
)

// QuerySettings are the keys of a scheduled query job that say what its results raise; the
// other keys are the query's (package insights).
type QuerySettings struct {
	// Title is the alert title (default: "Scheduled query <name>").
	Title string
	// Level is the alerts' level (default medium).
	Level rule.Level
	// Tags are the alerts' tags (ATT&CK tags show in the console's coverage).
	Tags []string
	// GroupBy lists result fields whose values split the alerts (default: one alert per job).
	GroupBy []string
}

// splitQuerySettings takes the alerting keys out of a query job's settings.
func splitQuerySettings(n *yaml.Node, name string) (QuerySettings, *yaml.Node, error) {
	qs := QuerySettings{Title: "Scheduled query " + name, Level: rule.Medium}
	rest := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "title":
			qs.Title = v.Value
		case "level":
			err = qs.Level.UnmarshalText([]byte(v.Value))
		case "tags":
			err = v.Decode(&qs.Tags)
		case "group_by":
			err = v.Decode(&qs.GroupBy)
		default:
			rest.Content = append(rest.Content, k, v)
		}
		if err != nil {
			return qs, nil, fmt.Errorf("line %d: %s: %w", v.Line, k.Value, err)
		}
	}
	return qs, rest, nil
}

// queryJob builds a scheduled CloudWatch Logs Insights query job: each run queries the window
// ending now and raises a detection per result row (or one when the row count reaches the
// threshold), which fold into alerts and notify through the routes like any other. With d nil
// it only validates.
func (d *Daemon) queryJob(cfg *config.Config, j config.Job, g *generation) (func(context.Context) error, error) {
	qs, settings, err := splitQuerySettings(&j.Settings, j.Name)
	if err != nil {
		return nil, err
	}
	c := insights.DefaultConfig()
	if err := decodeSettings(settings, &c); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if d == nil {
		return nil, nil
	}
	job, err := insights.New(context.Background(), j.Name, c)
	if err != nil {
		return nil, err
	}
	ruleID := "picket-query-" + j.Name
	return func(ctx context.Context) error {
		to := d.clock().Truncate(time.Second)
		rows, err := job.Run(ctx, to.Add(-job.Window()), to)
		if err != nil {
			return err
		}
		ds := make([]alert.Detection, 0, len(rows))
		for _, row := range rows {
			raw, err := json.Marshal(row)
			if err != nil {
				return err
			}
			// The same row found by two overlapping runs is one event; a threshold result is
			// one event per window.
			idSrc := raw
			if c.Threshold > 0 {
				idSrc = fmt.Appendf(nil, "%s@%d", raw, to.Unix())
			}
			sum := sha256.Sum256(append([]byte(j.Name+"\x00"), idSrc...))
			when := to
			if ts, ok := row["@timestamp"]; ok {
				if t, err := time.Parse("2006-01-02 15:04:05.000", ts); err == nil {
					when = t
				}
			}
			group := map[string]string{}
			for _, f := range qs.GroupBy {
				group[f] = row[f]
			}
			ds = append(ds, alert.Detection{
				RuleID: ruleID, RuleTitle: qs.Title, Level: qs.Level, Tags: slices.Clone(qs.Tags), Kind: "detection",
				EventID: hex.EncodeToString(sum[:16]), EventTime: when, Source: "job/" + j.Name,
				LogSource: event.LogSource{Product: "aws", Service: "logs-insights"},
				Raw:       raw, GroupValues: maps.Clone(group), DetectedAt: d.clock(),
			})
		}
		if len(ds) == 0 {
			return nil
		}
		due, err := g.manager.Ingest(ctx, ds)
		if err != nil {
			return err
		}
		if g.router != nil {
			g.router.Observe(due, true)
		}
		d.logger.Info("scheduled query raised detections", "job", j.Name, "rows", len(rows))
		return nil
	}, nil
}
