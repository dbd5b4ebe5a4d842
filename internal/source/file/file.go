// Package file is the source of type "file": local log files, followed as they grow.
//
// Each Poll lists the configured paths and reads, from every file, what is new since the
// file's checkpoint, handing records to the sink in batches of at most max_batch records.
// The checkpoint, stored under source/file/<name>/<identity>, is written only after the sink
// accepted the batch it covers: a crash re-reads at most that batch.
//
// A file's identity is its device and inode (on Unix), so a renamed file keeps its
// checkpoint; the first bytes of the file (a fingerprint, up to 1 KiB) tell a file from
// another that reused its inode, or from its own content after a copytruncate rotation.
//
// Files are read in one of two ways, chosen when a file is first read:
//
//   - Streamed (formats jsonl and text, sniffed or configured): the checkpoint is the byte
//     offset of a line start. Only complete lines are read: a last line without its line
//     break is left for a later poll. A batch never ends inside a line, so the records of a
//     line are processed together. A file smaller than its checkpoint was truncated
//     (copytruncate) and is read again from its start.
//   - Whole (gzip, json, cloudtrail, cloudwatch): the file is read from its start each time
//     its size changed, skipping the records already processed (the checkpoint counts
//     them). A gzip file read to its end is done and never read again.
//
// Rotation by rename and create is followed when the renamed file still matches paths (a
// directory, or a glob such as app.log*): it is finished under its new name, and the new file
// is read from its start. A file that disappeared is forgotten. Record ids hash the file's
// identity, a generation bumped on each replacement, and the record's offset, so they are the
// same across restarts and renames.
//
// The "started" key under source/file/<name>/ records that the source polled once: start_at:
// end applies only to the files found at that first poll.
package file

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"time"

	"picket/internal/event"
	"picket/internal/parse"
	"picket/internal/source"
)

// Type is the source type name used in configuration.
const Type = "file"

//go:embed sample.yaml
var sample []byte

// Sample returns the commented sample configuration.
func Sample() []byte { return append([]byte(nil), sample...) }

// maxBatchBytes bounds the bytes of one batch, whatever max_batch says.
const maxBatchBytes = 16 << 20

// Source reads local files. Poll must not be called concurrently.
type Source struct {
	name      string
	cfg       Config
	format    parse.Format
	logSource *event.LogSource
	dir       string
	d         source.Deps
	log       *slog.Logger
	// files holds the cursor of every file seen, by identity.
	files map[string]*cursor
	// started is true once the source has polled once (ever, as its checkpoint says).
	started bool
	// identity returns the identity of an open file; tests replace it.
	identity func(f *os.File, fi os.FileInfo) string
	// empty holds the configured paths that matched no file at the last poll.
	empty map[string]bool
}

// New validates c and returns the source name.
func New(name string, c Config, d source.Deps) (*Source, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("file source %q: %w", name, err)
	}
	format, _ := parse.ParseFormat(c.Format) // checked by Validate
	if c.MaxBatch == 0 {
		c.MaxBatch = DefaultMaxBatch
	}
	if c.StartAt == "" {
		c.StartAt = StartBeginning
	}
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d.Status.Register(name, Type)
	return &Source{
		name: name, cfg: c, format: format, logSource: c.LogSource.event(), dir: d.Dir, d: d,
		log: log.With("source", name), files: map[string]*cursor{}, identity: defaultIdentity, empty: map[string]bool{},
	}, nil
}

func defaultIdentity(f *os.File, fi os.FileInfo) string {
	if id, ok := fileIdentity(fi); ok {
		return id
	}
	return "path-" + fingerprint([]byte(f.Name()))[:16]
}

// Name returns the source's configured name.
func (s *Source) Name() string { return s.name }

func (s *Source) key(identity string) string { return "source/file/" + s.name + "/" + identity }

// opened is a listed file, open.
type opened struct {
	f    *os.File
	id   string
	size int64
	mod  time.Time
}

// Poll reads what is new in every file, then forgets the files that disappeared. Errors
// reading one file do not stop the others; an error of the sink or of the checkpoint store
// ends the poll at once.
func (s *Source) Poll(ctx context.Context, sink source.Sink) error {
	first, err := s.firstPoll(ctx)
	if err != nil {
		return err
	}
	paths, listErr := s.list()
	errs := []error{listErr}
	var files []opened
	defer func() {
		for _, o := range files {
			o.f.Close()
		}
	}()
	seen := map[string]bool{}
	complete := listErr == nil // every file present was seen: the others may be forgotten
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, fmt.Errorf("opening %s: %w", p, err))
				complete = false
			}
			continue
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			errs = append(errs, fmt.Errorf("opening %s: %w", p, err))
			complete = false
			continue
		}
		id := s.identity(f, fi)
		if seen[id] { // a hard link or a link to a file already listed
			f.Close()
			continue
		}
		seen[id] = true
		files = append(files, opened{f: f, id: id, size: fi.Size(), mod: fi.ModTime()})
	}
	// Oldest first: a rotated file is finished before its successor is read.
	slices.SortStableFunc(files, func(a, b opened) int { return a.mod.Compare(b.mod) })

	behind := map[string]bool{}
	for _, o := range files {
		behind[o.id] = true
	}
	var fatal error
	for _, o := range files {
		if fatal = ctx.Err(); fatal != nil {
			break
		}
		caughtUp, err := s.pollFile(ctx, sink, o, first)
		behind[o.id] = !caughtUp
		var fe *fatalError
		if errors.As(err, &fe) {
			fatal = fe.err
			break
		}
		errs = append(errs, err)
	}
	if fatal == nil && complete {
		fatal = s.forget(ctx, seen)
	}
	if fatal == nil && first {
		if fatal = s.d.Checkpoints.SetCheckpoint(ctx, s.key("started"), []byte("1")); fatal != nil {
			fatal = fmt.Errorf("saving checkpoint: %w", fatal)
		}
	}
	s.report(files, behind)
	if fatal != nil {
		return fatal
	}
	return errors.Join(errs...)
}

// fatalError is an error of the sink or the checkpoint store, which ends a poll.
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }

// firstPoll reports whether the source never polled before, as its "started" key says.
func (s *Source) firstPoll(ctx context.Context) (bool, error) {
	if s.started {
		return false, nil
	}
	_, ok, err := s.d.Checkpoints.Checkpoint(ctx, s.key("started"))
	if err != nil {
		return false, fmt.Errorf("reading checkpoint: %w", err)
	}
	s.started = true
	return !ok, nil
}

// forget drops the files not seen, keeping only their generation (so that a file reusing the
// inode later gets ids of its own).
func (s *Source) forget(ctx context.Context, seen map[string]bool) error {
	for id, c := range s.files {
		if seen[id] {
			continue
		}
		gone := cursor{Gen: c.Gen + 1, Forgotten: true}
		if err := s.d.Checkpoints.SetCheckpoint(ctx, s.key(id), gone.encode()); err != nil {
			return fmt.Errorf("saving checkpoint: %w", err)
		}
		s.log.Debug("file gone", "path", c.Path)
		delete(s.files, id)
	}
	return nil
}

// report updates the lag metric and the status: the lag is now minus the modification time
// of the oldest file with unread data, 0 when every file is caught up.
func (s *Source) report(files []opened, behind map[string]bool) {
	now := s.d.Clock()
	var oldest time.Time
	for _, o := range files {
		if behind[o.id] && (oldest.IsZero() || o.mod.Before(oldest)) {
			oldest = o.mod
		}
	}
	lag, at := 0.0, now
	if !oldest.IsZero() {
		lag, at = max(0, now.Sub(oldest).Seconds()), oldest
	}
	s.d.Metrics.Lag.WithLabelValues(s.name).Set(lag)
	desc := fmt.Sprintf("%d files", len(files))
	if len(files) == 1 {
		if c := s.files[files[0].id]; c != nil {
			desc = fmt.Sprintf("%s @ %d", c.Path, c.Offset)
		}
	}
	s.d.Status.SetCheckpoint(s.name, desc, at)
}

// cursorOf returns the cursor of identity id, from memory or the checkpoint store.
func (s *Source) cursorOf(ctx context.Context, id string) (*cursor, bool, error) {
	if c, ok := s.files[id]; ok {
		return c, true, nil
	}
	b, ok, err := s.d.Checkpoints.Checkpoint(ctx, s.key(id))
	if err != nil {
		return nil, false, fmt.Errorf("reading checkpoint: %w", err)
	}
	c := &cursor{}
	if ok && len(b) > 0 {
		if *c, err = decodeCursor(b); err != nil {
			s.log.Warn("ignoring a corrupt checkpoint", "key", s.key(id), "err", err)
			*c, ok = cursor{}, false
		}
	}
	if c.Forgotten {
		*c, ok = cursor{Gen: c.Gen}, false
	}
	s.files[id] = c
	return c, ok && len(b) > 0, nil
}

func (s *Source) save(ctx context.Context, id string, c *cursor) error {
	if err := s.d.Checkpoints.SetCheckpoint(ctx, s.key(id), c.encode()); err != nil {
		return &fatalError{fmt.Errorf("saving checkpoint: %w", err)}
	}
	return nil
}

// pollFile reads what is new in one file. caughtUp reports that nothing readable is left.
func (s *Source) pollFile(ctx context.Context, sink source.Sink, o opened, first bool) (caughtUp bool, err error) {
	c, known, err := s.cursorOf(ctx, o.id)
	if err != nil {
		return false, &fatalError{err}
	}
	c.Path = o.f.Name()
	if err := s.checkReplaced(o, c); err != nil {
		return false, err
	}
	if c.Format == "" {
		if err := s.detect(o, c); err != nil {
			return false, err
		}
		if c.Format == "" {
			return true, nil // blank so far
		}
		if !known && first && s.cfg.StartAt == StartEnd {
			if err := s.skipToEnd(o, c); err != nil {
				return false, err
			}
			return true, s.save(ctx, o.id, c)
		}
	}
	if c.Whole {
		return s.readWhole(ctx, sink, o, c)
	}
	return s.readStream(ctx, sink, o, c)
}

// checkReplaced resets c when the file no longer is the one c describes: its first bytes
// differ (another file reusing the inode, or new content after a copytruncate) or it shrank.
// It also extends the fingerprint while the file is shorter than fingerprintSize.
func (s *Source) checkReplaced(o opened, c *cursor) error {
	want := int(min(o.size, fingerprintSize))
	var prefix []byte
	if n := max(want, c.FPLen); n > 0 {
		var err error
		if prefix, _, err = readPrefix(o.f, n); err != nil {
			return err
		}
	}
	replaced := o.size < c.Offset || len(prefix) < c.FPLen ||
		(c.FPLen > 0 && fingerprint(prefix[:c.FPLen]) != c.FP)
	if replaced {
		s.log.Info("file replaced or truncated: reading it from its start", "path", o.f.Name())
		*c = cursor{Gen: c.Gen + 1, Path: c.Path}
	}
	if n := min(len(prefix), want); n > c.FPLen {
		c.FPLen, c.FP = n, fingerprint(prefix[:n])
	}
	return nil
}

// detect fixes the framing of a file read for the first time: gzip and the formats whose
// records span lines are read whole, jsonl and text are streamed.
func (s *Source) detect(o opened, c *cursor) error {
	head, _, err := readPrefix(o.f, 2)
	if err != nil {
		return err
	}
	if bytes.Equal(head, []byte{0x1f, 0x8b}) {
		c.Format, c.Whole = string(s.format), true
		return nil
	}
	format := s.format
	if format == parse.FormatAuto {
		rd := parse.NewReader(io.NewSectionReader(o.f, 0, o.size), o.f.Name(), parse.Options{MaxRecordSize: s.cfg.MaxRecordSize})
		_, _ = rd.Next() // only the sniffed format matters here
		if format = rd.Format(); format == parse.FormatAuto {
			return nil
		}
	}
	c.Format = string(format)
	c.Whole = format != parse.FormatJSONL && format != parse.FormatText
	return nil
}

// skipToEnd positions a file found at the first poll with start_at: end after what it holds.
func (s *Source) skipToEnd(o opened, c *cursor) error {
	if c.Whole {
		c.Offset, c.Done = o.size, true
		return nil
	}
	end, err := lastLineEnd(o.f, 0, o.size)
	if err != nil {
		return err
	}
	lines, err := countLines(o.f, end)
	if err != nil {
		return err
	}
	c.Offset, c.Lines = end, lines
	return nil
}
