package cli

import (
	"bufio"
	"compress/gzip"
	"context"

	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"picket/internal/synth"
)

// TestLargeGzipScanBoundedRSS scans a large gzip CloudTrail {"Records":[...]} file in a child
// process and reports its peak RSS. It runs only when PICKET_LARGE_SCAN_MB gives the compressed
// size to generate (e.g. 1024 for the 1 GB figure of the README); PICKET_LARGE_SCAN_FILE reuses a
// file. The peak RSS must stay under 512 MiB whatever the file size.
func TestLargeGzipScanBoundedRSS(t *testing.T) {
	if os.Getenv("PICKET_SCAN_CHILD") != "" {
		code := Run(context.Background(), []string{"scan", "--format", "jsonl", os.Getenv("PICKET_SCAN_CHILD")}, io.Discard, os.Stderr)
		os.Exit(code)
	}
	mb, _ := strconv.Atoi(os.Getenv("PICKET_LARGE_SCAN_MB"))
	if mb <= 0 {
		t.Skip("set PICKET_LARGE_SCAN_MB (compressed size in MiB) to run the large-file scan")
	}
	path := os.Getenv("PICKET_LARGE_SCAN_FILE")
	if path == "" {
		path = filepath.Join(t.TempDir(), "large.json.gz")
	}
	if _, err := os.Stat(path); err != nil {
		start := time.Now()
		n, err := writeLargeTrail(path, int64(mb)<<20)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("generated %s: %d records in %s", path, n, time.Since(start).Round(time.Second))
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestLargeGzipScanBoundedRSS$")
	cmd.Env = append(os.Environ(), "PICKET_SCAN_CHILD="+path)
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("scan: %v", err)
	}
	elapsed := time.Since(start)
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	peak := ru.Maxrss << 10 // KiB on Linux
	t.Logf("scanned %s compressed in %s (%.0f MB/s compressed); peak RSS %s", humanBytes(info.Size()), elapsed.Round(time.Second),
		float64(info.Size())/elapsed.Seconds()/1e6, humanBytes(peak))
	if peak > 512<<20 {
		t.Errorf("peak RSS %s, want under 512 MiB", humanBytes(peak))
	}
}

// writeLargeTrail writes a gzip CloudTrail file of about size compressed bytes.
func writeLargeTrail(path string, size int64) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	cw := &countingWriter{w: f}
	zw, _ := gzip.NewWriterLevel(cw, gzip.BestSpeed)
	bw := bufio.NewWriterSize(zw, 1<<20)
	g := synth.NewCloudTrail(42)
	bw.WriteString(`{"Records":[`)
	var rec []byte
	n := 0
	for ; cw.n < size; n++ {
		if n > 0 {
			bw.WriteByte(',')
		}
		rec = g.Next(rec[:0])
		bw.Write(rec)
	}
	bw.WriteString("]}\n")
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return n, f.Close()
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
