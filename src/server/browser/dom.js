// Building the page's DOM: every piece of data becomes a text node or an attribute value set
// through the DOM, never HTML parsed from a string (the page's Content-Security-Policy enforces
// this with Trusted Types: an innerHTML assignment would throw).

/**
 * Makes an element. `props`: `class`, `text` (its text content), `on<event>` handlers,
 * `hidden`/`disabled`/… booleans, anything else an attribute; `children`: nodes or strings (as text).
 * @param {string} tag
 * @param {Record<string, unknown>} [props]
 * @param {...(Node | string | number | null | undefined | false | Array<Node | string>)} children
 * @returns {HTMLElement}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = String(value);
    else if (key === "text") el.textContent = String(value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** A hash link of the page (`#/…`): never a URL taken from data. */
export function link(hash, text, props = {}) {
  return h("a", { ...props, href: `#${hash}` }, text);
}

/** Shows a message in place of a view's content. */
export function notice(text, kind = "info") {
  return h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}

/** A value as the page shows it: strings as they are, arrays joined, null as an empty cell. */
export function show(value) {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  return String(value);
}
