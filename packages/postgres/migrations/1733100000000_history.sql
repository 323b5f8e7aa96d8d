-- Up Migration

-- Tenants own API keys, submissions, quotas and a webhook secret. A tenant id is also the value of
-- judgekit_submissions.tenant ('' there means "no tenant": an embedded or single-tenant judge).
CREATE TABLE judgekit_tenants (
  id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- HMAC-SHA256 key of the tenant's webhooks.
  webhook_secret text NOT NULL,
  -- Quotas; NULL takes the server's default.
  rate_limit integer CHECK (rate_limit >= 0),
  max_queued integer CHECK (max_queued >= 0),
  max_running integer CHECK (max_running >= 1),
  max_limits jsonb
);

-- An API key is "jk_<id>_<secret>"; only the SHA-256 of the whole key is kept.
CREATE TABLE judgekit_api_keys (
  id text PRIMARY KEY,
  tenant text NOT NULL REFERENCES judgekit_tenants (id) ON DELETE CASCADE,
  key_hash bytea NOT NULL UNIQUE,
  admin boolean NOT NULL DEFAULT false,
  label text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX judgekit_api_keys_tenant ON judgekit_api_keys (tenant);

-- One row per submission, written by id (upserts), never twice.
CREATE TABLE judgekit_submissions (
  id text PRIMARY KEY,
  tenant text NOT NULL DEFAULT '',
  status text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'cancelled')),
  verdict text,
  language text NOT NULL,
  created_at timestamptz NOT NULL,
  finished_at timestamptz,
  -- Labels given at submit time, for metadata.KEY=VALUE filters (containment, GIN-indexed).
  metadata jsonb,
  -- The prepared input (files, tests, limits, checker) and the result, as JSON text: json keeps
  -- every string exactly (jsonb cannot hold \u0000, which program output may contain).
  input json,
  result json NOT NULL,
  callback_url text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Listing: newest first within a tenant, one index per equality filter, cursor on (created_at, id).
CREATE INDEX judgekit_submissions_tenant_created ON judgekit_submissions (tenant, created_at DESC, id DESC);
CREATE INDEX judgekit_submissions_tenant_status ON judgekit_submissions (tenant, status, created_at DESC, id DESC);
CREATE INDEX judgekit_submissions_tenant_verdict ON judgekit_submissions (tenant, verdict, created_at DESC, id DESC)
  WHERE verdict IS NOT NULL;
CREATE INDEX judgekit_submissions_tenant_language ON judgekit_submissions (tenant, language, created_at DESC, id DESC);
CREATE INDEX judgekit_submissions_metadata ON judgekit_submissions USING gin (metadata jsonb_path_ops);
-- Retention deletes by age and admins list across tenants; recovery finds unfinished rows.
CREATE INDEX judgekit_submissions_created ON judgekit_submissions (created_at, id);
CREATE INDEX judgekit_submissions_unfinished ON judgekit_submissions (created_at)
  WHERE status IN ('queued', 'running');

-- Webhook outbox: a row is added in the same transaction as the result it announces, so a
-- finished submission with a callback always gets its delivery, exactly one row per submission.
CREATE TABLE judgekit_webhook_deliveries (
  id text PRIMARY KEY,
  submission_id text NOT NULL UNIQUE,
  tenant text NOT NULL DEFAULT '',
  url text NOT NULL,
  body text NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  -- A node that claimed the row holds it until then; a crashed node's claim simply runs out.
  locked_until timestamptz,
  last_error text,
  last_status integer,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX judgekit_webhook_deliveries_due ON judgekit_webhook_deliveries (next_attempt_at) WHERE state = 'pending';

-- Down Migration
DROP TABLE judgekit_webhook_deliveries;
DROP TABLE judgekit_submissions;
DROP TABLE judgekit_api_keys;
DROP TABLE judgekit_tenants;
