package workbook

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scoregate/scoregate/internal/lotest"
)

// TestWriterLibreOffice has LibreOffice convert a written file to CSV: it
// must open it and see every row (it trusts <dimension> no more than
// Excel does, but must not choke on it) and every value.
func TestWriterLibreOffice(t *testing.T) {
	t.Parallel()
	soffice := lotest.Soffice(t)
	dir := t.TempDir()
	rows := [][]Cell{
		{num(1), str("a, \"quoted\" <b>"), date(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)), boolean(true)},
		{num(-0.125), str("_x0041_"), {}, boolean(false)},
	}
	for i := range 500 {
		rows = append(rows, []Cell{num(float64(i)), str("row")})
	}
	data := writeBook(t, WriterOptions{Sheet: "Data"}, []string{"n", "text", "day", "flag"}, rows...)
	in := filepath.Join(dir, "book.xlsx")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false", "--outdir", dir, in)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	csv, err := os.ReadFile(filepath.Join(dir, "book.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(csv), "\n"), "\n")
	want := []string{
		"n,text,day,flag",
		`1,"a, ""quoted"" <b>",2024-02-29,TRUE`,
		"-0.125,_x0041_,,FALSE",
		"0,row,,",
	}
	if len(lines) != 503 {
		t.Fatalf("%d lines, want 503:\n%s", len(lines), short(string(csv)))
	}
	for i, w := range want {
		got := lines[i]
		if i == 1 {
			// The date shows in the locale's short form; check it is one.
			if !strings.HasPrefix(got, `1,"a, ""quoted"" <b>",`) || !strings.HasSuffix(got, ",TRUE") || !strings.Contains(got, "29") {
				t.Errorf("line %d: %q, want like %q", i+1, got, w)
			}
			continue
		}
		if got != w {
			t.Errorf("line %d: %q, want %q", i+1, got, w)
		}
	}
	if got := lines[502]; got != "499,row,," {
		t.Errorf("last line %q", got)
	}
}
