// Command scoregate runs the scoregate model gateway and its administrative
// subcommands:
//
//	scoregate [serve] [flags]          run the gateway (the default)
//	scoregate migrate [flags]          apply pending database migrations
//	scoregate score --model M IN OUT   score a CSV file offline with a PMML model
//	scoregate workspace create NAME    create a workspace
//	scoregate workspace list           list workspaces
//	scoregate workspace token ID       print a workspace token (-type, -regenerate)
//	scoregate version                  print the version
//
// Every flag has a SCOREGATE_* environment variable; see -help.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "scoregate:", err)
		os.Exit(1)
	}
}

// run dispatches to a subcommand; serve is the default.
func run(ctx context.Context, args []string, env func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		m := NewMain(env, stdout, stderr)
		if err := m.ParseFlags(args); err != nil {
			return err
		}
		if m.Config.ConfigDump {
			return m.Config.dump(stdout)
		}
		if err := m.Run(ctx); err != nil {
			return errors.Join(err, m.Close())
		}
		err := m.Wait(ctx)
		return errors.Join(err, m.Close())
	case "migrate":
		return runMigrate(ctx, args, env, stdout, stderr)
	case "score":
		return runScore(ctx, args, stdin, stdout, stderr)
	case "workspace":
		return runWorkspace(ctx, args, env, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "scoregate", buildVersion())
		return nil
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

const usage = `usage:
  scoregate [serve] [flags]              run the gateway (default)
  scoregate migrate [flags]              apply pending database migrations
  scoregate score --model M.pmml IN OUT  score a CSV file offline (IN, OUT may be -)
  scoregate workspace create NAME        create a workspace
  scoregate workspace list               list workspaces
  scoregate workspace token [-type Primary|Secondary] [-regenerate] ID
                                         print (or regenerate) a workspace token
  scoregate version                      print the version
Run "scoregate serve -help" for the flags and their SCOREGATE_* variables.
`

// buildVersion returns the version, with the VCS revision when known.
func buildVersion() string {
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
	}
	return v
}
