/**
 * A certificate authority's PEM file, read once at start: a path that is wrong or holds no
 * certificate is named when the service starts rather than at its first TLS handshake, where it
 * would look like an unreachable server and be retried forever.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

const pemBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The PEM text of the file `variable` names, or a problem naming the variable and the path. */
export function readCertificateFile(
  variable: string,
  file: string,
): { value?: string; problem?: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unreadable';
    return { problem: `${variable} names a file that cannot be read (${code}): ${file}` };
  }
  const blocks = text.match(pemBlock) ?? [];
  if (blocks.length === 0) {
    return { problem: `${variable} names a file with no PEM certificate in it: ${file}` };
  }
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch {
      return { problem: `${variable} names a file with a malformed PEM certificate: ${file}` };
    }
  }
  return { value: text };
}
