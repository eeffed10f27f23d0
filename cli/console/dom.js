// Builds DOM nodes with textContent only: nothing the issuer returns is ever parsed as HTML.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  for (const child of children.flat(Infinity)) el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return el;
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// Every admin call: the session cookie (HttpOnly, sent by the browser) and the console header.
// How many calls are in flight, on <body data-pending>: tests and the page-load bench wait for 0.
let pending = 0;
const track = (delta) => {
  pending += delta;
  document.body.dataset.pending = String(pending);
};

export async function api(method, path, body) {
  track(1);
  try {
    return await call(method, path, body);
  } finally {
    track(-1);
  }
}

async function call(method, path, body) {
  const headers = { "x-tessera-console": "1" };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : {};
  if (!res.ok) throw new ApiError(res.status, json.error?.code ?? "ERR_HTTP", json.error?.message ?? `HTTP ${res.status}`);
  return json;
}

export function table(headers, rows, empty = "none") {
  if (rows.length === 0) return h("p", {}, empty);
  return h(
    "table",
    {},
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        headers.map((x) => h("th", {}, x)),
      ),
    ),
    h(
      "tbody",
      {},
      rows.map((r) =>
        h(
          "tr",
          {},
          r.map((c) => h("td", {}, c ?? "-")),
        ),
      ),
    ),
  );
}

export const lockText = (lock) =>
  lock ? h("span", { class: "locked" }, `locked: ${lock.reason}`) : h("span", { class: "active" }, "active");

export function errorBox(err) {
  return h("p", { class: "error", role: "alert" }, err instanceof ApiError ? `${err.code}: ${err.message}` : String(err));
}

// A list that loads page after page from the server: `load(cursor)` answers { items, next }.
export function pagedList(load, render) {
  const box = h("div");
  const more = h("button", { type: "button" }, "Load more");
  let cursor;
  async function next() {
    more.remove();
    try {
      const page = await load(cursor);
      box.append(render(page.items));
      cursor = page.next;
      if (cursor) box.append(more);
    } catch (err) {
      box.append(errorBox(err));
    }
  }
  more.addEventListener("click", () => void next());
  void next();
  return box;
}

// A query string of the defined parameters.
export const q = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined)).toString();

// A `pagedList` loader over the admin audit trail.
export const auditPage = (params) => async (cursor) => {
  const r = await api("GET", `/v1/admin/audit?${q({ ...params, cursor })}`);
  return { items: r.events, next: r.next_cursor };
};

export function fieldsOf(form) {
  return Object.fromEntries(new FormData(form).entries());
}

export const lines = (text) =>
  String(text ?? "")
    .split(/[\s,]+/)
    .filter(Boolean);
