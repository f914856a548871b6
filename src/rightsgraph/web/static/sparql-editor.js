// The query editor on /sparql: YASGUI (vendor/yasgui) pointed at this endpoint, and the
// page's example queries, each loaded into the open tab and run by its button.
(function () {
  "use strict";
  var host = document.getElementById("yasgui");
  var examples = JSON.parse(document.getElementById("sparql-examples").textContent);
  var endpoint = host.getAttribute("data-endpoint");
  var yasgui = new Yasgui(host, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    // only this store in the endpoint list, not the public endpoints YASGUI lists by default
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    yasqe: { value: examples[0].query },  // a new tab opens on the first example
    persistenceId: "rightsgraph-sparql",
    autofocus: false
  });
  var tab = yasgui.getTab();
  if (tab.getEndpoint() !== endpoint) {
    tab.setEndpoint(endpoint);           // the store may have moved since the tab was saved
  }
  document.querySelectorAll("button.example").forEach(function (button) {
    button.addEventListener("click", function () {
      var example = examples.find(function (e) { return e.key === button.getAttribute("data-example"); });
      var current = yasgui.getTab();
      current.setQuery(example.query);
      current.getYasqe().query();
    });
  });
  window.rightsgraphYasgui = yasgui;    // for the browser tests
})();
