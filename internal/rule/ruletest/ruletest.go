// Package ruletest runs the tests that live beside rules: `name.test.yml` next to `name.yml`,
// holding cases of realistic events and whether the rule must match them.
//
// A test file is a YAML mapping with a `cases` list; each case has a `name`, `expect: match` or
// `expect: no_match`, and either one `event` or a list of `events` (for correlation rules, in
// order). `rule` names the rule the case is about (id or name) and defaults to the first rule of
// the sibling rule file. Events go through the same path as collected logs: their shape gives
// them a logsource, and the whole rule set is evaluated with the indexed engine, so a test also
// proves that the rule is reachable for events of that shape.
package ruletest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"picket/internal/correlate"
	"picket/internal/detect"
	"picket/internal/event"
	"picket/internal/rule/sigma"
	"picket/internal/shape"
)

// Expectations a case may state.
const (
	ExpectMatch   = "match"
	ExpectNoMatch = "no_match"
)

// Case is one test case.
type Case struct {
	File   string // test file
	Line   int    // line of the case in the file
	Name   string
	Expect string
	Rule   string           // rule id or name; "" = first rule of the sibling rule file
	Events []map[string]any // one or more events, in order
}

// Result is the outcome of one case.
type Result struct {
	Case   Case
	RuleID string
	Pass   bool
	Reason string // why it failed; empty when it passed
}

// IsTestFile reports whether a file name is a rule test file (`*.test.yml` or `*.test.yaml`).
func IsTestFile(name string) bool {
	lower := strings.ToLower(name)
	return strings.HasSuffix(lower, ".test.yml") || strings.HasSuffix(lower, ".test.yaml")
}

// RuleFileFor returns the rule file a test file sits beside (`x.test.yml` → `x.yml`).
func RuleFileFor(testFile string) string {
	ext := path.Ext(testFile)
	return strings.TrimSuffix(strings.TrimSuffix(testFile, ext), ".test") + ext
}

type fileDoc struct {
	Cases []yaml.Node `yaml:"cases"`
}

type caseDoc struct {
	Name   string           `yaml:"name"`
	Expect string           `yaml:"expect"`
	Rule   string           `yaml:"rule"`
	Event  map[string]any   `yaml:"event"`
	Events []map[string]any `yaml:"events"`
}

// Parse reads the cases of one test file; name is used in errors and in each Case.
func Parse(name string, data []byte) ([]Case, error) {
	var doc fileDoc
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(doc.Cases) == 0 {
		return nil, fmt.Errorf("%s: no cases", name)
	}
	var out []Case
	var errs []string
	for i := range doc.Cases {
		n := &doc.Cases[i]
		var cd caseDoc
		if err := n.Decode(&cd); err != nil {
			errs = append(errs, fmt.Sprintf("%s:%d: %v", name, n.Line, err))
			continue
		}
		c := Case{File: name, Line: n.Line, Name: cd.Name, Expect: cd.Expect, Rule: cd.Rule, Events: cd.Events}
		if cd.Event != nil {
			c.Events = append([]map[string]any{cd.Event}, c.Events...)
		}
		switch {
		case c.Name == "":
			errs = append(errs, fmt.Sprintf("%s:%d: case has no name", name, n.Line))
		case c.Expect != ExpectMatch && c.Expect != ExpectNoMatch:
			errs = append(errs, fmt.Sprintf("%s:%d: case %q: expect must be match or no_match, not %q", name, n.Line, c.Name, c.Expect))
		case len(c.Events) == 0:
			errs = append(errs, fmt.Sprintf("%s:%d: case %q has no event", name, n.Line, c.Name))
		default:
			out = append(out, c)
		}
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return out, nil
}

// Find lists the test files in fsys (sorted), with prefix joined to their names.
func Find(fsys fs.FS, prefix string) ([]string, error) {
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && IsTestFile(p) {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// Runner evaluates cases against a rule set.
type Runner struct {
	set    *sigma.Set
	engine *detect.Engine
	// Correlate evaluates correlation cases; nil means correlation cases fail with a reason.
	Correlate func(target *sigma.Rule, evs []*event.Event, matches [][]*sigma.Rule) (fired bool, err error)
	byFile    map[string][]*sigma.Rule
}

// NewRunner prepares a runner over a loaded set.
func NewRunner(set *sigma.Set) *Runner {
	r := &Runner{set: set, engine: detect.New(set.Rules), byFile: map[string][]*sigma.Rule{}}
	for _, x := range set.Rules {
		r.byFile[filepath.ToSlash(x.Origin.File)] = append(r.byFile[filepath.ToSlash(x.Origin.File)], x)
	}
	return r
}

// target finds the rule a case is about.
func (r *Runner) target(c Case) (*sigma.Rule, error) {
	if c.Rule != "" {
		t, ok := r.set.Lookup(c.Rule)
		if !ok {
			return nil, fmt.Errorf("rule %q not found", c.Rule)
		}
		return t, nil
	}
	rf := filepath.ToSlash(RuleFileFor(c.File))
	rules := r.byFile[rf]
	if len(rules) == 0 {
		return nil, fmt.Errorf("no loaded rule in %s (does it have errors?)", rf)
	}
	return rules[0], nil
}

// Run evaluates one case.
func (r *Runner) Run(c Case) Result {
	res := Result{Case: c}
	t, err := r.target(c)
	if err != nil {
		res.Reason = err.Error()
		return res
	}
	res.RuleID = t.ID
	evs := make([]*event.Event, len(c.Events))
	for i, m := range c.Events {
		raw, err := json.Marshal(m)
		if err != nil {
			res.Reason = fmt.Sprintf("event %d: %v", i+1, err)
			return res
		}
		ev := event.New(raw)
		ev.Source = c.File
		shape.Identify(ev, shape.Envelope{}, time.Time{})
		evs[i] = ev
	}
	var got bool
	if t.Kind == sigma.KindCorrelation {
		matches := make([][]*sigma.Rule, len(evs))
		for i, ev := range evs {
			r.engine.Match(ev, func(x *sigma.Rule) { matches[i] = append(matches[i], x) })
		}
		if got, err = r.correlate(t, evs, matches); err != nil {
			res.Reason = err.Error()
			return res
		}
	} else {
		if len(evs) != 1 {
			res.Reason = "a detection rule case takes exactly one event"
			return res
		}
		r.engine.Match(evs[0], func(x *sigma.Rule) { got = got || x == t })
		if !got && t.Detection != nil && t.Detection.Matcher.Match(evs[0]) {
			if !sigma.LogSourceMatches(t.LogSource, evs[0].LogSource) {
				res.Reason = fmt.Sprintf("the event's shape gives logsource %s, the rule applies to %s", evs[0].LogSource, t.LogSource)
			}
		}
	}
	want := c.Expect == ExpectMatch
	if got == want {
		res.Pass = true
		return res
	}
	if res.Reason == "" {
		if want {
			res.Reason = "expected a match, the rule did not match"
		} else {
			res.Reason = "expected no match, the rule matched"
		}
		if t.Kind == sigma.KindDetection && len(evs) == 1 {
			res.Reason += ": " + sigma.Explain(t, evs[0]).Summary()
		}
	}
	return res
}

// correlate feeds the detections of a case, in order, to a fresh correlation engine and reports
// whether the target correlation fired.
func (r *Runner) correlate(target *sigma.Rule, evs []*event.Event, matches [][]*sigma.Rule) (bool, error) {
	eng, err := correlate.New(r.set.Rules, correlate.Options{Lateness: 24 * time.Hour})
	if err != nil {
		return false, err
	}
	fired := false
	for i, ev := range evs {
		for _, m := range matches[i] {
			hits, err := eng.Observe(context.Background(), m, ev)
			if err != nil {
				return false, err
			}
			for _, h := range hits {
				fired = fired || h.Rule == target
			}
		}
	}
	return fired, nil
}

// LoadFile reads and parses a test file from disk or from fsys when not nil.
func LoadFile(fsys fs.FS, name, display string) ([]Case, error) {
	var data []byte
	var err error
	if fsys != nil {
		data, err = fs.ReadFile(fsys, name)
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, err
	}
	return Parse(display, data)
}
