package store_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/store"
)

// wantError fails unless err is a *scoregate.Error of class and code.
func wantError(t *testing.T, err error, class scoregate.ErrorClass, code string) *scoregate.Error {
	t.Helper()
	var e *scoregate.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want *scoregate.Error %s/%s", err, err, class, code)
	}
	if e.Class != class || e.Code != code {
		t.Fatalf("error = %s/%s %q, want %s/%s", e.Class, e.Code, e.Message, class, code)
	}
	return e
}

// ok fails the test on err.
func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// newWorkspace creates a workspace named name.
func newWorkspace(t *testing.T, db *store.DB, name string) *scoregate.Workspace {
	t.Helper()
	ws, err := db.CreateWorkspace(t.Context(), name)
	ok(t, err)
	return ws
}

// model returns resource and publication n of web service name: the model
// of version n has input fields x1..xn, so versions differ visibly.
func model(name string, n int) (scoregate.Resource, scoregate.Publication) {
	res := scoregate.Resource{
		Name:     name + " [trained model]",
		Kind:     scoregate.ResourceKindTrainedModel,
		Location: scoregate.Location{RelativeLocation: fmt.Sprintf("models/%s/v%d.pmml", name, n)},
	}
	var in scoregate.Schema
	for i := 1; i <= n; i++ {
		lo := float64(i)
		in.Fields = append(in.Fields, scoregate.Field{
			Name: fmt.Sprintf("x%d", i), DataType: scoregate.TypeDouble, OpType: scoregate.OpContinuous,
			Intervals: []scoregate.Interval{{Closure: "closedOpen", Left: &lo}},
		})
	}
	out := scoregate.Schema{Fields: []scoregate.Field{{
		Name: "y", DataType: scoregate.TypeString, OpType: scoregate.OpCategorical,
		Values: []string{"no", "yes"}, Feature: "predictedValue",
	}}}
	return res, scoregate.Publication{
		Info: scoregate.ModelInfo{
			Kind: "TreeModel", FunctionName: "classification", Input: in, Output: out,
		},
		Resource: res,
		SHA256:   strings.Repeat(fmt.Sprintf("%x", n%16), 64),
	}
}

// publish publishes version n of web service name.
func publish(t testing.TB, db *store.DB, ws, name string, n int) *scoregate.WebService {
	t.Helper()
	_, p := model(name, n)
	svc, err := db.PublishWebService(t.Context(), ws, name, p)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// authenticates fails unless credential authenticates as want.
func authenticates(t *testing.T, db *store.DB, credential string, want scoregate.Principal) {
	t.Helper()
	got, err := db.Authenticate(t.Context(), credential)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if got != want {
		t.Fatalf("Authenticate = %+v, want %+v", got, want)
	}
}

// refused fails unless credential is refused as Unauthorized.
func refused(t *testing.T, db *store.DB, credential string) {
	t.Helper()
	_, err := db.Authenticate(t.Context(), credential)
	e := wantError(t, err, scoregate.Unauthorized, scoregate.CodeScoreRequestUnauth)
	if credential != "" && strings.Contains(e.Error(), credential) {
		t.Fatalf("the error repeats the credential: %v", e)
	}
}

func ptr[T any](v T) *T { return &v }

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// atOnce calls f(i) for each i below n from n goroutines released
// together, on a pool warmed up to n connections, and returns how many
// calls returned true.
func atOnce(t *testing.T, db *store.DB, n int, f func(i int) bool) int {
	t.Helper()
	ok(t, db.WarmUp(t.Context(), n))
	var won atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			if f(i) {
				won.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	return int(won.Load())
}
