package file

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// lineIndex passes a region of a file through while recording where each of its lines starts,
// so that a record's line (as the parse.Reader reports it) maps back to a byte offset. The
// Reader reads ahead by at most its buffer, so the index holds only the lines between the
// record being processed and the read position.
type lineIndex struct {
	r        io.Reader
	pos      int64   // absolute offset of the next byte read
	first    int     // the region's line number of starts[0]
	starts   []int64 // absolute offsets of lines first, first+1, …
	newlines int     // line breaks read so far
}

func newLineIndex(r io.Reader, offset int64) *lineIndex {
	return &lineIndex{r: r, pos: offset, first: 1, starts: []int64{offset}}
}

func (x *lineIndex) Read(p []byte) (int, error) {
	n, err := x.r.Read(p)
	b := p[:n]
	base := x.pos
	for i := 0; ; {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		x.starts = append(x.starts, base+int64(i))
		x.newlines++
	}
	x.pos += int64(n)
	return n, err
}

// start returns the offset of line (1-based within the region) and forgets the lines before
// it: lines are asked for in non-decreasing order.
func (x *lineIndex) start(line int) int64 {
	i := line - x.first
	if i < 0 || i >= len(x.starts) {
		return -1 // cannot happen: the Reader reports lines it has read
	}
	if i > 0 && i >= len(x.starts)/2 { // forget the lines before, amortised
		n := copy(x.starts, x.starts[i:])
		x.starts = x.starts[:n]
		x.first = line
		i = 0
	}
	return x.starts[i]
}

// lastLineEnd returns the offset just after the last line break of f in [from, size), or from
// when there is none: the bytes after it are a line still being written.
func lastLineEnd(f *os.File, from, size int64) (int64, error) {
	buf := make([]byte, 64<<10)
	for end := size; end > from; {
		start := max(from, end-int64(len(buf)))
		b := buf[:end-start]
		if _, err := f.ReadAt(b, start); err != nil {
			return 0, fmt.Errorf("reading %s: %w", f.Name(), err)
		}
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			return start + int64(i) + 1, nil
		}
		end = start
	}
	return from, nil
}

// countLines returns the number of line breaks of f before offset.
func countLines(f *os.File, offset int64) (int, error) {
	c := &countingNewlines{r: io.NewSectionReader(f, 0, offset)}
	if _, err := io.Copy(io.Discard, c); err != nil {
		return 0, fmt.Errorf("reading %s: %w", f.Name(), err)
	}
	return c.n, nil
}

type countingNewlines struct {
	r io.Reader
	n int
}

func (c *countingNewlines) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += bytes.Count(p[:n], []byte{'\n'})
	return n, err
}

// readPrefix reads the first n bytes of f; short is true when f holds fewer.
func readPrefix(f *os.File, n int) (b []byte, short bool, err error) {
	b = make([]byte, n)
	m, err := f.ReadAt(b, 0)
	if errors.Is(err, io.EOF) {
		return b[:m], m < n, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading %s: %w", f.Name(), err)
	}
	return b, false, nil
}
