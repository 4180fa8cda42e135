// The page's DOM side: draws ViewCore's layout as SVG, pans and zooms, fills the side panel, searches,
// highlights paths, and in live mode applies events from `/live`. Every string from the graph goes in
// through textContent or setAttribute, never as markup. No backticks and no dollar-brace in the text.
export const APP_JS = String.raw`
(function () {
  'use strict';
  var C = ViewCore;
  var SVG_NS = 'http://www.w3.org/2000/svg';
  function $(id) { return document.getElementById(id); }
  var svg = $('canvas');
  var viewport = $('viewport');
  var panel = $('panel-body');
  var searchBox = $('search');
  var resultsBox = $('results');
  var MAX_LIST = 200;

  var S = {
    model: C.createModel(), ix: null, vis: null, lay: null,
    expanded: new Set(), showFiles: false, revealed: new Set(),
    selected: [], path: null, focus: null,
    live: false, done: false, connected: false, error: null,
    view: { x: 0, y: 0, k: 1 }, autoFit: true, timer: null,
    nodeEls: new Map(), edgeEls: new Map(), results: [], panelToken: 0
  };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function sel(tag, attrs) {
    var e = document.createElementNS(SVG_NS, tag);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    return e;
  }
  function plural(n, word) { return n + ' ' + word + (n === 1 ? '' : 's'); }
  function shorten(s, max) {
    if (s.length <= max) return s;
    var head = Math.ceil((max - 1) * 0.6);
    return s.slice(0, head) + '\u2026' + s.slice(s.length - (max - 1 - head));
  }
  function builddir() { return (S.model.attributes && S.model.attributes.builddir) || ''; }
  function srcdir() { return (S.model.attributes && S.model.attributes.srcdir) || ''; }
  function shortPath(p) {
    var b = builddir(), s = srcdir();
    if (b && p.indexOf(b + '/') === 0) return p.slice(b.length + 1);
    if (s && p.indexOf(s + '/') === 0) return p.slice(s.length + 1);
    return p;
  }
  function shellQuote(a) {
    if (a !== '' && /^[A-Za-z0-9_\/.,:=+@%^-]+$/.test(a)) return a;
    return "'" + a.replace(/'/g, "'\\''") + "'";
  }
  function shellJoin(args) { return args.map(shellQuote).join(' '); }

  // ---- model → screen ----

  function refresh() {
    S.ix = C.buildIndex(S.model);
    relayout();
  }

  function relayout() {
    S.vis = C.visibleGraph(S.ix, S);
    S.selected = S.selected.filter(function (id) { return S.vis.byId.has(id); });
    // A node that is gone (the finished graph replaced a live one) leaves no stale details behind.
    var shown = panel.getAttribute('data-key');
    if (shown && !S.vis.byId.has(shown) && !S.model.nodes.has(shown)) {
      panel.removeAttribute('data-key');
      panel.textContent = '';
      panel.appendChild(el('p', 'empty', 'Select a node to see its command, inputs and outputs.'));
    }
    S.lay = C.layout(S.vis);
    S.path = S.selected.length === 2 ? C.findPath(S.vis, S.selected[0], S.selected[1]) : null;
    draw();
    if (S.autoFit) fit();
    updateStatus();
    document.body.setAttribute('data-visible-nodes', String(S.vis.nodes.length));
    document.body.setAttribute('data-model-nodes', String(S.model.nodes.size));
    document.body.setAttribute('data-ready', '1');
  }

  function edgePath(a, b) {
    var x1 = a.x + a.w, y1 = a.y + a.h / 2, x2 = b.x, y2 = b.y + b.h / 2;
    if (x2 > x1) {
      var dx = Math.max(30, (x2 - x1) / 2);
      return 'M' + x1 + ',' + y1 + ' C' + (x1 + dx) + ',' + y1 + ' ' + (x2 - dx) + ',' + y2 + ' ' + x2 + ',' + y2;
    }
    // Back edge (a cycle, or a column to the left): loop out and in around the nodes.
    return 'M' + x1 + ',' + y1 + ' C' + (x1 + 80) + ',' + (y1 - 60) + ' ' + (x2 - 80) + ',' + (y2 - 60) + ' ' + x2 + ',' + y2;
  }

  function groupSummary(v) {
    var c = v.counts, parts = [];
    if (c.compile) parts.push(plural(c.compile, 'compile'));
    if (c.custom) parts.push(plural(c.custom, 'custom step'));
    var kind = v.groupKind === 'loose' ? 'no target' : v.groupKind;
    return kind + (parts.length ? ' \u00b7 ' + parts.join(', ') : '');
  }

  function draw() {
    while (viewport.firstChild) viewport.removeChild(viewport.firstChild);
    S.nodeEls = new Map();
    S.edgeEls = new Map();
    var edgeLayer = sel('g', { 'class': 'edges' });
    var nodeLayer = sel('g', { 'class': 'nodes' });
    var pos = S.lay.positions;
    S.vis.edges.forEach(function (e) {
      var a = pos.get(e[0]), b = pos.get(e[1]);
      var p = sel('path', { 'class': 'edge', d: edgePath(a, b) });
      edgeLayer.appendChild(p);
      S.edgeEls.set(e[0] + '\u0000' + e[1], p);
    });
    S.vis.nodes.forEach(function (v) {
      var p = pos.get(v.id);
      var cls = 'node kind-' + v.kind + ' cat-' + v.category + (v.role ? ' role-' + v.role : '');
      var g = sel('g', { 'class': cls, 'data-key': v.id, 'data-kind': v.kind, transform: 'translate(' + p.x + ',' + p.y + ')' });
      var title = sel('title', {});
      if (v.kind === 'group') {
        title.textContent = v.label + ' \u2014 ' + groupSummary(v) + ' (double-click to expand)';
        g.appendChild(sel('rect', { 'class': 'body', width: p.w, height: p.h, rx: 7 }));
        g.appendChild(sel('rect', { 'class': 'bar', width: 6, height: p.h, rx: 3 }));
        var t = sel('text', { 'class': 'label', x: 16, y: 20 });
        t.textContent = shorten(v.label, 26);
        g.appendChild(t);
        var s = sel('text', { 'class': 'sub', x: 16, y: 37 });
        s.textContent = shorten(groupSummary(v), 32);
        g.appendChild(s);
        var plus = sel('text', { 'class': 'toggle', x: p.w - 20, y: 30 });
        plus.textContent = '+';
        g.appendChild(plus);
      } else if (v.kind === 'action') {
        var a = S.model.nodes.get(v.id);
        title.textContent = shellJoin(a.args);
        g.appendChild(sel('rect', { 'class': 'body', width: p.w, height: p.h, rx: 4 }));
        var ta = sel('text', { 'class': 'label', x: 10, y: 20 });
        ta.textContent = shorten(v.label, 22);
        g.appendChild(ta);
        var tag = sel('text', { 'class': 'tag', x: p.w - 8, y: 20 });
        tag.textContent = v.category === 'compile' ? (a.language || 'cc') : v.category;
        g.appendChild(tag);
      } else {
        var f = S.model.nodes.get(v.id);
        title.textContent = f.path + ' (' + f.role + ')';
        g.appendChild(sel('rect', { 'class': 'body', width: p.w, height: p.h, rx: p.h / 2 }));
        var tf = sel('text', { 'class': 'label', x: 12, y: 16 });
        tf.textContent = shorten(v.label, 26);
        g.appendChild(tf);
      }
      g.insertBefore(title, g.firstChild);
      nodeLayer.appendChild(g);
      S.nodeEls.set(v.id, g);
    });
    viewport.appendChild(edgeLayer);
    viewport.appendChild(nodeLayer);
    applyView();
    highlight();
  }

  function highlight() {
    S.nodeEls.forEach(function (g) { g.classList.remove('selected', 'on-path'); });
    S.edgeEls.forEach(function (p) { p.classList.remove('on-path'); });
    S.selected.forEach(function (id) { var g = S.nodeEls.get(id); if (g) g.classList.add('selected'); });
    svg.classList.toggle('has-path', !!S.path);
    if (S.path) {
      S.path.nodes.forEach(function (id) { var g = S.nodeEls.get(id); if (g) g.classList.add('on-path'); });
      S.path.edges.forEach(function (k) {
        var p = S.edgeEls.get(k);
        if (p) { p.classList.add('on-path'); p.parentNode.appendChild(p); }
      });
    }
  }

  function updateStatus() {
    var actions = S.ix ? S.ix.actions.length : 0, files = S.ix ? S.ix.files.length : 0;
    var targets = S.ix ? S.ix.groups.filter(function (g) { return g.kind === 'archive' || g.kind === 'link'; }).length : 0;
    var text = plural(targets, 'target') + ' \u00b7 ' + plural(actions, 'action') + ' \u00b7 ' + plural(files, 'file') +
      ' \u00b7 ' + S.vis.nodes.length + ' shown';
    if (S.live) {
      text += S.error ? ' \u00b7 live: failed: ' + S.error : S.done ? ' \u00b7 live: complete' :
        S.connected ? ' \u00b7 live: receiving\u2026' : ' \u00b7 live: disconnected';
    }
    $('status').textContent = text;
    $('status').classList.toggle('failed', !!S.error);
    document.body.setAttribute('data-connected', S.connected ? '1' : '0');
    document.body.setAttribute('data-live', S.live ? (S.error ? 'failed' : S.done ? 'done' : 'open') : 'off');
    var a = S.model.attributes;
    $('title').textContent = a ? (a.system + ' \u00b7 ' + a.mode + ' \u00b7 ' + (a.builddir || '')) : (S.live ? 'live' : '');
  }

  // ---- pan and zoom ----

  function applyView() {
    viewport.setAttribute('transform', 'translate(' + S.view.x + ',' + S.view.y + ') scale(' + S.view.k + ')');
  }

  function fit() {
    var r = svg.getBoundingClientRect();
    if (!S.lay || S.lay.width === 0 || r.width === 0) return;
    var k = Math.min(1, (r.width - 60) / S.lay.width, (r.height - 60) / S.lay.height);
    k = Math.max(k, 0.05);
    S.view = { k: k, x: (r.width - S.lay.width * k) / 2, y: Math.max(30, (r.height - S.lay.height * k) / 2) };
    applyView();
  }

  function centerOn(id) {
    var p = S.lay.positions.get(id);
    if (!p) return;
    var r = svg.getBoundingClientRect();
    var k = Math.max(S.view.k, 0.8);
    S.view = { k: k, x: r.width / 2 - (p.x + p.w / 2) * k, y: r.height / 2 - (p.y + p.h / 2) * k };
    S.autoFit = false;
    applyView();
  }

  var drag = null, dragged = false;
  svg.addEventListener('pointerdown', function (ev) {
    if (ev.button !== 0) return;
    drag = { x: ev.clientX, y: ev.clientY, vx: S.view.x, vy: S.view.y, moved: false };
  });
  window.addEventListener('pointermove', function (ev) {
    if (!drag) return;
    var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 5) return;
    drag.moved = true;
    svg.classList.add('panning');
    S.view.x = drag.vx + dx;
    S.view.y = drag.vy + dy;
    S.autoFit = false;
    applyView();
  });
  window.addEventListener('pointerup', function () {
    dragged = !!(drag && drag.moved);
    drag = null;
    svg.classList.remove('panning');
  });
  svg.addEventListener('wheel', function (ev) {
    ev.preventDefault();
    var r = svg.getBoundingClientRect();
    var mx = ev.clientX - r.left, my = ev.clientY - r.top;
    var k = Math.min(4, Math.max(0.02, S.view.k * Math.exp(-ev.deltaY * 0.0015)));
    S.view.x = mx - (mx - S.view.x) * (k / S.view.k);
    S.view.y = my - (my - S.view.y) * (k / S.view.k);
    S.view.k = k;
    S.autoFit = false;
    applyView();
  }, { passive: false });

  svg.addEventListener('click', function (ev) {
    if (dragged) { dragged = false; return; }
    var g = ev.target.closest('.node');
    if (!g) return;
    select(g.getAttribute('data-key'), ev.shiftKey || ev.ctrlKey || ev.metaKey);
  });
  svg.addEventListener('dblclick', function (ev) {
    var g = ev.target.closest('.node');
    if (!g) return;
    var id = g.getAttribute('data-key');
    var v = S.vis.byId.get(id);
    if (v && v.group && S.ix.groupById.has(v.group)) toggleGroup(v.group, id);
  });

  // ---- selection and the side panel ----

  function select(id, add) {
    var last = S.selected[S.selected.length - 1];
    if (add && last !== undefined && last !== id) S.selected = [last, id];
    else S.selected = [id];
    S.path = S.selected.length === 2 ? C.findPath(S.vis, S.selected[0], S.selected[1]) : null;
    S.focus = id;
    highlight();
    showDetails(id);
  }

  function clearSelection() {
    S.selected = [];
    S.path = null;
    highlight();
    panel.removeAttribute('data-key');
    panel.textContent = '';
    panel.appendChild(el('p', 'empty', 'Select a node to see its command, inputs and outputs.'));
  }

  function toggleGroup(gid, anchor) {
    var g = S.ix.groupById.get(gid);
    if (!g) return;
    if (S.expanded.has(gid)) {
      S.expanded.delete(gid);
      relayout();
      select(gid, false);
    } else {
      S.expanded.add(gid);
      relayout();
      var focus = g.head && S.vis.byId.has(g.head) ? g.head : g.members[0];
      if (focus && S.vis.byId.has(focus)) select(focus, false);
    }
    if (S.selected.length) centerOn(S.selected[0]);
  }

  function revealFile(k) {
    if (!S.vis.byId.has(k)) {
      S.revealed.add(k);
      relayout();
    }
    select(k, false);
    centerOn(k);
  }

  function revealAction(k) {
    var g = S.ix.groupOf.get(k);
    if (g && !C.isOpen(g, S)) {
      S.expanded.add(g.id);
      relayout();
    }
    select(k, false);
    centerOn(k);
  }

  function revealGroup(gid) {
    var g = S.ix.groupById.get(gid);
    if (!g) return;
    var id = S.vis.byId.has(gid) ? gid : (g.head || g.members[0]);
    if (!S.vis.byId.has(id)) return;
    select(id, false);
    centerOn(id);
  }

  function link(text, onClick, title) {
    var a = el('a', null, text);
    a.href = '#';
    if (title) a.title = title;
    a.addEventListener('click', function (ev) { ev.preventDefault(); onClick(); });
    return a;
  }

  function button(text, onClick, cls) {
    var b = el('button', cls || null, text);
    b.type = 'button';
    b.addEventListener('click', onClick);
    return b;
  }

  function header(title, chipText, category) {
    var h = el('div', 'ph cat-' + category);
    h.appendChild(el('span', 'chip', chipText));
    h.appendChild(el('h2', null, title));
    return h;
  }

  function fields(pairs) {
    var dl = el('dl', 'fields');
    pairs.forEach(function (p) {
      if (p[1] === undefined || p[1] === null || p[1] === '') return;
      dl.appendChild(el('dt', null, p[0]));
      var dd = el('dd');
      if (typeof p[1] === 'object') dd.appendChild(p[1]); else dd.textContent = String(p[1]);
      dl.appendChild(dd);
    });
    return dl;
  }

  function fileList(title, paths, cls) {
    var box = el('section', 'list ' + (cls || ''));
    box.appendChild(el('h3', null, title + ' (' + paths.length + ')'));
    var ul = el('ul', 'paths');
    paths.slice(0, MAX_LIST).forEach(function (p) {
      var li = el('li');
      var k = 'file:' + p;
      if (S.model.nodes.has(k)) li.appendChild(link(shortPath(p), function () { revealFile(k); }, p));
      else li.textContent = p;
      ul.appendChild(li);
    });
    if (paths.length > MAX_LIST) ul.appendChild(el('li', 'more', '\u2026 ' + (paths.length - MAX_LIST) + ' more'));
    box.appendChild(ul);
    return box;
  }

  function actionList(title, keys) {
    var box = el('section', 'list');
    box.appendChild(el('h3', null, title + ' (' + keys.length + ')'));
    var ul = el('ul', 'paths');
    keys.slice(0, MAX_LIST).forEach(function (k) {
      var a = S.model.nodes.get(k);
      var li = el('li');
      li.appendChild(el('span', 'dot cat-' + a.category));
      li.appendChild(link(C.nodeLabel(a), function () { revealAction(k); }, a.category + ' ' + k));
      ul.appendChild(li);
    });
    if (keys.length > MAX_LIST) ul.appendChild(el('li', 'more', '\u2026 ' + (keys.length - MAX_LIST) + ' more'));
    box.appendChild(ul);
    return box;
  }

  function keyField(actionKey, token) {
    var box = el('section', 'key');
    var h = el('h3', null, 'action key');
    var v = el('code', 'keyvalue', '\u2026');
    box.appendChild(h);
    box.appendChild(v);
    fetch('/api/key?node=' + encodeURIComponent(actionKey)).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (info) {
      if (token !== S.panelToken) return;
      if (!info) { v.textContent = 'unavailable'; return; }
      h.textContent = info.label;
      v.textContent = info.value;
      box.setAttribute('data-source', info.source);
    }, function () { v.textContent = 'unavailable'; });
    return box;
  }

  function actionDetails(k, token) {
    var a = S.model.nodes.get(k);
    var frag = document.createDocumentFragment();
    frag.appendChild(fields([
      ['tool', a.tool], ['real', a.real], ['language', a.language], ['cwd', a.cwd], ['rule', a.rule],
      ['exit', a.exit], ['rid', a.rid], ['node', k]
    ]));
    frag.appendChild(el('h3', null, 'arguments'));
    var pre = el('pre', 'args', shellJoin(a.args));
    frag.appendChild(pre);
    (a.post || []).forEach(function (p) {
      frag.appendChild(el('h3', null, 'then'));
      frag.appendChild(el('pre', 'args post', shellJoin(p)));
    });
    var env = Object.keys(a.env || {});
    if (env.length) {
      frag.appendChild(el('h3', null, 'environment'));
      frag.appendChild(el('pre', 'env', env.sort().map(function (e) { return e + '=' + a.env[e]; }).join('\n')));
    }
    frag.appendChild(keyField(k, token));
    frag.appendChild(fileList('inputs', a.inputs || [], 'inputs'));
    if ((a.deps || []).length) frag.appendChild(fileList('headers and other deps', a.deps, 'deps'));
    frag.appendChild(fileList('outputs', a.outputs || [], 'outputs'));
    return frag;
  }

  function pathBox() {
    var box = el('div', 'pathbox');
    var names = S.selected.map(function (id) { var v = S.vis.byId.get(id); return v ? v.label : id; });
    if (!S.path) {
      box.appendChild(el('strong', null, 'No path between ' + names[0] + ' and ' + names[1]));
      return box;
    }
    box.appendChild(el('strong', null, 'Path: ' + plural(S.path.nodes.length - 1, 'step') +
      (S.path.directed ? '' : ' (ignoring edge direction)')));
    var ol = el('ol', 'pathlist');
    S.path.nodes.forEach(function (id) {
      var v = S.vis.byId.get(id);
      var li = el('li');
      li.appendChild(link(v ? v.label : id, function () { select(id, false); centerOn(id); }));
      ol.appendChild(li);
    });
    box.appendChild(ol);
    box.appendChild(button('Clear', clearSelection, 'small'));
    return box;
  }

  function showDetails(id) {
    var token = ++S.panelToken;
    panel.textContent = '';
    panel.setAttribute('data-key', id);
    if (S.selected.length === 2) panel.appendChild(pathBox());
    var v = S.vis.byId.get(id);
    if (!v) return;
    if (v.kind === 'group') {
      var g = S.ix.groupById.get(id);
      panel.appendChild(header(g.name, g.kind === 'loose' ? 'no target' : g.kind, v.category));
      var bar = el('div', 'buttons');
      bar.appendChild(button('Expand', function () { toggleGroup(g.id); }));
      panel.appendChild(bar);
      var c = g.counts, parts = [];
      ['compile', 'custom', 'archive', 'link'].forEach(function (cat) { if (c[cat]) parts.push(c[cat] + ' ' + cat); });
      panel.appendChild(fields([['output', g.path], ['actions', parts.join(', ')]]));
      if (g.head) panel.appendChild(actionDetails(g.head, token));
      panel.appendChild(actionList('actions in this target', g.members));
      return;
    }
    var attrs = S.model.nodes.get(id);
    if (v.kind === 'action') {
      var grp = S.ix.groupOf.get(id);
      panel.appendChild(header(v.label, attrs.category + (attrs.language ? ' \u00b7 ' + attrs.language : ''), attrs.category));
      var bar2 = el('div', 'buttons');
      bar2.appendChild(button('Show files', function () {
        (attrs.inputs || []).concat(attrs.deps || [], attrs.outputs || []).forEach(function (p) {
          if (S.model.nodes.has('file:' + p)) S.revealed.add('file:' + p);
        });
        relayout();
        select(id, false);
      }));
      if (grp && S.expanded.has(grp.id)) bar2.appendChild(button('Collapse ' + grp.name, function () { toggleGroup(grp.id); }));
      panel.appendChild(bar2);
      if (grp && grp.kind !== 'custom') {
        panel.appendChild(fields([['target', link(grp.name, function () { toggleGroup(grp.id); }, 'collapse to the target')]]));
      }
      panel.appendChild(actionDetails(id, token));
      return;
    }
    panel.appendChild(header(v.label, attrs.role + (attrs.fake ? ' \u00b7 fake' : ''), 'file'));
    if (S.revealed.has(id)) {
      var bar3 = el('div', 'buttons');
      bar3.appendChild(button('Hide', function () { S.revealed.delete(id); relayout(); clearSelection(); }));
      panel.appendChild(bar3);
    }
    panel.appendChild(fields([['path', attrs.path], ['role', attrs.role], ['token', attrs.token], ['node', id]]));
    var producers = S.ix.inn.get(id) || [];
    var consumers = S.ix.out.get(id) || [];
    if (producers.length) panel.appendChild(actionList('made by', producers));
    else panel.appendChild(el('p', 'note', 'Not made by any step of the build.'));
    panel.appendChild(actionList('read by', consumers));
  }

  // ---- search ----

  function runSearch() {
    S.results = S.ix ? C.search(S.ix, searchBox.value, 40) : [];
    resultsBox.textContent = '';
    S.results.forEach(function (r, i) {
      var li = el('li', i === 0 ? 'active' : null);
      li.setAttribute('data-id', r.id);
      li.setAttribute('data-type', r.type);
      li.appendChild(el('span', 'type', r.type));
      li.appendChild(el('span', 'name', r.label));
      li.appendChild(el('span', 'detail', r.type === 'file' ? shortPath(r.detail) : r.detail));
      li.addEventListener('mousedown', function (ev) { ev.preventDefault(); pick(r); });
      resultsBox.appendChild(li);
    });
    if (searchBox.value.trim() !== '' && S.results.length === 0) resultsBox.appendChild(el('li', 'none', 'nothing matches'));
    resultsBox.hidden = searchBox.value.trim() === '';
  }

  function pick(r) {
    resultsBox.hidden = true;
    if (r.type === 'file') revealFile(r.id); else revealGroup(r.id);
  }

  var searchTimer = null;
  searchBox.addEventListener('input', function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, 80);
  });
  searchBox.addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter') {
      clearTimeout(searchTimer);
      runSearch();
      if (S.results[0]) pick(S.results[0]);
    } else if (ev.key === 'Escape') {
      searchBox.value = '';
      resultsBox.hidden = true;
    }
  });
  searchBox.addEventListener('focus', function () { if (searchBox.value.trim() !== '') runSearch(); });
  searchBox.addEventListener('blur', function () { resultsBox.hidden = true; });

  // ---- toolbar ----

  $('show-files').addEventListener('change', function (ev) { S.showFiles = ev.target.checked; relayout(); });
  $('collapse-all').addEventListener('click', function () { S.expanded.clear(); S.revealed.clear(); relayout(); fit(); });
  $('expand-all').addEventListener('click', function () {
    if (S.ix.actions.length > 3000 && !window.confirm('Draw all ' + S.ix.actions.length + ' actions?')) return;
    S.ix.groups.forEach(function (g) { S.expanded.add(g.id); });
    relayout();
    fit();
  });
  $('fit').addEventListener('click', function () { S.autoFit = true; fit(); });
  document.addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape' && document.activeElement !== searchBox) clearSelection();
    if (ev.key === '/' && document.activeElement !== searchBox) { ev.preventDefault(); searchBox.focus(); }
  });
  window.addEventListener('resize', function () { if (S.autoFit) fit(); });

  // ---- data ----

  // The first change after a quiet spell is drawn at once; a burst after it is drawn at most every 80 ms.
  var lastRefresh = 0;
  function scheduleRefresh() {
    if (S.timer !== null) return;
    var wait = 80 - (Date.now() - lastRefresh);
    if (wait <= 0) { lastRefresh = Date.now(); refresh(); return; }
    S.timer = setTimeout(function () { S.timer = null; lastRefresh = Date.now(); refresh(); }, wait);
  }

  function connect() {
    var ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/live');
    ws.onopen = function () { S.connected = true; scheduleRefresh(); };
    ws.onclose = function () { S.connected = false; if (S.ix) updateStatus(); };
    ws.onmessage = function (ev) {
      var msg = JSON.parse(ev.data);
      switch (msg.type) {
        case 'snapshot':
          S.model = C.createModel();
          C.loadSerialized(S.model, msg.graph);
          S.done = msg.done;
          S.error = msg.error || null;
          break;
        case 'node': C.addNode(S.model, msg.key, msg.attributes); break;
        case 'edge': C.addEdge(S.model, msg.source, msg.target); break;
        case 'done': S.done = true; break;
        case 'failed': S.done = true; S.error = msg.message; break;
      }
      scheduleRefresh();
    };
  }

  fetch('/api/graph').then(function (r) { return r.json(); }).then(function (info) {
    S.live = info.live;
    if (info.live) {
      refresh();
      connect();
    } else {
      C.loadSerialized(S.model, info.graph);
      refresh();
    }
  }, function (e) {
    $('status').textContent = 'could not load the graph: ' + e;
  });
})();
`;
