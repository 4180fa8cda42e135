// The page shell. Scripts and styles come from the same server (no CDN, no inline script), so the
// Content-Security-Policy can forbid everything else.
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>continuity view</title>
<link rel="stylesheet" href="/assets/view.css">
</head>
<body>
<header>
  <div class="brand">continuity<span id="title"></span></div>
  <div class="search">
    <input id="search" type="search" placeholder="Search files and targets  ( / )" autocomplete="off" spellcheck="false">
    <ul id="results" hidden></ul>
  </div>
  <div class="tools">
    <label class="check"><input type="checkbox" id="show-files"> files</label>
    <button type="button" id="collapse-all">Collapse all</button>
    <button type="button" id="expand-all">Expand all</button>
    <button type="button" id="fit">Fit</button>
  </div>
  <div class="legend">
    <span class="cat-compile"><i></i>compile</span>
    <span class="cat-archive"><i></i>archive</span>
    <span class="cat-link"><i></i>link</span>
    <span class="cat-custom"><i></i>custom</span>
    <span class="cat-file"><i></i>file</span>
  </div>
</header>
<main>
  <div id="stage">
    <svg id="canvas" xmlns="http://www.w3.org/2000/svg">
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M0,0 L10,5 L0,10 z" class="arrowhead"></path>
        </marker>
        <marker id="arrow-hot" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
          <path d="M0,0 L10,5 L0,10 z" class="arrowhead hot"></path>
        </marker>
      </defs>
      <g id="viewport"></g>
    </svg>
    <div id="status">loading…</div>
    <div id="hint">click: details · shift-click a second node: path · double-click a target: expand · drag: pan · wheel: zoom</div>
  </div>
  <aside id="panel"><div id="panel-body"><p class="empty">Select a node to see its command, inputs and outputs.</p></div></aside>
</main>
<script src="/assets/core.js"></script>
<script src="/assets/view.js"></script>
</body>
</html>
`;
