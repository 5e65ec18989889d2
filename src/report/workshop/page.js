'use strict';
// The workshop page: levers post their values, the server reruns on the
// same seed and sends back numbers and the project's own SVG charts. A
// first answer comes from fewer runs, then the full count; a newer change
// makes the page drop any older answer (and the server cancel its run).
const S = { setup: null, values: {}, pin: null, seq: 0, metric: null, changedAt: 0, drawn: [] };
window.workshop = S;
const $ = (id) => document.getElementById(id);

function setState(state, text) {
  document.body.dataset.state = state;
  if (text !== undefined) $('status').textContent = text;
}

function fmtRuns(n) { return n.toLocaleString('en-GB'); }

function monthIndex(m) { const [y, mo] = m.split('-').map(Number); return y * 12 + mo - 1; }
function monthText(i) { const y = Math.floor(i / 12); const m = i % 12 + 1; return y + '-' + String(m).padStart(2, '0'); }

function buildLevers() {
  const form = $('levers');
  form.textContent = '';
  S.setup.levers.forEach((l, k) => {
    const box = document.createElement('div');
    box.className = 'lever';
    box.dataset.key = l.key;
    const id = 'lever-' + k;
    const label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = l.label;
    const value = document.createElement('div');
    value.className = 'value';
    value.id = id + '-value';
    const file = document.createElement('div');
    file.className = 'file';
    file.textContent = 'In the file: ' + l.file;
    let input = document.createElement('input');
    input.id = id;
    input.setAttribute('aria-describedby', id + '-value');
    if (l.kind === 'switch') {
      input.type = 'checkbox';
      input.checked = l.value === true;
      value.textContent = input.checked ? 'on' : 'off';
      input.addEventListener('change', () => {
        value.textContent = input.checked ? 'on' : 'off';
        moved(l, box, String(input.checked));
      });
      label.prepend(input);
      label.append(' ');
    } else {
      input.type = 'range';
      if (l.kind === 'month') {
        const lo = monthIndex(l.lo);
        input.min = 0; input.max = monthIndex(l.hi) - lo; input.step = l.step;
        const start = typeof l.value === 'string' ? monthIndex(l.value) - lo : 0;
        input.value = start;
        const show = () => monthText(lo + Number(input.value));
        value.textContent = typeof l.value === 'string' ? l.value : l.file;
        input.addEventListener('input', () => { value.textContent = show(); });
        input.addEventListener('change', () => moved(l, box, show()));
      } else {
        input.min = l.lo; input.max = l.hi; input.step = l.step;
        // A drawn value (a default lever over a distribution's 5th-95th
        // percentile) starts mid-range, not at an end it does not favour.
        input.value = typeof l.value === 'number' ? l.value : (l.lo + l.hi) / 2;
        value.textContent = typeof l.value === 'number' ? String(l.value) : l.file;
        input.addEventListener('input', () => { value.textContent = input.value; });
        input.addEventListener('change', () => moved(l, box, input.value));
      }
    }
    box.append(label, value);
    if (l.kind !== 'switch') box.append(input);
    box.append(file);
    form.append(box);
  });
}

function moved(lever, box, value) {
  S.values[lever.key] = value;
  box.classList.add('moved');
  rerun();
}

function rerun() {
  S.changedAt = performance.now();
  const my = ++S.seq;
  document.body.dataset.seq = my;
  ask('quick', my).then((more) => { if (more) ask('full', my); });
}

// One request; true when a full answer should follow.
async function ask(tier, my) {
  setState('busy', tier === 'quick' ? 'Rerunning with fewer runs…' : 'Refining to ' + fmtRuns(S.setup.full_runs) + ' runs…');
  let r, j;
  try {
    r = await fetch('/api/run', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ values: S.values, pin: S.pin, tier: tier, metric: S.metric }),
    });
    j = await r.json();
  } catch (e) {
    if (my === S.seq) { showError('The server did not answer: ' + e); setState('error', ''); }
    return false;
  }
  if (my !== S.seq || j.cancelled) return false;
  if (!r.ok) { showError(j.error || ('HTTP ' + r.status)); setState('error', 'Not rerun: see the message by the levers.'); return false; }
  showError(null);
  draw(j);
  // When the new charts are on screen (the next frame): what the timings
  // of docs/PERFORMANCE.md read, from the lever's change to here.
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  S.drawn.push({ seq: my, full: j.full, runs: j.runs, ms: performance.now() - S.changedAt });
  if (j.full) {
    setState('full', 'Showing the full answer: ' + fmtRuns(j.runs) + ' runs, seed ' + j.seed + '.');
    return false;
  }
  setState('quick', 'Showing a first answer from ' + fmtRuns(j.runs) + ' runs; refining…');
  return true;
}

function showError(text) {
  const e = $('error');
  e.hidden = !text;
  e.textContent = text || '';
}

function draw(j) {
  const cards = $('headline');
  cards.textContent = '';
  j.headline.forEach((h) => {
    const c = document.createElement('div');
    c.className = 'card';
    c.dataset.what = h.what;
    c.dataset.mean = h.mean;
    if (h.b_mean !== undefined) c.dataset.bMean = h.b_mean;
    const label = document.createElement('div');
    label.className = 'label';
    label.textContent = h.label;
    const big = document.createElement('div');
    big.className = 'big';
    big.textContent = (h.probability ? '' : 'mean ') + h.text + (h.probability ? ' of runs' : '');
    // A value with a long unit ("0.99 0 keen - 1 cautious") in smaller type
    // than a chance, so that a row of cards keeps its numbers on two lines.
    if (big.textContent.length > 16) big.classList.add('long');
    c.append(label, big);
    if (h.b_text !== undefined) {
      const b = document.createElement('div');
      b.className = 'b';
      b.textContent = 'B (pinned): ' + h.b_text;
      c.append(b);
    }
    const se = document.createElement('div');
    se.className = 'se';
    se.textContent = '± ' + (h.probability ? (100 * h.standard_error).toFixed(1) + ' points' : h.standard_error.toPrecision(2)) + ' (Monte Carlo error)';
    c.append(se);
    cards.append(c);
  });
  const chart = (name) => j.charts.find((c) => c.name === name);
  const put = (fig, c) => {
    fig.hidden = !c;
    fig.innerHTML = c ? c.svg : '';
    if (c) { const svg = fig.querySelector('svg'); if (svg) { svg.setAttribute('role', 'img'); svg.setAttribute('aria-label', c.title); } }
  };
  put($('fan'), chart('fan-' + S.metric) || chart('overlay-' + S.metric));
  put($('diff'), chart('diff-' + S.metric));
  put($('classes'), chart('classes'));
  $('differences').hidden = !j.differences_html;
  $('diff-table').innerHTML = j.differences_html || '';
  const tl = $('timeline');
  tl.textContent = '';
  j.timeline.forEach((t) => {
    const li = document.createElement('li');
    li.textContent = t.text;
    if (t.changed) li.className = 'changed';
    tl.append(li);
  });
  document.body.dataset.runs = j.runs;
}

async function save() {
  const r = await fetch('/api/save', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ values: S.values }),
  });
  const text = await r.text();
  if (!r.ok) { showError(text); return; }
  const name = (r.headers.get('Content-Disposition') || '').match(/filename="([^"]+)"/);
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: 'application/toml' }));
  a.download = name ? name[1] : 'workshop.toml';
  document.body.append(a);
  a.click();
  a.remove();
  $('saved').textContent = text;
  $('saved-box').hidden = false;
}

async function start() {
  const r = await fetch('/api/setup');
  S.setup = await r.json();
  S.metric = S.setup.metric;
  $('question').textContent = S.setup.question;
  const sel = $('metric');
  S.setup.metrics.forEach((m) => {
    const o = document.createElement('option');
    o.value = m.name;
    o.textContent = m.title;
    if (m.name === S.metric) o.selected = true;
    sel.append(o);
  });
  sel.addEventListener('change', () => { S.metric = sel.value; rerun(); });
  buildLevers();
  $('pin').addEventListener('click', () => {
    S.pin = Object.assign({}, S.values);
    $('pinned').hidden = false;
    $('pinned').textContent = 'B is pinned: ' + (Object.keys(S.pin).length ? Object.entries(S.pin).map(([k, v]) => k + ' = ' + v).join('; ') : 'the file as written') + '. Move a lever to compare A against it.';
    $('unpin').hidden = false;
    rerun();
  });
  $('unpin').addEventListener('click', () => {
    S.pin = null;
    $('pinned').hidden = true;
    $('unpin').hidden = true;
    rerun();
  });
  $('reset').addEventListener('click', () => { S.values = {}; buildLevers(); rerun(); });
  $('save').addEventListener('click', save);
  rerun();
}

start();
