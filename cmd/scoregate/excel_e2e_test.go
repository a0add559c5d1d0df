package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scoregate/scoregate/internal/lotest"
	"github.com/scoregate/scoregate/workbook"
)

// TestBinaryExcel is the Excel path tried as an analyst would, against the
// real binary and a real spreadsheet program: download the demo endpoint's
// workbook (sample rows, live formulas on), open it in LibreOffice, let
// LibreOffice compute the predictions through WEBSERVICE calls to the
// gateway, and upload the workbook for a round trip that LibreOffice reads
// back with the predictions filled in.
func TestBinaryExcel(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary and starts LibreOffice")
	}
	lotest.Soffice(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	_, base, stderr := startBinary(t, dataDir)
	c := rawClient{t: t, base: base}
	token, ws, api, key := demoEndpoint(t, c, dataDir)
	endpoint := "/workspaces/" + ws + "/webservices/iris/endpoints/default"
	c.expect("sample data and live formulas on", "PATCH", endpoint, token, `{"SampleDataEnabled":true,"LiveWorkbookEnabled":true}`, 200,
		`"LiveWorkbookEnabled":true`)
	// The setting reaches the serving side within a poll interval.
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, _, _ := c.call("GET", api+"/predict?api-key="+key+"&sepal_length=5.1&sepal_width=3.5&petal_length=1.4&petal_width=0.2", "", "")
		if status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the predict route still answers %d", status)
		}
		time.Sleep(100 * time.Millisecond)
	}

	status, book, h := send(t, "GET", base+endpoint+"/workbook", token, "", nil)
	if status != 200 || !strings.Contains(h.Get("Content-Disposition"), "iris-default.xlsx") {
		t.Fatalf("workbook: %d %q", status, h.Get("Content-Disposition"))
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "iris-default.xlsx")
	if err := os.WriteFile(file, book, 0o644); err != nil {
		t.Fatal(err)
	}

	// Opened as a user opens it: the banner, the header, the sample rows.
	rows := lotest.ConvertCSV(t, file)
	if len(rows) < 7 || rows[0][0] != "PARAMETERS" || rows[1][0] != "sepal_length" || rows[1][4] != "Scored Labels" ||
		rows[1][len(rows[1])-1] != "Errors" || rows[2][0] == "" {
		t.Fatalf("LibreOffice reads the Score sheet as %q", rows)
	}

	// Live: LibreOffice computes every predicted cell through the gateway.
	live := lotest.Recalc(t, file, "Score")
	species := []string{"setosa", "versicolor", "virginica"}
	for _, r := range live[2:7] {
		if !slices.Contains(species, r[4]) {
			t.Errorf("live row %q: Scored Labels %q, want a species", r, r[4])
		}
		if r[5] == "" || strings.HasPrefix(r[5], "#") || strings.HasPrefix(r[5], "Err") {
			t.Errorf("live row %q: a probability %q", r, r[5])
		}
	}

	// Round trip: the same workbook back with the predictions as values.
	status, scored, _ := send(t, "POST", api+"/workbook", key, mimeXLSXForTest, bytes.NewReader(book))
	if status != 200 {
		t.Fatalf("round trip: %d %s", status, scored)
	}
	out := filepath.Join(dir, "scored.xlsx")
	if err := os.WriteFile(out, scored, 0o644); err != nil {
		t.Fatal(err)
	}
	rows = lotest.ConvertCSV(t, out)
	for _, r := range rows[2:7] {
		if !slices.Contains(species, r[4]) || r[len(r)-1] != "" {
			t.Errorf("round-tripped row %q", r)
		}
	}
	if strings.Contains(stderr.String(), key) {
		t.Error("the key reached the log")
	}
}

const mimeXLSXForTest = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// TestBinaryWorkbookAsJob sends a workbook with more rows than a round trip
// takes: it becomes a batch job, whose XLSX output has every row scored.
func TestBinaryWorkbookAsJob(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dataDir := filepath.Join(t.TempDir(), "data")
	_, base, _ := startBinary(t, dataDir, "SCOREGATE_MAX_WORKBOOK_ROWS=3")
	c := rawClient{t: t, base: base}
	token, ws, api, key := demoEndpoint(t, c, dataDir)
	endpoint := "/workspaces/" + ws + "/webservices/iris/endpoints/default"
	c.expect("sample data on", "PATCH", endpoint, token, `{"SampleDataEnabled":true}`, 200)
	status, book, _ := send(t, "GET", base+endpoint+"/workbook", token, "", nil)
	if status != 200 {
		t.Fatalf("workbook: %d", status)
	}
	status, b, h := send(t, "POST", api+"/workbook", key, mimeXLSXForTest, bytes.NewReader(book))
	if status != 202 || h.Get("Location") == "" {
		t.Fatalf("a workbook over the row limit: %d %s", status, b)
	}
	v := awaitJob(t, h.Get("Location"), key, time.Minute)
	if v.StatusCode != "Finished" || v.Progress.RowsScored != 5 {
		t.Fatalf("job %+v (%v)", v, v.Details)
	}
	status, out, _ := send(t, "GET", v.Results["output1"].Url, key, "", nil)
	if status != 200 {
		t.Fatalf("output: %d", status)
	}
	rows := xlsxRows(t, out)
	if len(rows) != 6 || rows[0][4] != "Scored Labels" || strings.Count(strings.Join(rows[0], "|"), "Errors") != 1 {
		t.Fatalf("output %q", rows)
	}
	for _, r := range rows[1:] {
		if r[4] == "" {
			t.Errorf("row %q not scored", r)
		}
	}
}

// xlsxRows reads the first sheet of an XLSX file as text.
func xlsxRows(t *testing.T, data []byte) [][]string {
	t.Helper()
	rows, err := workbook.Texts(bytes.NewReader(data), int64(len(data)), "")
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
