// The query page of `coopkg serve`: YASGUI on this endpoint, with the stored queries as examples.
// Nothing is fetched from elsewhere: no endpoint catalogue, no vocabulary look-ups (LOV), no
// prefix.cc; the editor keeps no state between visits.
(function () {
  "use strict";
  var examples = JSON.parse(document.getElementById("example-queries").textContent);
  var endpoint = new URL("sparql", window.location.href).href;
  var completers = Yasgui.Yasqe.defaults.autocompleters;
  completers.splice(0, completers.length, "prefixes", "variables");
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    copyEndpointOnNewTab: true,
    populateFromUrl: false,
    persistenceId: null,
    yasqe: { value: examples.length ? examples[0].query : "SELECT * WHERE { ?s ?p ?o } LIMIT 10" }
  });
  var buttons = document.querySelectorAll("button[data-example]");
  Array.prototype.forEach.call(buttons, function (button) {
    button.addEventListener("click", function () {
      var q = examples[Number(button.getAttribute("data-example"))];
      var tab = yasgui.getTab();
      tab.setQuery(q.query);
      tab.getYasqe().focus();
    });
  });
  window.coopkgYasgui = yasgui;
}());
