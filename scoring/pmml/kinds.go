package pmml

// modelKindRegistry maps a model element to its kind: one line per kind,
// each implemented in its own files. A model element that is not here
// fails Compile naming it. See doc.go, "Adding a model kind".
var modelKindRegistry = map[string]func(m *model) kindCompiler{
	"TreeModel":                 newTreeKind,
	"RegressionModel":           newRegressionKind,
	"MiningModel":               newMiningKind,
	"NeuralNetwork":             newNeuralKind,
	"NaiveBayesModel":           newNaiveBayesKind,
	"Scorecard":                 newScorecardKind,
	"NearestNeighborModel":      newNearestNeighborKind,
	"SupportVectorMachineModel": newSVMKind,
	"ClusteringModel":           newClusteringKind,
	"GeneralRegressionModel":    newGeneralRegressionKind,
}
