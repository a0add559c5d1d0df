package store

import (
	"context"
	"strings"

	"gorm.io/gorm"

	"github.com/scoregate/scoregate"
)

// maxWorkspaceName bounds a workspace's display name, in bytes.
const maxWorkspaceName = 256

// CreateWorkspace creates a workspace with a fresh primary and secondary
// token.
func (db *DB) CreateWorkspace(ctx context.Context, name string) (*scoregate.Workspace, error) {
	if strings.TrimSpace(name) == "" || len(name) > maxWorkspaceName {
		return nil, scoregate.Errorf(scoregate.BadUserArgument, scoregate.CodeInvalidName, "Name",
			"a workspace name of 1 to %d characters is required", maxWorkspaceName)
	}
	row := workspaceRow{ID: scoregate.NewID(), Name: name, CreatedAt: now()}
	err := db.inTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		for _, kt := range []scoregate.KeyType{scoregate.KeyPrimary, scoregate.KeySecondary} {
			if _, err := db.issueCredential(tx, row.ID, "", kt); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, translate("create workspace", err, nil, nil)
	}
	db.log.InfoContext(ctx, "store: workspace created", "workspace_id", row.ID)
	ws := toWorkspace(row)
	return &ws, nil
}

// Workspaces lists every workspace by name.
func (db *DB) Workspaces(ctx context.Context) ([]scoregate.Workspace, error) {
	var rows []workspaceRow
	if err := db.gorm.WithContext(ctx).Order("name, id").Find(&rows).Error; err != nil {
		return nil, translate("list workspaces", err, nil, nil)
	}
	list := make([]scoregate.Workspace, 0, len(rows))
	for _, r := range rows {
		list = append(list, toWorkspace(r))
	}
	return list, nil
}

// Workspace returns the workspace with id.
func (db *DB) Workspace(ctx context.Context, id string) (*scoregate.Workspace, error) {
	row, err := findWorkspace(db.gorm.WithContext(ctx), id)
	if err != nil {
		return nil, err
	}
	ws := toWorkspace(row)
	return &ws, nil
}

// WorkspaceToken returns a workspace token in clear.
func (db *DB) WorkspaceToken(ctx context.Context, id string, kt scoregate.KeyType) (string, error) {
	if _, err := scoregate.ParseKeyType("KeyType", string(kt)); err != nil {
		return "", err
	}
	tx := db.gorm.WithContext(ctx)
	if _, err := findWorkspace(tx, id); err != nil {
		return "", err
	}
	token, err := db.workspaceToken(tx, id, kt)
	return token, translate("read token of workspace "+id, err, nil, nil)
}

// RegenerateWorkspaceToken replaces a workspace token and returns the new
// one; the old one stops authenticating at once.
func (db *DB) RegenerateWorkspaceToken(ctx context.Context, id string, kt scoregate.KeyType) (string, error) {
	if _, err := scoregate.ParseKeyType("KeyType", string(kt)); err != nil {
		return "", err
	}
	var token string
	err := db.inTx(ctx, func(tx *gorm.DB) error {
		if _, err := findWorkspace(tx, id); err != nil {
			return err
		}
		var err error
		if token, err = db.rotateCredential(tx, id, "", kt); err != nil {
			return err
		}
		return db.appendChange(tx, id, "", "")
	})
	if err != nil {
		return "", translate("regenerate token of workspace "+id, err, nil, nil)
	}
	db.log.InfoContext(ctx, "store: workspace token regenerated", "workspace_id", id, "key_type", string(kt))
	return token, nil
}

// findWorkspace reads a workspace row; a missing one is WorkspaceNotFound.
func findWorkspace(tx *gorm.DB, id string) (workspaceRow, error) {
	var row workspaceRow
	err := tx.Where("id = ?", id).Take(&row).Error
	return row, translate("find workspace "+id, err, workspaceNotFound(id), nil)
}

// missing picks the NotFound error for a lookup in workspace ws that found
// nothing: WorkspaceNotFound when ws itself does not exist, else notFound.
// Only failed lookups pay for the extra query.
func missing(tx *gorm.DB, ws string, notFound *scoregate.Error) error {
	if _, err := findWorkspace(tx, ws); err != nil {
		return err
	}
	return notFound
}
