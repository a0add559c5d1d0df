package workbook

import (
	"fmt"
	"strings"
	"testing"

	"github.com/scoregate/scoregate"
)

func TestGenerateConnection(t *testing.T) {
	t.Parallel()
	s := genSpec()
	f := genOpen(t, s)
	rows, err := f.GetRows(SheetConnection)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rows {
		if len(r) == 2 {
			got[r[0]] = r[1]
		}
	}
	loc := s.APILocation
	want := map[string]string{
		LabelAPILocation: loc,
		LabelExecuteURL:  loc + "/execute?api-version=2.0",
		LabelBatchURL:    loc + "/jobs?api-version=2.0",
		LabelWorkbookURL: loc + "/workbook",
		LabelKey:         s.Key,
		LabelAPIVersion:  "2.0",
		LabelService:     "Credit risk",
		LabelEndpoint:    "default",
		LabelModel:       "3",
		LabelGeneratedAt: "2026-11-30T05:15:00Z",
		LabelLive:        "disabled",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
	names := map[string]string{}
	for _, dn := range f.GetDefinedName() {
		if dn.Scope != "Workbook" {
			t.Errorf("defined name %s has scope %q, want the workbook", dn.Name, dn.Scope)
		}
		names[dn.Name] = dn.RefersTo
	}
	for name, wantValue := range map[string]string{NameURL: loc, NameKey: s.Key} {
		ref, ok := names[name]
		if !ok {
			t.Errorf("no defined name %s", name)
			continue
		}
		sheet, cell, _ := strings.Cut(ref, "!")
		if v := genValue(t, f, sheet, strings.ReplaceAll(cell, "$", "")); v != wantValue {
			t.Errorf("%s -> %s = %q, want %q", name, ref, v, wantValue)
		}
	}
	if note := genValue(t, f, SheetConnection, "A14"); !strings.Contains(note, "cells B2 and B6") || !strings.HasSuffix(note, "paste the new one in B6.") {
		t.Errorf("note %q", note)
	}
	props, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	if props.Created != "2026-11-30T05:15:00Z" || props.Modified != props.Created {
		t.Errorf("doc props created %q modified %q", props.Created, props.Modified)
	}
}

func TestGenerateHowTo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		live     bool
		inputs   int
		want     []string
		wantNone []string
	}{
		{"disabled", false, 0, []string{"Not enabled in this workbook", "Excel for Mac"}, []string{"Enabled in this workbook"}},
		{"enabled", true, 0, []string{"Enabled in this workbook", "Excel for Windows and in LibreOffice Calc"}, []string{"Not enabled"}},
		{"too wide", true, 400, []string{"too many inputs"}, []string{"Enabled in this workbook"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := genSpec()
			s.Live = tt.live
			for i := range tt.inputs {
				s.Inputs = append(s.Inputs, scoregate.Field{Name: fmt.Sprintf("a rather long input name %03d", i), DataType: scoregate.TypeDouble})
			}
			f := genOpen(t, s)
			rows, err := f.GetRows(SheetHowTo)
			if err != nil {
				t.Fatal(err)
			}
			var text []string
			for _, r := range rows {
				text = append(text, strings.Join(r, " "))
			}
			all := strings.Join(text, "\n")
			curl := `curl -H "Authorization: Bearer k3y+/=0123" -F file=@Credit_risk-default.xlsx ` +
				`http://gw.example/workspaces/ws1/services/svc1/workbook -o scored.xlsx`
			for _, w := range append(tt.want, curl, "202 Accepted", "100,000 rows") {
				if !strings.Contains(all, w) {
					t.Errorf("How to score lacks %q:\n%s", w, all)
				}
			}
			for _, w := range tt.wantNone {
				if strings.Contains(all, w) {
					t.Errorf("How to score has %q", w)
				}
			}
			fm, _ := f.GetCellFormula(SheetScore, cellRef(len(s.Inputs), 3))
			if hasFormula := fm != ""; hasFormula != (tt.name == "enabled") {
				t.Errorf("predicted cell formula %q", fm)
			}
		})
	}
}

func TestGenerateLive(t *testing.T) {
	t.Parallel()
	s := genSpec()
	s.Live = true
	f := genOpen(t, s)
	for _, row := range []string{"3", "4"} {
		for _, col := range []string{"I", "J"} {
			fm, err := f.GetCellFormula(SheetScore, col+row)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range []string{
				`IF(COUNTA(A` + row + `:H` + row + `)=0,"",_xlfn.WEBSERVICE(ScoregateUrl&"/predict?api-key="&_xlfn.ENCODEURL(ScoregateKey)&`,
				`&age="&IF(A` + row + `="","",_xlfn.ENCODEURL(A` + row + `))`,
				`"&region="&IF(D` + row + `="","",_xlfn.ENCODEURL(D` + row + `))`,
				`_xlfn.ENCODEURL(IF(ISNUMBER(E` + row + `),YEAR(E` + row + `)&"-"&TEXT(MONTH(E` + row + `),"00")`,
				`_xlfn.ENCODEURL(IF(ISLOGICAL(G` + row + `),IF(G` + row + `,"true","false"),G` + row + `)))`,
				`"&grade="&IF(H` + row + `="","",_xlfn.ENCODEURL(H` + row + `))))`,
			} {
				if !strings.Contains(fm, w) {
					t.Errorf("%s%s formula lacks %s:\n%s", col, row, w, fm)
				}
			}
		}
		if fm, _ := f.GetCellFormula(SheetScore, "K"+row); fm != "" {
			t.Errorf("Errors cell K%s has formula %q", row, fm)
		}
	}
	i3, _ := f.GetCellFormula(SheetScore, "I3")
	j3, _ := f.GetCellFormula(SheetScore, "J3")
	if !strings.Contains(i3, `"&output=Scored%20Labels&age="`) ||
		!strings.Contains(j3, `"&output=Scored%20Probabilities%20for%20Class%20%22yes%22&age="`) {
		t.Errorf("output names not encoded as expected:\n%s\n%s", i3, j3)
	}
	if v := genValue(t, f, SheetConnection, "B12"); v != "enabled" {
		t.Errorf("Live formulas = %q, want enabled", v)
	}
}

func TestWriteLiteral(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	writeLiteral(&b, strings.Repeat("a", 300))
	want := `"` + strings.Repeat("a", 255) + `"&"` + strings.Repeat("a", 45) + `"`
	if b.String() != want {
		t.Errorf("got %s", b.String())
	}
	if got := encodeURLComponent(`a b+c&d="é"`); got != "a%20b%2Bc%26d%3D%22%C3%A9%22" {
		t.Errorf("encodeURLComponent: %s", got)
	}
}
