import { StoreError } from "../../errors.js";
import { legacyBotId } from "../record-rules.js";
import type { Bot, BotInstance, CaJournal, JoinToken } from "../types.js";

/** A single-use value recorded until it expires. */
export interface ReplayRecord {
  namespace: string;
  key: string;
  expiresAt: number;
}

/** Everything in `state.json`. */
export interface Snapshot {
  format: 1;
  bots: Bot[];
  joinTokens: JoinToken[];
  botInstances: BotInstance[];
  replay: ReplayRecord[];
  journals: CaJournal[];
}

const SNAPSHOT_LISTS = ["bots", "joinTokens", "botInstances", "replay", "journals"] as const;

/**
 * Give records written before bots had ids their binding. A bot gets `legacyBotId(createdAt)`;
 * a token or instance lacking a bot id is bound to the bot of its name only if it is not older than
 * that bot (an older one was made for an earlier bot of that name, deleted since), otherwise it is
 * dropped. The result is the same on every open, so a crash before it is saved changes nothing.
 */
function bindLegacyRecords(snapshot: Snapshot): { snapshot: Snapshot; changed: boolean } {
  let changed = false;
  const bots = snapshot.bots.map((bot) => {
    if (typeof bot.id === "string" && bot.id !== "") return bot;
    changed = true;
    return { ...bot, id: legacyBotId(bot.createdAt) };
  });
  const byName = new Map(bots.map((bot) => [bot.name, bot]));
  const bind = <T extends JoinToken | BotInstance>(records: T[]): T[] =>
    records.flatMap((record) => {
      if (typeof record.botId === "string" && record.botId !== "") return [record];
      changed = true;
      const bot = byName.get(record.botName);
      return bot !== undefined && record.createdAt >= bot.createdAt ? [{ ...record, botId: bot.id }] : [];
    });
  const joinTokens = bind(snapshot.joinTokens);
  const botInstances = bind(snapshot.botInstances);
  return { snapshot: { ...snapshot, bots, joinTokens, botInstances }, changed };
}

/** The snapshot in a parsed `state.json` (`fileName`; empty when there is none), legacy records bound. */
export function parseSnapshot(value: unknown, fileName: string): { snapshot: Snapshot; changed: boolean } {
  if (value === undefined) {
    return { snapshot: { format: 1, bots: [], joinTokens: [], botInstances: [], replay: [], journals: [] }, changed: false };
  }
  const snapshot = value as Partial<Snapshot> | null;
  if (snapshot === null || typeof snapshot !== "object" || snapshot.format !== 1) {
    throw new StoreError(`store: ${fileName} has an unknown format`);
  }
  for (const list of SNAPSHOT_LISTS) {
    if (!Array.isArray(snapshot[list])) throw new StoreError(`store: ${fileName} lacks ${list}`);
  }
  return bindLegacyRecords(snapshot as Snapshot);
}
