package file

import (
	"errors"
	"fmt"
	"path/filepath"

	"picket/internal/event"
	"picket/internal/parse"
)

// Start positions for files seen at a source's very first poll.
const (
	// StartBeginning reads existing files from their first byte.
	StartBeginning = "beginning"
	// StartEnd skips what existing files hold at the first poll and reads only what is
	// appended afterwards.
	StartEnd = "end"
)

// DefaultMaxBatch is the number of records handed to the sink at once when max_batch is 0.
const DefaultMaxBatch = 1000

// Config configures a file source.
type Config struct {
	// Paths are files, directories or globs (filepath.Match syntax, no "**"), relative to the
	// configuration file's directory. A directory, named or matched, stands for every regular
	// file below it, recursively; symbolic links to directories are not followed.
	Paths []string `yaml:"paths"`
	// Exclude drops files matching one of these globs. A pattern without a path separator
	// matches the file's base name ("*.gz"); one with a separator matches its full path,
	// relative patterns being relative to the configuration file's directory.
	Exclude []string `yaml:"exclude"`
	// Format is the framing of the files: auto (default), jsonl, json, cloudtrail,
	// cloudwatch or text (see package parse).
	Format string `yaml:"format"`
	// LogSource, when set, is the logsource of every record; otherwise the pipeline
	// recognises each record's shape.
	LogSource *LogSource `yaml:"logsource"`
	// StartAt is where files found at the source's very first poll are read from:
	// beginning (default) or end. Files that appear later are always read from the
	// beginning, so that a rotation loses nothing.
	StartAt string `yaml:"start_at"`
	// MaxBatch is the largest number of records handed to the sink at once (default 1000).
	MaxBatch int `yaml:"max_batch"`
	// MaxRecordSize is the largest record in bytes (default parse.DefaultMaxRecordSize);
	// longer records are skipped and counted.
	MaxRecordSize int `yaml:"max_record_size"`
}

// LogSource is the Sigma logsource forced on every record of the source.
type LogSource struct {
	Product  string `yaml:"product"`
	Service  string `yaml:"service"`
	Category string `yaml:"category"`
}

func (l *LogSource) event() *event.LogSource {
	if l == nil {
		return nil
	}
	return &event.LogSource{Product: l.Product, Service: l.Service, Category: l.Category}
}

// DefaultConfig returns the defaults: auto-detected format, read from the beginning, batches
// of DefaultMaxBatch records, records up to parse.DefaultMaxRecordSize bytes.
func DefaultConfig() Config {
	return Config{Format: string(parse.FormatAuto), StartAt: StartBeginning, MaxBatch: DefaultMaxBatch,
		MaxRecordSize: parse.DefaultMaxRecordSize}
}

// Validate reports every problem of c at once. It touches no file.
func (c Config) Validate() error {
	var errs []error
	if len(c.Paths) == 0 {
		errs = append(errs, errors.New("paths: at least one file, directory or glob is required"))
	}
	for _, p := range c.Paths {
		if p == "" {
			errs = append(errs, errors.New("paths: empty path"))
		} else if _, err := filepath.Match(p, ""); err != nil {
			errs = append(errs, fmt.Errorf("paths: %q: %w", p, err))
		}
	}
	for _, p := range c.Exclude {
		if _, err := filepath.Match(p, ""); err != nil || p == "" {
			errs = append(errs, fmt.Errorf("exclude: %q is not a valid glob", p))
		}
	}
	if _, err := parse.ParseFormat(c.Format); err != nil {
		errs = append(errs, fmt.Errorf("format: %w", err))
	}
	if l := c.LogSource; l != nil && l.Product == "" && l.Service == "" && l.Category == "" {
		errs = append(errs, errors.New("logsource: set at least one of product, service and category"))
	}
	switch c.StartAt {
	case "", StartBeginning, StartEnd:
	default:
		errs = append(errs, fmt.Errorf("start_at: must be %s or %s, not %q", StartBeginning, StartEnd, c.StartAt))
	}
	if c.MaxBatch < 0 {
		errs = append(errs, fmt.Errorf("max_batch: must not be negative, not %d", c.MaxBatch))
	}
	if c.MaxRecordSize < 0 {
		errs = append(errs, fmt.Errorf("max_record_size: must not be negative, not %d", c.MaxRecordSize))
	}
	return errors.Join(errs...)
}
