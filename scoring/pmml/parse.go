package pmml

import (
	"encoding/xml"
	"io"
	"strings"
)

// bodyFunc decodes, or passes over, a child of the model element other than
// MiningSchema, Output and Targets: the model's body and its
// LocalTransformations. It also gets the rest of each OutputField (whose
// attributes are already in m.output) and, with m nil, the document's
// TransformationDictionary. It must consume the element.
type bodyFunc func(p *parser, m *model, se xml.StartElement) error

// skipBody passes over a model body; it is what Inspect needs.
func skipBody(p *parser, _ *model, _ xml.StartElement) error { return p.skip() }

// modelKinds are the model elements of PMML 3.0 to 4.4.
var modelKinds = map[string]bool{
	"AnomalyDetectionModel": true, "AssociationModel": true, "BaselineModel": true,
	"BayesianNetworkModel": true, "ClusteringModel": true, "GaussianProcessModel": true,
	"GeneralRegressionModel": true, "MiningModel": true, "NaiveBayesModel": true,
	"NearestNeighborModel": true, "NeuralNetwork": true, "RegressionModel": true,
	"RuleSetModel": true, "Scorecard": true, "SequenceModel": true,
	"SupportVectorMachineModel": true, "TextModel": true, "TimeSeriesModel": true,
	"TreeModel": true,
}

// parseDocument reads a whole PMML document within lim, decoding its
// DataDictionary and the header of its first scorable model, and handing
// each part of that model's body to body.
func parseDocument(r io.Reader, lim Limits, body bodyFunc) (*document, error) {
	p := newParser(r, lim)
	doc, err := p.document(body)
	if err != nil {
		return nil, p.fail(err)
	}
	if p.in.n > lim.MaxBytes { // only blank space followed the root element
		return nil, p.tooLarge()
	}
	return doc, nil
}

func (p *parser) document(body bodyFunc) (*document, error) {
	root, err := p.prolog()
	if err != nil {
		return nil, err
	}
	if root.Name.Local != "PMML" {
		return nil, p.errorf("the root element is <%s>, not <PMML>: this is not a PMML document", root.Name.Local)
	}
	p.space = root.Name.Space
	doc := &document{byName: map[string]int{}}
	if doc.version, err = p.version(root); err != nil {
		return nil, err
	}
	var hasDictionary, hasModel bool
	var unscorable string
	err = p.children(func(se xml.StartElement) error {
		switch {
		case p.is(se, "DataDictionary"):
			if hasDictionary {
				return p.errorf("the document has a second DataDictionary")
			}
			hasDictionary = true
			return p.dataDictionary(doc)
		case se.Name.Space == p.space && modelKinds[se.Name.Local] && !hasModel:
			if attrOr(se, "isScorable", "true") == "false" {
				unscorable = se.Name.Local
				return p.skip()
			}
			hasModel = true
			return p.model(&doc.model, se, body)
		case p.is(se, "TransformationDictionary"):
			return body(p, nil, se)
		}
		return p.skip()
	})
	if err != nil {
		return nil, err
	}
	if err := p.epilog(); err != nil {
		return nil, err
	}
	switch {
	case !hasDictionary:
		return nil, invalidf(0, "the document has no DataDictionary")
	case !hasModel && unscorable != "":
		return nil, invalidf(0, "the document's only model, a %s, is marked isScorable=\"false\"", unscorable)
	case !hasModel:
		return nil, invalidf(0, "the document has no model element (TreeModel, RegressionModel, MiningModel, ...)")
	}
	return doc, doc.check()
}

// prolog reads up to the root element.
func (p *parser) prolog() (xml.StartElement, error) {
	for {
		tok, err := p.next()
		if err == io.EOF {
			return xml.StartElement{}, p.errorf("the document is empty: it has no root element")
		}
		if err != nil {
			return xml.StartElement{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.CharData:
			if !blank(t) {
				return xml.StartElement{}, p.errorf("text before the root element")
			}
		}
	}
}

// epilog reads what follows the root element: comments, processing
// instructions and white space only.
func (p *parser) epilog() error {
	for {
		tok, err := p.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return p.errorf("element <%s> after the root element", t.Name.Local)
		case xml.CharData:
			if !blank(t) {
				return p.errorf("text after the root element")
			}
		}
	}
}

// blank reports whether text is white space (or a byte order mark, which
// the decoder passes on as text).
func blank(text []byte) bool {
	return strings.TrimLeft(string(text), " \t\r\n\ufeff") == ""
}

// version checks the PMML version: 3.x or 4.x, from the version attribute
// or, when a document leaves it out, from its namespace (PMML-4_3).
func (p *parser) version(root xml.StartElement) (string, error) {
	v, ok := attr(root, "version")
	if !ok {
		i := strings.LastIndex(p.space, "/PMML-")
		if i < 0 {
			return "", p.errorf("the PMML element has no version attribute")
		}
		v = strings.ReplaceAll(p.space[i+len("/PMML-"):], "_", ".")
	}
	major, rest, _ := strings.Cut(strings.TrimSpace(v), ".")
	minor, patch, hasPatch := strings.Cut(rest, ".")
	if (major != "3" && major != "4") || !isDigits(minor) || (hasPatch && !isDigits(patch)) {
		return "", p.errorf("PMML version %q is not supported; scoregate reads PMML 3.x and 4.x", v)
	}
	return v, nil
}

func isDigits(s string) bool {
	if s == "" || len(s) > 3 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
