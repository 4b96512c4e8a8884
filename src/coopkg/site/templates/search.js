// Progressive search over names.js: the page works without this (it lists the browse pages).
// names.js sets window.coopkgNames (coopkg.site.search_index); it is loaded by a <script> of the
// page, after this one, not by fetch(), which a page opened from a file (file://) may not use.
// A query and every name are folded as `coopkg lookup` folds them (coopkg.records.names.fold:
// full width to half width, traditional to simplified, case, accents, ü/v, no spaces or
// punctuation); pages are ranked by their best name: exact, then prefix, then substring, shorter
// names first. The query is in the address (search.html?q=…), so a search can be linked to.
(function () {
  "use strict";
  var form = document.getElementById("search");
  var input = document.getElementById("q");
  var status = document.getElementById("status");
  var list = document.getElementById("results");
  var LIMIT = 100;
  var RANKS = ["exact", "prefix", "substring"];
  var script = document.getElementById("names");
  if (!form || !input || !script) { return; }
  var root = form.getAttribute("data-root");
  var entries = null;
  var simplified = {};
  var DROP = /[\p{M}\p{P}\p{Z}\p{Cc}\p{Cf}\p{Sk}]/gu;

  function fold(text) {
    text = text.normalize("NFKC");
    if (/^[\x00-\x7f]*$/.test(text)) {
      return text.toLowerCase().replace(/[^a-z0-9]+/g, "").replace(/v/g, "u");
    }
    text = Array.from(text, function (c) { return simplified[c] || c; }).join("");
    text = text.toLowerCase().normalize("NFD").replace(DROP, "");
    return text.normalize("NFC").replace(/v/g, "u");
  }
  window.coopkgFold = fold;  // the same function the tests compare with Python's fold

  function page(key) {
    return root + (key === "" || key.slice(-1) === "/" ? key + "index.html" : key + ".html");
  }

  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) { input.value = initial; }
  status.textContent = "Loading names…";
  function ready() {
    var data = window.coopkgNames;
    if (entries) { return; }
    if (!data) { failed(); return; }
    simplified = data.simplified || {};
    entries = data.entries.map(function (e) {
      return {key: e[0], types: e[1], names: e[2].map(function (n) { return [n[0], n[1], fold(n[0])]; })};
    });
    status.textContent = entries.length + " names ready. Type to search.";
    if (input.value) { show(); }
  }
  function failed() {
    if (!entries) { status.textContent = "The name index could not be loaded; browse by kind below."; }
  }
  if (window.coopkgNames) {
    ready();
  } else {
    script.addEventListener("load", ready);
    script.addEventListener("error", failed);
  }

  function best(entry, q) {
    var found = null;
    entry.names.forEach(function (n) {
      var at = n[2].indexOf(q);
      if (at < 0) { return; }
      var rank = n[2] === q ? 0 : at === 0 ? 1 : 2;
      if (!found || rank < found.rank || (rank === found.rank && n[0].length < found.name[0].length)) {
        found = {rank: rank, name: n, entry: entry};
      }
    });
    return found;
  }

  function show() {
    if (!entries) { return; }
    var raw = input.value.trim();
    var url = raw ? "?q=" + encodeURIComponent(raw) : window.location.pathname.replace(/^.*\//, "");
    window.history.replaceState(null, "", url);
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var q = fold(raw);
    if (!q) { status.textContent = entries.length + " names ready. Type to search."; return; }
    var hits = [];
    entries.forEach(function (e) { var h = best(e, q); if (h) { hits.push(h); } });
    hits.sort(function (a, b) {
      return a.rank - b.rank || a.name[0].length - b.name[0].length ||
        (a.name[0] < b.name[0] ? -1 : a.name[0] > b.name[0] ? 1 : 0) || (a.entry.key < b.entry.key ? -1 : 1);
    });
    status.textContent = (hits.length === 1 ? "1 page found" : hits.length + " pages found") +
      (hits.length > LIMIT ? ", the first " + LIMIT + " shown" : "");
    hits.slice(0, LIMIT).forEach(function (h) {
      var li = document.createElement("li");
      li.className = "match-" + RANKS[h.rank];
      var a = document.createElement("a");
      a.href = page(h.entry.key);
      a.textContent = h.name[0];
      if (h.name[1]) { a.lang = h.name[1]; }
      li.appendChild(a);
      var small = document.createElement("small");
      small.textContent = " " + h.entry.types;
      li.appendChild(small);
      list.appendChild(li);
    });
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); show(); });
  input.addEventListener("input", show);
}());
