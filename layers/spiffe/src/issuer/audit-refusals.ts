import { recordAudit } from "../audit/index.js";
import { hashSecret } from "../credential/index.js";
import { TesseraError } from "../errors.js";
import { statusForCode } from "../http/status-table.js";
import type { AuditEventType } from "../store/types.js";
import type { AuthenticatedBot } from "./authenticate-bot.js";
import type { AUDIT_REFUSALS_STORE } from "./store-parts.js";
import type { IssuerDepsFor } from "./types.js";

/** Longest reason, SPIFFE ID or other asked value kept in a refusal record, in characters. */
export const MAX_REFUSAL_TEXT = 200;

const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\uFFFD]/gu;
const HAS_UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\uFFFD]/u;

/** What a refused request is known to have asked, filled in as the use case learns it. */
export interface RefusedRequest {
  type: Extract<AuditEventType, "join_refused" | "renew_refused" | "svid_refused">;
  botName?: string;
  instanceId?: string;
  joinMethod?: string;
  spiffeId?: string;
  detail: Record<string, string>;
}

/** `value` as it may enter an audit record: a string, controls and format characters dropped, at most `max` characters. */
export function boundText(value: unknown, max = MAX_REFUSAL_TEXT): string | undefined {
  if (typeof value !== "string") return undefined;
  // Most values (every request that is not refused) are short and clean: kept as they are, not split into characters.
  if (value.length <= max && !HAS_UNSAFE.test(value)) return value;
  const chars = [...value.slice(0, max * 2).replace(UNSAFE, "")];
  return chars.length > max || value.length > max * 2 ? `${chars.slice(0, max - 1).join("")}…` : chars.join("");
}

/** A list (or one string) as it may enter an audit record: its strings joined by spaces, bounded as `boundText`. */
export function boundList(value: unknown): string | undefined {
  const list: unknown[] = typeof value === "string" ? [value] : Array.isArray(value) ? value.slice(0, MAX_REFUSAL_TEXT) : [];
  const strings = list.filter((v): v is string => typeof v === "string").map((v) => v.slice(0, MAX_REFUSAL_TEXT * 2));
  return strings.length === 0 ? undefined : boundText(strings.join(" "));
}

/** `{ [field]: a short hash prefix }` of a presented secret (join token, platform proof, credential), never the secret. */
export function secretHashDetail(field: string, value: unknown): Record<string, string> {
  return typeof value === "string" ? { [field]: hashSecret(value).slice(0, 12) } : {};
}

/** Note the authenticated caller of a refused request. */
export function noteCaller(asked: RefusedRequest, who: AuthenticatedBot): void {
  asked.botName = who.bot.name;
  asked.instanceId = who.instance.id;
  asked.joinMethod = who.instance.joinMethod;
  asked.detail.bot_id = who.bot.id;
}

/**
 * Run a use case and audit its refusal: a caller's error (a `TesseraError` below 500) writes one
 * refusal record (code, bounded reason, what was asked, never a secret) and is rethrown unchanged;
 * a failing write is logged and changes nothing. Internal failures are left to the error handler.
 */
export async function auditRefusals<T>(
  deps: IssuerDepsFor<typeof AUDIT_REFUSALS_STORE>,
  asked: RefusedRequest,
  run: (asked: RefusedRequest) => Promise<T>,
): Promise<T> {
  try {
    return await run(asked);
  } catch (err) {
    if (err instanceof TesseraError && statusForCode(err.code) < 500) await recordRefusal(deps, asked, err);
    throw err;
  }
}

async function recordRefusal(deps: IssuerDepsFor<typeof AUDIT_REFUSALS_STORE>, asked: RefusedRequest, err: TesseraError): Promise<void> {
  const defined = <V>(o: Record<string, V | undefined>) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, V>;
  try {
    await recordAudit(
      { audit: deps.store, logger: deps.logger },
      {
        type: asked.type,
        time: deps.clock.now().getTime(),
        ...defined({ botName: asked.botName, instanceId: asked.instanceId, joinMethod: asked.joinMethod, spiffeId: asked.spiffeId }),
        detail: { ...asked.detail, code: err.code, reason: boundText(err.message) ?? "" },
      },
    );
  } catch (failure) {
    deps.logger.error("audit: refusal not recorded", { code: err.code, type: asked.type, error: failure });
  }
}
