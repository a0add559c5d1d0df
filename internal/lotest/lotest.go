// Package lotest has LibreOffice open the workbooks scoregate writes, for
// tests: convert a file to CSV the way a user's spreadsheet program reads
// it, or load it over UNO and let it recalculate every formula (WEBSERVICE
// included) before reading a sheet back.
//
// LibreOffice is an external program (Debian's libreoffice-calc and
// python3-uno). Without it the tests skip, unless
// SCOREGATE_REQUIRE_LIBREOFFICE=1 (as in CI), which makes them fail.
package lotest

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

//go:embed recalc.py
var recalcScript []byte

// Soffice returns the path of LibreOffice's soffice, or skips (or fails,
// when it is required) the test.
func Soffice(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("SCOREGATE_REQUIRE_LIBREOFFICE") == "1" {
			t.Fatal("SCOREGATE_REQUIRE_LIBREOFFICE=1 and soffice is not installed")
		}
		t.Skip("LibreOffice (soffice) is not installed")
	}
	if testing.Short() {
		t.Skip("-short: LibreOffice takes seconds to start")
	}
	return p
}

// Recalc loads file in LibreOffice over UNO with a fresh profile that
// recalculates on load and trusts the file's folder, recalculates every
// formula, and returns the used area of sheet as text, row by row, as
// LibreOffice shows it. It needs python3-uno (Debian's /usr/bin/python3).
func Recalc(t testing.TB, file, sheet string) [][]string {
	t.Helper()
	Soffice(t)
	python := "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		t.Skip("no /usr/bin/python3 for python3-uno")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "recalc.py")
	if err := os.WriteFile(script, recalcScript, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(python, script, filepath.Join(dir, "profile"), file, sheet)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if strings.Contains(stderr.String(), "No module named 'uno'") && os.Getenv("SCOREGATE_REQUIRE_LIBREOFFICE") != "1" {
			t.Skip("python3-uno is not installed")
		}
		t.Fatalf("recalc.py: %v\n%s", err, stderr.String())
	}
	rows, err := csv.NewReader(&stdout).ReadAll()
	if err != nil {
		t.Fatalf("recalc.py output: %v\n%s", err, stdout.String())
	}
	return rows
}

// ConvertCSV has LibreOffice convert the first sheet of file to CSV (UTF-8,
// comma-separated) and returns its rows.
func ConvertCSV(t testing.TB, file string) [][]string {
	t.Helper()
	soffice := Soffice(t)
	dir := t.TempDir()
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless",
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", dir, file)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	// soffice exits 0 even when it could not load the file.
	name := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)) + ".csv"
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatalf("LibreOffice wrote no CSV for %s: %v", file, err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("LibreOffice's CSV: %v", err)
	}
	return rows
}
