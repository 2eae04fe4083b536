// The visitor's taste: liked and not-for-me movies (in the address, so it can be shared),
// movies seen and the weights of rated ones (from an uploaded ratings file) and the titles
// of all of them, kept across reloads in localStorage. No other file touches the storage or the taste's parameters.
"use strict";

const Taste = (() => {
  const KEY = "moviembed-taste";
  const MAX_LIST = 100; // what one list of POST /api/recommend may hold
  const MAX_SEEN = 1000;
  let liked = [];
  let disliked = [];
  let seen = [];
  let weights = {}; // from ratings: 0.5 for four stars ... 1 for five; 1 when not here
  let titles = {};

  // TMDB ids are integers, as every answer of the API gives them.
  const ids = (text) =>
    String(text || "").split(",").map((id) => id.trim()).filter((id) => /^\d+$/.test(id)).map(Number);
  const unique = (list) => [...new Set(list)];

  function save() {
    try {
      localStorage.setItem(KEY, JSON.stringify({ liked, disliked, seen, weights, titles }));
    } catch (error) {
      // private mode or full storage: the address still holds the taste
    }
  }

  // The address wins over storage, so a shared or bookmarked taste is the one shown.
  function load(params) {
    let stored = {};
    try {
      stored = JSON.parse(localStorage.getItem(KEY) || "{}") || {};
    } catch (error) {
      stored = {};
    }
    const fromAddress = params.has("liked") || params.has("disliked");
    liked = fromAddress ? ids(params.get("liked")) : ids((stored.liked || []).join(","));
    disliked = fromAddress ? ids(params.get("disliked")) : ids((stored.disliked || []).join(","));
    seen = ids((stored.seen || []).join(","));
    titles = typeof stored.titles === "object" && stored.titles ? stored.titles : {};
    weights = typeof stored.weights === "object" && stored.weights ? stored.weights : {};
    save();
  }

  function opinion(id) {
    id = Number(id);
    if (liked.includes(id)) return "liked";
    return disliked.includes(id) ? "disliked" : "";
  }

  // Like (or not-for-me) a movie; doing it again takes it back out of the taste.
  function toggle(id, title, which) {
    id = Number(id);
    const was = opinion(id);
    liked = liked.filter((other) => other !== id);
    disliked = disliked.filter((other) => other !== id);
    if (was !== which) (which === "liked" ? liked : disliked).unshift(id);
    delete weights[id]; // said here outright: it counts fully
    liked = liked.slice(0, MAX_LIST);
    disliked = disliked.slice(0, MAX_LIST);
    if (title) titles[id] = title;
    save();
  }

  // What an uploaded ratings file meant (the API's `taste`), merged in: the file's liked
  // movies, heaviest first, after the ones liked here.
  function merge(fromFile) {
    for (const item of [...fromFile.liked, ...fromFile.disliked]) {
      titles[item.id] = item.title;
      weights[item.id] = item.weight;
    }
    const fileLiked = fromFile.liked.map((item) => item.id);
    const fileDisliked = fromFile.disliked.map((item) => item.id);
    liked = unique([...liked.filter((id) => !fileDisliked.includes(id)), ...fileLiked]).slice(0, MAX_LIST);
    disliked = unique([...disliked.filter((id) => !fileLiked.includes(id)), ...fileDisliked])
      .filter((id) => !liked.includes(id))
      .slice(0, MAX_LIST);
    seen = unique([...fromFile.seen, ...seen]).slice(0, MAX_SEEN);
    save();
  }

  function clear() {
    liked = [];
    disliked = [];
    seen = [];
    weights = {};
    save();
  }

  // The taste's part of an address: ?liked=862,14160&disliked=...
  function toParams(params) {
    params.delete("liked");
    params.delete("disliked");
    if (liked.length) params.set("liked", liked.join(","));
    if (disliked.length) params.set("disliked", disliked.join(","));
    return params;
  }

  return {
    load,
    opinion,
    toggle,
    merge,
    clear,
    toParams,
    get liked() { return [...liked]; },
    get disliked() { return [...disliked]; },
    get seen() { return [...seen]; },
    // The weights of the movies in the taste now, for POST /api/recommend.
    get weights() {
      const inTaste = [...liked, ...disliked].filter((id) => typeof weights[id] === "number");
      return Object.fromEntries(inTaste.map((id) => [id, weights[id]]));
    },
    title: (id) => titles[id] || "",
    remember(id, title) { if (title && titles[id] !== title) { titles[id] = title; save(); } },
    get isEmpty() { return !liked.length && !disliked.length; },
  };
})();
