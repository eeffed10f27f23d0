import { api, errorBox, fieldsOf, h, lines, lockText, pagedList, svg, table } from "./dom.js";

const q = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined)).toString();
const auditPage = (params) => async (cursor) => {
  const r = await api("GET", `/v1/admin/audit?${q({ ...params, cursor })}`);
  return { items: r.events, next: r.next_cursor };
};
const methods = (bot) => bot.join_rules.map((r) => r.method).join(", ");

function createBotForm(onCreated) {
  const out = h("div");
  const form = h(
    "form",
    { id: "create-bot" },
    h("label", { for: "bot-name" }, "Name"), h("input", { id: "bot-name", name: "name", required: true }),
    h("label", { for: "bot-ids" }, "Allowed SPIFFE IDs"), h("textarea", { id: "bot-ids", name: "ids", rows: 2, required: true, placeholder: "spiffe://example.org/web/*" }),
    h("label", { for: "bot-dns" }, "Allowed DNS names"), h("input", { id: "bot-dns", name: "dns", placeholder: "*.svc.internal" }),
    h("button", { type: "submit" }, "Create bot (join method: token)"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = fieldsOf(form);
    out.replaceChildren();
    try {
      const bot = await api("POST", "/v1/admin/bots", { name: f.name, allowed_spiffe_ids: lines(f.ids), allowed_dns_names: lines(f.dns), join_rules: [{ method: "token" }] });
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
            bots.map((b) => [h("a", { href: `#/bots/${encodeURIComponent(b.name)}` }, b.name), lockText(b.lock), methods(b), b.allowed_spiffe_ids.join(" "), b.allowed_dns_names.join(" ") || "-", `${b.max_svid_ttl}s`]),
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
  return h("p", {}, reason, " ", h("button", { type: "button", id: "lock-bot", onclick: () => void act(true) }, "Lock bot"), " ", h("button", { type: "button", id: "unlock-bot", onclick: () => void act(false) }, "Unlock bot"), out);
}

function tokenButton(bot) {
  const out = h("div");
  const make = async () => {
    try {
      const t = await api("POST", "/v1/admin/tokens", { bot_name: bot.name });
      // Shown once, now; the issuer keeps only its hash and the console never asks for it again.
      out.replaceChildren(h("p", { class: "secret" }, "Join token (shown once): ", h("code", { id: "new-join-token" }, t.token), ` expires ${t.expires_at}`));
    } catch (err) {
      out.replaceChildren(errorBox(err));
    }
  };
  return h("div", {}, h("button", { type: "button", id: "create-token", onclick: () => void make() }, "Create join token"), out);
}

/** One bot: rules, instances (last join, generation, lock, last SVID), SVIDs received and join history. */
export async function botPage(name) {
  const root = h("section");
  const reload = () => void botPage(name).then((fresh) => root.replaceWith(fresh));
  try {
    const bot = await api("GET", `/v1/admin/bots/${encodeURIComponent(name)}`);
    const svids = await api("GET", `/v1/admin/audit?${q({ bot: name, type: "x509_svid", limit: 200 })}`);
    const lastSvid = new Map();
    for (const e of svids.events) if (!lastSvid.has(e.instance_id)) lastSvid.set(e.instance_id, `${e.spiffe_id} at ${e.time}`);
    root.append(
      h("h1", {}, `Bot ${bot.name}`),
      table(["State", "Id", "Join methods and rules", "Allowed SPIFFE IDs", "Allowed DNS names", "Created"], [[lockText(bot.lock), h("code", {}, bot.id), JSON.stringify(bot.join_rules), bot.allowed_spiffe_ids.join(" "), bot.allowed_dns_names.join(" ") || "-", bot.created_at]]),
      lockButtons(bot, reload),
      tokenButton(bot),
      h("h2", {}, "Instances"),
      pagedList(
        async (cursor) => {
          const r = await api("GET", `/v1/admin/bots/${encodeURIComponent(name)}/instances?${q({ limit: 50, cursor })}`);
          return { items: r.instances, next: r.next_cursor };
        },
        (items) =>
          table(
            ["Instance", "State", "Method", "Generation", "Joined", "Last renewal", "Credential expires", "Last X.509-SVID"],
            items.map((i) => [h("code", {}, i.id), lockText(i.lock), i.join_method, i.generation, i.created_at, i.renewed_at, i.expires_at, lastSvid.get(i.id)]),
            "no instances",
          ),
      ),
      h("h2", {}, "SVIDs received"),
      ...["x509_svid", "jwt_svid"].map((type) =>
        pagedList(auditPage({ bot: name, type, limit: 50 }), (events) =>
          table(["Time", "Type", "SPIFFE ID", "Serial / jti", "Expires", "Key thumbprint", "Instance"], events.map((e) => [e.time, e.type, e.spiffe_id, h("code", {}, e.serial_or_jti), e.expires_at, h("code", {}, e.key_thumbprint), e.instance_id]), `no ${type}`),
        ),
      ),
      h("h2", {}, "Join history"),
      pagedList(auditPage({ bot: name, type: "join", limit: 50 }), (events) => table(["Time", "Instance", "Method"], events.map((e) => [e.time, e.instance_id, e.join_method]), "no joins")),
    );
  } catch (err) {
    root.append(h("h1", {}, `Bot ${name}`), errorBox(err));
  }
  return root;
}

function barChart(title, counts) {
  const entries = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
  const max = Math.max(1, ...entries.map(([, n]) => n));
  const row = 20;
  return h(
    "figure",
    {},
    h("figcaption", {}, title),
    svg("svg", { width: 760, height: entries.length * row + 4, role: "img", "aria-label": title }, entries.map(([label, n], i) => [
      svg("rect", { class: "bar", x: 300, y: i * row + 2, height: row - 6, width: Math.max(2, (n / max) * 400) }),
      svg("text", { x: 0, y: i * row + 14 }, label.length > 48 ? `${label.slice(0, 47)}…` : label),
      svg("text", { x: 306 + (n / max) * 400, y: i * row + 14 }, n),
    ])),
  );
}

function timeline(events) {
  const hours = new Map();
  const now = Date.now();
  for (let i = 23; i >= 0; i--) hours.set(new Date(now - i * 3_600_000).toISOString().slice(0, 13), 0);
  for (const e of events) {
    const hour = e.time.slice(0, 13);
    if (hours.has(hour)) hours.set(hour, hours.get(hour) + 1);
  }
  const max = Math.max(1, ...hours.values());
  const bars = [...hours.entries()].map(([hour, n], i) => [svg("rect", { class: "bar", x: i * 30 + 2, y: 110 - (n / max) * 100, width: 24, height: (n / max) * 100 }), svg("text", { x: i * 30 + 4, y: 126 }, hour.slice(11)), svg("title", {}, `${hour}:00 UTC: ${n}`)]);
  return h("figure", {}, h("figcaption", {}, "SVIDs issued per hour, last 24 hours (UTC)"), svg("svg", { width: 730, height: 130, role: "img", "aria-label": "SVIDs per hour" }, bars));
}

/** Issuance: SVIDs over time, per SPIFFE ID and per bot, and every refused request with its code and reason. */
export async function issuancePage() {
  const root = h("section", {}, h("h1", {}, "Issuance"));
  try {
    const since = new Date(Date.now() - 24 * 3_600_000).toISOString();
    const pages = await Promise.all(["x509_svid", "jwt_svid"].map((type) => api("GET", `/v1/admin/audit?${q({ type, since, limit: 1000 })}`)));
    const events = pages.flatMap((p) => p.events);
    const per = (key) => events.reduce((m, e) => m.set(e[key] ?? "-", (m.get(e[key] ?? "-") ?? 0) + 1), new Map());
    root.append(
      h("p", {}, `${events.length}${pages.some((p) => p.next_cursor) ? "+" : ""} SVIDs in the last 24 hours`),
      timeline(events),
      barChart("per SPIFFE ID", per("spiffe_id")),
      barChart("per bot", per("bot_name")),
    );
  } catch (err) {
    root.append(errorBox(err));
  }
  root.append(
    h("h2", {}, "Refused joins, renewals and SVID requests"),
    pagedList(auditPage({ type: "refusals", limit: 50 }), (events) =>
      table(["Time", "Type", "Bot", "SPIFFE ID", "Code", "Reason"], events.map((e) => [e.time, e.type, e.bot_name, e.spiffe_id, h("code", {}, e.detail?.code), e.detail?.reason]), "nothing refused"),
    ),
  );
  return root;
}
