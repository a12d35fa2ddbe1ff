import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A PEM key pair; `cert` is also the CA a client trusts, as the certificate signs itself. */
export interface SelfSignedCert {
  key: string;
  cert: string;
}

/**
 * A fresh self-signed certificate for 127.0.0.1, made with the `openssl` CLI into `dir`, so no key is ever
 * committed. RSA 2048, what public API gateways mostly still serve, so a handshake costs what a real one does.
 */
export function selfSignedCert(dir: string): SelfSignedCert {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
}
