package console

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"picket/internal/alert"
	"picket/internal/rule"
)

// inboxPageSize is the number of alerts on one inbox page.
const inboxPageSize = 50

// levelsDesc lists the levels from the most to the least severe, as the inbox orders them.
func levelsDesc() []rule.Level {
	return []rule.Level{rule.Critical, rule.High, rule.Medium, rule.Low, rule.Informational, rule.LevelUnknown}
}

// inboxFilter is the inbox's filter form.
type inboxFilter struct {
	Status string // open (default), acknowledged, resolved, active, all
	Level  string // a level name: only alerts of exactly that level; "" for all
	Rule   string
	Source string
	Text   string
}

// statusChoices are the values of the status filter, in display order.
var statusChoices = []struct{ Value, Label string }{
	{"open", "Open"}, {"acknowledged", "Acknowledged"}, {"active", "Open or acknowledged"},
	{"resolved", "Resolved"}, {"all", "All"},
}

// parseInboxFilter reads the filter from a query string.
func parseInboxFilter(q url.Values) (inboxFilter, error) {
	f := inboxFilter{
		Status: cmp.Or(q.Get("status"), "open"),
		Level:  q.Get("level"),
		Rule:   strings.TrimSpace(q.Get("rule")),
		Source: strings.TrimSpace(q.Get("source")),
		Text:   strings.TrimSpace(q.Get("q")),
	}
	if !slices.ContainsFunc(statusChoices, func(c struct{ Value, Label string }) bool { return c.Value == f.Status }) {
		return f, fmt.Errorf("unknown status %q: %w", f.Status, errBadRequest)
	}
	if f.Level != "" && f.Level != "unknown" {
		if _, ok := rule.ParseLevel(f.Level); !ok {
			return f, fmt.Errorf("unknown level %q: %w", f.Level, errBadRequest)
		}
	}
	return f, nil
}

// query returns the alert query of the filter, the level aside (the inbox counts per level).
func (f inboxFilter) query() alert.Query {
	q := alert.Query{RuleID: f.Rule, Source: f.Source, Text: f.Text, Limit: alert.MaxLimit}
	switch f.Status {
	case "open":
		q.Status = []alert.Status{alert.StatusOpen}
	case "acknowledged":
		q.Status = []alert.Status{alert.StatusAcknowledged}
	case "resolved":
		q.Status = []alert.Status{alert.StatusResolved}
	case "active":
		q.Status = []alert.Status{alert.StatusOpen, alert.StatusAcknowledged}
	}
	return q
}

// values encodes the filter for links; empty fields and the default status are left out.
func (f inboxFilter) values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.Status != "open" {
		set("status", f.Status)
	}
	set("level", f.Level)
	set("rule", f.Rule)
	set("source", f.Source)
	set("q", f.Text)
	return v
}

// inboxView is the data of the inbox page.
type inboxView struct {
	Filter    inboxFilter
	Statuses  []choice
	Levels    []levelCount
	Total     int // alerts matching the filter, every level
	Shown     int // alerts matching the filter and the level
	Alerts    []*alert.Alert
	Next      string // URL of the next page, or ""
	First     string // URL of the first page when on a later one
	Truncated bool   // more than alert.MaxLimit alerts matched: counts are lower bounds
	Back      string // the filter, as a query string, for the bulk action's redirect
	Limit     int
}

// choice is one option of a select element.
type choice struct {
	Value, Label string
	Selected     bool
}

// levelCount is the number of alerts of one level, with the link filtering on it.
type levelCount struct {
	Name     string
	Count    int
	Link     string
	Selected bool
}

// inbox renders the alerts inbox: the filtered alerts sorted by level then recency.
func (c *console) inbox(w http.ResponseWriter, r *http.Request) {
	f, err := parseInboxFilter(r.URL.Query())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	all, err := c.deps.Alerts.List(r.Context(), f.query())
	if err != nil {
		c.fail(w, r, fmt.Errorf("listing alerts: %w", err))
		return
	}
	v := inboxView{Filter: f, Total: len(all), Truncated: len(all) >= alert.MaxLimit, Limit: alert.MaxLimit}
	for _, s := range statusChoices {
		v.Statuses = append(v.Statuses, choice{s.Value, s.Label, s.Value == f.Status})
	}
	counts := make(map[rule.Level]int)
	for _, a := range all {
		counts[a.Level]++
	}
	for _, l := range levelsDesc() {
		if l == rule.LevelUnknown && counts[l] == 0 {
			continue
		}
		lf := f
		lf.Level = levelName(l)
		if f.Level == lf.Level {
			lf.Level = "" // the selected level links back to every level
		}
		v.Levels = append(v.Levels, levelCount{
			Name: levelName(l), Count: counts[l], Link: c.listURL("/alerts", lf.values()),
			Selected: f.Level == levelName(l),
		})
	}
	if f.Level != "" {
		all = slices.DeleteFunc(all, func(a *alert.Alert) bool { return levelName(a.Level) != f.Level })
	}
	v.Shown = len(all)
	slices.SortFunc(all, inboxCompare)
	after := r.URL.Query().Get("after")
	if after != "" {
		pos, err := parseInboxCursor(after)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		i := slices.IndexFunc(all, pos.before)
		if i < 0 {
			i = len(all)
		}
		all = all[i:]
		v.First = c.listURL("/alerts", f.values())
	}
	if len(all) > inboxPageSize {
		all = all[:inboxPageSize]
		nv := f.values()
		nv.Set("after", inboxCursor(all[len(all)-1]))
		v.Next = c.listURL("/alerts", nv)
	}
	v.Alerts = all
	v.Back = f.values().Encode()
	c.render(w, r, http.StatusOK, "inbox", pageData{Title: "Alerts", Nav: "alerts", Flash: flash(r), Data: v})
}

// listURL returns the URL of a console page with a query string.
func (c *console) listURL(p string, q url.Values) string {
	if len(q) == 0 {
		return c.path(p)
	}
	return c.path(p) + "?" + q.Encode()
}

// inboxCompare orders alerts by level (most severe first), then as alert.List does (most
// recently seen first).
func inboxCompare(a, b *alert.Alert) int {
	if a.Level != b.Level {
		return cmp.Compare(b.Level, a.Level)
	}
	switch {
	case alert.ListLess(a, b):
		return -1
	case alert.ListLess(b, a):
		return 1
	}
	return 0
}

// inboxPos is a position in inbox order: the last alert of the previous page.
type inboxPos struct {
	level    rule.Level
	lastSeen time.Time
	id       string
}

// before reports whether a comes after the position, in inbox order.
func (p inboxPos) before(a *alert.Alert) bool {
	if a.Level != p.level {
		return a.Level < p.level
	}
	return alert.AfterCursor(a, p.lastSeen, p.id)
}

// inboxCursor encodes the inbox position of a: its level, then its alert.List cursor.
func inboxCursor(a *alert.Alert) string {
	return strconv.Itoa(int(a.Level)) + "." + a.Cursor()
}

// parseInboxCursor decodes an inboxCursor.
func parseInboxCursor(s string) (inboxPos, error) {
	ls, rest, ok := strings.Cut(s, ".")
	n, err := strconv.Atoi(ls)
	if !ok || err != nil || n < int(rule.LevelUnknown) || n > int(rule.Critical) {
		return inboxPos{}, fmt.Errorf("malformed cursor %q: %w", s, errBadRequest)
	}
	t, id, err := alert.ParseCursor(rest)
	if err != nil {
		return inboxPos{}, fmt.Errorf("malformed cursor: %w", errors.Join(errBadRequest, err))
	}
	return inboxPos{level: rule.Level(n), lastSeen: t, id: id}, nil
}

// bulkAcknowledge acknowledges the alerts checked in the inbox. Alerts that are no longer open
// are skipped and counted; any other error stops the batch.
func (c *console) bulkAcknowledge(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		c.fail(w, r, err)
		return
	}
	ids := r.PostForm["id"]
	comment := limitText(r.PostForm.Get("comment"))
	actor := c.user(r)
	var done, skipped int
	for _, id := range ids {
		_, err := c.deps.Alerts.Acknowledge(r.Context(), id, actor, comment)
		switch {
		case err == nil:
			done++
			c.record(r, "alert.ack", id, comment)
		case errors.Is(err, alert.ErrInvalidTransition), errors.Is(err, alert.ErrNotFound):
			skipped++
		default:
			c.fail(w, r, fmt.Errorf("acknowledging alert %s: %w", id, err))
			return
		}
	}
	back, err := url.ParseQuery(r.PostForm.Get("back"))
	if err != nil {
		back = url.Values{}
	}
	f, err := parseInboxFilter(back)
	if err != nil {
		f = inboxFilter{Status: "open"}
	}
	q := f.values()
	q.Set("ok", "bulk")
	q.Set("n", strconv.Itoa(done))
	q.Set("skipped", strconv.Itoa(skipped))
	http.Redirect(w, r, c.listURL("/alerts", q), http.StatusSeeOther)
}

// maxTextRunes bounds comments and reasons typed into forms.
const maxTextRunes = 2000

// limitText trims a comment and cuts it to maxTextRunes.
func limitText(s string) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > maxTextRunes {
		s = string(r[:maxTextRunes])
	}
	return s
}

// flash returns the confirmation a redirect after an action asks for with ?ok=…; only fixed
// messages and numbers are shown, never text from the query string.
func flash(r *http.Request) string {
	q := r.URL.Query()
	switch q.Get("ok") {
	case "acknowledged":
		return "Alert acknowledged."
	case "resolved":
		return "Alert resolved."
	case "reopened":
		return "Alert reopened."
	case "silenced":
		return "Silence created."
	case "enabled":
		return "Rule enabled."
	case "disabled":
		return "Rule disabled."
	case "expired":
		return "Silence expired."
	case "bulk":
		n, _ := strconv.Atoi(q.Get("n"))
		s := fmt.Sprintf("Acknowledged %d %s.", n, pluralize(n, "alert", "alerts"))
		if k, _ := strconv.Atoi(q.Get("skipped")); k > 0 {
			s += fmt.Sprintf(" %d skipped (no longer open).", k)
		}
		return s
	}
	return ""
}

// pluralize picks the singular or plural form for n.
func pluralize(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
