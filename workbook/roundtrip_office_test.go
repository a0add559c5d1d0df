package workbook

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/scoregate/scoregate/internal/lotest"
)

// TestRoundTripLibreOffice has LibreOffice open a round-tripped workbook
// whose table grew (columns added and rows taken in, by editing the table
// part) and save it again: the table must come back with its new range
// and columns, and the predictions must be there.
func TestRoundTripLibreOffice(t *testing.T) {
	t.Parallel()
	soffice := lotest.Soffice(t)
	f := excelize.NewFile()
	t.Cleanup(func() { f.Close() })
	must(t, f.SetSheetRow("Sheet1", "A1", &rtInputs))
	must(t, f.SetSheetRow("Sheet1", "A2", &[]any{5.1, 3.5, 1.4, 0.2}))
	must(t, f.AddTable("Sheet1", &excelize.Table{Range: "A1:D2", Name: "ScoreTable", StyleName: "TableStyleMedium2"}))
	must(t, f.SetSheetRow("Sheet1", "A3", &[]any{6.3, 3.3, 6.0, 2.5}))
	_, out := roundTrip(t, rtBytes(t, f), RoundTripOptions{})

	dir := t.TempDir()
	in := filepath.Join(dir, "scored.xlsx")
	must(t, os.WriteFile(in, rtBytes(t, out), 0o644))
	outDir := filepath.Join(dir, "out")
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", outDir, in)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	// soffice exits 0 even when it could not load the file.
	back, err := excelize.OpenFile(filepath.Join(outDir, "scored.xlsx"))
	if err != nil {
		t.Fatalf("LibreOffice wrote no workbook: %v", err)
	}
	t.Cleanup(func() { back.Close() })
	tables, err := back.GetTables("Sheet1")
	must(t, err)
	if len(tables) != 1 || tables[0].Range != "A1:I3" {
		t.Errorf("tables after LibreOffice = %+v, want one on A1:I3", tables)
	}
	rows, err := back.GetRows("Sheet1")
	must(t, err)
	if len(rows) != 3 || len(rows[0]) != 9 || rows[0][8] != "Errors" || rows[1][4] != "setosa" || rows[2][4] != "virginica" {
		t.Errorf("rows after LibreOffice = %q", rows)
	}
	for _, r := range rows {
		if strings.Contains(strings.Join(r, ""), "Err:") {
			t.Errorf("error value in %q", r)
		}
	}
}
