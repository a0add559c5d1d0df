package scoring

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/scoregate/scoregate"
)

// Defaults of Config.
const (
	DefaultPollInterval = 250 * time.Millisecond
	// maxNegative bounds the cache of credentials known to be wrong.
	maxNegative = 10_000
	// negativeTTL is how long a wrong credential is answered from memory.
	negativeTTL = 10 * time.Second
	// modelIdle is how long a compiled model no endpoint uses is kept.
	modelIdle = 5 * time.Minute
)

// Loader compiles a model document into a Scorer.
type Loader func(r io.Reader) (scoregate.Scorer, error)

// Config configures a Registry.
type Config struct {
	Store   scoregate.Store
	Blobs   scoregate.Blobs
	Changes scoregate.ChangeFeed
	// Load compiles a model document; PMML documents by default.
	Load Loader
	// PollInterval is how often the ChangeFeed is read (default
	// DefaultPollInterval).
	PollInterval time.Duration
	Logger       *slog.Logger
}

// Registry resolves scoring calls to endpoints and their models from
// memory; see the package documentation.
type Registry struct {
	cfg Config
	// mac keys the digests of keys held in memory, so that no key is kept
	// in clear; it is random per process.
	mac []byte

	mu         sync.RWMutex
	byDigest   map[digest]*entry
	byEndpoint map[string]*entry
	negative   map[digest]time.Time
	// epoch counts invalidations: a load that saw another epoch at its
	// end may have read what a change replaced, and is not cached.
	epoch uint64

	loads  flight[digest, *entry]
	models *modelCache

	stop chan struct{}
	done chan struct{}
	// pollMu serialises Poll (the follower's and any caller's); seq is
	// the last change applied.
	pollMu sync.Mutex
	seq    int64
}

type digest [sha256.Size]byte

// entry is one endpoint held in memory.
type entry struct {
	serving  *scoregate.ServingEndpoint
	digests  [2]digest
	modelKey string
}

// New returns a Registry; call Start to follow the ChangeFeed, and Close.
func New(cfg Config) *Registry {
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	mac := make([]byte, 32)
	_, _ = rand.Read(mac) // crypto/rand.Read never fails on supported platforms
	r := &Registry{
		cfg:        cfg,
		mac:        mac,
		byDigest:   map[digest]*entry{},
		byEndpoint: map[string]*entry{},
		negative:   map[digest]time.Time{},
		models:     newModelCache(cfg.Load),
	}
	return r
}

var _ scoregate.EndpointResolver = (*Registry)(nil)

// digest keys a credential for the in-memory maps: SHA-256 over the
// process's random key and the credential, so that the maps hold no
// credential in clear. (The store's digests are HMACs under the server
// secret; these never leave the process.) Credentials are at most 512
// bytes (gateway's bearer), so the buffer stays on the stack.
func (r *Registry) digest(key string) digest {
	var buf [32 + 512]byte
	n := copy(buf[:], r.mac)
	n += copy(buf[n:], key)
	if len(key) > 512 {
		return sha256.Sum256(append(append([]byte(nil), r.mac...), key...))
	}
	return sha256.Sum256(buf[:n])
}

// errUnauthorized answers every credential that does not open the
// endpoint called.
var errUnauthorized = scoregate.Errorf(scoregate.Unauthorized, scoregate.CodeScoreRequestUnauth, "",
	"the request must carry a key of this endpoint in the header 'Authorization: Bearer KEY'")

// Resolve returns endpoint endpointID of workspace ws if key is one of its
// keys. Once an endpoint was loaded, it answers from memory.
func (r *Registry) Resolve(ctx context.Context, ws, endpointID, key string) (*scoregate.ServingEndpoint, error) {
	d := r.digest(key)
	r.mu.RLock()
	e := r.byDigest[d]
	var refused time.Time
	if e == nil {
		refused = r.negative[d]
	}
	r.mu.RUnlock()
	if e == nil {
		if !refused.IsZero() && time.Since(refused) < negativeTTL {
			return nil, errUnauthorized
		}
		var err error
		if e, err = r.loads.do(d, func() (*entry, error) { return r.load(ctx, d, key) }); err != nil {
			return nil, err
		}
	}
	s := e.serving
	if s.Endpoint.ID != endpointID || s.Endpoint.WorkspaceID != ws {
		return nil, errUnauthorized
	}
	return s, nil
}

// Endpoint returns endpoint id of workspace ws with its model, for work
// that is not a keyed call (batch jobs): from memory when a call loaded it,
// else from the store (the compiled model is shared either way). It is not
// cached here: a batch job asks once per execution.
func (r *Registry) Endpoint(ctx context.Context, ws, id string) (*scoregate.ServingEndpoint, error) {
	r.mu.RLock()
	e := r.byEndpoint[id]
	r.mu.RUnlock()
	if e != nil && e.serving.Endpoint.WorkspaceID == ws {
		return e.serving, nil
	}
	e, err := r.loadEndpoint(ctx, ws, id)
	if err != nil {
		return nil, err
	}
	return e.serving, nil
}

// load authenticates key with the store, loads its endpoint and model, and
// caches them unless a change arrived meanwhile.
func (r *Registry) load(ctx context.Context, d digest, key string) (*entry, error) {
	r.mu.RLock()
	epoch := r.epoch
	r.mu.RUnlock()
	p, err := r.cfg.Store.Authenticate(ctx, key)
	if err == nil && p.IsWorkspace() {
		err = errUnauthorized // a workspace token does not score
	}
	if err != nil {
		if scoregate.ClassOf(err) == scoregate.Unauthorized {
			r.refuse(d)
			return nil, errUnauthorized
		}
		return nil, err
	}
	e, err := r.loadEndpoint(ctx, p.WorkspaceID, p.EndpointID)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.epoch != epoch {
		return e, nil // may predate a change: serve this call, cache nothing
	}
	if old := r.byEndpoint[e.serving.Endpoint.ID]; old != nil {
		r.dropLocked(old)
	}
	r.byEndpoint[e.serving.Endpoint.ID] = e
	for _, k := range e.digests {
		r.byDigest[k] = e
	}
	return e, nil
}

// loadEndpoint reads an endpoint, its web service's name and its model.
func (r *Registry) loadEndpoint(ctx context.Context, ws, id string) (*entry, error) {
	ep, err := r.cfg.Store.EndpointByID(ctx, ws, id)
	if err != nil {
		return nil, err
	}
	if len(ep.Resources) == 0 {
		return nil, fmt.Errorf("endpoint %s has no trained model", ep.ID)
	}
	svc := ""
	if list, err := r.cfg.Store.WebServices(ctx, ws); err == nil {
		for _, w := range list {
			if w.ID == ep.WebServiceID {
				svc = w.Name
			}
		}
	} else {
		return nil, err
	}
	key := scoregate.BlobKey(ws, ep.Resources[0].Location.RelativeLocation)
	model, err := r.models.get(ctx, r.cfg.Blobs, key)
	if err != nil {
		return nil, fmt.Errorf("load the model of endpoint %s: %w", ep.ID, err)
	}
	e := &entry{
		digests:  [2]digest{r.digest(ep.PrimaryKey), r.digest(ep.SecondaryKey)},
		modelKey: key,
	}
	ep.PrimaryKey, ep.SecondaryKey = "", ""
	e.serving = &scoregate.ServingEndpoint{Endpoint: *ep, ServiceName: svc, Scorer: model}
	return e, nil
}

// refuse remembers a wrong credential for negativeTTL, so that a client
// repeating it does not reach the database each time.
func (r *Registry) refuse(d digest) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.negative) >= maxNegative {
		clear(r.negative)
	}
	r.negative[d] = time.Now()
}

// dropLocked forgets an endpoint; r.mu is held.
func (r *Registry) dropLocked(e *entry) {
	for _, k := range e.digests {
		if r.byDigest[k] == e {
			delete(r.byDigest, k)
		}
	}
	if r.byEndpoint[e.serving.Endpoint.ID] == e {
		delete(r.byEndpoint, e.serving.Endpoint.ID)
	}
}

// apply drops the endpoints the changes name. Compiled models stay: they
// are cached by blob key, and a model blob never changes under its key
// (published versions are content-addressed, uploads get a new key each),
// so an endpoint given another model names another blob.
func (r *Registry) apply(changes []scoregate.Change) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.epoch++
	clear(r.negative)
	for _, c := range changes {
		for id, e := range r.byEndpoint {
			ep := &e.serving.Endpoint
			match := ep.WorkspaceID == c.WorkspaceID &&
				(c.WebServiceID == "" || ep.WebServiceID == c.WebServiceID) &&
				(c.EndpointID == "" || id == c.EndpointID)
			if match {
				r.dropLocked(e)
			}
		}
	}
}

// Start follows the ChangeFeed from its current end until Close. It
// returns an error when the feed cannot be read at start.
func (r *Registry) Start(ctx context.Context) error {
	seq, err := r.cfg.Changes.LastChange(ctx)
	if err != nil {
		return fmt.Errorf("read the change feed: %w", err)
	}
	r.pollMu.Lock()
	r.seq = seq
	r.pollMu.Unlock()
	r.stop, r.done = make(chan struct{}), make(chan struct{})
	go r.follow()
	return nil
}

// follow polls the ChangeFeed until stop is closed.
func (r *Registry) follow() {
	defer close(r.done)
	tick := time.NewTicker(r.cfg.PollInterval)
	defer tick.Stop()
	lastSweep := time.Now()
	failing := false
	for {
		select {
		case <-r.stop:
			return
		case <-tick.C:
		}
		err := r.Poll(context.Background())
		switch {
		case err != nil && !failing:
			r.cfg.Logger.Warn("cannot read the change feed; cached endpoints are kept until it answers", slog.Any("error", err))
			failing = true
		case err == nil && failing:
			r.cfg.Logger.Info("the change feed answers again")
			failing = false
		}
		if time.Since(lastSweep) > time.Minute {
			r.sweep()
			lastSweep = time.Now()
		}
	}
}

// Poll reads the changes after the last one applied and applies them.
// Start calls it every PollInterval; tests call it to skip the wait.
func (r *Registry) Poll(ctx context.Context) error {
	r.pollMu.Lock()
	defer r.pollMu.Unlock()
	for {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		changes, err := r.cfg.Changes.ChangesAfter(ctx, r.seq, 1000)
		cancel()
		if err != nil {
			return err
		}
		if len(changes) == 0 {
			return nil
		}
		r.apply(changes)
		r.seq = changes[len(changes)-1].Seq
		if len(changes) < 1000 {
			return nil
		}
	}
}

// sweep evicts the compiled models no cached endpoint uses any more.
func (r *Registry) sweep() {
	r.mu.RLock()
	used := make(map[string]bool, len(r.byEndpoint))
	for _, e := range r.byEndpoint {
		used[e.modelKey] = true
	}
	r.mu.RUnlock()
	r.models.evictUnused(used, modelIdle)
}

// Close stops following the ChangeFeed.
func (r *Registry) Close() error {
	if r.stop != nil {
		close(r.stop)
		<-r.done
		r.stop = nil
	}
	return nil
}

// flight runs one load per key at a time: callers of the same key wait
// for the one in progress and share its result.
type flight[K comparable, V any] struct {
	mu    sync.Mutex
	calls map[K]*call[V]
}

type call[V any] struct {
	done chan struct{}
	v    V
	err  error
}

func (f *flight[K, V]) do(k K, fn func() (V, error)) (V, error) {
	f.mu.Lock()
	if f.calls == nil {
		f.calls = map[K]*call[V]{}
	}
	if c, ok := f.calls[k]; ok {
		f.mu.Unlock()
		<-c.done
		return c.v, c.err
	}
	c := &call[V]{done: make(chan struct{})}
	f.calls[k] = c
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.calls, k)
		f.mu.Unlock()
		close(c.done)
	}()
	c.v, c.err = fn()
	return c.v, c.err
}
