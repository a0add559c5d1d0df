package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/fixtures"
)

// defaultWorkspaceName names the workspace the first start creates.
const defaultWorkspaceName = "default"

// firstStart is what bootstrap found or made, for the start-up banner.
type firstStart struct {
	Workspace scoregate.Workspace
	TokenPath string
	// Demo is the demo web service's default endpoint, when it exists.
	Demo *scoregate.Endpoint
}

// bootstrap makes sure the default workspace exists and its primary token is
// in {data dir}/workspace-token (mode 0600), and publishes the demo web
// service when it creates the workspace. A later start reuses all of it, and
// a demo deleted by its owner stays deleted.
func bootstrap(ctx context.Context, cfg Config, st scoregate.Store, blobs scoregate.Blobs, models scoregate.ModelInspector, logger *slog.Logger) (*firstStart, error) {
	ws, created, err := defaultWorkspace(ctx, st)
	if err != nil {
		return nil, err
	}
	fs := &firstStart{Workspace: *ws, TokenPath: filepath.Join(cfg.DataDir, "workspace-token")}
	if err := writeTokenFile(ctx, st, ws.ID, fs.TokenPath); err != nil {
		return nil, err
	}
	logger.Info("workspace token file", "workspace_id", ws.ID, "token_path", fs.TokenPath)
	if created && cfg.Demo {
		desc := "Demo: iris species from sepal and petal measurements (decision tree)"
		if _, err := scoregate.Publish(ctx, st, blobs, models, ws.ID, fixtures.DemoServiceName, fixtures.DemoModel, &desc); err != nil {
			return nil, fmt.Errorf("publish demo web service: %w", err)
		}
		logger.Info("published demo web service", "workspace_id", ws.ID, "web_service", fixtures.DemoServiceName)
	}
	e, err := st.Endpoint(ctx, ws.ID, fixtures.DemoServiceName, scoregate.DefaultEndpointName)
	switch {
	case err == nil:
		fs.Demo = e
	case !scoregate.IsNotFound(err):
		return nil, fmt.Errorf("look up demo endpoint: %w", err)
	}
	return fs, nil
}

// defaultWorkspace returns the workspace named "default" (the oldest one if
// several share the name), creating it when no workspace exists at all.
func defaultWorkspace(ctx context.Context, st scoregate.Store) (*scoregate.Workspace, bool, error) {
	wss, err := st.Workspaces(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("list workspaces: %w", err)
	}
	var found *scoregate.Workspace
	for i := range wss {
		if wss[i].Name == defaultWorkspaceName && (found == nil || wss[i].CreatedAt.Before(found.CreatedAt)) {
			found = &wss[i]
		}
	}
	if found != nil {
		return found, false, nil
	}
	if len(wss) > 0 {
		// Someone removed or renamed the default workspace and manages
		// their own: leave them alone and report the oldest.
		oldest := &wss[0]
		for i := range wss {
			if wss[i].CreatedAt.Before(oldest.CreatedAt) {
				oldest = &wss[i]
			}
		}
		return oldest, false, nil
	}
	ws, err := st.CreateWorkspace(ctx, defaultWorkspaceName)
	if err != nil {
		return nil, false, fmt.Errorf("create default workspace: %w", err)
	}
	return ws, true, nil
}

// writeTokenFile keeps the workspace's current primary token in path.
func writeTokenFile(ctx context.Context, st scoregate.Store, ws, path string) error {
	token, err := st.WorkspaceToken(ctx, ws, scoregate.KeyPrimary)
	if err != nil {
		return fmt.Errorf("read workspace token: %w", err)
	}
	if b, err := os.ReadFile(path); err == nil && string(b) == token+"\n" {
		return nil
	}
	if err := writePrivateFile(path, token+"\n"); err != nil {
		return fmt.Errorf("write workspace token file: %w", err)
	}
	return nil
}

// print writes the start-up banner: where the token is (never the token)
// and where the demo endpoint answers.
func (fs *firstStart) print(w io.Writer, baseURL string) {
	fmt.Fprintf(w, "  workspace     %s (%s)\n", fs.Workspace.ID, fs.Workspace.Name)
	fmt.Fprintf(w, "  token file    %s\n", fs.TokenPath)
	if fs.Demo != nil {
		fmt.Fprintf(w, "  demo endpoint %s\n", fs.Demo.APILocation(baseURL))
	}
	fmt.Fprintf(w, "  try           curl -H \"Authorization: Bearer $(cat %s)\" %s/workspaces/%s/webservices\n",
		fs.TokenPath, baseURL, fs.Workspace.ID)
}
