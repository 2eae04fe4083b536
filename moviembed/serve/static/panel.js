// The taste panel: the liked and not-for-me chips, what a like or a not-for-me changes, and
// uploading a ratings file. Uses app.js's helpers (api, say, run, render), called only after
// every script has loaded.
"use strict";

function chip(id, which) {
  const title = Taste.title(id) || `Movie ${id}`;
  const button = document.createElement("button");
  button.type = "button";
  button.className = `chip ${which}`;
  button.textContent = `${title} ×`;
  button.setAttribute("aria-label", `Remove ${title} from your taste`);
  button.addEventListener("click", () => changeTaste({ id, title }, which));
  return button;
}

function drawTaste() {
  const liked = Taste.liked;
  const disliked = Taste.disliked;
  const likedChips = document.getElementById("liked-chips");
  const dislikedChips = document.getElementById("disliked-chips");
  likedChips.replaceChildren(...(liked.length ? ["Liked: "] : []), ...liked.map((id) => chip(id, "liked")));
  dislikedChips.replaceChildren(
    ...(disliked.length ? ["Not for me: "] : []),
    ...disliked.map((id) => chip(id, "disliked")),
  );
  document.getElementById("taste-empty").hidden = !Taste.isEmpty;
  document.getElementById("taste-count").textContent = liked.length ? `(${liked.length})` : "";
}

// A like or not-for-me: the taste, the address and the panel follow; "For you" is re-run.
function changeTaste(movie, which, refreshButtons) {
  Taste.toggle(movie.id, movie.title, which);
  const params = Taste.toParams(new URLSearchParams(location.search));
  history.replaceState(null, "", `?${params}`);
  drawTaste();
  if (refreshButtons) refreshButtons();
  if (params.get("view") === "for-you") run(params, false);
}

// Titles for a taste that arrived by address (shared or bookmarked), looked up once each.
async function fetchTitles() {
  const missing = [...Taste.liked, ...Taste.disliked].filter((id) => !Taste.title(id));
  await Promise.all(
    missing.map((id) =>
      api(`api/movies/${id}`)
        .then((movie) => Taste.remember(id, movie.metadata.title))
        .catch(() => null),
    ),
  );
  if (missing.length) drawTaste();
}

async function uploadRatings(file) {
  const params = new URLSearchParams({ name: file.name, n: formParams(["n"]).get("n") || "10" });
  say(`Reading ${file.name}…`);
  try {
    const body = await api(`api/recommend/ratings?${params}`, { method: "POST", body: file });
    Taste.merge(body.taste);
    drawTaste();
    const view = Taste.toParams(new URLSearchParams({ view: "for-you" }));
    history.pushState(null, "", `?${view}`);
    markView(view);
    showOnly("results");
    render(body.results, "For you");
    const missed = body.taste.unmatched.length;
    say(`${file.name} (${body.kind}): ${body.taste.matched} films matched, ${missed} not in the index.`);
    heading.focus();
  } catch (error) {
    say(`${file.name}: ${error.message}`, true);
  }
}
