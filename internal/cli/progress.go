package cli

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// progressThreshold is the input size above which scan shows progress on a terminal.
const progressThreshold = 64 << 20

// progress draws a one-line progress indicator on a terminal while a long scan runs.
type progress struct {
	w      io.Writer
	total  int64 // bytes of all inputs, 0 when unknown (stdin)
	read   atomic.Int64
	events atomic.Int64
	hits   atomic.Int64
	start  time.Time
	stop   chan struct{}
	wg     sync.WaitGroup
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// inputSize adds up the sizes of the files named by paths (directories recursively); ok is false
// when an input's size cannot be known in advance (stdin).
func inputSize(paths []string) (total int64, known bool) {
	known = true
	for _, p := range paths {
		if p == "-" {
			known = false
			continue
		}
		_ = walkFiles(p, func(_ string, info os.FileInfo) { total += info.Size() })
	}
	return total, known
}

// newProgress starts drawing when stderr is a terminal and the input is large or of unknown
// size; otherwise it returns nil (all methods accept a nil receiver).
func newProgress(stderr io.Writer, paths []string) *progress {
	if !isTerminal(stderr) {
		return nil
	}
	total, known := inputSize(paths)
	if known && total < progressThreshold {
		return nil
	}
	if !known {
		total = 0
	}
	p := &progress{w: stderr, total: total, start: time.Now(), stop: make(chan struct{})}
	p.wg.Add(1)
	go p.loop()
	return p
}

func (p *progress) loop() {
	defer p.wg.Done()
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			fmt.Fprint(p.w, "\r\033[K")
			return
		case <-t.C:
			p.draw()
		}
	}
}

func (p *progress) draw() {
	read, evs := p.read.Load(), p.events.Load()
	secs := time.Since(p.start).Seconds()
	line := fmt.Sprintf("scanning: %s", humanBytes(read))
	if p.total > 0 {
		pct := float64(read) / float64(p.total) * 100
		const width = 24
		filled := int(pct / 100 * width)
		filled = max(0, min(width, filled))
		bar := make([]byte, width)
		for i := range bar {
			bar[i] = '.'
			if i < filled {
				bar[i] = '#'
			}
		}
		line = fmt.Sprintf("scanning [%s] %3.0f%% %s/%s", bar, pct, humanBytes(read), humanBytes(p.total))
	}
	fmt.Fprintf(p.w, "\r\033[K%s, %d events (%.0f/s), %d detections", line, evs, float64(evs)/max(secs, 0.001), p.hits.Load())
}

// Close stops drawing and clears the line.
func (p *progress) Close() {
	if p == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
}

func (p *progress) addBytes(n int64) {
	if p != nil {
		p.read.Add(n)
	}
}

func (p *progress) addEvent() {
	if p != nil {
		p.events.Add(1)
	}
}

func (p *progress) addHit() {
	if p != nil {
		p.hits.Add(1)
	}
}
