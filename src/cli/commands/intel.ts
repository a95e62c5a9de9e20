import type { Command } from 'commander';
import type { z } from 'zod';
import {
  HubClientConfig,
  IntelCommunityKeyConfig,
  IntelExportConfig,
  IntelKeygenConfig,
  IntelMatchConfig,
  IntelPsiFinishConfig,
  IntelPsiRespondConfig,
  IntelPsiStartConfig,
  IntelPullConfig,
  IntelPushConfig,
  IntelValidateConfig,
} from '../../contracts/index.js';
import { addConfigFlags, configAction, configFromFlags, type Flags } from '../config-flags.js';
import { checkOutputFile } from '../output-paths.js';

/** Intel's code (STIX schemas, signing, TAXII client), loaded when an intel command runs. */
const intelModule = () => import('../../intel/index.js');

/** `configAction` for an intel command: its flags, arguments and the intel module, loaded. */
function intelAction<T extends z.ZodObject, A extends unknown[] = []>(
  cmd: Command,
  schema: T,
  run: (lib: Awaited<ReturnType<typeof intelModule>>, config: z.infer<T>, args: A) => void | Promise<void>,
): Command {
  return configAction(cmd, schema, async (f, args: A) => run(await intelModule(), f, args));
}

// Flags in, one call into src/intel/taxii/member-workflows.ts, lines out.

const out = (s: string): void => void process.stdout.write(`${s}\n`);

function registerKeys(intel: Command): void {
  const keygen = intel
    .command('keygen')
    .description('create an ed25519 signing key for this member (register the public key with the hub)');
  intelAction(keygen, IntelKeygenConfig, (lib, f) => {
    checkOutputFile('--out', f.out);
    out(`public key ${lib.writeMemberKey(f.member, f.out)}`);
  });

  const community = intel
    .command('community-key')
    .description('create a community HMAC key file (the sharing body distributes it to members)');
  intelAction(community, IntelCommunityKeyConfig, (lib, f) => {
    checkOutputFile('--out', f.out);
    lib.writeCommunityKey(f.id, f.out);
    out(`wrote ${f.out}`);
  });
}

function registerExport(intel: Command): void {
  const exp = intel.command('export').description('findings -> a signed, policy-filtered STIX 2.1 bundle');
  intelAction(exp, IntelExportConfig, async (lib, { key, ...f }) => {
    const { result, report } = await lib.exportToFile({ ...f, communityKey: key });
    if (f.dryRun) out(report);
    else
      out(
        `wrote ${f.out} (${result.bundle.objects?.length ?? 0} objects, ${result.withheld.length} withheld; --dry-run lists them)`,
      );
  });

  const validate = intel
    .command('validate')
    .description(
      'check a bundle against STIX 2.1: the schemas and indicator pattern grammar built into the package, and the OASIS JSON schemas with --schemas',
    )
    .argument('<bundle>', 'bundle JSON');
  intelAction(validate, IntelValidateConfig, (lib, f, [file]: [string]) => {
    lib.validateBundleFile(file, f.schemas);
    out(`${file}: valid STIX 2.1`);
  });
}

function registerPushPull(intel: Command): void {
  const push = intel.command('push').description('sign and publish a bundle to a hub collection');
  intelAction(push, IntelPushConfig, async (lib, f) => {
    const status = await lib.pushBundle({ ...f, credentials: lib.hubCredentials(f) });
    out(`published ${status.success_count} of ${status.total_count} objects (status ${status.id})`);
  });

  const pull = intel
    .command('pull')
    .description('fetch new objects from a hub collection (resumes from the last cursor)');
  intelAction(pull, IntelPullConfig, async (lib, f) => {
    const r = await lib.pullIntel({ ...f, credentials: lib.hubCredentials(f) });
    out(`received ${r.received} new objects in ${r.pages} pages; ${r.total} held in ${f.state}`);
    for (const note of r.notes) out(`note: ${note}`);
  });
}

function registerMatch(intel: Command): void {
  const match = intel
    .command('match')
    .description('match received indicators against local traffic; write shared-intel signals and sightings');
  intelAction(match, IntelMatchConfig, async (lib, f) => {
    const r = await lib.matchLocal({
      state: f.state,
      traffic: f.traffic,
      ...(f.accounts ? { accounts: f.accounts } : {}),
      communityKey: f.key,
      member: f.member,
      anonymous: !f.named,
      ...(f.signals ? { signalsOut: f.signals } : {}),
      ...(f.sightings ? { sightingsOut: f.sightings } : {}),
      ...(f.findings ? { findings: f.findings } : {}),
      maxHits: f.maxHits,
    });
    for (const c of r.clusters) out(`cluster ${c.clusterId} is ${c.campaignName} (${c.kinds.join(', ')})`);
    out(
      `${r.indicators} live indicators (${r.expired} expired${r.refused ? `, ${r.refused} not used: pattern not valid STIX 2.1, see "intel validate"` : ''}${r.skipped ? `, ${r.skipped} not used: over the bounds on MATCHES/LIKE expressions and pattern comparisons` : ''}${unsupportedNote(r.unsupported)}); ${r.matches.size} accounts match; ${r.sightings.length} campaigns sighted${boundNote(r)}`,
    );
    for (const [account, list] of [...r.matches].slice(0, 20))
      out(
        `  ${account}: ${list.map((m) => `${m.campaignName} p=${m.pValue.toPrecision(2)} (${[...new Set(m.hits.map((h) => h.ind.kind))].join(', ')})`).join('; ')}`,
      );
  });
}

/** `, N not used: pattern outside what intel match evaluates (first: reason)`, or nothing. */
function unsupportedNote(unsupported: ReadonlyMap<string, number>): string {
  const n = [...unsupported.values()].reduce((a, b) => a + b, 0);
  if (n === 0) return '';
  const [top] = [...unsupported].sort((a, b) => b[1] - a[1]);
  return `, ${n} not used: pattern outside what intel match evaluates (most often: ${top![0]})`;
}

/** Only when the matcher's bounds or the traffic's order cost something (docs/sharing.md). */
function boundNote({
  timed,
  untimed,
  hitsRefused,
}: {
  timed: { refused: number; late: number };
  untimed: { refused: number };
  hitsRefused: number;
}): string {
  return [
    timed.refused ? `; ${timed.refused} accounts' timed patterns not evaluated (state bound full)` : '',
    timed.late ? `; ${timed.late} requests out of time order left out of timed patterns` : '',
    untimed.refused ? `; ${untimed.refused} requests not counted for patterns (state bound full)` : '',
    hitsRefused
      ? `; ${hitsRefused} accounts' matches not all recorded (match bound full; --max-hits raises it)`
      : '',
  ].join('');
}

function registerSightings(intel: Command): void {
  const sightings = intel.command('sightings').description('how many members sighted what you published');
  intelAction(sightings, HubClientConfig, async (lib, f) => {
    const rows = await lib.hubSightings({ hub: f.hub, credentials: lib.hubCredentials(f) });
    if (!rows.length) out('no sightings of your objects yet');
    for (const r of rows)
      out(
        `${r.sighting_of_ref}: ${r.members} members, ${r.sightings} sightings, ${r.count} events${r.disclosed_by ? ` (${r.disclosed_by.join(', ')})` : ''}`,
      );
  });
}

const PSI_STEPS = {
  start: [
    'step 1, by the member who starts: blind your items and write the first message',
    IntelPsiStartConfig,
  ],
  respond: [
    'step 2, by the other member: answer the start message with your own blinded items',
    IntelPsiRespondConfig,
  ],
  finish: [
    'step 3, by each member: read the peer’s message and print the overlap (the starter also writes the last message)',
    IntelPsiFinishConfig,
  ],
} as const;

function registerPsi(intel: Command): void {
  const psi = intel
    .command('psi')
    .description(
      'private set intersection of suspect identifiers with one other member (start, respond, finish)',
    );
  for (const step of ['start', 'respond', 'finish'] as const) {
    const [description, schema] = PSI_STEPS[step];
    addConfigFlags(psi.command(step).description(description), schema).action(async (raw: Flags) => {
      const lib = await intelModule();
      const f: { items?: string; state: string; in?: string; out?: string } = configFromFlags(schema, raw);
      const overlap = lib.psiStep(step, f);
      if (overlap) {
        out(`${overlap.length} shared identifiers${overlap.length ? ':' : ''}`);
        for (const o of overlap) out(`  ${o}`);
      } else out(`wrote ${f.out}`);
    });
  }
}

export function registerIntel(program: Command): void {
  const intel = program
    .command('intel')
    .description('share campaign intelligence: STIX 2.1 export, signed push, pull, match, sightings, PSI');
  registerKeys(intel);
  registerExport(intel);
  registerPushPull(intel);
  registerMatch(intel);
  registerSightings(intel);
  registerPsi(intel);
}
