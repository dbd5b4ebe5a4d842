package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDBMigrate(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "picket.yaml", "storage:\n  path: data/picket.db\n")
	if err := os.Mkdir(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // the second run is a no-op
		code, out, errs := run("db", "migrate", "--config", cfg)
		if code != ExitOK || !strings.Contains(out, "schema up to date") {
			t.Fatalf("run %d: exit %d\n%s%s", i, code, out, errs)
		}
	}
	info, err := os.Stat(filepath.Join(dir, "data", "picket.db"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("database file: %v %v, want mode 0600 relative to the configuration file", info, err)
	}
	corrupt := writeFile(t, dir, "corrupt.db", strings.Repeat("not a database ", 400))
	cfg = writeFile(t, dir, "bad.yaml", "storage:\n  path: "+corrupt+"\n")
	if code, _, errs := run("db", "migrate", "--config", cfg); code != ExitInput || !strings.Contains(errs, "corrupt.db") {
		t.Errorf("corrupt file: exit %d %s", code, errs)
	}
	cfg = writeFile(t, dir, "both.yaml", "storage:\n  path: x.db\n  url: postgres://h/db\n")
	if code, _, errs := run("db", "migrate", "--config", cfg); code != ExitUsage || !strings.Contains(errs, "not both") {
		t.Errorf("path and url: exit %d %s", code, errs)
	}
}
