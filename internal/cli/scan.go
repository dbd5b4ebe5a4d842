package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"picket/internal/alert"
	"picket/internal/app"
	"picket/internal/config"
	"picket/internal/correlate"
	"picket/internal/detect"
	"picket/internal/event"
	"picket/internal/parse"
	"picket/internal/rule/sigma"
	"picket/internal/shape"
)

const scanHelp = `Evaluate Sigma rules over log files and print one line per detection.

PATH is a file, a directory (read recursively, in name order) or - for standard
input. Input formats are detected from the content (JSON Lines, CloudTrail
{"Records":[...]} files, JSON arrays or pretty-printed JSON, CloudWatch Logs
subscription payloads, plain text lines), gzip-compressed or not; --input-format
forces one. Each event gets a logsource from its shape (CloudTrail, GCP audit,
Azure activity/sign-in/audit, Okta, GitHub, Kubernetes audit, M365; anything
else is an application log) unless --logsource sets it.

Without --rules, picket's built-in rule pack is used; --rules adds files or
directories of Sigma rules, and --no-builtin leaves the pack out.

Exit status: 0 whether or not anything was detected; 3 with --fail-on-detection
when something was; 2 for usage or rule errors; 1 when an input could not be
read (after the readable inputs were scanned).`

type scanOptions struct {
	rules           ruleFlags
	logsource       string
	format          string
	inputFormat     string
	failOnDetection bool
	maxRecordSize   int
	strict          bool
	verbose         bool
	lateness        time.Duration
}

func runScan(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("scan", "picket scan [--rules PATH]... [--no-builtin] [--logsource product/service] [--format table|jsonl] PATH...", scanHelp, stderr)
	var o scanOptions
	o.rules.register(fs, true)
	fs.StringVar(&o.logsource, "logsource", "", "force the logsource of every event: product/service[/category]")
	fs.StringVar(&o.format, "format", "table", "output format: table or jsonl")
	fs.StringVar(&o.inputFormat, "input-format", "auto", "input format: auto, jsonl, json, cloudtrail, cloudwatch or text")
	fs.BoolVar(&o.failOnDetection, "fail-on-detection", false, "exit with status 3 when anything is detected")
	fs.IntVar(&o.maxRecordSize, "max-record-size", parse.DefaultMaxRecordSize, "largest record in bytes; longer records are skipped and reported")
	fs.BoolVar(&o.strict, "strict", false, "exit with status 1 when any record was skipped as malformed or oversized")
	fs.BoolVar(&o.verbose, "v", false, "verbose: print rule warnings and every skipped record")
	fs.DurationVar(&o.lateness, "lateness", time.Hour, "for correlation rules: how far (in event time) an event may arrive behind the newest one and still count")
	paths, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(paths) == 0 {
		fmt.Fprintln(stderr, "picket scan: no input: give one or more files, directories or - for standard input")
		fs.Usage()
		return ExitUsage
	}
	s, code := newScanner(o, stdout, stderr)
	if s == nil {
		return code
	}
	return s.run(ctx, paths)
}

// scanner runs one scan: it owns the engine, the output and the counters.
type scanner struct {
	opts      scanOptions
	engine    *detect.Engine
	corr      *correlate.Engine
	feeds     map[string][]*sigma.Rule // detection rule id → correlations it feeds
	forced    *event.LogSource
	inFormat  parse.Format
	out       detectionWriter
	stderr    io.Writer
	now       func() time.Time
	stats     scanStats
	badInputs []string
	progress  *progress
	// With --config, detections are stored and folded into alerts.
	alerts  *app.Alerts
	pending []alert.Detection
	due     map[string]bool // alert ids due for notification
}

type scanStats struct {
	files, events, detections, silent, malformed, reported, stored int
	skipped                                                        map[string]int
	invalidUTF8                                                    int
	bytes                                                          int64
	rules                                                          map[string]bool
}

func newScanner(o scanOptions, stdout, stderr io.Writer) (*scanner, int) {
	s := &scanner{opts: o, stderr: stderr, now: time.Now}
	s.stats.skipped = map[string]int{}
	s.stats.rules = map[string]bool{}
	var err error
	if s.inFormat, err = parse.ParseFormat(o.inputFormat); err != nil {
		fmt.Fprintf(stderr, "picket scan: --input-format: %v\n", err)
		return nil, ExitUsage
	}
	switch o.format {
	case "table":
		s.out = newTableWriter(stdout)
	case "jsonl":
		s.out = newJSONLWriter(stdout)
	default:
		fmt.Fprintf(stderr, "picket scan: --format must be table or jsonl, not %q\n", o.format)
		return nil, ExitUsage
	}
	if o.logsource != "" {
		ls, err := parseLogSource(o.logsource)
		if err != nil {
			fmt.Fprintf(stderr, "picket scan: --logsource: %v\n", err)
			return nil, ExitUsage
		}
		s.forced = &ls
	}
	set, diags, _, err := o.rules.load(true)
	if err != nil {
		fmt.Fprintf(stderr, "picket scan: %v\n", err)
		return nil, ExitUsage
	}
	if errs := diags.Errors(); len(errs) > 0 {
		fmt.Fprintln(stderr, errs.Error())
		fmt.Fprintf(stderr, "picket scan: %d rule %s; fix them or check with 'picket rules lint'\n", len(errs), plural(len(errs), "error", "errors"))
		return nil, ExitUsage
	}
	if w := diags.Warnings(); len(w) > 0 {
		if o.verbose {
			fmt.Fprintln(stderr, w.Error())
		} else {
			fmt.Fprintf(stderr, "picket scan: %d rule %s (see 'picket rules lint' or -v)\n", len(w), plural(len(w), "warning", "warnings"))
		}
	}
	if o.rules.config != "" {
		cfg, err := config.Load(o.rules.config)
		if err != nil {
			fmt.Fprintf(stderr, "picket scan: %v\n", err)
			return nil, ExitUsage
		}
		logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		if s.alerts, err = app.OpenAlerts(context.Background(), cfg, logger); err != nil {
			fmt.Fprintf(stderr, "picket scan: %v\n", err)
			return nil, ExitInput
		}
		s.due = map[string]bool{}
	}
	s.engine = detect.New(set.Rules)
	var enabled []*sigma.Rule
	for _, r := range set.Rules {
		if !r.Disabled {
			enabled = append(enabled, r)
		}
	}
	copts := correlate.Options{Lateness: o.lateness}
	if s.alerts != nil {
		copts.Store = s.alerts.Store // correlation windows survive between scans and restarts
	}
	if s.corr, err = correlate.New(enabled, copts); err != nil {
		fmt.Fprintf(stderr, "picket scan: correlation rules: %v\n", err)
		return nil, ExitUsage
	}
	s.feeds = s.corr.Inputs()
	if len(s.engine.Rules()) == 0 {
		fmt.Fprintln(stderr, "picket scan: no detection rules loaded")
		return nil, ExitUsage
	}
	return s, ExitOK
}

// parseLogSource parses product/service[/category].
func parseLogSource(s string) (event.LogSource, error) {
	parts := strings.Split(s, "/")
	if len(parts) > 3 || parts[0] == "" {
		return event.LogSource{}, fmt.Errorf("%q: want product/service[/category], e.g. aws/cloudtrail", s)
	}
	ls := event.LogSource{Product: parts[0]}
	if len(parts) > 1 {
		ls.Service = parts[1]
	}
	if len(parts) > 2 {
		ls.Category = parts[2]
	}
	return ls, nil
}

func (s *scanner) run(ctx context.Context, paths []string) int {
	start := s.now()
	s.progress = newProgress(s.stderr, paths)
	for _, p := range paths {
		if ctx.Err() != nil {
			break
		}
		if p == "-" {
			s.scanReader(ctx, os.Stdin, "-")
			continue
		}
		s.scanPath(ctx, p)
	}
	s.progress.Close()
	// Store what was found even when interrupted: the detections are complete ones.
	storeErr := s.flush(context.WithoutCancel(ctx))
	if s.alerts != nil {
		if err := s.alerts.Close(); err != nil && storeErr == nil {
			storeErr = err
		}
	}
	if err := s.out.Close(); err != nil {
		fmt.Fprintf(s.stderr, "picket scan: writing output: %v\n", err)
		return ExitInput
	}
	s.summary(s.now().Sub(start))
	switch {
	case storeErr != nil:
		fmt.Fprintf(s.stderr, "picket scan: storing detections: %v\n", storeErr)
		return ExitInput
	case ctx.Err() != nil:
		fmt.Fprintln(s.stderr, "picket scan: interrupted")
		return ExitInput
	case len(s.badInputs) > 0:
		return ExitInput
	case s.opts.strict && s.stats.malformed > 0:
		return ExitInput
	case s.opts.failOnDetection && s.stats.detections > 0:
		return ExitDetection
	}
	return ExitOK
}

// scanPath scans a file or, recursively, a directory.
func (s *scanner) scanPath(ctx context.Context, p string) {
	info, err := os.Stat(p)
	if err != nil {
		s.inputError(p, err)
		return
	}
	if !info.IsDir() {
		s.scanFile(ctx, p)
		return
	}
	var files []string
	err = walkFiles(p, func(path string, _ os.FileInfo) { files = append(files, path) })
	if err != nil {
		s.inputError(p, err)
	}
	sort.Strings(files)
	for _, f := range files {
		if ctx.Err() != nil {
			return
		}
		s.scanFile(ctx, f)
	}
}

// walkFiles calls fn for every regular, non-hidden file at or under p.
func walkFiles(p string, fn func(path string, info os.FileInfo)) error {
	return filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && (path == p || !strings.HasPrefix(d.Name(), ".")) {
			if info, err := d.Info(); err == nil {
				fn(path, info)
			}
		}
		return nil
	})
}

func (s *scanner) scanFile(ctx context.Context, path string) {
	f, err := os.Open(path)
	if err != nil {
		s.inputError(path, err)
		return
	}
	defer f.Close()
	s.scanReader(ctx, f, path)
}

func (s *scanner) inputError(name string, err error) {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	fmt.Fprintf(s.stderr, "picket scan: %s: %v\n", name, err)
	s.badInputs = append(s.badInputs, name)
}

// maxReported caps the skipped-record messages printed per input (all are counted).
const maxReported = 20

// scanReader reads one input to its end, evaluating every record.
func (s *scanner) scanReader(ctx context.Context, r io.Reader, name string) {
	s.stats.files++
	cr := &countingReader{r: r, p: s.progress}
	rd := parse.NewReader(cr, name, parse.Options{Format: s.inFormat, MaxRecordSize: s.opts.maxRecordSize})
	var ev event.Event
	reported := 0
	report := func(msg string) {
		s.stats.malformed++
		if reported < maxReported || s.opts.verbose {
			fmt.Fprintf(s.stderr, "picket scan: %s:%s\n", name, msg)
		}
		reported++
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches, free := make(chan *recordBatch, batchesAhead), make(chan *recordBatch, batchesAhead+2)
	go readBatches(rctx, rd, batches, free)
	var st parse.Stats
	for b := range batches {
		for _, it := range b.items {
			if it.skip != "" {
				report(it.skip)
				continue
			}
			s.evaluate(ctx, &ev, b.arena[it.start:it.end], it, name, report)
		}
		if b.last {
			st = b.stats
			if b.err != nil {
				s.inputError(name, b.err)
			}
		}
		free <- b
		if ctx.Err() != nil {
			break
		}
	}
	if ctx.Err() != nil {
		return // interrupted: the reader goroutine stops at its next send
	}
	for range batches { // the reader has sent its last batch; wait for it to close the channel
	}
	if reported > maxReported && !s.opts.verbose {
		fmt.Fprintf(s.stderr, "picket scan: %s: %d more skipped records not shown (use -v)\n", name, reported-maxReported)
	}
	for k, v := range st.Skipped {
		s.stats.skipped[k] += v
	}
	s.stats.invalidUTF8 += st.InvalidUTF8
	if st.InvalidUTF8 > 0 {
		fmt.Fprintf(s.stderr, "picket scan: %s: %d %s invalid UTF-8: scanned as is, shown with U+FFFD in the output\n", name, st.InvalidUTF8, plural(st.InvalidUTF8, "record holds", "records hold"))
	}
	s.stats.bytes += cr.n
}

// evaluate runs the rules on one record.
func (s *scanner) evaluate(ctx context.Context, ev *event.Event, data []byte, it batchItem, name string, report func(string)) {
	ev.Reset(data, it.text)
	ev.Source, ev.Line = name, it.line
	if err := ev.Err(); err != nil {
		report(fmt.Sprintf("%d: %v", it.line, err))
		return
	}
	shape.Identify(ev, shape.Envelope{ID: it.id, Time: it.time}, s.now())
	if s.forced != nil {
		ev.LogSource = *s.forced
	}
	s.stats.events++
	s.progress.addEvent()
	s.engine.Match(ev, func(r *sigma.Rule) {
		if r.Generate {
			s.emit(ctx, r, ev, nil)
		} else {
			s.stats.silent++
		}
		if len(s.feeds[r.ID]) == 0 {
			return
		}
		hits, err := s.corr.Observe(ctx, r, ev)
		if err != nil {
			fmt.Fprintf(s.stderr, "picket scan: correlation: %v\n", err)
		}
		for i := range hits {
			if hits[i].Rule.Generate {
				s.emit(ctx, hits[i].Rule, ev, &hits[i])
			}
		}
	})
}

// emit writes one detection, or one correlation hit completed by ev, and queues it for the
// store when there is one.
func (s *scanner) emit(ctx context.Context, r *sigma.Rule, ev *event.Event, hit *correlate.Hit) {
	s.stats.detections++
	s.progress.addHit()
	s.stats.rules[r.ID] = true
	if err := s.out.Write(r, ev, hit); err != nil && !errors.Is(err, errWriteFailed) {
		fmt.Fprintf(s.stderr, "picket scan: writing output: %v\n", err)
	}
	if s.alerts == nil {
		return
	}
	if hit != nil {
		s.pending = append(s.pending, alert.HitDetection(hit, s.now()))
	} else {
		s.pending = append(s.pending, alert.NewDetection(r, ev, s.now()))
	}
	if len(s.pending) >= storeBatch {
		if err := s.flush(ctx); err != nil {
			fmt.Fprintf(s.stderr, "picket scan: storing detections: %v\n", err)
		}
	}
}

// storeBatch is how many detections are stored per transaction.
const storeBatch = 1000

// flush stores the pending detections and folds them into alerts. Storing is idempotent: the
// detections of a file scanned twice are stored once.
func (s *scanner) flush(ctx context.Context) error {
	if s.alerts == nil || len(s.pending) == 0 {
		return nil
	}
	due, err := s.alerts.Manager.Ingest(ctx, s.pending)
	if err != nil {
		return err
	}
	s.stats.stored += len(s.pending)
	for _, a := range due {
		s.due[a.ID] = true
	}
	s.pending = s.pending[:0]
	return nil
}

func (s *scanner) summary(d time.Duration) {
	st := s.stats
	var b strings.Builder
	fmt.Fprintf(&b, "picket scan: %d %s, %s, %d events in %s", st.files, plural(st.files, "input", "inputs"), humanBytes(st.bytes), st.events, d.Round(time.Millisecond))
	if secs := d.Seconds(); secs > 0.05 {
		fmt.Fprintf(&b, " (%.0f events/s)", float64(st.events)/secs)
	}
	fmt.Fprintf(&b, "; %d %s from %d %s", st.detections, plural(st.detections, "detection", "detections"), len(st.rules), plural(len(st.rules), "rule", "rules"))
	var late, ungrouped uint64
	for _, cs := range s.corr.Stats() {
		late += cs.Late
		ungrouped += cs.Ungrouped
	}
	if late > 0 {
		fmt.Fprintf(&b, "; %d events too late for their correlation window (raise --lateness)", late)
	}
	if st.silent > 0 {
		fmt.Fprintf(&b, "; %d %s of correlation-only rules (generate: false) not shown", st.silent, plural(st.silent, "match", "matches"))
	}
	var skipped []string
	keys := make([]string, 0, len(st.skipped))
	for k := range st.skipped {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	total := 0
	for _, k := range keys {
		total += st.skipped[k]
		skipped = append(skipped, fmt.Sprintf("%d %s", st.skipped[k], strings.ReplaceAll(k, "_", " ")))
	}
	if bad := st.malformed - (st.skipped[parse.ReasonMalformed] + st.skipped[parse.ReasonOversized] + st.skipped[parse.ReasonNotJSON]); bad > 0 {
		total += bad
		skipped = append(skipped, fmt.Sprintf("%d invalid JSON", bad))
	}
	if total > 0 {
		fmt.Fprintf(&b, "; %d %s skipped (%s)", total, plural(total, "record", "records"), strings.Join(skipped, ", "))
	}
	if st.invalidUTF8 > 0 {
		fmt.Fprintf(&b, "; %d events with invalid UTF-8 (scanned as is)", st.invalidUTF8)
	}
	if len(s.badInputs) > 0 {
		fmt.Fprintf(&b, "; %d unreadable: %s", len(s.badInputs), strings.Join(s.badInputs, ", "))
	}
	if s.alerts != nil {
		fmt.Fprintf(&b, "; stored %d detections (repeats of earlier scans are kept once), %d alerts new, reopened or due again", st.stored, len(s.due))
	}
	fmt.Fprintln(s.stderr, b.String())
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// countingReader counts the bytes read from an input (compressed bytes for gzip files).
type countingReader struct {
	r io.Reader
	n int64
	p *progress
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	c.p.addBytes(int64(n))
	return n, err
}
