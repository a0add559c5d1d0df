package workbook

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/scoregate/scoregate"
	"github.com/xuri/excelize/v2"
)

// FuzzRoundTrip feeds RoundTrip damaged workbooks: it must answer with a
// *scoregate.Error or a workbook, never panic.
func FuzzRoundTrip(f *testing.F) {
	ours := rtOurs(f, []any{5.1, 3.5, 1.4, 0.2}, []any{5.1, "wide", 1.4, 0.2})
	f.Add(rtBytes(f, ours))
	f.Add(rtBytes(f, rtForeign(f)))
	plain := excelize.NewFile()
	must(f, plain.SetSheetRow("Sheet1", "A1", &rtInputs))
	must(f, plain.SetSheetRow("Sheet1", "A2", &[]any{5.1, 3.5, 1.4, 0.2}))
	f.Add(rtBytes(f, plain))
	plain.Close()
	model := rtScorer(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := RoundTrip(context.Background(), bytes.NewReader(data), io.Discard, model, RoundTripOptions{MaxRows: 100})
		var e *scoregate.Error
		if err != nil && !errors.As(err, &e) {
			t.Fatalf("err = %v (%T), want a *scoregate.Error", err, err)
		}
	})
}
