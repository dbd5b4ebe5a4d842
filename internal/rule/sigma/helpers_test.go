package sigma

import (
	"os"
	"path/filepath"
	"testing"
)

// repoRoot finds the module root by walking up to go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// corpusDir returns the SigmaHQ corpus directory ($PICKET_SIGMA_CORPUS, or ../shared/corpus/sigma
// beside the repository). Without it the test is skipped, except under CI where it fails.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("PICKET_SIGMA_CORPUS")
	if dir == "" {
		dir = filepath.Join(repoRoot(t), "..", "shared", "corpus", "sigma")
	}
	if _, err := os.Stat(filepath.Join(dir, "rules")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("SigmaHQ corpus not found at %s (set PICKET_SIGMA_CORPUS): %v", dir, err)
		}
		t.Skipf("SigmaHQ corpus not found at %s; set PICKET_SIGMA_CORPUS to run this test", dir)
	}
	return dir
}
