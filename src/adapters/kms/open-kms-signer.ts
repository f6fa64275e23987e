/** Dispatches a parsed KMS reference to its provider. */
import type { KeyReference } from '../../core/signing/key-ref.ts';
import type { KmsOptions, KmsSigner } from './kms-signer.ts';

type KmsReference = Extract<
  KeyReference,
  { kind: 'awskms' | 'gcpkms' | 'azurekms' | 'hashivault' }
>;

export async function openKmsSigner(ref: KmsReference, options: KmsOptions): Promise<KmsSigner> {
  switch (ref.kind) {
    case 'awskms': {
      const { openAwsSigner } = await import('./aws-signer.ts');
      return openAwsSigner(ref.keyId, ref.endpoint, options);
    }
    case 'gcpkms': {
      const { openGcpSigner } = await import('./gcp-signer.ts');
      return openGcpSigner(ref.name, options);
    }
    case 'azurekms': {
      const { openAzureSigner } = await import('./azure-signer.ts');
      return openAzureSigner(ref.vaultUrl, ref.keyName, ref.version, options);
    }
    case 'hashivault': {
      const { openVaultSigner } = await import('./vault-signer.ts');
      return openVaultSigner(ref.keyName, options);
    }
  }
}
