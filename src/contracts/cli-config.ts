import { z } from 'zod';
import { InputFormatName } from './ingest.js';

/**
 * Per-command settings: each command's flags are made from these schemas (src/cli/config-flags.ts),
 * so name, help, default and validation live in one place, like Vitest's config. A field's
 * description is its help text; `flag` metadata names its value and its old spellings.
 */
export interface FlagMeta {
  /** Placeholder of the value in --help (default `value`). */
  value?: string;
  /** Old spellings (without dashes), accepted for one release and not shown in --help. */
  aliases?: readonly string[];
  /** Repeatable: each use adds one value to a list. */
  repeat?: boolean;
  /** A list flag that takes several values after one use (`--traffic a.ndjson b.ndjson`). */
  variadic?: boolean;
  /** A value flag that also has `--no-NAME`, which sets the key to false. */
  negatable?: boolean;
  /**
   * The default in words, where it is not a constant the schema can hold (an environment
   * variable, a file named after the input); --help shows it where it shows every other default.
   */
  defaultText?: string;
}

declare module 'zod' {
  interface GlobalMeta {
    flag?: FlagMeta;
  }
}

const flag = (f: FlagMeta) => ({ flag: f });

/** One listening port for every server command: 0 picks a free one. */
export const Port = z
  .int({ error: 'must be a whole number from 0 to 65535' })
  .min(0, { error: 'must be a whole number from 0 to 65535' })
  .max(65535, { error: 'must be a whole number from 0 to 65535' });

const host = z
  .string()
  .min(1)
  .default('127.0.0.1')
  .describe('address to listen on')
  .meta(flag({ value: 'host' }));
const port = (fallback: number) =>
  Port.default(fallback)
    .describe('port to listen on (0 picks a free one)')
    .meta(flag({ value: 'port' }));

const NatsUrl = z
  .string()
  .regex(/^(?:(?:nats|tls):\/\/[^/\s]+|[^/\s:]+:\d+)$/u, { error: 'must be nats://HOST:PORT' });
const databaseUrl = (help: string, defaultText = '$DISTILLGUARD_DATABASE_URL') =>
  z
    .string()
    .min(1)
    .optional()
    .describe(help)
    .meta(flag({ value: 'url', aliases: ['database'], defaultText }));
const positive = z
  .int({ error: 'must be a whole number of at least 1' })
  .min(1, { error: 'must be a whole number of at least 1' });

/**
 * Matches `intel match` holds in memory (one per account, indicator and campaign): received
 * indicators that match broadly would otherwise hold every account times every indicator. A match
 * took about 720 bytes (1,000,000 accounts each matching one indicator), so the default holds
 * about 350 MiB and the ceiling about 2.7 GiB, within Node's default heap on a 64-bit machine.
 */
export const MATCH_HITS = { default: 500_000, max: 4_000_000 } as const;

const Duration = z
  .string()
  .regex(/^\d+(?:\.\d+)?(?:ms|s|m)?$/u, { error: 'must be a duration like 500ms, 30s or 2m' });

/** `scale status`: the workers' database, and NATS for the lag (optional). */
export const ScaleStatusConfig = z.object({
  databaseUrl: databaseUrl('the workers’ PostgreSQL URL'),
  nats: NatsUrl.optional()
    .describe('NATS JetStream server, for each partition’s lag')
    .meta(flag({ value: 'url', defaultText: 'no NATS: lag not shown' })),
  json: z.boolean().default(false).describe('print the status as JSON'),
});

/** `scale findings`: the newest findings the workers scored, as a findings.v1 file. */
export const ScaleFindingsConfig = z.object({
  databaseUrl: databaseUrl('the workers’ PostgreSQL URL'),
  out: z
    .string()
    .min(1)
    .describe('write the findings.v1 JSON here')
    .meta(flag({ value: 'file' })),
});

/** `findings export`: findings.v1 -> records a SIEM reads (docs/siem.md). */
export const FindingsExportConfig = z.object({
  format: z
    .enum(['ocsf'])
    .describe('record format: ocsf = OCSF 1.5 Detection Findings (class 2004), one JSON record per line')
    .meta(flag({ value: 'format' })),
  findings: z
    .string()
    .min(1)
    .describe('findings.v1 JSON from analyze')
    .meta(flag({ value: 'file' })),
  out: z
    .string()
    .min(1)
    .describe('NDJSON file to write')
    .meta(flag({ value: 'file' })),
  minLevel: z
    .enum(['review', 'act'])
    .default('review')
    .describe('lowest level written')
    .meta(flag({ value: 'level' })),
  policy: z
    .string()
    .optional()
    .describe('response policy YAML whose actions the records name')
    .meta(flag({ value: 'file', defaultText: 'the package’s policy/default.yaml' })),
});

/** Where the reading commands (validate, ingest, analyze) take their input from. */
export const InputConfig = z.object({
  quarantine: z
    .string()
    .optional()
    .describe('where rejected lines go')
    .meta(flag({ value: 'file', defaultText: '<first input>.quarantine.ndjson here' })),
  format: z
    .enum(['auto', ...InputFormatName.options])
    .default('auto')
    .describe('input format (see docs/ingest.md)')
    .meta(flag({ value: 'format' })),
  csvMap: z
    .string()
    .optional()
    .describe('CSV column names, FIELD=COLUMN,... (see docs/ingest.md)')
    .meta(flag({ value: 'pairs' })),
  otlpAccountAttr: z
    .string()
    .optional()
    .describe('OTLP span attribute holding the account id')
    .meta(flag({ value: 'attr', defaultText: '"enduser.id", then "user.id"' })),
  progress: z.boolean().default(true).describe('no progress bar or progress log lines'),
});

export const ValidateConfig = InputConfig.extend({
  accounts: z
    .string()
    .optional()
    .describe('accounts NDJSON file to validate as well')
    .meta(flag({ value: 'file' })),
  json: z.boolean().default(false).describe('print the summary as JSON'),
});

export const IntelValidateConfig = z.object({
  schemas: z
    .string()
    .min(1)
    .optional()
    .describe(
      'also check against the OASIS STIX 2.1 JSON schemas in this folder (the schemas folder of cti-stix2-json-schemas)',
    )
    .meta(flag({ value: 'dir', defaultText: 'only the STIX 2.1 schemas built into the package' })),
});

export const IngestConfig = InputConfig.extend({
  nats: NatsUrl.describe('NATS JetStream server, nats://HOST:PORT').meta(
    flag({ value: 'url', aliases: ['to'] }),
  ),
  accounts: z
    .string()
    .optional()
    .describe('account records NDJSON to publish as well')
    .meta(flag({ value: 'file' })),
  json: z.boolean().default(false).describe('print the summary as JSON'),
  fullWait: Duration.default('2m')
    .describe('how long to wait for workers to make room in a full stream before giving up (exit 1)')
    .meta(flag({ value: 'duration' })),
  rate: z
    .number({ error: 'must be a number of events per second above 0' })
    .positive({ error: 'must be a number of events per second above 0' })
    .optional()
    .describe('publish at most this many events per second (replaying a file as live traffic)')
    .meta(flag({ value: 'n', defaultText: 'as fast as the stream stores them' })),
});

export const AnalyzeConfig = InputConfig.extend({
  accounts: z
    .array(z.string())
    .optional()
    .describe('accounts NDJSON file (repeatable)')
    .meta(flag({ value: 'file', repeat: true })),
  baseline: z
    .array(z.string())
    .optional()
    .describe('known-benign traffic to calibrate thresholds on (repeatable)')
    .meta(flag({ value: 'file', repeat: true })),
  out: z
    .string()
    .default('findings.json')
    .describe('findings.v1 JSON output')
    .meta(flag({ value: 'file' })),
  report: z
    .string()
    .optional()
    .describe('self-contained HTML report')
    .meta(flag({ value: 'file' })),
  threads: positive
    .optional()
    .describe('partition worker threads for NDJSON traffic (1 = single-threaded)')
    .meta(flag({ value: 'n', defaultText: 'one per core, at most 2, for inputs of 32 MiB or more' })),
});

/** `worker` and `serve`: /metrics and /healthz on a port of their own (no API key: scrapers and probes). */
const metricsPort = Port.optional()
  .describe('serve /metrics (Prometheus) and /healthz on this port (0 picks a free one)')
  .meta(flag({ value: 'port' }));
const metricsHost = z
  .string()
  .min(1)
  .default('0.0.0.0')
  .describe('address the metrics port listens on')
  .meta(flag({ value: 'host' }));

export const ServeConfig = z.object({
  host,
  port: port(8080),
  dataDir: z
    .string()
    .default('data')
    .describe('directory of the SQLite store (when no database URL)')
    .meta(flag({ value: 'dir' })),
  databaseUrl: databaseUrl('postgres://… or sqlite:FILE'),
  policy: z
    .string()
    .optional()
    .describe('response policy YAML')
    .meta(flag({ value: 'file', defaultText: 'the package’s policy/default.yaml' })),
  demo: z
    .boolean()
    .default(false)
    .describe('create an admin key now and hand it to dashboards opened from this machine'),
  rateLimit: positive
    .optional()
    .describe('requests per minute per API key')
    .meta(flag({ value: 'n' })),
  nats: NatsUrl.optional()
    .describe('also publish ingested events to NATS JetStream for scale-out workers')
    .meta(flag({ value: 'url' })),
  webhookAllowPrivate: z
    .string()
    .optional()
    .describe(
      'comma-separated IPs/CIDRs webhooks may reach although loopback, private or link-local (in-house receivers)',
    )
    .meta(flag({ value: 'cidrs', defaultText: 'no private addresses' })),
  guardrailFail: z
    .enum(['open', 'closed'])
    .default('open')
    .describe(
      'guardrail webhooks (Portkey, kgateway, Aperture): the verdict when the account or the body cannot be read — open lets the request through, closed refuses it',
    )
    .meta(flag({ value: 'mode' })),
  guardrailAccountKey: z
    .string()
    .min(1)
    .max(100)
    .default('_user')
    .describe("guardrail webhooks: the metadata key that names the account (Portkey's x-portkey-metadata)")
    .meta(flag({ value: 'key' })),
  guardrailAccountHeader: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,100}$/, { error: 'must be an HTTP header name' })
    .default('x-account-id')
    .describe('guardrail webhooks: the header that names the account where the contract has none (kgateway)')
    .meta(flag({ value: 'name' })),
  guardrailBodyBytes: positive
    .default(4 * 1024 * 1024)
    .describe(
      'guardrail webhooks: largest request body in bytes (larger ones get the --guardrail-fail verdict)',
    )
    .meta(flag({ value: 'bytes' })),
  canarySecret: z
    .string()
    .optional()
    .describe(
      "guardrail webhooks: key of the canary generator; canaries go into watched accounts' answers where a hook may rewrite them (Portkey after-request hook); canaries are served only when it is given",
    )
    .meta(flag({ value: 'secret', defaultText: '$DISTILLGUARD_CANARY_SECRET' })),
  canaryRegistry: z
    .string()
    .optional()
    .describe('guardrail webhooks: where served canaries are recorded')
    .meta(flag({ value: 'file', defaultText: '<data-dir>/guardrail-canaries.ndjson' })),
  canaryRate: z
    .number()
    .gt(0, { error: 'must be in (0, 1]' })
    .max(1, { error: 'must be in (0, 1]' })
    .default(0.5)
    .describe('guardrail webhooks: share of watched answers that carry a canary, in (0, 1]')
    .meta(flag({ value: 'r' })),
  canaryBanks: z
    .string()
    .optional()
    .describe('guardrail webhooks: your own canary word banks (YAML or JSON); the probe needs the same file')
    .meta(flag({ value: 'file' })),
  canaryPrompts: z
    .boolean()
    .default(true)
    .describe('keep customer prompts out of the canary registry (the probe then needs --prompts)'),
  metricsPort,
  metricsHost,
});

export const DemoConfig = z.object({
  host,
  port: port(8080),
  scale: z
    .enum(['small', 'medium', 'large'])
    .default('small')
    .describe('simulated population')
    .meta(flag({ value: 'scale' })),
  // The simulation's seed; the detection seed of a demo comes from --config.
  seed: z
    .int()
    .min(0)
    .default(1)
    .describe('simulation seed')
    .meta(flag({ value: 'n' })),
  batch: positive
    .default(2000)
    .describe('events per HTTP batch')
    .meta(flag({ value: 'n' })),
  dataDir: z
    .string()
    .optional()
    .describe('store directory')
    .meta(flag({ value: 'dir', defaultText: 'a fresh temporary directory' })),
});

/** Options of `hub` itself, for all its subcommands. */
export const HubConfig = z.object({
  databaseUrl: databaseUrl(
    'sqlite:<file> or postgres://…',
    '$DISTILLGUARD_DATABASE_URL, else data/hub/distillguard.db',
  ),
});

export const HubServeConfig = z.object({
  host,
  port: port(8443),
  title: z
    .string()
    .optional()
    .describe('hub title shown at discovery')
    .meta(flag({ value: 'title' })),
  authFailuresPerMinute: positive
    .default(10)
    .describe('failed password checks one client address may cause per minute before 429')
    .meta(flag({ value: 'n' })),
});

const text = (help: string, value: string) => z.string().min(1).describe(help).meta(flag({ value }));
const optionalText = (help: string, value: string, defaultText?: string) =>
  z
    .string()
    .min(1)
    .optional()
    .describe(help)
    .meta(flag({ value, ...(defaultText === undefined ? {} : { defaultText }) }));
const switchFlag = (help: string) => z.boolean().default(false).describe(help);

/** `hub member add`. */
export const HubMemberAddConfig = z.object({
  publicKey: optionalText(
    'ed25519 signing public key (from intel keygen)',
    'hex',
    'no key: register one later with hub member key',
  ),
  keyId: optionalText('its key id', 'id', '<name>-ed25519-1'),
  discloseSightings: switchFlag('let publishers see this member’s name on its sightings'),
});

/** `hub member key`. */
export const HubMemberKeyConfig = z.object({
  publicKey: text('ed25519 public key (from intel keygen)', 'hex'),
  keyId: text('key id', 'id'),
});

/** `hub group add`. */
export const HubGroupAddConfig = z.object({
  membersVisible: switchFlag('members may list each other'),
});

/** `hub collection add`. */
export const HubCollectionAddConfig = z.object({
  id: optionalText('collection id', 'id', 'a new UUID'),
  description: optionalText('collection description shown to members', 'text'),
});

/** `hub collection grant`: at least one of the two. */
export const HubCollectionGrantConfig = z.object({
  read: switchFlag('members of the group may read'),
  write: switchFlag('members of the group may publish'),
});

/** `hub audit list`. */
export const HubAuditListConfig = z.object({
  limit: positive
    .default(50)
    .describe('how many of the newest entries to print')
    .meta(flag({ value: 'n' })),
});

/** `intel keygen`. */
export const IntelKeygenConfig = z.object({
  member: text('member name at the hub', 'name'),
  out: text('key file to write (YAML, keep private)', 'file'),
});

/** `intel community-key`. */
export const IntelCommunityKeyConfig = z.object({
  id: text('key id carried with every keyed hash', 'id'),
  out: text('key file to write (YAML, keep private)', 'file'),
});

/** `intel export`. */
export const IntelExportConfig = z.object({
  findings: text('findings.v1 JSON from analyze', 'file'),
  traffic: z
    .array(z.string().min(1))
    .optional()
    .describe('the traffic analysed, for indicator details (networks, clients, templates) and their rarity')
    .meta(
      flag({ value: 'files', variadic: true, defaultText: 'no traffic: attribute indicators are withheld' }),
    ),
  accounts: optionalText('accounts NDJSON (payment and e-mail fingerprints are keyed-hashed)', 'file'),
  publisher: text('this member’s name at the hub', 'name'),
  key: text('community key file (HMAC keys with ids)', 'file'),
  policy: optionalText('sharing policy YAML', 'file', 'the built-in allow-list'),
  tlp: optionalText(
    'TLP 2.0 level for everything exported: clear, green, amber, amber+strict or red',
    'level',
    'the policy’s default_tlp',
  ),
  confirm: z
    .array(z.string().min(1).max(64))
    .optional()
    .describe(
      'clusters a person confirmed as attacks: shared although held for a person (one academic institution’s group); adds to the policy’s confirmed_clusters',
    )
    .meta(
      flag({ value: 'cluster-ids', variadic: true, defaultText: 'only the policy’s confirmed_clusters' }),
    ),
  sign: optionalText('member signing key: also write <out>.sig', 'file', 'no signature file'),
  out: optionalText('bundle file to write (needed unless --dry-run)', 'file'),
  dryRun: switchFlag('only show what would leave and what is withheld, and why'),
});

/** How a member reaches the hub (`intel push`, `pull`, `sightings`). */
export const HubClientConfig = z.object({
  hub: text('the hub API root, e.g. http://hub.example:8443/api1/', 'url'),
  apiKey: optionalText('member API key', 'key', '$DISTILLGUARD_HUB_API_KEY'),
  user: optionalText('member name for HTTP Basic (with --password)', 'member'),
  password: optionalText('password for HTTP Basic', 'password', '$DISTILLGUARD_HUB_PASSWORD'),
});

const collection = text('collection id', 'id');
const intelState = z
  .string()
  .min(1)
  .default('.distillguard/intel')
  .describe('where received intel and the cursor live')
  .meta(flag({ value: 'dir' }));

/** `intel push`. */
export const IntelPushConfig = HubClientConfig.extend({
  collection,
  bundle: text('bundle from intel export', 'file'),
  sign: text('member signing key', 'file'),
});

/** `intel pull`. */
export const IntelPullConfig = HubClientConfig.extend({
  collection,
  state: intelState,
  limit: positive
    .optional()
    .describe('objects per page')
    .meta(flag({ value: 'n', defaultText: 'the hub’s page size' })),
});

/** `intel match`. */
export const IntelMatchConfig = z.object({
  traffic: z
    .array(z.string().min(1))
    .min(1)
    .describe('local traffic')
    .meta(flag({ value: 'files', variadic: true })),
  accounts: optionalText('local accounts NDJSON', 'file'),
  key: text('community key file', 'file'),
  member: text('this member’s name (for named sightings)', 'name'),
  state: intelState.describe('received intel from intel pull'),
  signals: optionalText('write {account: [signal]} JSON for analyze/serve', 'file'),
  sightings: optionalText('write a bundle of STIX sightings to push back', 'file'),
  named: switchFlag('name this member on sightings, which are otherwise anonymous'),
  findings: optionalText('local findings: report which local clusters are shared campaigns', 'file'),
  maxHits: positive
    .max(MATCH_HITS.max, { error: `must be at most ${MATCH_HITS.max}` })
    .default(MATCH_HITS.default)
    .describe(
      `most matches (account × indicator × campaign) held in memory, up to ${MATCH_HITS.max}; past it an account's further matches are counted, not recorded`,
    )
    .meta(flag({ value: 'n' })),
});

const psiState = text('your private PSI state (secret scalar; never send it)', 'file');
const psiItems = text('your identifiers, one a line (keyed hashes work best)', 'file');

/** `intel psi start`: step 1, by the member who starts. */
export const IntelPsiStartConfig = z.object({
  items: psiItems,
  state: psiState.describe('your private PSI state to write (secret scalar; never send it)'),
  out: text('the first message, to send to the peer', 'file'),
});

/** `intel psi respond`: step 2, by the other member. */
export const IntelPsiRespondConfig = z.object({
  items: psiItems,
  state: psiState.describe('your private PSI state to write (secret scalar; never send it)'),
  in: text('the start message the peer sent', 'file'),
  out: text('the answer, to send back to the peer', 'file'),
});

/** `intel psi finish`: step 3, by each member. */
export const IntelPsiFinishConfig = z.object({
  state: psiState.describe('your PSI state from start or respond'),
  in: text('the message the peer sent', 'file'),
  out: optionalText(
    'the last message, for the peer to finish with (the member who started must write it)',
    'file',
  ),
});

export const WorkerConfig = z.object({
  nats: NatsUrl.describe('NATS JetStream server, nats://HOST:PORT').meta(flag({ value: 'url' })),
  databaseUrl: databaseUrl('PostgreSQL URL shared by all workers'),
  metricsPort,
  metricsHost,
  scoreEvery: Duration.default('30s')
    .describe('run the global scoring stage this often (0 = never)')
    .meta(flag({ value: 'duration' })),
  scoreWhenQuiet: Duration.default('1s')
    .describe(
      'with --score-every, also score once commits stop for this long, so findings follow the end of a burst (0 = only at the interval)',
    )
    .meta(flag({ value: 'duration' })),
  batch: positive
    .max(1000)
    .default(1000)
    .describe('messages per fetch and per transaction (at most 1000)')
    .meta(flag({ value: 'n' })),
  lease: Duration.default('10s')
    .describe('partition lease; a dead worker’s partitions move after this long')
    .meta(flag({ value: 'duration' })),
  ackWait: Duration.default('30s')
    .describe('redelivery delay of unacknowledged messages (set when the stream is created)')
    .meta(flag({ value: 'duration' })),
  pruneEvery: Duration.default('60s')
    .describe('delete acknowledged seen event ids this often (0 = never)')
    .meta(flag({ value: 'duration' })),
  seenRetention: Duration.optional()
    .describe('keep seen event ids at least this long')
    .meta(flag({ value: 'duration', defaultText: 'the stream’s duplicate window, 2h' })),
  id: z
    .string()
    .optional()
    .describe(
      'worker name, shown as its partitions’ owner; a pod or host name is safe: leases belong to the process',
    )
    .meta(flag({ value: 'name', defaultText: '<host>-<pid>-<random>' })),
});

const seconds = (fallback: number, min: 'positive' | 'nonnegative', help: string) =>
  (min === 'positive' ? z.number().positive() : z.number().nonnegative())
    .default(fallback)
    .describe(help)
    .meta(flag({ value: 'seconds' }));

/**
 * The gateway's settings, in the units of its flags (seconds). The one place of its defaults:
 * `startGateway` and the gateway itself fall back to `GATEWAY_DEFAULTS`.
 */
export const GatewaySettings = z.object({
  upstream: z
    .string()
    .describe('model API to forward to, e.g. https://api.openai.com')
    .meta(flag({ value: 'url' })),
  port: Port.describe('port to listen on (0 picks a free one)').meta(flag({ value: 'n' })),
  host,
  server: z
    .string()
    .optional()
    .describe('DistillGuard server: decisions from GET /v1/decisions/:id, events to POST /v1/events')
    .meta(flag({ value: 'url' })),
  serverKey: z
    .string()
    .optional()
    .describe('API key for --server (enforcement + ingest roles)')
    .meta(flag({ value: 'key', defaultText: '$DISTILLGUARD_API_KEY' })),
  decisions: z
    .string()
    .optional()
    .describe(
      'static decisions (JSON/YAML list of {account_id, action, cluster_id?, watch?}) instead of the server',
    )
    .meta(flag({ value: 'file' })),
  keys: z
    .string()
    .optional()
    .describe('API key hash -> account id map (JSON/YAML), see docs/gateway.md')
    .meta(flag({ value: 'file' })),
  trustAccountHeader: z
    .boolean()
    .default(false)
    .describe('take the account from X-Account-Id (only behind an auth layer that sets it)'),
  trustForwardedFor: z
    .boolean()
    .default(false)
    .describe('take the client IP from X-Forwarded-For (only behind a proxy that sets it)'),
  nats: NatsUrl.optional()
    .describe('publish recorded events to NATS JetStream (scale-out workers) instead of the server')
    .meta(flag({ value: 'url' })),
  eventsOut: z
    .string()
    .optional()
    .describe('append recorded events to this NDJSON file (when there is no --server)')
    .meta(flag({ value: 'file' })),
  spool: z
    .string()
    .default('gateway-spool.ndjson')
    .describe('local NDJSON spool for events the sink cannot take yet')
    .meta(flag({ value: 'file' })),
  canarySecret: z
    .string()
    .optional()
    .describe('key of the canary generator')
    .meta(flag({ value: 'secret', defaultText: '$DISTILLGUARD_CANARY_SECRET, else no canaries' })),
  canaryBanks: z
    .string()
    .optional()
    .describe('your own canary word banks (YAML or JSON, docs/gateway.md); the probe needs the same file')
    .meta(flag({ value: 'file' })),
  canaryRegistry: z
    .string()
    .default('gateway-canaries.ndjson')
    .describe('where served canaries are recorded')
    .meta(flag({ value: 'file' })),
  canaryRate: z
    .number()
    .gt(0, { error: 'must be in (0, 1]' })
    .max(1, { error: 'must be in (0, 1]' })
    .default(0.5)
    .describe('share of watched answers that carry a canary, in (0, 1]')
    .meta(flag({ value: 'r' })),
  canaryPrompts: z
    .boolean()
    .default(true)
    .describe('keep customer prompts out of the canary registry (the probe then needs --prompts)'),
  decisionTtl: seconds(5, 'positive', 'how long a cached decision is fresh'),
  degradeMaxTokens: positive
    .default(512)
    .describe('output token cap for degraded accounts')
    .meta(flag({ value: 'n' })),
  throttleRpm: z
    .number()
    .positive()
    .default(6)
    .describe('requests per minute for throttled accounts without their own rate')
    .meta(flag({ value: 'n' })),
  verificationUrl: z
    .string()
    .optional()
    .describe('where step-up answers send customers to verify')
    .meta(flag({ value: 'url' })),
  upstreamConnections: positive
    .default(256)
    .describe('connections to the upstream, and the most requests in flight to it')
    .meta(flag({ value: 'n' })),
  upstreamQueue: z
    .int({ error: 'must be a whole number' })
    .min(0)
    .default(64)
    .describe('requests that may wait for a free upstream connection; more get 503 gateway_overloaded')
    .meta(flag({ value: 'n' })),
  upstreamQueueWait: seconds(
    2,
    'nonnegative',
    'longest wait for a free upstream connection before 503 gateway_overloaded',
  ),
  upstreamConnectTimeout: seconds(
    10,
    'positive',
    'time to connect to the upstream (then 504 upstream_timeout)',
  ),
  upstreamHeadersTimeout: seconds(
    300,
    'positive',
    "time to the upstream's response headers (a whole answer's headers come when it is done)",
  ),
  upstreamIdleTimeout: seconds(
    120,
    'positive',
    'longest silence in the upstream body, and longest a client may leave the answer unread',
  ),
});
export type GatewaySettings = z.infer<typeof GatewaySettings>;

/** The gateway's defaults, from the schema above. */
export const GATEWAY_DEFAULTS = GatewaySettings.omit({ upstream: true, port: true }).parse({});

export const ProbeConfig = z.object({
  target: z
    .string()
    .describe('OpenAI-compatible API of the suspect model, e.g. http://host:8000/v1')
    .meta(flag({ value: 'url' })),
  model: z
    .string()
    .describe('model name to ask for')
    .meta(flag({ value: 'name' })),
  apiKey: z
    .string()
    .optional()
    .describe('bearer key for the target')
    .meta(flag({ value: 'key', defaultText: '$DISTILLGUARD_PROBE_API_KEY' })),
  registry: z
    .string()
    .default(GATEWAY_DEFAULTS.canaryRegistry)
    .describe('canary registry the gateway wrote')
    .meta(flag({ value: 'file' })),
  canarySecret: z
    .string()
    .optional()
    .describe('the gateway canary secret (draws the controls)')
    .meta(flag({ value: 'secret', defaultText: '$DISTILLGUARD_CANARY_SECRET' })),
  canaryBanks: z
    .string()
    .optional()
    .describe('the canary word banks the gateway ran with, if not the defaults')
    .meta(flag({ value: 'file' })),
  prompts: z
    .string()
    .optional()
    .describe('extra prompts, one per line or NDJSON with a prompt field')
    .meta(flag({ value: 'file' })),
  controls: positive
    .default(64)
    .describe('control canaries (never served) to check')
    .meta(flag({ value: 'n' })),
  promptsPerCanary: positive
    .default(2)
    .describe('served prompts asked again per canary')
    .meta(flag({ value: 'n' })),
  alpha: z
    .number()
    .gt(0, { error: 'must be in (0, 1)' })
    .lt(1, { error: 'must be in (0, 1)' })
    .default(0.01)
    .describe('significance level for attribution')
    .meta(flag({ value: 'p' })),
  concurrency: positive
    .default(4)
    .describe('parallel requests to the target')
    .meta(flag({ value: 'n' })),
  out: z
    .string()
    .default('.')
    .describe('where probe-report.json and probe-report.html go')
    .meta(flag({ value: 'dir' })),
  json: z.boolean().default(false).describe('print the JSON report instead of the summary'),
});

const corpusList = (help: string) =>
  z
    .array(z.string())
    .default([])
    .describe(help)
    .meta(flag({ value: 'file', repeat: true }));
const whole = z.int({ error: 'must be a whole number' }).min(0, { error: 'must be a whole number' });

export const SimulateConfig = z.object({
  scale: z
    .enum(['small', 'medium', 'large'])
    .default('small')
    .describe('population size')
    .meta(flag({ value: 'scale' })),
  seed: whole
    .default(1)
    .describe('random seed; the same seed gives the same bytes')
    .meta(flag({ value: 'n' })),
  out: z
    .string()
    .describe('output directory')
    .meta(flag({ value: 'dir' })),
  gzip: z.boolean().default(false).describe('write traffic.ndjson.gz'),
  corpus: corpusList(
    'real prompt corpus (JSONL of {"turns"} or {"prompt","response"}); "distill" in the name or source feeds attackers (repeatable)',
  ),
  benignCorpus: corpusList('corpus whose texts feed ordinary users only (repeatable)'),
  attackerCorpus: corpusList('corpus whose prompts feed extraction campaigns only (repeatable)'),
  actorSeed: whole
    .optional()
    .describe(
      "seed of the attackers' infrastructure and templates; share it to simulate one actor at two providers",
    )
    .meta(flag({ value: 'n', defaultText: 'the --seed value' })),
  accountPrefix: z
    .string()
    .default('acct_')
    .describe('prefix of account ids')
    .meta(flag({ value: 'prefix' })),
  days: whole
    .default(14)
    .describe('length of the simulated window in days')
    .meta(flag({ value: 'n' })),
  json: z.boolean().default(false).describe('print the summary as JSON'),
});

export const EvalConfig = z.object({
  truth: z
    .string()
    .describe('truth.json written by simulate')
    .meta(flag({ value: 'file' })),
  findings: z
    .string()
    .describe('findings.json written by analyze')
    .meta(flag({ value: 'file' })),
});

const seedList = (help: string, fallback?: string) => {
  const list = z.string().regex(/^\s*\d+(?:\s*,\s*\d+)*\s*$/u, {
    error: 'must be comma-separated whole numbers',
  });
  return (fallback === undefined ? list.optional() : list.default(fallback))
    .describe(help)
    .meta(flag({ value: 'list' }));
};

/** `eval-suite`: the evaluation discipline of docs/evaluation.md. */
export const EvalSuiteConfig = z.object({
  scales: z
    .string()
    .regex(/^\s*(?:small|medium|large)(?:\s*,\s*(?:small|medium|large))*\s*$/u, {
      error: 'must be a comma-separated list of small, medium and large',
    })
    .default('small,medium')
    .describe('scales to run, each at its own seeds')
    .meta(flag({ value: 'list' })),
  seeds: seedList('seeds at small scale', '1,2,3,4,5,6,7,8,9,10'),
  mediumSeeds: seedList('seeds at medium scale', '1,2,3'),
  largeSeeds: seedList('seeds at large scale', '1'),
  commit: z
    .string()
    .regex(/^[0-9a-fA-F]{7,64}$/u, { error: 'must be a commit id (7 to 64 hex digits)' })
    .optional()
    .describe(
      'derive the small-scale seeds from this commit id instead of --seeds (CI passes git rev-parse HEAD); they are printed, so a failure reproduces with --seeds',
    )
    .meta(flag({ value: 'sha' })),
  commitSeeds: positive
    .default(4)
    .describe('how many seeds --commit derives')
    .meta(flag({ value: 'n' })),
  corpora: z
    .union([z.string().min(1), z.literal(false)])
    .optional()
    .describe(
      'folder of real prompt corpora: one run per corpus and one with all (npm run eval passes the shared corpora folder)',
    )
    .meta(flag({ value: 'dir', negatable: true, defaultText: 'no corpus runs' })),
  corpusSeed: whole
    .default(11)
    .describe('seed of the corpus runs')
    .meta(flag({ value: 'n' })),
  leaveOneOut: z
    .boolean()
    .default(true)
    .describe('skip choosing thresholds on two corpora and reporting the third'),
  ablation: whole
    .default(2)
    .describe(
      'small-scale seeded runs re-analysed with each detector and link type switched off in turn (0 = none)',
    )
    .meta(flag({ value: 'n' })),
  bar: z
    .enum(['full', 'ci'])
    .default('full')
    .describe(
      "which bar items fail the command: every item, or CI's (the items that hold today; the rest are printed as not yet met)",
    )
    .meta(flag({ value: 'items' })),
  json: z
    .string()
    .optional()
    .describe('write every run, summary, leave-one-out trial and ablation as JSON to this file')
    .meta(flag({ value: 'file' })),
});
