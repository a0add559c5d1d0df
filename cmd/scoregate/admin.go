package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"text/tabwriter"
	"time"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/batch"
	"github.com/scoregate/scoregate/store"
)

// migrateIfAllowed applies pending migrations when the database has no
// schema yet (first start) or when allowed; otherwise it refuses to go on
// with a schema that is behind the binary.
func migrateIfAllowed(ctx context.Context, db *store.DB, allowed bool, logger *slog.Logger) error {
	pending, err := db.Pending(ctx)
	if err != nil {
		return fmt.Errorf("check database schema: %w", err)
	}
	if pending == 0 {
		return nil
	}
	applied, err := db.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("check database schema: %w", err)
	}
	if applied > 0 && !allowed {
		return fmt.Errorf("the database schema is %d migration(s) behind this binary: run \"scoregate migrate\" or start with --migrate", pending)
	}
	logger.Info("migrating database", "from_version", applied, "pending", pending)
	if err := db.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	return nil
}

// adminFlags parses the configuration flags of an administrative command.
func adminFlags(name string, args []string, env func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (Config, *flag.FlagSet, error) {
	var cfg Config
	fs := flag.NewFlagSet("scoregate "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.bindFlags(fs, env)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return cfg, fs, err
	}
	return cfg, fs, cfg.validate()
}

// runMigrate applies pending migrations and reports the schema version.
func runMigrate(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	cfg, _, err := adminFlags("migrate", args, env, stderr, nil)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	db, err := openAdminStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	if err := batch.Migrate(ctx, db.SQL(), db.Dialect(), logger); err != nil {
		return err
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database schema at version %d (%s)\n", v, db.Dialect())
	return nil
}

// openAdminStore opens the store for a one-shot command, creating the data
// directory the SQLite database and secret live in.
func openAdminStore(ctx context.Context, cfg Config, logger *slog.Logger) (*store.DB, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	return openStore(ctx, cfg, logger)
}

// runWorkspace implements "scoregate workspace create|list|token".
func runWorkspace(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("workspace: want create NAME, list or token ID")
	}
	sub, args := args[0], args[1:]
	var keyType string
	var regenerate bool
	cfg, fs, err := adminFlags("workspace "+sub, args, env, stderr, func(fs *flag.FlagSet) {
		if sub == "token" {
			fs.StringVar(&keyType, "type", string(scoregate.KeyPrimary), "token to print: Primary or Secondary")
			fs.BoolVar(&regenerate, "regenerate", false, "replace the token with a new one first")
		}
	})
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	db, err := openAdminStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := migrateIfAllowed(ctx, db, cfg.Migrate, logger); err != nil {
		return err
	}
	switch sub {
	case "create":
		if fs.NArg() != 1 {
			return errors.New("workspace create: want exactly one NAME")
		}
		ws, err := db.CreateWorkspace(ctx, fs.Arg(0))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\t%s\n", ws.ID, ws.Name)
		return nil
	case "list":
		wss, err := db.Workspaces(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tCREATED")
		for _, ws := range wss {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", ws.ID, ws.Name, ws.CreatedAt.UTC().Format(time.RFC3339))
		}
		return tw.Flush()
	case "token":
		if fs.NArg() != 1 {
			return errors.New("workspace token: want exactly one workspace ID")
		}
		kt, err := scoregate.ParseKeyType("type", keyType)
		if err != nil {
			return err
		}
		var token string
		if regenerate {
			token, err = db.RegenerateWorkspaceToken(ctx, fs.Arg(0), kt)
		} else {
			token, err = db.WorkspaceToken(ctx, fs.Arg(0), kt)
		}
		if err != nil {
			return err
		}
		// The token goes to stdout because it was asked for; it is never logged.
		fmt.Fprintln(stdout, token)
		return nil
	}
	return fmt.Errorf("workspace: unknown subcommand %q", sub)
}
