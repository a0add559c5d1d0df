package store_test

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/store"
)

func openBlobs(t *testing.T, url, dataDir string) *store.Bucket {
	t.Helper()
	b, err := store.OpenBlobs(t.Context(), url, dataDir)
	ok(t, err)
	t.Cleanup(func() { b.Close() })
	return b
}

func readBlob(t *testing.T, b *store.Bucket, key string) string {
	t.Helper()
	r, err := b.Open(t.Context(), key)
	ok(t, err)
	defer r.Close()
	data, err := io.ReadAll(r)
	ok(t, err)
	return string(data)
}

func TestBlobs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	buckets := map[string]*store.Bucket{
		"default": openBlobs(t, "", dir),
		"file":    openBlobs(t, "file://"+filepath.Join(t.TempDir(), "created"), ""),
	}
	for name, b := range buckets {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			key := scoregate.BlobKey(scoregate.NewID(), "models/m/v1.pmml")

			_, err := b.Open(ctx, key)
			wantError(t, err, scoregate.NotFound, scoregate.CodeBlobNotFound)
			if ok, err := b.Exists(ctx, key); err != nil || ok {
				t.Fatalf("Exists before Put = %v, %v", ok, err)
			}
			_, err = b.Size(ctx, key)
			wantError(t, err, scoregate.NotFound, scoregate.CodeBlobNotFound)
			ok(t, b.Put(ctx, key, strings.NewReader("<PMML/>")))
			if ok, err := b.Exists(ctx, key); err != nil || !ok {
				t.Fatalf("Exists after Put = %v, %v", ok, err)
			}
			if got := readBlob(t, b, key); got != "<PMML/>" {
				t.Fatalf("Open = %q", got)
			}
			ok(t, b.Put(ctx, key, strings.NewReader("<PMML version=\"2\"/>")))
			if n, err := b.Size(ctx, key); err != nil || n != int64(len("<PMML version=\"2\"/>")) {
				t.Fatalf("Size after replace = %d, %v", n, err)
			}
			if got := readBlob(t, b, key); got != "<PMML version=\"2\"/>" {
				t.Fatalf("Open after replace = %q", got)
			}

			// A failed upload leaves the earlier blob whole.
			failing := io.MultiReader(strings.NewReader("<partial"), iotestErr{})
			if err := b.Put(ctx, key, failing); err == nil {
				t.Fatal("Put from a failing reader succeeded")
			}
			if got := readBlob(t, b, key); got != "<PMML version=\"2\"/>" {
				t.Fatalf("after a failed Put: %q", got)
			}

			ok(t, b.Delete(ctx, key))
			ok(t, b.Delete(ctx, key)) // again: already gone is fine
			_, err = b.Open(ctx, key)
			wantError(t, err, scoregate.NotFound, scoregate.CodeBlobNotFound)

			for _, bad := range []string{"", "/abs", "a/../../b", "../up", "a//b", `a\b`, "a/./b", "x.attrs"} {
				err := b.Put(ctx, bad, strings.NewReader("x"))
				wantError(t, err, scoregate.BadUserArgument, scoregate.CodeInvalidValue)
			}
			_, err = b.Size(ctx, "../up")
			wantError(t, err, scoregate.BadUserArgument, scoregate.CodeInvalidValue)
		})
	}

	t.Run("no temporary files left", func(t *testing.T) {
		t.Parallel()
		data := t.TempDir()
		b := openBlobs(t, "", data)
		ctx := t.Context()
		ok(t, b.Put(ctx, "workspaces/w/a.csv", strings.NewReader("a,b\n1,2\n")))
		_ = b.Put(ctx, "workspaces/w/b.csv", io.MultiReader(strings.NewReader("x"), iotestErr{}))
		var files []string
		err := filepath.WalkDir(filepath.Join(data, "blobs"), func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files = append(files, filepath.Base(path))
			}
			return err
		})
		ok(t, err)
		if len(files) != 1 || files[0] != "a.csv" {
			t.Fatalf("files in the blob folder: %v, want a.csv alone", files)
		}
	})
}

// TestBlobPutAtomic replaces a blob while readers read it: each read must
// see one whole version, never a mix or a part.
func TestBlobPutAtomic(t *testing.T) {
	t.Parallel()
	b := openBlobs(t, "", t.TempDir())
	ctx := t.Context()
	versions := []string{strings.Repeat("a", 1<<20), strings.Repeat("b", 1<<20)}
	ok(t, b.Put(ctx, "big", strings.NewReader(versions[0])))
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 20 {
			if err := b.Put(ctx, "big", strings.NewReader(versions[i%2])); err != nil {
				t.Error(err)
				return
			}
		}
	})
	for range 2 {
		wg.Go(func() {
			for range 40 {
				r, err := b.Open(ctx, "big")
				if err != nil {
					t.Error(err)
					return
				}
				data, err := io.ReadAll(r)
				r.Close()
				if err != nil || (string(data) != versions[0] && string(data) != versions[1]) {
					t.Errorf("read %d bytes (%v), not one whole version", len(data), err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestOpenBlobsErrors(t *testing.T) {
	t.Parallel()
	if _, err := store.OpenBlobs(t.Context(), "", ""); err == nil {
		t.Error("OpenBlobs without a URL or a data folder succeeded")
	}
	_, err := store.OpenBlobs(t.Context(), "ftp://user:secret@host/x", "")
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("OpenBlobs(ftp://…) = %v, want an error that does not repeat the URL", err)
	}
	file := filepath.Join(t.TempDir(), "file")
	ok(t, os.WriteFile(file, nil, 0o600))
	if _, err := store.OpenBlobs(t.Context(), "", file); err == nil {
		t.Error("OpenBlobs in a data folder that is a file succeeded")
	}
}

// iotestErr is a reader that fails.
type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, errors.New("connection reset") }
