import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerCommands } from './commands/index.js';
import { EXAMPLES, leafCommands } from './help.js';

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

  it('has no example for a command that does not exist', () => {
    expect(Object.keys(EXAMPLES).filter((p) => !commands.some(([c]) => c === p))).toEqual([]);
  });
});
