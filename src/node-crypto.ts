/** The few functions of node:crypto used here, typed locally so Workers' types still fit. */
export interface NodeCrypto {
  createHash(algorithm: 'sha256'): { update(data: Uint8Array | string): { digest(encoding: 'hex'): string } }
  createHmac(algorithm: 'sha256', key: string | Uint8Array): NodeHmac
}

export interface NodeHmac {
  update(data: Uint8Array | string): NodeHmac
  digest(): Uint8Array
}

/**
 * node:crypto when the runtime has it, found without importing any `node:*` module, so
 * the files using it stay Web-standard and bundle for Workers unchanged.
 * `process.getBuiltinModule` exists from Node 20.16 (and on workerd with nodejs_compat);
 * elsewhere this is undefined and callers use Web Crypto.
 */
export const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:crypto') as
  | NodeCrypto
  | undefined
