// What every page uses: building elements without innerHTML, progress on
// slow actions, error display next to the fields a problem names, and
// navigation (the shell listens for it and renders the page).
import { ApiError } from "./api.js";

const status = document.getElementById("status");

/** Elements without innerHTML: h("p", {class: "x"}, "text", child…). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return element;
}

/** Says something to screen readers and sighted users alike. */
export function announce(text) {
  status.textContent = text;
}

/** Goes to `path` (under /console); the shell renders it. */
export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  window.dispatchEvent(new Event("console:navigate"));
}

/** Runs `action` with `button` disabled and a progress note; the button's text comes back after. */
export async function busy(button, label, action) {
  const before = button.textContent;
  button.disabled = true;
  button.textContent = label;
  announce(label);
  try {
    return await action();
  } finally {
    button.disabled = false;
    button.textContent = before;
    announce("");
  }
}

/** The words for an error: conflicts say to reload. */
export function describe(error) {
  if (error instanceof ApiError && error.isConflict) return "Changed by someone else — reload to see the latest version.";
  return error.message || String(error);
}

/** Shows `error` in `slot`, and next to each field it names (inputs with that name inside `form`). */
export function showError(slot, error, form) {
  slot.textContent = describe(error);
  if (!form || !(error instanceof ApiError)) return;
  for (const old of form.querySelectorAll(".field-error")) old.remove();
  for (const [field, message] of Object.entries(error.fields ?? {})) {
    const input = form.querySelector(`[name="${CSS.escape(field.split(".").pop())}"]`);
    if (!input) continue;
    const id = `${input.id || input.name}-error`;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", id);
    input.after(h("span", { class: "field-error", id }, message));
  }
}
