// iaclint HTML report filters: show and hide findings through `hidden` attributes only.
// Never writes markup; reads filters from the controls and from the URL fragment
// (report.html#severity=critical&category=encryption&file=main.tf&q=bucket).
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var section = document.getElementById("filter-section");
  var count = document.getElementById("shown-count");
  if (!form || !section) { return; }
  var articles = Array.prototype.slice.call(document.querySelectorAll("article.finding"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("section.group"));
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=severity]"));
  var category = form.elements.namedItem("category");
  var file = form.elements.namedItem("file");
  var text = form.elements.namedItem("q");
  var haystacks = articles.map(function (a) { return (a.textContent || "").toLowerCase(); });

  function apply() {
    var wanted = {};
    boxes.forEach(function (b) { wanted[b.value] = b.checked; });
    var cat = category.value, fil = file.value, q = text.value.trim().toLowerCase();
    var shown = 0, total = 0;
    articles.forEach(function (a, i) {
      var ok = wanted[a.getAttribute("data-severity")] === true &&
        (!cat || a.getAttribute("data-category") === cat) &&
        (!fil || a.getAttribute("data-file") === fil) &&
        (!q || haystacks[i].indexOf(q) !== -1);
      a.hidden = !ok;
      if (a.getAttribute("data-state") === "active") {
        total += 1;
        if (ok) { shown += 1; }
      }
    });
    groups.forEach(function (g) {
      g.hidden = !g.querySelector("article.finding:not([hidden])");
    });
    count.textContent = shown + " of " + total + " findings shown";
    count.setAttribute("data-shown", String(shown));
  }

  function fromFragment() {
    var hash = window.location.hash.replace(/^#/, "");
    if (hash.indexOf("=") === -1) { return false; }  // a plain anchor, not a filter
    var params = new URLSearchParams(hash);
    var sevs = params.getAll("severity").join(",").split(",").filter(Boolean);
    if (sevs.length) {
      boxes.forEach(function (b) { b.checked = sevs.indexOf(b.value) !== -1; });
    }
    var pick = function (select, value) {
      if (value === null) { return; }
      select.value = value;
      if (select.value !== value) { select.value = ""; }  // unknown value: no filter
    };
    pick(category, params.get("category"));
    pick(file, params.get("file"));
    if (params.get("q") !== null) { text.value = params.get("q"); }
    return true;
  }

  section.hidden = false;
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  window.addEventListener("hashchange", function () { if (fromFragment()) { apply(); } });
  fromFragment();
  apply();
}());
