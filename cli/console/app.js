import { botPage, botsPage } from "./pages.js";
import { issuancePage } from "./issuance-page.js";
import { caPage, locksPage, policyPage } from "./admin-pages.js";
import { api, errorBox, h } from "./dom.js";

const routes = [
  [/^#\/bots\/(.+)$/, (m) => botPage(decodeURIComponent(m[1]))],
  [/^#\/issuance$/, issuancePage],
  [/^#\/policy$/, policyPage],
  [/^#\/locks$/, locksPage],
  [/^#\/ca$/, caPage],
  [/^/, botsPage],
];

async function render() {
  const main = document.getElementById("main");
  const hash = location.hash || "#/bots";
  delete main.dataset.rendered;
  for (const a of document.querySelectorAll("header nav a")) a.classList.toggle("active", hash.startsWith(a.getAttribute("href")));
  try {
    await api("GET", "/v1/admin/ca");
  } catch (err) {
    main.replaceChildren(
      h("h1", {}, "Not logged in"),
      errorBox(err),
      h("p", {}, "Open the one-time console link that tessera dev prints (or run: tessera console login)."),
    );
    return;
  }
  for (const [pattern, page] of routes) {
    const m = pattern.exec(hash);
    if (m) {
      main.replaceChildren(await page(m));
      main.dataset.rendered = hash;
      return;
    }
  }
}

window.addEventListener("hashchange", () => void render());
void render();
