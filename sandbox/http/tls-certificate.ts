import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { generate } from "selfsigned";

export interface TlsMaterial {
  cert: string;
  key: string;
  caFile: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A self-signed certificate for 127.0.0.1 and localhost, made at first start and kept in dataDir (git-ignored).
 * The certificate is its own CA: clients trust it with `tlsOptions: { ca }` or NODE_EXTRA_CA_CERTS=caFile.
 */
export async function loadOrCreateCertificate(dataDir: string): Promise<TlsMaterial> {
  const certFile = path.join(dataDir, "sandbox-cert.pem");
  const keyFile = path.join(dataDir, "sandbox-key.pem");
  const existing = readIfValid(certFile, keyFile);
  if (existing) return { ...existing, caFile: certFile };
  const now = new Date();
  const pems = await generate([{ name: "commonName", value: "privatelink-autopilot-sandbox" }], {
    keySize: 2048,
    algorithm: "sha256",
    notBeforeDate: new Date(now.getTime() - DAY_MS),
    notAfterDate: new Date(now.getTime() + 365 * DAY_MS),
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 7, ip: "127.0.0.1" },
          { type: 2, value: "localhost" },
        ],
      },
    ],
  });
  mkdirSync(dataDir, { recursive: true });
  // Write-then-rename so a second sandbox starting at the same time never reads half a file.
  writeAtomic(keyFile, pems.private, 0o600);
  writeAtomic(certFile, pems.cert, 0o644);
  return { cert: pems.cert, key: pems.private, caFile: certFile };
}

function readIfValid(certFile: string, keyFile: string): { cert: string; key: string } | undefined {
  try {
    const cert = readFileSync(certFile, "utf8");
    const key = readFileSync(keyFile, "utf8");
    const x509 = new X509Certificate(cert);
    const fresh = Date.parse(x509.validTo) > Date.now() + DAY_MS;
    const forLoopback = x509.checkIP("127.0.0.1") !== undefined;
    return fresh && forLoopback && x509.checkPrivateKey(createPrivateKey(key)) ? { cert, key } : undefined;
  } catch {
    return undefined;
  }
}

function writeAtomic(file: string, content: string, mode: number): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, file);
}
