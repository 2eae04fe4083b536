// The moviembed page: plain JavaScript over the JSON API, no outside files (taste.js keeps
// the taste, panel.js draws it and takes uploads; this file has the views and the wiring).
// Views follow the address: ?q= (search), ?like=ID (more like this), ?view=for-you (picks
// for the taste), ?movie=ID (one movie); the taste (taste.js) rides along in every address.
"use strict";

const TOKEN_KEY = "moviembed-token";
// The filters of every view (the API's FilterFields), and how many results.
const FILTERS = ["genre", "year", "director", "language", "min_rating", "min_votes", "runtime", "n"];
const NUMBERS = ["n", "min_rating", "min_votes"];
// How a text search ranks; "more like this" ranks by similarity alone.
const SEARCH_ONLY = ["mode", "rank", "literal"];
const VIEWS = ["q", "like", "view", "movie"];
const LABELS = /^(Genres|Director|Cast|Keywords):/;
const IMAGES = document.querySelector("meta[name=moviembed-image-base]").content;

const searchForm = document.getElementById("search");
const tokenForm = document.getElementById("token");
const status = document.getElementById("status");
const heading = document.getElementById("results-heading");
const list = document.getElementById("results");
const template = document.getElementById("result");
const movieView = document.getElementById("movie");

// ---- talking to the API ----

function authHeaders() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function api(path, options = {}) {
  const headers = { ...authHeaders(), ...(options.headers || {}) };
  const response = await fetch(path, { ...options, headers });
  const body = await response.json().catch(() => null);
  if (response.status === 401) {
    tokenForm.hidden = false;
  }
  if (!response.ok) {
    throw new Error((body && body.error) || `The server answered ${response.status}.`);
  }
  return body;
}

const postJson = (path, data) =>
  api(path, { method: "POST", body: JSON.stringify(data), headers: { "Content-Type": "application/json" } });

function say(message, isError = false) {
  status.textContent = message;
  status.classList.toggle("error", isError);
}

// ---- the search form ----

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

// ---- one movie, as a card or the movie view ----

function synopsis(document, whole = false) {
  const lines = document.split("\n").slice(1).filter((line) => line.trim() && !LABELS.test(line));
  return whole ? lines.join(" ") : lines[0] || "";
}

function rating(metadata) {
  const value = metadata.vote_average ?? metadata.rating;
  if (typeof value !== "number" || value <= 0) return "";
  const stars = `★ ${value.toFixed(1)}`;
  const votes = metadata.vote_count;
  return typeof votes === "number" ? `${stars} (${votes.toLocaleString()} votes)` : stars;
}

// A search ranks by score (similarity plus word match and prior); the rest by similarity.
function ranking(hit) {
  const similarity = `similarity ${hit.similarity.toFixed(3)}`;
  return hit.explain ? `score ${hit.score.toFixed(3)} · ${similarity}` : similarity;
}

function setText(node, selector, text) {
  const target = node.querySelector(selector);
  target.textContent = text;
  target.hidden = !text;
}

// TMDB's poster where the metadata names one (the base URL is the server's setting),
// else (or when it fails to load) a plain placeholder with the title's first letter.
function poster(slot, movie) {
  const path = movie.metadata && movie.metadata.poster_path;
  const placeholder = () => {
    const box = document.createElement("div");
    box.className = "poster placeholder";
    box.setAttribute("aria-hidden", "true");
    box.textContent = (movie.title || "?").trim().charAt(0).toUpperCase();
    slot.replaceChildren(box);
  };
  if (!IMAGES || typeof path !== "string" || !/^\/[\w.-]+$/.test(path)) {
    placeholder();
    return;
  }
  const image = document.createElement("img");
  image.className = "poster";
  image.alt = "";
  image.loading = "lazy";
  image.addEventListener("error", placeholder);
  image.src = IMAGES + path;
  slot.replaceChildren(image);
}

function describe(node, movie) {
  const meta = movie.metadata || {};
  setText(node, ".title", movie.title);
  setText(node, ".year", movie.year ? `(${movie.year})` : "");
  setText(node, ".genres", meta.genres || "");
  setText(node, ".rating", rating(meta));
  setText(node, ".director", meta.director ? `Directed by ${meta.director}` : "");
  setText(node, ".cast", meta.cast ? `With ${meta.cast}` : "");
  poster(node.querySelector(".poster-slot"), movie);
}

// The Like and Not-for-me buttons of a card or the movie view, kept in step with the taste.
function opinionButtons(node, movie) {
  const like = node.querySelector(".like");
  const dislike = node.querySelector(".dislike");
  const refresh = () => {
    like.setAttribute("aria-pressed", String(Taste.opinion(movie.id) === "liked"));
    dislike.setAttribute("aria-pressed", String(Taste.opinion(movie.id) === "disliked"));
  };
  like.setAttribute("aria-label", `Like ${movie.title}`);
  dislike.setAttribute("aria-label", `${movie.title} is not for me`);
  like.onclick = () => changeTaste(movie, "liked", refresh);
  dislike.onclick = () => changeTaste(movie, "disliked", refresh);
  refresh();
}

function card(hit) {
  const node = template.content.firstElementChild.cloneNode(true);
  describe(node, hit);
  const link = node.querySelector(".title");
  link.href = `?${Taste.toParams(new URLSearchParams({ movie: hit.id }))}`;
  link.addEventListener("click", (event) => {
    if (event.button || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    show({ movie: hit.id }, true);
  });
  setText(node, ".synopsis", synopsis(hit.document || ""));
  setText(node, ".similarity", ranking(hit));
  setText(node, ".because", hit.because ? `Because you liked ${hit.because.title}` : "");
  opinionButtons(node, hit);
  const more = node.querySelector(".like-this");
  more.setAttribute("aria-label", `More like ${hit.title}`);
  more.addEventListener("click", () => show({ like: hit.id, title: hit.title }, true));
  return node;
}

function render(results, title) {
  document.getElementById("understood").replaceChildren();
  list.replaceChildren(...results.map(card));
  heading.textContent = title;
  heading.hidden = false;
  say(results.length ? `${results.length} movies.` : "No movies match.");
}

// ---- views ----

function markView(params) {
  const forYou = document.getElementById("to-for-you");
  if (params.get("view") === "for-you") forYou.setAttribute("aria-current", "page");
  else forYou.removeAttribute("aria-current");
}

function showOnly(which) {
  movieView.hidden = which !== "movie";
  if (which === "movie") heading.hidden = true;
}

async function showMovie(id, focus) {
  const movie = await api(`api/movies/${encodeURIComponent(id)}`);
  const shown = { id: movie.id, title: movie.metadata.title, year: movie.metadata.year, metadata: movie.metadata };
  describe(movieView, shown);
  const meta = movie.metadata;
  setText(movieView, ".runtime", meta.runtime ? `${meta.runtime} min` : "");
  setText(movieView, ".synopsis", synopsis(movie.document || "", true));
  opinionButtons(movieView, shown);
  showOnly("movie");
  document.title = `${shown.title} · moviembed`;
  if (focus) document.getElementById("movie-heading").focus();
  const similar = await api(`api/similar/${encodeURIComponent(id)}?n=6`);
  render(similar.results, `Similar to ${shown.title}`);
}

// Picks for the taste, each saying which liked movie it is there because of.
async function showForYou() {
  if (!Taste.liked.length) {
    list.replaceChildren();
    heading.textContent = "For you";
    heading.hidden = false;
    say("Like a movie or upload your ratings, and picks for you appear here.");
    return;
  }
  const filters = formParams(FILTERS);
  const request = { liked: Taste.liked, disliked: Taste.disliked, seen: Taste.seen, weights: Taste.weights };
  for (const [key, value] of filters) {
    if (key === "genre") request.genre = [value];
    else request[key] = NUMBERS.includes(key) ? Number(value) : value;
  }
  const body = await postJson("api/recommend", request);
  render(body.results, "For you");
}

// Search by text (?q=) or more like a movie (?like=); the form's filters apply to both.
async function showSearch(params) {
  const filters = new URLSearchParams([...params].filter(([key]) => FILTERS.includes(key)));
  if (params.has("like")) {
    const body = await api(`api/similar/${encodeURIComponent(params.get("like"))}?${filters}`);
    render(body.results, `More like ${params.get("title") || params.get("like")}`);
    return;
  }
  for (const name of SEARCH_ONLY) {
    if (params.has(name)) filters.set(name, params.get(name));
  }
  for (const name of params.getAll("ignore")) filters.append("ignore", name);
  filters.set("q", params.get("q"));
  const body = await api(`api/search?${filters}`);
  render(body.results, `Movies for: ${params.get("q")}`);
  showUnderstood(body.understood, params);
}

// What the search read the query as asking for, one removable chip per condition; removing
// one searches again without it (?ignore=NAME), "as written" takes the words literally.
function showUnderstood(understood, params) {
  const box = document.getElementById("understood");
  const conditions = (understood && understood.conditions) || [];
  if (!conditions.length) {
    box.replaceChildren();
    return;
  }
  const again = (change) => {
    const next = new URLSearchParams(params);
    change(next);
    history.pushState(null, "", `?${next}`);
    run(next, false);
  };
  const chips = conditions.map(({ name, value }) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "chip understood";
    button.textContent = `${name} ${value} ×`;
    button.setAttribute("aria-label", `Search again without ${name} ${value}`);
    button.addEventListener("click", () => again((next) => next.append("ignore", name)));
    return button;
  });
  const literal = document.createElement("button");
  literal.type = "button";
  literal.className = "link";
  literal.textContent = "search the words as written";
  literal.addEventListener("click", () => again((next) => next.set("literal", "true")));
  box.replaceChildren("Understood: ", ...chips, literal);
}

// Run what the address describes.
async function run(params, focusResults) {
  document.title = "moviembed";
  markView(params);
  if (!VIEWS.some((name) => params.has(name))) return;
  say(params.has("movie") ? "Loading…" : "Searching…");
  searchForm.setAttribute("aria-busy", "true");
  try {
    if (params.has("movie")) {
      await showMovie(params.get("movie"), focusResults);
      return;
    }
    showOnly("results");
    await (params.get("view") === "for-you" ? showForYou() : showSearch(params));
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
  const params = "movie" in extra ? new URLSearchParams() : formParams(FILTERS);
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  Taste.toParams(params);
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

// ---- wiring ----

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

document.getElementById("to-search").addEventListener("click", () => {
  searchForm.elements.q.focus();
});
document.getElementById("to-for-you").addEventListener("click", () => show({ view: "for-you" }, true));
document.getElementById("clear-taste").addEventListener("click", () => {
  Taste.clear();
  history.replaceState(null, "", `?${Taste.toParams(new URLSearchParams(location.search))}`);
  drawTaste();
  say("Your taste is cleared.");
});
document.getElementById("ratings-file").addEventListener("change", (event) => {
  const [file] = event.target.files;
  if (file) uploadRatings(file);
  event.target.value = "";
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
  Taste.load(params);
  drawTaste();
  fillForm(params);
  run(params, false);
});

const initial = new URLSearchParams(location.search);
// Filters start open where there is room for them, or when the address sets one.
document.getElementById("filters-box").open =
  matchMedia("(min-width: 34rem)").matches || FILTERS.some((name) => name !== "n" && initial.has(name));
Taste.load(initial);
if (!Taste.isEmpty) history.replaceState(null, "", `?${Taste.toParams(initial)}`);
drawTaste();
fetchTitles();
fillForm(initial);
footer();
run(initial, false);
