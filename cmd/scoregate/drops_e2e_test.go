package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// runView is what GET …/schedules/{id}/runs/{run} answers.
type runView struct {
	Id, ScheduleId, Trigger, FireTime, StatusCode string
	FilesFound, FilesSkipped, FilesClaimed        int
	FilesScored, FilesFailed                      int
	RowsRead, RowsFailed                          int64
	Notes                                         []string
	Files                                         []struct {
		Name, Status, JobId, Job string
		Output, MovedTo, Details *string
	}
	Url string
}

// dropsClient drives one endpoint's drop folder and schedules over HTTP.
type dropsClient struct {
	t          *testing.T
	base       string // the gateway's base URL
	endpoint   string // …/workspaces/{ws}/webservices/{svc}/endpoints/{name}
	credential string
}

func (d dropsClient) drop(name string, body []byte, credential string) {
	d.t.Helper()
	status, b, _ := send(d.t, "PUT", d.base+d.endpoint+"/drops/"+name, credential, "application/octet-stream", bytes.NewReader(body))
	if status != 201 {
		d.t.Fatalf("drop %s: %d %s", name, status, b)
	}
}

// folder lists the names in a drop folder.
func (d dropsClient) folder(name string) []string {
	d.t.Helper()
	status, b, _ := send(d.t, "GET", d.base+d.endpoint+"/drops?folder="+name, d.credential, "", nil)
	if status != 200 {
		d.t.Fatalf("list %s: %d %s", name, status, b)
	}
	var files []struct{ Name string }
	if err := json.Unmarshal(b, &files); err != nil {
		d.t.Fatal(err)
	}
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.Name
	}
	return names
}

func (d dropsClient) get(url string, into any) {
	d.t.Helper()
	if strings.HasPrefix(url, "/") {
		url = d.base + url
	}
	status, b, _ := send(d.t, "GET", url, d.credential, "", nil)
	if status != 200 {
		d.t.Fatalf("GET %s: %d %s", url, status, b)
	}
	if err := json.Unmarshal(b, into); err != nil {
		d.t.Fatalf("GET %s: %v\n%s", url, err, b)
	}
}

// schedule creates a schedule and returns its id.
func (d dropsClient) schedule(body string) string {
	d.t.Helper()
	status, b, _ := send(d.t, "POST", d.base+d.endpoint+"/schedules", d.credential, "application/json", strings.NewReader(body))
	if status != 201 {
		d.t.Fatalf("create schedule %s: %d %s", body, status, b)
	}
	var sc struct{ Id string }
	if err := json.Unmarshal(b, &sc); err != nil {
		d.t.Fatal(err)
	}
	return sc.Id
}

func (d dropsClient) runs(schedule string) []runView {
	d.t.Helper()
	var runs []runView
	d.get(d.endpoint+"/schedules/"+schedule+"/runs", &runs)
	return runs
}

// await polls cond until it holds.
func (d dropsClient) await(what string, patience time.Duration, cond func() bool) {
	d.t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			d.t.Fatalf("still waiting after %s for %s", patience, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestBinaryDrops is scheduled file drops tried as a new user would, on
// the real binary over real HTTP: a schedule on the demo endpoint; a CSV
// and a workbook dropped through the API, a CSV copied into the local
// inbox folder, a broken workbook; scored files in outbox/, inputs in
// processed/, the broken one in failed/ with its explanation, and the
// runs in the history with links to their jobs.
func TestBinaryDrops(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dataDir := filepath.Join(t.TempDir(), "data")
	_, base, stderr := startBinary(t, dataDir, "SCOREGATE_DROP_SETTLE=1s")
	c := rawClient{t: t, base: base}
	token, ws, _, key := demoEndpoint(t, c, dataDir)
	d := dropsClient{t: t, base: base, endpoint: "/workspaces/" + ws + "/webservices/iris/endpoints/default", credential: token}

	for body, field := range map[string]string{
		`{"Cron":"every minute"}`:                         "Cron",
		`{"Cron":"@every 1m","TimeZone":"Mars/Olympus"}`:  "TimeZone",
		`{"Cron":"@every 1m","OutputFormat":"pdf"}`:       "OutputFormat",
		`{"Cron":"@every 1m","ErrorThreshold":2}`:         "ErrorThreshold",
		`{"Cron":"@every 1m","Pattern":"../*.csv"}`:       "Pattern",
		`{"TimeZone":"Europe/Amsterdam","Enabled":false}`: "Cron",
	} {
		status, b, _ := send(t, "POST", base+d.endpoint+"/schedules", token, "application/json", strings.NewReader(body))
		if status != 400 || !strings.Contains(string(b), `"target":"`+field) {
			t.Errorf("POST schedule %s: %d %s; want 400 naming %q", body, status, b, field)
		}
	}

	d.drop("sales.csv", irisCSV(500, true), key)    // the endpoint's key
	d.drop("flowers.xlsx", demoXLSX(t), token)      // the workspace token
	d.drop("broken.xlsx", []byte("not a zip"), key) // malformed
	inbox := filepath.Join(dataDir, "blobs", "drops", ws, "iris", "default", "inbox")
	if err := os.WriteFile(filepath.Join(inbox, "copied.csv"), irisCSV(20, false), 0o644); err != nil {
		t.Fatal(err)
	}
	id := d.schedule(`{"Cron":"@every 2s","TimeZone":"Europe/Amsterdam"}`)

	d.await("every file processed", time.Minute, func() bool {
		return len(d.folder("processed")) == 3 && len(d.folder("failed")) == 2
	})
	for folder, want := range map[string][]string{
		"inbox":     nil,
		"outbox":    {"copied.scored.csv", "flowers.scored.xlsx", "sales.scored.csv"},
		"processed": {"copied.csv", "flowers.xlsx", "sales.csv"},
		"failed":    {"broken.xlsx", "broken.xlsx.error.txt"},
	} {
		if got := d.folder(folder); !slices.Equal(got, want) {
			t.Errorf("%s/ holds %q, want %q", folder, got, want)
		}
	}
	status, out, _ := send(t, "GET", base+d.endpoint+"/drops/outbox/sales.scored.csv", key, "", nil)
	rows := readCSV(t, out)
	if status != 200 || len(rows) != 502 || !slices.Contains(rows[0], "Scored Labels") || !strings.Contains(rows[501][len(rows[0])-1], "sepal_length") {
		t.Errorf("sales.scored.csv: %d, %d rows, header %q, last %q", status, len(rows), rows[0], rows[len(rows)-1])
	}
	status, report, _ := send(t, "GET", base+d.endpoint+"/drops/failed/broken.xlsx.error.txt", token, "", nil)
	if status != 200 || !strings.Contains(string(report), "could not score broken.xlsx") || !strings.Contains(string(report), "XLSX") {
		t.Errorf("error report: %d\n%s", status, report)
	}

	// The history: runs of the schedule, with the files and their jobs.
	var scored, failed int
	for _, r := range d.runs(id) {
		if r.Trigger != "schedule" {
			t.Errorf("run %s: trigger %s", r.Id, r.Trigger)
		}
		if r.FilesClaimed == 0 {
			continue
		}
		var full runView
		d.get(r.Url, &full)
		for _, f := range full.Files {
			var job jobView
			d.get(f.Job, &job)
			if job.RunId != r.Id {
				t.Errorf("job of %s: RunId %q, want %q", f.Name, job.RunId, r.Id)
			}
			switch {
			case f.Status == "scored" && job.StatusCode == "Finished" && f.Output != nil:
				scored++
				var got []byte
				if status, got, _ = send(t, "GET", *f.Output, token, "", nil); status != 200 || len(got) == 0 {
					t.Errorf("output of %s: %d", f.Name, status)
				}
			case f.Status == "failed" && job.StatusCode == "Failed" && f.Details != nil && *f.MovedTo == "failed/"+f.Name:
				failed++
			default:
				t.Errorf("file %+v, job %+v", f, job)
			}
		}
	}
	if scored != 3 || failed != 1 {
		t.Errorf("the runs' files: %d scored, %d failed; want 3 and 1", scored, failed)
	}

	// Run now, by request: 202 and a run that finds nothing new.
	status, b, h := send(t, "POST", base+d.endpoint+"/schedules/"+id+"/run", key, "", nil)
	if status != 202 || h.Get("Location") == "" {
		t.Fatalf("run now: %d %s", status, b)
	}
	var run runView
	d.await("the requested run", 30*time.Second, func() bool {
		d.get(h.Get("Location"), &run)
		return run.StatusCode == "Finished"
	})
	if run.Trigger != "manual" || run.FilesFound != 0 {
		t.Errorf("requested run: %+v", run)
	}
	status, metrics, _ := send(t, "GET", base+"/metrics", "", "", nil)
	for _, want := range []string{`scoregate_drop_files_total{status="scored"} 3`, `scoregate_drop_files_total{status="failed"} 1`} {
		if status != 200 || !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics (%d) lacks %s", status, want)
		}
	}
	if strings.Contains(stderr.String(), key) || strings.Contains(stderr.String(), token) {
		t.Error("a credential is in the log")
	}
}

// TestDropsScaleOut runs two gateway processes on one Postgres and one
// blob folder with a schedule firing every second, drops 50 files
// through both over about ten firings, and checks that each file was
// scored exactly once: one job per file, one output each, nothing left
// in the inbox, and one run per firing.
func TestDropsScaleOut(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dataDir, base1, base2 := startReplicas(t)
	c := rawClient{t: t, base: base1}
	token, ws, _, key := demoEndpoint(t, c, dataDir)
	endpoint := "/workspaces/" + ws + "/webservices/iris/endpoints/default"
	d := dropsClient{t: t, base: base1, endpoint: endpoint, credential: token}
	id := d.schedule(`{"Cron":"@every 1s"}`)

	const files = 50
	began := time.Now()
	for i := range files {
		to := d
		if i%2 == 1 {
			to.base = base2
		}
		to.drop(fmt.Sprintf("part-%02d.csv", i), irisCSV(100+i, false), key)
		time.Sleep(180 * time.Millisecond) // five a second: about ten firings
	}
	dropped := time.Since(began)
	d.await("every file processed", 2*time.Minute, func() bool { return len(d.folder("processed")) == files })
	t.Logf("%d files dropped over %.1f s, all processed after %.1f s", files, dropped.Seconds(), time.Since(began).Seconds())
	if in := d.folder("inbox"); len(in) != 0 {
		t.Errorf("inbox/ still holds %q", in)
	}
	if out := d.folder("outbox"); len(out) != files {
		t.Errorf("outbox/ holds %d files, want %d", len(out), files)
	}
	var jobs []struct {
		InputName, StatusCode, ExecutedBy string
		Attempts                          int
	}
	var ep struct{ ApiLocation string }
	d.get(endpoint, &ep)
	d.get(ep.ApiLocation+"/jobs", &jobs)
	perFile, replicas := map[string]int{}, map[string]int{}
	for _, j := range jobs {
		perFile[j.InputName]++
		replicas[j.ExecutedBy]++
		if j.StatusCode != "Finished" || j.Attempts != 1 {
			t.Errorf("job of %s: %s after %d attempts", j.InputName, j.StatusCode, j.Attempts)
		}
	}
	for i := range files {
		if n := perFile[fmt.Sprintf("part-%02d.csv", i)]; n != 1 {
			t.Errorf("part-%02d.csv scored by %d jobs, want 1", i, n)
		}
	}
	runs := d.runs(id)
	fired := map[string]int{}
	claimed := 0
	for _, r := range runs {
		fired[r.FireTime]++
		claimed += r.FilesClaimed
	}
	for at, n := range fired {
		if n != 1 {
			t.Errorf("%d runs for the firing at %s", n, at)
		}
	}
	if claimed != files || len(runs) < 8 {
		t.Errorf("%d runs claimed %d files; want ~10 runs and %d", len(runs), claimed, files)
	}
	t.Logf("%d runs; jobs per replica %v", len(runs), replicas)
	if len(replicas) != 2 {
		t.Errorf("the files were scored on %v; want both replicas", replicas)
	}

	// Disabled through the other replica, the schedule stops on both.
	status, b, _ := send(t, "PATCH", base2+endpoint+"/schedules/"+id, token, "application/json", strings.NewReader(`{"Enabled":false}`))
	if status != 200 {
		t.Fatalf("disable: %d %s", status, b)
	}
	time.Sleep(1500 * time.Millisecond) // a firing under way ends
	before := len(d.runs(id))
	time.Sleep(2500 * time.Millisecond)
	if after := len(d.runs(id)); after != before {
		t.Errorf("the disabled schedule ran: %d runs, then %d", before, after)
	}
}

// TestDropSurvivesKill kills the gateway with SIGKILL while it scores a
// dropped file, starts it again on the same data, and checks that the
// file is scored once, whole, and moved to processed/.
func TestDropSurvivesKill(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dataDir := filepath.Join(t.TempDir(), "data")
	env := []string{"SCOREGATE_JOB_LEASE=2s"}
	cmd, base, _ := startBinary(t, dataDir, env...)
	c := rawClient{t: t, base: base}
	token, ws, _, _ := demoEndpoint(t, c, dataDir)
	api, key := publishForest(t, c, token, ws)
	d := dropsClient{t: t, base: base, endpoint: "/workspaces/" + ws + "/webservices/forest/endpoints/default", credential: token}
	const n = 150_000
	d.drop("big.csv", forestCSV(n), key)
	id := d.schedule(`{"Cron":"@daily"}`)
	status, b, h := send(t, "POST", base+d.endpoint+"/schedules/"+id+"/run", token, "", nil)
	if status != 202 {
		t.Fatalf("run now: %d %s", status, b)
	}
	runURL := h.Get("Location")
	var run runView
	d.await("the file's job to start", time.Minute, func() bool {
		d.get(runURL, &run)
		return len(run.Files) == 1 && getJob(t, run.Files[0].Job, key).Progress.RowsRead > 0
	})
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	_, base, _ = startBinary(t, dataDir, env...)
	d.base = base
	runPath := runURL[strings.Index(runURL, "/workspaces/"):]
	d.await("the run to end after the restart", 2*time.Minute, func() bool {
		d.get(runPath, &run)
		return run.StatusCode == "Finished"
	})
	if run.FilesScored != 1 || run.RowsRead != n || len(run.Files) != 1 {
		t.Fatalf("run after the restart: %+v", run)
	}
	jobPath := run.Files[0].Job[strings.Index(run.Files[0].Job, "/workspaces/"):]
	if v := getJob(t, base+jobPath, key); v.StatusCode != "Finished" || v.Attempts < 2 {
		t.Errorf("the file's job: %+v", v)
	}
	if got := d.folder("processed"); !slices.Equal(got, []string{"big.csv"}) {
		t.Errorf("processed/ = %q", got)
	}
	if in := d.folder("inbox"); len(in) != 0 {
		t.Errorf("inbox/ = %q", in)
	}
	status, out, _ := send(t, "GET", base+d.endpoint+"/drops/outbox/big.scored.csv", key, "", nil)
	if status != 200 {
		t.Fatalf("output: %d", status)
	}
	checkIDs(t, readCSV(t, out), n)
	var jobs []jobView
	d.get(base+api[strings.Index(api, "/workspaces/"):]+"/jobs", &jobs)
	if len(jobs) != 1 {
		t.Errorf("%d jobs on the endpoint, want the file's one", len(jobs))
	}
}
