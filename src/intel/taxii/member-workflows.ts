import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { readAccounts, readEvents, readUserFile, readUserJson, userFileError } from '../../ingest/index.js';
import {
  BundleSignature,
  StixBundle,
  readEnv,
  UserError,
  type AccountRecord,
  type HubSighting,
  type Signal,
  type StixObject,
} from '../../contracts/index.js';
import { loadKeyRing } from '../match/community-key.js';
import { checkBundle } from '../stix/bundle-check.js';
import { PATTERN_PROBLEM_PREFIX, stixObjectProblems } from '../stix/object-check.js';
import { dryRunReport, exportBundle, readFindingsFile, type ExportResult } from '../stix/export-bundle.js';
import { identityIdFor, memberIdentity } from '../stix/findings-to-stix.js';
import { stixNow } from '../stix/ids.js';
import { IntelMatcher, type CampaignMatch } from '../match/matcher.js';
import { loadSharingPolicy } from '../policy/sharing-policy.js';
import {
  PsiFinish,
  PsiResponse,
  PsiStart,
  PsiState,
  psiInitiatorFinish,
  psiRespond,
  psiResponderFinish,
  psiStart,
} from '../policy/psi.js';
import { ReceivedIntel } from './received-intel.js';
import {
  generateMemberKey,
  loadMemberKey,
  memberKeyToFile,
  signObjects,
  verifyObjects,
} from '../stix/signing.js';
import { TaxiiClient, type HubCredentials } from './taxii-client.js';
import { TLP_IDS, parseTlp, tlpOf } from '../stix/tlp.js';
import { loadStixOracle } from '../stix/stix-oracle.js';

// The CLI's intel commands, as functions: files in, files out, one summary back.

export function writeMemberKey(member: string, out: string): string {
  const k = generateMemberKey(member);
  writeFileSync(out, toYaml(memberKeyToFile(k)), { mode: 0o600 });
  return Buffer.from(k.publicKey).toString('hex');
}

export function writeCommunityKey(id: string, out: string): void {
  writeFileSync(out, toYaml({ current: id, keys: [{ id, secret: randomBytes(32).toString('hex') }] }), {
    mode: 0o600,
  });
}

export interface ExportFlags {
  findings: string;
  traffic?: string[];
  accounts?: string;
  publisher: string;
  communityKey: string;
  /** Cluster ids a person confirmed (`--confirm`), added to the policy's `confirmed_clusters`. */
  confirm?: string[];
  policy?: string;
  tlp?: string;
  out?: string;
  sign?: string;
  dryRun?: boolean;
}

async function* accountsOf(file: string | undefined): AsyncGenerator<AccountRecord> {
  if (file) yield* readAccounts(file);
}

/** `intel export`: writes the bundle (and its .sig), or with dryRun only reports. */
export async function exportToFile(f: ExportFlags): Promise<{ result: ExportResult; report: string }> {
  const policy = loadSharingPolicy(f.policy);
  if (f.tlp) {
    const level = parseTlp(f.tlp);
    if (!level)
      throw new UserError(
        'INVALID_ARGUMENT',
        `--tlp ${f.tlp} is not a TLP 2.0 level (clear, green, amber, amber+strict, red).`,
      );
    policy.default_tlp = level;
  }
  const findings = readFindingsFile(f.findings);
  const unknown = f.confirm?.find((id) => !findings.clusters.some((c) => c.cluster_id === id));
  if (unknown)
    throw new UserError('INVALID_ARGUMENT', `--confirm ${unknown}: ${f.findings} has no cluster of that id.`);
  if (f.confirm?.length) policy.confirmed_clusters = [...policy.confirmed_clusters, ...f.confirm];
  const accounts: AccountRecord[] = [];
  for await (const a of accountsOf(f.accounts)) accounts.push(a);
  const result = await exportBundle({
    findings,
    ...(f.traffic?.length ? { events: readEvents(f.traffic) } : {}),
    accounts,
    publisher: { name: f.publisher },
    keyRing: loadKeyRing(f.communityKey),
    policy,
  });
  const report = dryRunReport(result);
  if (!f.dryRun) {
    if (!f.out)
      throw new UserError(
        'INVALID_ARGUMENT',
        'Pass --out <bundle.json>, or --dry-run to only see what would leave.',
      );
    writeFileSync(f.out, `${JSON.stringify(result.bundle, null, 2)}\n`);
    if (f.sign) {
      const sig = signObjects(result.bundle.objects ?? [], loadMemberKey(f.sign));
      writeFileSync(`${f.out}.sig`, `${JSON.stringify(sig, null, 2)}\n`);
    }
  }
  return { result, report };
}

export function readBundle(file: string): StixBundle {
  const parsed = StixBundle.safeParse(readUserJson(file, 'bundle', 'pass the bundle intel export wrote'));
  if (!parsed.success)
    throw new UserError(
      'INVALID_INPUT',
      `Bundle ${file} is not a STIX 2.1 bundle: ${parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}.`,
    );
  return parsed.data;
}

/**
 * `intel validate`: the bundle against the STIX 2.1 schemas built into the package (every object
 * by its type, the bundle's references, one object per id and version, every indicator's STIX
 * pattern against the patterning grammar), and with `schemasDir` against the OASIS
 * cti-stix2-json-schemas as well; throws with the first problems. When every problem is an
 * indicator pattern, the code is INVALID_STIX_PATTERN; otherwise INVALID_INPUT (both exit 2).
 */
export function validateBundleFile(file: string, schemasDir?: string): void {
  if (schemasDir && !existsSync(path.join(schemasDir, 'common', 'bundle.json')))
    throw new UserError(
      'FILE_NOT_FOUND',
      `--schemas ${schemasDir} does not hold the OASIS STIX 2.1 JSON schemas (common/bundle.json); pass the schemas folder of cti-stix2-json-schemas`,
    );
  const bundle = readBundle(file);
  const problems = new Set(checkBundle(bundle));
  for (const o of bundle.objects ?? []) for (const p of stixObjectProblems(o)) problems.add(`${o.id} ${p}`);
  if (problems.size > 0) {
    const all = [...problems];
    const onlyPatterns = all.every((p) => p.includes(` ${PATTERN_PROBLEM_PREFIX}`));
    throw new UserError(
      onlyPatterns ? 'INVALID_STIX_PATTERN' : 'INVALID_INPUT',
      `${file} does not validate: ${all.slice(0, 5).join('; ')}`,
    );
  }
  if (!schemasDir) return;
  const r = loadStixOracle(schemasDir).validateBundle(bundle);
  if (!r.valid)
    throw new UserError(
      'INVALID_INPUT',
      `${file} does not validate against the OASIS schemas: ${r.errors.slice(0, 5).join('; ')}`,
    );
}

export function hubCredentials(opts: { apiKey?: string; user?: string; password?: string }): HubCredentials {
  const apiKey = opts.apiKey ?? readEnv('DISTILLGUARD_HUB_API_KEY');
  if (apiKey) return { apiKey };
  const password = opts.password ?? readEnv('DISTILLGUARD_HUB_PASSWORD');
  if (opts.user && password) return { user: opts.user, password };
  throw new UserError(
    'UNAUTHENTICATED',
    'Give hub credentials: --api-key (or DISTILLGUARD_HUB_API_KEY), or --user with --password (or DISTILLGUARD_HUB_PASSWORD).',
  );
}

/**
 * The detached signature beside a bundle, or undefined when there is none (ENOENT: not signed
 * yet). One that cannot be read or is not a signature fails closed: ignoring it would sign and
 * send a bundle changed after it was signed.
 */
function readBundleSignature(file: string): BundleSignature | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw userFileError(err, file, 'bundle signature', 'remove it to sign the bundle now');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = BundleSignature.safeParse(json);
  if (!parsed.success)
    throw new UserError(
      'INVALID_INPUT',
      `bundle signature ${file} is not a signature intel export wrote; export and sign the bundle again, or remove the .sig to sign it now.`,
    );
  return parsed.data;
}

/** `intel push`: signs (or checks the existing .sig of) a bundle and posts it. */
export async function pushBundle(opts: {
  hub: string;
  collection: string;
  bundle: string;
  sign: string;
  credentials: HubCredentials;
}) {
  const bundle = readBundle(opts.bundle);
  const key = loadMemberKey(opts.sign);
  const existing = readBundleSignature(`${opts.bundle}.sig`);
  if (existing && !verifyObjects(bundle.objects ?? [], existing, key.publicKey))
    throw new UserError(
      'BAD_SIGNATURE',
      `${opts.bundle}.sig does not verify against ${opts.sign}: it was signed with another key or changed after signing. Export and sign it again.`,
    );
  return new TaxiiClient(opts.hub, opts.credentials).push(opts.collection, bundle.objects ?? [], key);
}

/** `intel pull`: resumes from the cursor in the state directory. */
export async function pullIntel(opts: {
  hub: string;
  collection: string;
  state: string;
  credentials: HubCredentials;
  limit?: number;
}) {
  const received = ReceivedIntel.open(opts.state);
  const r = await received.pull(
    new TaxiiClient(opts.hub, opts.credentials),
    opts.collection,
    opts.limit ? { limit: opts.limit } : {},
  );
  return { received: r.received, pages: r.pages, notes: r.notes ?? [], total: received.objects().length };
}

/** `intel sightings`: how many members sighted what this member published. */
export function hubSightings(opts: { hub: string; credentials: HubCredentials }): Promise<HubSighting[]> {
  return new TaxiiClient(opts.hub, opts.credentials).sightingCounts();
}

export interface MatchFlags {
  state: string;
  traffic: string[];
  accounts?: string;
  communityKey: string;
  member: string;
  anonymous: boolean;
  signalsOut?: string;
  sightingsOut?: string;
  /** Local findings: which local clusters are which shared campaigns. */
  findings?: string;
  /** Matches held in memory (`intel match --max-hits`); MATCH_LIMITS when not given. */
  maxHits?: number;
}

/**
 * Named sightings point at the member's identity (`created_by_ref`, `where_sighted_refs`), so
 * the bundle carries that identity, under the strictest TLP of the sightings it names.
 */
function withSighter(sightings: StixObject[], member: string): StixObject[] {
  const named = sightings.filter((s) => s.created_by_ref);
  if (!named.length) return sightings;
  const tlp = tlpOf(named.flatMap((s) => s.object_marking_refs ?? [])) ?? 'amber';
  return [memberIdentity(member, stixNow(new Date()), [TLP_IDS[tlp]]), ...sightings];
}

/** `intel match`: received indicators against local traffic; writes signals and sightings. */
export async function matchLocal(f: MatchFlags): Promise<{
  clusters: { clusterId: string; campaignId: string; campaignName: string; kinds: string[] }[];
  matches: Map<string, CampaignMatch[]>;
  signals: Map<string, Signal[]>;
  sightings: StixObject[];
  indicators: number;
  expired: number;
  refused: number;
  skipped: number;
  /** Indicators not used, by the reason their pattern is outside what is evaluated. */
  unsupported: ReadonlyMap<string, number>;
  /** Time-qualified patterns: accounts not evaluated (state bound full), requests left out (out of time order). */
  timed: { refused: number; late: number };
  /** Untimed alternatives of patterns: requests not counted (state bound full). */
  untimed: { refused: number };
  /** Accounts with a match not recorded (the hits bound, `maxHits`, held). */
  hitsRefused: number;
}> {
  const state = ReceivedIntel.open(f.state);
  const received = state.objects();
  if (received.length === 0)
    throw new UserError(
      'NO_EVENTS',
      `Nothing received yet in ${f.state}; run "distillguard intel pull" first.`,
    );
  const matcher = new IntelMatcher(
    received,
    loadKeyRing(f.communityKey),
    new Date(),
    undefined,
    state.sightingCounts(),
    f.maxHits === undefined ? undefined : { maxHits: f.maxHits },
  );
  for await (const a of accountsOf(f.accounts)) matcher.addAccount(a);
  for await (const e of readEvents(f.traffic)) matcher.addEvent(e);
  const signals = matcher.signals();
  const sightings = matcher.sightings({ anonymous: f.anonymous, identityId: identityIdFor(f.member) });
  if (f.signalsOut) writeFileSync(f.signalsOut, `${JSON.stringify(Object.fromEntries(signals), null, 2)}\n`);
  if (f.sightingsOut)
    writeFileSync(
      f.sightingsOut,
      `${JSON.stringify({ type: 'bundle', id: `bundle--${crypto.randomUUID()}`, objects: withSighter(sightings, f.member) }, null, 2)}\n`,
    );
  return {
    clusters: f.findings ? matcher.matchFindings(readFindingsFile(f.findings)) : [],
    matches: matcher.matches(),
    signals,
    sightings,
    indicators: matcher.indicators,
    expired: matcher.expired,
    refused: matcher.refused,
    skipped: matcher.skipped,
    unsupported: matcher.unsupported,
    timed: { refused: matcher.timedRefused, late: matcher.timedLate },
    untimed: { refused: matcher.countsRefused },
    hitsRefused: matcher.hitsRefused,
  };
}

const readLines = (file: string): string[] =>
  readUserFile(file, 'items file', 'pass a file of identifiers, one a line')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

function parseMessage<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  file: string,
  what: string,
): T {
  const r = schema.safeParse(
    readUserJson(file, `PSI ${what} message`, 'pass the file the other member sent'),
  );
  if (!r.success) throw new UserError('INVALID_INPUT', `${file} is not a PSI ${what} message.`);
  return r.data;
}

/** `intel psi start|respond|finish`: each step reads the peer's message file and writes its own. */
export function psiStep(
  step: 'start' | 'respond' | 'finish',
  f: { items?: string; state: string; in?: string; out?: string },
): string[] | undefined {
  const write = (file: string | undefined, v: unknown): void => {
    if (!file) throw new UserError('INVALID_ARGUMENT', `psi ${step} needs --out for the message to send.`);
    writeFileSync(file, `${JSON.stringify(v)}\n`);
  };
  if (step === 'start') {
    if (!f.items)
      throw new UserError('INVALID_ARGUMENT', 'psi start needs --items <file>, one identifier a line.');
    const r = psiStart(readLines(f.items));
    writeFileSync(f.state, JSON.stringify(r.state), { mode: 0o600 });
    write(f.out, r.message);
    return undefined;
  }
  if (step === 'respond') {
    if (!f.items || !f.in)
      throw new UserError('INVALID_ARGUMENT', 'psi respond needs --items and --in <start message>.');
    const r = psiRespond(readLines(f.items), parseMessage(PsiStart, f.in, 'start'));
    writeFileSync(f.state, JSON.stringify(r.state), { mode: 0o600 });
    write(f.out, r.message);
    return undefined;
  }
  if (!f.in) throw new UserError('INVALID_ARGUMENT', 'psi finish needs --in <peer message>.');
  const state = parseMessage(PsiState, f.state, 'state');
  if (state.role === 'initiator') {
    const r = psiInitiatorFinish(state, parseMessage(PsiResponse, f.in, 'response'));
    write(f.out, r.message);
    return r.overlap;
  }
  return psiResponderFinish(state, parseMessage(PsiFinish, f.in, 'finish'));
}
