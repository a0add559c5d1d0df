package pmml_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/scoring/pmml"
)

// nest returns n nested Extension elements.
func nest(n int) string {
	return strings.Repeat("<Extension>", n) + strings.Repeat("</Extension>", n)
}

func TestInspectRejects(t *testing.T) {
	t.Parallel()
	valid := doc(irisDict, treeModel)
	tests := []struct {
		name  string
		doc   string
		lim   pmml.Limits
		class scoregate.ErrorClass
		code  string
		msg   []string // substrings of the message
	}{
		{"malformed XML", "<PMML version=\"4.4\">\n<DataDictionary>\n<DataField name=\"a\">\n</DataDictionary>\n</PMML>",
			pmml.Limits{}, scoregate.BadUserArgument, scoregate.CodeInvalidModel,
			[]string{"line 4", "not well-formed", "<DataField> closed by </DataDictionary>"}},
		{"truncated inside the model body", valid[:strings.Index(valid, "<Node")+5], // schema complete, body cut
			pmml.Limits{}, scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{"unexpected EOF"}},
		{"truncated after the last tag opened", strings.TrimSuffix(valid, "</PMML>\n"),
			pmml.Limits{}, scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{"unexpected EOF"}},
		{"empty document", "  \n", pmml.Limits{}, scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{"empty"}},
		{"not PMML", "<?xml version=\"1.0\"?>\n<html><body/></html>",
			pmml.Limits{}, scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{"line 2", "<html>", "not a PMML document"}},
		{"text before the root", "hello <PMML/>", pmml.Limits{}, scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{"text before the root"}},
		{"second root element", valid + "<PMML/>", pmml.Limits{}, scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{"after the root"}},
		{"PMML 2", strings.Replace(valid, `version="4.4"`, `version="2.1"`, 1),
			pmml.Limits{}, scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{"line 2", `version "2.1"`, "3.x and 4.x"}},
		{"PMML 5", strings.Replace(valid, `version="4.4"`, `version="5.0"`, 1),
			pmml.Limits{}, scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{`version "5.0"`}},
		{"no version", `<PMML><DataDictionary/></PMML>`, pmml.Limits{}, scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{"no version"}},
		{"no model", doc(irisDict, "<Extension/>"), pmml.Limits{}, scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{"no model element"}},
		{"only an unscorable model", doc(irisDict, strings.Replace(treeModel, `<TreeModel `, `<TreeModel isScorable="false" `, 1)),
			pmml.Limits{}, scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{"isScorable"}},
		{"no DataDictionary", strings.Replace(valid, "<DataDictionary>", "<Extension>", 1),
			pmml.Limits{}, scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{"<Extension> closed by </DataDictionary>"}},
		{"missing DataDictionary", "<PMML version=\"4.3\">" + treeModel + "</PMML>",
			pmml.Limits{}, scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{"no DataDictionary"}},
		{"MiningField not in the DataDictionary", doc(irisDict, strings.Replace(treeModel, `<MiningField name="sl"/>`, "\n<MiningField name=\"petal_area\"/>", 1)),
			pmml.Limits{}, scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{`"petal_area"`, "line 16", "not a DataField"}},
		{"model without MiningSchema", doc(irisDict, `<TreeModel functionName="regression"><Node/></TreeModel>`),
			pmml.Limits{}, scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{"no MiningSchema"}},
		{"model without functionName", doc(irisDict, `<TreeModel><MiningSchema/></TreeModel>`),
			pmml.Limits{}, scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{"functionName"}},
		{"unknown usageType", doc(irisDict, strings.Replace(treeModel, `<MiningField name="sl"/>`, `<MiningField name="sl" usageType="input"/>`, 1)),
			pmml.Limits{}, scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{`usageType "input"`}},
		{"bad Interval closure", doc(`<DataField name="a" optype="continuous" dataType="double"><Interval closure="open"/></DataField>`, treeModel),
			pmml.Limits{}, scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{`closure "open"`}},
		{"Interval margin not a number", doc(`<DataField name="a" optype="continuous" dataType="double"><Interval closure="openOpen" leftMargin="1,5"/></DataField>`, treeModel),
			pmml.Limits{}, scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{`leftMargin="1,5"`}},
		{"unknown dataType", doc(`<DataField name="a" optype="continuous" dataType="real"/>`, treeModel),
			pmml.Limits{}, scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{`dataType "real"`}},
		{"DataField defined twice", doc(irisDict+`<DataField name="sl" optype="continuous" dataType="double"/>`, treeModel),
			pmml.Limits{}, scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{`"sl" is defined twice`}},
		{"OutputField defined twice", doc(irisDict, strings.Replace(treeModel, `<Node`, `<Output><OutputField name="p"/><OutputField name="p"/></Output><Node`, 1)),
			pmml.Limits{}, scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{`"p" is defined twice`}},
		{"unsupported encoding", strings.Replace(valid, "UTF-8", "EBCDIC", 1),
			pmml.Limits{}, scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{`"EBCDIC" is not supported`}},
		{"entity not defined by XML", doc(irisDict, strings.Replace(treeModel, `score="setosa"`, `score="&nbsp;"`, 1)),
			pmml.Limits{}, scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{"&nbsp;"}},
		{"too large", valid, pmml.Limits{MaxBytes: 100},
			scoregate.RequestEntityTooLarge, scoregate.CodeModelTooLarge, []string{"100 bytes"}},
		{"one byte too large", valid, pmml.Limits{MaxBytes: int64(len(valid) - 1)},
			scoregate.RequestEntityTooLarge, scoregate.CodeModelTooLarge, nil},
		{"too deep in a skipped body", doc(irisDict, strings.Replace(treeModel, "<True/>", "\n"+nest(20), 1)), pmml.Limits{MaxDepth: 20},
			scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{"nested more than 20 deep", "line 17"}},
		{"one level too deep", doc(irisDict, strings.Replace(treeModel, "<True/>", nest(16), 1)), pmml.Limits{MaxDepth: 18}, // 19 levels
			scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{"more than 18 deep"}},
		{"too deep near the root", `<PMML version="4.4">` + nest(5) + `</PMML>`, pmml.Limits{MaxDepth: 4},
			scoregate.BadUserArgument, scoregate.CodeInvalidModel, []string{"more than 4 deep"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := pmml.Inspect(strings.NewReader(tt.doc), tt.lim)
			var e *scoregate.Error
			if !errors.As(err, &e) {
				t.Fatalf("Inspect error = %v (%T); want a *scoregate.Error", err, err)
			}
			if e.Class != tt.class || e.Code != tt.code {
				t.Errorf("Inspect error = %s/%s %q; want %s/%s", e.Class, e.Code, e.Message, tt.class, tt.code)
			}
			for _, s := range tt.msg {
				if !strings.Contains(e.Message, s) {
					t.Errorf("message %q does not contain %q", e.Message, s)
				}
			}
		})
	}
}

// TestInspectLimitsBoundaries checks that documents exactly at the limits
// pass, so the limits mean what they say.
func TestInspectLimitsBoundaries(t *testing.T) {
	t.Parallel()
	deep := doc(irisDict, strings.Replace(treeModel, "<True/>", nest(16), 1)) // PMML, TreeModel, Node, 16 Extensions: 19
	tests := []struct {
		name string
		doc  string
		lim  pmml.Limits
	}{
		{"size exactly MaxBytes", deep, pmml.Limits{MaxBytes: int64(len(deep))}},
		{"depth exactly MaxDepth", deep, pmml.Limits{MaxDepth: 19}},
		{"trailing space within MaxBytes", deep + "\n\n", pmml.Limits{MaxBytes: int64(len(deep) + 2)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := pmml.Inspect(strings.NewReader(tt.doc), tt.lim); err != nil {
				t.Errorf("Inspect: %v", err)
			}
		})
	}
}

// TestInspectReadError checks that a failing reader is not blamed on the
// document.
func TestInspectReadError(t *testing.T) {
	t.Parallel()
	broken := errors.New("blob store unreachable")
	r := io.MultiReader(strings.NewReader(doc(irisDict, "")[:200]), iotestErr{broken})
	_, err := pmml.Inspect(r, pmml.Limits{})
	if !errors.Is(err, broken) {
		t.Fatalf("Inspect error = %v; want it to wrap %v", err, broken)
	}
	if c := scoregate.ClassOf(err); c != scoregate.Internal {
		t.Errorf("class = %s; want %s", c, scoregate.Internal)
	}
}

type iotestErr struct{ err error }

func (r iotestErr) Read([]byte) (int, error) { return 0, r.err }

// TestInspector checks the scoregate.ModelInspector adapter and that its
// zero Limits mean the defaults.
func TestInspector(t *testing.T) {
	t.Parallel()
	var models scoregate.ModelInspector = pmml.Inspector{}
	if _, err := models.Inspect(strings.NewReader(doc(irisDict, treeModel))); err != nil {
		t.Errorf("Inspector{}.Inspect: %v", err)
	}
	models = pmml.Inspector{Limits: pmml.Limits{MaxBytes: 10}}
	if _, err := models.Inspect(strings.NewReader(doc(irisDict, treeModel))); scoregate.ClassOf(err) != scoregate.RequestEntityTooLarge {
		t.Errorf("Inspector{MaxBytes: 10}.Inspect error = %v; want RequestEntityTooLarge", err)
	}
	if got := pmml.DefaultLimits(); got.MaxBytes != 256<<20 || got.MaxDepth != 2000 {
		t.Errorf("DefaultLimits() = %+v", got)
	}
}
