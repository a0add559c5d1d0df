package store_test

import (
	"strings"
	"testing"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/store"
	"github.com/scoregate/scoregate/store/storetest"
)

func TestWorkspaces(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		b := newWorkspace(t, db, "beta")
		a := newWorkspace(t, db, "alpha")
		if !scoregate.IsID(a.ID) || a.ID == b.ID || a.CreatedAt.IsZero() {
			t.Fatalf("workspace = %+v, want a fresh id and a creation time", a)
		}

		list, err := db.Workspaces(ctx)
		ok(t, err)
		if len(list) != 2 || list[0].ID != a.ID || list[1].ID != b.ID {
			t.Fatalf("Workspaces = %+v, want alpha then beta", list)
		}
		got, err := db.Workspace(ctx, a.ID)
		ok(t, err)
		if *got != *a {
			t.Fatalf("Workspace = %+v, want %+v", got, a)
		}

		_, err = db.Workspace(ctx, scoregate.NewID())
		wantError(t, err, scoregate.NotFound, scoregate.CodeWorkspaceNotFound)
		_, err = db.CreateWorkspace(ctx, " ")
		wantError(t, err, scoregate.BadUserArgument, scoregate.CodeInvalidName)
	})
}

func TestWorkspaceTokens(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "ws")
		primary, err := db.WorkspaceToken(ctx, ws.ID, scoregate.KeyPrimary)
		ok(t, err)
		secondary, err := db.WorkspaceToken(ctx, ws.ID, scoregate.KeySecondary)
		ok(t, err)
		if len(primary) != 43 || len(secondary) != 43 || primary == secondary {
			t.Fatalf("tokens %d and %d characters long, equal=%v; want two different 43-character tokens",
				len(primary), len(secondary), primary == secondary)
		}
		owner := scoregate.Principal{WorkspaceID: ws.ID}
		authenticates(t, db, primary, owner)
		authenticates(t, db, secondary, owner)

		renewed, err := db.RegenerateWorkspaceToken(ctx, ws.ID, scoregate.KeyPrimary)
		ok(t, err)
		if renewed == primary || len(renewed) != 43 {
			t.Fatal("RegenerateWorkspaceToken returned the old token or a malformed one")
		}
		refused(t, db, primary)
		authenticates(t, db, renewed, owner)
		authenticates(t, db, secondary, owner)
		again, err := db.WorkspaceToken(ctx, ws.ID, scoregate.KeyPrimary)
		ok(t, err)
		if again != renewed {
			t.Fatal("WorkspaceToken does not return the regenerated token")
		}

		_, err = db.WorkspaceToken(ctx, ws.ID, "Tertiary")
		wantError(t, err, scoregate.BadUserArgument, scoregate.CodeInvalidValue)
		_, err = db.RegenerateWorkspaceToken(ctx, ws.ID, "")
		wantError(t, err, scoregate.BadUserArgument, scoregate.CodeInvalidValue)
		_, err = db.WorkspaceToken(ctx, scoregate.NewID(), scoregate.KeyPrimary)
		wantError(t, err, scoregate.NotFound, scoregate.CodeWorkspaceNotFound)
		_, err = db.RegenerateWorkspaceToken(ctx, scoregate.NewID(), scoregate.KeySecondary)
		wantError(t, err, scoregate.NotFound, scoregate.CodeWorkspaceNotFound)
	})
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "ws")
		publish(t, db, ws.ID, "svc", 1)
		ep, err := db.Endpoint(ctx, ws.ID, "svc", "default")
		ok(t, err)
		token, err := db.WorkspaceToken(ctx, ws.ID, scoregate.KeySecondary)
		ok(t, err)

		authenticates(t, db, token, scoregate.Principal{WorkspaceID: ws.ID})
		authenticates(t, db, ep.PrimaryKey, scoregate.Principal{WorkspaceID: ws.ID, EndpointID: ep.ID})
		authenticates(t, db, ep.SecondaryKey, scoregate.Principal{WorkspaceID: ws.ID, EndpointID: ep.ID})

		garbage := map[string]string{
			"empty":                 "",
			"short":                 "abc",
			"well formed, unknown":  strings.Repeat("A", 43),
			"not base64url":         strings.Repeat("*", 43),
			"padded":                token[:42] + "=",
			"with whitespace":       " " + token,
			"key in another case":   strings.ToUpper(ep.PrimaryKey),
			"token with suffix":     token + "x",
			"bearer prefix":         "Bearer " + token,
			"workspace id":          ws.ID,
			"endpoint id":           ep.ID,
			"very long":             strings.Repeat(token, 1000),
			"non-canonical base64":  token[:42] + nonCanonical(token[42]),
			"control characters":    "\x00\x01" + token[2:],
			"key with a letter off": flip(ep.PrimaryKey),
		}
		for name, credential := range garbage {
			t.Run(name, func(t *testing.T) {
				if credential == token || credential == ep.PrimaryKey {
					t.Skip("the mutation produced the real credential")
				}
				refused(t, db, credential)
			})
		}
	})
}

// nonCanonical returns a last character that decodes to the same bytes as c
// but sets padding bits, which a strict decoder refuses.
func nonCanonical(c byte) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, c)
	return string(alphabet[i^1])
}

// flip changes the first character of s.
func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}
