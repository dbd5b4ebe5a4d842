package sigma

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"picket/internal/event"
)

// fixture is one conformance case file entry (see testdata/conformance/README.md).
type fixture struct {
	Name         string              `yaml:"name"`
	Ref          string              `yaml:"ref"`
	Rule         string              `yaml:"rule"`
	Placeholders map[string][]string `yaml:"placeholders"`
	Error        string              `yaml:"error"`
	Cases        []struct {
		Event map[string]any `yaml:"event"`
		Match bool           `yaml:"match"`
		Why   string         `yaml:"why"`
	} `yaml:"cases"`
}

// TestConformance checks the engine against fixtures whose expectations come from the Sigma
// specification (SIGMA.md), not from this implementation.
func TestConformance(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "conformance", "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no conformance fixtures: %v", err)
	}
	var fixtures, cases int
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var fxs []fixture
		if err := yaml.Unmarshal(data, &fxs); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, fx := range fxs {
			fixtures++
			cases += len(fx.Cases)
			t.Run(filepath.Base(file)+"/"+fx.Name, func(t *testing.T) {
				runFixture(t, fx)
			})
		}
	}
	t.Logf("%d fixture files, %d fixtures, %d cases", len(files), fixtures, cases)
}

func runFixture(t *testing.T, fx fixture) {
	l := NewLoader(Options{Placeholders: fx.Placeholders})
	l.AddFile("fixture.yml", []byte(fx.Rule), false)
	set, diags := l.Finish()
	if fx.Error != "" {
		for _, d := range diags.Errors() {
			if strings.Contains(strings.ToLower(d.Msg), strings.ToLower(fx.Error)) {
				return
			}
		}
		t.Fatalf("rule loaded with errors %v, want an error containing %q (%s)", diags.Errors(), fx.Error, fx.Ref)
	}
	if errs := diags.Errors(); len(errs) > 0 {
		t.Fatalf("rule rejected: %v (%s)", errs, fx.Ref)
	}
	var r *Rule
	for _, x := range set.Rules {
		if x.Kind == KindDetection {
			r = x
			break
		}
	}
	if r == nil {
		t.Fatal("fixture holds no detection rule")
	}
	for i, c := range fx.Cases {
		raw, err := json.Marshal(c.Event)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		ev := event.New(raw)
		ev.LogSource = r.LogSource
		if got := r.Detection.Matcher.Match(ev); got != c.Match {
			t.Errorf("case %d: match(%s) = %v, want %v: %s (%s)", i, raw, got, c.Match, c.Why, fx.Ref)
		}
	}
}
