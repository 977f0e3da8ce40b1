// Client-side search over every function name, with filters by trait.
// The data is inlined in the page (no network fetches).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kabi-data").textContent);
  var q = document.getElementById("q");
  var body = document.getElementById("results");
  var count = document.getElementById("count");
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input[data-trait]"));
  var LIMIT = 500;

  function matches(f, text, wanted) {
    if (text && f.n.toLowerCase().indexOf(text) < 0) return false;
    for (var i = 0; i < wanted.length; i++) {
      var hit = false;
      for (var g = 0; g < f.t.length && !hit; g++) hit = f.t[g].indexOf(wanted[i]) >= 0;
      if (!hit) return false;
    }
    return true;
  }

  function cell(text) {
    var td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  function render() {
    var text = q.value.trim().toLowerCase();
    var wanted = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.dataset.trait; });
    // Exact matches first, then names that start with the text, then the
    // rest, each in name order.
    var buckets = [[], [], []];
    for (var i = 0; i < data.functions.length; i++) {
      var f = data.functions[i];
      if (!matches(f, text, wanted)) continue;
      var n = f.n.toLowerCase();
      buckets[n === text ? 0 : n.indexOf(text) === 0 ? 1 : 2].push(f);
    }
    var hits = buckets[0].concat(buckets[1], buckets[2]);
    var total = hits.length, shown = Math.min(total, LIMIT);
    var frag = document.createDocumentFragment();
    for (var i = 0; i < shown; i++) {
      var f = hits[i];
      var tr = document.createElement("tr");
      var td = document.createElement("td");
      var a = document.createElement("a");
      a.href = f.p;
      a.textContent = f.n;
      td.appendChild(a);
      tr.appendChild(td);
      for (var g = 0; g < data.groups.length; g++) tr.appendChild(cell((f.t[g] || []).map(function (k) { return data.traits[k]; }).join(", ")));
      frag.appendChild(tr);
    }
    body.textContent = "";
    body.appendChild(frag);
    count.textContent = total + " function" + (total === 1 ? "" : "s") + (total > shown ? " (first " + shown + " shown)" : "");
  }

  q.addEventListener("input", render);
  boxes.forEach(function (b) { b.addEventListener("change", render); });
  var params = new URLSearchParams(location.search);
  if (params.get("q")) q.value = params.get("q");
  render();
})();
