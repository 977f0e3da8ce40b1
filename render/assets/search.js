// kabi's site search: every name of every kind, filtered by kind and by
// trait, offline. The main index holds no names; the names of a kind are
// loaded when a search first needs them, one script per letter
// (data/KIND-LETTER.js calls kabi.add), since a page opened from file://
// cannot fetch. A row is [name, traits of group 1, ..., path?]: the traits
// of a group are a bit set over site.traits.
(function () {
  "use strict";
  var site = JSON.parse(document.getElementById("kabi-site").textContent);
  var q = document.getElementById("q");
  var body = document.getElementById("results");
  var box = document.getElementById("results-box");
  var count = document.getElementById("count");
  var summary = count.textContent;
  var traitBoxes = Array.prototype.slice.call(document.querySelectorAll("input[data-trait]"));
  var kindBoxes = Array.prototype.slice.call(document.querySelectorAll("input[data-kind]"));
  var G = site.groups.length;
  var LIMIT = 500;
  var kinds = {};
  site.kinds.forEach(function (k) { kinds[k.k] = { info: k, letters: {}, pending: -1, rows: null, waiting: [] }; });

  window.kabi = {
    add: function (kind, letter, rows) {
      var k = kinds[kind];
      if (k) k.letters[letter] = rows;
    }
  };

  // load calls done once every letter of the kind is in (or failed).
  function load(kind, done) {
    var k = kinds[kind];
    if (k.rows) return done();
    k.waiting.push(done);
    if (k.pending >= 0) return;
    k.pending = k.info.letters.length;
    k.info.letters.forEach(function (l) {
      var s = document.createElement("script");
      s.src = "data/" + kind + "-" + l + ".js";
      s.onload = s.onerror = function () {
        if (--k.pending > 0) return;
        k.rows = [];
        k.info.letters.forEach(function (l) {
          var rows = k.letters[l];
          if (!rows) { k.failed = true; return; }
          for (var i = 0; i < rows.length; i++) k.rows.push({ row: rows[i], letter: l });
        });
        k.letters = null;
        var w = k.waiting; k.waiting = [];
        w.forEach(function (f) { f(); });
      };
      document.head.appendChild(s);
    });
  }

  function wantedKinds() {
    return kindBoxes.filter(function (b) { return b.checked; }).map(function (b) { return b.dataset.kind; });
  }

  function wantedTraits() {
    // The boxes' values are strings; the data's bit sets are numbers.
    return traitBoxes.filter(function (b) { return b.checked; }).map(function (b) { return Math.pow(2, Number(b.dataset.trait)); });
  }

  function matches(row, text, bits) {
    if (text && row[0].toLowerCase().indexOf(text) < 0) return false;
    for (var i = 0; i < bits.length; i++) {
      var hit = false;
      for (var g = 1; g <= G && !hit; g++) hit = Math.floor(row[g] / bits[i]) % 2 === 1;
      if (!hit) return false;
    }
    return true;
  }

  function traitText(mask) {
    var out = [];
    for (var i = 0; i < site.traits.length; i++) if (Math.floor(mask / Math.pow(2, i)) % 2 === 1) out.push(site.traits[i]);
    return out.join(", ");
  }

  function cell(text, label) {
    var td = document.createElement("td");
    td.textContent = text;
    if (label) td.setAttribute("data-g", label);
    return td;
  }

  function render() {
    var text = q.value.trim().toLowerCase();
    var bits = wantedTraits();
    var ks = wantedKinds();
    if (!text && bits.length === 0) {
      box.hidden = true;
      count.textContent = summary;
      return;
    }
    var missing = ks.filter(function (k) { return !kinds[k].rows; });
    if (missing.length) {
      count.textContent = "Loading names…";
      var left = missing.length;
      missing.forEach(function (k) { load(k, function () { if (--left === 0) render(); }); });
      return;
    }
    // Exact matches first, then names that start with the text, then the
    // rest, each in the site's order, kinds in order.
    var buckets = [[], [], []], per = {}, failed = false;
    ks.forEach(function (kind) {
      var k = kinds[kind];
      failed = failed || k.failed;
      for (var i = 0; i < k.rows.length; i++) {
        var r = k.rows[i].row;
        if (!matches(r, text, bits)) continue;
        var n = r[0].toLowerCase();
        buckets[n === text ? 0 : n.indexOf(text) === 0 ? 1 : 2].push({ kind: kind, r: r, letter: k.rows[i].letter });
        per[kind] = (per[kind] || 0) + 1;
      }
    });
    var hits = buckets[0].concat(buckets[1], buckets[2]);
    var total = hits.length, shown = Math.min(total, LIMIT);
    var frag = document.createDocumentFragment();
    for (var i = 0; i < shown; i++) {
      var h = hits[i], r = h.r;
      var tr = document.createElement("tr");
      var td = document.createElement("td");
      td.setAttribute("data-g", "Name");
      var a = document.createElement("a");
      a.href = r.length > G + 1 ? r[G + 1] : h.kind + "/" + h.letter + "/" + r[0] + "." + site.ext;
      a.textContent = r[0];
      td.appendChild(a);
      tr.appendChild(td);
      tr.appendChild(cell(h.kind, "Kind"));
      for (var g = 1; g <= G; g++) tr.appendChild(cell(traitText(r[g]), site.groups[g - 1]));
      frag.appendChild(tr);
    }
    body.textContent = "";
    body.appendChild(frag);
    box.hidden = total === 0;
    var parts = [];
    site.kinds.forEach(function (k) {
      if (per[k.k]) parts.push(per[k.k] + " " + (per[k.k] === 1 ? k.one : k.many));
    });
    var msg = total === 0 ? "No match" : parts.length === 1 ? parts[0] : total + " names: " + parts.join(", ");
    if (total > shown) msg += " (first " + shown + " shown)";
    if (failed) msg += ". Some search data could not be loaded.";
    count.textContent = msg;
  }

  q.addEventListener("input", render);
  traitBoxes.concat(kindBoxes).forEach(function (b) { b.addEventListener("change", render); });
  // ?q=TEXT&trait=NAME,...&kind=KIND,... preset the controls: links can
  // point at a search.
  var params = new URLSearchParams(location.search);
  if (params.get("q")) q.value = params.get("q");
  if (params.get("trait")) {
    var ts = params.get("trait").split(",");
    traitBoxes.forEach(function (b) { b.checked = ts.indexOf(site.traits[Number(b.dataset.trait)]) >= 0; });
  }
  if (params.get("kind")) {
    var want = params.get("kind").split(",");
    kindBoxes.forEach(function (b) { b.checked = want.indexOf(b.dataset.kind) >= 0; });
  }
  render();
})();
