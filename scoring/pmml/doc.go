// Package pmml reads PMML 3.x and 4.x documents: far enough to learn a
// model's schema (Inspect), or whole, compiled into an in-process
// evaluator (Compile) that scores rows without allocating.
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
// Inspect streams the document through the package's own XML scanner
// (scan.go; encoding/xml's tokenizer was ten times slower). It decodes
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
// # Compiling and scoring
//
// Compile reads the document on the same parse layer as Inspect, but with a
// bodyFunc that keeps what Inspect passes over (decode.go): the
// TransformationDictionary, each model's LocalTransformations, the content
// of its OutputFields, and its body, which the model's kind decodes.
// Nested models (a Segment's) are decoded the same way, recursively. Then
// it builds an evaluation plan, so scoring never walks XML or looks up a
// name:
//
//   - every field (DataField, DerivedField, a nested model's MiningField
//     with its own treatment, OutputField, DefineFunction parameter) is a
//     slot, an index into one []Value per row; names are resolved once,
//     through a chain of scopes (scope.go) that mirrors the document:
//     dictionaries, then each model, then in a model chain the outputs of
//     earlier segments;
//   - DerivedFields are compiled on first reference (so order does not
//     matter and a cycle is an error) and evaluated on first use in a row
//     (state.get): a row pays only for the fields its path reads;
//   - expressions are small structs behind one interface (expr.go,
//     apply.go, lookup.go); constants are converted to their field's type
//     up front;
//   - trees are flat arrays (tree.go, tree_compile.go, tree_eval.go):
//     16-byte nodes breadth first with siblings side by side, a numeric
//     SimplePredicate inline in the node, other predicates compiled
//     (predicate.go), scores and distributions in parallel arrays. A
//     forest is bound by memory latency, so the regression trees of a
//     Segmentation are walked eight at a time, one level of each in turn
//     (tree_lanes.go), keeping several cache misses in flight;
//   - every model element becomes a compiledModel (modelc.go) with its
//     evaluator, its classes, its Target and its OutputFields.
//
// Scoring takes a Row (one Value per input field of the schema; strings
// are parsed to the field's type) and fills a caller-owned []Value (one
// per output field). The scratch space of a row (slot values, per-model
// results, an argument stack) is a state from a pool sized by the plan,
// so a numeric model scores with no allocation; ScoreBatch spreads rows
// over GOMAXPROCS workers. Inputs go through their MiningField's
// treatment first (prepare.go): a value outside the DataField's valid
// values or intervals is invalid, then returnInvalid fails the row with a
// BadUserArgument naming the field, and asIs, asMissing and asValue keep,
// drop or replace it; missing values take missingValueReplacement; outliers
// are kept, dropped or clamped.
//
// A model computing in float32 (x-mathContext="float", as JPMML writes
// XGBoost models) rounds its arithmetic as XGBoost does, so predictions
// match XGBoost to the ULP tolerance the corpus states.
//
// # Adding a model kind
//
// A kind is a kindCompiler (decode.go), registered by element name in
// modelKindRegistry (kinds.go), and lives in its own files:
//
//   - element decodes each child of the model element that is not common
//     to all kinds (MiningSchema, Output, Targets, LocalTransformations,
//     ModelStats, ModelExplanation, ModelVerification and Extension are
//     handled for it). Small parts can be kept whole with p.element as
//     xnodes; bulky ones (a support vector table) are better decoded into
//     slices as they stream. It must reject an element it does not know
//     with unsupported(...): never ignore what could change a score.
//   - compile gets a modelCtx: resolve field names with mc.c.ref(mc.sc,
//     ...), compile expressions and predicates with mc.c.expr and
//     mc.c.predicate, register the categories of a classification with
//     mc.class(label). It returns an evaluator.
//   - the evaluator's eval(s, r) reads fields with s.get(slot) and fills
//     the result: r.setNumber for regression; for classification
//     r.probabilities() then r.argmax() (or r.class), and r.conf for
//     confidences. Targets, default outputs and OutputFields are applied
//     by the core. A kind needing new output features (affinity,
//     reasonCode, ...) adds a field to result and a feature to output.go.
//
// Then take the kind's cases out of knownFailures in
// corpus_conformance_test.go.
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
