package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"text/tabwriter"

	"picket/internal/rule/builtin"
	"picket/internal/rule/ruletest"
)

func runRulesTest(_ context.Context, args []string, stdout, stderr io.Writer) int {
	flags := newFlagSet("rules test", "picket rules test [flags] [PATH...]",
		"Run the tests that live beside rules (name.test.yml next to name.yml). Without PATH,\n"+
			"run the tests of the built-in pack; with PATH, the tests found under each file or\n"+
			"directory, against the built-in pack plus the rules under PATH.\n"+
			"Prints a table per test file and the reason of every failure; exit 1 on any failure.", stderr)
	var rf ruleFlags
	rf.register(flags, false)
	flags.BoolVar(&rf.noBuiltin, "no-builtin", false, "with PATH: test against the rules under PATH only, without the built-in pack")
	verbose := flags.Bool("v", false, "print every case, passed ones too")
	format := flags.String("format", "table", "output format: table or jsonl (one line per case)")
	paths, err := parseArgs(flags, args)
	if err != nil {
		return flagExit(err)
	}
	if *format != "table" && *format != "jsonl" {
		fmt.Fprintf(stderr, "picket rules test: --format must be table or jsonl, not %q\n", *format)
		return ExitUsage
	}
	rf.paths = paths
	set, diags, _, err := rf.load(true)
	if err != nil {
		fmt.Fprintf(stderr, "picket rules test: %v\n", err)
		return ExitUsage
	}
	if errs := diags.Errors(); len(errs) > 0 {
		fmt.Fprintln(stderr, errs.Error())
		fmt.Fprintf(stderr, "picket rules test: %d rule errors; their tests fail\n", len(errs))
	}
	var cases []ruletest.Case
	var loadErrs []string
	addFile := func(fsys fs.FS, name, display string) {
		cs, err := ruletest.LoadFile(fsys, name, display)
		if err != nil {
			loadErrs = append(loadErrs, err.Error())
		}
		cases = append(cases, cs...)
	}
	if len(paths) == 0 {
		files, err := ruletest.Find(builtin.FS(), "builtin")
		if err != nil {
			fmt.Fprintf(stderr, "picket rules test: %v\n", err)
			return ExitUsage
		}
		for _, f := range files {
			addFile(builtin.FS(), f, filepath.Join("builtin", filepath.FromSlash(f)))
		}
	}
	for _, p := range paths {
		err := walkFiles(p, func(path string, _ os.FileInfo) {
			if ruletest.IsTestFile(path) {
				addFile(nil, path, path)
			}
		})
		if err != nil {
			fmt.Fprintf(stderr, "picket rules test: %v\n", err)
			return ExitUsage
		}
	}
	for _, e := range loadErrs {
		fmt.Fprintln(stderr, e)
	}
	runner := ruletest.NewRunner(set)
	results := make([]ruletest.Result, len(cases))
	failed := 0
	for i, c := range cases {
		results[i] = runner.Run(c)
		if !results[i].Pass {
			failed++
		}
	}
	if *format == "jsonl" {
		enc := json.NewEncoder(stdout)
		for _, r := range results {
			enc.Encode(map[string]any{"file": r.Case.File, "line": r.Case.Line, "case": r.Case.Name, "rule_id": r.RuleID, "expect": r.Case.Expect, "pass": r.Pass, "reason": r.Reason})
		}
	} else {
		writeRuleTestTable(stdout, results, *verbose)
	}
	fmt.Fprintf(stdout, "%d test files, %d cases: %d passed, %d failed\n", countFiles(cases), len(cases), len(cases)-failed, failed)
	if failed > 0 || len(loadErrs) > 0 || len(cases) == 0 {
		if len(cases) == 0 {
			fmt.Fprintln(stderr, "picket rules test: no test cases found")
		}
		return ExitInput
	}
	return ExitOK
}

func countFiles(cases []ruletest.Case) int {
	seen := map[string]bool{}
	for _, c := range cases {
		seen[c.File] = true
	}
	return len(seen)
}

func writeRuleTestTable(w io.Writer, results []ruletest.Result, verbose bool) {
	type fileSum struct{ pass, fail int }
	sums := map[string]*fileSum{}
	var order []string
	for _, r := range results {
		s := sums[r.Case.File]
		if s == nil {
			s = &fileSum{}
			sums[r.Case.File] = s
			order = append(order, r.Case.File)
		}
		if r.Pass {
			s.pass++
		} else {
			s.fail++
		}
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RESULT\tTEST FILE\tPASSED\tFAILED")
	for _, f := range order {
		res := "ok"
		if sums[f].fail > 0 {
			res = "FAIL"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\n", res, f, sums[f].pass, sums[f].fail)
	}
	tw.Flush()
	for _, r := range results {
		if r.Pass && !verbose {
			continue
		}
		status := "PASS"
		if !r.Pass {
			status = "FAIL"
		}
		fmt.Fprintf(w, "%s %s:%d %q (expect %s)", status, r.Case.File, r.Case.Line, r.Case.Name, r.Case.Expect)
		if r.Reason != "" {
			fmt.Fprintf(w, ": %s", r.Reason)
		}
		fmt.Fprintln(w)
	}
}
