import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { IssuerClient, type CredentialResponse, type X509SvidResponse } from "../../agent/issuer-client.js";
import { createJoinProof, type PlatformJoinMethod } from "../../agent/join-proof.js";
import { createCsr, parseCertificates, parseDurationSeconds, SpiffeId, writeFileAtomic, writeX509SvidFiles } from "#tessera/core";
import { fetchJwtSvidWithProof, fetchX509SvidWithProof, type PlatformProof } from "#tessera/contract";
import type { Command, CommandContext } from "../main.js";
import { UsageError, formatFields } from "../output.js";
import { JOIN_PROOF_OPTIONS, JOIN_PROOF_USAGE, PLATFORM_METHODS, isPlatformMethod, joinProofSourceOf } from "./join-proof-flags.js";

async function credentialOf(ctx: CommandContext, client: IssuerClient): Promise<string> {
  if (ctx.values.token) return (await client.joinWithToken(ctx.values.token as string)).credential;
  if (ctx.values["credential-file"]) return (await readFile(ctx.values["credential-file"] as string, "utf8")).trim();
  throw new UsageError("tessera: pass --token JOIN_TOKEN, --credential-file FILE, or --join-method M --bot NAME");
}

const ttlOf = (value: unknown) => (value === undefined ? undefined : parseDurationSeconds(String(value), "--ttl"));

/** The platform proof the flags name when `--join-method` is given (the agent-less path), else undefined. */
async function agentlessProofOf(ctx: CommandContext, client: IssuerClient, spiffeId: SpiffeId): Promise<PlatformProof | undefined> {
  const method = ctx.values["join-method"] as string | undefined;
  if (method === undefined) {
    const stray = Object.keys(JOIN_PROOF_OPTIONS).find((name) => ctx.values[name] !== undefined);
    if (stray) throw new UsageError(`tessera: --${stray} goes with --join-method`);
    return undefined;
  }
  if (!isPlatformMethod(method))
    throw new UsageError(
      `tessera: --join-method must be one of ${PLATFORM_METHODS.join(", ")} (a join token buys a credential: tessera join token)`,
    );
  if (ctx.values.token || ctx.values["credential-file"])
    throw new UsageError("tessera: --join-method replaces --token and --credential-file; pass one of them");
  const { botName, source } = joinProofSourceOf(ctx, method, spiffeId.trustDomain.idString());
  const proof = await createJoinProof(source, client);
  return { method, botName, ...proof };
}

async function writeX509(out: string, svid: Pick<X509SvidResponse, "certificates" | "bundle">, privateKey: KeyObject): Promise<void> {
  await writeX509SvidFiles(out, {
    certificates: svid.certificates.flatMap((pem) => parseCertificates(pem)),
    privateKey: privateKey.export({ format: "der", type: "pkcs8" }),
    bundle: svid.bundle.flatMap((pem) => parseCertificates(pem)),
  });
}

function print(ctx: CommandContext, view: Record<string, unknown>): void {
  ctx.io.out(ctx.json ? JSON.stringify(view, null, 2) : formatFields(view));
}

async function writeCredential(ctx: CommandContext, file: string, grant: CredentialResponse): Promise<void> {
  await writeFileAtomic(file, `${grant.credential}\n`, 0o600);
  print(ctx, {
    bot_name: grant.bot_name,
    instance_id: grant.instance_id,
    generation: grant.generation,
    expires_at: grant.expires_at,
    credential_file: file,
  });
}

function platformJoin(method: PlatformJoinMethod): Command {
  const flags: Record<PlatformJoinMethod, string> = {
    oidc: "--token-file PATH",
    gcp: "(--token-file PATH | [--metadata-endpoint URL] --token-audience AUD)",
    aws_iam: "[--sts-region R] [--sts-endpoint URL]",
    aws_ec2: "[--metadata-endpoint URL]",
  };
  return {
    usage: `--bot NAME --credential-file FILE ${flags[method]}`,
    options: { ...JOIN_PROOF_OPTIONS, "credential-file": { type: "string" } },
    run: async (ctx) => {
      const file = ctx.values["credential-file"] as string | undefined;
      if (!file) throw new UsageError(`tessera: join ${method} needs --credential-file FILE`);
      const { botName, source } = joinProofSourceOf(ctx, method);
      const client = new IssuerClient({ issuer: ctx.target.issuer });
      const proof = await createJoinProof(source, client);
      await writeCredential(ctx, file, await client.joinWithPlatformToken(method, botName, proof.token, undefined, proof.document));
    },
  };
}

/** `tessera join` and `tessera svid x509|jwt`: the bot side by hand, for scripts, CI steps and debugging. */
export function svidCommands(): Record<string, Command> {
  const common = {
    token: { type: "string" },
    "credential-file": { type: "string" },
    "join-method": { type: "string" },
    ...JOIN_PROOF_OPTIONS,
    "spiffe-id": { type: "string" },
    ttl: { type: "string" },
  } as const;
  const caller = `(--token T | --credential-file F | --join-method ${PLATFORM_METHODS.join("|")} --bot NAME [proof flags])`;
  return {
    "join token": {
      usage: "--token JOIN_TOKEN --credential-file FILE",
      options: { token: { type: "string" }, "credential-file": { type: "string" } },
      run: async (ctx) => {
        const file = ctx.values["credential-file"] as string | undefined;
        if (!ctx.values.token || !file) throw new UsageError("tessera: join token needs --token and --credential-file");
        await writeCredential(ctx, file, await new IssuerClient({ issuer: ctx.target.issuer }).joinWithToken(ctx.values.token as string));
      },
    },
    ...Object.fromEntries(PLATFORM_METHODS.map((method) => [`join ${method}`, platformJoin(method)])),
    "svid x509": {
      usage: `${caller} --spiffe-id ID --out DIR [--ttl 1h] [--dns NAME ...]\n  proof flags: ${JOIN_PROOF_USAGE}`,
      options: { ...common, out: { type: "string" }, dns: { type: "string", multiple: true } },
      run: async (ctx) => {
        const out = ctx.values.out as string | undefined;
        const id = ctx.values["spiffe-id"] as string | undefined;
        if (!out || !id) throw new UsageError("tessera: svid x509 needs --spiffe-id and --out");
        const spiffeId = SpiffeId.fromString(id);
        const client = new IssuerClient({ issuer: ctx.target.issuer });
        const ttl = ttlOf(ctx.values.ttl);
        const dnsNames = ctx.values.dns as string[] | undefined;
        const proof = await agentlessProofOf(ctx, client, spiffeId);
        if (proof) {
          const svid = await fetchX509SvidWithProof({
            issuer: ctx.target.issuer,
            proof,
            spiffeId: id,
            ...(ttl ? { ttlSeconds: ttl } : {}),
            ...(dnsNames ? { dnsNames } : {}),
          });
          await writeX509(out, svid, svid.privateKey);
          print(ctx, {
            spiffe_id: svid.spiffeId,
            serial_number: svid.serialNumber,
            expires_at: svid.expiresAt.toISOString(),
            directory: out,
          });
          return;
        }
        const credential = await credentialOf(ctx, client);
        const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
        const csr = await createCsr({ privateKey, spiffeId });
        const svid = await client.fetchX509Svid(credential, {
          csr,
          spiffeId: id,
          ...(ttl ? { ttlSeconds: ttl } : {}),
          ...(dnsNames ? { dnsNames } : {}),
        });
        await writeX509(out, svid, privateKey);
        print(ctx, { spiffe_id: svid.spiffe_id, serial_number: svid.serial_number, expires_at: svid.expires_at, directory: out });
      },
    },
    "svid jwt": {
      usage: `${caller} --spiffe-id ID --audience A [--audience ...] [--ttl 5m]\n  proof flags: ${JOIN_PROOF_USAGE}`,
      options: { ...common, audience: { type: "string", multiple: true } },
      run: async (ctx) => {
        const id = ctx.values["spiffe-id"] as string | undefined;
        const audience = ctx.values.audience as string[] | undefined;
        if (!id || !audience?.length) throw new UsageError("tessera: svid jwt needs --spiffe-id and --audience");
        const client = new IssuerClient({ issuer: ctx.target.issuer });
        const ttl = ttlOf(ctx.values.ttl);
        const proof = await agentlessProofOf(ctx, client, SpiffeId.fromString(id));
        if (proof) {
          const svid = await fetchJwtSvidWithProof({
            issuer: ctx.target.issuer,
            proof,
            spiffeId: id,
            audience,
            ...(ttl ? { ttlSeconds: ttl } : {}),
          });
          const view = { spiffe_id: svid.spiffeId, token: svid.token, expires_at: svid.expiresAt.toISOString() };
          ctx.io.out(ctx.json ? JSON.stringify(view, null, 2) : svid.token);
          return;
        }
        const credential = await credentialOf(ctx, client);
        const svid = await client.fetchJwtSvid(credential, { spiffeId: id, audience, ...(ttl ? { ttlSeconds: ttl } : {}) });
        ctx.io.out(ctx.json ? JSON.stringify(svid, null, 2) : svid.token);
      },
    },
  };
}
