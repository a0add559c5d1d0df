package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// rawClient calls the binary over real HTTP with raw JSON bodies.
type rawClient struct {
	t    *testing.T
	base string
}

// call sends a request and returns the status and body; credential is
// sent as Bearer unless empty.
func (c rawClient) call(method, url, credential, body string) (int, string, http.Header) {
	c.t.Helper()
	if strings.HasPrefix(url, "/") {
		url = c.base + url
	}
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if credential != "" {
		req.Header.Set("Authorization", "Bearer "+credential)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return res.StatusCode, string(b), res.Header
}

// expect calls and checks the status and that the body holds every want.
func (c rawClient) expect(name, method, url, credential, body string, status int, want ...string) string {
	c.t.Helper()
	got, b, _ := c.call(method, url, credential, body)
	if got != status {
		c.t.Fatalf("%s: %s %s: status %d, want %d\n%s", name, method, url, got, status, b)
	}
	for _, w := range want {
		if !strings.Contains(b, w) {
			c.t.Errorf("%s: body lacks %s\n%s", name, w, b)
		}
	}
	return b
}

// TestBinaryScoring is the scoring API tried as a new user would: start the
// binary, take the demo endpoint's key from the management API, score in
// both formats, meet the typed errors, and find the call in the logs, the
// usage and the metrics, all over real HTTP.
func TestBinaryScoring(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dataDir := filepath.Join(t.TempDir(), "data")
	cmd, base, stderr := startBinary(t, dataDir)
	c := rawClient{t: t, base: base}
	tokenBytes, err := os.ReadFile(filepath.Join(dataDir, "workspace-token"))
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(string(tokenBytes))

	var workspaces []struct{ Id string }
	if err := json.Unmarshal([]byte(c.expect("workspaces", "GET", "/workspaces", token, "", 200)), &workspaces); err != nil || len(workspaces) != 1 {
		t.Fatalf("workspaces %v (%v)", workspaces, err)
	}
	endpoint := "/workspaces/" + workspaces[0].Id + "/webservices/iris/endpoints/default"
	var ep struct{ PrimaryKey, SecondaryKey, ApiLocation, HelpLocation string }
	if err := json.Unmarshal([]byte(c.expect("demo endpoint", "GET", endpoint, token, "", 200)), &ep); err != nil {
		t.Fatal(err)
	}
	execute := ep.ApiLocation + "/execute?api-version=2.0&details=true"
	row := `"sepal_length","sepal_width","petal_length","petal_width"],"Values":[["5.1","3.5","1.4","0.2"]]}},"GlobalParameters":{}}`
	tableBody := `{"Inputs":{"input1":{"ColumnNames":[` + row

	c.expect("table format", "POST", execute, ep.PrimaryKey, tableBody, 200,
		`"ColumnNames":["Scored Labels",`, `"Values":[["setosa","1","0","0"]]`)
	c.expect("records format", "POST", ep.ApiLocation+"/execute?api-version=2.0&format=swagger", ep.SecondaryKey,
		`{"Inputs":{"input1":[{"sepal_length":5.1,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}]},"GlobalParameters":{}}`, 200,
		`{"Results":{"output1":[{"Scored Labels":"setosa","Scored Probabilities for Class \"setosa\"":1,`)
	c.expect("a bad cell", "POST", execute, ep.PrimaryKey, strings.Replace(tableBody, `"3.5"`, `"wide"`, 1), 400,
		`"code":"BadUserArgument"`, `"code":"InputParseError"`, `row 1, column \"sepal_width\"`)
	c.expect("a wrong key", "POST", execute, "not-the-key", tableBody, 401, `"ScoreRequestUnauthorized"`)

	// Logging All records the next calls.
	c.expect("logging All", "PATCH", endpoint, token, `{"DiagnosticsTraceLevel":"All"}`, 200, `"DiagnosticsTraceLevel":"All"`)
	deadline := time.Now().Add(5 * time.Second)
	for {
		// The change reaches the serving side within a poll interval.
		c.expect("a logged call", "POST", execute, ep.PrimaryKey, tableBody, 200)
		_, logs, _ := c.call("GET", endpoint+"/logs", token, "")
		if strings.Contains(logs, `"Status":200`) && strings.Contains(logs, "sepal_length") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no recorded call in the logs: %s", logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.expect("usage", "GET", endpoint+"/usage", token, "", 200, `"Calls":`, `"Errors":`)
	c.expect("metrics", "GET", "/metrics", "", "", 200, `scoregate_requests_total{`)
	c.expect("help page", "GET", ep.HelpLocation, "", "", 200, ep.ApiLocation, "YOUR_API_KEY")
	c.expect("swagger", "GET", ep.ApiLocation+"/swagger.json", "", "", 200, `"swagger":"2.0"`)

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
	for _, secret := range []string{token, ep.PrimaryKey, ep.SecondaryKey} {
		if strings.Contains(stderr.String(), secret) {
			t.Error("a key or token reached the log")
		}
	}
}
