package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scoregate/scoregate/fixtures"
	"github.com/scoregate/scoregate/internal/pmmlgen"
	"github.com/scoregate/scoregate/store/storetest"
)

// jobView is what GET …/jobs/{id} answers.
type jobView struct {
	Id         string
	StatusCode string
	Progress   struct {
		RowsRead, RowsScored, RowsFailed, BytesRead, BytesTotal int64
		Percent                                                 float64
	}
	Results    map[string]struct{ BaseLocation, RelativeLocation, Url string }
	Details    *string
	Attempts   int
	ExecutedBy string
	RunId      string
	StatusUrl  string
}

// send makes a request with a body of its own content type.
func send(t *testing.T, method, url, credential, contentType string, body io.Reader) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if credential != "" {
		req.Header.Set("Authorization", "Bearer "+credential)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, b, res.Header
}

// getJob reads a job's status.
func getJob(t *testing.T, url, credential string) jobView {
	t.Helper()
	status, b, _ := send(t, "GET", url, credential, "", nil)
	if status != 200 {
		t.Fatalf("GET %s: %d %s", url, status, b)
	}
	var v jobView
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("job status %s: %v", b, err)
	}
	return v
}

// awaitJob polls a job until it has ended.
func awaitJob(t *testing.T, url, credential string, patience time.Duration) jobView {
	t.Helper()
	deadline := time.Now().Add(patience)
	for {
		v := getJob(t, url, credential)
		switch v.StatusCode {
		case "Finished", "Failed", "Cancelled":
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("job still %s after %s: %+v", v.StatusCode, patience, v.Progress)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// demoEndpoint returns the workspace token, the workspace id and the demo
// endpoint's ApiLocation and primary key.
func demoEndpoint(t *testing.T, c rawClient, dataDir string) (token, ws, api, key string) {
	t.Helper()
	tokenBytes, err := os.ReadFile(filepath.Join(dataDir, "workspace-token"))
	if err != nil {
		t.Fatal(err)
	}
	token = strings.TrimSpace(string(tokenBytes))
	var workspaces []struct{ Id string }
	if err := json.Unmarshal([]byte(c.expect("workspaces", "GET", "/workspaces", token, "", 200)), &workspaces); err != nil || len(workspaces) == 0 {
		t.Fatalf("workspaces %v (%v)", workspaces, err)
	}
	ws = workspaces[0].Id
	var ep struct{ PrimaryKey, ApiLocation string }
	body := c.expect("demo endpoint", "GET", "/workspaces/"+ws+"/webservices/iris/endpoints/default", token, "", 200)
	if err := json.Unmarshal([]byte(body), &ep); err != nil {
		t.Fatal(err)
	}
	return token, ws, ep.ApiLocation, ep.PrimaryKey
}

// irisCSV is n iris rows with an id column, and one row that cannot be
// scored when bad is set.
func irisCSV(n int, bad bool) []byte {
	lines := strings.Split(strings.TrimSpace(string(fixtures.DemoSample)), "\n")
	var b bytes.Buffer
	b.WriteString("id," + lines[0] + "\n")
	for i := range n {
		fmt.Fprintf(&b, "%d,%s\n", i, lines[1+i%(len(lines)-1)])
	}
	if bad {
		fmt.Fprintf(&b, "%d,wide,3.5,1.4,0.2\n", n)
	}
	return b.Bytes()
}

// readCSV parses a scored file.
func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v", err)
	}
	return rows
}

// checkIDs checks that the rows after the header carry ids 0..n-1 in
// order in their first column: every input row exactly once.
func checkIDs(t *testing.T, rows [][]string, n int) {
	t.Helper()
	if len(rows) != n+1 {
		t.Fatalf("output has %d rows, want %d and a header", len(rows)-1, n)
	}
	for i, r := range rows[1:] {
		if r[0] != fmt.Sprint(i) {
			t.Fatalf("output row %d has id %s", i+1, r[0])
		}
	}
}

// TestBinaryBatch is the batch API tried as a new user would, over real
// HTTP against the real binary: upload a CSV (raw and multipart), poll,
// download; the classic BES flow through a blob; the errors a user meets.
func TestBinaryBatch(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dataDir := filepath.Join(t.TempDir(), "data")
	cmd, base, stderr := startBinary(t, dataDir, "SCOREGATE_MAX_UPLOAD_BYTES=1000000")
	c := rawClient{t: t, base: base}
	token, ws, api, key := demoEndpoint(t, c, dataDir)

	// Upload: 202, the job and where to poll it.
	const n = 2000
	status, b, h := send(t, "POST", api+"/jobs?api-version=2.0", key, "text/csv", bytes.NewReader(irisCSV(n, true)))
	if status != 202 {
		t.Fatalf("upload: %d %s", status, b)
	}
	var submitted jobView
	if err := json.Unmarshal(b, &submitted); err != nil || submitted.Id == "" || h.Get("Location") != submitted.StatusUrl {
		t.Fatalf("upload answer %s, Location %q (%v)", b, h.Get("Location"), err)
	}
	v := awaitJob(t, submitted.StatusUrl, key, time.Minute)
	if v.StatusCode != "Finished" || v.Progress.RowsRead != n+1 || v.Progress.RowsFailed != 1 || v.Progress.Percent != 100 {
		t.Fatalf("job %+v", v)
	}
	out := v.Results["output1"]
	status, b, h = send(t, "GET", out.Url, key, "", nil)
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
		t.Fatalf("output: %d %s", status, h.Get("Content-Type"))
	}
	rows := readCSV(t, b)
	checkIDs(t, rows, n+1)
	header := rows[0]
	if header[len(header)-1] != "Errors" || header[5] != "Scored Labels" {
		t.Errorf("header %q", header)
	}
	if last := rows[n+1]; !strings.Contains(last[len(last)-1], "sepal_length") {
		t.Errorf("the bad row's Errors cell %q does not name its field", last[len(last)-1])
	}
	if rows[1][5] != "setosa" || rows[1][len(rows[1])-1] != "" {
		t.Errorf("first row %q", rows[1])
	}
	c.expect("metrics", "GET", "/metrics", "", "", 200, `scoregate_batch_rows_total{result="scored"} 2000`,
		`scoregate_batch_rows_total{result="failed"} 1`, `scoregate_batch_jobs_total{status="Finished"} 1`)

	// Multipart, with the workspace token, not started.
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, _ := mw.CreateFormFile("file", "iris.csv")
	fw.Write(irisCSV(10, false))
	mw.Close()
	status, b, _ = send(t, "POST", api+"/jobs?start=false", token, mw.FormDataContentType(), &form)
	if status != 202 {
		t.Fatalf("multipart upload: %d %s", status, b)
	}
	json.Unmarshal(b, &submitted)
	if v := getJob(t, submitted.StatusUrl, token); v.StatusCode != "NotStarted" {
		t.Fatalf("?start=false: %s", v.StatusCode)
	}
	c.expect("start", "POST", submitted.StatusUrl+"/start", key, "", 204)
	if v := awaitJob(t, submitted.StatusUrl, key, time.Minute); v.StatusCode != "Finished" || !strings.HasSuffix(v.Results["output1"].RelativeLocation, "/iris.scored.csv") {
		t.Fatalf("multipart job %+v", v)
	}
	c.expect("start again", "POST", submitted.StatusUrl+"/start", key, "", 400, `"CannotStartJob"`)

	// The classic flow: upload a blob, submit with its RelativeLocation,
	// start, poll, read the Results.
	status, b, _ = send(t, "POST", base+"/workspaces/"+ws+"/blobs?name=input.csv", token, "text/csv", bytes.NewReader(irisCSV(100, false)))
	if status != 201 {
		t.Fatalf("blob upload: %d %s", status, b)
	}
	var loc struct{ RelativeLocation string }
	json.Unmarshal(b, &loc)
	b2 := c.expect("BES submit", "POST", api+"/jobs?api-version=2.0", key,
		`{"Inputs":{"input1":{"ConnectionString":"","RelativeLocation":"`+loc.RelativeLocation+`"}},"Outputs":{"output1":{"RelativeLocation":"results/scored.csv"}},"GlobalParameters":{}}`, 200)
	var id string
	if err := json.Unmarshal([]byte(b2), &id); err != nil || len(id) != 32 {
		t.Fatalf("BES submit answered %s, want a job id string", b2)
	}
	if v := getJob(t, api+"/jobs/"+id, key); v.StatusCode != "NotStarted" {
		t.Fatalf("BES job before start: %s", v.StatusCode)
	}
	c.expect("BES start", "POST", api+"/jobs/"+id+"/start?api-version=2.0", key, "", 204)
	v = awaitJob(t, api+"/jobs/"+id+"?api-version=2.0", key, time.Minute)
	res := v.Results["output1"]
	if v.StatusCode != "Finished" || res.RelativeLocation != "results/scored.csv" {
		t.Fatalf("BES job %+v", v)
	}
	status, b, _ = send(t, "GET", res.BaseLocation+res.RelativeLocation, token, "", nil)
	if status != 200 {
		t.Fatalf("download BaseLocation+RelativeLocation: %d %s", status, b)
	}
	checkIDs(t, readCSV(t, b), 100)

	// The list, newest first.
	var list []jobView
	json.Unmarshal([]byte(c.expect("list", "GET", api+"/jobs", key, "", 200)), &list)
	if len(list) != 3 || list[0].Id != id {
		t.Errorf("list has %d jobs, first %v", len(list), list)
	}

	// What a user gets wrong.
	c.expect("wrong key", "GET", api+"/jobs/"+id, "not-the-key", "", 401, `"ScoreRequestUnauthorized"`)
	c.expect("no such job", "GET", api+"/jobs/"+strings.Repeat("0", 32), key, "", 404, `"JobNotFound"`)
	c.expect("missing blob", "POST", api+"/jobs", key, `{"Inputs":{"input1":{"RelativeLocation":"uploads/nothing.csv"}}}`, 400, `"BlobNotFound"`, "uploads/nothing.csv")
	c.expect("no input", "POST", api+"/jobs", key, `{"Inputs":{}}`, 400, `Inputs.input1.RelativeLocation`)
	// Over the limit: refused from its Content-Length, before the body is
	// read (as curl sees it; Go's client reports the reset of the body it
	// is still sending instead of the answer).
	if status, b := declareUpload(t, api+"/jobs", key, 100<<20); status != 413 || !strings.Contains(b, `"RequestEntityTooLarge"`) {
		t.Errorf("upload over the limit: %d %s", status, b)
	}
	status, b, _ = send(t, "POST", api+"/jobs", key, "image/png", strings.NewReader("x"))
	if status != 415 {
		t.Errorf("an image: %d %s", status, b)
	}
	status, b, h = send(t, "POST", api+"/jobs", key, "text/csv", strings.NewReader("sepal_length\n1\n"))
	if status != 202 {
		t.Fatalf("upload: %d %s", status, b)
	}
	v = awaitJob(t, h.Get("Location"), key, time.Minute)
	if v.StatusCode != "Failed" || v.Details == nil || !strings.Contains(*v.Details, "petal_width") {
		t.Errorf("missing columns: %+v", v)
	}
	c.expect("output of a failed job", "GET", h.Get("Location")+"/output", key, "", 409, `"JobNotFinished"`)

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, stderr.String())
	}
	for _, secret := range []string{token, key} {
		if strings.Contains(stderr.String(), secret) {
			t.Error("a key or token reached the log")
		}
	}
}

// declareUpload sends the head of an upload of size bytes and a first
// part of its body, and returns the answer.
func declareUpload(t *testing.T, url, key string, size int) (int, string) {
	t.Helper()
	u, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: text/csv\r\nContent-Length: %d\r\n\r\n", u.Path, u.Host, key, size)
	conn.Write(irisCSV(1000, false)) // more than the 8 KiB the server reads ahead
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to an upload of %d bytes: %v", size, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// forestCSV is n rows of random inputs for pmmlgen.Forest(…, 12 features),
// with an id column first.
func forestCSV(n int) []byte {
	r := rand.New(rand.NewPCG(7, 8))
	var b bytes.Buffer
	b.WriteString("id")
	for f := range 12 {
		fmt.Fprintf(&b, ",x%d", f)
	}
	b.WriteByte('\n')
	for i := range n {
		fmt.Fprintf(&b, "%d", i)
		for range 12 {
			fmt.Fprintf(&b, ",%.4f", r.Float64())
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// publishForest publishes a 200-tree forest as web service "forest" and
// returns its default endpoint's ApiLocation and key.
func publishForest(t *testing.T, c rawClient, token, ws string) (api, key string) {
	t.Helper()
	status, b, _ := send(t, "PUT", c.base+"/workspaces/"+ws+"/webservices/forest", token, "application/xml", bytes.NewReader(pmmlgen.Forest(200, 8, 12, 2)))
	if status != 201 {
		t.Fatalf("publish forest: %d %s", status, b)
	}
	var ep struct{ PrimaryKey, ApiLocation string }
	json.Unmarshal([]byte(c.expect("forest endpoint", "GET", "/workspaces/"+ws+"/webservices/forest/endpoints/default", token, "", 200)), &ep)
	return ep.ApiLocation, ep.PrimaryKey
}

// TestBinaryJobSurvivesKill kills the gateway with SIGKILL while a job
// runs, starts it again on the same data, and checks that the job
// finishes with every input row exactly once in its output; and that a
// cancel stops a running job and leaves no output.
func TestBinaryJobSurvivesKill(t *testing.T) {
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

	const n = 150_000
	status, b, h := send(t, "POST", api+"/jobs", key, "text/csv", bytes.NewReader(forestCSV(n)))
	if status != 202 {
		t.Fatalf("upload: %d %s", status, b)
	}
	job := h.Get("Location")
	deadline := time.Now().Add(time.Minute)
	for getJob(t, job, key).Progress.RowsRead == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the job never started")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	base = finishAfterRestart(t, dataDir, env, job, key)

	// A cancel stops a running job: 204, Cancelled, no output.
	status, b, h = send(t, "POST", base+api[strings.Index(api, "/workspaces/"):]+"/jobs", key, "text/csv", bytes.NewReader(forestCSV(n)))
	if status != 202 {
		t.Fatalf("upload: %d %s", status, b)
	}
	job = h.Get("Location")
	for getJob(t, job, key).Progress.RowsRead == 0 {
		time.Sleep(20 * time.Millisecond)
	}
	if status, b, _ = send(t, "DELETE", job, key, "", nil); status != 204 {
		t.Fatalf("cancel: %d %s", status, b)
	}
	if v := awaitJob(t, job, key, time.Minute); v.StatusCode != "Cancelled" || v.Progress.RowsRead >= n {
		t.Fatalf("after the cancel: %+v", v)
	}
	if status, _, _ = send(t, "GET", job+"/output", key, "", nil); status != 409 {
		t.Errorf("output of a cancelled job: %d, want 409", status)
	}
}

// finishAfterRestart restarts the binary on dataDir (on a new port: the
// job's URL is rewritten to it), waits for the job to end, checks that it
// finished after more than one attempt with every row once in its output,
// and returns the new base URL.
func finishAfterRestart(t *testing.T, dataDir string, env []string, job, key string) string {
	t.Helper()
	_, base, _ := startBinary(t, dataDir, env...)
	path := job[strings.Index(job, "/workspaces/"):]
	v := awaitJob(t, base+path, key, 2*time.Minute)
	if v.StatusCode != "Finished" || v.Attempts < 2 {
		t.Fatalf("after the restart: %+v", v)
	}
	status, b, _ := send(t, "GET", base+path+"/output", key, "", nil)
	if status != 200 {
		t.Fatalf("output: %d", status)
	}
	checkIDs(t, readCSV(t, b), int(v.Progress.RowsRead))
	return base
}

// startReplicas starts two gateway processes on one Postgres database and
// one blob folder, and returns the first one's data folder (with the
// workspace token) and both base URLs.
func startReplicas(t *testing.T) (dataDir, base1, base2 string) {
	t.Helper()
	dbURL := storetest.PostgresURL(t)
	shared := t.TempDir()
	env := []string{
		"SCOREGATE_DATABASE_URL=" + dbURL,
		"SCOREGATE_BLOB_URL=file://" + filepath.Join(shared, "blobs"),
		"SCOREGATE_SECRET=" + strings.Repeat("s", 40),
		"SCOREGATE_MIGRATE=true",
	}
	dataDir = filepath.Join(shared, "one")
	_, base1, _ = startBinary(t, dataDir, env...)
	_, base2, _ = startBinary(t, filepath.Join(shared, "two"), append(env, "SCOREGATE_BOOTSTRAP=false")...)
	return dataDir, base1, base2
}

// TestScaleOut runs two gateway processes on one Postgres and one blob
// folder, submits 20 jobs through the first, and checks that each was
// executed exactly once, by both processes between them, with complete
// outputs.
func TestScaleOut(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dataDir, base1, base2 := startReplicas(t)
	c := rawClient{t: t, base: base1}
	token, ws, _, _ := demoEndpoint(t, c, dataDir)
	api, key := publishForest(t, c, token, ws)

	const jobs, n = 20, 5000
	urls := make([]string, jobs)
	for i := range urls {
		status, b, h := send(t, "POST", api+"/jobs", key, "text/csv", bytes.NewReader(forestCSV(n)))
		if status != 202 {
			t.Fatalf("upload %d: %d %s", i, status, b)
		}
		urls[i] = h.Get("Location")
	}
	replicas := map[string]int{}
	for _, u := range urls {
		v := awaitJob(t, u, key, 2*time.Minute)
		if v.StatusCode != "Finished" || v.Attempts != 1 || v.Progress.RowsRead != n {
			t.Errorf("job %s: %+v", v.Id, v)
			continue
		}
		// Both replicas serve every job's output.
		for _, base := range []string{base1, base2} {
			status, b, _ := send(t, "GET", base+u[strings.Index(u, "/workspaces/"):]+"/output", key, "", nil)
			if status != 200 {
				t.Fatalf("output from %s: %d", base, status)
			}
			checkIDs(t, readCSV(t, b), n)
		}
		replicas[v.ExecutedBy]++
	}
	t.Logf("jobs per replica: %v", replicas)
	if len(replicas) != 2 {
		t.Errorf("the jobs ran on %v; want both replicas", replicas)
	}
}
