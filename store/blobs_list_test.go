package store_test

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scoregate/scoregate"
)

// TestBlobList lists a folder of the local bucket: files directly under
// it, in key order, with sizes and modification times; sub-folders and
// the temporary files of writes in progress are left out. The default
// bucket keeps no MD5, so ETags are ""; one written with metadata has the
// MD5 of each file.
func TestBlobList(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		url     string // "" is the default bucket, in {dir}/blobs
		folder  string
		withMD5 bool
	}{
		{"default", "", "blobs", false},
		{"with metadata", "file://{dir}/meta?metadata=", "meta", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			b := openBlobs(t, strings.ReplaceAll(c.url, "{dir}", filepath.ToSlash(dir)), dir)
			ctx := t.Context()
			for key, body := range map[string]string{"drops/w/s/e/inbox/b.csv": "bb", "drops/w/s/e/inbox/a.csv": "a", "drops/w/s/e/inbox/deeper/c.csv": "c"} {
				ok(t, b.Put(ctx, key, strings.NewReader(body)))
			}
			// A write in progress, as fileblob names it.
			ok(t, os.WriteFile(filepath.Join(dir, c.folder, "drops/w/s/e/inbox/x.csv.18ab.tmp"), []byte("x"), 0o600))
			etag := func(body string) string {
				if !c.withMD5 {
					return ""
				}
				sum := md5.Sum([]byte(body))
				return hex.EncodeToString(sum[:])
			}

			list, err := b.List(ctx, "drops/w/s/e/inbox/")
			ok(t, err)
			if len(list) != 2 || list[0].Key != "drops/w/s/e/inbox/a.csv" || list[1].Key != "drops/w/s/e/inbox/b.csv" ||
				list[0].Size != 1 || list[1].Size != 2 || list[0].ETag != etag("a") || list[1].ETag != etag("bb") ||
				list[0].ModTime.IsZero() {
				t.Fatalf("list %+v", list)
			}
			ok(t, b.Put(ctx, "drops/w/s/e/inbox/a.csv", strings.NewReader("changed")))
			again, err := b.List(ctx, "drops/w/s/e/inbox/")
			ok(t, err)
			if again[0].Size != 7 || again[0].ETag != etag("changed") || again[0].ModTime.Before(list[0].ModTime) {
				t.Errorf("a rewritten file: %+v, before %+v", again[0], list[0])
			}
			if empty, err := b.List(ctx, "drops/w/s/e/outbox/"); err != nil || len(empty) != 0 {
				t.Errorf("an empty folder: %v %v", empty, err)
			}

			// A copy has the content of its source, and its MD5 where
			// the bucket keeps one.
			ok(t, b.Copy(ctx, "drops/w/s/e/processed/a.csv", "drops/w/s/e/inbox/a.csv"))
			ok(t, b.Copy(ctx, "drops/w/s/e/processed/a.csv", "drops/w/s/e/inbox/b.csv")) // replaces
			if got := readBlob(t, b, "drops/w/s/e/processed/a.csv"); got != "bb" {
				t.Fatalf("copy holds %q, want %q", got, "bb")
			}
			if got := readBlob(t, b, "drops/w/s/e/inbox/b.csv"); got != "bb" {
				t.Fatalf("source after a copy holds %q", got)
			}
			copied, err := b.List(ctx, "drops/w/s/e/processed/")
			ok(t, err)
			if len(copied) != 1 || copied[0].Size != 2 || copied[0].ETag != etag("bb") {
				t.Fatalf("listed copy %+v", copied)
			}
			err = b.Copy(ctx, "drops/w/s/e/processed/z.csv", "drops/w/s/e/inbox/missing.csv")
			if !scoregate.IsNotFound(err) || scoregate.ErrorOf(err).Code != scoregate.CodeBlobNotFound {
				t.Fatalf("copy of a missing blob = %v, want NotFound", err)
			}
			if exists, err := b.Exists(ctx, "drops/w/s/e/processed/z.csv"); err != nil || exists {
				t.Fatalf("a failed copy left its destination: %v %v", exists, err)
			}
			for _, keys := range [][2]string{{"../x.csv", "drops/w/s/e/inbox/b.csv"}, {"drops/x.csv", "/etc/passwd"}} {
				err := b.Copy(ctx, keys[0], keys[1])
				wantError(t, err, scoregate.BadUserArgument, scoregate.CodeInvalidValue)
			}
		})
	}
}

// TestBlobListWhole tells files written whole (PutWhole) from others in a
// local folder: a Put or a file copied in is not vouched for, nor is a
// file written whole and then rewritten in place by something else.
func TestBlobListWhole(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, url, folder string }{
		{"default", "", "blobs"},
		{"file URL", "file://{dir}/local", "local"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			b := openBlobs(t, strings.ReplaceAll(c.url, "{dir}", filepath.ToSlash(dir)), dir)
			ctx := t.Context()
			const inbox = "drops/w/s/e/inbox/"
			ok(t, b.Put(ctx, inbox+"put.csv", strings.NewReader("p")))
			ok(t, b.PutWhole(ctx, inbox+"whole.csv", strings.NewReader("w")))
			ok(t, b.PutWhole(ctx, inbox+"rewritten.csv", strings.NewReader("r")))
			ok(t, os.WriteFile(filepath.Join(dir, c.folder, inbox, "copied.csv"), []byte("c"), 0o600))
			time.Sleep(20 * time.Millisecond)
			ok(t, os.WriteFile(filepath.Join(dir, c.folder, inbox, "rewritten.csv"), []byte("half"), 0o600))

			list, err := b.List(ctx, inbox)
			ok(t, err)
			whole := map[string]bool{}
			for _, f := range list {
				whole[strings.TrimPrefix(f.Key, inbox)] = f.Whole
			}
			want := map[string]bool{"copied.csv": false, "put.csv": false, "rewritten.csv": false, "whole.csv": true}
			if !maps.Equal(whole, want) {
				t.Errorf("Whole = %v, want %v", whole, want)
			}
			// Deleting a blob deletes its side file: written again by
			// copying, it is not whole.
			ok(t, b.Delete(ctx, inbox+"whole.csv"))
			ok(t, os.WriteFile(filepath.Join(dir, c.folder, inbox, "whole.csv"), []byte("c"), 0o600))
			list, err = b.List(ctx, inbox)
			ok(t, err)
			for _, f := range list {
				if f.Key == inbox+"whole.csv" && f.Whole {
					t.Errorf("a copy where a whole file was: %+v", f)
				}
			}
		})
	}
}

// TestBlobListWhileWriting lists a local folder while files are written
// into it and deleted: a file that goes away in the middle of the walk
// (a temporary file renamed into place) does not fail the listing.
func TestBlobListWhileWriting(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := openBlobs(t, "", dir)
	ctx := t.Context()
	const inbox = "drops/w/s/e/inbox/"
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			key := fmt.Sprintf("%sf%d.csv", inbox, i%20)
			if err := b.PutWhole(ctx, key, strings.NewReader(strings.Repeat("x", 1000))); err != nil {
				done <- err
				return
			}
			if i%3 == 0 {
				if err := b.Delete(ctx, key); err != nil {
					done <- err
					return
				}
			}
		}
	}()
	for range 300 {
		if _, err := b.List(ctx, inbox); err != nil {
			t.Errorf("List while writing: %v", err)
			break
		}
	}
	close(stop)
	ok(t, <-done)
}

// TestBlobStat describes one blob as List does; a missing one is
// NotFound.
func TestBlobStat(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := openBlobs(t, "", dir)
	ctx := t.Context()
	const inbox = "drops/w/s/e/inbox/"
	ok(t, b.Put(ctx, inbox+"put.csv", strings.NewReader("p")))
	ok(t, b.PutWhole(ctx, inbox+"whole.csv", strings.NewReader("whole")))
	list, err := b.List(ctx, inbox)
	ok(t, err)
	for _, want := range list {
		got, err := b.Stat(ctx, want.Key)
		ok(t, err)
		if got != want {
			t.Errorf("Stat = %+v, List says %+v", got, want)
		}
	}
	if len(list) != 2 || list[0].Whole || !list[1].Whole {
		t.Fatalf("list %+v", list)
	}
	_, err = b.Stat(ctx, inbox+"missing.csv")
	wantError(t, err, scoregate.NotFound, scoregate.CodeBlobNotFound)
}
