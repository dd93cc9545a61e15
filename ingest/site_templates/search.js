// The index's search box: shows the list entries whose text holds every word typed.
// Plain DOM, no library; the text searched is each entry's data-search attribute.
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) { return; }
  var entries = Array.prototype.slice.call(document.querySelectorAll("[data-search]"));
  var count = document.getElementById("search-count");
  var none = document.getElementById("no-match");
  var total = document.querySelectorAll("li.department").length;

  function normalize(text) {
    return (text || "").normalize("NFKC").toLowerCase();
  }

  function apply() {
    var words = normalize(box.value).split(/\s+/).filter(function (w) { return w.length > 0; });
    var shown = 0;
    entries.forEach(function (entry) {
      var text = entry.getAttribute("data-search");
      var match = words.every(function (w) { return text.indexOf(w) !== -1; });
      entry.hidden = !match;
      if (match && entry.classList.contains("department")) { shown += 1; }
    });
    count.textContent = words.length ? ("显示 " + shown + " / " + total + " 个部门") : ("共 " + total + " 个部门");
    if (none) { none.hidden = shown > 0; }
  }

  box.addEventListener("input", apply);
  apply();
}());
