// Progressive search over names.json: the page works without this (it lists the browse pages).
(function () {
  "use strict";
  var form = document.getElementById("search");
  var input = document.getElementById("q");
  var status = document.getElementById("status");
  var list = document.getElementById("results");
  if (!form || !input || !window.fetch) { return; }
  var root = form.getAttribute("data-index").replace(/names\.json$/, "");
  var entries = null;
  status.textContent = "Loading names…";
  fetch(form.getAttribute("data-index")).then(function (r) { return r.json(); }).then(function (data) {
    entries = data.entries;
    status.textContent = entries.length + " names ready. Type to search.";
    if (input.value) { show(); }
  }).catch(function () { status.textContent = "The name index could not be loaded; browse by kind below."; });
  function show() {
    if (!entries) { return; }
    var q = input.value.trim().toLowerCase();
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (!q) { status.textContent = entries.length + " names ready. Type to search."; return; }
    var hits = [];
    for (var i = 0; i < entries.length && hits.length < 100; i++) {
      var names = entries[i][2];
      for (var j = 0; j < names.length; j++) {
        if (names[j][0].toLowerCase().indexOf(q) >= 0) { hits.push([entries[i], names[j]]); break; }
      }
    }
    status.textContent = hits.length + (hits.length === 100 ? "+" : "") + " found";
    hits.forEach(function (h) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + h[0][0];
      a.textContent = h[1][0];
      if (h[1][1]) { a.lang = h[1][1]; }
      li.appendChild(a);
      var small = document.createElement("small");
      small.textContent = " " + h[0][1];
      li.appendChild(small);
      list.appendChild(li);
    });
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); show(); });
  input.addEventListener("input", show);
}());
