import { type Command, Option } from 'commander';
import { IntelValidateConfig } from '../../contracts/index.js';
import { addConfigFlags, configFromFlags, positiveIntFlag, type Flags } from '../config-flags.js';
import { checkOutputFile } from '../output-paths.js';

// Flags in, one call into src/intel/taxii/member-workflows.ts, lines out.

interface HubFlags {
  hub: string;
  collection: string;
  apiKey?: string;
  user?: string;
  password?: string;
}

const out = (s: string): void => void process.stdout.write(`${s}\n`);

// The intel module loads when an intel command runs, not with the CLI (see gateway.ts).
const intelModule = () => import('../../intel/index.js');

function hubOptions(cmd: Command, collection = true): Command {
  cmd
    .requiredOption('--hub <url>', 'the hub API root, e.g. http://hub.example:8443/api1/')
    .option('--api-key <key>', 'member API key (or DISTILLGUARD_HUB_API_KEY)')
    .option('--user <member>', 'member name for HTTP Basic')
    .option('--password <password>', 'password for HTTP Basic (or DISTILLGUARD_HUB_PASSWORD)');
  if (collection) cmd.requiredOption('--collection <id>', 'collection id');
  return cmd;
}

function registerKeys(intel: Command): void {
  intel
    .command('keygen')
    .description('create an ed25519 signing key for this member (register the public key with the hub)')
    .requiredOption('--member <name>', 'member name at the hub')
    .requiredOption('--out <file>', 'key file to write (YAML, keep private)')
    .action(async (f: { member: string; out: string }) => {
      const { writeMemberKey } = await intelModule();
      checkOutputFile('--out', f.out);
      out(`public key ${writeMemberKey(f.member, f.out)}`);
    });

  intel
    .command('community-key')
    .description('create a community HMAC key file (the sharing body distributes it to members)')
    .requiredOption('--id <id>', 'key id carried with every keyed hash')
    .requiredOption('--out <file>', 'key file to write (YAML, keep private)')
    .action(async (f: { id: string; out: string }) => {
      const { writeCommunityKey } = await intelModule();
      checkOutputFile('--out', f.out);
      writeCommunityKey(f.id, f.out);
      out(`wrote ${f.out}`);
    });
}

interface ExportCliFlags {
  findings: string;
  traffic?: string[];
  accounts?: string;
  publisher: string;
  key: string;
  policy?: string;
  tlp?: string;
  sign?: string;
  out?: string;
  dryRun?: boolean;
}

function registerExport(intel: Command): void {
  intel
    .command('export')
    .description('findings -> a signed, policy-filtered STIX 2.1 bundle')
    .requiredOption('--findings <file>', 'findings.v1 JSON from analyze')
    .option(
      '--traffic <files...>',
      'the traffic analysed, for indicator details (networks, clients, templates)',
    )
    .option('--accounts <file>', 'accounts NDJSON (payment and e-mail fingerprints are keyed-hashed)')
    .requiredOption('--publisher <name>', 'this member’s name at the hub')
    .requiredOption('--key <file>', 'community key file (HMAC keys with ids)')
    .addOption(
      new Option('--policy <file>', 'sharing policy YAML').default(undefined, 'the built-in allow-list'),
    )
    .option('--tlp <level>', 'TLP 2.0 level for everything exported (overrides the policy default)')
    .option('--sign <file>', 'member signing key: also write <out>.sig')
    .option('--out <file>', 'bundle file to write')
    .option('--dry-run', 'only show what would leave and what is withheld, and why')
    .action(async (f: ExportCliFlags) => {
      const { exportToFile } = await intelModule();
      const { result, report } = await exportToFile({ ...f, communityKey: f.key });
      if (f.dryRun) out(report);
      else
        out(
          `wrote ${f.out} (${result.bundle.objects?.length ?? 0} objects, ${result.withheld.length} withheld; --dry-run lists them)`,
        );
    });

  const validate = intel
    .command('validate')
    .description(
      'check a bundle against STIX 2.1: the schemas built into the package, and the OASIS JSON schemas with --schemas',
    )
    .argument('<bundle>', 'bundle JSON');
  addConfigFlags(validate, IntelValidateConfig).action(async (file: string, raw: Flags) => {
    const { validateBundleFile } = await intelModule();
    validateBundleFile(file, configFromFlags(IntelValidateConfig, raw).schemas);
    out(`${file}: valid STIX 2.1`);
  });
}

function registerPushPull(intel: Command): void {
  hubOptions(intel.command('push').description('sign and publish a bundle to a hub collection'))
    .requiredOption('--bundle <file>', 'bundle from intel export')
    .requiredOption('--sign <file>', 'member signing key')
    .action(async (f: HubFlags & { bundle: string; sign: string }) => {
      const { hubCredentials, pushBundle } = await intelModule();
      const status = await pushBundle({ ...f, credentials: hubCredentials(f) });
      out(`published ${status.success_count} of ${status.total_count} objects (status ${status.id})`);
    });

  hubOptions(
    intel
      .command('pull')
      .description('fetch new objects from a hub collection (resumes from the last cursor)'),
  )
    .option('--state <dir>', 'where received intel and the cursor live', '.distillguard/intel')
    .option('--limit <n>', 'page size', positiveIntFlag('--limit'))
    .action(async (f: HubFlags & { state: string; limit?: number }) => {
      const { hubCredentials, pullIntel } = await intelModule();
      const r = await pullIntel({ ...f, credentials: hubCredentials(f) });
      out(`received ${r.received} new objects in ${r.pages} pages; ${r.total} held in ${f.state}`);
      for (const note of r.notes) out(`note: ${note}`);
    });
}

interface MatchCliFlags {
  traffic: string[];
  accounts?: string;
  key: string;
  member: string;
  state: string;
  signals?: string;
  sightings?: string;
  named?: boolean;
  findings?: string;
}

function registerMatch(intel: Command): void {
  intel
    .command('match')
    .description('match received indicators against local traffic; write shared-intel signals and sightings')
    .requiredOption('--traffic <files...>', 'local traffic')
    .option('--accounts <file>', 'local accounts NDJSON')
    .requiredOption('--key <file>', 'community key file')
    .requiredOption('--member <name>', 'this member’s name (for non-anonymous sightings)')
    .option('--state <dir>', 'received intel from intel pull', '.distillguard/intel')
    .option('--signals <file>', 'write {account: [signal]} JSON for analyze/serve')
    .option('--sightings <file>', 'write a bundle of STIX sightings to push back')
    .option('--named', 'name this member on sightings (they are anonymous without it)')
    .option('--findings <file>', 'local findings: report which local clusters are shared campaigns')
    .action(async (f: MatchCliFlags) => {
      const { matchLocal } = await intelModule();
      const r = await matchLocal({
        state: f.state,
        traffic: f.traffic,
        ...(f.accounts ? { accounts: f.accounts } : {}),
        communityKey: f.key,
        member: f.member,
        anonymous: !f.named,
        ...(f.signals ? { signalsOut: f.signals } : {}),
        ...(f.sightings ? { sightingsOut: f.sightings } : {}),
        ...(f.findings ? { findings: f.findings } : {}),
      });
      for (const c of r.clusters) out(`cluster ${c.clusterId} is ${c.campaignName} (${c.kinds.join(', ')})`);
      out(
        `${r.indicators} live indicators (${r.expired} expired); ${r.matches.size} accounts match; ${r.sightings.length} campaigns sighted`,
      );
      for (const [account, list] of [...r.matches].slice(0, 20))
        out(
          `  ${account}: ${list.map((m) => `${m.campaignName} p=${m.pValue.toPrecision(2)} (${[...new Set(m.hits.map((h) => h.ind.kind))].join(', ')})`).join('; ')}`,
        );
    });
}

function registerSightings(intel: Command): void {
  hubOptions(
    intel.command('sightings').description('how many members sighted what you published'),
    false,
  ).action(async (f: HubFlags) => {
    const { hubCredentials, hubSightings } = await intelModule();
    const rows = await hubSightings({ hub: f.hub, credentials: hubCredentials(f) });
    if (!rows.length) out('no sightings of your objects yet');
    for (const r of rows)
      out(
        `${r.sighting_of_ref}: ${r.members} members, ${r.sightings} sightings, ${r.count} events${r.disclosed_by ? ` (${r.disclosed_by.join(', ')})` : ''}`,
      );
  });
}

const PSI_STEPS = {
  start: 'blind your items and write the first message',
  respond: 'answer a start message with your own blinded items',
  finish: 'read the peer’s message and print the overlap',
} as const;

function registerPsi(intel: Command): void {
  const psi = intel
    .command('psi')
    .description('private set intersection of suspect identifiers with one other member');
  for (const step of ['start', 'respond', 'finish'] as const)
    psi
      .command(step)
      .description(PSI_STEPS[step])
      .option('--items <file>', 'your identifiers, one a line (keyed hashes work best)')
      .requiredOption('--state <file>', 'your private PSI state (secret scalar; do not send it)')
      .option('--in <file>', 'the message the peer sent')
      .option('--out <file>', 'the message to send')
      .action(async (f: { items?: string; state: string; in?: string; out?: string }) => {
        const { psiStep } = await intelModule();
        const overlap = psiStep(step, f);
        if (overlap) {
          out(`${overlap.length} shared identifiers${overlap.length ? ':' : ''}`);
          for (const o of overlap) out(`  ${o}`);
        } else out(`wrote ${f.out}`);
      });
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
