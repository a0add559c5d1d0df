package store

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/azureblob" // azblob:// URLs
	"gocloud.dev/blob/fileblob"
	_ "gocloud.dev/blob/s3blob" // s3:// URLs
	"gocloud.dev/gcerrors"

	"github.com/scoregate/scoregate"
)

// Bucket is the scoregate.Blobs over a gocloud.dev bucket: a local folder,
// S3 (or an S3-compatible server such as MinIO) or Azure Blob Storage.
type Bucket struct {
	bucket *blob.Bucket
	local  bool // fileblob: keys ending in .attrs are reserved
}

var (
	_ scoregate.Blobs     = (*Bucket)(nil)
	_ scoregate.BlobSizer = (*Bucket)(nil)
)

// OpenBlobs opens the bucket at rawURL: "" is the folder {dataDir}/blobs,
// created when missing; "file:///abs/dir", "s3://bucket?region=…" and
// "azblob://container" are opened by gocloud.dev's URL openers, which take
// their credentials from the environment as the cloud's SDK does.
//
// Local buckets write each blob to a temporary file beside its final path
// and rename it into place, so a Put is atomic and a reader sees the old
// blob or the new one, never a part.
func OpenBlobs(ctx context.Context, rawURL, dataDir string) (*Bucket, error) {
	if rawURL == "" {
		if dataDir == "" {
			return nil, errors.New("store: a data folder is required when the blob URL is empty")
		}
		dir, err := filepath.Abs(filepath.Join(dataDir, "blobs"))
		if err != nil {
			return nil, fmt.Errorf("store: blob folder: %w", err)
		}
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("store: create blob folder: %w", err)
		}
		b, err := fileblob.OpenBucket(dir, &fileblob.Options{
			NoTempDir: true, // the rename must not cross file systems
			Metadata:  fileblob.MetadataDontWrite,
		})
		if err != nil {
			return nil, fmt.Errorf("store: open blob folder %s: %w", dir, err)
		}
		return &Bucket{bucket: b, local: true}, nil
	}
	scheme, _, found := strings.Cut(rawURL, "://")
	switch {
	case !found:
		return nil, errors.New("store: the blob URL needs a scheme: file://, s3:// or azblob://")
	case scheme != fileblob.Scheme && scheme != "s3" && scheme != "azblob":
		return nil, fmt.Errorf("store: blob URL scheme %q is not supported; use file://, s3:// or azblob://", scheme)
	}
	local := scheme == fileblob.Scheme
	if local {
		var err error
		if rawURL, err = withLocalDefaults(rawURL); err != nil {
			return nil, err
		}
	}
	b, err := blob.OpenBucket(ctx, rawURL)
	if err != nil {
		// gocloud.dev repeats the URL, whose user info or query may hold
		// secrets: keep only its scheme, host and path.
		msg := strings.ReplaceAll(err.Error(), rawURL, redactURL(rawURL))
		return nil, fmt.Errorf("store: open %s:// blob bucket: %s", scheme, msg)
	}
	return &Bucket{bucket: b, local: local}, nil
}

// withLocalDefaults makes a file:// bucket behave as the default one unless
// the URL says otherwise: folder created, temporary files beside their
// blobs, no metadata side files.
func withLocalDefaults(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("store: the blob URL does not parse")
	}
	q := u.Query()
	for k, v := range map[string]string{"create_dir": "true", "no_tmp_dir": "true", "metadata": "skip"} {
		if !q.Has(k) {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// redactURL drops the user info and query of a URL.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}

// Close releases the bucket.
func (b *Bucket) Close() error { return b.bucket.Close() }

// Put stores r under key, replacing an earlier blob atomically. When r
// fails the write is abandoned and the earlier blob stays.
func (b *Bucket) Put(ctx context.Context, key string, r io.Reader) error {
	if err := b.check(key); err != nil {
		return err
	}
	// Cancelling the writer's context before Close abandons the upload.
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := b.bucket.NewWriter(wctx, key, nil)
	if err != nil {
		return fmt.Errorf("put blob %s: %w", key, err)
	}
	if _, err := io.Copy(w, r); err != nil {
		cancel()
		_ = w.Close()
		return fmt.Errorf("put blob %s: %w", key, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("put blob %s: %w", key, err)
	}
	return nil
}

// Open reads a blob. A missing blob is NotFound (BlobNotFound).
func (b *Bucket) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := b.check(key); err != nil {
		return nil, err
	}
	r, err := b.bucket.NewReader(ctx, key, nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, blobNotFound(key, err)
	}
	if err != nil {
		return nil, fmt.Errorf("open blob %s: %w", key, err)
	}
	return r, nil
}

// Size returns the length of a blob in bytes without reading it. A missing
// blob is NotFound (BlobNotFound).
func (b *Bucket) Size(ctx context.Context, key string) (int64, error) {
	if err := b.check(key); err != nil {
		return 0, err
	}
	attrs, err := b.bucket.Attributes(ctx, key)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return 0, blobNotFound(key, err)
	}
	if err != nil {
		return 0, fmt.Errorf("size of blob %s: %w", key, err)
	}
	return attrs.Size, nil
}

// Exists reports whether a blob is stored under key.
func (b *Bucket) Exists(ctx context.Context, key string) (bool, error) {
	if err := b.check(key); err != nil {
		return false, err
	}
	ok, err := b.bucket.Exists(ctx, key)
	if err != nil {
		return false, fmt.Errorf("look for blob %s: %w", key, err)
	}
	return ok, nil
}

// Delete removes a blob. Deleting a missing blob is not an error, so a
// retried cleanup succeeds.
func (b *Bucket) Delete(ctx context.Context, key string) error {
	if err := b.check(key); err != nil {
		return err
	}
	err := b.bucket.Delete(ctx, key)
	if err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	return nil
}

func blobNotFound(key string, err error) *scoregate.Error {
	return &scoregate.Error{Class: scoregate.NotFound, Code: scoregate.CodeBlobNotFound,
		Message: fmt.Sprintf("no blob at %q", key), Err: err}
}

// check refuses keys that are not clean relative paths: keys come from
// client-given locations, and must not climb out of their workspace.
func (b *Bucket) check(key string) error {
	bad := key == "" || strings.HasPrefix(key, "/") || strings.Contains(key, "\\") ||
		path.Clean(key) != key || key == ".." || strings.HasPrefix(key, "../") ||
		(b.local && strings.HasSuffix(key, ".attrs"))
	if bad {
		return scoregate.Errorf(scoregate.BadUserArgument, scoregate.CodeInvalidValue, "",
			"%q is not a usable blob key", key)
	}
	return nil
}

var _ scoregate.BlobLister = (*Bucket)(nil)

// List returns the blobs directly under prefix (a folder ending in "/";
// sub-folders are not entered), in key order. A blob's ETag is its MD5
// when the store has one, else its modification time, so that a file
// rewritten in place is told apart from the one before. Temporary files
// of writes in progress in a local folder are left out.
func (b *Bucket) List(ctx context.Context, prefix string) ([]scoregate.BlobInfo, error) {
	if prefix != "" && b.check(strings.TrimSuffix(prefix, "/")) != nil {
		return nil, scoregate.Errorf(scoregate.BadUserArgument, scoregate.CodeInvalidValue, "", "%q is not a usable blob folder", prefix)
	}
	it := b.bucket.List(&blob.ListOptions{Prefix: prefix, Delimiter: "/"})
	var list []scoregate.BlobInfo
	for {
		obj, err := it.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("list blobs under %s: %w", prefix, err)
		}
		if obj.IsDir || b.local && (strings.HasSuffix(obj.Key, ".attrs") || strings.HasSuffix(obj.Key, ".tmp")) {
			continue
		}
		info := scoregate.BlobInfo{Key: obj.Key, Size: obj.Size, ModTime: obj.ModTime.UTC()}
		if len(obj.MD5) > 0 {
			info.ETag = hex.EncodeToString(obj.MD5)
		} else {
			info.ETag = obj.ModTime.UTC().Format(time.RFC3339Nano)
		}
		list = append(list, info)
	}
	return list, nil
}
