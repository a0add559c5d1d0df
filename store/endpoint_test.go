package store_test

import (
	"reflect"
	"sync"
	"testing"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/store"
	"github.com/scoregate/scoregate/store/storetest"
)

func TestPutEndpoint(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "ws")
		publish(t, db, ws.ID, "svc", 1)
		svc := publish(t, db, ws.ID, "svc", 2)
		def, err := db.Endpoint(ctx, ws.ID, "svc", "default")
		ok(t, err)

		ep, created, err := db.PutEndpoint(ctx, ws.ID, "svc", "zeta", scoregate.EndpointSettings{
			Description:   ptr("for customer z"),
			ThrottleLevel: ptr(scoregate.ThrottleLow),
			Resources:     []scoregate.Resource{{Name: "ignored"}},
		})
		ok(t, err)
		if !created || !scoregate.IsID(ep.ID) || ep.Name != "zeta" || ep.WebServiceID != svc.ID ||
			ep.Version != 2 || !reflect.DeepEqual(ep.Resources, def.Resources) ||
			ep.Description != "for customer z" || ep.ThrottleLevel != scoregate.ThrottleLow ||
			ep.MaxConcurrentCalls != scoregate.LowConcurrency || ep.DiagnosticsTraceLevel != scoregate.TraceNone {
			t.Fatalf("created endpoint = %+v (created=%v)", ep, created)
		}
		keys := map[string]bool{def.PrimaryKey: true, def.SecondaryKey: true, ep.PrimaryKey: true, ep.SecondaryKey: true}
		if len(keys) != 4 || len(ep.PrimaryKey) != 43 {
			t.Fatal("a new endpoint must get two fresh keys of its own")
		}
		authenticates(t, db, ep.SecondaryKey, scoregate.Principal{WorkspaceID: ws.ID, EndpointID: ep.ID})

		again, created, err := db.PutEndpoint(ctx, ws.ID, "svc", "zeta", scoregate.EndpointSettings{
			SampleDataEnabled:     ptr(true),
			DiagnosticsTraceLevel: ptr(scoregate.TraceError),
			Resources:             []scoregate.Resource{{Name: "ignored"}},
		})
		ok(t, err)
		if created || again.ID != ep.ID || again.PrimaryKey != ep.PrimaryKey || again.Description != "for customer z" ||
			!again.SampleDataEnabled || again.DiagnosticsTraceLevel != scoregate.TraceError ||
			!reflect.DeepEqual(again.Resources, def.Resources) || !again.CreatedAt.Equal(ep.CreatedAt) {
			t.Fatalf("updated endpoint = %+v (created=%v)", again, created)
		}
		byID, err := db.EndpointByID(ctx, ws.ID, ep.ID)
		ok(t, err)
		if !reflect.DeepEqual(byID, again) {
			t.Fatalf("EndpointByID = %+v, want %+v", byID, again)
		}

		_, _, err = db.PutEndpoint(ctx, ws.ID, "svc", "alpha", scoregate.EndpointSettings{})
		ok(t, err)
		list, err := db.Endpoints(ctx, ws.ID, "svc")
		ok(t, err)
		var names []string
		for _, e := range list {
			names = append(names, e.Name)
			if e.PrimaryKey == "" || e.SecondaryKey == "" {
				t.Fatalf("listed endpoint %s lacks its keys", e.Name)
			}
		}
		if !reflect.DeepEqual(names, []string{"alpha", "default", "zeta"}) {
			t.Fatalf("Endpoints = %v, want alpha, default, zeta", names)
		}

		_, _, err = db.PutEndpoint(ctx, ws.ID, "svc", "-bad", scoregate.EndpointSettings{})
		wantError(t, err, scoregate.BadUserArgument, scoregate.CodeInvalidName)
		_, _, err = db.PutEndpoint(ctx, ws.ID, "svc", "toomany", scoregate.EndpointSettings{MaxConcurrentCalls: ptr(500)})
		wantError(t, err, scoregate.BadUserArgument, scoregate.CodeInvalidThrottleSetting)
		_, err = db.Endpoint(ctx, ws.ID, "svc", "toomany")
		wantError(t, err, scoregate.NotFound, scoregate.CodeEndpointNotFound)
		_, _, err = db.PutEndpoint(ctx, ws.ID, "svc", "zeta", scoregate.EndpointSettings{
			Description: ptr("changed"), DiagnosticsTraceLevel: ptr("Verbose"),
		})
		wantError(t, err, scoregate.BadUserArgument, scoregate.CodeInvalidValue)
		if got, _ := db.Endpoint(ctx, ws.ID, "svc", "zeta"); got.Description != "for customer z" {
			t.Fatal("a refused PUT changed the description")
		}
	})
}

func TestEndpointLimit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "ws")
		publish(t, db, ws.ID, "svc", 1)
		_, _, err := db.PutEndpoint(ctx, ws.ID, "svc", "one", scoregate.EndpointSettings{})
		ok(t, err)
		_, _, err = db.PutEndpoint(ctx, ws.ID, "svc", "two", scoregate.EndpointSettings{})
		wantError(t, err, scoregate.Conflict, scoregate.CodeEndpointLimitExceeded)
		_, created, err := db.PutEndpoint(ctx, ws.ID, "svc", "one", scoregate.EndpointSettings{Description: ptr("still settable")})
		ok(t, err)
		if created {
			t.Fatal("PUT of an existing endpoint at the limit created one")
		}
		publish(t, db, ws.ID, "other", 1) // the limit is per web service
		_, _, err = db.PutEndpoint(ctx, ws.ID, "other", "one", scoregate.EndpointSettings{})
		ok(t, err)
		ok(t, db.DeleteEndpoint(ctx, ws.ID, "svc", "one"))
		_, _, err = db.PutEndpoint(ctx, ws.ID, "svc", "two", scoregate.EndpointSettings{})
		ok(t, err)
	}, storetest.WithMaxEndpoints(2))
}

// TestEndpointLimitConcurrent creates more endpoints at once than the limit
// allows: exactly the limit must exist afterwards.
func TestEndpointLimitConcurrent(t *testing.T) {
	t.Parallel()
	const limit = 3
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "ws")
		publish(t, db, ws.ID, "svc", 1)
		names := []string{"a", "b", "c", "d", "e", "f"}
		errs := make([]error, len(names))
		var wg sync.WaitGroup
		for i, name := range names {
			wg.Go(func() {
				_, _, errs[i] = db.PutEndpoint(ctx, ws.ID, "svc", name, scoregate.EndpointSettings{})
			})
		}
		wg.Wait()
		refusedN := 0
		for _, err := range errs {
			if err != nil {
				wantError(t, err, scoregate.Conflict, scoregate.CodeEndpointLimitExceeded)
				refusedN++
			}
		}
		list, err := db.Endpoints(ctx, ws.ID, "svc")
		ok(t, err)
		if len(list) != limit || refusedN != len(names)-(limit-1) {
			t.Fatalf("%d endpoints and %d refusals, want %d and %d", len(list), refusedN, limit, len(names)-(limit-1))
		}
	}, storetest.WithMaxEndpoints(limit))
}

func TestDeleteEndpoint(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "ws")
		publish(t, db, ws.ID, "svc", 1)
		other, _, err := db.PutEndpoint(ctx, ws.ID, "svc", "other", scoregate.EndpointSettings{})
		ok(t, err)
		def, err := db.Endpoint(ctx, ws.ID, "svc", "default")
		ok(t, err)

		err = db.DeleteEndpoint(ctx, ws.ID, "svc", "default")
		wantError(t, err, scoregate.Conflict, scoregate.CodeDefaultEndpointInUse)
		authenticates(t, db, def.PrimaryKey, scoregate.Principal{WorkspaceID: ws.ID, EndpointID: def.ID})

		ok(t, db.DeleteEndpoint(ctx, ws.ID, "svc", "other"))
		refused(t, db, other.PrimaryKey)
		refused(t, db, other.SecondaryKey)
		_, err = db.Endpoint(ctx, ws.ID, "svc", "other")
		wantError(t, err, scoregate.NotFound, scoregate.CodeEndpointNotFound)

		ok(t, db.DeleteEndpoint(ctx, ws.ID, "svc", "default")) // alone now
		refused(t, db, def.PrimaryKey)
		if list, err := db.Endpoints(ctx, ws.ID, "svc"); err != nil || len(list) != 0 {
			t.Fatalf("Endpoints = %+v, %v; want none", list, err)
		}
		if n, err := db.Count(ctx, "credentials"); err != nil || n != 2 {
			t.Fatalf("%d credentials left (%v), want the workspace's 2", n, err)
		}

		// Without a default endpoint, a new endpoint takes the latest
		// version, and the next publish brings the default endpoint back.
		res2, _ := model("svc", 2)
		publish(t, db, ws.ID, "svc", 2)
		def2, err := db.Endpoint(ctx, ws.ID, "svc", "default")
		ok(t, err)
		if def2.ID == def.ID || def2.Version != 2 || def2.PrimaryKey == def.PrimaryKey {
			t.Fatalf("default endpoint after republishing = %+v, want a new one on version 2", def2)
		}
		ok(t, db.DeleteEndpoint(ctx, ws.ID, "svc", "default"))
		late, _, err := db.PutEndpoint(ctx, ws.ID, "svc", "late", scoregate.EndpointSettings{})
		ok(t, err)
		if late.Version != 2 || !reflect.DeepEqual(late.Resources, []scoregate.Resource{res2}) {
			t.Fatalf("endpoint created without a default endpoint = %+v", late)
		}
	})
}

func TestRegenerateEndpointKey(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "ws")
		publish(t, db, ws.ID, "svc", 1)
		ep, _, err := db.PutEndpoint(ctx, ws.ID, "svc", "ep", scoregate.EndpointSettings{})
		ok(t, err)
		owner := scoregate.Principal{WorkspaceID: ws.ID, EndpointID: ep.ID}

		got, err := db.RegenerateEndpointKey(ctx, ws.ID, "svc", "ep", scoregate.KeyPrimary)
		ok(t, err)
		if got.PrimaryKey == ep.PrimaryKey || len(got.PrimaryKey) != 43 || got.SecondaryKey != ep.SecondaryKey {
			t.Fatalf("after regenerating the primary key: %d-character primary, changed=%v, secondary kept=%v",
				len(got.PrimaryKey), got.PrimaryKey != ep.PrimaryKey, got.SecondaryKey == ep.SecondaryKey)
		}
		refused(t, db, ep.PrimaryKey)
		authenticates(t, db, got.PrimaryKey, owner)
		authenticates(t, db, ep.SecondaryKey, owner)

		got2, err := db.RegenerateEndpointKey(ctx, ws.ID, "svc", "ep", scoregate.KeySecondary)
		ok(t, err)
		refused(t, db, ep.SecondaryKey)
		authenticates(t, db, got2.SecondaryKey, owner)
		authenticates(t, db, got.PrimaryKey, owner)
		read, err := db.Endpoint(ctx, ws.ID, "svc", "ep")
		ok(t, err)
		if read.PrimaryKey != got.PrimaryKey || read.SecondaryKey != got2.SecondaryKey {
			t.Fatal("Endpoint does not show the regenerated keys")
		}

		_, err = db.RegenerateEndpointKey(ctx, ws.ID, "svc", "ep", "primary")
		wantError(t, err, scoregate.BadUserArgument, scoregate.CodeInvalidValue)
	})
}
