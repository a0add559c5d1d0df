package store_test

import (
	"reflect"
	"sync"
	"testing"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/store"
	"github.com/scoregate/scoregate/store/storetest"
)

func TestPublishWebService(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "ws")
		res1, p1 := model("churn", 1)
		p1.Description = ptr("predicts churn")
		v1, err := db.PublishWebService(ctx, ws.ID, "churn", p1)
		ok(t, err)
		if v1.Version != 1 || v1.Name != "churn" || v1.WorkspaceID != ws.ID || !scoregate.IsID(v1.ID) ||
			v1.Description != "predicts churn" || v1.ModelKind != "TreeModel" ||
			!reflect.DeepEqual(v1.Input, p1.Info.Input) || !reflect.DeepEqual(v1.Output, p1.Info.Output) {
			t.Fatalf("first publish = %+v", v1)
		}

		def, err := db.Endpoint(ctx, ws.ID, "churn", scoregate.DefaultEndpointName)
		ok(t, err)
		want := scoregate.NewEndpointDefaults()
		if def.Version != 1 || !reflect.DeepEqual(def.Resources, []scoregate.Resource{res1}) ||
			def.ThrottleLevel != want.ThrottleLevel || def.MaxConcurrentCalls != want.MaxConcurrentCalls ||
			def.DiagnosticsTraceLevel != want.DiagnosticsTraceLevel || def.WebServiceID != v1.ID ||
			def.WorkspaceID != ws.ID || len(def.PrimaryKey) != 43 || len(def.SecondaryKey) != 43 ||
			def.PrimaryKey == def.SecondaryKey {
			t.Fatalf("default endpoint after the first publish = %+v", def)
		}

		res2, p2 := model("churn", 2) // no description: keep the old one
		v2, err := db.PublishWebService(ctx, ws.ID, "churn", p2)
		ok(t, err)
		if v2.ID != v1.ID || v2.Version != 2 || v2.Description != "predicts churn" ||
			!reflect.DeepEqual(v2.Input, p2.Info.Input) || !v2.CreatedAt.Equal(v1.CreatedAt) {
			t.Fatalf("second publish = %+v", v2)
		}
		def2, err := db.Endpoint(ctx, ws.ID, "churn", scoregate.DefaultEndpointName)
		ok(t, err)
		if def2.ID != def.ID || def2.Version != 2 || !reflect.DeepEqual(def2.Resources, []scoregate.Resource{res2}) ||
			def2.PrimaryKey != def.PrimaryKey {
			t.Fatalf("default endpoint after the second publish = %+v", def2)
		}
		got, err := db.WebService(ctx, ws.ID, "churn")
		ok(t, err)
		if !reflect.DeepEqual(got, v2) {
			t.Fatalf("WebService = %+v, want %+v", got, v2)
		}

		for n, p := range map[int]scoregate.Publication{1: p1, 2: p2} {
			for _, svc := range []string{"churn", v1.ID} { // by name and by id
				mv, err := db.ModelVersion(ctx, ws.ID, svc, n)
				ok(t, err)
				if mv.Version != n || mv.WebServiceID != v1.ID || mv.SHA256 != p.SHA256 ||
					!reflect.DeepEqual(mv.Info, p.Info) || !reflect.DeepEqual(mv.Resource, p.Resource) {
					t.Fatalf("ModelVersion(%s, %d) = %+v, want %+v", svc, n, mv, p)
				}
			}
		}
		_, err = db.ModelVersion(ctx, ws.ID, "churn", 3)
		wantError(t, err, scoregate.NotFound, scoregate.CodeWebServiceNotFound)

		publish(t, db, ws.ID, "another", 1)
		list, err := db.WebServices(ctx, ws.ID)
		ok(t, err)
		if len(list) != 2 || list[0].Name != "another" || list[1].Name != "churn" {
			t.Fatalf("WebServices = %+v, want another then churn", list)
		}

		_, err = db.PublishWebService(ctx, scoregate.NewID(), "churn", p1)
		wantError(t, err, scoregate.NotFound, scoregate.CodeWorkspaceNotFound)
		_, err = db.PublishWebService(ctx, ws.ID, "Bad_Name", p1)
		wantError(t, err, scoregate.BadUserArgument, scoregate.CodeInvalidName)
		bad := p1
		bad.Resource.Location.RelativeLocation = "../escape.pmml"
		_, err = db.PublishWebService(ctx, ws.ID, "churn", bad)
		wantError(t, err, scoregate.BadUserArgument, scoregate.CodeInvalidValue)
		if svc, _ := db.WebService(ctx, ws.ID, "churn"); svc.Version != 2 {
			t.Fatalf("a refused publish changed the version to %d", svc.Version)
		}
	})
}

// TestPublishConcurrent publishes new names from many goroutines at once:
// for each name one web service must come out, with every version once and
// one default endpoint on the last.
func TestPublishConcurrent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "ws")
		const n = 8
		ok(t, db.WarmUp(ctx, n))
		for _, name := range []string{"race1", "race2", "race3"} {
			start := make(chan struct{})
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					_, p := model(name, i+1)
					<-start
					_, errs[i] = db.PublishWebService(ctx, ws.ID, name, p)
				})
			}
			close(start)
			wg.Wait()
			for _, err := range errs {
				ok(t, err)
			}
			checkPublished(t, db, ws.ID, name, n)
		}
		list, err := db.WebServices(ctx, ws.ID)
		ok(t, err)
		if len(list) != 3 {
			t.Fatalf("WebServices = %+v, want three", list)
		}
	})
}

// checkPublished checks that web service name has versions 1..n, each with
// its own model, and only its default endpoint, on version n.
func checkPublished(t *testing.T, db *store.DB, ws, name string, n int) {
	t.Helper()
	ctx := t.Context()
	svc, err := db.WebService(ctx, ws, name)
	ok(t, err)
	if svc.Version != n {
		t.Fatalf("web service %s is at version %d, want %d", name, svc.Version, n)
	}
	seen := map[string]bool{}
	for v := 1; v <= n; v++ {
		mv, err := db.ModelVersion(ctx, ws, name, v)
		ok(t, err)
		if seen[mv.Resource.Location.RelativeLocation] {
			t.Fatalf("version %d repeats the model %s", v, mv.Resource.Location.RelativeLocation)
		}
		seen[mv.Resource.Location.RelativeLocation] = true
	}
	eps, err := db.Endpoints(ctx, ws, name)
	ok(t, err)
	last, err := db.ModelVersion(ctx, ws, name, n)
	ok(t, err)
	if len(eps) != 1 || eps[0].Version != n || !reflect.DeepEqual(eps[0].Resources, []scoregate.Resource{last.Resource}) {
		t.Fatalf("Endpoints = %+v, want the default endpoint alone on version %d", eps, n)
	}
}

func TestDeleteWebService(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "ws")
		svc := publish(t, db, ws.ID, "svc", 1)
		publish(t, db, ws.ID, "svc", 2)
		keep := publish(t, db, ws.ID, "keep", 1)
		other, _, err := db.PutEndpoint(ctx, ws.ID, "svc", "other", scoregate.EndpointSettings{})
		ok(t, err)
		def, err := db.Endpoint(ctx, ws.ID, "svc", "default")
		ok(t, err)
		kept, err := db.Endpoint(ctx, ws.ID, "keep", "default")
		ok(t, err)
		token, err := db.WorkspaceToken(ctx, ws.ID, scoregate.KeyPrimary)
		ok(t, err)

		ok(t, db.DeleteWebService(ctx, ws.ID, "svc"))

		for _, key := range []string{def.PrimaryKey, def.SecondaryKey, other.PrimaryKey, other.SecondaryKey} {
			refused(t, db, key)
		}
		authenticates(t, db, token, scoregate.Principal{WorkspaceID: ws.ID})
		authenticates(t, db, kept.PrimaryKey, scoregate.Principal{WorkspaceID: ws.ID, EndpointID: kept.ID})
		_, err = db.WebService(ctx, ws.ID, "svc")
		wantError(t, err, scoregate.NotFound, scoregate.CodeWebServiceNotFound)
		_, err = db.ModelVersion(ctx, ws.ID, svc.ID, 1)
		wantError(t, err, scoregate.NotFound, scoregate.CodeWebServiceNotFound)
		_, err = db.EndpointByID(ctx, ws.ID, other.ID)
		wantError(t, err, scoregate.NotFound, scoregate.CodeEndpointNotFound)
		for table, want := range map[string]int64{"web_services": 1, "model_versions": 1, "endpoints": 1, "credentials": 4} {
			n, err := db.Count(ctx, table)
			ok(t, err)
			if n != want {
				t.Errorf("%s holds %d rows after the delete, want %d (those of %s and the workspace)", table, n, want, keep.Name)
			}
		}
		err = db.DeleteWebService(ctx, ws.ID, "svc")
		wantError(t, err, scoregate.NotFound, scoregate.CodeWebServiceNotFound)
	})
}

// TestWorkspaceIsolation checks that nothing of one workspace is reachable
// through another, by name or by id.
func TestWorkspaceIsolation(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		a := newWorkspace(t, db, "a")
		b := newWorkspace(t, db, "b")
		svcA := publish(t, db, a.ID, "svc", 1)
		epA, _, err := db.PutEndpoint(ctx, a.ID, "svc", "mine", scoregate.EndpointSettings{})
		ok(t, err)

		_, err = db.WebService(ctx, b.ID, "svc")
		wantError(t, err, scoregate.NotFound, scoregate.CodeWebServiceNotFound)
		_, err = db.WebService(ctx, b.ID, svcA.ID)
		wantError(t, err, scoregate.NotFound, scoregate.CodeWebServiceNotFound)
		_, err = db.Endpoints(ctx, b.ID, svcA.ID)
		wantError(t, err, scoregate.NotFound, scoregate.CodeWebServiceNotFound)
		_, err = db.EndpointByID(ctx, b.ID, epA.ID)
		wantError(t, err, scoregate.NotFound, scoregate.CodeEndpointNotFound)
		_, err = db.ModelVersion(ctx, b.ID, svcA.ID, 1)
		wantError(t, err, scoregate.NotFound, scoregate.CodeWebServiceNotFound)
		_, _, err = db.PutEndpoint(ctx, b.ID, svcA.ID, "intruder", scoregate.EndpointSettings{})
		wantError(t, err, scoregate.NotFound, scoregate.CodeWebServiceNotFound)
		err = db.DeleteWebService(ctx, b.ID, svcA.ID)
		wantError(t, err, scoregate.NotFound, scoregate.CodeWebServiceNotFound)
		if list, err := db.WebServices(ctx, b.ID); err != nil || len(list) != 0 {
			t.Fatalf("WebServices of b = %+v, %v; want none", list, err)
		}

		svcB := publish(t, db, b.ID, "svc", 2) // the same name in b is another service
		if svcB.ID == svcA.ID || svcB.Version != 1 {
			t.Fatalf("publish of svc in b = %+v, want a new service at version 1", svcB)
		}
		if got, _ := db.WebService(ctx, a.ID, "svc"); got.Version != 1 {
			t.Fatal("publishing in b changed a's web service")
		}
		authenticates(t, db, epA.PrimaryKey, scoregate.Principal{WorkspaceID: a.ID, EndpointID: epA.ID})
	})
}

// TestNotFound checks that every lookup names its missing thing with the
// right code, and never returns nothing without an error.
func TestNotFound(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "ws").ID
		publish(t, db, ws, "svc", 1)
		nows := scoregate.NewID()
		settings := scoregate.EndpointSettings{}
		cases := []struct {
			name string
			call func() error
			code string
			says string
		}{
			{"Workspace", func() error { _, err := db.Workspace(ctx, nows); return err }, scoregate.CodeWorkspaceNotFound, nows},
			{"WebServices", func() error { _, err := db.WebServices(ctx, nows); return err }, scoregate.CodeWorkspaceNotFound, nows},
			{"WebService/workspace", func() error { _, err := db.WebService(ctx, nows, "svc"); return err }, scoregate.CodeWorkspaceNotFound, nows},
			{"WebService", func() error { _, err := db.WebService(ctx, ws, "nosvc"); return err }, scoregate.CodeWebServiceNotFound, "nosvc"},
			{"DeleteWebService", func() error { return db.DeleteWebService(ctx, ws, "nosvc") }, scoregate.CodeWebServiceNotFound, "nosvc"},
			{"ModelVersion/service", func() error { _, err := db.ModelVersion(ctx, ws, "nosvc", 1); return err }, scoregate.CodeWebServiceNotFound, "nosvc"},
			{"Endpoints", func() error { _, err := db.Endpoints(ctx, ws, "nosvc"); return err }, scoregate.CodeWebServiceNotFound, "nosvc"},
			{"Endpoints/workspace", func() error { _, err := db.Endpoints(ctx, nows, "svc"); return err }, scoregate.CodeWorkspaceNotFound, nows},
			{"Endpoint", func() error { _, err := db.Endpoint(ctx, ws, "svc", "noep"); return err }, scoregate.CodeEndpointNotFound, "noep"},
			{"Endpoint/service", func() error { _, err := db.Endpoint(ctx, ws, "nosvc", "default"); return err }, scoregate.CodeWebServiceNotFound, "nosvc"},
			{"EndpointByID", func() error { _, err := db.EndpointByID(ctx, ws, scoregate.NewID()); return err }, scoregate.CodeEndpointNotFound, "not found"},
			{"EndpointByID/workspace", func() error { _, err := db.EndpointByID(ctx, nows, scoregate.NewID()); return err }, scoregate.CodeWorkspaceNotFound, nows},
			{"PutEndpoint", func() error { _, _, err := db.PutEndpoint(ctx, ws, "nosvc", "ep", settings); return err }, scoregate.CodeWebServiceNotFound, "nosvc"},
			{"PutEndpoint/workspace", func() error { _, _, err := db.PutEndpoint(ctx, nows, "svc", "ep", settings); return err }, scoregate.CodeWorkspaceNotFound, nows},
			{"UpdateEndpoint", func() error { _, err := db.UpdateEndpoint(ctx, ws, "svc", "noep", settings); return err }, scoregate.CodeEndpointNotFound, "noep"},
			{"DeleteEndpoint", func() error { return db.DeleteEndpoint(ctx, ws, "svc", "noep") }, scoregate.CodeEndpointNotFound, "noep"},
			{"RefreshEndpoint", func() error { _, err := db.RefreshEndpoint(ctx, ws, "svc", "noep", true); return err }, scoregate.CodeEndpointNotFound, "noep"},
			{"RegenerateEndpointKey", func() error {
				_, err := db.RegenerateEndpointKey(ctx, ws, "svc", "noep", scoregate.KeyPrimary)
				return err
			}, scoregate.CodeEndpointNotFound, "noep"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				e := wantError(t, c.call(), scoregate.NotFound, c.code)
				if !contains(e.Message, c.says) {
					t.Fatalf("message %q does not name %q", e.Message, c.says)
				}
			})
		}
	})
}
