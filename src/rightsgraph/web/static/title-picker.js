// Fields that pick a licence or a resource (the compare form's licences, the decision form's
// resource): each field shows a title, and the form still sends the IRI. Progressive
// enhancement: without this script the fields hold IRIs, as the server writes them, and the
// form works the same. A form opts in with data-title-picker="<its datalist's id>".
//
// The server's <datalist> lists <option value="IRI">title</option>; a browser fills a field
// with the option's value, so a librarian would see the IRI. Here each option's value becomes
// its title (the IRI shown beside it, as its label), each field loses its name to a hidden
// input that carries the IRI, and typing or picking a title sets that IRI. Anything that is
// not a listed title (a pasted IRI) is sent as typed, for the server to check as before.
(function () {
  "use strict";
  var form = document.querySelector("form[data-title-picker]");
  if (!form) { return; }
  var list = document.getElementById(form.getAttribute("data-title-picker"));
  if (!list) { return; }
  var options = Array.prototype.slice.call(list.options);
  var count = new Map();
  options.forEach(function (o) {
    var title = o.textContent.trim() || o.value;
    count.set(title, (count.get(title) || 0) + 1);
  });
  var titleOf = new Map();   // IRI -> what the field shows
  var iriOf = new Map();     // what the field shows -> IRI
  options.forEach(function (o) {
    var iri = o.value;
    var title = o.textContent.trim() || iri;
    var shown = count.get(title) > 1 ? title + " <" + iri + ">" : title;   // two IRIs, one title
    titleOf.set(iri, shown);
    iriOf.set(shown, iri);
    o.value = shown;
    o.label = iri;
    o.textContent = iri;
  });
  form.querySelectorAll("input[list='" + list.id + "']").forEach(function (box) {
    var carrier = document.createElement("input");
    carrier.type = "hidden";
    carrier.name = box.name;
    carrier.value = box.value;
    carrier.setAttribute("data-picked-iri", box.id);
    box.removeAttribute("name");
    box.insertAdjacentElement("afterend", carrier);
    if (titleOf.has(box.value.trim())) { box.value = titleOf.get(box.value.trim()); }
    var sync = function () {
      var typed = box.value.trim();
      carrier.value = iriOf.has(typed) ? iriOf.get(typed) : typed;
    };
    box.addEventListener("input", sync);
    box.addEventListener("change", sync);
  });
  form.addEventListener("submit", function () {
    form.querySelectorAll("input[list='" + list.id + "']").forEach(function (box) {
      box.dispatchEvent(new Event("change"));
    });
  });
})();
