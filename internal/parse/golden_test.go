package parse

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestGolden reads each sample in testdata/ with format detection and compares what comes
// out with testdata/golden/NAME.golden. PICKET_UPDATE_GOLDEN=1 rewrites the golden files.
func TestGolden(t *testing.T) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	update := os.Getenv("PICKET_UPDATE_GOLDEN") == "1"
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r := NewReader(f, e.Name(), Options{})
			got := goldenText(r, drain(t, r))
			path := filepath.Join("testdata", "golden", e.Name()+".golden")
			if update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with PICKET_UPDATE_GOLDEN=1 to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("reading %s (-%s +got):\n%s", e.Name(), path, diff)
			}
		})
	}
}

// goldenText renders a drained Reader.
func goldenText(r *Reader, out []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "format: %s\n", r.Format())
	for _, s := range out {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	st := r.Stats()
	reasons := make([]string, 0, len(st.Skipped))
	for reason, n := range st.Skipped {
		reasons = append(reasons, fmt.Sprintf("%s=%d", reason, n))
	}
	slices.Sort(reasons)
	fmt.Fprintf(&b, "stats: records=%d skipped=[%s] invalid_utf8=%d lines=%d\n",
		st.Records, strings.Join(reasons, " "), st.InvalidUTF8, st.Lines)
	return b.String()
}
