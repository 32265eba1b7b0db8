// Sort the matrix by the column clicked: numbers by their data-v, text as written.
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("thead th").forEach(function (th, index) {
    th.tabIndex = 0;
    th.style.cursor = "pointer";
    var sort = function () {
      var body = table.tBodies[0];
      var up = th.getAttribute("aria-sort") !== "ascending";
      var numeric = th.dataset.type === "num";
      var key = function (row) {
        var cell = row.cells[index];
        return numeric ? parseFloat(cell.dataset.v) : cell.textContent;
      };
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        var order = numeric ? x - y : x.localeCompare(y, "zh-CN");
        return up ? order : -order;
      });
      table.querySelectorAll("thead th").forEach(function (other) {
        other.removeAttribute("aria-sort");
      });
      th.setAttribute("aria-sort", up ? "ascending" : "descending");
      rows.forEach(function (row) { body.appendChild(row); });
    };
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { sort(); }
    });
  });
});
