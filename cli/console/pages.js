import { api, auditPage, errorBox, fieldsOf, h, lines, lockText, pagedList, q, table } from "./dom.js";

const methods = (bot) => bot.join_rules.map((r) => r.method).join(", ");

function createBotForm(onCreated) {
  const out = h("div");
  const form = h(
    "form",
    { id: "create-bot" },
    h("label", { for: "bot-name" }, "Name"),
    h("input", { id: "bot-name", name: "name", required: true }),
    h("label", { for: "bot-ids" }, "Allowed SPIFFE IDs"),
    h("textarea", { id: "bot-ids", name: "ids", rows: 2, required: true, placeholder: "spiffe://example.org/web/*" }),
    h("label", { for: "bot-dns" }, "Allowed DNS names"),
    h("input", { id: "bot-dns", name: "dns", placeholder: "*.svc.internal" }),
    h("button", { type: "submit" }, "Create bot (join method: token)"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = fieldsOf(form);
    out.replaceChildren();
    try {
      const bot = await api("POST", "/v1/admin/bots", {
        name: f.name,
        allowed_spiffe_ids: lines(f.ids),
        allowed_dns_names: lines(f.dns),
        join_rules: [{ method: "token" }],
      });
      out.append(h("p", { class: "ok" }, `created bot ${bot.name}`));
      onCreated();
    } catch (err) {
      out.append(errorBox(err));
    }
  });
  return h("div", {}, h("h2", {}, "New bot"), form, out);
}

/** Bots: every bot with its rules and lock, a page at a time, and a form to create one. */
export function botsPage() {
  const list = h("div");
  const load = () =>
    list.replaceChildren(
      pagedList(
        async (cursor) => {
          const r = await api("GET", `/v1/admin/bots?${q({ limit: 50, cursor })}`);
          return { items: r.bots, next: r.next_cursor };
        },
        (bots) =>
          table(
            ["Bot", "State", "Join methods", "Allowed SPIFFE IDs", "Allowed DNS names", "Max TTL"],
            bots.map((b) => [
              h("a", { href: `#/bots/${encodeURIComponent(b.name)}` }, b.name),
              lockText(b.lock),
              methods(b),
              b.allowed_spiffe_ids.join(" "),
              b.allowed_dns_names.join(" ") || "-",
              `${b.max_svid_ttl}s`,
            ]),
            "no bots yet",
          ),
      ),
    );
  load();
  return h("section", {}, h("h1", {}, "Bots"), list, createBotForm(load));
}

function lockButtons(bot, reload) {
  const reason = h("input", { id: "bot-lock-reason", placeholder: "reason", "aria-label": "lock reason" });
  const out = h("span");
  const act = async (locked) => {
    if (!window.confirm(`${locked ? "Lock" : "Unlock"} bot ${bot.name}?`)) return;
    try {
      await api("POST", "/v1/admin/locks", { target: "bot", id: bot.name, locked, ...(reason.value ? { reason: reason.value } : {}) });
      reload();
    } catch (err) {
      out.replaceChildren(errorBox(err));
    }
  };
  return h(
    "p",
    {},
    reason,
    " ",
    h("button", { type: "button", id: "lock-bot", onclick: () => void act(true) }, "Lock bot"),
    " ",
    h("button", { type: "button", id: "unlock-bot", onclick: () => void act(false) }, "Unlock bot"),
    out,
  );
}

function tokenButton(bot) {
  const out = h("div");
  const make = async () => {
    try {
      const t = await api("POST", "/v1/admin/tokens", { bot_name: bot.name });
      // Shown once, now; the issuer keeps only its hash and the console never asks for it again.
      out.replaceChildren(
        h("p", { class: "secret" }, "Join token (shown once): ", h("code", { id: "new-join-token" }, t.token), ` expires ${t.expires_at}`),
      );
    } catch (err) {
      out.replaceChildren(errorBox(err));
    }
  };
  return h("div", {}, h("button", { type: "button", id: "create-token", onclick: () => void make() }, "Create join token"), out);
}

// One cell per instance of a page, filled in from the issuer's search of the bot's audit trail.
function lastSvidCells(name, items) {
  const cells = new Map(items.map((i) => [i.id, h("span", { class: "last-svid" }, "…")]));
  if (items.length === 0) return cells;
  const path = `/v1/admin/bots/${encodeURIComponent(name)}/last-svids?${q({ instances: items.map((i) => i.id).join(",") })}`;
  void api("GET", path).then(
    (r) => {
      const found = new Map(r.last_svids.map((e) => [e.instance_id, e]));
      for (const [id, cell] of cells) {
        const e = found.get(id);
        cell.replaceChildren(e ? `${e.spiffe_id} at ${e.time}` : r.capped ? "not among the bot's newest SVIDs" : "none");
      }
    },
    (err) => cells.forEach((cell) => cell.replaceChildren(errorBox(err))),
  );
  return cells;
}

/** One bot: rules, instances (last join, generation, lock, last SVID), SVIDs received and join history. */
export async function botPage(name) {
  const root = h("section");
  const reload = () => void botPage(name).then((fresh) => root.replaceWith(fresh));
  try {
    const bot = await api("GET", `/v1/admin/bots/${encodeURIComponent(name)}?instances=none`);
    root.append(
      h("h1", {}, `Bot ${bot.name}`),
      table(
        ["State", "Id", "Join methods and rules", "Allowed SPIFFE IDs", "Allowed DNS names", "Created"],
        [
          [
            lockText(bot.lock),
            h("code", {}, bot.id),
            JSON.stringify(bot.join_rules),
            bot.allowed_spiffe_ids.join(" "),
            bot.allowed_dns_names.join(" ") || "-",
            bot.created_at,
          ],
        ],
      ),
      lockButtons(bot, reload),
      tokenButton(bot),
      h("h2", {}, "Instances"),
      pagedList(
        async (cursor) => {
          const r = await api("GET", `/v1/admin/bots/${encodeURIComponent(name)}/instances?${q({ limit: 50, cursor })}`);
          return { items: r.instances, next: r.next_cursor };
        },
        (items) => {
          const last = lastSvidCells(name, items);
          return table(
            ["Instance", "State", "Method", "Generation", "Joined", "Last renewal", "Credential expires", "Last X.509-SVID"],
            items.map((i) => [
              h("code", {}, i.id),
              lockText(i.lock),
              i.join_method,
              i.generation,
              i.created_at,
              i.renewed_at,
              i.expires_at,
              last.get(i.id),
            ]),
            "no instances",
          );
        },
      ),
      h("h2", {}, "SVIDs received"),
      ...["x509_svid", "jwt_svid"].map((type) =>
        pagedList(auditPage({ bot: name, type, limit: 50 }), (events) =>
          table(
            ["Time", "Type", "SPIFFE ID", "Serial / jti", "Expires", "Key thumbprint", "Instance"],
            events.map((e) => [
              e.time,
              e.type,
              e.spiffe_id,
              h("code", {}, e.serial_or_jti),
              e.expires_at,
              h("code", {}, e.key_thumbprint),
              e.instance_id,
            ]),
            `no ${type}`,
          ),
        ),
      ),
      h("h2", {}, "Join history"),
      pagedList(auditPage({ bot: name, type: "join", limit: 50 }), (events) =>
        table(
          ["Time", "Instance", "Method"],
          events.map((e) => [e.time, e.instance_id, e.join_method]),
          "no joins",
        ),
      ),
    );
  } catch (err) {
    root.append(h("h1", {}, `Bot ${name}`), errorBox(err));
  }
  return root;
}
