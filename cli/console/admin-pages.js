import { api, errorBox, fieldsOf, h, lines, lockText, pagedList, q, table } from "./dom.js";

/** Policy check: the issuer's own decision for a bot, attributes, a SPIFFE ID and DNS names. */
export function policyPage() {
  const out = h("div", { id: "policy-result" });
  const form = h(
    "form",
    { id: "policy-form" },
    h("label", { for: "p-bot" }, "Bot"),
    h("input", { id: "p-bot", name: "bot", required: true }),
    h("label", { for: "p-attrs" }, "Join attributes (k=v, one a line)"),
    h("textarea", { id: "p-attrs", name: "attrs", rows: 2 }),
    h("label", { for: "p-id" }, "SPIFFE ID"),
    h("input", { id: "p-id", name: "spiffe_id", required: true }),
    h("label", { for: "p-dns" }, "DNS names"),
    h("input", { id: "p-dns", name: "dns" }),
    h("button", { type: "submit" }, "Check"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = fieldsOf(form);
    const attributes = Object.fromEntries(
      String(f.attrs)
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    const dns = lines(f.dns);
    try {
      const r = await api("POST", "/v1/admin/policy/test", {
        bot: f.bot,
        attributes,
        spiffe_id: f.spiffe_id,
        ...(dns.length ? { dns_names: dns } : {}),
      });
      out.replaceChildren(
        r.allowed
          ? h(
              "p",
              { class: "ok" },
              `allowed: ${r.spiffe_id}`,
              r.dns_names.length ? ` with DNS ${r.dns_names.join(", ")}` : "",
              `, TTL ${r.ttl}s`,
            )
          : h("p", { class: "error" }, `refused: ${r.code}: ${r.reason}`),
      );
    } catch (err) {
      out.replaceChildren(errorBox(err));
    }
  });
  return h(
    "section",
    {},
    h("h1", {}, "Policy check"),
    h(
      "p",
      {},
      "Would this bot, joined with these attributes, get that SVID? Answered by the code that decides real requests; nothing is written.",
    ),
    form,
    out,
  );
}

/** Locks: lock or unlock a bot, an instance or a join token (by hash), with a confirmation and a reason. */
export function locksPage() {
  const out = h("div", { id: "lock-result" });
  const form = h(
    "form",
    { id: "lock-form" },
    h("label", { for: "l-target" }, "What"),
    h(
      "select",
      { id: "l-target", name: "target" },
      h("option", { value: "bot" }, "bot (name)"),
      h("option", { value: "bot_instance" }, "bot instance (id)"),
      h("option", { value: "join_token" }, "join token (hash)"),
    ),
    h("label", { for: "l-id" }, "Name, id or hash"),
    h("input", { id: "l-id", name: "id", required: true }),
    h("label", { for: "l-reason" }, "Reason"),
    h("input", { id: "l-reason", name: "reason", required: true }),
    h("button", { type: "submit", name: "lock", value: "lock" }, "Lock"),
    h("button", { type: "submit", name: "unlock", value: "unlock" }, "Unlock"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = fieldsOf(form);
    const locked = event.submitter?.value !== "unlock";
    if (!window.confirm(`${locked ? "Lock" : "Unlock"} ${f.target} ${f.id}?`)) return;
    try {
      const r = await api("POST", "/v1/admin/locks", { target: f.target, id: f.id, locked, reason: f.reason });
      out.replaceChildren(
        h("p", { class: "ok" }, `${r.target} ${r.id}: ${r.locked ? "locked" : "unlocked"}${r.changed ? "" : " (nothing changed)"}`),
      );
    } catch (err) {
      out.replaceChildren(errorBox(err));
    }
  });
  const tokens = pagedList(
    async (cursor) => {
      const r = await api("GET", `/v1/admin/tokens?${q({ limit: 50, cursor })}`);
      return { items: r.tokens, next: r.next_cursor };
    },
    (items) =>
      table(
        ["Hash", "Bot", "Uses left", "State", "Expires"],
        items.map((t) => [h("code", {}, t.token_hash), t.bot_name, t.uses_remaining, lockText(t.lock), t.expires_at]),
        "no unspent tokens",
      ),
  );
  return h(
    "section",
    {},
    h("h1", {}, "Locks"),
    form,
    out,
    h("h2", {}, "Join tokens (by hash; the tokens themselves are never shown again)"),
    tokens,
  );
}

async function download(format) {
  const res = await fetch(format === "pem" ? "/v1/bundle?format=pem" : "/v1/bundle");
  const blob = new Blob([await res.text()], { type: format === "pem" ? "application/x-pem-file" : "application/json" });
  const a = h("a", { href: URL.createObjectURL(blob), download: format === "pem" ? "bundle.pem" : "bundle.json" });
  a.click();
  URL.revokeObjectURL(a.href);
}

/** CA: slots with keys and expiries, the next rotation step of each kind, and the published bundle. */
export async function caPage() {
  const root = h("section", {}, h("h1", {}, "CA and JWT keys"));
  try {
    const s = await api("GET", "/v1/admin/ca");
    root.append(
      h("p", {}, `trust domain ${s.trustDomain}, bundle sequence ${s.bundleSequence}`),
      h(
        "p",
        { id: "jwt-svids" },
        s.jwtSvids === false
          ? "JWT-SVIDs: off in this deployment: there is no JWT key, and asking for a JWT-SVID answers ERR_JWT_SVIDS_DISABLED"
          : "JWT-SVIDs: on",
      ),
      table(
        ["Kind", "Slot", "Status", "Key", "Generation", "Not before", "Not after", "Activated"],
        s.slots.map((x) => [x.kind, x.slot, x.status, h("code", {}, x.keyId), x.keyGeneration, x.notBefore, x.notAfter, x.activatedAt]),
      ),
      h("h2", {}, "Next rotation"),
      table(
        ["Kind", "Next step", "When", "Warning"],
        s.schedule.map((p) => [
          p.kind,
          p.next ? `${p.next.step} slot ${p.next.slot}` : "nothing planned",
          p.next ? (p.next.due ? "now" : p.next.at) : "-",
          p.warning,
        ]),
      ),
      h("h2", {}, "Published bundle"),
      h(
        "p",
        {},
        h("button", { type: "button", id: "bundle-json", onclick: () => void download("json") }, "Download bundle.json"),
        " ",
        h("button", { type: "button", id: "bundle-pem", onclick: () => void download("pem") }, "Download bundle.pem"),
      ),
      h("h2", {}, "IAM Roles Anywhere trust anchor"),
      trustAnchorSection(),
    );
  } catch (err) {
    root.append(errorBox(err));
  }
  return root;
}

const yesNo = (value, yes, no) =>
  value === undefined ? "-" : value ? h("span", { class: "active" }, yes) : h("span", { class: "locked" }, no);

function crlText(crl) {
  if (!crl.imported) return h("span", { class: "locked" }, "not imported");
  const state =
    crl.current === undefined ? "imported (no CRL signed yet)" : crl.current ? "imported, the last signed" : "imported, an older one";
  return [
    yesNo(crl.current !== false, state, state),
    crl.enabled === false ? " (disabled)" : "",
    crl.updated_at ? `, updated ${crl.updated_at}` : "",
  ];
}

// Read from Roles Anywhere by the issuer (a paced control-plane call or two), so it fills in after the rest.
function trustAnchorSection() {
  const box = h("div", { id: "trust-anchor" }, h("p", {}, "Reading the trust anchor…"));
  void api("GET", "/v1/admin/ca/trust-anchor").then(
    (t) => {
      if (!t.configured) {
        box.replaceChildren(
          h(
            "p",
            {},
            "Not configured: this issuer has no Roles Anywhere trust anchor (the embedded default). In AWS the deployment creates one and the rotate function keeps it holding the bundle's CAs.",
          ),
        );
      } else if (t.error) {
        box.replaceChildren(h("p", { class: "error" }, `Trust anchor ${t.trust_anchor_id} could not be read: ${t.error}`));
      } else if (!t.found) {
        box.replaceChildren(h("p", { class: "error" }, `Roles Anywhere has no trust anchor ${t.trust_anchor_id}.`));
      } else {
        box.replaceChildren(
          table(
            ["Anchor", "Name", "Enabled", "Source", "Holds the published bundle", "Last update"],
            [
              [
                h("code", {}, t.trust_anchor_arn),
                t.name,
                yesNo(t.enabled, "enabled", "disabled"),
                `${t.source_type}, ${t.certificates} CA certificate(s)`,
                [yesNo(t.matches_bundle, "yes", "no"), t.bundle_unfit ? ` (${t.bundle_unfit})` : ""],
                t.updated_at,
              ],
            ],
          ),
          table(
            ["CA", "CRL in Roles Anywhere"],
            t.crls.map((crl) => [h("code", {}, crl.ca_id), crlText(crl)]),
            "no CA in the bundle",
          ),
        );
      }
    },
    (err) => box.replaceChildren(errorBox(err)),
  );
  return box;
}
