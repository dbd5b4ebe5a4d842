package sigma

import (
	"os"
	"path/filepath"
	"testing"

	"picket/internal/event"
)

// FuzzLoad feeds arbitrary YAML to the rule loader: it must never panic, every diagnostic must
// name the file, and every rule it accepts must evaluate against an event without panicking.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "fuzz-seeds", "*.yml"))
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("title: t\nlogsource: {product: aws}\ndetection:\n  sel:\n    a|contains|all: [x, y]\n  condition: sel\n"))
	f.Add([]byte("title: c\ncorrelation:\n  type: event_count\n  rules: [x]\n  timespan: 5m\n  condition: {gte: 3}\n"))
	f.Add([]byte("title: f\nlogsource: {product: aws}\nfilter:\n  rules: any\n  sel: {a: b}\n  condition: not sel\n"))
	f.Add([]byte("title: k\nlogsource: {}\ndetection:\n  kw: ['a*b', 'c']\n  condition: 1 of them\n"))
	ev := event.New([]byte(`{"a":"xy","b":[1,{"c":"d"}],"eventName":"x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l := NewLoader(Options{Placeholders: map[string][]string{"p": {"v"}}})
		l.AddFile("fuzz.yml", data, false)
		set, diags := l.Finish()
		for _, d := range diags {
			if d.File != "fuzz.yml" || d.Msg == "" {
				t.Fatalf("diagnostic without file or message: %+v", d)
			}
		}
		for _, r := range set.Rules {
			if r.Detection != nil && r.Detection.Matcher != nil {
				r.Detection.Matcher.Match(ev)
			}
		}
	})
}
