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

func TestDBPrune(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "rules.yml", testRule)
	cfg := writeFile(t, dir, "picket.yaml", "rules:\n  builtin: false\n  paths: [rules.yml]\nstorage:\n  path: picket.db\nalerts:\n  retention: 720h\n")
	logs := writeFile(t, dir, "trail.jsonl", stopLogging+"\n") // an event of 2026-11-20
	if code, _, errs := run("scan", "--config", cfg, logs); code != ExitOK {
		t.Fatalf("scan: %s", errs)
	}
	code, out, errs := run("db", "prune", "--config", cfg, "--older-than", "1h")
	if code != ExitOK || !strings.Contains(out, "pruned 1 detections") {
		t.Fatalf("prune: exit %d %s %s", code, out, errs)
	}
	if _, out, _ := run("detections", "list", "--config", cfg); !strings.Contains(out, "0 detections") {
		t.Errorf("detections after prune: %s", out)
	}
	if code, _, errs := run("db", "prune"); code != ExitUsage || !strings.Contains(errs, "no retention") {
		t.Errorf("prune without retention: exit %d %s", code, errs)
	}
}
