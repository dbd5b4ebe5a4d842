// Package catalog is the rules as people see them in the console and the API: each loaded rule
// with its metadata, YAML source, enabled state and recent hit counts, and switching rules on
// and off at run time (persisted in the store, applied by the daemon without a restart).
//
// API under construction: the signatures below are the contract between the API, the console
// and the daemon.
package catalog

import (
	"context"
	"errors"

	"picket/internal/event"
	"picket/internal/rule"
)

// ErrNotFound is returned for an unknown rule id.
var ErrNotFound = errors.New("rule not found")

// Rule is one loaded rule.
type Rule struct {
	ID          string          `json:"id"`
	Title       string          `json:"title"`
	Description string          `json:"description,omitempty"`
	Author      string          `json:"author,omitempty"`
	Status      string          `json:"status,omitempty"`
	Kind        string          `json:"kind"` // detection or correlation
	Level       rule.Level      `json:"level"`
	Tags        []string        `json:"tags"`
	LogSource   event.LogSource `json:"logsource"`
	// Builtin rules come from picket's embedded pack; Path is the file (for built-in rules,
	// its path in the pack).
	Builtin bool   `json:"builtin"`
	Path    string `json:"path"`
	// Enabled is false for rules disabled by the configuration or at run time.
	Enabled bool `json:"enabled"`
	// Hits24h and Hits7d count stored detections of the rule by event time.
	Hits24h int `json:"hits_24h"`
	Hits7d  int `json:"hits_7d"`
	// YAML is the rule's source document (Get only; empty in List).
	YAML           string   `json:"yaml,omitempty"`
	References     []string `json:"references,omitempty"`
	FalsePositives []string `json:"falsepositives,omitempty"`
}

// Catalog is what the console and the API use; *Rules implements it.
type Catalog interface {
	// List returns every loaded rule, sorted by level (highest first) then title.
	List(ctx context.Context) ([]Rule, error)
	// Get returns one rule with its YAML, or ErrNotFound.
	Get(ctx context.Context, id string) (Rule, error)
	// SetEnabled switches a rule on or off at run time; the change is stored and survives
	// restarts, and the daemon applies it at once. ErrNotFound for an unknown id.
	SetEnabled(ctx context.Context, id string, enabled bool, actor string) error
}
