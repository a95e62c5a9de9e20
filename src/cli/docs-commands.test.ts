import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerCommands } from './commands/index.js';

// Every `distillguard …` line in the README and docs/ names commands and flags that exist, with
// values among a flag's choices: a line a user copies must not fail on an unknown option.

const root = path.resolve(import.meta.dirname, '../..');
const docs = [
  'README.md',
  'SECURITY.md',
  ...readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

function program(): Command {
  const p = new Command().name('distillguard').exitOverride();
  registerCommands(p);
  return p;
}

/**
 * The command lines of a Markdown text: code blocks (with `\` continuations) and inline code,
 * and inline code that starts with a command name and has a flag (`analyze --out F`).
 */
export function commandLines(markdown: string, commands: readonly string[] = []): string[] {
  const lines: string[] = [];
  const blocks = markdown.split(/^```/m);
  blocks.forEach((block, i) => {
    if (i % 2 === 1) {
      for (const l of block.replace(/\\\n\s*/g, ' ').split('\n')) lines.push(l);
    } else
      for (const m of block.matchAll(/`([^`\n]+)`/g)) {
        const first = m[1]!.split(' ')[0]!;
        lines.push(commands.includes(first) && m[1]!.includes(' --') ? `distillguard ${m[1]!}` : m[1]!);
      }
  });
  return lines.flatMap((l) =>
    [...l.matchAll(/(?:^|[\s(])(?:npx\s+)?distillguard\s+([^#;&|`]*)/g)].map((m) => m[1]!.trim()),
  );
}

/** A value written as a placeholder (FILE, <x>, $VAR, …) rather than a literal. */
const placeholder = (v: string): boolean => /^[A-Z_]+$|[<>…$]|\.\.\.|^\{/.test(v) || v === '';

/** What is wrong with one command line; empty when it resolves and every flag exists. */
export function problemsOf(prog: Command, line: string): string[] {
  const tokens = line.split(/\s+/).filter(Boolean);
  let cmd = prog;
  let i = 0;
  while (i < tokens.length) {
    const sub = cmd.commands.find((c) => c.name() === tokens[i] || c.aliases().includes(tokens[i]!));
    if (!sub) break;
    cmd = sub;
    i++;
  }
  // Prose ("distillguard finds …") or a family written loosely ("intel ...", "psi start|respond").
  if (cmd === prog || (cmd.commands.length > 0 && i < tokens.length && !tokens[i]!.startsWith('-')))
    return [];
  const where = `distillguard ${tokens.slice(0, i).join(' ')}`;
  const problems: string[] = [];
  const options = cmd.options;
  for (let j = i; j < tokens.length; j++) {
    const t = tokens[j]!;
    if (!t.startsWith('--') || t === '--' || placeholder(t)) continue;
    const [name, inline] = t.split('=', 2) as [string, string | undefined];
    if (name === '--help' || name === '--version') continue;
    const opt = options.find((o) => o.long === name || (o.negate && o.long === name));
    if (!opt) {
      problems.push(`${where}: unknown option ${name}`);
      continue;
    }
    const value = inline ?? tokens[j + 1];
    if (opt.argChoices && value !== undefined && !placeholder(value) && !value.startsWith('-'))
      for (const v of value.split(','))
        if (!opt.argChoices.includes(v))
          problems.push(`${where} ${name}: ${v} is not one of ${opt.argChoices.join(', ')}`);
  }
  return problems;
}

describe('commands written in the docs', () => {
  const prog = program();

  it.each(docs)('%s names only commands, flags and choices that exist', (file) => {
    const names = prog.commands.map((c) => c.name());
    const lines = commandLines(readFileSync(path.join(root, file), 'utf8'), names);
    expect(lines.flatMap((l) => problemsOf(prog, l))).toEqual([]);
  });

  it('finds the docs lines it checks, and the mistakes a reader met', () => {
    const names = prog.commands.map((c) => c.name());
    const all = docs.flatMap((f) => commandLines(readFileSync(path.join(root, f), 'utf8'), names));
    expect(all.length).toBeGreaterThan(50);
    // docs/api.md once sent readers to `analyze --format json`, a value --format does not take.
    expect(commandLines('(what `analyze --format json` writes)', names)).toEqual(['analyze --format json']);
    expect(problemsOf(prog, 'analyze traffic.ndjson --format json')).toEqual([
      expect.stringMatching(/^distillguard analyze --format: json is not one of auto, ndjson, csv, otlp, /),
    ]);
    expect(problemsOf(prog, 'analyze traffic.ndjson --json-out x')).toEqual([
      'distillguard analyze: unknown option --json-out',
    ]);
    expect(problemsOf(prog, 'analyze traffic.ndjson --out findings.json --no-progress')).toEqual([]);
  });
});

describe('the README on running the CLI and the Node version', () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const engines = (
    JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } }
  ).engines.node;

  it('says commands run as `npx distillguard …` after npm install', () => {
    expect(readme).toMatch(/`npx distillguard …`/);
  });

  it('claims the Node versions package.json engines claims', () => {
    expect(readme).toContain(`\`${engines}\``);
  });
});
