/* repro-auditor scorecard: sorting, filters, search and details over the JSON
   blocks of the page. Builds every element with textContent (never innerHTML
   from data) and links only http(s) URLs. At most PAGE rows are in the DOM per
   "show more", so 50,000 papers open as fast as 100. */
(function () {
  "use strict";
  var PAGE = 100;
  // Field order of a row and of a link detail (auditor/report/page_data.py).
  var R = {id: 0, title: 1, date: 2, score: 3, judged: 4, applicable: 5, links: 6, claim: 7, status: 8,
           reason: 9, counts: 10, checks: 11, hosts: 12, sources: 13, dumps: 14, url: 15, keys: 16};
  var L = {ordinal: 0, url: 1, raw: 2, source: 3, via: 4, kind: 5, host: 6, key: 7, fact: 8, canonical: 9,
           score: 10, judged: 11, applicable: 12, claim: 13, results: 14};
  var STATUS_RANK = {fail: 0, warn: 1, unknown: 2, pass: 3, "n/a": 4, skip: 5};
  var ICON = {fail: "\u2715", warn: "!", unknown: "?", pass: "\u2713", skip: "\u2013", "n/a": "\u2014"};
  var CHAR = {f: "fail", w: "warn", u: "unknown", p: "pass", s: "skip"};
  var STATUSES = ["fail", "warn", "unknown", "pass", "skip"];

  var head = JSON.parse(document.getElementById("rows").textContent);
  var meta = head.meta, rows = head.rows, S = meta.strings, checks = meta.checks;
  var details = null;  // parsed on the first expand
  var hay = null;      // lower-cased search text per row, built on the first search
  var $ = function (id) { return document.getElementById(id); };
  var tbody = $("paper-rows"), more = $("more"), count = $("count");
  var f = {q: $("f-q"), status: $("f-status"), check: $("f-check"), claim: $("f-claim"),
           source: $("f-source"), host: $("f-host"), problems: $("f-problems")};
  var state = {sort: null, dir: 1, shown: PAGE, folded: true, open: {}};
  var view = [], foldedRows = [];

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "cls") e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return e;
  }
  function safeUrl(u) { return typeof u === "string" && /^https?:\/\//i.test(u); }
  function link(url, text) {
    return safeUrl(url) ? el("a", {href: url, rel: "nofollow noopener", text: text}) : document.createTextNode(text);
  }
  function badge(status) {
    var cls = status === "n/a" ? "na" : status;
    return el("span", {cls: "s " + cls, text: (ICON[status] || "") + " " + status});
  }
  function fmt(n) { return n === null || n === undefined ? "n/a" : (Math.round(n * 10) / 10).toFixed(1); }
  function scoreText(score, judged, applicable) {
    var t = fmt(score);
    if (judged !== null && applicable !== null && judged !== undefined && applicable !== undefined) t += " (" + judged + "/" + applicable + ")";
    return t;
  }
  function fillSelect(select, values, label) {
    values.forEach(function (v) { select.appendChild(el("option", {value: v[0], text: v[1] || v[0]})); });
    if (values.length === 0) select.disabled = true;
  }

  // ------------------------------------------------------------------ filters
  (function setUpFilters() {
    var claims = {}, sources = {}, hosts = {};
    rows.forEach(function (r) {
      claims[S[r[R.claim]]] = 1;
      r[R.sources].forEach(function (i) { sources[i] = 1; });
      r[R.hosts].forEach(function (i) { hosts[i] = 1; });
    });
    fillSelect(f.status, ["fail", "warn", "unknown", "pass", "n/a"].map(function (s) { return [s]; }));
    fillSelect(f.check, checks.map(function (c, i) { return [String(i), c]; }));
    fillSelect(f.claim, Object.keys(claims).sort().map(function (c) { return [c === "" ? "-" : c, c === "" ? "none" : c]; }));
    fillSelect(f.source, Object.keys(sources).map(function (i) { return [i, S[i]]; }).sort(byLabel));
    fillSelect(f.host, Object.keys(hosts).map(function (i) { return [i, S[i]]; }).sort(byLabel));
    var problems = rows.some(function (r) { return r[R.status] === "fail" || r[R.status] === "warn"; });
    if (!problems) { f.problems.checked = false; f.problems.disabled = true; }
  })();
  function byLabel(a, b) { return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0; }

  function statusOf(r, check) {
    if (check < 0) return r[R.status];
    return CHAR[r[R.checks].charAt(check)] || null;
  }
  function haystack(i) {
    if (!hay) {
      hay = rows.map(function (r) {
        return [r[R.title], S[r[R.reason]], r[R.keys], r[R.id], r[R.url],
                r[R.dumps].map(function (d) { return S[d]; }).join(" ")].join("\n").toLowerCase();
      });
    }
    return hay[i];
  }

  function compute() {
    var q = f.q.value.trim().toLowerCase(), want = f.status.value;
    var check = f.check.value === "" ? -1 : +f.check.value;
    var claim = f.claim.value, source = f.source.value === "" ? -1 : +f.source.value;
    var host = f.host.value === "" ? -1 : +f.host.value, problems = f.problems.checked;
    var words = q ? q.split(/\s+/) : [];
    view = []; foldedRows = [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      var st = statusOf(r, check);
      if (check >= 0 && (st === null || st === "skip")) continue;
      if (want && st !== want) continue;
      if (problems && st !== "fail" && st !== "warn") continue;
      if (claim && (claim === "-" ? S[r[R.claim]] !== "" : S[r[R.claim]] !== claim)) continue;
      if (source >= 0 && r[R.sources].indexOf(source) < 0) continue;
      if (host >= 0 && r[R.hosts].indexOf(host) < 0) continue;
      if (words.length) {
        var h = haystack(i), ok = true;
        for (var w = 0; w < words.length && ok; w++) ok = h.indexOf(words[w]) >= 0;
        if (!ok) continue;
      }
      // Papers with nothing to judge fold into one line unless asked for by name.
      if (r[R.status] === "n/a" && want !== "n/a" && check < 0) foldedRows.push(i); else view.push(i);
    }
    if (state.sort) {
      var key = SORTS[state.sort], dir = state.dir;
      var sorter = function (a, b) {
        var x = key(rows[a]), y = key(rows[b]);
        if (x === null && y !== null) return 1;
        if (y === null && x !== null) return -1;
        return (x < y ? -1 : x > y ? 1 : 0) * dir || a - b;
      };
      view.sort(sorter); foldedRows.sort(sorter);
    }
  }
  var SORTS = {
    status: function (r) { return STATUS_RANK[r[R.status]]; },
    title: function (r) { return r[R.title].toLowerCase(); },
    reason: function (r) { var t = S[r[R.reason]]; return t ? t.toLowerCase() : null; },
    score: function (r) { return r[R.score]; },
    checks: function (r) { return -(r[R.counts][0] * 1e6 + r[R.counts][1] * 1e3 + r[R.counts][2]); },
    claim: function (r) { return S[r[R.claim]] || null; },
    links: function (r) { return r[R.links]; },
    date: function (r) { return r[R.date] || null; }
  };

  // ------------------------------------------------------------------ rendering
  function countsCell(r) {
    var span = el("span", {cls: "counts"});
    r[R.counts].forEach(function (n, k) {
      if (n && STATUSES[k] !== "skip") span.appendChild(el("span", {cls: "s " + STATUSES[k], text: n + " " + STATUSES[k]}));
    });
    return span;
  }
  function paperRow(i) {
    var r = rows[i];
    var open = !!state.open[i];
    var toggle = el("button", {type: "button", cls: "toggle", "aria-expanded": String(open),
                               "aria-controls": "d-" + i, "aria-label": "Details of " + r[R.title]},
                    [open ? "\u25BE" : "\u25B8"]);
    toggle.addEventListener("click", function () {
      if (state.open[i]) delete state.open[i]; else state.open[i] = true;
      render();
      var again = document.querySelector('button[aria-controls="d-' + i + '"]');
      if (again) again.focus();
    });
    var title = el("td", {cls: "paper"}, [r[R.url] ? link(r[R.url], r[R.title]) : r[R.title]]);
    var tr = el("tr", {"data-row": String(i), "data-status": r[R.status]}, [
      el("td", {cls: "st"}, [toggle, " ", badge(r[R.status])]),
      title,
      el("td", {cls: "reason", text: S[r[R.reason]]}),
      el("td", {cls: "num", text: scoreText(r[R.score], r[R.judged], r[R.applicable])}),
      el("td", {cls: "checks"}, [countsCell(r)]),
      el("td", {text: S[r[R.claim]] || "\u2014"}),
      el("td", {cls: "num", text: String(r[R.links])}),
      el("td", {cls: "date", text: r[R.date]})
    ]);
    var out = [tr];
    if (open) out.push(detailRow(i));
    return out;
  }

  function resultsTable(results, caption, none) {
    var applied = results.filter(function (x) { return x[1] !== "skip"; });
    var skipped = results.filter(function (x) { return x[1] === "skip"; });
    var box = el("div");
    if (applied.length) {
      var t = el("table", {cls: "results"}, [
        el("caption", {text: caption}),
        el("thead", null, [el("tr", null, ["Check", "Status", "Score", "Reason", "Evidence"].map(function (h) {
          return el("th", {scope: "col", text: h});
        }))])
      ]);
      var body = el("tbody");
      applied.forEach(function (x) {
        var name = typeof x[0] === "number" && x[0] < checks.length ? checks[x[0]] : S[x[0]];
        body.appendChild(el("tr", {"data-check": name}, [
          el("th", {scope: "row"}, [el("code", {text: name})]),
          el("td", null, [badge(x[1])]),
          el("td", {cls: "num", text: fmt(x[2])}),
          el("td", {cls: "why", text: S[x[3]]}),
          el("td", {cls: "ev", text: x[4]})
        ]));
      });
      t.appendChild(body);
      box.appendChild(t);
    }
    if (skipped.length) {
      box.appendChild(el("p", {cls: "quiet", text: (applied.length ? "Did not apply: " : none) + skipped.map(function (x) {
        return typeof x[0] === "number" && x[0] < checks.length ? checks[x[0]] : S[x[0]];
      }).join(", ")}));
    }
    return box;
  }

  function detailRow(i) {
    if (!details) details = JSON.parse(document.getElementById("details").textContent).details;
    var r = rows[i], d = details[i], td = el("td", {colspan: "8"}), cell = el("div", {cls: "detailbox"});
    td.appendChild(cell);
    var about = el("p", {cls: "about"});
    if (r[R.url]) {
      about.appendChild(document.createTextNode("Paper: "));
      about.appendChild(link(r[R.url], r[R.url].indexOf("arxiv.org") >= 0 ? "arXiv " + r[R.url].split("/abs/")[1] : r[R.url]));
      about.appendChild(document.createTextNode(" \u00B7 "));
    }
    about.appendChild(document.createTextNode("seen in " + (r[R.dumps].map(function (x) { return S[x]; }).join(", ") || "no dump")));
    about.appendChild(document.createTextNode(" \u00B7 id " + r[R.id]));
    cell.appendChild(about);
    if (d[1].length) cell.appendChild(resultsTable(d[1], "Paper-level checks", "No paper-level check applied: "));
    if (!d[0].length) cell.appendChild(el("p", {cls: "quiet", text: "No link in the abstract."}));
    d[0].forEach(function (l, n) {
      var block = el("div", {cls: "link"});
      var line = el("p", {cls: "linkhead"}, [el("b", {text: "Link " + (n + 1) + ": "}), link(l[L.url], l[L.url])]);
      block.appendChild(line);
      var facts = ["kind " + S[l[L.kind]], "host " + S[l[L.host]],
                   "found in " + S[l[L.source]] + (l[L.via] ? " (" + l[L.via] + ")" : ""),
                   "target " + l[L.key] + (S[l[L.fact]] ? ": " + S[l[L.fact]] : "") + (l[L.canonical] && l[L.canonical] !== l[L.key] ? ", now " + l[L.canonical] : ""),
                   "score " + scoreText(l[L.score], l[L.judged], l[L.applicable])];
      if (S[l[L.claim]]) facts.push("claim " + S[l[L.claim]]);
      block.appendChild(el("p", {cls: "quiet", text: facts.join(" \u00B7 ")}));
      if (l[L.raw] && l[L.raw] !== l[L.url]) block.appendChild(el("p", {cls: "quiet"}, ["as written: ", el("code", {text: l[L.raw]})]));
      block.appendChild(resultsTable(l[L.results], "Checks on link " + (n + 1), "No check applied: "));
      cell.appendChild(block);
    });
    return el("tr", {cls: "detail", id: "d-" + i}, [td]);
  }

  function render() {
    var frag = document.createDocumentFragment();
    var shown = view.slice(0, state.shown);
    shown.forEach(function (i) { paperRow(i).forEach(function (e) { frag.appendChild(e); }); });
    var left = state.shown - shown.length;
    if (foldedRows.length) {
      var btn = el("button", {type: "button", cls: "fold", "aria-expanded": String(!state.folded)},
                   [(state.folded ? "\u25B8 " : "\u25BE ") + foldedRows.length + " papers with nothing to judge (no link, no claim)"]);
      btn.addEventListener("click", function () { state.folded = !state.folded; render(); $("fold-btn").focus(); });
      btn.id = "fold-btn";
      frag.appendChild(el("tr", {cls: "foldrow"}, [el("td", {colspan: "8"}, [btn])]));
      if (!state.folded && left > 0) {
        foldedRows.slice(0, left).forEach(function (i) { paperRow(i).forEach(function (e) { frag.appendChild(e); }); });
      }
    }
    tbody.textContent = "";
    tbody.appendChild(frag);
    var total = view.length + (state.folded ? 0 : foldedRows.length);
    var inDom = Math.min(state.shown, total);
    count.textContent = "Showing " + inDom.toLocaleString("en") + " of " + total.toLocaleString("en") +
      " matching papers" + (foldedRows.length && state.folded ? " (+" + foldedRows.length.toLocaleString("en") + " folded)" : "") +
      "; " + rows.length.toLocaleString("en") + " in the run.";
    more.hidden = inDom >= total;
    $("empty").hidden = total > 0 || foldedRows.length > 0;
  }

  function refresh() { state.shown = PAGE; state.open = {}; compute(); render(); }
  var timer = null;
  f.q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 150); });
  ["status", "check", "claim", "source", "host", "problems"].forEach(function (k) {
    f[k].addEventListener("change", refresh);
  });
  $("filters").addEventListener("submit", function (e) { e.preventDefault(); clearTimeout(timer); refresh(); });
  $("filters").addEventListener("reset", function () { setTimeout(refresh, 0); });
  more.addEventListener("click", function () { state.shown += PAGE; render(); });
  Array.prototype.forEach.call(document.querySelectorAll("#papers th[data-sort] button"), function (b) {
    b.addEventListener("click", function () {
      var th = b.parentNode, key = th.getAttribute("data-sort");
      if (state.sort === key) state.dir = -state.dir; else { state.sort = key; state.dir = 1; }
      Array.prototype.forEach.call(document.querySelectorAll("#papers th[data-sort]"), function (o) { o.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending");
      state.shown = PAGE;
      compute(); render();
    });
  });
  document.documentElement.classList.add("js");
  compute(); render();
})();
