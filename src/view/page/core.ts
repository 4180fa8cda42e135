// The page's graph logic, with no DOM: targets recovered from the graph, the visible graph for a set of
// expanded targets, a layered layout, paths and search. Shipped to the browser as a script and run in
// Node by the tests (it defines one global, `ViewCore`). No backticks and no dollar-brace in the text.
export const CORE_JS = String.raw`
var ViewCore = (function () {
  'use strict';

  var SIZE = {
    group: { w: 220, h: 48 },
    action: { w: 200, h: 32 },
    file: { w: 200, h: 24 }
  };
  var COLUMN = 310;
  var GAP = 14;

  function createModel() {
    return { attributes: null, nodes: new Map(), edges: [], edgeKeys: null, done: false };
  }

  function addNode(m, key, attributes) {
    m.nodes.set(key, attributes);
  }

  // The set of edge keys is built on the first single edge added: a whole graph.json (whose edges are
  // unique already) loads without it.
  function addEdge(m, source, target) {
    if (m.edgeKeys === null) {
      m.edgeKeys = new Set();
      for (var i = 0; i < m.edges.length; i++) m.edgeKeys.add(m.edges[i][0] + '\u0000' + m.edges[i][1]);
    }
    var k = source + '\u0000' + target;
    if (m.edgeKeys.has(k)) return;
    m.edgeKeys.add(k);
    m.edges.push([source, target]);
  }

  function loadSerialized(m, g) {
    m.attributes = g.attributes || null;
    for (var i = 0; i < g.nodes.length; i++) addNode(m, g.nodes[i].key, g.nodes[i].attributes);
    if (m.edges.length === 0 && m.edgeKeys === null) {
      for (var j = 0; j < g.edges.length; j++) m.edges.push([g.edges[j].source, g.edges[j].target]);
    } else {
      for (var e = 0; e < g.edges.length; e++) addEdge(m, g.edges[e].source, g.edges[e].target);
    }
  }

  function basename(p) {
    var i = p.lastIndexOf('/');
    return i < 0 ? p : p.slice(i + 1);
  }

  function relative(p, base) {
    if (base && p.indexOf(base + '/') === 0) return p.slice(base.length + 1);
    return p;
  }

  function actionLabel(a) {
    switch (a.category) {
      case 'compile': return basename(a.inputs[0] || a.outputs[0] || 'compile');
      case 'archive':
      case 'link': return basename(a.outputs[0] || a.category);
      default: return a.rule || basename(a.outputs[0] || '') || 'custom';
    }
  }

  function nodeLabel(attrs) {
    return attrs.type === 'action' ? actionLabel(attrs) : basename(attrs.path);
  }

  // A target is an archive or link action plus the compiles whose objects it takes in directly.
  // A custom step joins the one target that uses all its outputs; otherwise it stands alone.
  function buildIndex(m) {
    var out = new Map();
    var inn = new Map();
    var actions = [];
    var files = [];
    m.nodes.forEach(function (a, k) {
      out.set(k, []);
      inn.set(k, []);
      if (a.type === 'action') actions.push(k); else files.push(k);
    });
    for (var i = 0; i < m.edges.length; i++) {
      var e = m.edges[i];
      if (!out.has(e[0]) || !inn.has(e[1])) continue;
      out.get(e[0]).push(e[1]);
      inn.get(e[1]).push(e[0]);
    }

    var groups = [];
    var groupById = new Map();
    var groupOf = new Map();
    function newGroup(id, kind, head, name, path) {
      var g = { id: id, kind: kind, head: head, name: name, path: path, members: [],
        counts: { compile: 0, archive: 0, link: 0, custom: 0 } };
      groups.push(g);
      groupById.set(id, g);
      return g;
    }
    function assign(k, g) {
      groupOf.set(k, g);
      g.members.push(k);
      g.counts[m.nodes.get(k).category]++;
    }
    function consumers(k) {
      var res = [];
      var outs = out.get(k);
      for (var i = 0; i < outs.length; i++) {
        var cs = out.get(outs[i]);
        for (var j = 0; j < cs.length; j++) res.push(cs[j]);
      }
      return res;
    }

    var builddir = (m.attributes && m.attributes.builddir) || '';
    actions.forEach(function (k) {
      var a = m.nodes.get(k);
      if (a.category !== 'archive' && a.category !== 'link') return;
      var path = a.outputs[0] || k;
      assign(k, newGroup('target:' + k, a.category, k, basename(path), path));
    });
    actions.forEach(function (k) {
      var a = m.nodes.get(k);
      if (a.category !== 'compile') return;
      var cs = consumers(k);
      for (var i = 0; i < cs.length; i++) {
        var c = m.nodes.get(cs[i]);
        if (c.category === 'archive' || c.category === 'link') {
          assign(k, groupOf.get(cs[i]));
          return;
        }
      }
    });
    // Chains of custom steps settle from the target backwards, one link per pass.
    for (var pass = 0; pass < 4; pass++) {
      var changed = false;
      actions.forEach(function (k) {
        var a = m.nodes.get(k);
        if (a.category !== 'custom' || groupOf.has(k)) return;
        var cs = consumers(k);
        if (cs.length === 0) return;
        var only = null;
        for (var i = 0; i < cs.length; i++) {
          var g = groupOf.get(cs[i]);
          if (!g || (only !== null && g !== only)) return;
          only = g;
        }
        assign(k, only);
        changed = true;
      });
      if (!changed) break;
    }
    var loose = null;
    actions.forEach(function (k) {
      if (groupOf.has(k)) return;
      var a = m.nodes.get(k);
      if (a.category === 'custom') {
        var path = a.outputs[0] || k;
        assign(k, newGroup('custom:' + k, 'custom', k, actionLabel(a), path));
      } else {
        if (!loose) loose = newGroup('loose', 'loose', null, 'objects in no target', '');
        assign(k, loose);
      }
    });

    // Two targets with the same file name are told apart by their path under the build directory.
    var seen = new Map();
    groups.forEach(function (g) { seen.set(g.name, (seen.get(g.name) || 0) + 1); });
    groups.forEach(function (g) {
      if (g.kind !== 'loose' && seen.get(g.name) > 1) g.name = relative(g.path, builddir);
      g.members.sort(function (x, y) {
        var ax = m.nodes.get(x), ay = m.nodes.get(y);
        var rx = x === g.head ? 1 : 0, ry = y === g.head ? 1 : 0;
        if (rx !== ry) return rx - ry;
        var lx = actionLabel(ax), ly = actionLabel(ay);
        return lx < ly ? -1 : lx > ly ? 1 : 0;
      });
    });
    var kindRank = { custom: 0, archive: 1, link: 2, loose: 3 };
    groups.sort(function (x, y) {
      if (kindRank[x.kind] !== kindRank[y.kind]) return kindRank[x.kind] - kindRank[y.kind];
      return x.name < y.name ? -1 : x.name > y.name ? 1 : 0;
    });
    groups.forEach(function (g, i) { g.rank = i; });

    return { model: m, out: out, inn: inn, actions: actions, files: files, groups: groups,
      groupById: groupById, groupOf: groupOf };
  }

  // A custom step alone in its group is drawn as itself: there is nothing to expand.
  function isOpen(g, state) {
    return state.expanded.has(g.id) || (g.kind === 'custom' && g.members.length === 1);
  }

  // The graph on screen: a node per collapsed target, the actions of expanded ones, and files when
  // asked for. Hidden files still connect what produced them to what reads them.
  function visibleGraph(ix, state) {
    var m = ix.model;
    var nodes = [];
    var byId = new Map();
    function push(n) { nodes.push(n); byId.set(n.id, n); }

    ix.groups.forEach(function (g) {
      if (!isOpen(g, state)) {
        var head = g.head ? m.nodes.get(g.head) : null;
        push({ id: g.id, kind: 'group', group: g.id, label: g.name, category: head ? head.category : 'loose',
          groupKind: g.kind, count: g.members.length, counts: g.counts, rank: g.rank });
        return;
      }
      g.members.forEach(function (k) {
        var a = m.nodes.get(k);
        push({ id: k, kind: 'action', group: g.id, label: actionLabel(a), category: a.category, rank: g.rank });
      });
    });

    function actionRep(k) {
      var g = ix.groupOf.get(k);
      if (!g) return null;
      return isOpen(g, state) ? k : g.id;
    }
    var fileVisible = new Map();
    var anyFiles = state.showFiles || state.revealed.size > 0;
    function fileRep(f) {
      if (!anyFiles) return null;
      var v = fileVisible.get(f);
      if (v !== undefined) return v ? f : null;
      v = state.revealed.has(f);
      if (!v && state.showFiles) {
        var adj = ix.inn.get(f).concat(ix.out.get(f));
        for (var i = 0; i < adj.length && !v; i++) {
          var g = ix.groupOf.get(adj[i]);
          v = !!g && isOpen(g, state);
        }
      }
      fileVisible.set(f, v);
      return v ? f : null;
    }
    function rep(k) {
      var a = m.nodes.get(k);
      if (!a) return null;
      return a.type === 'action' ? actionRep(k) : fileRep(k);
    }

    ix.files.forEach(function (f) {
      if (fileRep(f) === null) return;
      var a = m.nodes.get(f);
      var producer = ix.inn.get(f)[0];
      var g = producer ? ix.groupOf.get(producer) : null;
      push({ id: f, kind: 'file', group: null, label: basename(a.path), category: 'file', role: a.role,
        rank: g ? g.rank : -1 });
    });

    var edges = [];
    var edgeSet = new Set();
    function link(a, b) {
      if (a === null || b === null || a === b) return;
      var k = a + '\u0000' + b;
      if (edgeSet.has(k)) return;
      edgeSet.add(k);
      edges.push([a, b]);
    }
    for (var i = 0; i < m.edges.length; i++) {
      var e = m.edges[i];
      if (!ix.out.has(e[0]) || !ix.out.has(e[1])) continue;
      link(rep(e[0]), rep(e[1]));
    }
    ix.files.forEach(function (f) {
      if (fileRep(f) !== null) return;
      var ps = ix.inn.get(f);
      if (ps.length === 0) return;
      var cs = ix.out.get(f);
      for (var i = 0; i < ps.length; i++) {
        var rp = rep(ps[i]);
        for (var j = 0; j < cs.length; j++) link(rp, rep(cs[j]));
      }
    });
    return { nodes: nodes, byId: byId, edges: edges, edgeSet: edgeSet };
  }

  // Layered layout, left to right: columns by longest path from the sources (cycles broken where a
  // depth-first search finds them), rows ordered by barycentre sweeps, then nudged toward neighbours.
  function layout(vis) {
    var n = vis.nodes.length;
    var index = new Map();
    vis.nodes.forEach(function (v, i) { index.set(v.id, i); });
    var succ = [], pred = [];
    for (var i = 0; i < n; i++) { succ.push([]); pred.push([]); }
    var rawSucc = [];
    for (var r = 0; r < n; r++) rawSucc.push([]);
    vis.edges.forEach(function (e) { rawSucc[index.get(e[0])].push(index.get(e[1])); });

    // Iterative DFS: an edge to a node still on the stack is a back edge and is left out.
    var state = new Uint8Array(n);
    for (var s = 0; s < n; s++) {
      if (state[s] !== 0) continue;
      var stack = [s], pos = [0];
      state[s] = 1;
      while (stack.length > 0) {
        var top = stack[stack.length - 1];
        var p = pos[pos.length - 1];
        if (p < rawSucc[top].length) {
          pos[pos.length - 1] = p + 1;
          var t = rawSucc[top][p];
          if (state[t] === 1) continue;
          succ[top].push(t);
          pred[t].push(top);
          if (state[t] === 0) { state[t] = 1; stack.push(t); pos.push(0); }
        } else {
          state[top] = 2;
          stack.pop();
          pos.pop();
        }
      }
    }

    var layer = new Int32Array(n);
    var indeg = new Int32Array(n);
    for (var a = 0; a < n; a++) indeg[a] = pred[a].length;
    var queue = [];
    for (var b = 0; b < n; b++) if (indeg[b] === 0) queue.push(b);
    for (var q = 0; q < queue.length; q++) {
      var u = queue[q];
      for (var k = 0; k < succ[u].length; k++) {
        var w = succ[u][k];
        if (layer[u] + 1 > layer[w]) layer[w] = layer[u] + 1;
        if (--indeg[w] === 0) queue.push(w);
      }
    }
    // Files read by nothing visible sit right after what made them; sources right before their reader.
    for (var f = 0; f < n; f++) {
      if (vis.nodes[f].kind !== 'file') continue;
      if (pred[f].length === 0 && succ[f].length > 0) {
        var minL = Infinity;
        succ[f].forEach(function (x) { minL = Math.min(minL, layer[x]); });
        layer[f] = Math.max(0, minL - 1);
      }
    }

    var layers = [];
    for (var c = 0; c < n; c++) {
      while (layers.length <= layer[c]) layers.push([]);
      layers[layer[c]].push(c);
    }
    var order = new Float64Array(n);
    layers.forEach(function (ids) {
      ids.sort(function (x, y) {
        var vx = vis.nodes[x], vy = vis.nodes[y];
        if (vx.rank !== vy.rank) return vx.rank - vy.rank;
        return vx.label < vy.label ? -1 : vx.label > vy.label ? 1 : 0;
      });
      ids.forEach(function (id, i) { order[id] = i; });
    });
    function sweep(ids, nbrs) {
      var bary = new Map();
      ids.forEach(function (id) {
        var ns = nbrs[id];
        if (ns.length === 0) { bary.set(id, order[id]); return; }
        var sum = 0;
        for (var i = 0; i < ns.length; i++) sum += order[ns[i]];
        bary.set(id, sum / ns.length);
      });
      ids.sort(function (x, y) { return bary.get(x) - bary.get(y) || order[x] - order[y]; });
      ids.forEach(function (id, i) { order[id] = i; });
    }
    for (var it = 0; it < 3; it++) {
      for (var l = 1; l < layers.length; l++) sweep(layers[l], pred);
      for (var l2 = layers.length - 2; l2 >= 0; l2--) sweep(layers[l2], succ);
    }

    var size = vis.nodes.map(function (v) { return SIZE[v.kind]; });
    var y = new Float64Array(n);
    layers.forEach(function (ids) {
      var acc = 0;
      ids.forEach(function (id) { y[id] = acc; acc += size[id].h + GAP; });
    });
    // Place a layer near its neighbours (centre to centre), keep its order, then undo the drift that
    // pushing nodes apart caused.
    function place(ids, nbrs) {
      if (ids.length === 0) return;
      var want = ids.map(function (id) {
        var ns = nbrs[id];
        if (ns.length === 0) return null;
        var sum = 0;
        for (var i = 0; i < ns.length; i++) sum += y[ns[i]] + size[ns[i]].h / 2;
        return sum / ns.length - size[id].h / 2;
      });
      var prevBottom = -Infinity;
      var drift = 0, counted = 0;
      ids.forEach(function (id, i) {
        var target = want[i] === null ? (prevBottom === -Infinity ? y[id] : prevBottom) : want[i];
        var placed = Math.max(target, prevBottom);
        if (want[i] !== null) { drift += placed - want[i]; counted++; }
        y[id] = placed;
        prevBottom = placed + size[id].h + GAP;
      });
      if (counted > 0) {
        var shift = drift / counted;
        ids.forEach(function (id) { y[id] -= shift; });
      }
    }
    var widest = 0;
    layers.forEach(function (ids, i) { if (ids.length > layers[widest].length) widest = i; });
    for (var round = 0; round < 2; round++) {
      for (var up = widest + 1; up < layers.length; up++) place(layers[up], pred);
      for (var down = widest - 1; down >= 0; down--) place(layers[down], succ);
    }

    var minY = Infinity, maxY = -Infinity;
    for (var z = 0; z < n; z++) {
      minY = Math.min(minY, y[z]);
      maxY = Math.max(maxY, y[z] + size[z].h);
    }
    if (n === 0) { minY = 0; maxY = 0; }
    var positions = new Map();
    vis.nodes.forEach(function (v, i) {
      var sz = size[i];
      var colWidth = SIZE.group.w;
      positions.set(v.id, { x: layer[i] * COLUMN + (colWidth - sz.w) / 2, y: y[i] - minY, w: sz.w, h: sz.h,
        layer: layer[i] });
    });
    return { positions: positions, width: Math.max(0, layers.length * COLUMN - (COLUMN - SIZE.group.w)),
      height: maxY - minY, layers: layers.length };
  }

  // Shortest path between two visible nodes: along the edges either way round, else ignoring direction.
  function findPath(vis, from, to) {
    if (!vis.byId.has(from) || !vis.byId.has(to)) return null;
    var fwd = new Map(), both = new Map();
    function add(mp, a, b) { var l = mp.get(a); if (!l) { l = []; mp.set(a, l); } l.push(b); }
    vis.edges.forEach(function (e) { add(fwd, e[0], e[1]); add(both, e[0], e[1]); add(both, e[1], e[0]); });
    function bfs(adj, a, b) {
      var prev = new Map([[a, null]]);
      var q = [a];
      for (var i = 0; i < q.length; i++) {
        var u = q[i];
        if (u === b) break;
        var ns = adj.get(u) || [];
        for (var j = 0; j < ns.length; j++) {
          if (!prev.has(ns[j])) { prev.set(ns[j], u); q.push(ns[j]); }
        }
      }
      if (!prev.has(b)) return null;
      var path = [];
      for (var v = b; v !== null; v = prev.get(v)) path.push(v);
      return path.reverse();
    }
    var directed = true;
    var nodes = bfs(fwd, from, to);
    if (!nodes) { nodes = bfs(fwd, to, from); }
    if (!nodes) { nodes = bfs(both, from, to); directed = false; }
    if (!nodes) return null;
    var edges = [];
    for (var i = 0; i + 1 < nodes.length; i++) {
      var a = nodes[i], b = nodes[i + 1];
      edges.push(vis.edgeSet.has(a + '\u0000' + b) ? a + '\u0000' + b : b + '\u0000' + a);
    }
    return { nodes: nodes, edges: edges, directed: directed };
  }

  // Targets by name or output path, files by path; whole-name matches first.
  function search(ix, query, limit) {
    var q = query.trim().toLowerCase();
    if (q === '') return [];
    var max = limit || 40;
    var exact = [], partial = [];
    function consider(item, name, path) {
      var n = name.toLowerCase();
      if (n === q) exact.push(item);
      else if (n.indexOf(q) >= 0 || path.toLowerCase().indexOf(q) >= 0) partial.push(item);
    }
    ix.groups.forEach(function (g) {
      consider({ type: 'target', id: g.id, label: g.name, detail: g.kind + ', ' + g.members.length + ' actions' },
        g.name, g.path);
    });
    for (var i = 0; i < ix.files.length; i++) {
      var a = ix.model.nodes.get(ix.files[i]);
      consider({ type: 'file', id: ix.files[i], label: basename(a.path), detail: a.path }, basename(a.path), a.path);
    }
    return exact.concat(partial).slice(0, max);
  }

  return { SIZE: SIZE, createModel: createModel, addNode: addNode, addEdge: addEdge,
    loadSerialized: loadSerialized, buildIndex: buildIndex, visibleGraph: visibleGraph, layout: layout,
    findPath: findPath, search: search, basename: basename, nodeLabel: nodeLabel, isOpen: isOpen };
})();
`;
