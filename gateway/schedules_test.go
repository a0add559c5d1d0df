package gateway_test

import (
	"encoding/json"
	"net/http"
	"testing"

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
