package pmmlgen

import (
	"bytes"
	"fmt"
	"math/rand/v2"
)

// Forest returns a random forest: a MiningModel averaging trees of the
// given depth over features numeric fields, a regression when classes is
// 0, else a classification averaging the probabilities of classes classes
// c0..c(classes-1).
func Forest(trees, depth, features, classes int) []byte {
	var b bytes.Buffer
	r := rand.New(rand.NewPCG(1, 2))
	writeHeader(&b, features, classes)
	function := "regression"
	if classes > 0 {
		function = "classification"
	}
	fmt.Fprintf(&b, "\t<MiningModel functionName=%q>\n", function)
	writeSchema(&b, features, true, "\t\t")
	b.WriteString("\t\t<Segmentation multipleModelMethod=\"average\">\n")
	for t := range trees {
		fmt.Fprintf(&b, "<Segment id=\"%d\">\n<True/>\n<TreeModel functionName=%q missingValueStrategy=\"nullPrediction\">\n", t+1, function)
		writeSchema(&b, features, false, "")
		writeTree(&b, r, features, depth, classes)
		b.WriteString("</TreeModel>\n</Segment>\n")
	}
	b.WriteString("\t\t</Segmentation>\n\t</MiningModel>\n</PMML>\n")
	return b.Bytes()
}

// Boosting returns a binary gradient boosting classifier as sklearn2pmml
// writes GradientBoostingClassifier: a model chain of a sum of regression
// trees (with the initial estimate as rescaleConstant) feeding a logistic
// RegressionModel that outputs probability(c0) and probability(c1).
func Boosting(trees, depth, features int) []byte {
	var b bytes.Buffer
	r := rand.New(rand.NewPCG(3, 4))
	writeHeader(&b, features, 2)
	b.WriteString("\t<MiningModel functionName=\"classification\">\n")
	writeSchema(&b, features, true, "\t\t")
	b.WriteString("\t\t<Segmentation multipleModelMethod=\"modelChain\">\n<Segment id=\"1\">\n<True/>\n<MiningModel functionName=\"regression\">\n")
	writeSchema(&b, features, false, "")
	b.WriteString("<Output><OutputField name=\"decisionFunction\" optype=\"continuous\" dataType=\"double\" isFinalResult=\"false\"/></Output>\n")
	b.WriteString("<Targets><Target rescaleConstant=\"-0.25\" rescaleFactor=\"0.1\"/></Targets>\n<Segmentation multipleModelMethod=\"sum\">\n")
	for t := range trees {
		fmt.Fprintf(&b, "<Segment id=\"%d\">\n<True/>\n<TreeModel functionName=\"regression\" missingValueStrategy=\"nullPrediction\" noTrueChildStrategy=\"returnLastPrediction\">\n", t+1)
		writeSchema(&b, features, false, "")
		writeTree(&b, r, features, depth, 0)
		b.WriteString("</TreeModel>\n</Segment>\n")
	}
	b.WriteString("</Segmentation>\n</MiningModel>\n</Segment>\n<Segment id=\"2\">\n<True/>\n")
	b.WriteString(`<RegressionModel functionName="classification" normalizationMethod="logit">
<MiningSchema><MiningField name="y" usageType="target"/><MiningField name="decisionFunction"/></MiningSchema>
<Output><OutputField name="probability(c0)" optype="continuous" dataType="double" feature="probability" value="c0"/><OutputField name="probability(c1)" optype="continuous" dataType="double" feature="probability" value="c1"/></Output>
<RegressionTable intercept="0.0" targetCategory="c1"><NumericPredictor name="decisionFunction" coefficient="1.0"/></RegressionTable>
<RegressionTable intercept="0.0" targetCategory="c0"/>
</RegressionModel>
</Segment>
</Segmentation>
</MiningModel>
</PMML>
`)
	return b.Bytes()
}

// Logistic returns a multinomial logistic regression (softmax) with one
// RegressionTable per class over features numeric fields.
func Logistic(classes, features int) []byte {
	var b bytes.Buffer
	r := rand.New(rand.NewPCG(5, 6))
	writeHeader(&b, features, classes)
	b.WriteString("\t<RegressionModel functionName=\"classification\" normalizationMethod=\"softmax\">\n")
	writeSchema(&b, features, true, "\t\t")
	for c := range classes {
		fmt.Fprintf(&b, "\t\t<RegressionTable intercept=\"%.17g\" targetCategory=\"c%d\">\n", r.NormFloat64(), c)
		for i := range features {
			fmt.Fprintf(&b, "\t\t\t<NumericPredictor name=\"x%d\" coefficient=\"%.17g\"/>\n", i, r.NormFloat64()/4)
		}
		b.WriteString("\t\t</RegressionTable>\n")
	}
	b.WriteString("\t</RegressionModel>\n</PMML>\n")
	return b.Bytes()
}

// writeHeader writes the document start and a DataDictionary of n numeric
// features x0..x(n-1) and the target y (categorical with classes when
// classes > 0).
func writeHeader(b *bytes.Buffer, n, classes int) {
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
	<Header><Application name="scoregate benchmark generator"/></Header>
	<DataDictionary>
`)
	if classes > 0 {
		b.WriteString("\t\t<DataField name=\"y\" optype=\"categorical\" dataType=\"string\">\n")
		for c := range classes {
			fmt.Fprintf(b, "\t\t\t<Value value=\"c%d\"/>\n", c)
		}
		b.WriteString("\t\t</DataField>\n")
	} else {
		b.WriteString("\t\t<DataField name=\"y\" optype=\"continuous\" dataType=\"double\"/>\n")
	}
	for i := range n {
		fmt.Fprintf(b, "\t\t<DataField name=\"x%d\" optype=\"continuous\" dataType=\"double\"/>\n", i)
	}
	b.WriteString("\t</DataDictionary>\n")
}

// writeSchema writes a MiningSchema over the n features, with the target
// when target is set.
func writeSchema(b *bytes.Buffer, n int, target bool, indent string) {
	b.WriteString(indent + "<MiningSchema>\n")
	if target {
		b.WriteString(indent + "\t<MiningField name=\"y\" usageType=\"target\"/>\n")
	}
	for i := range n {
		fmt.Fprintf(b, "%s\t<MiningField name=\"x%d\"/>\n", indent, i)
	}
	b.WriteString(indent + "</MiningSchema>\n")
}

// writeTree writes one binary tree of the given depth over n features, in
// sklearn2pmml's shape: each split is two Nodes with complementary
// SimplePredicates on one threshold; leaves carry a score (regression) or
// a ScoreDistribution of probabilities (classification with classes > 0).
// Like a trained tree, some branches stop early.
func writeTree(b *bytes.Buffer, r *rand.Rand, n, depth, classes int) {
	var grow func(level int)
	leaf := func() {
		if classes == 0 {
			fmt.Fprintf(b, " score=\"%.17g\">\n", r.NormFloat64())
			return
		}
		best := r.IntN(classes)
		fmt.Fprintf(b, " score=\"c%d\">\n", best)
		rest := 1.0
		for c := range classes {
			p := rest
			if c < classes-1 {
				p = rest * r.Float64()
			}
			rest -= p
			fmt.Fprintf(b, "<ScoreDistribution value=\"c%d\" recordCount=\"%d\" probability=\"%.17g\"/>\n", c, 1+r.IntN(50), p)
		}
	}
	grow = func(level int) {
		field, threshold := r.IntN(n), r.NormFloat64()
		for _, op := range []string{"lessOrEqual", "greaterThan"} {
			b.WriteString("<Node")
			stop := level >= depth || (level > 5 && r.IntN(3) == 0)
			if stop {
				leaf()
			} else {
				b.WriteString(">\n")
			}
			fmt.Fprintf(b, "<SimplePredicate field=\"x%d\" operator=\"%s\" value=\"%.17g\"/>\n", field, op, threshold)
			if !stop {
				grow(level + 1)
			}
			b.WriteString("</Node>\n")
		}
	}
	b.WriteString("<Node>\n<True/>\n")
	grow(1)
	b.WriteString("</Node>\n")
}
