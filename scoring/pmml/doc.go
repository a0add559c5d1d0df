// Package pmml reads PMML 3.x and 4.x documents: today far enough to learn a
// model's schema (Inspect), and later, on the same parse layer, compiled
// into an in-process evaluator (pmml.Compile).
//
// # Reading a document
//
// A PMML document is an XML file with a DataDictionary (the fields the model
// was trained on, with their types, valid values and ranges), optionally a
// TransformationDictionary, and one or more model elements (TreeModel,
// RegressionModel, MiningModel, ...). Each model element starts with a
// MiningSchema (which DataFields it reads, and how: input, target, ...), an
// optional Output (the result fields it computes) and optional Targets (the
// categories and rescaling of its targets), followed by its body: trees,
// coefficients, segments.
//
// Inspect streams the document through an encoding/xml Decoder. It decodes
// the DataDictionary and the header of the first scorable top-level model,
// and passes over every other element (model bodies, which are almost all of
// a 90 MB forest) token by token without keeping them. It still reads the
// whole document, so a truncated, ill-formed or too deeply nested file is
// rejected even when its schema came early:
//
//	info, err := pmml.Inspect(f, pmml.DefaultLimits())
//
// Inspector adapts Inspect to scoregate.ModelInspector for publishing.
//
// # Limits
//
// Documents come from users, so every read is bounded: Limits.MaxBytes caps
// the document size (RequestEntityTooLarge, code ModelTooLarge) and
// Limits.MaxDepth the element nesting (BadUserArgument, code InvalidModel).
// Every other rejection is a BadUserArgument with code InvalidModel whose
// message names the problem and, where the decoder knows it, the line. An
// error reading r itself (a failing blob store) is returned wrapped, not as
// the user's fault. No input makes the package panic; FuzzInspect checks it.
//
// # Schema
//
// The input schema is the model's active MiningFields in MiningSchema order,
// typed by their DataFields. The output schema is the model's final Output
// fields, or, for a model without Output, its targets and class
// probabilities; see Inspect for the rules.
//
// # Versions
//
// PMML 3.0 to 4.4 (version "3.x" or "4.x", optionally "4.4.1"-style) are
// accepted; PMML 1.x and 2.x used a different structure and are refused, as
// is any future major version. Elements count as PMML elements when they are
// in the namespace of the root element, whatever it is (RapidMiner writes
// version 3.2 documents in the PMML-3_1 namespace), so elements of extension
// namespaces never mix in.
package pmml
