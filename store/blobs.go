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
	// Local folders only: whole writes the blobs PutWhole stores, with a
	// metadata side file ({key}.attrs holding the MD5) that marks them
	// written whole; dir is the folder.
	whole *blob.Bucket
	dir   string
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
		whole, err := fileblob.OpenBucket(dir, &fileblob.Options{NoTempDir: true, Metadata: fileblob.MetadataInSidecar})
		if err != nil {
			b.Close()
			return nil, fmt.Errorf("store: open blob folder %s: %w", dir, err)
		}
		return &Bucket{bucket: b, local: true, whole: whole, dir: dir}, nil
	}
	scheme, _, found := strings.Cut(rawURL, "://")
	switch {
	case !found:
		return nil, errors.New("store: the blob URL needs a scheme: file://, s3:// or azblob://")
	case scheme != fileblob.Scheme && scheme != "s3" && scheme != "azblob":
		return nil, fmt.Errorf("store: blob URL scheme %q is not supported; use file://, s3:// or azblob://", scheme)
	}
	local := scheme == fileblob.Scheme
	if !local {
		b, err := openURL(ctx, scheme, rawURL)
		if err != nil {
			return nil, err
		}
		return &Bucket{bucket: b}, nil
	}
	rawURL, wholeURL, dir, err := withLocalDefaults(rawURL)
	if err != nil {
		return nil, err
	}
	b, err := openURL(ctx, scheme, rawURL)
	if err != nil {
		return nil, err
	}
	whole, err := openURL(ctx, scheme, wholeURL)
	if err != nil {
		b.Close()
		return nil, err
	}
	return &Bucket{bucket: b, local: true, whole: whole, dir: dir}, nil
}

// openURL opens a bucket by its URL.
func openURL(ctx context.Context, scheme, rawURL string) (*blob.Bucket, error) {
	b, err := blob.OpenBucket(ctx, rawURL)
	if err != nil {
		// gocloud.dev repeats the URL, whose user info or query may hold
		// secrets: keep only its scheme, host and path.
		msg := strings.ReplaceAll(err.Error(), rawURL, redactURL(rawURL))
		return nil, fmt.Errorf("store: open %s:// blob bucket: %s", scheme, msg)
	}
	return b, nil
}

// withLocalDefaults makes a file:// bucket behave as the default one unless
// the URL says otherwise: folder created, temporary files beside their
// blobs, no metadata side files. It returns that URL, the URL of the same
// folder with side files (for PutWhole), and the folder.
func withLocalDefaults(raw string) (local, whole, dir string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", "", errors.New("store: the blob URL does not parse")
	}
	q := u.Query()
	for k, v := range map[string]string{"create_dir": "true", "no_tmp_dir": "true", "metadata": "skip"} {
		if !q.Has(k) {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	local = u.String()
	q.Set("metadata", string(fileblob.MetadataInSidecar))
	u.RawQuery = q.Encode()
	dir = u.Path
	if u.Host == "." { // a relative path, as fileblob reads it
		dir = strings.TrimPrefix(dir, "/")
	}
	return local, u.String(), filepath.FromSlash(dir), nil
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
func (b *Bucket) Close() error {
	if b.whole != nil {
		b.whole.Close()
	}
	return b.bucket.Close()
}

// Put stores r under key, replacing an earlier blob atomically. When r
// fails the write is abandoned and the earlier blob stays.
func (b *Bucket) Put(ctx context.Context, key string, r io.Reader) error {
	return b.put(ctx, b.bucket, key, r)
}

var _ scoregate.WholeWriter = (*Bucket)(nil)

// PutWhole stores r under key as Put does, so that List reports it Whole:
// in a local folder with a side file ({key}.attrs, holding its MD5)
// written before the blob is renamed into place. Any blob of an object
// store is whole.
func (b *Bucket) PutWhole(ctx context.Context, key string, r io.Reader) error {
	if b.whole == nil {
		return b.Put(ctx, key, r)
	}
	return b.put(ctx, b.whole, key, r)
}

func (b *Bucket) put(ctx context.Context, bucket *blob.Bucket, key string, r io.Reader) error {
	if err := b.check(key); err != nil {
		return err
	}
	// Cancelling the writer's context before Close abandons the upload.
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := bucket.NewWriter(wctx, key, nil)
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

// Copy copies blob src to dst, replacing an earlier blob at dst. A
// missing src is NotFound (BlobNotFound). A local folder written without
// metadata (the default) keeps no MD5 for the copy, as for any blob; with
// metadata the copy gets its own side file, with the MD5 computed afresh.
func (b *Bucket) Copy(ctx context.Context, dst, src string) error {
	if err := b.check(dst); err != nil {
		return err
	}
	if err := b.check(src); err != nil {
		return err
	}
	err := b.bucket.Copy(ctx, dst, src, nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return blobNotFound(src, err)
	}
	if err != nil {
		return fmt.Errorf("copy blob %s to %s: %w", src, dst, err)
	}
	return nil
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

var _ scoregate.BlobStater = (*Bucket)(nil)

// Stat describes one blob as List does. A missing blob is NotFound
// (BlobNotFound).
func (b *Bucket) Stat(ctx context.Context, key string) (scoregate.BlobInfo, error) {
	if err := b.check(key); err != nil {
		return scoregate.BlobInfo{}, err
	}
	a, err := b.bucket.Attributes(ctx, key)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return scoregate.BlobInfo{}, blobNotFound(key, err)
	}
	if err != nil {
		return scoregate.BlobInfo{}, fmt.Errorf("describe blob %s: %w", key, err)
	}
	return b.info(key, a.Size, a.ModTime, a.MD5), nil
}

// info describes a listed or described blob.
func (b *Bucket) info(key string, size int64, modTime time.Time, md5 []byte) scoregate.BlobInfo {
	return scoregate.BlobInfo{
		Key:     key,
		Size:    size,
		ModTime: modTime.UTC(),
		ETag:    hex.EncodeToString(md5), // "" for no MD5
		Whole:   !b.local || len(md5) > 0 && b.sideFileCurrent(key, modTime),
	}
}

// sideFileCurrent reports whether the side file of a local blob was
// written no earlier than the blob (PutWhole writes it just before it
// renames the blob into place): a blob rewritten since, in place, by
// something else is newer than its side file, and may be half written.
func (b *Bucket) sideFileCurrent(key string, modTime time.Time) bool {
	fi, err := os.Stat(filepath.Join(b.dir, filepath.FromSlash(key)) + ".attrs")
	return err == nil && !modTime.After(fi.ModTime())
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
// sub-folders are not entered), in key order. A blob's ETag is the hex MD5
// of its content when the store keeps one (S3, Azure, a local folder
// written with metadata), "" otherwise: callers that must tell a file
// rewritten in place from the one before combine it with ModTime and Size.
// Temporary files of writes in progress in a local folder are left out.
func (b *Bucket) List(ctx context.Context, prefix string) ([]scoregate.BlobInfo, error) {
	if prefix != "" && b.check(strings.TrimSuffix(prefix, "/")) != nil {
		return nil, scoregate.Errorf(scoregate.BadUserArgument, scoregate.CodeInvalidValue, "", "%q is not a usable blob folder", prefix)
	}
	// A local folder is walked file by file, and a file that goes away
	// meanwhile (a write renamed into place, a blob deleted) fails the
	// walk with NotFound: the listing starts again.
	for attempt := 1; ; attempt++ {
		list, err := b.list(ctx, prefix)
		if err == nil || !b.local || gcerrors.Code(err) != gcerrors.NotFound || attempt == 5 {
			return list, err
		}
	}
}

func (b *Bucket) list(ctx context.Context, prefix string) ([]scoregate.BlobInfo, error) {
	it := b.bucket.List(&blob.ListOptions{Prefix: prefix, Delimiter: "/"})
	var list []scoregate.BlobInfo
	for {
		obj, err := it.Next(ctx)
		if err == io.EOF {
			return list, nil
		}
		if err != nil {
			return nil, fmt.Errorf("list blobs under %s: %w", prefix, err)
		}
		if obj.IsDir || b.local && (strings.HasSuffix(obj.Key, ".attrs") || strings.HasSuffix(obj.Key, ".tmp")) {
			continue
		}
		list = append(list, b.info(obj.Key, obj.Size, obj.ModTime, obj.MD5))
	}
}
