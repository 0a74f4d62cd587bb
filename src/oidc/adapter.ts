/**
 * oidc-provider's storage adapter. Tessera stores nothing through it: exchanged JWTs are
 * self-contained (the `jwt` format never calls `upsert` with a payload), clients are static
 * config, and the browser flows that use sessions, grants and codes are switched off. So the
 * adapter finds nothing and keeps nothing, and no state lives in one instance's memory.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';

export class NullAdapter implements Adapter {
  async upsert(_id: string, _payload: AdapterPayload, _expiresIn: number): Promise<void> {}
  async find(_id: string): Promise<AdapterPayload | undefined> {
    return undefined;
  }
  async findByUserCode(_userCode: string): Promise<AdapterPayload | undefined> {
    return undefined;
  }
  async findByUid(_uid: string): Promise<AdapterPayload | undefined> {
    return undefined;
  }
  async consume(_id: string): Promise<void> {}
  async destroy(_id: string): Promise<void> {}
  async revokeByGrantId(_grantId: string): Promise<void> {}
}
