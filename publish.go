package scoregate

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"strings"
)

// Publish stores a model document in the blobs and publishes it as the next
// version of web service name in workspace ws (creating the service and its
// default endpoint on first publish). The document is inspected before
// anything is stored, so a rejected model changes nothing.
func Publish(ctx context.Context, st Store, blobs Blobs, models ModelInspector, ws, name string, doc []byte, description *string) (*WebService, error) {
	if err := ValidateName("name", name); err != nil {
		return nil, err
	}
	if description != nil {
		if err := ValidateDescription("Description", *description); err != nil {
			return nil, err
		}
	}
	info, err := models.Inspect(bytes.NewReader(doc))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(doc)
	digest := hex.EncodeToString(sum[:])
	// Content-addressed, so a publish that fails after this Put leaves a blob
	// that the retry reuses rather than a stray copy.
	rel := "models/" + name + "/" + digest[:32] + ".pmml"
	if err := blobs.Put(ctx, BlobKey(ws, rel), bytes.NewReader(doc)); err != nil {
		return nil, fmt.Errorf("store model of %s: %w", name, err)
	}
	return st.PublishWebService(ctx, ws, name, Publication{
		Description: description,
		Info:        info,
		Resource: Resource{
			Name:     name + " [trained model]",
			Kind:     ResourceKindTrainedModel,
			Location: Location{RelativeLocation: rel},
		},
		SHA256: digest,
	})
}

// CheckResources verifies that each resource names a blob of workspace ws
// holding a model the inspector accepts and whose inputs are the ones the
// endpoint's web service expects, so a PATCH cannot lock an endpoint onto a
// model it cannot score with.
func CheckResources(ctx context.Context, blobs Blobs, models ModelInspector, ws string, svc *WebService, rs []Resource) error {
	for i, r := range rs {
		target := fmt.Sprintf("Resources[%d]", i)
		if r.Name == "" {
			return Errorf(BadUserArgument, CodeInvalidValue, target+".Name", "resource name is required")
		}
		if r.Kind != "" && r.Kind != ResourceKindTrainedModel {
			return Errorf(BadUserArgument, CodeInvalidValue, target+".Kind",
				"%q is not a resource kind; use %s", r.Kind, ResourceKindTrainedModel)
		}
		rel := r.Location.RelativeLocation
		if err := ValidateRelativeLocation(target+".Location.RelativeLocation", rel); err != nil {
			return err
		}
		rc, err := blobs.Open(ctx, BlobKey(ws, rel))
		if err != nil {
			if IsNotFound(err) {
				return Errorf(BadUserArgument, CodeBlobNotFound, target+".Location.RelativeLocation",
					"no blob at %q; upload it with POST /workspaces/%s/blobs first", rel, ws)
			}
			return fmt.Errorf("open resource %s: %w", rel, err)
		}
		info, err := models.Inspect(rc)
		rc.Close()
		if err != nil {
			e := ErrorOf(err)
			if e.Class == Internal {
				return err
			}
			return &Error{Class: e.Class, Code: e.Code, Target: target, Message: e.Message, Err: e.Err}
		}
		if missing := missingInputs(svc.Input, info.Input); len(missing) > 0 {
			return Errorf(BadUserArgument, CodeInputMismatchError, target,
				"the model does not take the web service's inputs %s", strings.Join(missing, ", "))
		}
	}
	return nil
}

// missingInputs lists the fields of want that got lacks.
func missingInputs(want, got Schema) []string {
	var missing []string
	for _, f := range want.Fields {
		if _, ok := got.Field(f.Name); !ok {
			missing = append(missing, f.Name)
		}
	}
	return missing
}

// ValidateRelativeLocation checks a blob's relative location: a clean,
// relative, slash-separated path with no parent references.
func ValidateRelativeLocation(field, rel string) error {
	if rel == "" {
		return Errorf(BadUserArgument, CodeInvalidValue, field, "a relative location is required")
	}
	if strings.HasPrefix(rel, "/") || strings.Contains(rel, "\\") || path.Clean(rel) != rel ||
		rel == ".." || strings.HasPrefix(rel, "../") || len(rel) > 1024 {
		return Errorf(BadUserArgument, CodeInvalidValue, field, "%q is not a clean relative location", rel)
	}
	return nil
}
