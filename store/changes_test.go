package store_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/store"
	"github.com/scoregate/scoregate/store/storetest"
)

// changed runs op and checks that it appended exactly one change to the
// feed, with the ids of the change want returns once op ran.
func changed(t *testing.T, db *store.DB, op func() error, wantAfter func() scoregate.Change) {
	t.Helper()
	ctx := t.Context()
	before, err := db.LastChange(ctx)
	ok(t, err)
	start := time.Now().UTC().Truncate(time.Microsecond)
	ok(t, op())
	got, err := db.ChangesAfter(ctx, before, 0)
	ok(t, err)
	if len(got) != 1 {
		t.Fatalf("%d changes appended, want 1: %+v", len(got), got)
	}
	c, want := got[0], wantAfter()
	if c.WorkspaceID != want.WorkspaceID || c.WebServiceID != want.WebServiceID || c.EndpointID != want.EndpointID {
		t.Fatalf("change = %+v, want ids %+v", c, want)
	}
	if c.Seq <= before || c.At.Location() != time.UTC || c.At.Before(start) || c.At.After(time.Now()) {
		t.Fatalf("change = %+v, want a seq after %d at a UTC time after %s", c, before, start)
	}
	if last, err := db.LastChange(ctx); err != nil || last != c.Seq {
		t.Fatalf("LastChange = %d, %v; want %d", last, err, c.Seq)
	}
}

// unchanged runs op, which must fail, and checks that the change feed did
// not move.
func unchanged(t *testing.T, db *store.DB, op func() error) {
	t.Helper()
	before, err := db.LastChange(t.Context())
	ok(t, err)
	if err := op(); err == nil {
		t.Fatal("the operation succeeded; want it to fail")
	}
	if got, err := db.ChangesAfter(t.Context(), before, 0); err != nil || len(got) != 0 {
		t.Fatalf("a failed operation appended %+v (%v)", got, err)
	}
}

func TestChangeFeedWrites(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "ws")
		svc := publish(t, db, ws.ID, "svc", 1)
		other := publish(t, db, ws.ID, "other", 1)
		ep, _, err := db.PutEndpoint(ctx, ws.ID, "svc", "ep", scoregate.EndpointSettings{})
		ok(t, err)
		def, err := db.Endpoint(ctx, ws.ID, "svc", "default")
		ok(t, err)
		if seq, err := db.LastChange(ctx); err != nil || seq != 3 {
			t.Fatalf("LastChange after two publishes and a PUT = %d, %v", seq, err)
		}

		endpoint := func(id string) scoregate.Change {
			return scoregate.Change{WorkspaceID: ws.ID, WebServiceID: svc.ID, EndpointID: id}
		}
		var created *scoregate.Endpoint
		steps := []struct {
			name string
			want func() scoregate.Change
			op   func() error
		}{
			{"publish", func() scoregate.Change { return endpoint("") }, func() error {
				_, p := model("svc", 2)
				_, err := db.PublishWebService(ctx, ws.ID, "svc", p)
				return err
			}},
			{"put creates", func() scoregate.Change { return endpoint(created.ID) }, func() (err error) {
				created, _, err = db.PutEndpoint(ctx, ws.ID, "svc", "created", scoregate.EndpointSettings{})
				return err
			}},
			{"put updates", func() scoregate.Change { return endpoint(ep.ID) }, func() error {
				_, _, err := db.PutEndpoint(ctx, ws.ID, "svc", "ep", scoregate.EndpointSettings{Description: ptr("put")})
				return err
			}},
			{"patch", func() scoregate.Change { return endpoint(ep.ID) }, func() error {
				_, err := db.UpdateEndpoint(ctx, ws.ID, "svc", "ep", scoregate.EndpointSettings{EchoInputs: ptr(true)})
				return err
			}},
			{"patch default by service id", func() scoregate.Change { return endpoint(def.ID) }, func() error {
				_, err := db.UpdateEndpoint(ctx, ws.ID, svc.ID, "default", scoregate.EndpointSettings{Description: ptr("d")})
				return err
			}},
			{"refresh", func() scoregate.Change { return endpoint(ep.ID) }, func() error {
				_, err := db.RefreshEndpoint(ctx, ws.ID, "svc", "ep", true)
				return err
			}},
			{"regenerate key", func() scoregate.Change { return endpoint(ep.ID) }, func() error {
				_, err := db.RegenerateEndpointKey(ctx, ws.ID, "svc", "ep", scoregate.KeySecondary)
				return err
			}},
			{"workspace token", func() scoregate.Change { return scoregate.Change{WorkspaceID: ws.ID} }, func() error {
				_, err := db.RegenerateWorkspaceToken(ctx, ws.ID, scoregate.KeyPrimary)
				return err
			}},
			{"delete endpoint", func() scoregate.Change { return endpoint(created.ID) }, func() error {
				return db.DeleteEndpoint(ctx, ws.ID, "svc", "created")
			}},
			{"delete web service", func() scoregate.Change {
				return scoregate.Change{WorkspaceID: ws.ID, WebServiceID: other.ID}
			}, func() error {
				return db.DeleteWebService(ctx, ws.ID, "other")
			}},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) { changed(t, db, s.op, s.want) })
		}

		failures := []struct {
			name string
			op   func() error
		}{
			{"patch of the default endpoint's model", func() error {
				_, err := db.UpdateEndpoint(ctx, ws.ID, "svc", "default", patch("svc"))
				return err
			}},
			{"put with bad settings", func() error {
				_, _, err := db.PutEndpoint(ctx, ws.ID, "svc", "ep", scoregate.EndpointSettings{ThrottleLevel: ptr("Medium")})
				return err
			}},
			{"put creating with bad settings", func() error {
				_, _, err := db.PutEndpoint(ctx, ws.ID, "svc", "new", scoregate.EndpointSettings{MaxConcurrentCalls: ptr(-1)})
				return err
			}},
			{"refresh of the default endpoint", func() error {
				_, err := db.RefreshEndpoint(ctx, ws.ID, "svc", "default", true)
				return err
			}},
			{"delete of the default endpoint in use", func() error {
				return db.DeleteEndpoint(ctx, ws.ID, "svc", "default")
			}},
			{"key of a missing endpoint", func() error {
				_, err := db.RegenerateEndpointKey(ctx, ws.ID, "svc", "missing", scoregate.KeyPrimary)
				return err
			}},
			{"token of a missing workspace", func() error {
				_, err := db.RegenerateWorkspaceToken(ctx, scoregate.NewID(), scoregate.KeyPrimary)
				return err
			}},
			{"publish to a missing workspace", func() error {
				_, p := model("svc", 3)
				_, err := db.PublishWebService(ctx, scoregate.NewID(), "svc", p)
				return err
			}},
			{"delete of a missing web service", func() error {
				return db.DeleteWebService(ctx, ws.ID, "other")
			}},
		}
		for _, f := range failures {
			t.Run(f.name, func(t *testing.T) { unchanged(t, db, f.op) })
		}
	})
}

func TestChangesAfter(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		var workspaces []string
		for range 5 {
			workspaces = append(workspaces, newWorkspace(t, db, "ws").ID)
		}
		if seq, err := db.LastChange(ctx); err != nil || seq != 0 {
			t.Fatalf("LastChange of an empty feed = %d, %v; want 0", seq, err)
		}
		var cut time.Time
		for i, ws := range workspaces {
			if i == 2 {
				time.Sleep(5 * time.Millisecond)
				cut = time.Now()
				time.Sleep(5 * time.Millisecond)
			}
			_, err := db.RegenerateWorkspaceToken(ctx, ws, scoregate.KeyPrimary)
			ok(t, err)
		}

		all, err := db.ChangesAfter(ctx, 0, 0)
		ok(t, err)
		if len(all) != 5 {
			t.Fatalf("ChangesAfter(0) = %d changes, want 5", len(all))
		}
		for i, c := range all {
			if c.WorkspaceID != workspaces[i] || (i > 0 && c.Seq <= all[i-1].Seq) {
				t.Fatalf("change %d = %+v; want workspace %s, after seq %d", i, c, workspaces[i], all[max(i-1, 0)].Seq)
			}
		}
		last, err := db.LastChange(ctx)
		ok(t, err)
		if last != all[4].Seq {
			t.Fatalf("LastChange = %d, want %d", last, all[4].Seq)
		}
		seqs := func(cs []scoregate.Change) []int64 {
			out := []int64{}
			for _, c := range cs {
				out = append(out, c.Seq)
			}
			return out
		}
		cases := []struct {
			name  string
			after int64
			limit int
			want  []scoregate.Change
		}{
			{"first two", 0, 2, all[:2]},
			{"next two", all[1].Seq, 2, all[2:4]},
			{"limit past the end", all[2].Seq, 10, all[3:]},
			{"after the last", last, 0, nil},
			{"negative limit is the cap", all[0].Seq, -1, all[1:]},
		}
		for _, c := range cases {
			got, err := db.ChangesAfter(ctx, c.after, c.limit)
			ok(t, err)
			if !slices.Equal(seqs(got), seqs(c.want)) {
				t.Errorf("%s: ChangesAfter(%d, %d) = %v, want %v", c.name, c.after, c.limit, seqs(got), seqs(c.want))
			}
		}

		ok(t, db.PruneChanges(ctx, cut))
		got, err := db.ChangesAfter(ctx, 0, 0)
		ok(t, err)
		if !slices.Equal(seqs(got), seqs(all[2:])) {
			t.Fatalf("after pruning before the third change: %v, want %v", seqs(got), seqs(all[2:]))
		}
		// Pruning everything must not let a seq be handed out again: a
		// replica's cursor would skip the change.
		ok(t, db.PruneChanges(ctx, time.Now().Add(time.Hour)))
		if seq, err := db.LastChange(ctx); err != nil || seq != 0 {
			t.Fatalf("LastChange of a pruned feed = %d, %v; want 0", seq, err)
		}
		_, err = db.RegenerateWorkspaceToken(ctx, workspaces[0], scoregate.KeySecondary)
		ok(t, err)
		got, err = db.ChangesAfter(ctx, last, 0)
		ok(t, err)
		if len(got) != 1 || got[0].Seq <= last {
			t.Fatalf("the change after pruning everything: %+v, want one with a seq after %d", got, last)
		}
	})
}

// TestChangesAfterCap fills the feed past the cap of one read.
func TestChangesAfterCap(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ok(t, db.Exec(ctx, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1005) "+
			"INSERT INTO changes (workspace_id, web_service_id, endpoint_id, at) SELECT 'ws', '', '', ? FROM n",
			time.Now().UTC()))
		for _, limit := range []int{0, 1001, 5000} {
			got, err := db.ChangesAfter(ctx, 0, limit)
			ok(t, err)
			if len(got) != 1000 || got[0].Seq >= got[999].Seq {
				t.Fatalf("ChangesAfter(0, %d) = %d changes, want the first 1000 in order", limit, len(got))
			}
		}
		got, err := db.ChangesAfter(ctx, 0, 7)
		ok(t, err)
		if len(got) != 7 {
			t.Fatalf("ChangesAfter(0, 7) = %d changes", len(got))
		}
	})
}

// TestChangesCommitInOrder follows the feed the way a replica does while
// writers in different workspaces (no row lock in common) append to it: the
// follower must see every change, which it cannot if a change commits after
// one with a higher seq that it already read.
func TestChangesCommitInOrder(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		const writers, rounds = 8, 15
		var workspaces []string
		for range writers {
			workspaces = append(workspaces, newWorkspace(t, db, "ws").ID)
		}
		ok(t, db.WarmUp(ctx, writers+1))

		var wg sync.WaitGroup
		errs := make([]error, writers)
		for i, ws := range workspaces {
			wg.Go(func() {
				for range rounds {
					if _, err := db.RegenerateWorkspaceToken(ctx, ws, scoregate.KeyPrimary); err != nil {
						errs[i] = err
						return
					}
				}
			})
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()

		seen := map[int64]bool{}
		var cursor int64
		follow := func() {
			got, err := db.ChangesAfter(ctx, cursor, 0)
			ok(t, err)
			for _, c := range got {
				seen[c.Seq] = true
				cursor = c.Seq
			}
		}
		for running := true; running; {
			select {
			case <-done:
				running = false
			default:
			}
			follow()
		}
		follow()
		for _, err := range errs {
			ok(t, err)
		}

		all, err := db.ChangesAfter(ctx, 0, 0)
		ok(t, err)
		if len(all) != writers*rounds {
			t.Fatalf("%d changes, want %d", len(all), writers*rounds)
		}
		for _, c := range all {
			if !seen[c.Seq] {
				t.Fatalf("the follower never saw change %d: it committed after a later one", c.Seq)
			}
		}
	})
}
