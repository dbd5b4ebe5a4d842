package builtin_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"testing"
	"time"

	"picket/internal/detect"
	"picket/internal/event"
	"picket/internal/rule"
	"picket/internal/rule/builtin"
	"picket/internal/rule/ruletest"
	"picket/internal/rule/sigma"
	"picket/internal/shape"
	"picket/internal/synth"
)

func loadPack(t *testing.T) *sigma.Set {
	t.Helper()
	l := sigma.NewLoader(sigma.Options{})
	if err := l.AddFS(builtin.FS(), "builtin", true); err != nil {
		t.Fatal(err)
	}
	set, diags := l.Finish()
	for _, d := range diags {
		t.Errorf("built-in pack: %s", d) // warnings too: the pack must be clean
	}
	return set
}

// TestPackRuleTests runs every test case of the built-in pack, as `picket rules test` does.
func TestPackRuleTests(t *testing.T) {
	set := loadPack(t)
	files, err := ruletest.Find(builtin.FS(), "")
	if err != nil {
		t.Fatal(err)
	}
	runner := ruletest.NewRunner(set)
	perRule := map[string][2]int{} // rule id → [match cases, no_match cases]
	total := 0
	for _, f := range files {
		cases, err := ruletest.LoadFile(builtin.FS(), f, "builtin/"+f)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		for _, c := range cases {
			total++
			res := runner.Run(c)
			if !res.Pass {
				t.Errorf("%s:%d %q (expect %s): %s", c.File, c.Line, c.Name, c.Expect, res.Reason)
			}
			n := perRule[res.RuleID]
			if c.Expect == ruletest.ExpectMatch {
				n[0]++
			} else {
				n[1]++
			}
			perRule[res.RuleID] = n
		}
	}
	// Quality bar: every rule has at least two positive and two negative cases.
	counts := map[string]int{}
	for _, r := range set.Rules {
		if r.Kind == sigma.KindCorrelation {
			counts["correlation"]++
		} else {
			counts[r.LogSource.String()]++
		}
		n := perRule[r.ID]
		if n[0] < 2 || n[1] < 2 {
			t.Errorf("%s (%s): %d match and %d no_match cases, want at least 2 of each", r.Origin, r.Title, n[0], n[1])
		}
	}
	var keys []string
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%d", k, counts[k])
	}
	t.Logf("%d rules (%s), %d test files, %d cases", len(set.Rules), strings.TrimSpace(b.String()), len(files), total)
}

// TestPackRuleFilesHaveTests checks that every rule file of the pack has a test file beside it.
func TestPackRuleFilesHaveTests(t *testing.T) {
	fsys := builtin.FS()
	fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !sigma.IsRuleFile(p) {
			return err
		}
		test := strings.TrimSuffix(p, path.Ext(p)) + ".test" + path.Ext(p)
		if _, err := fs.Stat(fsys, test); err != nil {
			t.Errorf("%s has no test file %s", p, test)
		}
		return nil
	})
}

// TestPackBenignBackground runs the pack over generated ordinary read-only CloudTrail activity:
// no high or critical rule may fire.
func TestPackBenignBackground(t *testing.T) {
	set := loadPack(t)
	engine := detect.New(set.Rules)
	g := synth.NewCloudTrail(2026)
	readOnly := []byte(`"readOnly":true`)
	hits := map[rule.Level]map[string]int{}
	var n int
	var ev event.Event
	for i := 0; n < 50000 && i < 200000; i++ {
		raw := g.Next(nil)
		if !bytes.Contains(raw, readOnly) || bytes.Contains(raw, []byte(`"errorCode"`)) {
			continue
		}
		n++
		ev.Reset(raw, false)
		shape.Identify(&ev, shape.Envelope{}, time.Time{})
		engine.Match(&ev, func(r *sigma.Rule) {
			if hits[r.Level] == nil {
				hits[r.Level] = map[string]int{}
			}
			hits[r.Level][r.Title]++
		})
	}
	b := synth.NewBenign(7)
	for i := 0; i < 20000; i++ {
		for _, raw := range [][]byte{b.GCPAudit(), b.AzureActivity()} {
			ev.Reset(raw, false)
			shape.Identify(&ev, shape.Envelope{}, time.Time{})
			if ev.LogSource.Product == "" {
				t.Fatalf("benign record not recognised: %s", raw)
			}
			engine.Match(&ev, func(r *sigma.Rule) {
				if hits[r.Level] == nil {
					hits[r.Level] = map[string]int{}
				}
				hits[r.Level][r.Title]++
			})
		}
	}
	total := 0
	for lv, m := range hits {
		for title, c := range m {
			total += c
			t.Logf("benign background: %s rule %q fired %d times", lv, title, c)
			if lv >= rule.High {
				t.Errorf("high/critical rule %q fired %d times on benign read-only activity", title, c)
			}
		}
	}
	t.Logf("benign background: %d read-only CloudTrail events, 20000 GCP audit and 20000 Azure activity reads: %d detections, none high or critical", n, total)
}
