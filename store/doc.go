// Package store persists scoregate's workspaces, web services, model
// versions and endpoints in SQLite or Postgres, and its files in a blob
// bucket. It is the only package that imports GORM and gocloud.dev/blob; the
// rest of scoregate sees it through the scoregate.Store and scoregate.Blobs
// interfaces, wired in cmd/scoregate.
//
// # Opening and migrating
//
// Open connects without touching the schema:
//
//	db, err := store.Open(ctx, store.Config{
//		DatabaseURL: "",          // SQLite in DataDir; or postgres://…
//		DataDir:     "./data",
//		Secret:      secret,      // ≥ 32 bytes, kept outside the database
//	})
//	if err := db.Migrate(ctx); err != nil { … }
//	if err := db.Ready(ctx); err != nil { … } // also false while behind
//
// Migrations are plain SQL files embedded from migrations/{sqlite,postgres},
// numbered 0001, 0002, …, each applied in its own transaction and recorded in
// schema_migrations. Replicas migrating at once take turns (an advisory lock
// on Postgres, immediate transactions on SQLite). A server refuses to call
// itself ready while Pending reports migrations it has not applied. Table
// names carry no prefix; river_* belongs to the job queue.
//
// SQLite runs in WAL mode with a busy timeout, enforced foreign keys and
// immediate transactions, so concurrent writers queue rather than fail; it
// is pure Go (modernc.org/sqlite), and the binary needs no cgo.
//
// # Rules and transactions
//
// Each Store method that writes runs in one transaction and, on Postgres,
// first locks the web service's row, so rules that span rows (at most
// MaxEndpointsPerService endpoints, the default endpoint deleted only when
// alone, the default endpoint following each publish) hold under concurrent
// requests. A transaction that lost a race on a unique key (two first
// publishes of one name) is run again and then sees the winner's rows.
//
// Errors are *scoregate.Error values. Rule violations carry their class and
// code (NotFound/WebServiceNotFound, Conflict/EndpointLimitExceeded, …, as the
// method comments say). One function, translate, turns database errors into
// those: a missing row into the NotFound of what was looked for, anything
// unexpected into Internal with the SQL error kept in Err for the log and
// out of Message, which clients see.
//
// # Change feed
//
// DB is also the scoregate.ChangeFeed. Each method that changes what a
// serving replica caches appends a row to changes as the last write of its
// transaction, through appendChange: the endpoint's ids for PutEndpoint,
// UpdateEndpoint, RefreshEndpoint, RegenerateEndpointKey and DeleteEndpoint;
// the web service with no endpoint for PublishWebService (its schemas move
// with its default endpoint) and DeleteWebService; the workspace alone for
// RegenerateWorkspaceToken. A failed method appends nothing. On Postgres an
// advisory lock held from the append to the commit makes changes commit in
// seq order, so a replica following ChangesAfter never steps over one that
// commits late; seqs are never reused, even after PruneChanges.
//
// # Recorded requests and usage
//
// DB is the scoregate.RequestLogStore and scoregate.UsageStore too. Replicas
// write both in batches; rows of an endpoint deleted meanwhile are dropped,
// and deleting an endpoint deletes its rows (ON DELETE CASCADE). PutUsage
// replaces a replica's counters for an hour, never adds to them.
//
// # Batch jobs
//
// DB is the scoregate.JobStore. A job's row is the truth about its status
// and progress; the queue only picks the replica that executes it. CreateJob
// with an enqueue function and StartJob call it with the *sql.Tx of the
// transaction that marks the job Running, so a job is queued exactly when
// its row says so, and StartJob's move from NotStarted is a conditional
// UPDATE, so of concurrent starts one enqueues. An executor claims a
// Running job with ClaimJob (a conditional UPDATE that succeeds when no
// other owner's lease is live), renews its lease with CheckpointJob and
// releases it with EndJob; both answer ErrLeaseLost once another replica
// took the job over or a cancel ended it. Leases are kept by the Go clock of
// the replica that writes them, so replicas' clocks must roughly agree.
// Deleting an endpoint deletes its jobs.
//
// # Schedules and dropped files
//
// DB is the scoregate.ScheduleStore and scoregate.ScheduleRunStore.
// UpdateSchedule reads the schedule (locked on Postgres), calls the
// caller's function on a copy and writes the result in one transaction,
// so a scheduler recording a run and a user disabling the schedule never
// overwrite each other. Schedule writes append nothing to the change feed,
// which tells serving replicas what to drop from their caches; schedulers
// read AllSchedules and DueSchedules.
//
// A run is one firing of a schedule. FireSchedule advances the schedule
// (the same locked read, copy and write), inserts the run and queues it
// with the *sql.Tx of that transaction; a run is unique on its schedule and
// fire time, so replicas firing one schedule together record and queue it
// once (ON CONFLICT DO NOTHING), and an update that says ErrNotDue stores
// nothing. StartRun moves a run from NotStarted to Running in a
// conditional UPDATE.
//
// A run claims each file of the inbox it will score with ClaimDrop: a
// file is its key, version (kept in the etag column) and size, and only
// the first INSERT of its claim succeeds; that same transaction creates
// the file's job (as CreateJob does, RunID set) and counts the claim in the
// run, so a file is claimed exactly when a job scores it. FinishDrop moves
// the claim from 'claimed' to 'scored' or 'failed' in a conditional UPDATE
// keyed by the job and adds the file to its run's counters. ListedRun and
// the last FinishDrop each end the run in a conditional UPDATE when it is
// Running, listed and every claimed file is done, so the run ends whichever
// comes last. DropsToFinish finds jobs that ended while their claim is
// still open, for a replica to move their files. Runs go with their
// schedule; claims stay, so a file is never taken twice, and go with their
// endpoint, as schedules and jobs do.
//
// # Credentials
//
// Endpoint keys and workspace tokens are 32 random bytes in base64url
// (43 characters). The store keeps an HMAC-SHA256 digest of each, to find it
// by, and its AES-256-GCM ciphertext, to show it to its owner again; both
// keys are derived from the server secret. Authenticate compares the
// decrypted value with the presented one in constant time. No key or token
// is ever written to a log line or an error.
//
// # Blobs
//
// OpenBlobs opens the bucket for models, uploads and batch files: a local
// folder by default, or S3 / Azure Blob by URL. Put replaces a blob
// atomically; Open or Copy of a missing key is NotFound (BlobNotFound).
// List gives a blob's MD5 as its ETag where the bucket keeps one (not the
// default local folder, which writes no metadata).
//
// Package storetest builds migrated databases for tests, on SQLite and on a
// real Postgres, and runs one suite against both.
package store
