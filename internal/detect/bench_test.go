package detect

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"picket/internal/event"
	"picket/internal/rule/sigma"
	"picket/internal/shape"
	"picket/internal/synth"
)

// corpusRulesDirOrEmpty returns the corpus rules directory, or "" when it is absent.
func corpusRulesDirOrEmpty() string {
	dir := os.Getenv("PICKET_SIGMA_CORPUS")
	if dir == "" {
		wd, _ := os.Getwd()
		dir = filepath.Join(wd, "..", "..", "..", "shared", "corpus", "sigma")
	}
	dir = filepath.Join(dir, "rules")
	if _, err := os.Stat(dir); err != nil {
		return ""
	}
	return dir
}

// corpusRulesDir returns ../shared/corpus/sigma/rules beside the repository, or skips (fails
// under CI).
func corpusRulesDir(tb testing.TB) string {
	tb.Helper()
	dir := corpusRulesDirOrEmpty()
	if dir == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("SigmaHQ corpus not found beside the repository (set PICKET_SIGMA_CORPUS)")
		}
		tb.Skip("SigmaHQ corpus not found beside the repository; set PICKET_SIGMA_CORPUS")
	}
	return dir
}

func loadCorpus(tb testing.TB) []*sigma.Rule {
	l := sigma.NewLoader(sigma.Options{})
	if err := l.AddPath(corpusRulesDir(tb)); err != nil {
		tb.Fatal(err)
	}
	set, diags := l.Finish()
	if err := diags.Err(); err != nil {
		tb.Fatal(err)
	}
	return set.Rules
}

// benchEvents generates n synthetic CloudTrail records.
func benchEvents(n int) ([][]byte, int64) {
	g := synth.NewCloudTrail(1)
	out := make([][]byte, n)
	var size int64
	for i := range out {
		out[i] = g.Next(nil)
		size += int64(len(out[i]))
	}
	return out, size
}

// BenchmarkEngineCloudTrail measures the whole per-event path on one core: index the record,
// recognise its shape (logsource, event ID, event time) and evaluate every SigmaHQ corpus rule
// that applies. Compare with BenchmarkUnmarshalMap on the same events.
func BenchmarkEngineCloudTrail(b *testing.B) {
	e := New(loadCorpus(b))
	evs, size := benchEvents(10000)
	now := time.Now()
	var ev event.Event
	hits := 0
	b.SetBytes(size / int64(len(evs)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		ev.Reset(evs[i%len(evs)], false)
		shape.Identify(&ev, shape.Envelope{}, now)
		e.Match(&ev, func(*sigma.Rule) { hits++ })
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkUnmarshalMap is the baseline: a bare encoding/json decode of the same events into
// map[string]any, with no rule evaluated.
func BenchmarkUnmarshalMap(b *testing.B) {
	evs, size := benchEvents(10000)
	b.SetBytes(size / int64(len(evs)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		var m map[string]any
		if err := json.Unmarshal(evs[i%len(evs)], &m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkCompile3000 compiles 3,000 rules: the corpus repeated with fresh ids.
func BenchmarkCompile3000(b *testing.B) {
	dir := corpusRulesDir(b)
	var files []string
	var datas [][]byte
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && sigma.IsRuleFile(p) {
			data, _ := os.ReadFile(p)
			files = append(files, p)
			datas = append(datas, data)
		}
		return nil
	})
	type doc struct {
		name string
		data []byte
	}
	var docs []doc
	for i := 0; len(docs) < 3000; i++ {
		j := i % len(datas)
		// Fresh ids: replace the id line.
		data := strings.Replace(string(datas[j]), "\nid: ", fmt.Sprintf("\nid: %08x-0000-4000-8000-", i)+"", 1)
		docs = append(docs, doc{fmt.Sprintf("%s#%d", files[j], i), []byte(data)})
	}
	b.ReportAllocs()
	for b.Loop() {
		l := sigma.NewLoader(sigma.Options{})
		for _, d := range docs {
			l.AddFile(d.name, d.data, false)
		}
		set, diags := l.Finish()
		if err := diags.Err(); err != nil {
			b.Fatal(err)
		}
		if len(set.Rules) != 3000 {
			b.Fatalf("%d rules, want 3000", len(set.Rules))
		}
		New(set.Rules).bucket(event.LogSource{Product: "aws", Service: "cloudtrail"})
	}
}
