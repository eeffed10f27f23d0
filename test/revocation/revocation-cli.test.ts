import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runCli } from "../../cli/main.js";
import { caIdOf } from "#tessera/core";
import { ADMIN_TOKEN, TRUST_DOMAIN, call, makeCsr, startIssuer, type IssuerHarness } from "../support/issuer-harness.js";
import { makeTempDir } from "../support/temp-dir.js";

describe("tessera svid revoke | svid revocations | ca revoke", () => {
  let h: IssuerHarness;
  let dir: Awaited<ReturnType<typeof makeTempDir>>;
  const cli = async (...argv: string[]) => {
    let out = "";
    let err = "";
    const code = await runCli([...argv, "--issuer", h.url, "--admin-token", ADMIN_TOKEN], {
      out: (t) => (out += `${t}\n`),
      err: (t) => (err += `${t}\n`),
      env: {},
    });
    return { code, out, err };
  };
  const svid = async () => {
    const token = await call(h.url, "POST", "/v1/admin/tokens", { admin: true, body: { bot_name: "web" } });
    const joined = await call(h.url, "POST", "/v1/join", { body: { join_method: "token", token: token.json.token } });
    const res = await call(h.url, "POST", "/v1/svids/x509", {
      bearer: joined.json.credential as string,
      body: { csr: (await makeCsr()).csr, spiffe_id: `spiffe://${TRUST_DOMAIN}/web` },
    });
    assert.equal(res.status, 200, res.text);
    return { serial: res.json.serial_number as string, instance: joined.json.instance_id as string };
  };

  before(async () => {
    dir = await makeTempDir("revocation-cli");
    h = await startIssuer({ TESSERA_STORE: "embedded", TESSERA_KEY_MANAGER: "disk", TESSERA_DATA_DIR: dir.path });
    await call(h.url, "POST", "/v1/admin/bots", {
      admin: true,
      body: { name: "web", allowed_spiffe_ids: [`spiffe://${TRUST_DOMAIN}/web`] },
    });
  });
  after(async () => {
    await h?.close();
    await dir?.remove();
  });

  it("revokes by serial and by instance, lists the revocations, and revokes a CA's SVIDs", async () => {
    const [one, two, three] = [await svid(), await svid(), await svid()];
    const bySerial = await cli("svid", "revoke", "--serial", one.serial, "--reason", "keyCompromise");
    assert.equal(bySerial.code, 0, bySerial.err);
    assert.match(bySerial.out, /revoked 1 SVID\(s\)/);
    assert.match(bySerial.out, new RegExp(`x509 +${one.serial} .*keyCompromise`));
    const caId = caIdOf((await h.runtime.authorities.x509()).certificate);
    assert.match(bySerial.out, new RegExp(`CRL 1 of CA ${caId}`));
    const byInstance = await cli("svid", "revoke", "--instance", two.instance, "-o", "json");
    assert.equal(byInstance.code, 0, byInstance.err);
    assert.deepEqual(
      (JSON.parse(byInstance.out) as { revoked: { serial: string }[] }).revoked.map((r) => r.serial),
      [two.serial],
    );
    const listed = await cli("svid", "revocations");
    assert.equal(listed.code, 0, listed.err);
    assert.ok(listed.out.includes(one.serial) && listed.out.includes(two.serial) && !listed.out.includes(three.serial));
    const status = JSON.parse((await cli("ca", "status", "-o", "json")).out) as {
      slots: { kind: string; status: string; caId?: string }[];
    };
    assert.equal(status.slots.find((s) => s.kind === "x509" && s.status === "active")?.caId, caId);
    const byCa = await cli("ca", "revoke", "--ca", caId);
    assert.equal(byCa.code, 0, byCa.err);
    assert.match(byCa.out, new RegExp(`x509 +${three.serial} .*cACompromise`));
  });

  it("exits 2 on a usage error and 1 with the issuer's code on a refused revocation", async () => {
    const none = await cli("svid", "revoke");
    assert.equal(none.code, 2);
    assert.match(none.err, /exactly one of --serial, --jti, --bot, --instance/);
    assert.equal((await cli("svid", "revoke", "--serial", "0a", "--bot", "web")).code, 2);
    assert.equal((await cli("ca", "revoke")).code, 2);
    const unknown = await cli("svid", "revoke", "--serial", "7f".repeat(16));
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /ERR_REVOCATION_NOT_FOUND/);
  });
});
