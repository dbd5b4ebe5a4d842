package console

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"picket/internal/alert"
)

const (
	// previewWindow is how far back the preview of a silence looks, as in the API.
	previewWindow = 7 * 24 * time.Hour
	// previewShown caps the alerts a preview lists.
	previewShown = 100
)

// silencesView is the data of the silences page.
type silencesView struct {
	Silences   []silenceView
	Form       silenceForm
	Errors     silenceFormErrors
	CanPreview bool            // Deps.Alerts is a SilencePreviewer
	Previewing bool            // the form was sent with the preview button
	Preview    *silencePreview // the result of the preview, or nil
	MaxHours   int
}

// silenceView is one row of the silences page.
type silenceView struct {
	alert.Silence
	State    string // active, pending or expired
	Matchers []string
}

// silencePreview lists the open alerts the silence of the form would match.
type silencePreview struct {
	Alerts []*alert.Alert // at most previewShown
	Total  int
	Since  time.Time
}

// silences shows the form to create a silence and lists every silence.
func (c *console) silences(w http.ResponseWriter, r *http.Request) {
	c.renderSilences(w, r, http.StatusOK, silencesView{Form: defaultSilenceForm()})
}

// renderSilences renders the silences page with the form state of v: active silences first,
// then pending, then expired, the latest expiry first within each.
func (c *console) renderSilences(w http.ResponseWriter, r *http.Request, code int, v silencesView) {
	ss, err := c.deps.Alerts.Silences(r.Context(), false)
	if err != nil {
		c.fail(w, r, fmt.Errorf("listing silences: %w", err))
		return
	}
	now := c.now()
	v.Silences = make([]silenceView, 0, len(ss))
	for _, s := range ss {
		st := "expired"
		switch {
		case s.Active(now):
			st = "active"
		case now.Before(s.StartsAt):
			st = "pending"
		}
		v.Silences = append(v.Silences, silenceView{Silence: s, State: st, Matchers: matcherStrings(s.Matchers)})
	}
	rank := map[string]int{"active": 0, "pending": 1, "expired": 2}
	slices.SortStableFunc(v.Silences, func(a, b silenceView) int {
		return cmp.Or(cmp.Compare(rank[a.State], rank[b.State]), b.EndsAt.Compare(a.EndsAt))
	})
	_, v.CanPreview = c.deps.Alerts.(SilencePreviewer)
	v.MaxHours = maxSilenceHours
	c.render(w, r, code, "silences", pageData{Title: "Silences", Nav: "silences", Flash: flash(r), Data: v})
}

// createSilence creates the silence of the form on behalf of the user, or shows the form again
// with its problems (400).
func (c *console) createSilence(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		c.fail(w, r, err)
		return
	}
	form := readSilenceForm(r.PostForm)
	s, errs := form.silence(c.now())
	if errs.Any() {
		c.renderSilences(w, r, http.StatusBadRequest, silencesView{Form: form, Errors: errs})
		return
	}
	s.Author = c.user(r)
	created, err := c.deps.Alerts.AddSilence(r.Context(), s)
	switch {
	case errors.Is(err, alert.ErrInvalid):
		errs.Form = "The silence was refused: " + err.Error()
		c.renderSilences(w, r, http.StatusBadRequest, silencesView{Form: form, Errors: errs})
		return
	case err != nil:
		c.fail(w, r, fmt.Errorf("creating silence: %w", err))
		return
	}
	c.record(r, "silence.create", created.ID, silenceDetail(created))
	c.redirect(w, r, "/silences?ok=silenced")
}

// previewSilence shows the page with the form as typed and the open alerts, last seen within
// previewWindow, that its matchers select. It changes nothing.
func (c *console) previewSilence(w http.ResponseWriter, r *http.Request) {
	p, ok := c.deps.Alerts.(SilencePreviewer)
	if !ok {
		c.notFound(w, r)
		return
	}
	if err := parseForm(w, r); err != nil {
		c.fail(w, r, err)
		return
	}
	v := silencesView{Form: readSilenceForm(r.PostForm), Previewing: true}
	ms, problems := parseMatchers(v.Form.Matchers)
	if len(problems) > 0 {
		v.Errors.Matchers = problems
		c.renderSilences(w, r, http.StatusBadRequest, v)
		return
	}
	since := c.now().Add(-previewWindow)
	as, err := p.PreviewSilence(r.Context(), alert.Silence{Matchers: ms}, since)
	switch {
	case errors.Is(err, alert.ErrInvalid):
		v.Errors.Matchers = []string{err.Error()}
		c.renderSilences(w, r, http.StatusBadRequest, v)
		return
	case err != nil:
		c.fail(w, r, fmt.Errorf("previewing silence: %w", err))
		return
	}
	open := slices.DeleteFunc(as, func(a *alert.Alert) bool { return a.Status != alert.StatusOpen })
	v.Preview = &silencePreview{Alerts: open[:min(len(open), previewShown)], Total: len(open), Since: since}
	c.renderSilences(w, r, http.StatusOK, v)
}

// silenceDetail is the detail of a silence.create audit entry: the matchers and the comment.
func silenceDetail(s alert.Silence) string {
	return strings.Join(matcherStrings(s.Matchers), ", ") + ": " + s.Comment
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
