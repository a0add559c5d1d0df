package scoring

import (
	"bufio"
	"context"
	"io"
	"sync"
	"time"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/scoring/pmml"
)

// modelCache holds compiled models by blob key. Published versions live
// at content-addressed keys, so endpoints on the same version share one
// compiled model.
type modelCache struct {
	load  Loader
	mu    sync.Mutex
	byKey map[string]*cachedModel
	loads flight[string, scoregate.Scorer]
}

type cachedModel struct {
	scorer   scoregate.Scorer
	loadedAt time.Time
}

func newModelCache(load Loader) *modelCache {
	if load == nil {
		load = func(r io.Reader) (scoregate.Scorer, error) {
			return CompilePMML(r, pmml.DefaultLimits())
		}
	}
	return &modelCache{load: load, byKey: map[string]*cachedModel{}}
}

// get returns the compiled model of blob key, compiling it once however
// many endpoints ask at the same time.
func (c *modelCache) get(ctx context.Context, blobs scoregate.Blobs, key string) (scoregate.Scorer, error) {
	c.mu.Lock()
	m := c.byKey[key]
	c.mu.Unlock()
	if m != nil {
		return m.scorer, nil
	}
	return c.loads.do(key, func() (scoregate.Scorer, error) {
		rc, err := blobs.Open(ctx, key)
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		s, err := c.load(bufio.NewReaderSize(rc, 1<<20))
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.byKey[key] = &cachedModel{scorer: s, loadedAt: time.Now()}
		c.mu.Unlock()
		return s, nil
	})
}

// evictUnused drops the models not in used that were loaded longer than
// idle ago.
func (c *modelCache) evictUnused(used map[string]bool, idle time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, m := range c.byKey {
		if !used[k] && time.Since(m.loadedAt) > idle {
			delete(c.byKey, k)
		}
	}
}
