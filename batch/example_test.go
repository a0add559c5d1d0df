package batch_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/scoregate/scoregate/batch"
	"github.com/scoregate/scoregate/fixtures"
	"github.com/scoregate/scoregate/scoring"
	"github.com/scoregate/scoregate/scoring/pmml"
)

// Example scores a semicolon-separated file with the demo iris model: the
// output keeps the input's columns and delimiter and adds the model's
// outputs and Errors.
func Example() {
	model, err := scoring.CompilePMML(bytes.NewReader(fixtures.DemoModel), pmml.Limits{})
	if err != nil {
		panic(err)
	}
	file := "id;Sepal_Length;sepal_width;petal_length;petal_width\n" +
		"a;5.1;3.5;1.4;0.2\n" +
		"b;6.3;3.3;6.0;2.5\n" +
		"c;6.3;3.3;six;2.5\n"
	in, err := batch.NewCSVReader(strings.NewReader(file), batch.CSVOptions{})
	if err != nil {
		panic(err)
	}
	stats, err := batch.Score(context.Background(), model, in, batch.NewCSVWriter(os.Stdout, in.Format()), batch.ScoreOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d rows, %d failed\n", stats.Rows, stats.Failed)
	// Output:
	// id;Sepal_Length;sepal_width;petal_length;petal_width;Scored Labels;"Scored Probabilities for Class ""setosa""";"Scored Probabilities for Class ""versicolor""";"Scored Probabilities for Class ""virginica""";Errors
	// a;5.1;3.5;1.4;0.2;setosa;1;0;0;
	// b;6.3;3.3;6.0;2.5;virginica;0;0;1;
	// c;6.3;3.3;six;2.5;;;;;"petal_length: value ""six"" is not valid for this field"
	// 3 rows, 1 failed
}
