/**
 * The whole store, the named parts a use case may ask for instead, and `storeParts` to declare a
 * use case's parts as a value (so the IAM actions of a function can be derived from it).
 */
import type { AuditReader, AuditStore, AuditWriter } from "./audit.js";
import type { BotInstanceLister, BotInstanceLocker, BotInstanceReader, BotInstanceStore, BotInstanceWriter } from "./bot-instances.js";
import type { BotLister, BotLocker, BotReader, BotStore, BotWriter } from "./bots.js";
import type { JournalReader, JournalStore, JournalWriter } from "./ca-journals.js";
import type {
  JoinTokenLister,
  JoinTokenLocker,
  JoinTokenReader,
  JoinTokenRedeemer,
  JoinTokenStore,
  JoinTokenWriter,
} from "./join-tokens.js";
import type { RevocationReader, RevocationStore, RevocationWriter } from "./revocations.js";
import type { ReplayReader, ReplayStore, ReplayWriter } from "./single-use.js";

/** Everything Tessera stores. DynamoDB in AWS, the embedded store on one machine. */
export interface Store extends BotStore, JoinTokenStore, BotInstanceStore, ReplayStore, JournalStore, AuditStore {
  /** Revoked SVIDs and CRLs. */
  readonly revocations: RevocationStore;
  /** Release files, handles and timers. */
  close(): Promise<void>;
}

/** Each named part of the store and what it offers. The revocation parts are reached as `store.revocations`. */
export interface StorePartTypes {
  BotReader: BotReader;
  BotLister: BotLister;
  BotWriter: BotWriter;
  BotLocker: BotLocker;
  JoinTokenReader: JoinTokenReader;
  JoinTokenLister: JoinTokenLister;
  JoinTokenWriter: JoinTokenWriter;
  JoinTokenRedeemer: JoinTokenRedeemer;
  JoinTokenLocker: JoinTokenLocker;
  BotInstanceReader: BotInstanceReader;
  BotInstanceLister: BotInstanceLister;
  BotInstanceWriter: BotInstanceWriter;
  BotInstanceLocker: BotInstanceLocker;
  ReplayReader: ReplayReader;
  ReplayWriter: ReplayWriter;
  JournalReader: JournalReader;
  JournalWriter: JournalWriter;
  AuditReader: AuditReader;
  AuditWriter: AuditWriter;
  RevocationReader: { readonly revocations: RevocationReader };
  RevocationWriter: { readonly revocations: RevocationWriter };
}

/** The name of one part of the store. */
export type StorePart = keyof StorePartTypes;

type Intersection<U> = (U extends unknown ? (part: U) => void : never) extends (part: infer I) => void ? I : never;

/** The store as a use case that declared `parts` sees it: those parts and nothing else. */
export type StoreFor<Parts extends readonly StorePart[]> = Intersection<StorePartTypes[Parts[number]]>;

/** Every method of `Store` belongs to a part (a new method without one fails to compile here). */
type Unparted = Exclude<keyof Store, keyof StoreFor<StorePart[]> | "close">;
const everyMethodHasAPart: [Unparted] extends [never] ? true : Unparted = true;
void everyMethodHasAPart;

/** The parts named and those of the lists given, once each, sorted: a use case's declaration. */
export function storeParts<P extends StorePart>(...parts: readonly (P | readonly P[])[]): readonly P[] {
  const flat: P[] = parts.flatMap((part) => (typeof part === "string" ? [part] : [...part]));
  return [...new Set(flat)].sort();
}
