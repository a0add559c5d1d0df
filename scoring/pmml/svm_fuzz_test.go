package pmml_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/scoring/pmml"
)

// FuzzCompileSVMClustering is FuzzCompile seeded with support vector
// machines and clustering models, so mutations reach their decoders:
// kernels, sparse arrays, machines, measures and centers.
func FuzzCompileSVMClustering(f *testing.F) {
	linear := `<LinearKernelType/>` + svmVectors
	f.Add([]byte(svmModel("regression", "", `<RadialBasisKernelType gamma="0.5"/>`+svmVectors+svmMachine("", 0.3, -0.7, 0.1))))
	f.Add([]byte(svmModel("classification", `classificationMethod="OneAgainstOne"`, linear+
		svmMachine(`targetCategory="a" alternateTargetCategory="b"`, 1, 0, 0)+
		svmMachine(`targetCategory="b" alternateTargetCategory="c" threshold="2"`, 1, 0, 0))))
	f.Add([]byte(svmModel("classification", `classificationMethod="OneAgainstOne" alternateBinaryTargetCategory="b"`, linear+svmMachine(`targetCategory="a"`, 1, 0, 0))))
	f.Add([]byte(clusterModel("", `<minkowski p-parameter="3"/>`, `<ClusteringField field="x1" fieldWeight="2" compareFunction="gaussSim" similarityScale="1"/><ClusteringField field="x2"/>`,
		`<MissingValueWeights><Array n="2" type="real">1 3</Array></MissingValueWeights>`+clusterCenters)))
	f.Add([]byte(strings.Replace(clusterModel("", `<jaccard/>`, clusterFields, clusterCenters), `kind="distance"`, `kind="similarity"`, 1)))
	if dir := os.Getenv("SCOREGATE_PMML_CORPUS"); dir != "" {
		for _, name := range []string{"rattle-KMeansIris", "knime-KMeansIris", "rattle-LibSVMIris"} {
			if data, err := os.ReadFile(filepath.Join(dir, name, "model.pmml")); err == nil {
				f.Add(data)
			}
		}
	}
	lim := pmml.Limits{MaxBytes: 1 << 16, MaxDepth: 64, MaxNodes: 1000, MaxSegments: 100}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := pmml.Compile(bytes.NewReader(data), lim)
		if err != nil {
			var e *scoregate.Error
			if !errors.As(err, &e) || e.Message == "" ||
				!(e.Class == scoregate.BadUserArgument && e.Code == scoregate.CodeInvalidModel) &&
					!(e.Class == scoregate.RequestEntityTooLarge && e.Code == scoregate.CodeModelTooLarge) {
				t.Fatalf("error %v (%T); want InvalidModel or ModelTooLarge with a message", err, err)
			}
			return
		}
		row, out := m.NewRow(), m.NewOutput()
		scoreChecked(t, m, row, out)
		for i := range row {
			row.SetString(i, "1.5")
		}
		scoreChecked(t, m, row, out)
		for i := range row {
			row.SetString(i, "0")
		}
		scoreChecked(t, m, row, out)
	})
}
