package parse

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
)

// readSize is the buffer's initial size and the most a single refill asks for at once
// beyond the record size limit.
const readSize = 64 << 10

// maxEmptyReads is how many (0, nil) reads in a row are tolerated before giving up.
const maxEmptyReads = 100

// input is the buffered, line-counting view of the decompressed stream. buf[start:end] is
// read but not consumed; line is the 1-based line of buf[start]. Everything consumed goes
// through consume, which keeps line right.
type input struct {
	src   io.Reader
	buf   []byte
	start int
	end   int
	limit int   // the buffer grows past this only when a caller needs it
	err   error // sticky: io.EOF at the end, or why src failed
	gzip  bool  // src decompresses a gzip stream

	off     int64 // offset of buf[start] in the stream
	line    int
	midLine bool // the last consumed byte was not a newline
}

// avail returns the read but unconsumed bytes.
func (in *input) avail() []byte { return in.buf[in.start:in.end] }

// consume marks the next n buffered bytes as used.
func (in *input) consume(n int) {
	if n <= 0 {
		return
	}
	b := in.buf[in.start : in.start+n]
	in.line += bytes.Count(b, []byte{'\n'})
	in.midLine = b[n-1] != '\n'
	in.start += n
	in.off += int64(n)
}

// lineAt returns the line of the buffered byte at offset off.
func (in *input) lineAt(off int) int {
	b := in.avail()
	off = min(off, len(b))
	return in.line + bytes.Count(b[:off], []byte{'\n'})
}

// fill reads more of src into the buffer, moving or growing it as needed, and reports
// whether any bytes were added. It returns false once src is exhausted or failed; in.err
// then says which.
func (in *input) fill() bool {
	if in.err != nil {
		return false
	}
	if in.start == in.end {
		in.start, in.end = 0, 0
	}
	if in.start > 0 && len(in.buf)-in.end < len(in.buf)/2 {
		in.end = copy(in.buf, in.buf[in.start:in.end])
		in.start = 0
	}
	if len(in.buf)-in.end < readSize/16 {
		in.grow()
	}
	for range maxEmptyReads {
		n, err := in.src.Read(in.buf[in.end:])
		if n < 0 || n > len(in.buf)-in.end {
			in.err = errors.New("reader returned an invalid count")
			return false
		}
		in.end += n
		if err != nil {
			in.err = err
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	in.err = io.ErrNoProgress
	return false
}

// grow enlarges the buffer, doubling it up to limit, or further only by what the
// unconsumed bytes need.
func (in *input) grow() {
	used := in.end - in.start
	size := min(max(2*len(in.buf), readSize), in.limit)
	size = max(size, used+readSize/16)
	buf := make([]byte, size)
	in.end = copy(buf, in.buf[in.start:in.end])
	in.start = 0
	in.buf = buf
}

// skipLine consumes through the next newline, without buffering the line. It returns
// false when the input ended first.
func (in *input) skipLine() bool {
	for {
		b := in.avail()
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			in.consume(i + 1)
			return true
		}
		in.consume(len(b))
		if !in.fill() {
			return false
		}
	}
}

// endErr returns what ends reading once the buffered input is used up: io.EOF, or the
// error that stopped the input early.
func (in *input) endErr() error {
	if in.err == io.EOF {
		return io.EOF
	}
	return in.readErr()
}

// readErr wraps the error that stopped src.
func (in *input) readErr() error {
	if in.gzip {
		return fmt.Errorf("line %d: decompressing gzip input: %w", in.line, in.err)
	}
	return fmt.Errorf("line %d: reading input: %w", in.line, in.err)
}

// Magic prefixes recognised at the start of the input or of a line.
const (
	gzipMagic       = "\x1f\x8b"
	utf8BOM         = "\xef\xbb\xbf"
	cloudWatchMagic = "H4sI" // base64 of a gzip header
)

// open prepares the raw stream: it switches to decompression when the input starts with
// the gzip magic and drops a UTF-8 byte order mark.
func (in *input) open(src io.Reader, limit int) error {
	in.src = src
	in.limit = limit
	in.line = 1
	in.buf = make([]byte, min(readSize, limit))
	for in.end < len(gzipMagic) && in.fill() {
	}
	if bytes.HasPrefix(in.avail(), []byte(gzipMagic)) {
		head := bytes.Clone(in.avail())
		rest := src
		if in.err != nil {
			rest = errReader{in.err} // src is done: replay how it ended
		}
		in.start, in.end, in.err = 0, 0, nil
		in.gzip = true
		zr, err := gzip.NewReader(io.MultiReader(bytes.NewReader(head), rest))
		if err != nil {
			in.err = err
			return in.readErr()
		}
		in.src = zr
	}
	for in.end-in.start < len(utf8BOM) && in.fill() {
	}
	if bytes.HasPrefix(in.avail(), []byte(utf8BOM)) {
		in.start += len(utf8BOM)
		in.off += int64(len(utf8BOM))
	}
	return nil
}

// openBytes makes the input read data, which is already whole in memory.
func (in *input) openBytes(data []byte) {
	*in = input{buf: data, end: len(data), limit: len(data), err: io.EOF, line: 1}
}

// errReader is a spent reader: it returns err.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
