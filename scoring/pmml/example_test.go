package pmml_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/scoregate/scoregate/fixtures"
	"github.com/scoregate/scoregate/scoring/pmml"
)

// Inspect learns what a model takes and returns; publishing stores this
// schema with the web service.
func ExampleInspect() {
	info, err := pmml.Inspect(bytes.NewReader(fixtures.DemoModel), pmml.DefaultLimits())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(info.Kind, info.FunctionName)
	for _, f := range info.Input.Fields {
		fmt.Printf("in  %-22s %s %s (%s %g..%g)\n", f.Name, f.DataType, f.OpType,
			f.Intervals[0].Closure, *f.Intervals[0].Left, *f.Intervals[0].Right)
	}
	for _, f := range info.Output.Fields {
		fmt.Printf("out %-22s %s %s\n", f.Name, f.DataType, strings.TrimSpace(f.Feature+" "+f.TargetValue))
	}
	// Output:
	// TreeModel classification
	// in  sepal_length           double continuous (openClosed 0..10)
	// in  sepal_width            double continuous (openClosed 0..10)
	// in  petal_length           double continuous (openClosed 0..10)
	// in  petal_width            double continuous (openClosed 0..5)
	// out predicted_species      string predictedValue
	// out probability_setosa     double probability setosa
	// out probability_versicolor double probability versicolor
	// out probability_virginica  double probability virginica
}

// A document that is not well-formed is refused with the line of the
// problem.
func ExampleInspect_malformed() {
	_, err := pmml.Inspect(bytes.NewReader([]byte("<PMML version=\"4.4\">\n<DataDictionary>\n</PMML>")), pmml.Limits{})
	fmt.Println(err)
	// Output:
	// invalid PMML at line 3: not well-formed XML: element <DataDictionary> closed by </PMML>
}
