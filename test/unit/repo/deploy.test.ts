/** docker-compose.yml cannot run here (no Docker engine): check what can be checked. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { SERVICE_ENV_VARS } from '../../../src/config.js';

const compose = parse(readFileSync('docker-compose.yml', 'utf8'));

describe('docker-compose.yml', () => {
  it('runs PostgreSQL and Tessera built from the Dockerfile', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['postgres', 'tessera']);
    expect(compose.services.tessera.build).toBe('.');
    expect(existsSync('Dockerfile')).toBe(true);
  });

  it('builds and runs on Node 24 LTS, with the verifier workspace the build and the runtime need', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    const stages = dockerfile.match(/^FROM .*$/gm) ?? [];
    expect(stages.length).toBeGreaterThan(0);
    for (const stage of stages) expect(stage).toMatch(/^FROM node:24-/);
    const workspaces: string[] = JSON.parse(readFileSync('package.json', 'utf8')).workspaces;
    for (const workspace of workspaces) {
      // `npm ci` reads every workspace's manifest before installing anything.
      const beforeInstall = dockerfile.slice(0, dockerfile.indexOf('RUN npm ci'));
      expect(beforeInstall).toContain(`COPY ${workspace}/package.json`);
      expect(dockerfile).toContain(`COPY --from=build /app/${workspace}/dist`);
    }
  });

  it('sets only environment variables the service reads, including DATABASE_URL', () => {
    const names = Object.keys(compose.services.tessera.environment);
    expect(names).toContain('DATABASE_URL');
    for (const name of names) expect(SERVICE_ENV_VARS).toContain(name);
  });

  it('points DATABASE_URL at the postgres service with its credentials', () => {
    const url = new URL(compose.services.tessera.environment.DATABASE_URL);
    const db = compose.services.postgres.environment;
    expect(url.hostname).toBe('postgres');
    expect(url.username).toBe(db.POSTGRES_USER);
    expect(url.password).toBe(db.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${db.POSTGRES_DB}`);
  });
});
