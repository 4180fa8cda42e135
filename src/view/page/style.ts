// The page's styles. Category colours are custom properties so nodes, chips and the legend agree.
export const STYLE_CSS = `
:root {
  --compile: #3b82f6; --archive: #f59e0b; --link: #10b981; --custom: #a855f7; --loose: #64748b;
  --file: #94a3b8; --ink: #1f2937; --muted: #6b7280; --edge: #a3adbb; --hot: #e11d48; --bg: #f5f6f8;
  --mono: ui-monospace, SFMono-Regular, "DejaVu Sans Mono", Menlo, Consolas, monospace;
}
.cat-compile { --c: var(--compile); }
.cat-archive { --c: var(--archive); }
.cat-link { --c: var(--link); }
.cat-custom { --c: var(--custom); }
.cat-loose { --c: var(--loose); }
.cat-file { --c: var(--file); }
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body {
  display: flex; flex-direction: column; color: var(--ink);
  font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
}
header {
  display: flex; align-items: center; gap: 18px; padding: 8px 16px; background: #111827; color: #e5e7eb;
  box-shadow: 0 1px 0 #0b0f19;
}
.brand { font-weight: 650; letter-spacing: .02em; white-space: nowrap; min-width: 0; overflow: hidden; text-overflow: ellipsis; }
#title { font-weight: 400; color: #9ca3af; margin-left: 10px; font-size: 12px; }
.search { position: relative; flex: 0 1 380px; min-width: 200px; }
#search {
  width: 100%; padding: 6px 10px; border-radius: 6px; border: 1px solid #374151; background: #1f2937;
  color: #f9fafb; font: inherit; outline: none;
}
#search:focus { border-color: #60a5fa; }
#results {
  position: absolute; top: 100%; left: 0; right: 0; z-index: 10; margin: 4px 0 0; padding: 4px 0;
  list-style: none; background: #fff; color: var(--ink); border-radius: 8px; max-height: 60vh; overflow: auto;
  box-shadow: 0 10px 30px rgba(0, 0, 0, .28);
}
#results li { display: flex; gap: 8px; align-items: baseline; padding: 5px 10px; cursor: pointer; }
#results li.active, #results li:hover { background: #eef2ff; }
#results li.none { color: var(--muted); cursor: default; }
#results .type { flex: none; width: 44px; font-size: 10px; text-transform: uppercase; color: var(--muted); }
#results .name { flex: none; font-weight: 600; }
#results .detail { color: var(--muted); font-size: 11px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.tools { display: flex; gap: 6px; align-items: center; }
button {
  font: inherit; font-size: 12px; padding: 4px 10px; border-radius: 5px; cursor: pointer;
  border: 1px solid #d1d5db; background: #fff; color: var(--ink);
}
button:hover { background: #f3f4f6; }
header button { border-color: #374151; background: #1f2937; color: #e5e7eb; white-space: nowrap; }
header button:hover { background: #273244; }
.check { display: flex; gap: 4px; align-items: center; font-size: 12px; margin-right: 4px; cursor: pointer; }
.legend { margin-left: auto; display: flex; gap: 12px; font-size: 12px; color: #cbd5e1; white-space: nowrap; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 3px; margin-right: 5px; background: var(--c); vertical-align: -1px; }
main { flex: 1; display: flex; min-height: 0; }
#stage {
  flex: 1; position: relative; overflow: hidden; background-color: var(--bg);
  background-image: radial-gradient(#dde1e8 1px, transparent 1px); background-size: 22px 22px;
}
#canvas { display: block; width: 100%; height: 100%; cursor: grab; user-select: none; }
#canvas.panning { cursor: grabbing; }
#status, #hint {
  position: absolute; bottom: 10px; font-size: 11px; color: var(--muted); background: rgba(255, 255, 255, .9);
  padding: 3px 9px; border-radius: 5px; border: 1px solid #e5e7eb;
}
#status { left: 10px; }
#status.failed { color: #b91c1c; border-color: #fecaca; }
#hint { right: 10px; }

.edge { fill: none; stroke: var(--edge); stroke-width: 1.3; marker-end: url(#arrow); }
.arrowhead { fill: var(--edge); }
.arrowhead.hot { fill: var(--hot); }
.edge.on-path { stroke: var(--hot); stroke-width: 3; marker-end: url(#arrow-hot); }
.has-path .edge:not(.on-path) { opacity: .25; }
.has-path .node:not(.on-path) { opacity: .4; }
.node { cursor: pointer; }
.node text { font-size: 12px; fill: var(--ink); pointer-events: none; }
.node .body { stroke: var(--c); stroke-width: 1.4; }
.kind-group .body { fill: #fff; filter: drop-shadow(0 1px 2px rgba(15, 23, 42, .12)); }
.kind-group .bar { fill: var(--c); }
.kind-group .label { font-weight: 650; font-size: 13px; }
.kind-group .sub { font-size: 11px; fill: var(--muted); }
.kind-group .toggle { font-size: 18px; fill: var(--c); font-weight: 700; text-anchor: middle; }
.kind-action .body { fill: color-mix(in srgb, var(--c) 16%, white); }
.kind-action .tag { font-size: 10px; fill: color-mix(in srgb, var(--c) 70%, black); text-anchor: end; }
.kind-file .body { fill: #fff; stroke: var(--file); }
.kind-file .label { font-family: var(--mono); font-size: 11px; fill: #475569; }
.kind-file.role-header .body { stroke-dasharray: 4 3; }
.kind-file.role-generated .body { stroke: var(--custom); }
.node:hover .body { stroke-width: 2.4; }
.node.selected .body { stroke: #111827; stroke-width: 3; }
.node.on-path .body { stroke: var(--hot); stroke-width: 2.6; }
.node.on-path.selected .body { stroke: #111827; stroke-width: 3.2; }

#panel { width: 420px; flex: none; overflow: auto; background: #fff; border-left: 1px solid #e5e7eb; }
#panel-body { padding: 16px 18px 28px; }
#panel .empty, #panel .note { color: var(--muted); }
.ph { display: flex; align-items: center; gap: 10px; margin-bottom: 6px; }
.ph h2 { margin: 0; font-size: 16px; word-break: break-all; }
.chip {
  flex: none; font-size: 11px; padding: 1px 8px; border-radius: 10px; border: 1px solid var(--c);
  background: color-mix(in srgb, var(--c) 15%, white);
}
.buttons { display: flex; gap: 6px; margin: 10px 0; flex-wrap: wrap; }
dl.fields { display: grid; grid-template-columns: 78px 1fr; gap: 3px 10px; margin: 12px 0; }
dl.fields dt { color: var(--muted); }
dl.fields dd { margin: 0; font-family: var(--mono); font-size: 12px; word-break: break-all; }
#panel h3 {
  margin: 18px 0 6px; font-size: 11px; font-weight: 600; text-transform: uppercase; letter-spacing: .06em;
  color: var(--muted);
}
pre.args, pre.env {
  margin: 0; padding: 10px 12px; border-radius: 6px; background: #0f172a; color: #e2e8f0;
  font: 12px/1.5 var(--mono); white-space: pre-wrap; word-break: break-all;
}
pre.post { margin-top: 4px; }
.key code { font-family: var(--mono); font-size: 11.5px; word-break: break-all; color: #334155; }
ul.paths { list-style: none; margin: 0; padding: 0; font: 12px/1.6 var(--mono); }
ul.paths li { word-break: break-all; }
ul.paths li.more { color: var(--muted); }
.dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: var(--c); margin-right: 7px; }
a { color: #2563eb; text-decoration: none; }
a:hover { text-decoration: underline; }
.pathbox {
  margin-bottom: 14px; padding: 10px 12px; border-radius: 8px; background: #fff1f2; border: 1px solid #fecdd3;
}
.pathlist { margin: 6px 0 8px; padding-left: 22px; }
button.small { font-size: 11px; padding: 2px 8px; }
`;
