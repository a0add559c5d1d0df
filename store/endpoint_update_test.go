package store_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/store"
	"github.com/scoregate/scoregate/store/storetest"
)

// retrained is the location a PATCH of Resources swaps in.
var retrained = scoregate.Location{BaseLocation: "http://gw/blobs", RelativeLocation: "uploads/retrained.pmml"}

// patch returns settings that replace the endpoint's trained model of
// service svc with retrained.
func patch(svc string) scoregate.EndpointSettings {
	res, _ := model(svc, 1)
	return scoregate.EndpointSettings{Resources: []scoregate.Resource{{Name: res.Name, Location: retrained}}}
}

func TestUpdateEndpoint(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "ws")
		publish(t, db, ws.ID, "svc", 1)
		ep, _, err := db.PutEndpoint(ctx, ws.ID, "svc", "ep", scoregate.EndpointSettings{})
		ok(t, err)

		got, err := db.UpdateEndpoint(ctx, ws.ID, "svc", "ep", scoregate.EndpointSettings{
			Description: ptr("patched"), MaxConcurrentCalls: ptr(50),
		})
		ok(t, err)
		if got.Description != "patched" || got.MaxConcurrentCalls != 50 || !reflect.DeepEqual(got.Resources, ep.Resources) {
			t.Fatalf("after a settings PATCH: %+v", got)
		}

		got, err = db.UpdateEndpoint(ctx, ws.ID, "svc", "ep", patch("svc"))
		ok(t, err)
		want := []scoregate.Resource{{Name: ep.Resources[0].Name, Kind: scoregate.ResourceKindTrainedModel, Location: retrained}}
		if !reflect.DeepEqual(got.Resources, want) || got.Version != 1 || got.Description != "patched" {
			t.Fatalf("after a Resources PATCH: %+v, want resources %+v", got, want)
		}

		cases := []struct {
			name     string
			endpoint string
			settings scoregate.EndpointSettings
			class    scoregate.ErrorClass
			code     string
			target   string
		}{
			{"default endpoint", "default", patch("svc"),
				scoregate.BadUserArgument, scoregate.CodeDefaultEndpointLocked, "Resources"},
			{"default endpoint, no resources given", "default", scoregate.EndpointSettings{Resources: []scoregate.Resource{}},
				scoregate.BadUserArgument, scoregate.CodeDefaultEndpointLocked, "Resources"},
			{"unknown resource", "ep", scoregate.EndpointSettings{
				Description: ptr("must not stick"),
				Resources: []scoregate.Resource{patch("svc").Resources[0],
					{Name: "no such model", Location: retrained}},
			}, scoregate.BadUserArgument, scoregate.CodeInvalidValue, "Resources[1].Name"},
			{"unclean location", "ep", scoregate.EndpointSettings{Resources: []scoregate.Resource{
				{Name: ep.Resources[0].Name, Location: scoregate.Location{RelativeLocation: "/etc/passwd"}},
			}}, scoregate.BadUserArgument, scoregate.CodeInvalidValue, "Resources[0].Location.RelativeLocation"},
			{"bad settings", "ep", scoregate.EndpointSettings{ThrottleLevel: ptr("Medium")},
				scoregate.BadUserArgument, scoregate.CodeInvalidThrottleSetting, "ThrottleLevel"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before, err := db.Endpoint(ctx, ws.ID, "svc", c.endpoint)
				ok(t, err)
				_, err = db.UpdateEndpoint(ctx, ws.ID, "svc", c.endpoint, c.settings)
				if e := wantError(t, err, c.class, c.code); e.Target != c.target {
					t.Fatalf("target = %q, want %q", e.Target, c.target)
				}
				after, err := db.Endpoint(ctx, ws.ID, "svc", c.endpoint)
				ok(t, err)
				if !reflect.DeepEqual(before, after) {
					t.Fatalf("a refused PATCH changed the endpoint:\n%+v\n%+v", before, after)
				}
			})
		}
	})
}

func TestPreventUpdate(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "ws")
		publish(t, db, ws.ID, "svc", 1)
		_, _, err := db.PutEndpoint(ctx, ws.ID, "svc", "ep", scoregate.EndpointSettings{PreventUpdate: ptr(true)})
		ok(t, err)
		publish(t, db, ws.ID, "svc", 2)

		_, err = db.UpdateEndpoint(ctx, ws.ID, "svc", "ep", patch("svc"))
		wantError(t, err, scoregate.Conflict, scoregate.CodeUpdatePrevented)
		// Clearing PreventUpdate in the request that changes Resources is
		// not enough: the stored flag protects.
		clearing := patch("svc")
		clearing.PreventUpdate = ptr(false)
		_, err = db.UpdateEndpoint(ctx, ws.ID, "svc", "ep", clearing)
		wantError(t, err, scoregate.Conflict, scoregate.CodeUpdatePrevented)
		_, err = db.RefreshEndpoint(ctx, ws.ID, "svc", "ep", true)
		wantError(t, err, scoregate.Conflict, scoregate.CodeUpdatePrevented)
		got, err := db.UpdateEndpoint(ctx, ws.ID, "svc", "ep", scoregate.EndpointSettings{Description: ptr("settings still work")})
		ok(t, err)
		if got.Version != 1 || got.Description != "settings still work" {
			t.Fatalf("protected endpoint = %+v", got)
		}

		_, err = db.UpdateEndpoint(ctx, ws.ID, "svc", "ep", scoregate.EndpointSettings{PreventUpdate: ptr(false)})
		ok(t, err)
		got, err = db.RefreshEndpoint(ctx, ws.ID, "svc", "ep", false)
		ok(t, err)
		if got.Version != 2 {
			t.Fatalf("after clearing PreventUpdate, refresh left version %d", got.Version)
		}
		_, err = db.UpdateEndpoint(ctx, ws.ID, "svc", "ep", patch("svc"))
		ok(t, err)
	})
}

func TestRefreshEndpoint(t *testing.T) {
	t.Parallel()
	res2, _ := model("svc", 2)
	custom := []scoregate.Resource{{Name: res2.Name, Kind: scoregate.ResourceKindTrainedModel, Location: retrained}}
	cases := []struct {
		name      string
		customise bool
		overwrite bool
		want      []scoregate.Resource
	}{
		{"not customised follows", false, false, []scoregate.Resource{res2}},
		{"not customised, overwrite", false, true, []scoregate.Resource{res2}},
		{"customised kept", true, false, custom},
		{"customised overwritten", true, true, []scoregate.Resource{res2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				ctx := t.Context()
				ws := newWorkspace(t, db, "ws")
				publish(t, db, ws.ID, "svc", 1)
				ep, _, err := db.PutEndpoint(ctx, ws.ID, "svc", "ep", scoregate.EndpointSettings{})
				ok(t, err)
				if c.customise {
					_, err = db.UpdateEndpoint(ctx, ws.ID, "svc", "ep", patch("svc"))
					ok(t, err)
				}
				publish(t, db, ws.ID, "svc", 2)
				if got, _ := db.Endpoint(ctx, ws.ID, "svc", "ep"); got.Version != 1 {
					t.Fatalf("publishing moved a non-default endpoint to version %d", got.Version)
				}

				got, err := db.RefreshEndpoint(ctx, ws.ID, "svc", "ep", c.overwrite)
				ok(t, err)
				if got.ID != ep.ID || got.Version != 2 || !reflect.DeepEqual(got.Resources, c.want) ||
					got.PrimaryKey != ep.PrimaryKey {
					t.Fatalf("refreshed endpoint = %+v, want version 2 with %+v", got, c.want)
				}

				// A later refresh without overwrite follows again only if
				// the custom model was overwritten.
				res3, _ := model("svc", 3)
				publish(t, db, ws.ID, "svc", 3)
				got, err = db.RefreshEndpoint(ctx, ws.ID, "svc", "ep", false)
				ok(t, err)
				want3 := []scoregate.Resource{res3}
				if c.customise && !c.overwrite {
					want3 = custom
				}
				if got.Version != 3 || !reflect.DeepEqual(got.Resources, want3) {
					t.Fatalf("second refresh = %+v, want version 3 with %+v", got, want3)
				}
			})
		})
	}

	t.Run("default endpoint", func(t *testing.T) {
		t.Parallel()
		storetest.Each(t, func(t *testing.T, db *store.DB) {
			ws := newWorkspace(t, db, "ws")
			publish(t, db, ws.ID, "svc", 1)
			_, err := db.RefreshEndpoint(t.Context(), ws.ID, "svc", "default", true)
			wantError(t, err, scoregate.BadUserArgument, scoregate.CodeDefaultEndpointLocked)
		})
	})
}

// TestBooleanSettings follows each on/off endpoint setting (EchoInputs,
// LiveWorkbookEnabled) through PUT, PATCH, the three reads, publish and
// refresh; a PATCH of one is a change the serving replicas hear about.
func TestBooleanSettings(t *testing.T) {
	t.Parallel()
	for _, flag := range []struct {
		name string
		get  func(*scoregate.Endpoint) bool
		set  func(bool) scoregate.EndpointSettings
	}{
		{"EchoInputs", func(e *scoregate.Endpoint) bool { return e.EchoInputs },
			func(v bool) scoregate.EndpointSettings { return scoregate.EndpointSettings{EchoInputs: &v} }},
		{"LiveWorkbookEnabled", func(e *scoregate.Endpoint) bool { return e.LiveWorkbookEnabled },
			func(v bool) scoregate.EndpointSettings { return scoregate.EndpointSettings{LiveWorkbookEnabled: &v} }},
	} {
		t.Run(flag.name, func(t *testing.T) {
			t.Parallel()
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				ctx := t.Context()
				ws := newWorkspace(t, db, "ws")
				publish(t, db, ws.ID, "svc", 1)
				stored := func(name string, want bool) {
					t.Helper()
					got, err := db.Endpoint(ctx, ws.ID, "svc", name)
					ok(t, err)
					byID, err := db.EndpointByID(ctx, ws.ID, got.ID)
					ok(t, err)
					list, err := db.Endpoints(ctx, ws.ID, "svc")
					ok(t, err)
					i := slices.IndexFunc(list, func(e scoregate.Endpoint) bool { return e.Name == name })
					if flag.get(got) != want || flag.get(byID) != want || i < 0 || flag.get(&list[i]) != want {
						t.Fatalf("endpoint %s: %s %v by name, %v by id, in list %+v; want %v",
							name, flag.name, flag.get(got), flag.get(byID), list, want)
					}
				}
				stored("default", false)

				created, _, err := db.PutEndpoint(ctx, ws.ID, "svc", "ep", flag.set(true))
				ok(t, err)
				if !flag.get(created) {
					t.Fatalf("PUT creating with %s returned %+v", flag.name, created)
				}
				stored("ep", true)
				// A PUT or PATCH that does not mention it leaves it.
				_, _, err = db.PutEndpoint(ctx, ws.ID, "svc", "ep", scoregate.EndpointSettings{Description: ptr("put")})
				ok(t, err)
				stored("ep", true)
				before, err := db.LastChange(ctx)
				ok(t, err)
				patched, err := db.UpdateEndpoint(ctx, ws.ID, "svc", "ep", flag.set(false))
				ok(t, err)
				if flag.get(patched) || patched.Description != "put" {
					t.Fatalf("PATCH clearing %s returned %+v", flag.name, patched)
				}
				changes, err := db.ChangesAfter(ctx, before, 0)
				ok(t, err)
				if len(changes) != 1 || changes[0].EndpointID != created.ID {
					t.Fatalf("changes after the PATCH: %+v", changes)
				}
				stored("ep", false)
				put, _, err := db.PutEndpoint(ctx, ws.ID, "svc", "ep", flag.set(true))
				ok(t, err)
				if !flag.get(put) {
					t.Fatalf("PUT setting %s returned %+v", flag.name, put)
				}
				stored("ep", true)

				// Publishing moves the default endpoint, not its settings.
				_, err = db.UpdateEndpoint(ctx, ws.ID, "svc", "default", flag.set(true))
				ok(t, err)
				publish(t, db, ws.ID, "svc", 2)
				stored("default", true)
				refreshed, err := db.RefreshEndpoint(ctx, ws.ID, "svc", "ep", true)
				ok(t, err)
				if !flag.get(refreshed) || refreshed.Version != 2 {
					t.Fatalf("refresh lost %s: %+v", flag.name, refreshed)
				}
			})
		})
	}
}
