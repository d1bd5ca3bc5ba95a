(function () {
  "use strict";
  var table = document.getElementById("index");
  if (!table) return;
  var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
  var filter = document.getElementById("filter"), shown = document.getElementById("shown");
  var order = document.getElementById("order"), key = "headline", dir = -1;
  var words = { headline: ["lowest headline first", "highest headline first"], title: ["titles Z to A", "titles A to Z"] };
  function sort() {
    rows.sort(function (a, b) {
      var c = key === "title" ? a.dataset.title.localeCompare(b.dataset.title) : a.dataset.headline - b.dataset.headline;
      return dir * c || a.dataset.code.localeCompare(b.dataset.code);
    });
    rows.forEach(function (r) { body.appendChild(r); });
    order.textContent = words[key][(dir < 0) === (key === "headline") ? 1 : 0];
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      if (th.dataset.sort === key) th.setAttribute("aria-sort", dir < 0 ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    });
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    if (!th.dataset.sort) return;
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(b);
    b.addEventListener("click", function () {
      dir = key === th.dataset.sort ? -dir : (th.dataset.sort === "headline" ? -1 : 1);
      key = th.dataset.sort;
      sort();
    });
  });
  filter.addEventListener("input", function () {
    var q = filter.value.trim().toLowerCase(), n = 0;
    rows.forEach(function (r) {
      var hit = r.textContent.toLowerCase().indexOf(q) >= 0;
      r.hidden = !hit;
      if (hit) n++;
    });
    shown.textContent = q ? n + " of " + rows.length + " shown" : "";
  });
  document.getElementById("controls").hidden = false;
  document.documentElement.className += " js";
})();
