/**
 * An in-memory oidc-provider adapter with expiry and no 1000-entry LRU limit (the bundled
 * adapter evicts under concurrency tests), and one store per provider instance (the bundled
 * one is shared by every provider in the process).
 * @see https://github.com/panva/node-oidc-provider/blob/main/example/my_adapter.js
 * @module
 */

interface Entry {
  payload: Record<string, unknown>
  expiresAt: number | undefined
}

export interface MemoryStore {
  /** Number of live entries, for tests that want to see growth. */
  size(): number
}

const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest'])

export function createAdapterFactory(clockToleranceSeconds = 0): { factory: (model: string) => unknown; store: MemoryStore } {
  const entries = new Map<string, Entry>()
  const uids = new Map<string, string>()
  const userCodes = new Map<string, string>()
  const grants = new Map<string, Set<string>>()

  const live = (key: string): Entry | undefined => {
    const e = entries.get(key)
    if (!e) return undefined
    if (e.expiresAt !== undefined && e.expiresAt <= Date.now()) {
      entries.delete(key)
      return undefined
    }
    return e
  }

  class Adapter {
    constructor(readonly model: string) {}

    key(id: string) {
      return `${this.model}:${id}`
    }

    async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number) {
      const key = this.key(id)
      const expiresAt = typeof expiresIn === 'number' ? Date.now() + (expiresIn + clockToleranceSeconds) * 1000 : undefined
      if (this.model === 'Session' && typeof payload.uid === 'string') uids.set(payload.uid, id)
      if (typeof payload.userCode === 'string') userCodes.set(payload.userCode, id)
      const grantId = payload.grantId
      if (GRANTABLE.has(this.model) && typeof grantId === 'string') {
        const members = grants.get(grantId) ?? new Set<string>()
        members.add(key)
        grants.set(grantId, members)
      }
      entries.set(key, { payload: structuredClone(payload), expiresAt })
    }

    async find(id: string) {
      return live(this.key(id))?.payload
    }

    async findByUid(uid: string) {
      const id = uids.get(uid)
      return id === undefined ? undefined : this.find(id)
    }

    async findByUserCode(userCode: string) {
      const id = userCodes.get(userCode)
      return id === undefined ? undefined : this.find(id)
    }

    async consume(id: string) {
      const e = live(this.key(id))
      if (e) e.payload.consumed = Math.floor(Date.now() / 1000)
    }

    async destroy(id: string) {
      entries.delete(this.key(id))
    }

    async revokeByGrantId(grantId: string) {
      for (const key of grants.get(grantId) ?? []) entries.delete(key)
      grants.delete(grantId)
    }
  }

  return {
    factory: (model: string) => new Adapter(model),
    store: { size: () => entries.size },
  }
}
