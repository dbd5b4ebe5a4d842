package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"picket/internal/event"
	"picket/internal/parse"
	"picket/internal/rule/sigma"
	"picket/internal/shape"
)

func runExplain(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("explain", "picket explain --rule ID [flags] EVENT_FILE",
		"Evaluate one rule on one event and print which selections and field tests matched,\n"+
			"with the values the event holds: why the rule did, or did not, fire. EVENT_FILE is any\n"+
			"input picket scan reads (- for standard input); --record picks the event.\n"+
			"Exit status: 0 when the rule matches, 1 when it does not, 2 on errors.", stderr)
	var rf ruleFlags
	rf.register(fs, true)
	ruleID := fs.String("rule", "", "id or name of the rule to explain (required)")
	record := fs.Int("record", 1, "which event of the file to explain (1 = the first)")
	logsource := fs.String("logsource", "", "force the event's logsource: product/service[/category]")
	paths, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if *ruleID == "" || len(paths) != 1 || *record < 1 {
		fmt.Fprintln(stderr, "picket explain: give --rule ID and exactly one EVENT_FILE")
		fs.Usage()
		return ExitUsage
	}
	set, diags, _, err := rf.load(true)
	if err != nil {
		fmt.Fprintf(stderr, "picket explain: %v\n", err)
		return ExitUsage
	}
	r, ok := set.Lookup(*ruleID)
	if !ok {
		if errs := diags.Errors(); len(errs) > 0 {
			fmt.Fprintln(stderr, errs.Error())
		}
		fmt.Fprintf(stderr, "picket explain: no rule %q (see picket rules list)\n", *ruleID)
		return ExitUsage
	}
	if r.Kind != sigma.KindDetection {
		fmt.Fprintf(stderr, "picket explain: rule %q is a %s rule; explain works on detection rules\n", *ruleID, r.Kind)
		return ExitUsage
	}
	ev, err := readRecord(paths[0], *record)
	if err != nil {
		fmt.Fprintf(stderr, "picket explain: %v\n", err)
		return ExitUsage
	}
	if *logsource != "" {
		ls, err := parseLogSource(*logsource)
		if err != nil {
			fmt.Fprintf(stderr, "picket explain: --logsource: %v\n", err)
			return ExitUsage
		}
		ev.LogSource = ls
	}
	fmt.Fprintf(stdout, "event %s (%s:%d, %s)\n", ev.ID, ev.Source, ev.Line, ev.Kind)
	x := sigma.Explain(r, ev)
	x.Write(stdout)
	if x.Matched {
		return ExitOK
	}
	return ExitInput
}

// readRecord reads the n-th event of an input.
func readRecord(path string, n int) (*event.Event, error) {
	var in io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		in = f
	}
	rd := parse.NewReader(in, path, parse.Options{})
	for i := 1; ; {
		rec, err := rd.Next()
		var re *parse.RecordError
		switch {
		case errors.As(err, &re):
			continue
		case errors.Is(err, io.EOF):
			return nil, fmt.Errorf("%s holds %d events, not %d", path, i-1, n)
		case err != nil:
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if i < n {
			i++
			continue
		}
		ev := event.New(append([]byte(nil), rec.Data...))
		if rec.Text {
			ev = event.NewText(append([]byte(nil), rec.Data...))
		}
		ev.Source, ev.Line = path, rec.Line
		if err := ev.Err(); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, rec.Line, err)
		}
		shape.Identify(ev, shape.Envelope{ID: rec.ID, Time: rec.Time}, time.Now())
		return ev, nil
	}
}
