// Command picket collects cloud logs, evaluates Sigma rules over them and reports detections.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"picket/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
