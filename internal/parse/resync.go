package parse

// This file is how the multi-line JSON formats recover from a malformed value: reading
// resumes at the first line after the value's start that begins, in its first column,
// with an object that is whole. A value truncated by a crash is reported once, and the
// objects written after it are still read.
//
// Re-scanning from each such line until one is whole could cost quadratic time (picture
// many unterminated objects in a row). Instead the scan of the malformed value notes the
// first-column objects inside it that were still open when it broke (scanner.cands): those
// break at the same place, so they are skipped unscanned, and every other first-column
// object inside the value is known to be whole. Each byte is so scanned at most twice.

// region is the extent of the last malformed value, in stream offsets, and the offsets of
// the first-column objects inside it that did not close before it broke.
type region struct {
	end     int64
	failing []int64 // ascending
	next    int     // index in failing of the first offset not yet passed
}

// markRegion records the malformed value that starts at the current position and broke
// off bytes into it, as its scan left it.
func (r *Reader) markRegion(off int) {
	if r.lines() {
		return // jsonl goes on at the next line, which the value cannot reach
	}
	base := r.in.off
	r.region.end = base + int64(off)
	r.region.failing = r.region.failing[:0]
	r.region.next = 0
	for _, c := range r.sc.cands {
		r.region.failing = append(r.region.failing, base+int64(c.off))
	}
}

// fails reports whether the object at stream offset pos is known to be malformed: it
// opened in the first column inside the last malformed value and did not close. Calls
// come with ascending offsets.
func (g *region) fails(pos int64) bool {
	if pos >= g.end {
		return false
	}
	for g.next < len(g.failing) && g.failing[g.next] < pos {
		g.next++
	}
	return g.next < len(g.failing) && g.failing[g.next] == pos
}

// recover moves past a framing error at the current position: to the next line, and in
// multi-line formats on to the next line that starts a value.
func (r *Reader) recover() {
	r.dropArray()
	r.in.skipLine()
	r.resync = !r.lines()
}

// skipSpaceTop skips whitespace between top-level values and, while resynchronising after
// an error, whole lines until one starts a value. It returns the next byte, or false at
// the end of the input.
func (r *Reader) skipSpaceTop() (byte, bool) {
	if !r.resync && r.in.off < r.region.end {
		// A whole object inside a malformed value was just read: what follows it up
		// to the end of its line belongs to the malformed value, already reported.
		r.resync = true
		if !r.in.skipLine() {
			return 0, false
		}
	}
	for {
		b := r.in.avail()
		if r.resync {
			if len(b) == 0 {
				if !r.in.fill() {
					return 0, false
				}
				continue
			}
			if (b[0] == '{' && !r.region.fails(r.in.off)) || (!r.nested && r.hasPrefixAt(0, cloudWatchMagic)) {
				r.resync = false
				return r.in.avail()[0], true
			}
			if !r.in.skipLine() {
				return 0, false
			}
			continue
		}
		i := skipSpace(b, 0)
		r.in.consume(i)
		if i < len(b) {
			return b[i], true
		}
		if !r.in.fill() {
			return 0, false
		}
	}
}
