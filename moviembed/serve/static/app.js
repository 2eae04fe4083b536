// The moviembed search page: plain JavaScript over the JSON API, no outside files.
"use strict";

const POSTERS = "https://image.tmdb.org/t/p/w185";
const TOKEN_KEY = "moviembed-token";
const FILTERS = ["genre", "year", "director", "language", "min_rating", "n"];
// How a text search ranks; "more like this" ranks by similarity alone.
const SEARCH_ONLY = ["mode", "rank"];
const LABELS = /^(Genres|Director|Cast|Keywords):/;

const searchForm = document.getElementById("search");
const tokenForm = document.getElementById("token");
const status = document.getElementById("status");
const heading = document.getElementById("results-heading");
const list = document.getElementById("results");
const template = document.getElementById("result");

function authHeaders() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function api(path) {
  const response = await fetch(path, { headers: authHeaders() });
  const body = await response.json().catch(() => null);
  if (response.status === 401) {
    tokenForm.hidden = false;
  }
  if (!response.ok) {
    throw new Error((body && body.error) || `The server answered ${response.status}.`);
  }
  return body;
}

function say(message, isError = false) {
  status.textContent = message;
  status.classList.toggle("error", isError);
}

// Query parameters for the API and the address bar: the form's non-empty values.
function formParams(names) {
  const data = new FormData(searchForm);
  const params = new URLSearchParams();
  for (const name of names) {
    const value = String(data.get(name) || "").trim();
    if (value) params.set(name, value);
  }
  return params;
}

function fillForm(params) {
  for (const name of ["q", ...SEARCH_ONLY, ...FILTERS]) {
    const field = searchForm.elements[name];
    if (field && params.has(name)) field.value = params.get(name);
  }
}

function synopsis(document) {
  const lines = document.split("\n").slice(1);
  return lines.find((line) => line.trim() && !LABELS.test(line)) || "";
}

function rating(metadata) {
  const value = metadata.vote_average ?? metadata.rating;
  if (typeof value !== "number" || value <= 0) return "";
  const stars = `★ ${value.toFixed(1)}`;
  const votes = metadata.vote_count;
  return typeof votes === "number" ? `${stars} (${votes.toLocaleString()} votes)` : stars;
}

// A search ranks by score (similarity plus word match and prior); "more like this" by similarity.
function ranking(hit) {
  const similarity = `similarity ${hit.similarity.toFixed(3)}`;
  return hit.explain ? `score ${hit.score.toFixed(3)} · ${similarity}` : similarity;
}

function setText(node, selector, text) {
  const target = node.querySelector(selector);
  target.textContent = text;
  target.hidden = !text;
}

function card(hit) {
  const node = template.content.firstElementChild.cloneNode(true);
  const meta = hit.metadata || {};
  setText(node, ".title", hit.title);
  setText(node, ".year", hit.year ? `(${hit.year})` : "");
  setText(node, ".genres", hit.genres);
  setText(node, ".rating", rating(meta));
  setText(node, ".director", meta.director ? `Directed by ${meta.director}` : "");
  setText(node, ".cast", meta.cast ? `With ${meta.cast}` : "");
  setText(node, ".synopsis", synopsis(hit.document || ""));
  setText(node, ".similarity", ranking(hit));
  if (typeof meta.poster_path === "string" && meta.poster_path.startsWith("/")) {
    const poster = node.querySelector(".poster");
    poster.addEventListener("error", () => poster.remove());
    poster.src = POSTERS + meta.poster_path;
    poster.hidden = false;
  }
  const button = node.querySelector(".like-this");
  button.setAttribute("aria-label", `More like ${hit.title}`);
  button.addEventListener("click", () => show({ like: hit.id, title: hit.title }, true));
  return node;
}

function render(results, title) {
  list.replaceChildren(...results.map(card));
  heading.textContent = title;
  heading.hidden = false;
  say(results.length ? `${results.length} movies.` : "No movies match.");
}

// Run what the address bar describes: ?q=... (a search) or ?like=ID (more like this).
async function run(params, focusResults) {
  const filters = new URLSearchParams([...params].filter(([key]) => FILTERS.includes(key)));
  let path;
  let title;
  if (params.has("like")) {
    path = `api/similar/${encodeURIComponent(params.get("like"))}?${filters}`;
    title = `More like ${params.get("title") || params.get("like")}`;
  } else if (params.has("q")) {
    for (const name of SEARCH_ONLY) {
      if (params.has(name)) filters.set(name, params.get(name));
    }
    filters.set("q", params.get("q"));
    path = `api/search?${filters}`;
    title = `Movies for: ${params.get("q")}`;
  } else {
    return;
  }
  say("Searching…");
  searchForm.setAttribute("aria-busy", "true");
  try {
    const body = await api(path);
    render(body.results, title);
    if (focusResults) heading.focus();
  } catch (error) {
    list.replaceChildren();
    heading.hidden = true;
    say(error.message, true);
  } finally {
    searchForm.removeAttribute("aria-busy");
  }
}

function show(extra, focusResults) {
  const params = formParams(FILTERS);
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  history.pushState(null, "", `?${params}`);
  run(params, focusResults);
}

async function footer() {
  try {
    const health = await api("api/health");
    document.getElementById("version").textContent = health.version;
    document.getElementById("count").textContent = `${health.count.toLocaleString()} movies`;
  } catch (error) {
    say(error.message, true);
  }
}

searchForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const extra = Object.fromEntries(formParams(["q", ...SEARCH_ONLY]));
  if (extra.q) show(extra, false);
});

tokenForm.addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, document.getElementById("token-value").value.trim());
  tokenForm.hidden = true;
  footer();
  run(new URLSearchParams(location.search), false);
});

document.addEventListener("keydown", (event) => {
  const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName);
  if (event.key === "/" && !typing) {
    event.preventDefault();
    searchForm.elements.q.focus();
  }
});

window.addEventListener("popstate", () => {
  const params = new URLSearchParams(location.search);
  fillForm(params);
  run(params, false);
});

const initial = new URLSearchParams(location.search);
fillForm(initial);
footer();
run(initial, false);
