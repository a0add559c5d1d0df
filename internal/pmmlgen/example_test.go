package pmmlgen_test

import (
	"bytes"
	"fmt"

	"github.com/scoregate/scoregate/internal/pmmlgen"
	"github.com/scoregate/scoregate/scoring/pmml"
)

// The load test's model: a regression forest of 200 depth-12 trees over
// 20 features. A row for it is 20 numbers under x0..x19.
func ExampleForest() {
	doc := pmmlgen.Forest(200, 12, 20, 0)
	info, err := pmml.Inspect(bytes.NewReader(doc), pmml.DefaultLimits())
	if err != nil {
		panic(err)
	}
	in := info.Input.Fields
	fmt.Printf("%s, %.1f MB: %d inputs %s..%s, output %s\n",
		info.Kind, float64(len(doc))/1e6, len(in), in[0].Name, in[len(in)-1].Name, info.Output.Fields[0].Name)
	// Output: MiningModel, 28.8 MB: 20 inputs x0..x19, output y
}
