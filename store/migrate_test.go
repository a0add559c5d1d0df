package store_test

import (
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/store"
	"github.com/scoregate/scoregate/store/storetest"
)

// eachEmpty runs fn on an empty, unmigrated database of each dialect; url
// opens the same database again.
func eachEmpty(t *testing.T, fn func(t *testing.T, url string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, "sqlite://"+filepath.Join(t.TempDir(), "scoregate.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, storetest.PostgresURL(t))
	})
}

// latest is the number of migrations of this build.
const latest = 7

// TestMigrationUpgrade builds a database as release 1 left it, with data,
// moves it to release 2 and adds an endpoint as that release wrote it, to
// release 6 and adds a job and a drop claim as that release wrote them,
// then upgrades it: the data must survive and the new tables work.
func TestMigrationUpgrade(t *testing.T) {
	t.Parallel()
	eachEmpty(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := storetest.Open(t, url)
		pending(t, db, latest)
		ok(t, db.MigrateTo(ctx, 1))
		pending(t, db, latest-1)

		// Data of release 1: a workspace made by the code path that only
		// needs the v1 tables, and one written as raw SQL.
		ws := newWorkspace(t, db, "from v1")
		token, err := db.WorkspaceToken(ctx, ws.ID, scoregate.KeySecondary)
		ok(t, err)
		rawID := scoregate.NewID()
		ok(t, db.Exec(ctx, "INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)",
			rawID, "raw v1", time.Date(2024, 8, 31, 12, 0, 0, 0, time.UTC)))
		if _, err := db.WebServices(ctx, ws.ID); scoregate.ClassOf(err) != scoregate.Internal {
			t.Fatalf("WebServices on a v1 schema: %v, want an internal error", err)
		}

		ok(t, db.MigrateTo(ctx, 2))
		pending(t, db, latest-2)
		// An endpoint as release 2 wrote it, before echo_inputs.
		v2 := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
		svcID, epID := scoregate.NewID(), scoregate.NewID()
		ok(t, db.Exec(ctx, "INSERT INTO web_services (id, workspace_id, name, version, model_kind, "+
			"input_schema, output_schema, created_at, updated_at) VALUES (?, ?, 'v2svc', 1, 'TreeModel', '{}', '{}', ?, ?)",
			svcID, ws.ID, v2, v2))
		ok(t, db.Exec(ctx, "INSERT INTO endpoints (id, workspace_id, web_service_id, name, version, throttle_level, "+
			"max_concurrent_calls, diagnostics_trace_level, sample_data_enabled, resources, created_at, updated_at) "+
			"VALUES (?, ?, ?, 'v2ep', 1, 'High', 20, 'None', TRUE, '[]', ?, ?)", epID, ws.ID, svcID, v2, v2))

		ok(t, db.MigrateTo(ctx, 6))
		pending(t, db, 1)
		// A schedule, a job and a claim as release 6 wrote them, before
		// runs were recorded.
		s := newSchedule(ws.ID, epID)
		ok(t, db.CreateSchedule(ctx, s))
		v6, v6Job := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), scoregate.NewID()
		ok(t, db.Exec(ctx, "INSERT INTO jobs (id, workspace_id, endpoint_id, status, input, created_at, updated_at) "+
			"VALUES (?, ?, ?, 'NotStarted', 'in', ?, ?)", v6Job, ws.ID, epID, v6, v6))
		ok(t, db.Exec(ctx, "INSERT INTO drop_claims (endpoint_id, object_key, etag, size, claimed_at, status) "+
			"VALUES (?, 'inbox/in.csv', 'e1', 1, ?, 'claimed')", epID, v6))

		ok(t, db.Migrate(ctx))
		pending(t, db, 0)
		ok(t, db.Migrate(ctx)) // nothing left to do is not an error

		old, err := db.EndpointByID(ctx, ws.ID, epID)
		ok(t, err)
		if old.Name != "v2ep" || old.EchoInputs || old.LiveWorkbookEnabled || !old.SampleDataEnabled || old.MaxConcurrentCalls != 20 {
			t.Fatalf("a release 2 endpoint after the upgrade: %+v", old)
		}
		if seq, err := db.LastChange(ctx); err != nil || seq != 0 {
			t.Fatalf("LastChange right after the upgrade = %d, %v; want 0", seq, err)
		}
		echoed, err := db.UpdateEndpoint(ctx, ws.ID, "v2svc", "v2ep", scoregate.EndpointSettings{EchoInputs: ptr(true)})
		ok(t, err)
		if !echoed.EchoInputs {
			t.Fatalf("EchoInputs after a PATCH of a release 2 endpoint: %+v", echoed)
		}
		ok(t, db.AppendRequestLogs(ctx, []scoregate.RequestLog{{EndpointID: epID, At: v2, Status: 200}}))
		ok(t, db.PutUsage(ctx, []scoregate.UsageHour{{EndpointID: epID, Hour: v2, Replica: "r1", Calls: 1}}))
		ok(t, db.CreateJob(ctx, newJob(ws.ID, epID), nil))
		ok(t, db.CreateSchedule(ctx, newSchedule(ws.ID, epID)))
		if j, err := db.Job(ctx, ws.ID, v6Job); err != nil || j.RunID != "" || j.Input != "in" {
			t.Fatalf("a release 6 job after the upgrade: %+v, %v", j, err)
		}
		run := startRun(t, db, s)
		claimFile(t, db, run.ID, scoregate.DropFile{Key: "inbox/in.csv", Version: "e1", Size: 1}, false)
		claimFile(t, db, run.ID, scoregate.DropFile{Key: "inbox/in.csv", Version: "e2", Size: 1}, true)
		if got := readRun(t, db, ws.ID, run.ID); got.FilesClaimed != 1 || len(got.Files) != 1 || got.Files[0].Version != "e2" {
			t.Fatalf("run after the upgrade: %+v", *got)
		}
		changes, err := db.ChangesAfter(ctx, 0, 0)
		ok(t, err)
		if len(changes) != 1 || changes[0].EndpointID != epID {
			t.Fatalf("changes after the PATCH: %+v", changes)
		}

		got, err := db.Workspace(ctx, ws.ID)
		ok(t, err)
		raw, err := db.Workspace(ctx, rawID)
		ok(t, err)
		if got.Name != "from v1" || raw.Name != "raw v1" || !raw.CreatedAt.Equal(time.Date(2024, 8, 31, 12, 0, 0, 0, time.UTC)) {
			t.Fatalf("workspaces after the upgrade: %+v, %+v", got, raw)
		}
		authenticates(t, db, token, scoregate.Principal{WorkspaceID: ws.ID})
		publish(t, db, ws.ID, "svc", 1)
		ep, _, err := db.PutEndpoint(ctx, ws.ID, "svc", "ep", scoregate.EndpointSettings{})
		ok(t, err)
		authenticates(t, db, ep.PrimaryKey, scoregate.Principal{WorkspaceID: ws.ID, EndpointID: ep.ID})
		ok(t, db.DeleteWebService(ctx, ws.ID, "svc"))
		if n, err := db.Count(ctx, "credentials"); err != nil || n != 2 {
			t.Fatalf("%d credentials after deleting the web service (%v), want the workspace's 2", n, err)
		}
		ok(t, db.DeleteWebService(ctx, ws.ID, "v2svc"))
		for _, table := range []string{"request_logs", "usage_hours", "jobs", "schedules", "schedule_runs", "drop_claims"} {
			if n, err := db.Count(ctx, table); err != nil || n != 0 {
				t.Fatalf("%d rows in %s after deleting their web service (%v), want 0", n, table, err)
			}
		}

		if err := db.MigrateTo(ctx, latest+1); err == nil {
			t.Fatal("MigrateTo a version this build does not know succeeded")
		}
	})
}

// pending checks Pending, SchemaVersion and Ready on a database n
// migrations behind the latest.
func pending(t *testing.T, db *store.DB, n int) {
	t.Helper()
	got, err := db.Pending(t.Context())
	ok(t, err)
	if got != n {
		t.Fatalf("Pending = %d, want %d", got, n)
	}
	v, err := db.SchemaVersion(t.Context())
	ok(t, err)
	if v != latest-n {
		t.Fatalf("SchemaVersion = %d, want %d", v, latest-n)
	}
	err = db.Ready(t.Context())
	switch {
	case n == 0 && err != nil:
		t.Fatalf("Ready on a current schema: %v", err)
	case n > 0 && (err == nil || !strings.Contains(err.Error(), "migrations pending")):
		t.Fatalf("Ready %d migrations behind: %v, want an error saying so", n, err)
	}
}

// TestMigrateConcurrently migrates one database from several handles at
// once, as replicas starting together do.
func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	eachEmpty(t, func(t *testing.T, url string) {
		const n = 4
		dbs := make([]*store.DB, n)
		for i := range dbs {
			dbs[i] = storetest.Open(t, url)
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i, db := range dbs {
			wg.Go(func() { errs[i] = db.Migrate(t.Context()) })
		}
		wg.Wait()
		for _, err := range errs {
			ok(t, err)
		}
		if rows, err := dbs[0].Count(t.Context(), "schema_migrations"); err != nil || rows != latest {
			t.Fatalf("schema_migrations holds %d rows (%v), want %d", rows, err, latest)
		}
		pending(t, dbs[n-1], 0)
	})
}
