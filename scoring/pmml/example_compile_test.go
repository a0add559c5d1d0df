package pmml_test

import (
	"bytes"
	"fmt"

	"github.com/scoregate/scoregate/fixtures"
	"github.com/scoregate/scoregate/scoring/pmml"
)

// Compile builds the evaluation plan once; Score then fills a
// caller-owned output buffer per row, allocating nothing.
func ExampleCompile() {
	m, err := pmml.Compile(bytes.NewReader(fixtures.DemoModel), pmml.DefaultLimits())
	if err != nil {
		fmt.Println(err)
		return
	}
	row, out := m.NewRow(), m.NewOutput()
	for i, v := range []float64{5.9, 3.0, 5.1, 1.8} { // sepal and petal length and width
		row.SetFloat(i, v)
	}
	if err := m.Score(row, out); err != nil {
		fmt.Println(err)
		return
	}
	for i, f := range m.Schema().Output.Fields {
		fmt.Printf("%-22s %s\n", f.Name, out[i])
	}
	// A value outside the field's Interval is invalid: the row fails,
	// naming the field.
	row.SetFloat(3, 7.5)
	fmt.Println(m.Score(row, out))
	// Output:
	// predicted_species      virginica
	// probability_setosa     0
	// probability_versicolor 0
	// probability_virginica  1
	// petal_width: value "7.5" is not valid for this field
}
