import { Option, type Command } from 'commander';
import type { z } from 'zod';
import { UserError, warnDeprecated, type FlagMeta } from '../contracts/index.js';
import { readUserYaml } from '../ingest/index.js';

const kebab = (s: string): string => s.replace(/[A-Z]/gu, (c) => `-${c.toLowerCase()}`);
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/iu;

interface Field {
  kind: 'boolean' | 'number' | 'list' | 'text';
  choices?: string[];
  fallback: unknown;
  required: boolean;
  help: string;
  meta: FlagMeta;
}

/** What the command line needs to know of one schema field, through its default/optional wrappers. */
function fieldOf(key: string, field: z.ZodType): Field {
  let s = field;
  let meta: FlagMeta = {};
  let help: string | undefined;
  for (;;) {
    const m = s.meta();
    meta = { ...m?.flag, ...meta };
    help ??= m?.description;
    const def = s._zod.def as { type: string; innerType?: z.ZodType };
    if ((def.type === 'default' || def.type === 'optional') && def.innerType) s = def.innerType;
    else break;
  }
  const type = s._zod.def.type;
  const parsed = field.safeParse(undefined);
  return {
    kind: type === 'boolean' ? 'boolean' : type === 'number' ? 'number' : type === 'array' ? 'list' : 'text',
    ...(type === 'enum' ? { choices: (s as z.ZodEnum).options.map(String) } : {}),
    fallback: parsed.success ? parsed.data : undefined,
    required: !parsed.success,
    help: help ?? key,
    meta,
  };
}

/** An old spelling: hidden from --help, stores into the new flag's value. */
class AliasOption extends Option {
  constructor(
    flags: string,
    private readonly target: string,
  ) {
    super(flags);
  }
  override attributeName(): string {
    return this.target;
  }
}

/** Parsed flags as commander hands them over; `config` is the `--config` file. */
export type Flags = Record<string, unknown> & { config?: string };

const schemasOf = new WeakMap<Command, z.ZodObject[]>();
const fromSchema = new WeakSet<Option>();

/** The schemas a command's flags were made from (for the test that every flag has a key). */
export const configSchemasOf = (cmd: Command): readonly z.ZodObject[] => schemasOf.get(cmd) ?? [];
/** Whether an option was made from a config schema (or is a hidden old spelling of one). */
export const isConfigFlag = (opt: Option): boolean => fromSchema.has(opt);

function makeOption(flags: string, f: Field): Option {
  const opt = new Option(flags, f.help);
  if (f.choices) opt.choices(f.choices);
  if (f.meta.defaultText) opt.defaultValueDescription = f.meta.defaultText;
  if (f.kind === 'list') opt.argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
  return opt;
}

/**
 * Adds one flag per field of a zod config object (name, help, default and choices come from the
 * schema, old spellings from its `flag` metadata), so the typed config is the single source of the
 * CLI flags, like Vitest's config. `configFile` also adds `--config FILE` (JSON or YAML of the
 * same keys; flags given on the command line win over it).
 */
export function addConfigFlags(
  cmd: Command,
  schema: z.ZodObject,
  opts: { configFile?: boolean } = {},
): Command {
  schemasOf.set(cmd, [...configSchemasOf(cmd), schema]);
  for (const [key, field] of Object.entries(schema.shape)) {
    const f = fieldOf(key, field as z.ZodType);
    const name = kebab(key);
    const negated = f.kind === 'boolean' && f.fallback === true;
    const value = f.kind === 'boolean' ? '' : ` <${f.meta.value ?? 'value'}${f.meta.variadic ? '...' : ''}>`;
    const opt = makeOption(`--${negated ? 'no-' : ''}${name}${value}`, f);
    if (f.fallback !== undefined && !negated && f.fallback !== false) opt.default(f.fallback);
    if (f.required) opt.makeOptionMandatory();
    fromSchema.add(opt);
    cmd.addOption(opt);
    if (f.meta.negatable && !negated) {
      const no = new Option(`--no-${name}`, `leave out --${name}`);
      fromSchema.add(no);
      cmd.addOption(no);
    }
    for (const alias of f.meta.aliases ?? []) {
      const old = new AliasOption(`--${alias}${value}`, key).hideHelp();
      if (f.choices) old.choices(f.choices);
      fromSchema.add(old);
      cmd.addOption(old);
      cmd.on(`option:${alias}`, () =>
        warnDeprecated(`--${alias} is deprecated; use --${name} (the old spelling goes in the next release)`),
      );
    }
  }
  if (opts.configFile && !cmd.options.some((o) => o.long === '--config')) {
    const opt = new Option(
      '--config <file>',
      'detection settings file (JSON or YAML of the flags below, camelCase keys)',
    );
    fromSchema.add(opt);
    cmd.addOption(opt);
  }
  return cmd;
}

/**
 * `addConfigFlags`, and an action that gets its flags already validated by the same schema:
 * commander calls actions with the positional arguments, the flags and the command; `run` gets
 * the config, the positional arguments (typed by the caller) and the command.
 */
export function configAction<T extends z.ZodObject, A extends unknown[] = []>(
  cmd: Command,
  schema: T,
  run: (config: z.infer<T>, args: A, cmd: Command) => void | Promise<void>,
): Command {
  return addConfigFlags(cmd, schema).action((...params: unknown[]) => {
    const flags = params[params.length - 2] as Flags;
    return run(
      configFromFlags(schema, flags),
      params.slice(0, -2) as A,
      params[params.length - 1] as Command,
    );
  });
}

function readConfigFile(path: string): Record<string, unknown> {
  const value = readUserYaml(path, '--config file', 'check the path');
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new UserError('INVALID_CONFIG', `--config file ${path} must hold an object of settings`);
  return value as Record<string, unknown>;
}

/**
 * Picks the config fields out of parsed flags and validates them with one clear error. With
 * `file`, the file's settings fill what the command line left at its defaults (needs `cmd` to
 * tell a given flag from a default); keys the schema does not know are refused.
 */
export function configFromFlags<T extends z.ZodObject>(
  schema: T,
  flags: Record<string, unknown>,
  opts: { cmd?: Command; file?: string | undefined } = {},
): z.infer<T> {
  const picked: Record<string, unknown> = {};
  const fromFile = new Set<string>();
  const given = (key: string): boolean =>
    flags[key] !== undefined && (opts.cmd === undefined || opts.cmd.getOptionValueSource(key) !== 'default');
  for (const [key, field] of Object.entries(schema.shape)) {
    if (flags[key] === undefined) continue;
    const v = flags[key];
    // Numbers come as text from the command line; text that is not a number is left for the schema to refuse.
    picked[key] =
      fieldOf(key, field as z.ZodType).kind === 'number' && typeof v === 'string' && NUMBER.test(v.trim())
        ? Number(v)
        : v;
  }
  if (opts.file !== undefined) {
    const settings = readConfigFile(opts.file);
    for (const [key, v] of Object.entries(settings)) {
      if (!(key in schema.shape))
        throw new UserError(
          'INVALID_CONFIG',
          `--config file ${opts.file}: unknown setting "${key}" (known: ${Object.keys(schema.shape).join(', ')})`,
        );
      if (given(key)) continue;
      picked[key] = v;
      fromFile.add(key);
    }
  }
  const r = schema.safeParse(picked);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const key = String(issue.path[0]);
    if (fromFile.has(key))
      throw new UserError('INVALID_CONFIG', `--config file ${opts.file}: ${key}: ${issue.message}`);
    const got = key in picked ? `, got ${JSON.stringify(flags[key])}` : '';
    throw new UserError('INVALID_ARGUMENT', `--${kebab(key)}: ${issue.message}${got}`);
  }
  return r.data;
}
