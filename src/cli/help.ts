import { type Command, Help, type Option } from 'commander';

/**
 * One example per command, shown under its --help (a test fails for a command without one, and
 * for an example naming a flag the command does not have).
 */
export const EXAMPLES: Record<string, string[]> = {
  validate: ['distillguard validate traffic.ndjson.gz --accounts accounts.ndjson'],
  simulate: ['distillguard simulate --scale small --seed 1 --out sim'],
  analyze: [
    'distillguard analyze sim/traffic.ndjson --accounts sim/accounts.ndjson --out findings.json --report report.html',
  ],
  eval: ['distillguard eval --truth sim/truth.json --findings findings.json'],
  'eval-suite': ['distillguard eval-suite --scales small --seeds 1,2,3 --no-corpora --json eval.json'],
  gateway: [
    'distillguard gateway --upstream https://api.openai.com --port 8081 --server http://127.0.0.1:8080',
  ],
  probe: ['distillguard probe --target http://suspect:8000/v1 --model suspect-7b --out probe'],
  serve: ['distillguard serve --port 8080 --database-url postgres://dg@127.0.0.1/distillguard'],
  demo: ['distillguard demo --port 0'],
  'intel keygen': ['distillguard intel keygen --member org-a --out key.yaml'],
  'intel community-key': ['distillguard intel community-key --id isac-2026 --out community.yaml'],
  'intel export': [
    'distillguard intel export --findings findings.json --publisher org-a --key community.yaml --out bundle.json',
  ],
  'intel validate': ['distillguard intel validate bundle.json'],
  'findings export': [
    'distillguard findings export --format ocsf --findings findings.json --out findings.ocsf.ndjson',
  ],
  'intel push': [
    'distillguard intel push --hub http://hub:8443/api1/ --collection campaigns --bundle bundle.json --sign key.yaml',
  ],
  'intel pull': ['distillguard intel pull --hub http://hub:8443/api1/ --collection campaigns'],
  'intel match': ['distillguard intel match --traffic traffic.ndjson --key community.yaml --member org-b'],
  'intel sightings': ['distillguard intel sightings --hub http://hub:8443/api1/'],
  'intel psi start': ['distillguard intel psi start --items a.txt --state a.psi --out m1.json'],
  'intel psi respond': [
    'distillguard intel psi respond --items b.txt --state b.psi --in m1.json --out m2.json',
  ],
  'intel psi finish': [
    'distillguard intel psi finish --state a.psi --in m2.json --out m3.json   # the member who started',
    'distillguard intel psi finish --state b.psi --in m3.json   # the member who responded',
  ],
  'hub serve': ['distillguard hub serve --host 0.0.0.0 --port 8443'],
  'hub member add': ['distillguard hub member add org-a'],
  'hub member key': ['distillguard hub member key org-a --public-key HEX --key-id org-a-2'],
  'hub member password': ['distillguard hub member password org-a'],
  'hub member api-key': ['distillguard hub member api-key org-a'],
  'hub member revoke': ['distillguard hub member revoke org-a'],
  'hub group add': ['distillguard hub group add providers --members-visible'],
  'hub group join': ['distillguard hub group join providers org-a'],
  'hub collection add': ['distillguard hub collection add "Distillation campaigns" --id campaigns'],
  'hub collection grant': ['distillguard hub collection grant campaigns providers --read --write'],
  'hub audit verify': ['distillguard hub audit verify'],
  'hub audit list': ['distillguard hub audit list --limit 20'],
  ingest: ['distillguard ingest traffic.ndjson.gz --accounts accounts.ndjson --nats nats://127.0.0.1:4222'],
  worker: [
    'distillguard worker --nats nats://127.0.0.1:4222 --database-url postgres://dg@127.0.0.1/distillguard',
  ],
  'scale status': ['distillguard scale status'],
  'scale findings': ['distillguard scale findings --out findings.json'],
};

function* leaves(cmd: Command, path: string[] = []): Generator<[string, Command]> {
  for (const sub of cmd.commands) {
    const p = [...path, sub.name()];
    if (sub.commands.length === 0) yield [p.join(' '), sub];
    yield* leaves(sub, p);
  }
}

/** Every command without subcommands, by its path (`intel psi start`). */
export function leafCommands(program: Command): [string, Command][] {
  return [...leaves(program)];
}

/**
 * An option's help with its default written one way: `(choices: …, default: …)` at the end, for
 * constants (from the schema) and for defaults only words can say (`defaultValueDescription`: an
 * environment variable, a file named after the input), which commander would not show.
 */
export function optionHelp(o: Option): string {
  const extra: string[] = [];
  if (o.argChoices) extra.push(`choices: ${o.argChoices.map((c) => JSON.stringify(c)).join(', ')}`);
  const takesValue = o.required || o.optional;
  const constant =
    o.defaultValue === undefined || (Array.isArray(o.defaultValue) && o.defaultValue.length === 0)
      ? undefined
      : JSON.stringify(o.defaultValue);
  const shown = o.defaultValueDescription ?? constant;
  if (takesValue && shown !== undefined) extra.push(`default: ${shown}`);
  if (o.envVar !== undefined) extra.push(`env: ${o.envVar}`);
  if (extra.length === 0) return o.description;
  const tail = `(${extra.join(', ')})`;
  return o.description ? `${o.description} ${tail}` : tail;
}

class DistillGuardHelp extends Help {
  override optionDescription(o: Option): string {
    return optionHelp(o);
  }
}

function* allCommands(cmd: Command): Generator<Command> {
  yield cmd;
  for (const sub of cmd.commands) yield* allCommands(sub);
}

/**
 * Help written one way for every command: required options say so, defaults are shown one way,
 * and each command shows its examples. Run once after every command is registered.
 */
export function finishHelp(program: Command): void {
  for (const cmd of allCommands(program))
    cmd.createHelp = () => Object.assign(new DistillGuardHelp(), cmd.configureHelp());
  for (const [path, cmd] of leafCommands(program)) {
    for (const o of cmd.options)
      if (o.mandatory && !o.description.endsWith('(required)'))
        o.description = o.description ? `${o.description} (required)` : '(required)';
    const examples = EXAMPLES[path];
    if (examples) cmd.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`);
  }
}
