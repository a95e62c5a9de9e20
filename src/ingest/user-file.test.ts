import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readUserFile, readUserJson, readUserYaml } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'dg-user-file-'));

describe('reading a file the user named', () => {
  it('returns its text', () => {
    const p = join(dir, 'ok.txt');
    writeFileSync(p, 'héllo\n');
    expect(readUserFile(p, 'notes file', 'check --notes')).toBe('héllo\n');
  });

  it('names the file, the problem and the fix when nothing is there', () => {
    const p = join(dir, 'missing.yaml');
    expect(() => readUserFile(p, 'notes file', 'check --notes')).toThrow(
      expect.objectContaining({
        code: 'FILE_NOT_FOUND',
        message: `notes file ${p} does not exist; check --notes`,
      }),
    );
    // A path through a regular file is as absent as a missing one.
    const through = join(dir, 'ok.txt', 'x');
    expect(() => readUserFile(through, 'notes file', 'check --notes')).toThrow(
      expect.objectContaining({ code: 'FILE_NOT_FOUND' }),
    );
  });

  it('refuses a directory as unreadable, not missing', () => {
    expect(() => readUserFile(dir, 'notes file', 'check --notes')).toThrow(
      expect.objectContaining({
        code: 'FILE_UNREADABLE',
        message: `notes file ${dir} is not a regular file; check --notes`,
      }),
    );
  });

  it('parses JSON, and says which file is not JSON', () => {
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    writeFileSync(good, '{"a": 1}');
    writeFileSync(bad, '{"a": ');
    expect(readUserJson(good, 'findings file', 'pass findings')).toEqual({ a: 1 });
    expect(() => readUserJson(bad, 'findings file', 'pass findings')).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        message: expect.stringMatching(
          new RegExp(`^findings file ${bad} is not JSON \\(.+\\); pass findings$`),
        ) as string,
      }),
    );
  });

  it('parses YAML or JSON settings, and says which file is neither', () => {
    const good = join(dir, 'good.yaml');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(good, 'a: 1\nb: [x, y]\n');
    writeFileSync(bad, 'a: [1, 2\n');
    expect(readUserYaml(good, 'keys file', 'check --keys')).toEqual({ a: 1, b: ['x', 'y'] });
    expect(() => readUserYaml(bad, 'keys file', 'check --keys')).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        message: expect.stringMatching(
          new RegExp(`^keys file ${bad} is not JSON or YAML \\(.+\\); check --keys$`, 's'),
        ) as string,
      }),
    );
    expect(() => readUserYaml(join(dir, 'none.yaml'), 'keys file', 'check --keys')).toThrow(
      expect.objectContaining({ code: 'FILE_NOT_FOUND' }),
    );
  });
});
