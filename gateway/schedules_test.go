package gateway_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/fixtures"
)

// saveSchedule keeps a created schedule's id as {sched}.
func saveSchedule(t *testing.T, e *env, _ *http.Response, body []byte) {
	t.Helper()
	var sc struct{ Id string }
	if err := json.Unmarshal(body, &sc); err != nil || len(sc.Id) != 32 {
		t.Fatalf("schedule %s (%v)", body, err)
	}
	e.vars["sched"] = sc.Id
}

// TestSchedules manages an endpoint's schedules: create with defaults,
// read, list, change, refuse bad settings naming the field, delete.
func TestSchedules(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db database) {
		e := setup(t, db)
		all := "/workspaces/{ws}/webservices/demo/endpoints/default/schedules"
		e.run(t, []step{
			publish("publish", "demo", fixtures.DemoModel, 201),
			{name: "none yet", method: "GET", path: all, status: 200, want: []string{"[]"}},
			{name: "create", method: "POST", path: all, body: `{"Cron":"@every 5m"}`, status: 201, check: saveSchedule,
				want: []string{`"Cron":"@every 5m"`, `"TimeZone":"UTC"`, `"Enabled":true`, `"Pattern":"*.csv, *.xlsx"`,
					`"OutputFormat":"same"`, `"ErrorThreshold":0`, `"NextRun":"20`, `"LastRun":null`}},
			{name: "read", method: "GET", path: all + "/{sched}", status: 200, want: []string{`"Id":"{sched}"`}},
			{name: "list", method: "GET", path: all, status: 200, want: []string{`"Id":"{sched}"`}},
			{name: "change", method: "PATCH", path: all + "/{sched}",
				body:   `{"Cron":"30 2 * * *","TimeZone":"Asia/Tokyo","Pattern":"sales-*.csv","OutputFormat":"xlsx","ErrorThreshold":0.1}`,
				status: 200, want: []string{`"Cron":"30 2 * * *"`, `"TimeZone":"Asia/Tokyo"`, `"Pattern":"sales-*.csv"`,
					`"OutputFormat":"xlsx"`, `"ErrorThreshold":0.1`, `T17:30:00Z"`, `"Enabled":true`}},
			{name: "disable: no next run", method: "PATCH", path: all + "/{sched}", body: `{"Enabled":false}`, status: 200,
				want: []string{`"Enabled":false`, `"NextRun":null`, `"Cron":"30 2 * * *"`}},
			{name: "a bad cron", method: "PATCH", path: all + "/{sched}", body: `{"Cron":"every day"}`, status: 400,
				want: []string{`"target":"Cron"`}},
			{name: "a bad time zone", method: "POST", path: all, body: `{"Cron":"@daily","TimeZone":"Mars/Olympus"}`, status: 400,
				want: []string{`"target":"TimeZone"`}},
			{name: "no cron", method: "POST", path: all, body: `{}`, status: 400, want: []string{`"target":"Cron"`}},
			{name: "a bad output format", method: "POST", path: all, body: `{"Cron":"@daily","OutputFormat":"pdf"}`, status: 400,
				want: []string{`"target":"OutputFormat"`}},
			{name: "a bad threshold", method: "POST", path: all, body: `{"Cron":"@daily","ErrorThreshold":2}`, status: 400,
				want: []string{`"target":"ErrorThreshold"`}},
			{name: "unchanged by the refusals", method: "GET", path: all + "/{sched}", status: 200,
				want: []string{`"Cron":"30 2 * * *"`, `"Enabled":false`}},
			{name: "another workspace", method: "GET", path: all + "/{sched}", auth: "{other.token}", status: 404},
			{name: "delete", method: "DELETE", path: all + "/{sched}", status: 204},
			{name: "gone", method: "GET", path: all + "/{sched}", status: 404, want: []string{`"ScheduleNotFound"`}},
		})
	})
}

// TestScheduleRuns reads a schedule's runs: the list, one run with its
// files linking to their jobs and outputs, and the refusals. Runs are
// recorded straight in the store: this gateway has no runner, so asking
// for a run now is 503 (the end-to-end tests run schedules).
func TestScheduleRuns(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db database) {
		e := setup(t, db)
		all := "/workspaces/{ws}/webservices/demo/endpoints/default/schedules"
		record := func(t *testing.T, e *env, _ *http.Response, _ []byte) {
			t.Helper()
			runs := e.store.(scoregate.ScheduleRunStore)
			ctx := t.Context()
			run := &scoregate.ScheduleRun{FireTime: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}
			if ok, err := runs.FireSchedule(ctx, e.vars["ws"], e.vars["sched"], run, nil, nil); !ok || err != nil {
				t.Fatalf("FireSchedule = %v, %v", ok, err)
			}
			area := scoregate.DropPrefix(e.vars["ws"], "demo", "default")
			j := &scoregate.Job{Input: area + "inbox/a.csv", InputName: "a.csv", Output: area + "outbox/a.scored.csv"}
			f := scoregate.DropFile{Key: j.Input, Name: "a.csv", Version: "v", Size: 3}
			if ok, err := runs.ClaimDrop(ctx, run.ID, f, j, nil); !ok || err != nil {
				t.Fatalf("ClaimDrop = %v, %v", ok, err)
			}
			f = scoregate.DropFile{Status: scoregate.DropScored, Output: j.Output, Moved: area + "processed/a.csv", RowsRead: 2}
			if ok, err := runs.FinishDrop(ctx, j.ID, f); !ok || err != nil {
				t.Fatalf("FinishDrop = %v, %v", ok, err)
			}
			if err := runs.ListedRun(ctx, run.ID, 2, 1, []string{"b.csv: changed 1s ago"}, ""); err != nil {
				t.Fatal(err)
			}
			e.vars["run"], e.vars["job"] = run.ID, j.ID
		}
		e.run(t, []step{
			publish("publish", "demo", fixtures.DemoModel, 201),
			{name: "create", method: "POST", path: all, body: `{"Cron":"@daily"}`, status: 201, check: saveSchedule},
			{name: "no runs yet", method: "GET", path: all + "/{sched}/runs", status: 200, want: []string{"[]"}, check: record},
			{name: "list", method: "GET", path: all + "/{sched}/runs", status: 200,
				want: []string{`"Id":"{run}"`, `"Trigger":"schedule"`, `"FireTime":"2026-11-30T09:00:00Z"`, `"FilesFound":2`,
					`"FilesSkipped":1`, `"FilesClaimed":1`, `"FilesScored":1`, `"RowsRead":2`, `"Notes":["b.csv: changed 1s ago"]`,
					`/schedules/{sched}/runs/{run}"`},
				reject: []string{`"Files":`}},
			{name: "one, with its files", method: "GET", path: all + "/{sched}/runs/{run}", status: 200,
				want: []string{`"Files":[{"Name":"a.csv","Status":"scored","JobId":"{job}"`, `/jobs/{job}"`,
					`/endpoints/default/drops/outbox/a.scored.csv"`, `"MovedTo":"processed/a.csv"`}},
			{name: "a bad limit", method: "GET", path: all + "/{sched}/runs?limit=0", status: 400, want: []string{`"target":"limit"`}},
			{name: "an unknown run", method: "GET", path: all + "/{sched}/runs/0123456789abcdef0123456789abcdef", status: 404,
				want: []string{`"RunNotFound"`}},
			{name: "another schedule", method: "POST", path: all, body: `{"Cron":"@daily"}`, status: 201, check: saveSchedule},
			{name: "not its run", method: "GET", path: all + "/{sched}/runs/{run}", status: 404, want: []string{`"RunNotFound"`}},
			{name: "run now: no runner here", method: "POST", path: all + "/{sched}/run", status: 503},
		})
	})
}
