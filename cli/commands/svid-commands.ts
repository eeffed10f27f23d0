import { generateKeyPairSync } from "node:crypto";
import { readFile } from "node:fs/promises";
import { IssuerClient } from "../../agent/issuer-client.js";
import { SpiffeId, createCsr, parseCertificates, parseDurationSeconds, writeFileAtomic, writeX509SvidFiles } from "../../layers/spiffe/src/index.js";
import type { Command, CommandContext } from "../main.js";
import { UsageError, formatFields } from "../output.js";

async function credentialOf(ctx: CommandContext, client: IssuerClient): Promise<string> {
  if (ctx.values.token) return (await client.joinWithToken(ctx.values.token as string)).credential;
  if (ctx.values["credential-file"]) return (await readFile(ctx.values["credential-file"] as string, "utf8")).trim();
  throw new UsageError("tessera: pass --token JOIN_TOKEN or --credential-file FILE");
}

const ttlOf = (value: unknown) => (value === undefined ? undefined : parseDurationSeconds(String(value), "--ttl"));

/** `tessera join` and `tessera svid x509|jwt`: the bot side by hand, for scripts and debugging. */
export function svidCommands(): Record<string, Command> {
  const common = { token: { type: "string" }, "credential-file": { type: "string" }, "spiffe-id": { type: "string" }, ttl: { type: "string" } } as const;
  return {
    "join token": {
      usage: "--token JOIN_TOKEN --credential-file FILE",
      options: { token: { type: "string" }, "credential-file": { type: "string" } },
      run: async (ctx) => {
        const file = ctx.values["credential-file"] as string | undefined;
        if (!ctx.values.token || !file) throw new UsageError("tessera: join token needs --token and --credential-file");
        const grant = await new IssuerClient({ issuer: ctx.target.issuer }).joinWithToken(ctx.values.token as string);
        await writeFileAtomic(file, `${grant.credential}\n`, 0o600);
        const view = { bot_name: grant.bot_name, instance_id: grant.instance_id, generation: grant.generation, expires_at: grant.expires_at, credential_file: file };
        ctx.io.out(ctx.json ? JSON.stringify(view, null, 2) : formatFields(view));
      },
    },
    "svid x509": {
      usage: "(--token T | --credential-file F) --spiffe-id ID --out DIR [--ttl 1h] [--dns NAME ...]",
      options: { ...common, out: { type: "string" }, dns: { type: "string", multiple: true } },
      run: async (ctx) => {
        const out = ctx.values.out as string | undefined;
        const id = ctx.values["spiffe-id"] as string | undefined;
        if (!out || !id) throw new UsageError("tessera: svid x509 needs --spiffe-id and --out");
        const spiffeId = SpiffeId.fromString(id);
        const client = new IssuerClient({ issuer: ctx.target.issuer });
        const credential = await credentialOf(ctx, client);
        const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
        const csr = await createCsr({ privateKey, spiffeId });
        const ttl = ttlOf(ctx.values.ttl);
        const svid = await client.fetchX509Svid(credential, {
          csr,
          spiffeId: id,
          ...(ttl ? { ttlSeconds: ttl } : {}),
          ...(ctx.values.dns ? { dnsNames: ctx.values.dns as string[] } : {}),
        });
        await writeX509SvidFiles(out, {
          certificates: svid.certificates.flatMap((pem) => parseCertificates(pem)),
          privateKey: privateKey.export({ format: "der", type: "pkcs8" }),
          bundle: svid.bundle.flatMap((pem) => parseCertificates(pem)),
        });
        const view = { spiffe_id: svid.spiffe_id, serial_number: svid.serial_number, expires_at: svid.expires_at, directory: out };
        ctx.io.out(ctx.json ? JSON.stringify(view, null, 2) : formatFields(view));
      },
    },
    "svid jwt": {
      usage: "(--token T | --credential-file F) --spiffe-id ID --audience A [--audience ...] [--ttl 5m]",
      options: { ...common, audience: { type: "string", multiple: true } },
      run: async (ctx) => {
        const id = ctx.values["spiffe-id"] as string | undefined;
        const audience = ctx.values.audience as string[] | undefined;
        if (!id || !audience?.length) throw new UsageError("tessera: svid jwt needs --spiffe-id and --audience");
        const client = new IssuerClient({ issuer: ctx.target.issuer });
        const credential = await credentialOf(ctx, client);
        const ttl = ttlOf(ctx.values.ttl);
        const svid = await client.fetchJwtSvid(credential, { spiffeId: id, audience, ...(ttl ? { ttlSeconds: ttl } : {}) });
        ctx.io.out(ctx.json ? JSON.stringify(svid, null, 2) : svid.token);
      },
    },
  };
}
