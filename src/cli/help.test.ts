import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerCommands } from './commands/index.js';
import { EXAMPLES, leafCommands, optionHelp } from './help.js';

const program = new Command().name('distillguard');
registerCommands(program);
const commands = leafCommands(program);

describe('every command’s help', () => {
  it.each(commands)('%s has a description, marks required options and shows an example', (path, cmd) => {
    expect(cmd.description(), path).not.toBe('');
    for (const o of cmd.options.filter((x) => x.mandatory))
      expect(o.description, `${path} ${o.long}`).toMatch(/\(required\)$/);
    expect(EXAMPLES[path], path).toBeDefined();
    for (const example of EXAMPLES[path]!) {
      expect(example.startsWith(`distillguard ${path}`), example).toBe(true);
      const flags = [...example.replace(/#.*$/, '').matchAll(/\s(--[a-z][a-z0-9-]*)/g)].map((m) => m[1]!);
      const known = cmd.options.map((o) => o.long);
      for (const f of flags) expect(known, `${example}: ${f}`).toContain(f);
      for (const o of cmd.options.filter((x) => x.mandatory))
        expect(flags, `${example} gives ${o.long}`).toContain(o.long);
    }
  });

  it('shows the examples under --help', () => {
    let text = '';
    const analyze = commands.find(([p]) => p === 'analyze')![1];
    analyze.configureOutput({ writeOut: (s) => (text += s) });
    analyze.outputHelp();
    expect(text).toContain('Examples:\n  $ distillguard analyze ');
  });

  it('lists the choices of --embedder', () => {
    const analyze = commands.find(([p]) => p === 'analyze')![1];
    expect(analyze.helpInformation()).toMatch(/--embedder[\s\S]*choices: "word-vectors",\s+"hashed-ngrams"/);
  });

  it('writes every default one way: none in the description, all in the trailing (default: …)', () => {
    const handWritten = commands.flatMap(([path, cmd]) =>
      cmd.options
        .filter((o) =>
          /\(default|[;,] default|default:|\bunset\b|without it|\(or \$?[A-Z][A-Z0-9_]{3,}\)/i.test(
            o.description,
          ),
        )
        .map((o) => `${path} ${o.long}: ${o.description}`),
    );
    expect(handWritten).toEqual([]);
  });

  it('quotes a default that is a value and writes one only words can say in words', () => {
    // A constant is shown as JSON ("small", 16); a default in words must not look like a value
    // one could type (`acct_`, `14`, `none`): it names a variable, a placeholder or a phrase.
    const lookLikeValues = commands.flatMap(([path, cmd]) =>
      cmd.options
        .filter((o) => !o.hidden && o.defaultValueDescription !== undefined)
        .filter((o) => !/^\$[A-Z]|<[^>]+>|\s/.test(o.defaultValueDescription!))
        .map((o) => `${path} ${o.long}: ${o.defaultValueDescription}`),
    );
    expect(lookLikeValues).toEqual([]);
    const simulate = commands
      .find(([p]) => p === 'simulate')![1]
      .helpInformation()
      .replace(/\s+/g, ' ');
    expect(simulate).toContain('prefix of account ids (default: "acct_")');
    expect(simulate).toContain('length of the simulated window in days (default: 14)');
  });

  it('writes defaults of the intel and hub commands like every other command', () => {
    const help = (path: string): string =>
      commands
        .find(([p]) => p === path)![1]
        .helpInformation()
        .replace(/\s+/g, ' ');
    expect(help('intel pull')).toContain('member API key (default: $DISTILLGUARD_HUB_API_KEY)');
    expect(help('intel pull')).toContain(
      'where received intel and the cursor live (default: ".distillguard/intel")',
    );
    expect(help('hub audit list')).toContain('(default: 50)');
    expect(help('intel export')).toContain(
      'TLP 2.0 level for everything exported: clear, green, amber, amber+strict or red (default: the policy’s default_tlp)',
    );
  });

  it('shows a default only words can say (an environment variable) like a constant one', () => {
    const worker = commands.find(([p]) => p === 'worker')![1];
    const url = worker.options.find((o) => o.long === '--database-url')!;
    expect(optionHelp(url)).toBe(
      'PostgreSQL URL shared by all workers (default: $DISTILLGUARD_DATABASE_URL)',
    );
    const partitions = worker.options.find((o) => o.long === '--partitions')!;
    expect(optionHelp(partitions)).toMatch(/\(default: 16\)$/);
    expect(worker.helpInformation().replace(/\s+/g, ' ')).toContain(
      'PostgreSQL URL shared by all workers (default: $DISTILLGUARD_DATABASE_URL)',
    );
  });

  it('shows no default for a repeatable flag that starts empty', () => {
    const serve = commands.find(([p]) => p === 'serve')![1];
    expect(serve.helpInformation()).not.toContain('(default: [])');
  });

  it('has no example for a command that does not exist', () => {
    expect(Object.keys(EXAMPLES).filter((p) => !commands.some(([c]) => c === p))).toEqual([]);
  });
});
