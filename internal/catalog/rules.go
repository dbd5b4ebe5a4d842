package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"picket/internal/rule/builtin"
	"picket/internal/rule/sigma"
)

// CheckpointKey is the store key under which the rules switched off at run time are kept.
const CheckpointKey = "catalog/enabled"

// ErrDisabledByConfig is returned by SetEnabled when asked to enable a rule that the
// configuration disables: the configuration wins, edit it instead.
var ErrDisabledByConfig = errors.New("rule is disabled by the configuration")

// Store keeps the run-time switches; the store's checkpoints satisfy it (store.Checkpoints).
type Store interface {
	// Checkpoint returns the value under key; ok is false when there is none. New and Refresh
	// call it.
	Checkpoint(ctx context.Context, key string) (cursor []byte, ok bool, err error)
	// SetCheckpoint replaces the value under key. SetEnabled calls it, serialised.
	SetCheckpoint(ctx context.Context, key string, cursor []byte) error
}

// HitCounter counts stored detections per rule; the SQL stores' Alerts views implement it.
type HitCounter interface {
	// DetectionCounts returns, per rule id, the detections whose event time is at or after
	// since (rules without detections may be absent). List calls it twice per call (24 hours,
	// 7 days), concurrently with everything else.
	DetectionCounts(ctx context.Context, since time.Time) (map[string]int, error)
}

// Options configure New.
type Options struct {
	// Set is the loaded rule set, with the configuration's policy applied (sigma.Set.Apply):
	// its Disabled rules are those the configuration disables. Required.
	Set *sigma.Set
	// Store persists run-time switches. Required.
	Store Store
	// Hits counts detections; nil shows zero hits.
	Hits HitCounter
	// Clock gives the current time for the hit windows and switch records; nil means time.Now.
	Clock func() time.Time
	// OnChange receives the rules switched off at run time (a fresh map the callee keeps),
	// after each successful SetEnabled and after a Refresh that changed them, so that the
	// daemon rebuilds its engine. It is called with no lock held, one call at a time, in the
	// order of the changes. May be nil.
	OnChange func(disabled map[string]bool)
	// ReadFile reads a rule file given by its origin path; nil means os.ReadFile. Built-in rules
	// are read from the embedded pack instead.
	ReadFile func(path string) ([]byte, error)
}

// Rules is the Catalog of a loaded rule set. It is safe for concurrent use.
type Rules struct {
	store    Store
	hits     HitCounter
	clock    func() time.Time
	onChange func(map[string]bool)
	readFile func(string) ([]byte, error)

	changeMu sync.Mutex // serialises SetEnabled and Refresh: store write and OnChange in order

	mu       sync.Mutex
	set      *sigma.Set
	switches map[string]Switch // rules switched off at run time, by id
}

// Switch records who switched a rule off at run time, and when.
type Switch struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// state is the JSON document stored under CheckpointKey.
type state struct {
	Disabled map[string]Switch `json:"disabled"`
}

// New returns the catalog of o.Set, reading the run-time switches from the store. The daemon
// builds its engine without the rules Disabled returns.
func New(ctx context.Context, o Options) (*Rules, error) {
	if o.Set == nil || o.Store == nil {
		return nil, errors.New("catalog: a rule set and a store are required")
	}
	r := &Rules{store: o.Store, hits: o.Hits, clock: o.Clock, onChange: o.OnChange, readFile: o.ReadFile, set: o.Set}
	if r.clock == nil {
		r.clock = time.Now
	}
	if r.readFile == nil {
		r.readFile = os.ReadFile
	}
	sw, err := r.load(ctx)
	if err != nil {
		return nil, err
	}
	r.switches = sw
	return r, nil
}

func (r *Rules) load(ctx context.Context) (map[string]Switch, error) {
	data, ok, err := r.store.Checkpoint(ctx, CheckpointKey)
	if err != nil {
		return nil, fmt.Errorf("reading rule switches: %w", err)
	}
	st := state{Disabled: map[string]Switch{}}
	if ok && len(data) > 0 {
		if err := json.Unmarshal(data, &st); err != nil {
			return nil, fmt.Errorf("decoding rule switches under %q: %w", CheckpointKey, err)
		}
		if st.Disabled == nil {
			st.Disabled = map[string]Switch{}
		}
	}
	return st.Disabled, nil
}

// Disabled returns the ids of the rules switched off at run time (configuration aside). Ids
// of rules no longer loaded are kept, so that a rule that comes back stays off.
func (r *Rules) Disabled() map[string]bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.disabledLocked()
}

func (r *Rules) disabledLocked() map[string]bool {
	out := make(map[string]bool, len(r.switches))
	for id := range r.switches {
		out[id] = true
	}
	return out
}

// SetRules replaces the rule set after a configuration reload; the run-time switches stay.
func (r *Rules) SetRules(set *sigma.Set) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.set = set
}

// Refresh re-reads the run-time switches from the store (another instance sharing the
// database may have changed them) and calls OnChange when they differ.
func (r *Rules) Refresh(ctx context.Context) error {
	r.changeMu.Lock()
	defer r.changeMu.Unlock()
	sw, err := r.load(ctx)
	if err != nil {
		return err
	}
	r.mu.Lock()
	changed := !maps.EqualFunc(sw, r.switches, func(a, b Switch) bool { return true })
	r.switches = sw
	disabled := r.disabledLocked()
	r.mu.Unlock()
	if changed && r.onChange != nil {
		r.onChange(disabled)
	}
	return nil
}

// List implements Catalog. Titles compare case-insensitively; equal ones by id.
func (r *Rules) List(ctx context.Context) ([]Rule, error) {
	now := r.clock()
	h24, err := r.count(ctx, now.Add(-24*time.Hour))
	if err != nil {
		return nil, err
	}
	h7d, err := r.count(ctx, now.Add(-7*24*time.Hour))
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	out := make([]Rule, 0, len(r.set.Rules))
	for _, sr := range r.set.Rules {
		out = append(out, r.view(sr, h24, h7d))
	}
	r.mu.Unlock()
	slices.SortFunc(out, func(a, b Rule) int {
		if a.Level != b.Level {
			return int(b.Level) - int(a.Level)
		}
		if c := strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// Get implements Catalog. The YAML is the rule's own document, read from its file (for a
// built-in rule, from the embedded pack), with the comments and layout of the file; it is
// empty when the file can no longer be read (moved or deleted since the rules were loaded).
func (r *Rules) Get(ctx context.Context, id string) (Rule, error) {
	r.mu.Lock()
	sr, ok := r.lookup(id)
	r.mu.Unlock()
	if !ok {
		return Rule{}, fmt.Errorf("rule %q: %w", id, ErrNotFound)
	}
	now := r.clock()
	h24, err := r.count(ctx, now.Add(-24*time.Hour))
	if err != nil {
		return Rule{}, err
	}
	h7d, err := r.count(ctx, now.Add(-7*24*time.Hour))
	if err != nil {
		return Rule{}, err
	}
	r.mu.Lock()
	v := r.view(sr, h24, h7d)
	r.mu.Unlock()
	if data, err := r.source(sr); err == nil {
		v.YAML = Document(data, sr.Origin.Line)
	}
	return v, nil
}

// SetEnabled implements Catalog. Switching a rule to the state it is already in stores nothing
// and does not call OnChange. Enabling a rule the configuration disables fails with
// ErrDisabledByConfig.
func (r *Rules) SetEnabled(ctx context.Context, id string, enabled bool, actor string) error {
	r.changeMu.Lock()
	defer r.changeMu.Unlock()
	r.mu.Lock()
	sr, ok := r.lookup(id)
	if !ok {
		r.mu.Unlock()
		return fmt.Errorf("rule %q: %w", id, ErrNotFound)
	}
	_, off := r.switches[sr.ID]
	if enabled && sr.Disabled && !off {
		r.mu.Unlock()
		return fmt.Errorf("enabling rule %q: %w", id, ErrDisabledByConfig)
	}
	if off == !enabled {
		r.mu.Unlock()
		return nil
	}
	next := maps.Clone(r.switches)
	if enabled {
		delete(next, sr.ID)
	} else {
		next[sr.ID] = Switch{By: actor, At: r.clock().UTC()}
	}
	r.mu.Unlock()
	data, err := json.Marshal(state{Disabled: next})
	if err != nil {
		return fmt.Errorf("encoding rule switches: %w", err)
	}
	if err := r.store.SetCheckpoint(ctx, CheckpointKey, data); err != nil {
		return fmt.Errorf("storing rule switches: %w", err)
	}
	r.mu.Lock()
	r.switches = next
	disabled := r.disabledLocked()
	r.mu.Unlock()
	if r.onChange != nil {
		r.onChange(disabled)
	}
	return nil
}

// lookup finds a rule by id (or name); r.mu is held.
func (r *Rules) lookup(id string) (*sigma.Rule, bool) {
	sr, ok := r.set.Lookup(id)
	if !ok || sr.Kind == sigma.KindFilter {
		return nil, false
	}
	return sr, true
}

func (r *Rules) count(ctx context.Context, since time.Time) (map[string]int, error) {
	if r.hits == nil {
		return nil, nil
	}
	m, err := r.hits.DetectionCounts(ctx, since)
	if err != nil {
		return nil, fmt.Errorf("counting rule hits: %w", err)
	}
	return m, nil
}

// view returns the catalog entry of sr without its YAML; r.mu is held.
func (r *Rules) view(sr *sigma.Rule, h24, h7d map[string]int) Rule {
	_, off := r.switches[sr.ID]
	v := Rule{
		ID: sr.ID, Title: sr.Title, Description: sr.Description, Author: sr.Author, Status: sr.Status,
		Kind: sr.Kind.String(), Level: sr.Level, Tags: slices.Clone(sr.Tags), LogSource: sr.LogSource,
		Builtin: sr.Origin.Builtin, Path: rulePath(sr), Enabled: !sr.Disabled && !off,
		Hits24h: h24[sr.ID], Hits7d: h7d[sr.ID],
		References: slices.Clone(sr.References), FalsePositives: slices.Clone(sr.FalsePositives),
	}
	if v.Tags == nil {
		v.Tags = []string{}
	}
	return v
}

// rulePath is the origin file; for a built-in rule its path in the pack.
func rulePath(sr *sigma.Rule) string {
	if sr.Origin.Builtin {
		return strings.TrimPrefix(sr.Origin.File, "builtin/")
	}
	return sr.Origin.File
}

// source reads the file a rule was loaded from.
func (r *Rules) source(sr *sigma.Rule) ([]byte, error) {
	if sr.Origin.Builtin {
		return fs.ReadFile(builtin.FS(), rulePath(sr))
	}
	return r.readFile(sr.Origin.File)
}

// Document returns the YAML document of a multi-document file that contains line (1-based),
// as written in the file: the lines between the document markers (`---`, `...`) around it,
// without the markers and trailing blank lines. Without markers it is the whole file.
func Document(data []byte, line int) string {
	lines := strings.SplitAfter(string(data), "\n")
	start, end := 0, len(lines)
	for i, l := range lines {
		if !isMarker(l) {
			continue
		}
		if i+1 < line {
			start = i + 1
		} else if i+1 > line {
			end = i
			break
		}
	}
	doc := strings.Join(lines[start:end], "")
	return strings.TrimRight(doc, " \t\r\n") + "\n"
}

// isMarker reports whether l starts or ends a YAML document.
func isMarker(l string) bool {
	l = strings.TrimRight(l, "\r\n")
	for _, m := range []string{"---", "..."} {
		if l == m || strings.HasPrefix(l, m+" ") || strings.HasPrefix(l, m+"\t") {
			return true
		}
	}
	return false
}
