package workbook

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scoregate/scoregate/internal/lotest"
)

// TestGenerateLibreOffice has LibreOffice open two generated workbooks, one
// with live formulas, and write their Score sheets as CSV (one start of
// soffice for both): it must load them and show the banners, the header
// and the sample rows.
func TestGenerateLibreOffice(t *testing.T) {
	t.Parallel()
	soffice := lotest.Soffice(t)
	dir := t.TempDir()
	plain, live := genSpec(), genSpec()
	live.Live = true
	var inputs []string
	for name, s := range map[string]Spec{"plain": plain, "live": live} {
		in := filepath.Join(dir, name+".xlsx")
		if err := os.WriteFile(in, genBook(t, s), 0o644); err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, in)
	}
	args := append([]string{"-env:UserInstallation=file://" + filepath.Join(dir, "profile"), "--headless",
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false", "--outdir", dir}, inputs...)
	if out, err := exec.Command(soffice, args...).CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	for _, name := range []string{"plain", "live"} {
		// soffice exits 0 when it could not load a file: the CSV is the proof.
		csv, err := os.ReadFile(filepath.Join(dir, name+".csv"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		lines := strings.Split(strings.TrimRight(string(csv), "\n"), "\n")
		want := []string{
			"PARAMETERS,,,,,,,,PREDICTED VALUES,,",
			`age,sex,children,region,visit,income,smoker,grade,Scored Labels,"Scored Probabilities for Class ""yes""",Errors`,
			"42.5,F,2,region number 07,2024-01-31,1200,TRUE,2",
			"30,M,0,region number 39,not a date,,FALSE,3",
		}
		if len(lines) != len(want) {
			t.Fatalf("%s: %d lines, want %d:\n%s", name, len(lines), len(want), csv)
		}
		for i, w := range want {
			got := lines[i]
			if i >= 2 {
				got = strings.Join(strings.Split(got, ",")[:8], ",")
			}
			if got != w {
				t.Errorf("%s line %d: %q, want %q", name, i+1, got, w)
			}
		}
		for i, l := range lines[2:] {
			predicted := strings.Split(l, ",")[8:]
			if name == "plain" {
				if strings.Join(predicted, ",") != ",," {
					t.Errorf("plain line %d: %q, want empty predicted cells", i+3, l)
				}
				continue
			}
			// Plain --convert-to refuses WEBSERVICE (Err:540, external
			// content), but only after the rest of the formula was
			// computed: #NAME? would be a function stored without _xlfn.,
			// #VALUE! a URL that could not be built.
			for j, v := range predicted[:2] {
				if v == "" || v == "#NAME?" || v == "#VALUE!" {
					t.Errorf("live line %d: predicted cell %d is %q", i+3, j+1, v)
				}
			}
			if predicted[2] != "" {
				t.Errorf("live line %d: Errors is %q, want empty", i+3, predicted[2])
			}
		}
	}
}
