// CRL figures: size (DER, and PEM as IAM Roles Anywhere takes it, at most 300,000 bytes) and CPU
// time to sign (one ECDSA P-256 signature, node:crypto standing in for KMS) and to verify as the
// agent does, for growing numbers of revoked serials. Run: npx tsx bench/crl.ts
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { caIdOf, createCaCertificate, encodeCrlPem, signCrl, type SigningKey, TrustDomain, verifyCrl } from "#tessera/core";

const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const key: SigningKey = {
  id: "bench",
  spec: "ECC_NIST_P256",
  publicKey,
  sign: async (data) => new Uint8Array(sign("sha256", data, privateKey)),
};
const now = Date.now();
const ca = await createCaCertificate({
  key,
  trustDomain: TrustDomain.fromString("example.org"),
  notBefore: new Date(now - 60_000),
  notAfter: new Date(now + 86_400_000),
});
const serial = () => {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f || 1;
  return bytes.toString("hex");
};

console.log(`CA ${caIdOf(ca)}`);
console.log("revoked   DER bytes   PEM bytes   sign ms   verify ms");
for (const count of [0, 10, 100, 1000, 4000, 10_000]) {
  const revoked = Array.from({ length: count }, () => ({
    serialNumber: serial(),
    revocationDate: new Date(now),
    reason: "keyCompromise" as const,
  }));
  const runs = count >= 4000 ? 3 : 20;
  let der: Uint8Array = new Uint8Array();
  let t = performance.now();
  for (let i = 0; i < runs; i++)
    der = await signCrl({
      caKey: key,
      caCertificate: ca,
      crlNumber: i + 1,
      thisUpdate: new Date(now),
      nextUpdate: new Date(now + 86_400_000),
      revoked,
    });
  const signMs = (performance.now() - t) / runs;
  t = performance.now();
  for (let i = 0; i < runs; i++) verifyCrl(der, { authorities: [ca], now: new Date(now + 1000) });
  const verifyMs = (performance.now() - t) / runs;
  const pem = encodeCrlPem(der).length;
  console.log(
    `${String(count).padStart(7)}   ${String(der.length).padStart(9)}   ${String(pem).padStart(9)}   ${signMs.toFixed(2).padStart(7)}   ${verifyMs.toFixed(2).padStart(9)}${pem > 300_000 ? "   (over the Roles Anywhere limit)" : ""}`,
  );
}
