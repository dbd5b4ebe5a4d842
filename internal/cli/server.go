package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"picket/internal/server"
)

// runServer is `picket server hash-token|hash-password`: the lines to paste into the server
// section of the configuration.
func runServer(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runServerWith(ctx, args, os.Stdin, stdout, stderr)
}

// runServerWith is runServer reading secrets from stdin.
func runServerWith(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	usage := "Usage: picket server <hash-token|hash-password> [flags]\n\n" +
		"  hash-token      create an API token and print it with its server.tokens entry\n" +
		"                  (--stdin: hash a token read from standard input instead)\n" +
		"  hash-password   read a console password from standard input and print its server.users entry"
	return dispatch("server", usage, args, stdout, stderr,
		subcommand{"hash-token", func(a []string) int { return runHashToken(a, stdin, stdout, stderr) }},
		subcommand{"hash-password", func(a []string) int { return runHashPassword(a, stdin, stdout, stderr) }},
	)
}

func runHashToken(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("server hash-token", "picket server hash-token [--name NAME] [--stdin]",
		"Create a random API token and print it (shown once: give it to the client, e.g. as\n"+
			"$PICKET_TOKEN) followed by the server.tokens entry holding its SHA-256.", stderr)
	name := fs.String("name", "api", "the token's name, recorded as the actor of what it does")
	fromStdin := fs.Bool("stdin", false, "hash the token read from standard input (first line) instead of creating one")
	if _, err := parseArgs(fs, args); err != nil {
		return flagExit(err)
	}
	token := server.NewToken()
	if *fromStdin {
		var err error
		if token, err = readSecret(stdin); err != nil {
			fmt.Fprintf(stderr, "picket server hash-token: %v\n", err)
			return ExitUsage
		}
	} else {
		fmt.Fprintf(stdout, "# token (shown once):\n%s\n", token)
	}
	fmt.Fprintf(stdout, "# server.tokens entry:\n- name: %q\n  sha256: %s\n", *name, server.HashToken(token))
	return ExitOK
}

func runHashPassword(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("server hash-password", "picket server hash-password [--name NAME] < password",
		"Read a console password from standard input (first line; e.g. `read -rs P; printf '%s\\n' \"$P\" |`)\n"+
			"and print the server.users entry holding its bcrypt hash.", stderr)
	name := fs.String("name", "admin", "the user's name")
	if _, err := parseArgs(fs, args); err != nil {
		return flagExit(err)
	}
	pw, err := readSecret(stdin)
	if err != nil {
		fmt.Fprintf(stderr, "picket server hash-password: %v\n", err)
		return ExitUsage
	}
	hash, err := server.HashPassword(pw)
	if err != nil {
		fmt.Fprintf(stderr, "picket server hash-password: %v\n", err)
		return ExitUsage
	}
	fmt.Fprintf(stdout, "# server.users entry:\n- name: %q\n  password_hash: '%s'\n", *name, hash)
	return ExitOK
}

// readSecret reads the first line of r, without its line ending.
func readSecret(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("nothing on standard input")
	}
	return line, nil
}
