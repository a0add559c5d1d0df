package store_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBlobList lists a folder of the local bucket: files directly under
// it, in key order, with sizes and an ETag that changes when a file is
// rewritten; sub-folders and the temporary files of writes in progress are
// left out.
func TestBlobList(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := openBlobs(t, "", dir)
	ctx := t.Context()
	for key, body := range map[string]string{"drops/w/s/e/inbox/b.csv": "bb", "drops/w/s/e/inbox/a.csv": "a", "drops/w/s/e/inbox/deeper/c.csv": "c"} {
		if err := b.Put(ctx, key, strings.NewReader(body)); err != nil {
			t.Fatal(err)
		}
	}
	// A write in progress, as fileblob names it.
	if err := os.WriteFile(filepath.Join(dir, "blobs/drops/w/s/e/inbox/x.csv.18ab.tmp"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	list, err := b.List(ctx, "drops/w/s/e/inbox/")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Key != "drops/w/s/e/inbox/a.csv" || list[0].Size != 1 || list[1].Size != 2 || list[0].ETag == "" {
		t.Fatalf("list %+v", list)
	}
	if err := b.Put(ctx, "drops/w/s/e/inbox/a.csv", strings.NewReader("changed")); err != nil {
		t.Fatal(err)
	}
	again, err := b.List(ctx, "drops/w/s/e/inbox/")
	if err != nil {
		t.Fatal(err)
	}
	if again[0].Size != 7 || again[0].ETag == list[0].ETag && again[0].ModTime.Equal(list[0].ModTime) {
		t.Errorf("a rewritten file: %+v, before %+v", again[0], list[0])
	}
	if empty, err := b.List(ctx, "drops/w/s/e/outbox/"); err != nil || len(empty) != 0 {
		t.Errorf("an empty folder: %v %v", empty, err)
	}
}
