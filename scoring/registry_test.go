package scoring_test

import (
	"bytes"
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/fixtures"
	"github.com/scoregate/scoregate/scoring"
	"github.com/scoregate/scoregate/store"
	"github.com/scoregate/scoregate/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// countingStore counts the calls that reach the database on a scoring
// call's path.
type countingStore struct {
	scoregate.Store
	auth, endpoints atomic.Int64
}

func (c *countingStore) Authenticate(ctx context.Context, credential string) (scoregate.Principal, error) {
	c.auth.Add(1)
	return c.Store.Authenticate(ctx, credential)
}

func (c *countingStore) EndpointByID(ctx context.Context, ws, id string) (*scoregate.Endpoint, error) {
	c.endpoints.Add(1)
	return c.Store.EndpointByID(ctx, ws, id)
}

// fixture is a workspace with the demo model published as "demo" and a
// second endpoint "b" on the same version.
type fixture struct {
	db    *store.DB
	st    *countingStore
	blobs scoregate.Blobs
	reg   *scoring.Registry
	ws    string
	def   *scoregate.Endpoint
	b     *scoregate.Endpoint
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := t.Context()
	blobs, err := store.OpenBlobs(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w, err := db.CreateWorkspace(ctx, "ws")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := scoregate.Publish(ctx, db, blobs, scoring.Checker{}, w.ID, "demo", fixtures.DemoModel, nil); err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, st: &countingStore{Store: db}, blobs: blobs, ws: w.ID}
	if f.def, err = db.Endpoint(ctx, w.ID, "demo", "default"); err != nil {
		t.Fatal(err)
	}
	if f.b, _, err = db.PutEndpoint(ctx, w.ID, "demo", "b", scoregate.EndpointSettings{}); err != nil {
		t.Fatal(err)
	}
	f.reg = scoring.New(scoring.Config{Store: f.st, Blobs: blobs, Changes: db})
	if err := f.reg.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.reg.Close() })
	return f
}

func (f *fixture) resolve(t *testing.T, e *scoregate.Endpoint, key string) (*scoregate.ServingEndpoint, error) {
	t.Helper()
	return f.reg.Resolve(t.Context(), f.ws, e.ID, key)
}

func TestRegistryServesFromMemory(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		first, err := f.resolve(t, f.def, f.def.PrimaryKey)
		if err != nil {
			t.Fatal(err)
		}
		if first.Endpoint.PrimaryKey != "" || first.Endpoint.SecondaryKey != "" {
			t.Error("the serving endpoint holds its keys in clear")
		}
		if first.ServiceName != "demo" || first.Scorer.Info().Kind != "TreeModel" {
			t.Errorf("service %q, model %q", first.ServiceName, first.Scorer.Info().Kind)
		}
		for range 100 {
			s, err := f.resolve(t, f.def, f.def.SecondaryKey)
			if err != nil || s != first {
				t.Fatalf("second key: %v, same serving endpoint %v", err, s == first)
			}
		}
		if n := f.st.auth.Load(); n != 1 {
			t.Errorf("%d Authenticate calls for 101 resolutions; want 1", n)
		}
		other, err := f.resolve(t, f.b, f.b.PrimaryKey)
		if err != nil {
			t.Fatal(err)
		}
		if other.Scorer != first.Scorer {
			t.Error("two endpoints on one version compiled the model twice")
		}
	})
}

func TestRegistryRefuses(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		token, err := db.WorkspaceToken(t.Context(), f.ws, scoregate.KeyPrimary)
		if err != nil {
			t.Fatal(err)
		}
		for name, key := range map[string]string{
			"unknown key": "no-such-key-0123456789", "workspace token": token, "another endpoint's key": f.b.PrimaryKey,
		} {
			for range 3 {
				if _, err := f.resolve(t, f.def, key); scoregate.ClassOf(err) != scoregate.Unauthorized {
					t.Errorf("%s: %v; want Unauthorized", name, err)
				}
			}
		}
		// Each wrong credential reached the database once; repeats are
		// answered from memory.
		if n := f.st.auth.Load(); n != 3 {
			t.Errorf("%d Authenticate calls; want 3", n)
		}
	})
}

func TestRegistryFollowsChanges(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := t.Context()
		before, err := f.resolve(t, f.b, f.b.PrimaryKey)
		if err != nil {
			t.Fatal(err)
		}
		// A regenerated key: the old one is refused once the change is
		// seen, the new one works.
		b, err := db.RegenerateEndpointKey(ctx, f.ws, "demo", "b", scoregate.KeyPrimary)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.reg.Poll(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := f.resolve(t, f.b, f.b.PrimaryKey); scoregate.ClassOf(err) != scoregate.Unauthorized {
			t.Errorf("old key after regenerate: %v; want Unauthorized", err)
		}
		if _, err := f.resolve(t, f.b, b.PrimaryKey); err != nil {
			t.Errorf("new key: %v", err)
		}
		// A retrained model: new calls score with it.
		rel := "uploads/retrained.pmml"
		if err := f.blobs.Put(ctx, scoregate.BlobKey(f.ws, rel), bytes.NewReader(fixtures.DemoModelV2)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateEndpoint(ctx, f.ws, "demo", "b", scoregate.EndpointSettings{Resources: []scoregate.Resource{{
			Name: "demo [trained model]", Kind: scoregate.ResourceKindTrainedModel,
			Location: scoregate.Location{RelativeLocation: rel}}}}); err != nil {
			t.Fatal(err)
		}
		if err := f.reg.Poll(ctx); err != nil {
			t.Fatal(err)
		}
		after, err := f.resolve(t, f.b, b.PrimaryKey)
		if err != nil {
			t.Fatal(err)
		}
		if after.Scorer == before.Scorer || after.Endpoint.Resources[0].Location.RelativeLocation != rel {
			t.Error("the endpoint still scores with its old model")
		}
		def, err := f.resolve(t, f.def, f.def.PrimaryKey)
		if err != nil {
			t.Fatal(err)
		}
		if def.Scorer != before.Scorer {
			t.Error("the default endpoint lost its model to b's retraining")
		}
		// A deleted endpoint's keys are refused.
		if err := db.DeleteEndpoint(ctx, f.ws, "demo", "b"); err != nil {
			t.Fatal(err)
		}
		if err := f.reg.Poll(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := f.resolve(t, f.b, b.PrimaryKey); scoregate.ClassOf(err) != scoregate.Unauthorized {
			t.Errorf("key of a deleted endpoint: %v; want Unauthorized", err)
		}
	})
}

// TestRegistryLoadsOnce: many first calls at once load the endpoint once.
func TestRegistryLoadsOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, storetest.NewSQLite(t))
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, err := f.resolve(t, f.def, f.def.PrimaryKey); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := f.st.endpoints.Load(); n != 1 {
		t.Errorf("endpoint loaded %d times; want 1", n)
	}
}
