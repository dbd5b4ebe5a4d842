package console

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"

	"picket/internal/alert"
)

// silenceView is one row of the silences page.
type silenceView struct {
	alert.Silence
	State    string // active, pending or expired
	Matchers []string
}

// silences lists every silence: active ones first, then pending, then expired, the latest
// expiry first within each.
func (c *console) silences(w http.ResponseWriter, r *http.Request) {
	ss, err := c.deps.Alerts.Silences(r.Context(), false)
	if err != nil {
		c.fail(w, r, fmt.Errorf("listing silences: %w", err))
		return
	}
	now := c.now()
	views := make([]silenceView, 0, len(ss))
	for _, s := range ss {
		st := "expired"
		switch {
		case s.Active(now):
			st = "active"
		case now.Before(s.StartsAt):
			st = "pending"
		}
		views = append(views, silenceView{Silence: s, State: st, Matchers: matcherStrings(s.Matchers)})
	}
	rank := map[string]int{"active": 0, "pending": 1, "expired": 2}
	slices.SortStableFunc(views, func(a, b silenceView) int {
		return cmp.Or(cmp.Compare(rank[a.State], rank[b.State]), b.EndsAt.Compare(a.EndsAt))
	})
	c.render(w, r, http.StatusOK, "silences", pageData{Title: "Silences", Nav: "silences", Flash: flash(r), Data: views})
}

// expireSilence ends a silence now on behalf of the user.
func (c *console) expireSilence(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		c.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	if err := c.deps.Alerts.ExpireSilence(r.Context(), id, c.user(r)); err != nil {
		c.fail(w, r, fmt.Errorf("expiring silence %s: %w", id, err))
		return
	}
	c.record(r, "silence.expire", id, "")
	c.redirect(w, r, "/silences?ok=expired")
}
