package console

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"picket/internal/alert"
	"picket/internal/audit"
	"picket/internal/catalog"
)

const (
	// timelineLimit caps the detections listed on an alert page.
	timelineLimit = 200
	// evidenceShown is how many of the latest detections are shown pretty-printed.
	evidenceShown = 5
	// maxSilenceHours bounds a silence created from an alert page (30 days).
	maxSilenceHours = 720
)

// alertView is the data of the alert page.
type alertView struct {
	Alert      *alert.Alert
	Rule       catalog.Rule
	RuleKnown  bool
	Tags       []tagView
	Group      []keyValue
	Timeline   []*alert.Detection
	MoreInRepo bool // the timeline shows only the latest timelineLimit detections
	Evidence   []evidenceView
	Why        *Explanation
	WhyNote    string // why there is no explanation
	History    []alert.Change
	Comments   []audit.Entry // comments from the audit log (added through the API)
	CanAck     bool
	CanResolve bool
	CanReopen  bool
	Matchers   []string // what a silence from this page would match
}

// tagView is a rule tag, with its ATT&CK page when it names a technique.
type tagView struct{ Tag, URL string }

// keyValue is one group value.
type keyValue struct{ Key, Value string }

// evidenceView is one detection's event, pretty-printed.
type evidenceView struct {
	Detection *alert.Detection
	Doc       jsonDoc
	Explained bool
}

// alertPage renders one alert.
func (c *console) alertPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, err := c.deps.Alerts.Get(ctx, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, fmt.Errorf("reading alert: %w", err))
		return
	}
	v := alertView{
		Alert: a, Tags: tagViews(a.Tags), Group: sortedGroup(a.Group), History: a.History,
		CanAck: a.Status == alert.StatusOpen, CanResolve: a.Status.Active(), CanReopen: a.Status == alert.StatusResolved,
		Matchers: matcherStrings(silenceMatchers(a)),
	}
	switch rl, err := c.deps.Catalog.Get(ctx, a.RuleID); {
	case err == nil:
		v.Rule, v.RuleKnown = rl, true
		if len(rl.Tags) > 0 {
			v.Tags = tagViews(rl.Tags)
		}
	case !errors.Is(err, catalog.ErrNotFound):
		c.fail(w, r, fmt.Errorf("reading rule %s: %w", a.RuleID, err))
		return
	}
	ds, err := c.deps.Detections.Detections(ctx, alert.DetectionQuery{AlertID: a.ID, Limit: timelineLimit})
	if err != nil {
		c.fail(w, r, fmt.Errorf("listing detections of alert %s: %w", a.ID, err))
		return
	}
	v.Timeline, v.MoreInRepo = ds, len(ds) >= timelineLimit && a.Count > len(ds)
	v.Evidence, v.Why, v.WhyNote = c.evidence(ctx, a, ds)
	if v.Comments, err = c.auditEntries(ctx, audit.Query{Action: "alert.comment", Target: a.ID}); err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "alert", pageData{Title: a.RuleTitle, Nav: "alerts", Flash: flash(r), Data: v})
}

// evidence pretty-prints the latest detections' events and explains them. The first
// explanation that succeeds is the page's "why it fired".
func (c *console) evidence(ctx context.Context, a *alert.Alert, ds []*alert.Detection) ([]evidenceView, *Explanation, string) {
	groups := slices.Collect(maps.Keys(a.Group))
	var (
		out []evidenceView
		why *Explanation
	)
	note := "No explanation is available: the console was started without one."
	if c.deps.Explain != nil {
		note = "No explanation is available for these events."
	}
	for _, d := range ds[:min(len(ds), evidenceShown)] {
		var x *Explanation
		if c.deps.Explain != nil && len(d.Raw) > 0 {
			var err error
			x, err = c.deps.Explain(ctx, d.RuleID, d.Raw)
			if err != nil {
				c.log.DebugContext(ctx, "explaining detection", "detection", d.ID, "rule", d.RuleID, "err", err)
				x = nil
			}
		}
		if why == nil && x != nil {
			why = x
		}
		out = append(out, evidenceView{Detection: d, Doc: prettyJSON(d.Raw, x.MatchedFields(), groups), Explained: x != nil})
	}
	return out, why, note
}

// tagViews links the ATT&CK technique tags.
func tagViews(tags []string) []tagView {
	out := make([]tagView, 0, len(tags))
	for _, t := range tags {
		out = append(out, tagView{Tag: t, URL: attackURL(t)})
	}
	return out
}

// sortedGroup returns the group values in key order.
func sortedGroup(g map[string]string) []keyValue {
	out := make([]keyValue, 0, len(g))
	for _, k := range slices.Sorted(maps.Keys(g)) {
		out = append(out, keyValue{k, g[k]})
	}
	return out
}

// silenceMatchers select the alerts of a's rule with a's group values.
func silenceMatchers(a *alert.Alert) []alert.Matcher {
	ms := []alert.Matcher{{Field: alert.FieldRuleID, Op: alert.OpEqual, Value: a.RuleID}}
	for _, kv := range sortedGroup(a.Group) {
		ms = append(ms, alert.Matcher{Field: "group." + kv.Key, Op: alert.OpEqual, Value: kv.Value})
	}
	return ms
}

// matcherStrings renders matchers for people.
func matcherStrings(ms []alert.Matcher) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.String()
	}
	return out
}

// alertAction runs an action from the alert page and redirects back to it.
func (c *console) alertAction(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		c.fail(w, r, err)
		return
	}
	ctx, id, actor := r.Context(), r.PathValue("id"), c.user(r)
	comment := limitText(r.PostForm.Get("comment"))
	var (
		err                           error
		done, audited, target, detail = "", "", id, comment
	)
	switch action := r.PathValue("action"); action {
	case "acknowledge":
		_, err = c.deps.Alerts.Acknowledge(ctx, id, actor, comment)
		done, audited = "acknowledged", "alert.ack"
	case "resolve":
		_, err = c.deps.Alerts.Resolve(ctx, id, actor, comment)
		done, audited = "resolved", "alert.resolve"
	case "reopen":
		_, err = c.deps.Alerts.Reopen(ctx, id, actor, comment)
		done, audited = "reopened", "alert.reopen"
	case "silence":
		var s alert.Silence
		s, err = c.silenceAlert(ctx, r, id, actor)
		done, audited = "silenced", "silence.create"
		target, detail = s.ID, silenceDetail(s)
	default:
		c.notFound(w, r)
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.record(r, audited, target, detail)
	c.redirect(w, r, "/alerts/"+url.PathEscape(id)+"?ok="+done)
}

// silenceAlert creates and returns a silence for the alert's rule and group values, for the number of hours
// and with the reason of the form.
func (c *console) silenceAlert(ctx context.Context, r *http.Request, id, actor string) (alert.Silence, error) {
	a, err := c.deps.Alerts.Get(ctx, id)
	if err != nil {
		return alert.Silence{}, fmt.Errorf("reading alert: %w", err)
	}
	hours, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("hours")))
	if err != nil || hours < 1 || hours > maxSilenceHours {
		return alert.Silence{}, fmt.Errorf("the duration must be a whole number of hours between 1 and %d: %w", maxSilenceHours, errBadRequest)
	}
	reason := limitText(r.PostForm.Get("reason"))
	if reason == "" {
		return alert.Silence{}, fmt.Errorf("a silence needs a reason: %w", errBadRequest)
	}
	now := c.now()
	s := alert.Silence{
		Matchers: silenceMatchers(a), Author: actor, Comment: reason,
		StartsAt: now, EndsAt: now.Add(time.Duration(hours) * time.Hour),
	}
	created, err := c.deps.Alerts.AddSilence(ctx, s)
	if err != nil {
		return alert.Silence{}, fmt.Errorf("creating silence: %w", err)
	}
	return created, nil
}
