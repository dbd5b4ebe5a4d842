package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"picket/internal/config"
)

func runHealthcheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("healthcheck", "picket healthcheck [--url URL | --config FILE] [--ready]",
		"Ask a running picket whether it is healthy (GET /healthz, or /readyz with --ready) and exit 0\n"+
			"when it answers 200, 1 otherwise: for container health checks and service monitors, where\n"+
			"no curl is at hand. Without --url the address comes from the configuration's server.listen.", stderr)
	url := fs.String("url", "", "the URL to check (default: http://<server.listen>/healthz)")
	cfgFile := fs.String("config", "", "configuration file whose server.listen to check")
	ready := fs.Bool("ready", false, "check /readyz (the store answers) instead of /healthz")
	timeout := fs.Duration("timeout", 5*time.Second, "give up after this long")
	if _, err := parseArgs(fs, args); err != nil {
		return flagExit(err)
	}
	if *url == "" {
		listen := config.DefaultListen
		if *cfgFile != "" {
			cfg, err := config.Load(*cfgFile)
			if err != nil {
				fmt.Fprintf(stderr, "picket healthcheck: %v\n", err)
				return ExitUsage
			}
			listen = cfg.Server.ListenAddr()
		}
		host, port, err := net.SplitHostPort(listen)
		if err != nil {
			fmt.Fprintf(stderr, "picket healthcheck: server.listen %q: %v\n", listen, err)
			return ExitUsage
		}
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1"
		}
		path := "/healthz"
		if *ready {
			path = "/readyz"
		}
		*url = "http://" + net.JoinHostPort(host, port) + path
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		fmt.Fprintf(stderr, "picket healthcheck: %v\n", err)
		return ExitUsage
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "picket healthcheck: %v\n", err)
		return ExitInput
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "picket healthcheck: %s: %s %s\n", *url, resp.Status, body)
		return ExitInput
	}
	fmt.Fprintf(stdout, "%s: %s\n", *url, body)
	return ExitOK
}
