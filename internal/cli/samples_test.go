package cli

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestSamplesGolden scans the samples shipped in the repository with the built-in pack, as the
// README's quick start does, and compares the detections with internal/cli/testdata/samples.golden
// (one "source:line rule-title event-id" per line). Run with -update after a deliberate change.
func TestSamplesGolden(t *testing.T) {
	root := filepath.Join("..", "..")
	samples := filepath.Join(root, "samples")
	code, out, errs := run("scan", "--format", "jsonl", samples)
	if code != ExitOK {
		t.Fatalf("scan exit %d:\n%s", code, errs)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var d Detection
		if err := json.Unmarshal([]byte(line), &d); err != nil {
			t.Fatalf("bad jsonl line %q: %v", line, err)
		}
		rel, _ := filepath.Rel(root, d.Source)
		got = append(got, strings.Join([]string{filepath.ToSlash(rel) + ":" + itoa(d.Line), d.Level, d.RuleTitle, d.EventID}, " | "))
	}
	sort.Strings(got)
	golden := filepath.Join("testdata", "samples.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimSpace(string(data)), "\n")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("detections on samples/ changed (-want +got); run with -update if intended:\n%s", diff)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
