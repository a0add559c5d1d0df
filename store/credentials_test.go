package store_test

import (
	"bytes"
	"encoding/base64"
	"log/slog"
	"strings"
	"testing"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/store"
	"github.com/scoregate/scoregate/store/storetest"
)

// credentialsOf returns every key and token of a workspace with one web
// service of two endpoints.
func credentialsOf(t *testing.T, db *store.DB, ws string) (all []string, ep *scoregate.Endpoint) {
	t.Helper()
	ctx := t.Context()
	publish(t, db, ws, "svc", 1)
	ep, _, err := db.PutEndpoint(ctx, ws, "svc", "ep", scoregate.EndpointSettings{})
	ok(t, err)
	def, err := db.Endpoint(ctx, ws, "svc", "default")
	ok(t, err)
	all = []string{ep.PrimaryKey, ep.SecondaryKey, def.PrimaryKey, def.SecondaryKey}
	for _, kt := range []scoregate.KeyType{scoregate.KeyPrimary, scoregate.KeySecondary} {
		token, err := db.WorkspaceToken(ctx, ws, kt)
		ok(t, err)
		all = append(all, token)
	}
	return all, ep
}

func TestCredentialsAtRest(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "ws")
		creds, ep := credentialsOf(t, db, ws.ID)
		rows, err := db.StoredCredentials(ctx)
		ok(t, err)
		if len(rows) != len(creds) {
			t.Fatalf("%d credential rows, want %d", len(rows), len(creds))
		}
		for _, row := range rows {
			if len(row.Digest) != 64 {
				t.Errorf("row %s: digest %q is not 64 hex digits", row.ID, row.Digest)
			}
			for _, c := range creds {
				raw, _ := base64.RawURLEncoding.DecodeString(c)
				if bytes.Contains(row.Ciphertext, []byte(c)) || bytes.Contains(row.Ciphertext, raw) ||
					strings.Contains(row.Digest, c) || row.ID == c {
					t.Fatalf("row %s holds a credential in clear", row.ID)
				}
			}
		}

		var primary, secondary store.StoredCredential
		for _, row := range rows {
			if row.EndpointID != nil && *row.EndpointID == ep.ID {
				if row.KeyType == string(scoregate.KeyPrimary) {
					primary = row
				} else {
					secondary = row
				}
			}
		}
		tampered := bytes.Clone(primary.Ciphertext)
		tampered[len(tampered)-1] ^= 0x80
		ok(t, db.Exec(ctx, "UPDATE credentials SET ciphertext = ? WHERE id = ?", tampered, primary.ID))
		refused(t, db, ep.PrimaryKey)
		authenticates(t, db, ep.SecondaryKey, scoregate.Principal{WorkspaceID: ws.ID, EndpointID: ep.ID})
		_, err = db.Endpoint(ctx, ws.ID, "svc", "ep")
		e := wantError(t, err, scoregate.Internal, scoregate.CodeInternal)
		if e.Message != "internal error" || strings.Contains(e.Error(), ep.PrimaryKey) {
			t.Fatalf("reading a tampered key: %q", e.Error())
		}

		// A valid ciphertext moved onto another row does not open there:
		// the digest is bound in.
		ok(t, db.Exec(ctx, "UPDATE credentials SET ciphertext = ? WHERE id = ?", secondary.Ciphertext, primary.ID))
		refused(t, db, ep.PrimaryKey)
	})
}

// TestSecretsStayOut walks through every method that makes, shows or checks
// a credential, and checks that none reached the log or an error.
func TestSecretsStayOut(t *testing.T) {
	t.Parallel()
	logs := map[string]*storetest.LogBuffer{"sqlite": {}, "postgres": {}}
	for dialect, buf := range logs {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			logger := slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
			var db *store.DB
			if dialect == "sqlite" {
				db = storetest.NewSQLite(t, storetest.WithLogger(logger))
			} else {
				db = storetest.NewPostgres(t, storetest.WithLogger(logger))
			}
			ctx := t.Context()
			ws := newWorkspace(t, db, "ws")
			creds, _ := credentialsOf(t, db, ws.ID)
			token, err := db.RegenerateWorkspaceToken(ctx, ws.ID, scoregate.KeyPrimary)
			ok(t, err)
			ep, err := db.RegenerateEndpointKey(ctx, ws.ID, "svc", "ep", scoregate.KeySecondary)
			ok(t, err)
			creds = append(creds, token, ep.SecondaryKey)
			var errs []error
			for _, c := range creds {
				_, err := db.Authenticate(ctx, c)
				errs = append(errs, err)
				_, err = db.Authenticate(ctx, c[1:]+"A")
				errs = append(errs, err)
			}
			ok(t, db.DeleteWebService(ctx, ws.ID, "svc"))
			for _, c := range creds[:4] {
				_, err := db.Authenticate(ctx, c)
				errs = append(errs, err)
			}

			log := buf.String()
			if !strings.Contains(log, "endpoint key regenerated") {
				t.Fatalf("the log lacks the store's events; is the logger wired?\n%s", log)
			}
			for _, c := range creds {
				if strings.Contains(log, c) {
					t.Fatal("a credential reached the log")
				}
				for _, err := range errs {
					if err != nil && strings.Contains(err.Error(), c) {
						t.Fatalf("a credential reached an error: %v", err)
					}
				}
			}
		})
	}
}
