// detc catalog site: search, filters and sort of the index (state in the URL fragment, so a link
// shares them) and the copy buttons of rule pages. No network: the index is search-index.js.
(function () {
  'use strict';

  var KEYS = ['q', 'level', 'status', 'product', 'category', 'service', 'tactic', 'technique', 'target', 'tests', 'sort'];
  var LEVEL_ORDER = { critical: 0, high: 1, medium: 2, low: 3, informational: 4 };

  function readState() {
    var params = new URLSearchParams(location.hash.slice(1));
    var state = {};
    KEYS.forEach(function (k) { state[k] = params.get(k) || ''; });
    return state;
  }

  function writeState(state) {
    var params = new URLSearchParams();
    KEYS.forEach(function (k) { if (state[k]) { params.set(k, state[k]); } });
    var text = params.toString();
    history.replaceState(null, '', text ? '#' + text : location.pathname + location.search);
  }

  function matches(e, s, terms) {
    if (s.level && e.l !== s.level) { return false; }
    if (s.status && e.s !== s.status) { return false; }
    if (s.product && e.p !== s.product) { return false; }
    if (s.category && e.c !== s.category) { return false; }
    if (s.service && e.v !== s.service) { return false; }
    if (s.tactic && e.ta.indexOf(s.tactic) < 0) { return false; }
    if (s.technique && !e.te.some(function (t) { return t === s.technique || t.indexOf(s.technique + '.') === 0; })) { return false; }
    if (s.target && e.tg.indexOf(s.target) < 0) { return false; }
    if (s.tests === 'with' && !e.n) { return false; }
    if (s.tests === 'without' && e.n) { return false; }
    if (s.tests === 'failed' && e.r !== 'failed' && e.r !== 'error') { return false; }
    for (var i = 0; i < terms.length; i++) {
      if (e.h.indexOf(terms[i]) < 0) { return false; }
    }
    return true;
  }

  function sortKey(e, by) {
    if (by === 'level') { return [LEVEL_ORDER[e.l] === undefined ? 9 : LEVEL_ORDER[e.l], e.t.toLowerCase()]; }
    if (by === 'status') { return [e.s, e.t.toLowerCase()]; }
    if (by === 'logsource') { return [[e.p, e.c, e.v].join('/'), e.t.toLowerCase()]; }
    if (by === 'tests') { return [-e.n, e.t.toLowerCase()]; }
    return [e.t.toLowerCase(), ''];
  }

  function compare(a, b) {
    for (var i = 0; i < a.k.length; i++) {
      if (a.k[i] < b.k[i]) { return -1; }
      if (a.k[i] > b.k[i]) { return 1; }
    }
    return a.i - b.i;
  }

  // At most this many rows are in the table at once (a "show all" button adds the rest): the
  // browser lays out a few hundred rows quickly, not thousands.
  var LIMIT = 50;

  function setupIndex(form, entries) {
    var tbody = document.querySelector('#catalog tbody');
    var rows = Array.prototype.slice.call(tbody.rows);
    var count = document.getElementById('count');
    var more = document.getElementById('more');
    var controls = {};
    KEYS.forEach(function (k) { controls[k] = form.elements[k]; });
    var orders = {};
    var showAll = false;
    var last = null;

    function orderBy(by) {
      if (!orders[by]) {
        var keyed = entries.map(function (e, i) { return { i: i, k: by ? sortKey(e, by) : [i] }; });
        keyed.sort(compare);
        orders[by] = keyed.map(function (o) { return o.i; });
      }
      return orders[by];
    }

    function apply(state) {
      var started = performance.now();
      last = state;
      var terms = state.q.toLowerCase().split(/\s+/).filter(Boolean);
      var order = orderBy(state.sort);
      var shown = [];
      for (var j = 0; j < order.length; j++) {
        if (matches(entries[order[j]], state, terms)) { shown.push(order[j]); }
      }
      var limit = showAll ? shown.length : Math.min(shown.length, LIMIT);
      var nodes = [];
      for (var k = 0; k < limit; k++) { nodes.push(rows[shown[k]]); }
      tbody.replaceChildren.apply(tbody, nodes);
      count.setAttribute('data-matches', String(shown.length));
      var text = shown.length === entries.length ? entries.length + ' detections' : shown.length + ' of ' + entries.length + ' detections';
      count.textContent = limit < shown.length ? text + ', the first ' + limit + ' shown' : text;
      more.hidden = limit >= shown.length;
      more.textContent = 'Show all ' + shown.length;
      document.documentElement.setAttribute('data-filter-ms', (performance.now() - started).toFixed(1));
    }

    function fromControls() {
      var state = {};
      KEYS.forEach(function (k) { state[k] = controls[k] ? controls[k].value : ''; });
      return state;
    }

    function toControls(state) {
      KEYS.forEach(function (k) {
        var c = controls[k];
        if (!c) { return; }
        if (c.tagName === 'SELECT' && state[k] && !Array.prototype.some.call(c.options, function (o) { return o.value === state[k]; })) {
          // A shared link may name a value this catalog lacks: offer it so the filter shows.
          var o = document.createElement('option');
          o.value = state[k];
          o.textContent = state[k];
          c.appendChild(o);
        }
        c.value = state[k];
      });
    }

    function changed() {
      showAll = false;
      var state = fromControls();
      writeState(state);
      apply(state);
    }

    form.addEventListener('input', changed);
    form.addEventListener('change', changed);
    form.addEventListener('submit', function (ev) { ev.preventDefault(); });
    form.addEventListener('reset', function () { setTimeout(changed, 0); });
    window.addEventListener('hashchange', function () { var s = readState(); toControls(s); apply(s); });
    more.addEventListener('click', function () { showAll = true; apply(last); });
    form.hidden = false;
    var initial = readState();
    toControls(initial);
    apply(initial);
  }

  function fallbackCopy(text) {
    var area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'offscreen';
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  function setupCopy() {
    document.querySelectorAll('button[data-copy]').forEach(function (button) {
      button.addEventListener('click', function () {
        var source = document.getElementById(button.getAttribute('data-copy'));
        var status = button.parentNode.querySelector('.copied');
        var text = source ? source.textContent : '';
        function done(ok) { status.textContent = ok ? 'Copied' : 'Copy failed: select the query and copy it'; }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallbackCopy(text)); });
        } else {
          done(fallbackCopy(text));
        }
      });
    });
  }

  var form = document.getElementById('filters');
  if (form && window.DETC_INDEX) { setupIndex(form, window.DETC_INDEX.entries); }
  setupCopy();
}());

