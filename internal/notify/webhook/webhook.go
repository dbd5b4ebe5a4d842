// Package webhook is picket's generic webhook channel: it POSTs every notification as the
// versioned JSON body documented in the README (version "1"), with the notification id as
// Idempotency-Key (stable across retries and restarts, so receivers can drop duplicates) and,
// when a secret is configured, an X-Picket-Signature header: "sha256=" followed by the hex
// HMAC-SHA256 of the exact body bytes.
//
// The body is a stable contract: fields are only ever added. Empty lists and maps are sent as
// [] and {} rather than null or left out, so that consumers need no special cases.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"picket/internal/config"
	"picket/internal/notify"
	"picket/internal/notify/httpx"
)

// Version is the version of the body format.
const Version = "1"

//go:embed sample.yaml
var sample []byte

// Sample returns the commented sample configuration.
func Sample() []byte { return append([]byte(nil), sample...) }

// Notifier posts notifications to one webhook. It is safe for concurrent use.
type Notifier struct {
	name    string
	url     string
	key     []byte // HMAC key; nil when unsigned
	header  http.Header
	secrets []string
	sender  *httpx.Sender
}

// New validates c, resolves its secrets and returns the notifier of receiver name.
func New(name string, c Config, deps notify.Deps) (*Notifier, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("webhook receiver %q: %w", name, err)
	}
	u, err := httpx.ResolveURL("url", c.URL, c.URLFile)
	if err != nil {
		return nil, fmt.Errorf("webhook receiver %q: %w", name, err)
	}
	sec, err := config.ResolveSecret("secret", c.Secret, c.SecretFile, false)
	if err != nil {
		return nil, fmt.Errorf("webhook receiver %q: %w", name, err)
	}
	s, err := httpx.NewSender(deps, c.InsecureSkipVerify)
	if err != nil {
		return nil, fmt.Errorf("webhook receiver %q: %w", name, err)
	}
	n := &Notifier{name: name, url: u, header: http.Header{}, sender: s}
	if sec != "" {
		n.key = []byte(sec.Reveal())
		n.secrets = append(n.secrets, sec.Reveal())
	}
	for k, v := range c.Headers {
		n.header.Set(k, v.Reveal())
		n.secrets = append(n.secrets, v.Reveal())
	}
	return n, nil
}

// Notify posts n. See notify.Notifier for the meaning of retry.
func (w *Notifier) Notify(ctx context.Context, n *notify.Notification) (retry bool, err error) {
	body, err := Body(n)
	if err != nil {
		return false, err
	}
	h := w.header.Clone()
	h.Set("Idempotency-Key", n.ID)
	if w.key != nil {
		h.Set("X-Picket-Signature", Sign(w.key, body))
	}
	return w.sender.PostJSON(ctx, w.url, h, body, w.secrets...)
}

// Sign returns the X-Picket-Signature value of body under key: "sha256=<hex HMAC-SHA256>".
func Sign(key, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether signature is the valid X-Picket-Signature of body under key, in
// constant time. Receivers written in Go can use it.
func Verify(key, body []byte, signature string) bool {
	return hmac.Equal([]byte(Sign(key, body)), []byte(signature))
}

// payload is the version 1 body.
type payload struct {
	Version        string         `json:"version"`
	Receiver       string         `json:"receiver"`
	Status         notify.Status  `json:"status"`
	NotificationID string         `json:"notification_id"`
	Alerts         []payloadAlert `json:"alerts"`
	// Summary is the plain-text summary of a digest; absent otherwise.
	Summary string `json:"summary,omitempty"`
}

type payloadAlert struct {
	ID            string            `json:"id"`
	Fingerprint   string            `json:"fingerprint"`
	Status        string            `json:"status"`
	Rule          payloadRule       `json:"rule"`
	Source        string            `json:"source"`
	FirstSeen     time.Time         `json:"first_seen"`
	LastSeen      time.Time         `json:"last_seen"`
	Count         int               `json:"count"`
	Group         map[string]string `json:"group"`
	Events        []payloadEvent    `json:"events"`
	EventsOmitted int               `json:"events_omitted"`
	URL           string            `json:"url"`
}

type payloadRule struct {
	ID    string   `json:"id"`
	Title string   `json:"title"`
	Level string   `json:"level"`
	Tags  []string `json:"tags"`
}

type payloadEvent struct {
	ID     string          `json:"id"`
	Time   time.Time       `json:"time"`
	Source string          `json:"source"`
	Data   json.RawMessage `json:"data"`
}

// Body returns the version 1 JSON body of n, the bytes the signature covers.
func Body(n *notify.Notification) ([]byte, error) {
	p := payload{Version: Version, Receiver: n.Receiver, Status: n.Status, NotificationID: n.ID,
		Alerts: make([]payloadAlert, 0, len(n.Alerts)), Summary: n.Summary}
	for _, a := range n.Alerts {
		pa := payloadAlert{
			ID: a.ID, Fingerprint: a.Fingerprint, Status: string(a.Status),
			Rule:   payloadRule{ID: a.RuleID, Title: a.RuleTitle, Level: a.Level.String(), Tags: a.Tags},
			Source: a.Source, FirstSeen: a.FirstSeen.UTC(), LastSeen: a.LastSeen.UTC(), Count: a.Count,
			Group: a.Group, Events: make([]payloadEvent, 0, len(a.Events)),
			EventsOmitted: a.EventsOmitted, URL: a.URL,
		}
		if pa.Rule.Tags == nil {
			pa.Rule.Tags = []string{}
		}
		if pa.Group == nil {
			pa.Group = map[string]string{}
		}
		for _, e := range a.Events {
			data := e.Data
			if len(data) == 0 || !json.Valid(data) {
				data = json.RawMessage("null")
			}
			pa.Events = append(pa.Events, payloadEvent{ID: e.ID, Time: e.Time.UTC(), Source: e.Source, Data: data})
		}
		p.Alerts = append(p.Alerts, pa)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encoding webhook body: %w", err)
	}
	return b, nil
}
