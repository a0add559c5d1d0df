package scoregate

import "strconv"

// Classic output column names (Azure ML Studio's Score Model module).
const (
	ColumnScoredLabels        = "Scored Labels"
	ColumnScoredProbabilities = "Scored Probabilities"
)

// OutputColumns names the output columns of scoring calls and of scored
// files, one per output field of the model, as classic named them where
// they map: the first
// predicted value is "Scored Labels"; with a single target, the
// probability of class x is `Scored Probabilities for Class "x"` (a binary
// model's probabilities too: which class is "positive" is not in the
// document). Every other field keeps its own name, as does a field whose
// classic name is taken.
func OutputColumns(info ModelInfo) []string {
	fields := info.Output.Fields
	names := make([]string, len(fields))
	taken := map[string]bool{}
	for i, f := range fields {
		classic := ""
		switch f.Feature {
		case "predictedValue":
			classic = ColumnScoredLabels
		case "probability":
			if f.TargetValue != "" {
				classic = ColumnScoredProbabilities + " for Class " + strconv.Quote(f.TargetValue)
			}
		}
		if classic == "" || taken[classic] {
			classic = f.Name
		}
		names[i] = classic
		taken[classic] = true
	}
	// A model field named like a classic column that another field took:
	// keep the columns distinct.
	seen := map[string]int{}
	for i, n := range names {
		if seen[n]++; seen[n] > 1 {
			names[i] = fields[i].Name
		}
	}
	return names
}
