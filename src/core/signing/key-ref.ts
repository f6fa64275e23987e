/**
 * Key references: what `--key` / the `key` input names. Unknown schemes are errors; there is no
 * fallback from one custody mode to another.
 */
import { VouchError } from '../../errors.ts';
import { parsePkcs11Uri, type Pkcs11Uri } from './pkcs11-uri.ts';

export type KeyReference =
  | { readonly kind: 'keyless' }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'pkcs11'; readonly uri: Pkcs11Uri }
  /** awskms://[ENDPOINT]/KEY (KEY: key id, ARN or alias/NAME). */
  | { readonly kind: 'awskms'; readonly endpoint?: string; readonly keyId: string }
  /** gcpkms://projects/P/locations/L/keyRings/R/cryptoKeys/K[/cryptoKeyVersions/V]. */
  | { readonly kind: 'gcpkms'; readonly name: string }
  /** azurekms://VAULT-HOST/KEY[/VERSION]. */
  | {
      readonly kind: 'azurekms';
      readonly vaultUrl: string;
      readonly keyName: string;
      readonly version?: string;
    }
  /** hashivault://KEY (address and token from VAULT_ADDR / VAULT_TOKEN). */
  | { readonly kind: 'hashivault'; readonly keyName: string };

const KNOWN =
  'keyless, a PEM file path, pkcs11:, awskms://, gcpkms://, azurekms:// or hashivault://';

function invalid(ref: string, why: string): VouchError {
  return new VouchError('SIGN_KEY_REF_INVALID', `key reference "${ref}": ${why}`);
}

/** Parses a key reference. */
export function parseKeyReference(ref: string): KeyReference {
  const value = ref.trim();
  if (value === '')
    throw new VouchError('INPUT_MISSING', 'no key reference given', { hint: `Give ${KNOWN}.` });
  if (value === 'keyless') return { kind: 'keyless' };
  if (value.startsWith('pkcs11:')) return { kind: 'pkcs11', uri: parsePkcs11Uri(value) };
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(value)?.[1];
  if (scheme === undefined) return { kind: 'file', path: value };
  const body = value.slice(scheme.length + 1).replace(/^\/\//, '');
  switch (scheme.toLowerCase()) {
    case 'awskms': {
      const slash = body.indexOf('/');
      if (slash === -1) throw invalid(value, 'expected awskms://[ENDPOINT]/KEY');
      const endpoint = body.slice(0, slash);
      const keyId = body.slice(slash + 1);
      if (!keyId) throw invalid(value, 'no key id, ARN or alias');
      return { kind: 'awskms', keyId, ...(endpoint ? { endpoint } : {}) };
    }
    case 'gcpkms': {
      if (
        !/^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+(\/cryptoKeyVersions\/[^/]+)?$/.test(
          body,
        )
      ) {
        throw invalid(
          value,
          'expected gcpkms://projects/P/locations/L/keyRings/R/cryptoKeys/K/cryptoKeyVersions/V',
        );
      }
      const name = body.includes('/cryptoKeyVersions/') ? body : `${body}/cryptoKeyVersions/1`;
      return { kind: 'gcpkms', name };
    }
    case 'azurekms': {
      const parts = body.split('/').filter(Boolean);
      if (parts.length < 2 || parts.length > 3)
        throw invalid(value, 'expected azurekms://VAULT-HOST/KEY[/VERSION]');
      const host = parts[0]!.includes('.') ? parts[0]! : `${parts[0]!}.vault.azure.net`;
      const url = /^(localhost|127\.0\.0\.1)(:\d+)?$/.test(host)
        ? `https://${host}`
        : `https://${host}`;
      return {
        kind: 'azurekms',
        vaultUrl: url,
        keyName: parts[1]!,
        ...(parts[2] ? { version: parts[2] } : {}),
      };
    }
    case 'hashivault': {
      if (!/^[A-Za-z0-9_.-]+$/.test(body)) throw invalid(value, 'expected hashivault://KEY-NAME');
      return { kind: 'hashivault', keyName: body };
    }
    case 'file':
      return { kind: 'file', path: body };
    default:
      throw new VouchError('SIGN_KEY_SCHEME_UNKNOWN', `unknown key scheme "${scheme}:"`, {
        hint: `Use ${KNOWN}. A file whose name contains ":" can be given as ./NAME.`,
      });
  }
}
