/**
 * The tests mirror `src/` (issue 20 item 7; CONTRIBUTING.md, "Layout"). A test file added in an
 * old flat location (`test/integration/foo.test.ts`, `test/unit/foo.test.ts`) fails here, with
 * the folder it should move to.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { misplaced, suggestedFolder } from '../../helpers/test-layout.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('test layout', () => {
  it('every test file of the repository sits where the layout says', () => {
    expect(misplaced(root)).toEqual([]);
  });
});

describe('a test file out of place is named, with where it goes', () => {
  const fake = mkdtempSync(join(tmpdir(), 'tessera-layout-'));
  afterAll(() => rmSync(fake, { recursive: true, force: true }));
  const put = (path: string, content = '') => {
    mkdirSync(dirname(join(fake, path)), { recursive: true });
    writeFileSync(join(fake, path), content);
  };
  for (const folder of ['pat', 'webhooks', 'cli']) mkdirSync(join(fake, 'src', folder), { recursive: true });
  put('test/unit/pat/format.test.ts');
  put('test/integration/api/tokens.test.ts');
  put('test/compliance/rfc8693.test.ts');
  put('test/integration/cli-new.test.ts');
  put('test/integration/webhook-new.test.ts');
  put('test/integration/quota.test.ts', "import { x } from '../../src/pat/quota.js';\n");
  put('test/integration/mystery.test.ts');
  put('test/unit/pat-new.test.ts', "import { y } from '../../src/pat/new.js';\n");
  put('test/unit/config-new.test.ts', "import { z } from '../../src/config.js';\n");
  put('test/unit/gone/old.test.ts', "import { w } from '../../../src/webhooks/old.js';\n");
  put('test/integration/people/list.test.ts', "import { v } from '../../../src/cli/main.js';\n");
  put('test/helpers/stray.test.ts');
  put('test/compliance/nested/rfc.test.ts');

  it('names every misplaced file and no other', () => {
    const problems = misplaced(fake);
    expect(problems.map((p) => p.split(' ')[0])).toEqual([
      'test/compliance/nested/rfc.test.ts',
      'test/helpers/stray.test.ts',
      'test/integration/cli-new.test.ts',
      'test/integration/mystery.test.ts',
      'test/integration/people/list.test.ts',
      'test/integration/quota.test.ts',
      'test/integration/webhook-new.test.ts',
      'test/unit/config-new.test.ts',
      'test/unit/gone/old.test.ts',
      'test/unit/pat-new.test.ts',
    ]);
  });

  it('says where each should go', () => {
    const problems = misplaced(fake).join('\n');
    expect(problems).toContain('move it to test/integration/cli/cli-new.test.ts');
    expect(problems).toContain('move it to test/integration/webhooks/webhook-new.test.ts');
    expect(problems).toContain('move it to test/integration/api/quota.test.ts');
    expect(problems).toContain('(people is not an area: api, cli,');
    expect(problems).toContain('move it to test/integration/cli/list.test.ts');
    expect(problems).toContain('move it to test/unit/pat/pat-new.test.ts');
    expect(problems).toContain('move it to test/unit/core/config-new.test.ts');
    expect(problems).toContain('test/unit/gone/old.test.ts is outside the test layout (test/unit/gone/');
    expect(problems).toContain('move it to test/unit/webhooks/old.test.ts');
    expect(problems).toMatch(
      /mystery\.test\.ts is outside the test layout: move it to test\/integration\/<one of api,/,
    );
  });

  it('guesses the area from the name first, then from what the file imports', () => {
    const imports = "import { a } from '../../src/users/service.js';\n";
    expect(suggestedFolder('integration', 'cli-users.test.ts', imports)).toBe('test/integration/cli/');
    expect(suggestedFolder('integration', 'users-more.test.ts', imports)).toBe('test/integration/api/');
    expect(suggestedFolder('unit', 'rules.test.ts', imports)).toBe('test/unit/users/');
  });
});
