package pmml_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	f.Fuzz(fuzzCompiled)
}
