/**
 * The records Tessera keeps, and the store interfaces over them, one file per record kind in
 * `ports/`. Times are epoch milliseconds. Every invariant (a name taken once, a token used at most
 * its uses, a generation moved only by its holder, a journal changed by one writer at a time, a
 * token or instance alive only while the bot it is bound to exists) is enforced by the store itself.
 *
 * Each kind has small parts (`BotReader`, `JoinTokenRedeemer`, `AuditWriter`, ...); a use case
 * declares the parts it uses with `storeParts` and takes `StoreFor<typeof ITS_PARTS>`. `Store` is
 * every part together, as the implementations provide it.
 */
export type * from "./ports/audit.js";
export { RETIRED_CREDENTIALS_KEPT } from "./ports/bot-instances.js";
export type * from "./ports/bot-instances.js";
export type * from "./ports/bots.js";
export type * from "./ports/ca-journals.js";
export type * from "./ports/join-tokens.js";
export type * from "./ports/revocations.js";
export type * from "./ports/single-use.js";
export { storeParts, type Store, type StoreFor, type StorePart, type StorePartTypes } from "./ports/store.js";
