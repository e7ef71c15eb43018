/* ParkWell shell (progressive): on phones, tables become cards. Each cell gets its column's
   heading as data-label, and the table the class "stacked" (styled in parkwell.css). */
(function () {
  "use strict";
  document.querySelectorAll(".table-wrap table").forEach(function (table) {
    var heads = table.querySelectorAll("thead th");
    if (!heads.length) { return; }
    var labels = Array.prototype.map.call(heads, function (th) { return th.textContent.trim(); });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, i) {
        if (labels[i] && !cell.hasAttribute("colspan")) { cell.setAttribute("data-label", labels[i]); }
      });
    });
    table.classList.add("stacked");
  });
})();
