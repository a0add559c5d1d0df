package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/scoregate/scoregate"
)

// Credentials are random 32-byte values in base64url. A row keeps the HMAC
// digest, by which Authenticate finds it, and the AES-GCM ciphertext, from
// which the owner is shown it again. Neither the credential nor anything
// derived from it but the digest appears in an error or a log line.

// Authenticate resolves a workspace token or an endpoint key to its owner.
// An empty, malformed, unknown or rotated-away credential is Unauthorized
// (ScoreRequestUnauthorized), with one message for all of them.
func (db *DB) Authenticate(ctx context.Context, credential string) (scoregate.Principal, error) {
	if !wellFormed(credential) {
		return scoregate.Principal{}, unauthorized()
	}
	digest := db.sealer.digest(credential)
	var row credentialRow
	err := db.gorm.WithContext(ctx).Where("digest = ?", digest).Take(&row).Error
	if err != nil {
		return scoregate.Principal{}, translate("authenticate", err, unauthorized(), nil)
	}
	if !db.sealer.verify(credential, row.Ciphertext, row.Digest) {
		// The digest matched, so this row was altered or the secret
		// changed: worth an operator's attention, not a client's.
		db.log.ErrorContext(ctx, "store: credential row does not verify", "credential_id", row.ID,
			"workspace_id", row.WorkspaceID)
		return scoregate.Principal{}, unauthorized()
	}
	p := scoregate.Principal{WorkspaceID: row.WorkspaceID}
	if row.EndpointID != nil {
		p.EndpointID = *row.EndpointID
	}
	return p, nil
}

// issueCredential stores a fresh credential for a workspace (endpointID "")
// or an endpoint, and returns it in clear.
func (db *DB) issueCredential(tx *gorm.DB, ws, endpointID string, kt scoregate.KeyType) (string, error) {
	credential := newCredential()
	digest := db.sealer.digest(credential)
	row := credentialRow{
		ID:          scoregate.NewID(),
		Digest:      digest,
		WorkspaceID: ws,
		KeyType:     string(kt),
		Ciphertext:  db.sealer.seal(credential, digest),
		CreatedAt:   now(),
	}
	if endpointID != "" {
		row.EndpointID = &endpointID
	}
	if err := tx.Create(&row).Error; err != nil {
		return "", err
	}
	return credential, nil
}

// rotateCredential replaces one credential of an owner. The old one stops
// authenticating when tx commits: its digest is gone.
func (db *DB) rotateCredential(tx *gorm.DB, ws, endpointID string, kt scoregate.KeyType) (string, error) {
	credential := newCredential()
	digest := db.sealer.digest(credential)
	res := ownedBy(tx.Model(&credentialRow{}), ws, endpointID).Where("key_type = ?", string(kt)).
		Updates(map[string]any{
			"digest":     digest,
			"ciphertext": db.sealer.seal(credential, digest),
			"created_at": now(),
		})
	if res.Error != nil {
		return "", res.Error
	}
	if res.RowsAffected == 0 {
		return db.issueCredential(tx, ws, endpointID, kt)
	}
	return credential, nil
}

// ownedBy narrows a credentials query to a workspace's tokens (endpointID
// "") or an endpoint's keys.
func ownedBy(q *gorm.DB, ws, endpointID string) *gorm.DB {
	q = q.Where("workspace_id = ?", ws)
	if endpointID == "" {
		return q.Where("endpoint_id IS NULL")
	}
	return q.Where("endpoint_id = ?", endpointID)
}

// workspaceToken reads and decrypts one token of a workspace.
func (db *DB) workspaceToken(tx *gorm.DB, ws string, kt scoregate.KeyType) (string, error) {
	var row credentialRow
	if err := ownedBy(tx, ws, "").Where("key_type = ?", string(kt)).Take(&row).Error; err != nil {
		return "", err
	}
	return db.reveal(row)
}

// endpointKeys reads and decrypts the keys of endpoints of workspace ws.
func (db *DB) endpointKeys(tx *gorm.DB, ws string, ids ...string) (map[string]keyPair, error) {
	keys := make(map[string]keyPair, len(ids))
	if len(ids) == 0 {
		return keys, nil
	}
	var rows []credentialRow
	if err := tx.Where("workspace_id = ? AND endpoint_id IN ?", ws, ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, row := range rows {
		plain, err := db.reveal(row)
		if err != nil {
			return nil, err
		}
		k := keys[*row.EndpointID]
		if row.KeyType == string(scoregate.KeyPrimary) {
			k.primary = plain
		} else {
			k.secondary = plain
		}
		keys[*row.EndpointID] = k
	}
	return keys, nil
}

// reveal decrypts a stored credential for its owner.
func (db *DB) reveal(row credentialRow) (string, error) {
	plain, err := db.sealer.open(row.Ciphertext, row.Digest)
	if err != nil {
		return "", fmt.Errorf("credential %s: %w (was the server secret changed?)", row.ID, err)
	}
	return plain, nil
}
