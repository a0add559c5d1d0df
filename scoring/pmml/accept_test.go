package pmml_test

import (
	"strings"
	"testing"

	"github.com/scoregate/scoregate/scoring/pmml"
)

// treeModel is a minimal classification tree over sl.
const treeModel = `
	<TreeModel functionName="classification">
		<MiningSchema><MiningField name="species" usageType="target"/><MiningField name="sl"/></MiningSchema>
		<Node score="setosa"><True/></Node>
	</TreeModel>`

// TestInspectAccepts covers the shapes of document Inspect must read: the
// namespaces and versions of different exporters, which model it picks, and
// encodings.
func TestInspectAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		doc      string
		kind     string
		inputs   string // comma-separated names
		category string // a valid value of the first categorical input, if any
	}{{
		name:   "PMML 4.4",
		doc:    doc(irisDict, treeModel),
		kind:   "TreeModel",
		inputs: "sl",
	}, {
		name:   "PMML 3.2 in the PMML-3_1 namespace, as RapidMiner writes it",
		doc:    strings.Replace(doc(irisDict, treeModel), `xmlns="http://www.dmg.org/PMML-4_4" version="4.4"`, `xmlns="http://www.dmg.org/PMML-3_1" version="3.2"`, 1),
		kind:   "TreeModel",
		inputs: "sl",
	}, {
		name:   "no namespace, version 4.4.1",
		doc:    strings.Replace(doc(irisDict, treeModel), `xmlns="http://www.dmg.org/PMML-4_4" version="4.4"`, `version="4.4.1"`, 1),
		kind:   "TreeModel",
		inputs: "sl",
	}, {
		name:   "version taken from the namespace when the attribute is missing",
		doc:    strings.Replace(doc(irisDict, treeModel), ` version="4.4"`, ``, 1),
		kind:   "TreeModel",
		inputs: "sl",
	}, {
		name: "first scorable model; later models and foreign elements passed over",
		doc: doc(irisDict, `
	<x:DataDictionary xmlns:x="urn:example:other"><x:DataField name="bogus"/></x:DataDictionary>
	<TransformationDictionary><DerivedField name="d" optype="continuous" dataType="double"><FieldRef field="sl"/></DerivedField></TransformationDictionary>
	<RegressionModel functionName="regression" isScorable="false">
		<MiningSchema><MiningField name="pw"/></MiningSchema>
	</RegressionModel>
	<MiningModel functionName="classification">
		<MiningSchema><MiningField name="species" usageType="target"/><MiningField name="pl"/><MiningField name="pw"/></MiningSchema>
		<Segmentation multipleModelMethod="majorityVote">
			<Segment><True/>`+treeModel+`</Segment>
		</Segmentation>
	</MiningModel>
	<TreeModel functionName="regression"><MiningSchema><MiningField name="sw"/></MiningSchema></TreeModel>
	<Extension name="vendor"><anything><at all="1"/></anything></Extension>`),
		kind:   "MiningModel",
		inputs: "pl,pw",
	}, {
		name: "ISO-8859-1 document",
		doc: strings.Replace(strings.Replace(doc(`
		<DataField name="ville" optype="categorical" dataType="string"><Value value="Besan`+"\xe7"+`on"/></DataField>
		<DataField name="species" optype="categorical" dataType="string"/>
		<DataField name="sl" optype="continuous" dataType="double"/>`, treeModel),
			`encoding="UTF-8"`, `encoding="ISO-8859-1"`, 1),
			`<MiningField name="sl"/>`, `<MiningField name="ville"/>`, 1),
		kind:     "TreeModel",
		inputs:   "ville",
		category: "Besançon",
	}, {
		name:   "byte order mark, comments and processing instructions around the root",
		doc:    "\ufeff<?xml version=\"1.0\"?>\n<!-- made by hand -->\n" + strings.TrimPrefix(doc(irisDict, treeModel), `<?xml version="1.0" encoding="UTF-8"?>`) + "<!-- end -->\n<?done?>\n",
		kind:   "TreeModel",
		inputs: "sl",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			info, err := pmml.Inspect(strings.NewReader(tt.doc), pmml.Limits{})
			if err != nil {
				t.Fatalf("Inspect: %v", err)
			}
			var names []string
			for _, f := range info.Input.Fields {
				names = append(names, f.Name)
			}
			if info.Kind != tt.kind || strings.Join(names, ",") != tt.inputs {
				t.Errorf("Inspect = %s with inputs %q; want %s with %q", info.Kind, names, tt.kind, tt.inputs)
			}
			if tt.category != "" && (len(info.Input.Fields[0].Values) == 0 || info.Input.Fields[0].Values[0] != tt.category) {
				t.Errorf("values of %s = %q; want %q first", names[0], info.Input.Fields[0].Values, tt.category)
			}
		})
	}
}
