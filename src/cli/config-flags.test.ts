import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { DetectConfig, IngestConfig, WorkerConfig, type Port } from '../contracts/index.js';
import { registerCommands } from './commands/index.js';
import { addConfigFlags, configFromFlags, configSchemasOf, isConfigFlag } from './config-flags.js';

function* commandsOf(cmd: Command, path: string[] = []): Generator<[string, Command]> {
  for (const sub of cmd.commands) {
    const p = [...path, sub.name()];
    yield [p.join(' '), sub];
    yield* commandsOf(sub, p);
  }
}

const program = (): Command => {
  const p = new Command().exitOverride();
  registerCommands(p);
  return p;
};

describe('every flag comes from a config key and every key has a flag (like Vitest CLIOptions<Config>)', () => {
  const all = [...commandsOf(program())];

  it.each(all)('%s', (_name, cmd) => {
    const keys = new Set(configSchemasOf(cmd).flatMap((s) => Object.keys(s.shape)));
    for (const opt of cmd.options) {
      expect(isConfigFlag(opt), `${opt.flags} is not made from a config schema`).toBe(true);
      if (opt.long !== '--config')
        expect(keys.has(opt.attributeName()), `${opt.flags} has no config key`).toBe(true);
    }
    const flagged = new Set(cmd.options.map((o) => o.attributeName()));
    for (const key of keys) expect(flagged.has(key), `config key ${key} has no flag`).toBe(true);
  });

  it('the server commands share one port schema', () => {
    for (const name of ['serve', 'demo', 'gateway', 'hub serve']) {
      const cmd = new Map(all).get(name)!;
      const port = configSchemasOf(cmd).find((s) => 'port' in s.shape)!.shape.port as typeof Port;
      for (const bad of [-1, 70000, 1.5, Number.NaN]) expect(port.safeParse(bad).success, name).toBe(false);
      expect(port.safeParse(0).success).toBe(true);
    }
  });
});

const parse = (schema: Parameters<typeof addConfigFlags>[1], argv: string[], configFile = false) => {
  const cmd = addConfigFlags(new Command().exitOverride(), schema, { configFile });
  cmd.parse(argv, { from: 'user' });
  return cmd;
};

describe('old flag spellings are hidden aliases for one release', () => {
  it('worker --database and ingest --to still set the new keys, with a deprecation warning', () => {
    const warn = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const worker = parse(WorkerConfig, ['--nats', 'nats://h:4222', '--database', 'postgres://h/db']);
      expect(configFromFlags(WorkerConfig, worker.opts()).databaseUrl).toBe('postgres://h/db');
      const ingest = parse(IngestConfig, ['--to', 'nats://h:4222']);
      expect(configFromFlags(IngestConfig, ingest.opts()).nats).toBe('nats://h:4222');
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
        expect.stringMatching(/^warning: --database is deprecated; use --database-url/),
        expect.stringMatching(/^warning: --to is deprecated; use --nats/),
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  it('are not in --help', () => {
    const help = parse(WorkerConfig, ['--nats', 'nats://h:4222']).helpInformation();
    expect(help).toContain('--database-url <url>');
    expect(help).not.toMatch(/--database </);
    expect(parse(IngestConfig, ['--nats', 'nats://h:1']).helpInformation()).not.toContain('--to');
  });
});

describe('--config FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dg-config-'));
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('fills the settings the command line leaves at their defaults; a given flag wins', () => {
    const yaml = file('detect.yaml', 'minClusterSize: 7\ntargetFpr: 0.002\n');
    const cmd = parse(DetectConfig, ['--config', yaml, '--target-fpr', '0.005'], true);
    const config = configFromFlags(DetectConfig, cmd.opts(), { cmd, file: yaml });
    expect(config).toMatchObject({ minClusterSize: 7, targetFpr: 0.005, monitorFpr: 0.01 });
  });

  it('refuses an unknown key and a bad value, naming the file', () => {
    const typo = file('typo.json', '{"minClusterSise": 7}');
    let cmd = parse(DetectConfig, [], true);
    expect(() => configFromFlags(DetectConfig, cmd.opts(), { cmd, file: typo })).toThrow(
      /typo\.json: unknown setting "minClusterSise"/,
    );
    const bad = file('bad.json', '{"minClusterSize": 1}');
    cmd = parse(DetectConfig, [], true);
    const err = (() => {
      try {
        configFromFlags(DetectConfig, cmd.opts(), { cmd, file: bad });
      } catch (e) {
        return e as { code?: string; message?: string };
      }
      return null;
    })();
    expect(err?.code).toBe('INVALID_CONFIG');
    expect(err?.message).toMatch(/bad\.json: minClusterSize/);
  });

  it('a number flag that is not a number is refused with the flag and the value', () => {
    const cmd = parse(DetectConfig, ['--target-fpr', 'lots']);
    expect(() => configFromFlags(DetectConfig, cmd.opts())).toThrow(/^--target-fpr: .*got "lots"$/);
  });
});
