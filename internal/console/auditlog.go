package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"picket/internal/audit"
)

const (
	// auditPageSize is the number of entries on one page of the audit log.
	auditPageSize = 50
	// maxAuditSkip bounds the skip of an audit cursor so that a page query stays within
	// audit.MaxLimit.
	maxAuditSkip = audit.MaxLimit - auditPageSize - 1
)

// auditActions are the action names the filter suggests: those the console and the API record.
var auditActions = []string{
	"alert.ack", "alert.resolve", "alert.reopen", "alert.comment", "silence.create", "silence.expire",
	"rule.enable", "rule.disable", "receiver.test", "notification.retry", "login.failed",
}

// auditFilter is the audit log's filter form; every field is an exact match.
type auditFilter struct{ Actor, Action, Target string }

// values encodes the filter for links; empty fields are left out.
func (f auditFilter) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"actor": f.Actor, "action": f.Action, "target": f.Target} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// auditView is the data of the audit log page.
type auditView struct {
	Configured bool // there is an audit log (Deps.Audit)
	Filter     auditFilter
	Filtered   bool
	Actions    []string
	Entries    []auditRow
	Older      string // URL of the next, older page, or ""
	Newest     string // URL of the first page when on a later one
}

// auditRow is one entry, with a link to its target when the console has a page for it.
type auditRow struct {
	audit.Entry
	TargetURL string
}

// auditPos is where a page of the audit log starts: the entries at or before Until, less the
// first Skip of them (entries recorded at Until that an earlier page showed). Entries may
// share a time, so Until alone, which List treats as exclusive, could skip some.
type auditPos struct {
	Until time.Time
	Skip  int
}

// parseAuditPos reads the position from a query string; none is the newest entry.
func parseAuditPos(q url.Values) (auditPos, error) {
	var p auditPos
	if s := q.Get("until"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return p, fmt.Errorf("malformed until %q: %w", s, errBadRequest)
		}
		p.Until = t
	}
	if s := q.Get("skip"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > maxAuditSkip || p.Until.IsZero() {
			return p, fmt.Errorf("malformed skip %q: %w", s, errBadRequest)
		}
		p.Skip = n
	}
	return p, nil
}

// values encodes the position for the older link.
func (p auditPos) values(v url.Values) url.Values {
	v.Set("until", p.Until.UTC().Format(time.RFC3339Nano))
	if p.Skip > 0 {
		v.Set("skip", strconv.Itoa(p.Skip))
	}
	return v
}

// next returns the position after a page that started at p and ended with es (not empty).
func (p auditPos) next(es []audit.Entry) auditPos {
	last := es[len(es)-1].Time
	n := auditPos{Until: last}
	for _, e := range es {
		if e.Time.Equal(last) {
			n.Skip++
		}
	}
	if p.Until.Equal(last) {
		n.Skip += p.Skip
	}
	if n.Skip > maxAuditSkip {
		// Hundreds of entries at one instant: go on with the strictly older ones.
		n = auditPos{Until: last.Add(-time.Nanosecond)}
	}
	return n
}

// auditLog lists the audit log, newest first, a page at a time.
func (c *console) auditLog(w http.ResponseWriter, r *http.Request) {
	pd := pageData{Title: "Audit log", Nav: "audit"}
	if c.deps.Audit == nil {
		pd.Data = auditView{}
		c.render(w, r, http.StatusOK, "audit", pd)
		return
	}
	q := r.URL.Query()
	f := auditFilter{
		Actor:  strings.TrimSpace(q.Get("actor")),
		Action: strings.TrimSpace(q.Get("action")),
		Target: strings.TrimSpace(q.Get("target")),
	}
	pos, err := parseAuditPos(q)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	aq := audit.Query{Actor: f.Actor, Action: f.Action, Target: f.Target, Limit: pos.Skip + auditPageSize + 1}
	if !pos.Until.IsZero() {
		aq.Until = pos.Until.Add(time.Nanosecond) // List's Until is exclusive
	}
	es, err := c.auditEntries(r.Context(), aq)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	es = es[min(pos.Skip, len(es)):]
	more := len(es) > auditPageSize
	es = es[:min(len(es), auditPageSize)]
	v := auditView{Configured: true, Filter: f, Filtered: len(f.values()) > 0, Actions: auditActions}
	for _, e := range es {
		v.Entries = append(v.Entries, auditRow{Entry: e, TargetURL: c.targetURL(e)})
	}
	if more {
		v.Older = c.listURL("/audit", pos.next(es).values(f.values()))
	}
	if !pos.Until.IsZero() {
		v.Newest = c.listURL("/audit", f.values())
	}
	pd.Data = v
	c.render(w, r, http.StatusOK, "audit", pd)
}

// targetURL links the target of an entry to its console page, or returns "" when the console
// has none.
func (c *console) targetURL(e audit.Entry) string {
	if e.Target == "" {
		return ""
	}
	kind, _, _ := strings.Cut(e.Action, ".")
	switch kind {
	case "alert":
		return c.path("/alerts/" + url.PathEscape(e.Target))
	case "rule":
		return c.path("/rules/" + url.PathEscape(e.Target))
	case "silence":
		return c.path("/silences") + "#silence-" + url.PathEscape(e.Target)
	}
	return ""
}
