import { Option, type Command } from 'commander';
import type { z } from 'zod';
import { UserError } from '../contracts/index.js';

const kebab = (s: string): string => s.replace(/[A-Z]/gu, (c) => `-${c.toLowerCase()}`);

/**
 * Adds one flag per field of a zod config object (name, help and default come from the schema),
 * so the typed config is the single source of the CLI flags, like Vitest's config.
 */
export function addConfigFlags(cmd: Command, schema: z.ZodObject): Command {
  for (const [key, field] of Object.entries(schema.shape)) {
    const f = field as z.ZodType;
    const parsed = f.safeParse(undefined);
    const fallback = parsed.success ? parsed.data : undefined;
    const opt = new Option(`--${kebab(key)} <value>`, f.description ?? key);
    if (fallback !== undefined) opt.default(fallback);
    if (typeof fallback === 'number') opt.argParser((v: string) => Number(v));
    cmd.addOption(opt);
  }
  return cmd;
}

/** Picks the config fields out of parsed flags and validates them with one clear error. */
export function configFromFlags<T extends z.ZodObject>(
  schema: T,
  flags: Record<string, unknown>,
): z.infer<T> {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(schema.shape)) if (flags[key] !== undefined) picked[key] = flags[key];
  const r = schema.safeParse(picked);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new UserError('INVALID_ARGUMENT', `--${kebab(String(issue.path[0]))}: ${issue.message}`);
  }
  return r.data;
}
