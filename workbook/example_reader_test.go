package workbook_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/scoregate/scoregate/workbook"
	"github.com/xuri/excelize/v2"
)

func ExampleReader() {
	// A workbook as an analyst might upload it.
	path := filepath.Join(os.TempDir(), "workbook-example.xlsx")
	defer os.Remove(path)
	x := excelize.NewFile()
	_ = x.SetSheetRow("Sheet1", "A1", &[]any{"age", "income", "member"})
	_ = x.SetSheetRow("Sheet1", "A2", &[]any{42, 51000.5, true})
	_ = x.SetSheetRow("Sheet1", "A4", &[]any{37, nil, false})
	if err := x.SaveAs(path); err != nil {
		log.Fatal(err)
	}
	x.Close()

	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		log.Fatal(err)
	}
	rd, err := workbook.OpenReader(f, st.Size(), workbook.ReaderOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer rd.Close()
	for rd.Next() {
		fmt.Print(rd.RowNumber(), ":")
		for _, c := range rd.Row() {
			fmt.Printf(" %v(%s)", c.Kind, c.Text())
		}
		fmt.Println()
	}
	if err := rd.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 1: String(age) String(income) String(member)
	// 2: Number(42) Number(51000.5) Bool(1)
	// 4: Number(37) Empty() Bool(0)
}
