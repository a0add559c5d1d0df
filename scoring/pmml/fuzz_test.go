package pmml_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/scoregate/scoregate/fixtures"
	"github.com/scoregate/scoregate/scoring/pmml"
)

// FuzzInspect feeds Inspect arbitrary documents: it must never panic, must
// blame every failure on the document (the reader never fails here) with an
// InvalidModel or ModelTooLarge error, and must describe every document it
// accepts with a model kind, unique inputs and at least one output.
func FuzzInspect(f *testing.F) {
	f.Add(fixtures.DemoModel)
	f.Add(fixtures.DemoModelV2)
	for _, seed := range []string{
		doc(irisDict, treeModel),
		doc(irisDict, `<MiningModel functionName="classification"><MiningSchema><MiningField name="species" usageType="target"/><MiningField name="pl" missingValueReplacement="1"/></MiningSchema>
			<Output><OutputField name="p" feature="probability" value="setosa"/><OutputField name="x" isFinalResult="false"/></Output>
			<Targets><Target field="species"><TargetValue value="setosa"/></Target></Targets>
			<Segmentation multipleModelMethod="majorityVote"><Segment><True/>`+treeModel+`</Segment></Segmentation></MiningModel>`),
		doc(`<DataField name="x" optype="continuous" dataType="double"><Interval closure="openClosed" leftMargin="-INF" rightMargin="1e3"/><Value value="NaN" property="missing"/></DataField>`,
			`<ClusteringModel functionName="clustering"><MiningSchema><MiningField name="x"/></MiningSchema></ClusteringModel>`),
		`<?xml version="1.0" encoding="ISO-8859-1"?><PMML version="3.2"><DataDictionary/></PMML>`,
		`<PMML version="4.4"><DataDictionary><DataField name="a"/></DataDictionary><Extension>` + nest(70) + `</Extension></PMML>`,
		"<PMML",
	} {
		f.Add([]byte(seed))
	}
	lim := pmml.Limits{MaxBytes: 1 << 16, MaxDepth: 64}
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := pmml.Inspect(bytes.NewReader(data), lim)
		if err != nil {
			checkDocumentError(t, err)
			return
		}
		if info.Kind == "" || len(info.Output.Fields) == 0 {
			t.Fatalf("accepted document without kind or outputs: %s", describe(info))
		}
		seen := map[string]bool{}
		for _, f := range info.Input.Fields {
			if seen[f.Name] {
				t.Fatalf("input %q twice: %s", f.Name, describe(info))
			}
			seen[f.Name] = true
		}
		if !strings.Contains(string(data), "PMML") {
			t.Fatalf("accepted a document without a PMML element")
		}
	})
}
