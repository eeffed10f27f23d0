import { api, auditPage, errorBox, h, pagedList, q, svg, table } from "./dom.js";

const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const short = (label) => (label.length > 44 ? `${label.slice(0, 43)}…` : label);

// One bar per bucket, X.509 below JWT, with the bucket's start (UTC) under every third bar.
function timeline(stats) {
  const totals = stats.x509.map((n, i) => n + stats.jwt[i]);
  const max = Math.max(1, ...totals);
  const width = Math.max(6, Math.floor(720 / totals.length));
  const start = Date.parse(stats.since);
  const label = (i) =>
    new Date(start + i * stats.bucket_seconds * 1000)
      .toISOString()
      .slice(stats.bucket_seconds >= 86_400 ? 5 : 11, stats.bucket_seconds >= 86_400 ? 10 : 16);
  // When the issuer's scan stopped at its cap, the buckets that start before `counted_since` are undercounted.
  const complete = Date.parse(stats.counted_since);
  const bars = totals.map((n, i) => {
    const x509 = (stats.x509[i] / max) * 100;
    const jwt = (stats.jwt[i] / max) * 100;
    const partial = start + i * stats.bucket_seconds * 1000 < complete ? " partial" : "";
    return [
      svg("rect", { class: `bar${partial}`, x: i * width + 1, y: 110 - x509, width: width - 2, height: x509 }),
      svg("rect", { class: `bar jwt${partial}`, x: i * width + 1, y: 110 - x509 - jwt, width: width - 2, height: jwt }),
      i % 3 === 0 ? svg("text", { x: i * width + 1, y: 126 }, label(i)) : [],
      svg("title", {}, `${label(i)} UTC: ${stats.x509[i]} X.509, ${stats.jwt[i]} JWT`),
    ];
  });
  const caption = `SVIDs issued per ${stats.bucket_seconds / 60} minutes (UTC): X.509 dark, JWT light; busiest bucket ${max}`;
  return h(
    "figure",
    { id: "issuance-timeline" },
    h("figcaption", {}, caption),
    svg("svg", { width: totals.length * width + 4, height: 130, role: "img", "aria-label": "SVIDs per time bucket" }, bars),
  );
}

// A row per series: its label, its counts over the window as small columns, and its total as a bar.
function seriesChart(id, title, rows, all) {
  const row = 22;
  const maxTotal = Math.max(1, ...rows.map((r) => r.total));
  const maxCount = Math.max(1, ...rows.flatMap((r) => r.counts));
  const step = rows[0] ? 200 / rows[0].counts.length : 0;
  const drawn = rows.map((r, i) => [
    svg("text", { x: 0, y: i * row + 15 }, short(r.key)),
    r.counts.map((n, b) =>
      n
        ? svg("rect", {
            class: "spark",
            x: 300 + b * step,
            y: i * row + 18 - (n / maxCount) * 16,
            width: Math.max(1, step - 1),
            height: (n / maxCount) * 16,
          })
        : [],
    ),
    svg("rect", { class: "bar", x: 520, y: i * row + 4, height: row - 8, width: Math.max(2, (r.total / maxTotal) * 180) }),
    svg("text", { x: 526 + (r.total / maxTotal) * 180, y: i * row + 15 }, r.total),
    svg("title", {}, `${r.key}: ${r.total}`),
  ]);
  const more = all > rows.length ? ` (the ${rows.length} busiest of ${all})` : "";
  return h(
    "figure",
    { id },
    h("figcaption", {}, `${title}${more}: over the window, and in all`),
    rows.length ? svg("svg", { width: 760, height: rows.length * row + 4, role: "img", "aria-label": title }, drawn) : h("p", {}, "none"),
  );
}

function summary(stats) {
  const x509 = sum(stats.x509);
  const jwt = sum(stats.jwt);
  const text = `${x509} X.509-SVIDs and ${jwt} JWT-SVIDs from ${stats.since} to ${stats.until}, counted on the issuer from the audit trail`;
  if (!stats.capped) return [h("p", { id: "issuance-summary" }, text)];
  return [
    h("p", { id: "issuance-summary" }, text),
    h(
      "p",
      { class: "error", id: "issuance-capped" },
      `The issuer stopped counting at ${stats.scanned} SVIDs: the counts are complete only from ${stats.counted_since}; the paler buckets before it are undercounted.`,
    ),
  ];
}

/** Issuance: SVIDs over time, per SPIFFE ID and per bot (counted by the issuer), and every refused request with its code and reason. */
export async function issuancePage() {
  const charts = h("div", { id: "issuance-charts" });
  // The refused requests load beside the counts, not after them.
  const refusals = pagedList(auditPage({ type: "refusals", limit: 50 }), (events) =>
    table(
      ["Time", "Type", "Bot", "SPIFFE ID", "Code", "Reason"],
      events.map((e) => [e.time, e.type, e.bot_name, e.spiffe_id, h("code", {}, e.detail?.code), e.detail?.reason]),
      "nothing refused",
    ),
  );
  try {
    const stats = await api("GET", `/v1/admin/stats/issuance?${q({ hours: 24, bucket_minutes: 60 })}`);
    const series = (rows, field) => rows.map((r) => ({ key: r[field] ?? "-", total: r.total, counts: r.counts }));
    charts.append(
      ...summary(stats),
      timeline(stats),
      seriesChart("issuance-per-spiffe-id", "per SPIFFE ID", series(stats.per_spiffe_id, "spiffe_id"), stats.spiffe_ids),
      seriesChart("issuance-per-bot", "per bot", series(stats.per_bot, "bot_name"), stats.bots),
    );
  } catch (err) {
    charts.append(errorBox(err));
  }
  return h("section", {}, h("h1", {}, "Issuance"), charts, h("h2", {}, "Refused joins, renewals and SVID requests"), refusals);
}
