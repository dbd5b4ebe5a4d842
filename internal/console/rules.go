package console

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"picket/internal/alert"
	"picket/internal/audit"
	"picket/internal/catalog"
)

// ruleDetectionsShown is how many recent detections a rule page lists.
const ruleDetectionsShown = 25

// rulesView is the data of the rules page.
type rulesView struct {
	Rules  []catalog.Rule
	Total  int
	Query  string
	Tag    string
	State  string // "", enabled or disabled
	States []choice
}

// rules lists the loaded rules, optionally filtered by text, tag and state.
func (c *console) rules(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := rulesView{Query: strings.TrimSpace(q.Get("q")), Tag: strings.TrimSpace(q.Get("tag")), State: q.Get("state")}
	if v.State != "" && v.State != "enabled" && v.State != "disabled" {
		c.fail(w, r, fmt.Errorf("unknown state %q: %w", v.State, errBadRequest))
		return
	}
	for _, s := range []choice{{"", "All", false}, {"enabled", "Enabled", false}, {"disabled", "Disabled", false}} {
		s.Selected = s.Value == v.State
		v.States = append(v.States, s)
	}
	all, err := c.deps.Catalog.List(r.Context())
	if err != nil {
		c.fail(w, r, fmt.Errorf("listing rules: %w", err))
		return
	}
	v.Total = len(all)
	text := strings.ToLower(v.Query)
	v.Rules = slices.DeleteFunc(all, func(rl catalog.Rule) bool {
		switch {
		case text != "" && !strings.Contains(strings.ToLower(rl.ID+"\x00"+rl.Title), text):
			return true
		case v.Tag != "" && !slices.ContainsFunc(rl.Tags, func(t string) bool { return strings.EqualFold(t, v.Tag) }):
			return true
		case v.State == "enabled" && !rl.Enabled, v.State == "disabled" && rl.Enabled:
			return true
		}
		return false
	})
	c.render(w, r, http.StatusOK, "rules", pageData{Title: "Rules", Nav: "rules", Flash: flash(r), Data: v})
}

// ruleView is the data of a rule page.
type ruleView struct {
	Rule       catalog.Rule
	Tags       []tagView
	Detections []*alert.Detection
	Changes    []audit.Entry // rule.enable and rule.disable entries of the audit log
}

// rulePage shows one rule: metadata, YAML and recent detections.
func (c *console) rulePage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	rl, err := c.deps.Catalog.Get(ctx, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, fmt.Errorf("reading rule: %w", err))
		return
	}
	ds, err := c.deps.Detections.Detections(ctx, alert.DetectionQuery{RuleID: rl.ID, Limit: ruleDetectionsShown})
	if err != nil {
		c.fail(w, r, fmt.Errorf("listing detections of rule %s: %w", rl.ID, err))
		return
	}
	v := ruleView{Rule: rl, Tags: tagViews(rl.Tags), Detections: ds}
	changes, err := c.auditEntries(ctx, audit.Query{Target: rl.ID, Limit: ruleDetectionsShown})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	v.Changes = slices.DeleteFunc(changes, func(e audit.Entry) bool { return !strings.HasPrefix(e.Action, "rule.") })
	c.render(w, r, http.StatusOK, "rule", pageData{Title: rl.Title, Nav: "rules", Flash: flash(r), Data: v})
}

// ruleAction enables or disables a rule, then returns to the rule's page or the list.
func (c *console) ruleAction(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		c.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	var enable bool
	switch r.PathValue("action") {
	case "enable":
		enable = true
	case "disable":
	default:
		c.notFound(w, r)
		return
	}
	if err := c.deps.Catalog.SetEnabled(r.Context(), id, enable, c.user(r)); err != nil {
		c.fail(w, r, fmt.Errorf("switching rule %s: %w", id, err))
		return
	}
	done, action := "disabled", "rule.disable"
	if enable {
		done, action = "enabled", "rule.enable"
	}
	c.record(r, action, id, "")
	if r.PostForm.Get("back") == "list" {
		c.redirect(w, r, "/rules?ok="+done+"#rule-"+url.PathEscape(id))
		return
	}
	c.redirect(w, r, "/rules/"+url.PathEscape(id)+"?ok="+done)
}
