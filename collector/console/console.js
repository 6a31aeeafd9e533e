// SPDX-License-Identifier: GPL-2.0-only
// vigil console: the four pages' script. Everything shown comes from /api/ and
// is the sensors' text: it only ever enters the page through textContent,
// createTextNode and setAttribute (never innerHTML), and links are built from
// encodeURIComponent'ed values, so an alert field holding <script> is shown as
// text. The chart is drawn here as SVG elements: no library, no inline style.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';

// el('td', {class: 'num'}, 'text', childNode, ...): an element; strings become text nodes.
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const k of kids) {
    if (k === undefined || k === null || k === false) continue;
    e.appendChild(typeof k === 'object' ? k : document.createTextNode(String(k)));
  }
  return e;
}

function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = String(text);
  return e;
}

function $(id) { return document.getElementById(id); }

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

async function api(path) {
  const r = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  let body = null;
  try { body = await r.json(); } catch (e) { body = null; }
  if (!r.ok) throw new Error((body && body.error) || ('HTTP ' + r.status));
  return body;
}

function showError(err) {
  const e = $('error');
  if (!e) return;
  if (err) { e.textContent = String(err.message || err); e.hidden = false; } else { e.hidden = true; }
}

function status(text) {
  const s = $('status');
  if (s) s.textContent = text;
}

function nowText() { return new Date().toLocaleTimeString(); }

// µs since the epoch as "2026-11-23 13:00:00" (UTC)
function fmtTime(us) {
  if (typeof us !== 'number') return '';
  const d = new Date(us / 1000);
  if (isNaN(d.getTime())) return '';
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
}

function fmtNum(v) {
  if (typeof v !== 'number' || !isFinite(v)) return v === undefined || v === null ? '' : String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

function fmtBytes(n) {
  if (typeof n !== 'number') return '';
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : String(n)) + ' ' + u[i];
}

function fmtAge(s) {
  if (typeof s !== 'number') return '';
  if (s < 0) s = 0;
  if (s < 90) return s + ' s ago';
  if (s < 5400) return Math.round(s / 60) + ' min ago';
  if (s < 172800) return Math.round(s / 3600) + ' h ago';
  return Math.round(s / 86400) + ' days ago';
}

const SEV_NAMES = { 1: 'high', 2: 'medium', 3: 'low' };

function sevBadge(sev) {
  const n = typeof sev === 'number' ? sev : 0;
  const cls = 'sev s' + (n >= 1 && n <= 3 ? n : 0);
  return el('span', { class: cls, title: 'severity ' + (n || '?') + ' (1 is the most severe)' },
    n ? n + ' ' + (SEV_NAMES[n] || '') : '?');
}

function stateBadge(state) {
  return el('span', { class: 'state' + (state === 'end' ? '' : ' open') }, state === 'end' ? 'ended' : (state || '?'));
}

function incidentHref(id) { return '/incident?id=' + encodeURIComponent(id); }
function hostHref(addr) { return '/host?addr=' + encodeURIComponent(addr); }

function endpoint(ip, port, r) {
  if (!ip) return '';
  if (typeof port === 'number' && r.proto !== 'ICMP' && r.proto !== 'IPv6-ICMP') {
    return (ip.indexOf(':') >= 0 ? '[' + ip + ']' : ip) + ':' + port;
  }
  return ip;
}

function tupleText(r) {
  let t = endpoint(r.src_ip, r.src_port, r) + ' → ' + endpoint(r.dest_ip, r.dest_port, r);
  if (r.proto) t += ' ' + r.proto;
  if (typeof r.icmp_type === 'number') t += ' type ' + r.icmp_type + ' code ' + (r.icmp_code || 0);
  return t;
}

function obsText(r) {
  if (typeof r.observed !== 'number') return '';
  let t = fmtNum(r.observed) + ' vs ' + fmtNum(r.expected);
  if (r.metric) t += ' ' + r.metric;
  return t;
}

function hostLinks(hosts, max) {
  const span = el('span', { class: 'hostlist' });
  (hosts || []).slice(0, max || 6).forEach((h) => span.appendChild(el('a', { href: hostHref(h), class: 'mono' }, h)));
  if (hosts && hosts.length > (max || 6)) span.appendChild(document.createTextNode('+' + (hosts.length - (max || 6))));
  return span;
}

function incidentRow(r) {
  const title = 'peak ' + fmtNum(r.peak) + (typeof r.threshold === 'number' ? ', threshold ' + fmtNum(r.threshold) : '') +
    (typeof r.zscore === 'number' ? ', z ' + fmtNum(r.zscore) : '');
  return el('tr', { 'data-id': r.id },
    el('td', {}, sevBadge(r.severity)),
    el('td', {}, r.detector || ''),
    el('td', { class: 'what' },
      el('a', { class: 'sig', href: incidentHref(r.id) }, r.signature || ((r.detector || 'incident') + ' ' + r.incident_id)),
      el('span', { class: 'tuple mono' }, tupleText(r))),
    el('td', { class: 'hosts' }, hostLinks(r.hosts, 4)),
    el('td', { class: 'time' }, fmtTime(r.first_us)),
    el('td', { class: 'time' }, fmtTime(r.last_us)),
    el('td', { class: 'obs', title: title }, obsText(r)),
    el('td', {}, stateBadge(r.state)),
    el('td', {}, r.sensor || ''));
}

function fillIncidents(tbody, rows) {
  clear(tbody);
  rows.forEach((r) => tbody.appendChild(incidentRow(r)));
}

// ---- incidents: the live list ----

const FILTERS = ['sensor', 'detector', 'severity', 'host', 'since', 'until', 'community_id'];

async function pageIncidents() {
  const q = new URLSearchParams(location.search);
  const apiq = new URLSearchParams();
  for (const f of FILTERS) {
    const v = q.get(f);
    const input = $('f-' + f);
    if (v) {
      apiq.set(f, v);
      if (input) input.value = v;
    }
  }
  if (q.get('community_id')) {
    const p = $('pivot');
    clear(p);
    p.appendChild(document.createTextNode('Incidents sharing the conversation '));
    p.appendChild(el('span', { class: 'mono' }, q.get('community_id')));
    p.appendChild(document.createTextNode(' (community_id) '));
    p.hidden = false;
  }
  const tbody = document.querySelector('#incidents tbody');
  async function refresh() {
    try {
      const res = await api('/api/incidents' + (apiq.toString() ? '?' + apiq.toString() : ''));
      fillIncidents(tbody, res.incidents);
      $('empty').hidden = res.incidents.length > 0;
      $('more').hidden = !res.more;
      showError(null);
      status('updated ' + nowText() + ' · ' + res.incidents.length + ' incident' +
        (res.incidents.length === 1 ? '' : 's') + ' · refreshes every 5 s');
    } catch (e) {
      showError(e);
      status('not updated: ' + e.message);
    }
  }
  try {
    const s = await api('/api/sensors');
    const dl = $('sensor-names');
    s.sensors.forEach((x) => dl.appendChild(el('option', { value: x.sensor })));
  } catch (e) { /* the list still works */ }
  await refresh();
  setInterval(refresh, 5000);
}

// ---- incident: the story, the chart, flows, evidence ----

// A step of 1, 2 or 5 times a power of ten giving about four grid lines up to max.
function niceStep(max) {
  const raw = max / 4, p = Math.pow(10, Math.floor(Math.log10(raw)));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

// The metric of each event over time, with the learned band and the trigger, as SVG.
function drawChart(box, inc) {
  clear(box);
  const pts = [];
  (inc.events || []).forEach((e) => {
    const v = e.vigil || {};
    const t = Date.parse((e.timestamp || '').replace(/(\.\d{3})\d*/, '$1').replace(/\+0000$/, 'Z'));
    if (typeof v.observed !== 'number' || isNaN(t)) return;
    pts.push({ t: t, y: v.observed, exp: v.expected, thr: v.threshold, state: v.state, type: e.event_type });
  });
  if (!pts.length) {
    box.appendChild(el('p', { class: 'note' }, 'No event of this incident states an observed value.'));
    return;
  }
  pts.sort((a, b) => a.t - b.t);
  let trig = pts.find((p) => p.type === 'alert' || p.state === 'start') || pts[0];
  const onset = inc.onset ? Date.parse(inc.onset.replace(/(\.\d{3})\d*/, '$1').replace(/\+0000$/, 'Z')) : NaN;
  let x0 = pts[0].t, x1 = pts[pts.length - 1].t;
  if (!isNaN(onset) && onset < x0) x0 = onset;
  const win = (typeof inc.window_s === 'number' && inc.window_s > 0 ? inc.window_s : 1) * 1000;
  if (x1 - x0 < win) { x0 -= win / 2; x1 += win / 2; }
  const pad = (x1 - x0) * 0.04;
  x0 -= pad; x1 += pad;
  let ymax = 0;
  pts.forEach((p) => { ymax = Math.max(ymax, p.y, p.exp || 0, p.thr || 0); });
  if (typeof inc.peak === 'number') ymax = Math.max(ymax, inc.peak);
  const step = niceStep(ymax > 0 ? ymax : 1);
  ymax = Math.ceil((ymax > 0 ? ymax * 1.08 : 1) / step) * step;

  const W = Math.max(480, Math.round(box.clientWidth || 900)), H = 280, L = 56, R = 24, T = 18, B = 30;
  const X = (t) => L + (t - x0) / (x1 - x0) * (W - L - R);
  const Y = (v) => T + (1 - v / ymax) * (H - T - B);
  const s = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, role: 'img',
    'aria-label': 'observed ' + (inc.metric || '') + ' over time against its learned band' });
  // grid and y ticks
  for (let v = 0; v <= ymax + step / 1000; v += step) {
    s.appendChild(svg('line', { class: 'grid', x1: L, x2: W - R, y1: Y(v), y2: Y(v) }));
    s.appendChild(svg('text', { class: 'tick', x: L - 6, y: Y(v) + 4, 'text-anchor': 'end' }, fmtNum(Math.round(v * 1000) / 1000)));
  }
  // x ticks (UTC)
  for (let i = 0; i <= 4; i++) {
    const t = x0 + (x1 - x0) * i / 4;
    s.appendChild(svg('text', { class: 'tick', x: X(t), y: H - B + 16, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle' },
      new Date(t).toISOString().substr(11, 8)));
  }
  // the learned band: expected .. threshold at each event, held to the edges
  const withBand = pts.filter((p) => typeof p.exp === 'number');
  if (withBand.length) {
    const lo = [], hi = [];
    const first = withBand[0], last = withBand[withBand.length - 1];
    const top = (p) => (typeof p.thr === 'number' ? p.thr : p.exp);
    lo.push([x0, first.exp]); hi.push([x0, top(first)]);
    withBand.forEach((p) => { lo.push([p.t, p.exp]); hi.push([p.t, top(p)]); });
    lo.push([x1, last.exp]); hi.push([x1, top(last)]);
    const poly = hi.concat(lo.slice().reverse()).map((q) => X(q[0]).toFixed(1) + ',' + Y(q[1]).toFixed(1)).join(' ');
    s.appendChild(svg('polygon', { class: 'band', points: poly }));
    s.appendChild(svg('polyline', { class: 'expected', points: lo.map((q) => X(q[0]).toFixed(1) + ',' + Y(q[1]).toFixed(1)).join(' ') }));
    if (withBand.some((p) => typeof p.thr === 'number')) {
      s.appendChild(svg('polyline', { class: 'threshold', points: hi.map((q) => X(q[0]).toFixed(1) + ',' + Y(q[1]).toFixed(1)).join(' ') }));
      s.appendChild(svg('text', { class: 'label trig', x: W - R - 4, y: Y(top(last)) - 5, 'text-anchor': 'end' }, 'threshold ' + fmtNum(top(last))));
    }
    const ey = Y(last.exp) + 14 > H - B - 2 ? Y(last.exp) - 5 : Y(last.exp) + 14;
    s.appendChild(svg('text', { class: 'label', x: W - R - 4, y: ey, 'text-anchor': 'end' }, 'expected ' + fmtNum(last.exp)));
  }
  // axes
  s.appendChild(svg('line', { class: 'axis', x1: L, x2: L, y1: T, y2: H - B }));
  s.appendChild(svg('line', { class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B }));
  if (!isNaN(onset)) {
    s.appendChild(svg('line', { class: 'onset', x1: X(onset), x2: X(onset), y1: T, y2: H - B }));
    s.appendChild(svg('text', { class: 'label', x: X(onset) + 4, y: T + 10 }, 'onset'));
  }
  // the observed values
  s.appendChild(svg('polyline', { class: 'line', points: pts.map((p) => X(p.t).toFixed(1) + ',' + Y(p.y).toFixed(1)).join(' ') }));
  pts.forEach((p) => {
    const c = svg('circle', { class: 'pt' + (p === trig ? ' trigger' : ''), cx: X(p.t), cy: Y(p.y), r: p === trig ? 6 : 4 });
    c.appendChild(svg('title', {}, new Date(p.t).toISOString() + ': ' + fmtNum(p.y) + ' (' + (p.state || p.type) + ')'));
    s.appendChild(c);
  });
  s.appendChild(svg('text', { class: 'label trig', x: X(trig.t) + 9, y: Y(trig.y) - 8 }, 'trigger ' + fmtNum(trig.y)));
  box.appendChild(s);
}

function fact(dl, k, v) {
  if (v === undefined || v === null || v === '') return;
  dl.appendChild(el('dt', {}, k));
  dl.appendChild(el('dd', {}, v));
}

function kv(k, v, cls) {
  return el('p', { class: 'kv' }, el('span', { class: 'k' }, k), el('span', { class: cls || '' }, v));
}

function renderFlows(box, inc) {
  clear(box);
  const f = inc.flows || {};
  (f.conversations || []).forEach((c) => {
    box.appendChild(el('p', { class: 'kv mono' }, tupleText(c)));
    if (c.community_id) {
      box.appendChild(kv('community_id', el('a', { href: '/?community_id=' + encodeURIComponent(c.community_id), class: 'mono pivot-link' }, c.community_id)));
    }
    if (typeof c.flow_id === 'number') box.appendChild(kv('flow_id', String(c.flow_id), 'mono'));
    if (c.related && c.related.length) {
      const ul = el('ul', { class: 'plain' });
      c.related.forEach((id) => ul.appendChild(el('li', {}, el('a', { href: incidentHref(id) }, id))));
      box.appendChild(el('p', { class: 'kv' }, el('span', { class: 'k' }, 'other incidents on this conversation')));
      box.appendChild(ul);
    }
  });
  if (f.count) box.appendChild(kv('conversations involved', fmtNum(f.count)));
  if (f.flow_ids && f.flow_ids.length) {
    box.appendChild(kv('flow ids', f.flow_ids.map(String).join(', '), 'mono'));
  }
  box.appendChild(el('p', { class: 'note' }, 'A flow_id or community_id matches the sensor\'s flow records ' +
    '(--flows-json) and other tools\' (Suricata, Zeek) for the same conversation.'));
}

function renderEvidence(box, inc) {
  clear(box);
  const ev = inc.evidence;
  if (!ev) {
    box.appendChild(el('p', { class: 'note' }, 'This incident names no evidence file (evidence capture is off on its sensor).'));
    return;
  }
  box.appendChild(kv('file', ev.file || '', 'mono'));
  box.appendChild(kv('status', ev.status || ''));
  if (typeof ev.bytes === 'number') box.appendChild(kv('size', fmtBytes(ev.bytes) + (typeof ev.packets === 'number' ? ', ' + fmtNum(ev.packets) + ' packets' : '')));
  if (ev.sha256) {
    box.appendChild(kv('SHA-256', ev.sha256, 'mono sha256'));
    const name = (inc.sensor || 'sensor').replace(/[^A-Za-z0-9._-]/g, '_') + '-' + inc.incident_id + '.pcapng';
    box.appendChild(el('a', { class: 'download', id: 'download', href: '/api/incidents/' + encodeURIComponent(inc.id) + '/evidence', download: name },
      'Download pcapng'));
    box.appendChild(el('p', { class: 'note' }, 'Fetched from the sensor over its authenticated link; the collector checks ' +
      'the bytes against this SHA-256 before sending them.'));
  } else {
    box.appendChild(el('p', { class: 'note' }, 'Still being captured: the digest comes with a later update of the incident.'));
  }
}

function renderEvents(tbody, inc) {
  clear(tbody);
  (inc.events || []).forEach((e) => {
    const v = e.vigil || {};
    const sev = (e.alert && e.alert.severity) || v.severity;
    tbody.appendChild(el('tr', {},
      el('td', { class: 'time' }, (e.timestamp || '').replace('T', ' ').replace(/\+0000$/, '')),
      el('td', {}, e.event_type || ''),
      el('td', {}, v.state || ''),
      el('td', {}, sev ? String(sev) : ''),
      el('td', { class: 'num' }, fmtNum(v.observed)),
      el('td', { class: 'num' }, fmtNum(v.expected)),
      el('td', { class: 'num' }, fmtNum(v.threshold)),
      el('td', {}, v.detail || '')));
  });
}

function story(inc) {
  let t = (inc.sensor || 'A sensor') + ' saw ' + (inc.detector || 'an anomaly') + ': ';
  if (typeof inc.observed === 'number') {
    t += (inc.metric || 'the metric') + ' reached ' + fmtNum(inc.observed) + ' where ' + fmtNum(inc.expected) +
      ' was expected';
    const why = [];
    if (typeof inc.threshold === 'number') why.push('the trigger is ' + fmtNum(inc.threshold));
    if (typeof inc.zscore === 'number' && inc.zscore) why.push('z-score ' + fmtNum(inc.zscore));
    if (typeof inc.window_s === 'number') why.push('over ' + fmtNum(inc.window_s) + ' s');
    if (why.length) t += ' (' + why.join(', ') + ')';
    t += '.';
    if (typeof inc.peak === 'number' && inc.peak !== inc.observed) t += ' It peaked at ' + fmtNum(inc.peak) + '.';
  }
  if (inc.detail) t += ' ' + inc.detail.charAt(0).toUpperCase() + inc.detail.slice(1) + '.';
  return t;
}

async function pageIncident() {
  const id = new URLSearchParams(location.search).get('id');
  if (!id) { showError('no incident id: /incident?id=SENSOR:N'); status(''); return; }
  async function refresh() {
    try {
      const inc = await api('/api/incidents/' + encodeURIComponent(id));
      document.title = 'vigil: ' + (inc.signature || inc.id);
      clear($('sev'));
      $('sev').appendChild(sevBadge(inc.severity));
      $('title').textContent = inc.signature || ((inc.detector || 'incident') + ' ' + inc.incident_id);
      $('subtitle').textContent = inc.id + ' · ' + tupleText(inc) + ' · ' + (inc.state === 'end' ? 'ended' : 'ongoing');
      $('story').textContent = story(inc);
      const dl = $('facts');
      clear(dl);
      fact(dl, 'Sensor', inc.sensor);
      fact(dl, 'Detector', inc.detector + (inc.metric ? ' (' + inc.metric + ')' : ''));
      fact(dl, 'Category', inc.category);
      if (inc.mitre && Array.isArray(inc.mitre.mitre_technique_id)) {
        fact(dl, 'MITRE ATT&CK', inc.mitre.mitre_technique_id.map((x, i) => x + ' ' +
          ((inc.mitre.mitre_technique_name || [])[i] || '')).join('; ') +
          (Array.isArray(inc.mitre.mitre_tactic_name) ? ' (' + inc.mitre.mitre_tactic_name.join(', ') + ')' : ''));
      } else if (inc.technique) {
        fact(dl, 'MITRE ATT&CK', inc.technique);
      }
      fact(dl, 'Action', inc.action);
      fact(dl, 'First seen (UTC)', fmtTime(inc.first_us));
      fact(dl, 'Last seen (UTC)', fmtTime(inc.last_us));
      if (inc.onset) fact(dl, 'Onset', inc.onset);
      fact(dl, 'Hosts', hostLinks(inc.hosts, 64));
      fact(dl, 'Events', String(inc.event_count) + (inc.events_truncated ? ' (only the first shown)' : ''));
      $('incident').hidden = false;
      drawChart($('chart'), inc);
      renderFlows($('flows'), inc);
      renderEvidence($('evidence'), inc);
      renderEvents(document.querySelector('#events tbody'), inc);
      $('incident').hidden = false;
      showError(null);
      status('updated ' + nowText() + ' · refreshes every 10 s');
    } catch (e) {
      showError(e);
      status('not updated: ' + e.message);
    }
  }
  await refresh();
  setInterval(refresh, 10000);
}

// ---- host ----

async function pageHost() {
  const addr = new URLSearchParams(location.search).get('addr');
  if (!addr) { showError('no address: /host?addr=192.0.2.7'); status(''); return; }
  try {
    const h = await api('/api/hosts/' + encodeURIComponent(addr));
    document.title = 'vigil: ' + h.addr;
    $('addr').textContent = h.addr;
    fillIncidents(document.querySelector('#incidents tbody'), h.incidents);
    $('empty').hidden = h.incidents.length > 0;
    const tb = document.querySelector('#baselines tbody');
    clear(tb);
    h.baselines.forEach((b) => tb.appendChild(el('tr', {},
      el('td', {}, b.sensor || ''), el('td', {}, b.detector || ''), el('td', {}, b.metric || ''), el('td', {}, b.role || ''),
      el('td', { class: 'num' }, fmtNum(b.expected)), el('td', { class: 'num' }, fmtNum(b.threshold)),
      el('td', { class: 'num' }, fmtNum(b.observed)), el('td', { class: 'time' }, (b.at || '').replace('T', ' ').replace(/\.\d+\+0000$/, '')),
      el('td', {}, el('a', { href: incidentHref(b.incident) }, b.incident)))));
    $('host').hidden = false;
    showError(null);
    status('updated ' + nowText());
  } catch (e) {
    showError(e);
    status('not updated: ' + e.message);
  }
}

// ---- sensors ----

async function pageSensors() {
  const tbody = document.querySelector('#sensors tbody');
  async function refresh() {
    try {
      const res = await api('/api/sensors');
      clear(tbody);
      res.sensors.forEach((x) => {
        const st = x.stats || {};
        // capture{} and vigil_capture{} of a live sensor (docs/appliance.md "Capture loss"):
        // kernel_packets counts the frames meant for the detectors, the lost ones included
        let loss = 'not reported';
        let lossCls = 'muted';
        let lossMore = [];
        if (typeof st.capture_packets === 'number') {
          const lost = typeof st.capture_lost === 'number' ? st.capture_lost : (st.capture_drops || 0);
          const missed = st.capture_ifdrops || 0;
          loss = fmtNum(lost) + ' lost of ' + fmtNum(st.capture_packets) +
            (st.capture_packets ? ' (' + (100 * lost / st.capture_packets).toFixed(2) + ' %)' : '');
          if (missed) lossMore.push('card missed ' + fmtNum(missed));
          if (typeof st.capture_loss_1m === 'number') lossMore.push('last minute ' + (100 * st.capture_loss_1m).toFixed(2) + ' %');
          lossCls = lost || missed ? 'bad' : 'ok';
        }
        let spool = '';
        if (typeof st.spool_bytes === 'number') {
          spool = fmtBytes(st.spool_bytes) + ', ' + fmtNum(st.queued || 0) + ' queued';
          const lost = (st.dropped_full || 0) + (st.dropped_spool || 0);
          if (lost) spool += ', ' + fmtNum(lost) + ' dropped';
        }
        tbody.appendChild(el('tr', {},
          el('td', {}, el('a', { href: '/?sensor=' + encodeURIComponent(x.sensor) }, x.sensor)),
          el('td', { class: 'mono' }, st.version || '?'),
          el('td', { class: 'time' }, (x.last_event || '').replace('T', ' ').replace(/\.\d+\+0000$/, '') + (x.last_event_type ? ' (' + x.last_event_type + ')' : '')),
          el('td', { class: 'time' }, fmtAge(x.last_received_age_s)),
          el('td', { class: 'num' }, typeof st.uptime_s === 'number' ? fmtNum(st.uptime_s) + ' s' : ''),
          el('td', { class: 'num' }, fmtNum(st.packets)),
          el('td', { class: 'num ' + lossCls }, loss, lossMore.length ? el('span', { class: 'sub' }, lossMore.join(', ')) : null),
          el('td', { class: 'num' }, spool),
          el('td', { class: 'word' }, st.connected === undefined ? '' : st.connected ? 'connected' : 'spooling'),
          el('td', { class: 'num' }, fmtNum(x.incidents))));
      });
      $('empty').hidden = res.sensors.length > 0;
      showError(null);
      status('updated ' + nowText() + ' · refreshes every 10 s');
    } catch (e) {
      showError(e);
      status('not updated: ' + e.message);
    }
  }
  await refresh();
  setInterval(refresh, 10000);
}

const PAGES = { incidents: pageIncidents, incident: pageIncident, host: pageHost, sensors: pageSensors };

document.addEventListener('DOMContentLoaded', () => {
  const page = PAGES[document.body.dataset.page];
  if (page) page();
});
