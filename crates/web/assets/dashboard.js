// allot dashboard, served by `allot serve` at /: views 1-8 of a chosen plan, drawn by report.js
// (window.allotViews) from GET /plans/{id}/report-data; 9. Scenario editor; 10. History;
// 11. Simulation is simulate.js (dash.simulation), loaded after this script.
// Every text that comes from the server reaches the page through textContent (util.el) or the
// report's escape helper, never as markup. With a token-protected server, the token is read once
// from the address (#token=...) or typed when the server answers 401, kept in sessionStorage
// for this tab, and sent as "Authorization: Bearer ..." on every request.
// window.allotDashboard exposes the state, for tests.
(function () {
  'use strict';

  var V = window.allotViews, U = V.util, el = U.el;
  var PLAN_VIEWS = V.views.map(function (v) { return v.id; });
  var OWN = [{ id: 'editor', title: 'Scenario editor' }, { id: 'history', title: 'History' }, { id: 'simulate', title: 'Simulation' }];
  var SCENARIO_FILE = 'scenario.toml';
  var POLL_MS = 250;
  var LINE_PX = 19; // the editor's line height (dashboard.css)

  function $(id) { return document.getElementById(id); }
  var dash = { planId: null, drawn: false, view: null, tables: {}, jobs: [] };
  window.allotDashboard = dash;
  dash.api = function (method, path, body) { return api(method, path, body); };
  dash.csv = function (id) { return dash.tables[id] ? U.toCsv(dash.tables[id]) : null; };

  // ---- the token and requests ----
  var TOKEN = null;
  function readToken() {
    var m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
    if (m) {
      TOKEN = decodeURIComponent(m[1]);
      try { sessionStorage.setItem('allot-token', TOKEN); } catch (e) { /* storage off: keep it in memory */ }
      var rest = location.hash.replace(/(^#|&)token=[^&]*/, '$1').replace(/^#&/, '#');
      history.replaceState(null, '', location.pathname + location.search + (rest === '#' ? '' : rest));
    } else {
      try { TOKEN = sessionStorage.getItem('allot-token'); } catch (e) { TOKEN = null; }
    }
  }
  function askToken() {
    $('token-bar').hidden = false;
    $('token-input').focus();
  }

  // A request to this server: resolves to { status, body } (body parsed when JSON); rejects with
  // an Error whose .problem is the RFC 9457 document, when the server sent one.
  function api(method, path, body) {
    var headers = {};
    if (TOKEN) headers.Authorization = 'Bearer ' + TOKEN;
    var init = { method: method, headers: headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (r) {
      return r.text().then(function (text) {
        var value = null;
        if (text) {
          try { value = JSON.parse(text); } catch (e) { value = text; }
        }
        if (r.status === 401) askToken();
        if (!r.ok) {
          var err = new Error(problemText(value, r.status));
          err.problem = value && typeof value === 'object' ? value : null;
          err.status = r.status;
          throw err;
        }
        return { status: r.status, body: value };
      });
    });
  }
  function problemText(p, status) {
    if (p && typeof p === 'object') {
      var field = p.field ? ' (' + p.field + ')' : '';
      return (p.title || ('HTTP ' + status)) + field + ': ' + (p.detail || '');
    }
    return 'HTTP ' + status + (p ? ': ' + String(p).slice(0, 200) : '');
  }
  function say(text, isError) {
    var s = $('status');
    s.textContent = text || '';
    s.className = isError ? 'status error' : 'status';
  }
  function failed(e) { say(String(e && e.message ? e.message : e), true); }

  // ---- navigation ----
  function buildNav() {
    var nav = $('nav');
    V.views.concat(OWN).forEach(function (v, i) {
      var a = el('a', { href: '#' + v.id, id: 'nav-' + v.id }, [el('span', { class: 'n', text: String(i + 1) })]);
      a.appendChild(document.createTextNode(v.title));
      nav.appendChild(a);
    });
  }
  function isOwn(id) { return OWN.some(function (o) { return o.id === id; }); }
  function go(id) {
    if (PLAN_VIEWS.indexOf(id) < 0 && !isOwn(id)) id = dash.drawn ? PLAN_VIEWS[0] : 'editor';
    ['noplan'].concat(OWN.map(function (o) { return o.id; })).forEach(function (s) { $('view-' + s).className = 'view'; });
    OWN.forEach(function (o) { $('nav-' + o.id).className = ''; });
    V.hide();
    if (PLAN_VIEWS.indexOf(id) >= 0) {
      if (dash.drawn) {
        V.show(id);
        if (id === 'why') questions();
        if (id === 'risk') riskRun();
      } else {
        $('view-noplan').className = 'view shown';
        $('nav-' + id).className = 'active';
      }
    } else {
      $('view-' + id).className = 'view shown';
      $('nav-' + id).className = 'active';
      if (id === 'history') hist.refresh();
      if (id === 'simulate' && dash.simulation) dash.simulation.open();
    }
    dash.view = id;
    return id;
  }
  dash.go = go;

  // ---- plans: the chooser and views 1-8 ----
  function hasPlan(j) { return j.kind === 'plan' && !!j.result; }
  function planLabel(j) {
    var cost = j.objective_usd !== null && j.objective_usd !== undefined ? ' · ' + U.money(j.objective_usd) : '';
    return 'plan ' + j.id + ' · ' + j.scenario_name + ' v' + j.version + ' · ' + (j.status || j.state) + cost;
  }
  function loadJobs() {
    return api('GET', '/plans?limit=500').then(function (r) {
      dash.jobs = r.body || [];
      var select = $('plan-choice');
      select.textContent = '';
      var plans = dash.jobs.filter(hasPlan);
      if (!plans.length) select.appendChild(el('option', { value: '', text: 'no plan yet' }));
      plans.forEach(function (j) { select.appendChild(el('option', { value: String(j.id), text: planLabel(j) })); });
      if (dash.planId) select.value = String(dash.planId);
      return plans;
    });
  }
  // Draws plan `id`'s views; with `riskId`, view 7 shows that finished risk job of the plan.
  function showPlan(id, riskId) {
    say('Loading plan ' + id + '…');
    return api('GET', '/plans/' + id + '/report-data' + (riskId ? '?risk=' + riskId : '')).then(function (r) {
      var data = r.body;
      V.draw(data, { keys: $('key-numbers'), nav: null, main: $('views') });
      dash.drawn = true;
      dash.planId = id;
      dash.riskId = riskId || null;
      $('scenario-name').textContent = data.scenario.name + ' · plan ' + id;
      $('plan-choice').value = String(id);
      say('');
      return data;
    });
  }
  dash.showPlan = showPlan;

  // ---- 9. scenario editor ----
  var ed = {
    scenarioId: null, version: null, name: '', files: {}, current: SCENARIO_FILE,
    saved: null, diagnostics: [], job: null, lines: 0
  };
  dash.editor = ed;
  function catalogFiles() {
    var out = {};
    Object.keys(ed.files).forEach(function (k) { if (k !== SCENARIO_FILE) out[k] = ed.files[k]; });
    return out;
  }
  function snapshot() { return JSON.stringify(ed.files); }
  function changed() { return ed.saved !== snapshot(); }
  function edState(text, kind) {
    var s = $('ed-state');
    s.textContent = text || '';
    s.className = 'job-state' + (kind ? ' ' + kind : '');
  }
  function setTitle() {
    $('ed-title').textContent = ed.scenarioId
      ? ed.name + ' · version ' + ed.version + (changed() ? ' (edited, not saved)' : '')
      : (ed.name ? ed.name + ' (not saved yet)' : 'Unsaved scenario');
  }
  function fillFiles() {
    var select = $('ed-file');
    select.textContent = '';
    Object.keys(ed.files).sort(function (a, b) { return a === SCENARIO_FILE ? -1 : b === SCENARIO_FILE ? 1 : a < b ? -1 : 1; })
      .forEach(function (k) { select.appendChild(el('option', { value: k, text: k })); });
    select.value = ed.current;
  }
  function openFile(name) {
    if (!(name in ed.files)) return;
    ed.current = name;
    $('ed-file').value = name;
    $('ed-text').value = ed.files[name];
    gutter(true);
  }
  function setContent(files, meta) {
    ed.files = files;
    ed.scenarioId = meta.scenarioId;
    ed.version = meta.version;
    ed.name = meta.name;
    ed.saved = meta.saved ? snapshot() : null;
    ed.diagnostics = [];
    fillFiles();
    openFile(SCENARIO_FILE);
    showDiagnostics(null);
    setTitle();
  }

  // Line numbers, each marked with the worst diagnostic on its line in the open file.
  function gutter(force) {
    var text = $('ed-text').value;
    var n = text.split('\n').length;
    var box = $('ed-gutter');
    if (force || n !== ed.lines || !box.firstChild) {
      ed.lines = n;
      var inner = el('div', { class: 'gutter-inner' });
      for (var i = 1; i <= n; i++) inner.appendChild(el('div', { class: 'ln', 'data-line': String(i), text: String(i) }));
      box.textContent = '';
      box.appendChild(inner);
    }
    box.querySelectorAll('.ln.error, .ln.warning').forEach(function (d) { d.className = 'ln'; d.removeAttribute('title'); });
    ed.diagnostics.forEach(function (d, k) {
      if (d.file !== ed.current || !d.line) return;
      var ln = box.querySelector('.ln[data-line="' + d.line + '"]');
      if (!ln) return;
      if (ln.className !== 'ln error') ln.className = 'ln ' + (d.severity === 'error' ? 'error' : 'warning');
      ln.setAttribute('title', (ln.getAttribute('title') ? ln.getAttribute('title') + '\n' : '') + d.message);
      ln.setAttribute('data-diagnostic', String(k));
    });
    box.scrollTop = $('ed-text').scrollTop;
  }

  // The character offset of line `line`, column `column` (both from 1; columns count
  // characters, as the server's diagnostics do).
  function offsetOf(text, line, column) {
    var lines = text.split('\n');
    var at = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) at += lines[i].length + 1;
    var here = lines[Math.min(line, lines.length) - 1] || '';
    var chars = Array.from(here).slice(0, Math.max(0, (column || 1) - 1)).join('');
    return { start: at + chars.length, end: at + here.length };
  }
  function jump(k) {
    var d = ed.diagnostics[k];
    if (!d) return;
    if (d.file !== ed.current && d.file in ed.files) openFile(d.file);
    var ta = $('ed-text');
    if (d.line) {
      var o = offsetOf(ta.value, d.line, d.column);
      ta.focus({ preventScroll: true });
      ta.setSelectionRange(o.start, Math.max(o.start + 1, o.end));
      ta.scrollTop = Math.max(0, (d.line - 1) * LINE_PX - ta.clientHeight / 3);
      $('ed-gutter').scrollTop = ta.scrollTop;
    }
    document.querySelectorAll('#ed-diagnostics .diag').forEach(function (b) {
      b.setAttribute('aria-current', b.getAttribute('data-k') === String(k) ? 'true' : 'false');
    });
    dash.jumped = { file: d.file, line: d.line, column: d.column };
  }
  dash.jump = jump;

  function showDiagnostics(list, valid) {
    ed.diagnostics = list || [];
    var box = $('ed-diagnostics');
    box.textContent = '';
    if (list && !list.length) box.appendChild(el('div', { class: 'diag-ok', text: 'No problems found.' }));
    ed.diagnostics.forEach(function (d, k) {
      var where = d.file + (d.line ? ':' + d.line + ':' + d.column : '');
      var b = el('button', { type: 'button', class: 'diag ' + (d.severity === 'error' ? 'error' : 'warning'), 'data-k': String(k) }, [
        el('span', { class: 'where', text: where }),
        el('b', { text: d.severity + ': ' }),
        document.createTextNode(d.message)
      ]);
      (d.hints || []).forEach(function (h) { b.appendChild(el('span', { class: 'hint', text: 'hint: ' + h })); });
      b.addEventListener('click', function () { jump(k); });
      box.appendChild(b);
    });
    if (valid === false) edState('The scenario has errors; click one to go to its line.', 'bad');
    gutter(false);
  }

  function check() {
    edState('Checking…');
    return api('POST', '/validate', { toml: ed.files[SCENARIO_FILE] || '', files: catalogFiles() }).then(function (r) {
      showDiagnostics(r.body.diagnostics, r.body.valid);
      if (r.body.valid) edState(r.body.diagnostics.length ? 'Valid, with warnings.' : 'Valid.', 'good');
      dash.checked = r.body;
      return r.body;
    });
  }

  function refreshScenarios(selectId) {
    return api('GET', '/scenarios').then(function (r) {
      var select = $('ed-scenario');
      select.textContent = '';
      if (!r.body.length) select.appendChild(el('option', { value: '', text: 'none stored yet' }));
      r.body.forEach(function (s) {
        select.appendChild(el('option', { value: String(s.id), text: s.name + ' (' + s.latest_version + ' version' + (s.latest_version === 1 ? '' : 's') + ')' }));
      });
      if (selectId) select.value = String(selectId);
      return refreshVersions();
    });
  }
  function refreshVersions() {
    var id = $('ed-scenario').value;
    var select = $('ed-version');
    select.textContent = '';
    if (!id) return Promise.resolve();
    return api('GET', '/scenarios/' + id).then(function (r) {
      r.body.versions.slice().reverse().forEach(function (v) {
        select.appendChild(el('option', { value: String(v.version), text: 'v' + v.version + ' · ' + v.created_at.replace('T', ' ').slice(0, 16) + (v.note ? ' · ' + v.note : '') }));
      });
    });
  }
  function openVersion(id, version) {
    return api('GET', '/scenarios/' + id + '/versions/' + version).then(function (r) {
      var v = r.body;
      var files = {};
      files[SCENARIO_FILE] = v.toml;
      Object.keys(v.files).forEach(function (k) { files[k] = v.files[k]; });
      var name = ($('ed-scenario').selectedOptions[0] || {}).textContent || '';
      setContent(files, { scenarioId: v.scenario_id, version: v.version, name: name.replace(/ \(\d+ versions?\)$/, ''), saved: true });
      edState('Opened version ' + v.version + '.');
      showDiagnostics(v.diagnostics.length ? v.diagnostics : null);
    });
  }

  // Saves the editor's files as a new version (or a new scenario), after checking them.
  function save() {
    return check().then(function (c) {
      if (!c.valid) throw new Error('the scenario has errors: fix them before saving');
      var body = { toml: ed.files[SCENARIO_FILE], files: catalogFiles(), note: 'saved from the dashboard' };
      if (ed.scenarioId) return api('POST', '/scenarios/' + ed.scenarioId + '/versions', body);
      body.name = ed.name || 'scenario';
      return api('POST', '/scenarios', body);
    }).then(function (r) {
      ed.scenarioId = r.body.scenario_id;
      ed.version = r.body.version;
      ed.saved = snapshot();
      setTitle();
      edState('Saved as version ' + ed.version + '.', 'good');
      return refreshScenarios(ed.scenarioId).then(function () { $('ed-version').value = String(ed.version); return r.body; });
    }, function (e) {
      if (e.problem && e.problem.errors) showDiagnostics(e.problem.errors, false);
      throw e;
    });
  }

  function planIt() {
    var ready = changed() || !ed.scenarioId ? save() : Promise.resolve();
    return ready.then(function () {
      var limit = +$('ed-time').value || 60;
      return api('POST', '/plans', { scenario_id: ed.scenarioId, version: ed.version, settings: { explain: true, time_limit_s: limit } });
    }).then(function (r) {
      ed.job = r.body.id;
      $('ed-cancel').hidden = false;
      $('ed-plan').disabled = true;
      return poll(r.body.id);
    });
  }
  // Polls job `id` until it ends, telling `onTick` of each state; resolves with the job.
  function pollJob(id, onTick) {
    return new Promise(function (resolve, reject) {
      function tick() {
        api('GET', '/plans/' + id).then(function (r) {
          onTick(r.body);
          if (r.body.state === 'queued' || r.body.state === 'running') setTimeout(tick, POLL_MS);
          else resolve(r.body);
        }, reject);
      }
      tick();
    });
  }
  function poll(id) {
    var done = function () { $('ed-cancel').hidden = true; $('ed-plan').disabled = false; };
    return pollJob(id, function (j) {
      var doing = j.progress ? ': ' + j.progress.message : '';
      edState('Plan ' + id + ' (' + j.scenario_name + ' v' + j.version + ') ' + j.state + doing + (j.stopping ? ' (stopping)' : ''));
      dash.lastJob = j;
    }).then(function (j) {
      done();
      if (!j.result) {
        edState('Plan ' + id + ' ' + j.state + (j.error ? ': ' + j.error : ' without a plan.'), 'bad');
        return j;
      }
      edState('Plan ' + id + ' ' + j.state + ': ' + (j.status || '') + (j.objective_usd !== null ? ', discounted cost ' + U.money(j.objective_usd) : '') + '.', 'good');
      return loadJobs().then(function () { return showPlan(id); }).then(function () {
        location.hash = '#' + PLAN_VIEWS[0];
        go(PLAN_VIEWS[0]);
        return j;
      });
    }, function (e) { done(); throw e; });
  }

  // The paths a scenario's [catalog] files names, read from its text (the server checks it).
  function namedFiles(toml) {
    var section = /^\s*\[catalog\]\s*$([\s\S]*?)(?=^\s*\[|$(?![\s\S]))/m.exec(toml);
    if (!section) return [];
    var list = /^\s*files\s*=\s*\[([\s\S]*?)\]/m.exec(section[1]);
    if (!list) return [];
    var out = [], re = /"((?:[^"\\]|\\.)*)"|'([^']*)'/g, m;
    while ((m = re.exec(list[1]))) out.push(m[1] !== undefined ? m[1] : m[2]);
    return out;
  }
  function baseName(path) { return path.split('/').pop(); }
  function upload() {
    var main = $('ed-upload-scenario').files[0];
    if (!main) { edState('Choose the scenario file first.', 'bad'); return Promise.resolve(); }
    var catalogs = Array.prototype.slice.call($('ed-upload-catalog').files);
    return Promise.all([main.text()].concat(catalogs.map(function (f) { return f.text(); }))).then(function (texts) {
      var toml = texts[0];
      var named = namedFiles(toml);
      var files = {};
      files[SCENARIO_FILE] = toml;
      catalogs.forEach(function (f, i) {
        var path = named.filter(function (p) { return baseName(p) === f.name; })[0] || f.name;
        files[path] = texts[i + 1];
      });
      var name = $('ed-upload-name').value.trim() || main.name.replace(/\.toml$/i, '');
      setContent(files, { scenarioId: null, version: null, name: name, saved: false });
      $('ed-upload-box').open = false;
      var missing = named.filter(function (p) { return !(p in files); });
      edState(missing.length ? 'Loaded; the scenario also names ' + missing.join(', ') + ', not uploaded.' : 'Loaded ' + main.name + (catalogs.length ? ' with ' + catalogs.length + ' catalog file' + (catalogs.length === 1 ? '' : 's') : '') + '; not saved yet.');
      return check();
    });
  }

  function initEditor() {
    var ta = $('ed-text');
    ta.addEventListener('input', function () { ed.files[ed.current] = ta.value; gutter(false); setTitle(); });
    ta.addEventListener('scroll', function () { $('ed-gutter').scrollTop = ta.scrollTop; });
    ta.addEventListener('keydown', function (e) {
      if (e.key === 'Tab' && !e.shiftKey && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        var s = ta.selectionStart;
        ta.setRangeText('  ', s, ta.selectionEnd, 'end');
        ta.dispatchEvent(new Event('input'));
      }
    });
    $('ed-gutter').addEventListener('click', function (e) {
      var k = e.target.getAttribute && e.target.getAttribute('data-diagnostic');
      if (k !== null && k !== undefined) jump(+k);
    });
    $('ed-file').addEventListener('change', function () { openFile($('ed-file').value); });
    $('ed-scenario').addEventListener('change', function () { refreshVersions().catch(failed); });
    $('ed-open').addEventListener('click', function () {
      var id = $('ed-scenario').value, v = $('ed-version').value;
      if (id && v) openVersion(id, v).catch(failed);
    });
    $('ed-check').addEventListener('click', function () { check().catch(failed); });
    $('ed-save').addEventListener('click', function () { save().catch(function (e) { edState(e.message, 'bad'); }); });
    $('ed-plan').addEventListener('click', function () {
      planIt().catch(function (e) { edState(e.message, 'bad'); $('ed-plan').disabled = false; });
    });
    $('ed-cancel').addEventListener('click', function () {
      if (ed.job) api('POST', '/plans/' + ed.job + '/cancel').catch(failed);
    });
    $('ed-upload').addEventListener('click', function () { upload().catch(failed); });
    var files = {};
    files[SCENARIO_FILE] = '';
    setContent(files, { scenarioId: null, version: null, name: '', saved: false });
  }

  // ---- 8. why: why-not and what-if about the plan shown ----
  // Forms under the binding constraints: each question is a job on the server (POST
  // /plans/{id}/why-not or /what-if), polled, whose result is the comparison of `allot explain
  // --json`, shown side by side with the plan.
  var qaCharts = [];
  function questions() {
    var section = $('view-why');
    if (!section || section.querySelector('.qa')) return;
    var run = (window.allotReport.data.plan.training || [])[0];
    var exampleChoice = (run ? run.name : 'RUN') + ' on PROVIDER/CHIP';
    var choice = el('input', { type: 'text', id: 'qa-why-not', placeholder: exampleChoice, 'aria-label': 'Why not: a choice to force' });
    var changes = el('textarea', { id: 'qa-what-if', rows: '3', spellcheck: 'false', placeholder: 'policy.vendor_cap[nvidia].max_share=0.5\n(one KEY=VALUE a line)', 'aria-label': 'What if: changes, one KEY=VALUE a line' });
    var askWhy = el('button', { type: 'submit', class: 'primary', text: 'Why not?' });
    var askWhat = el('button', { type: 'submit', class: 'primary', text: 'What if?' });
    var state = el('div', { class: 'job-state', id: 'qa-state', role: 'status' });
    var answer = el('div', { id: 'qa-answer' });
    var whyForm = el('form', null, [el('label', { text: 'Why not ', for: 'qa-why-not' }), choice, askWhy]);
    var whatForm = el('form', null, [el('label', { text: 'What if ', for: 'qa-what-if' }), changes, askWhat]);
    section.appendChild(el('div', { class: 'panel qa' }, [
      el('div', { class: 'panel-head' }, [el('h3', { text: 'Ask about this plan' })]),
      el('p', { class: 'note', text: 'Why not: force a choice ("RUN on PROVIDER/CHIP", "offering ID >= CHIPS", "vendor NAME <= 40%") and see what it costs. What if: change values of the scenario (KEY=VALUE, as allot explain --what-if) and re-plan from this plan. Each answer is planned on the server and shown beside this plan.' }),
      whyForm, whatForm, state, answer
    ]));
    var planId = dash.planId;
    function ask(path, body, forced) {
      state.textContent = 'Asking…';
      state.className = 'job-state';
      answer.textContent = '';
      api('POST', '/plans/' + planId + '/' + path, body).then(function (r) {
        return pollJob(r.body.id, function (j) {
          state.textContent = 'Job ' + j.id + ' (' + j.kind.replace(/_/g, '-') + ') ' + j.state + (j.progress ? ': ' + j.progress.message : '');
        });
      }).then(function (j) {
        if (!j.result) throw new Error('job ' + j.id + ' ' + j.state + (j.error ? ': ' + j.error : ' without an answer'));
        return api('GET', '/plans/' + j.id + '/result');
      }).then(function (r) {
        state.textContent = '';
        qaCharts.forEach(function (c) { c.dispose(); });
        qaCharts = [];
        answer.textContent = '';
        comparison(answer, r.body, 'plan ' + planId, forced, 'qa', qaCharts);
        dash.answer = r.body;
      }).catch(function (e) {
        state.textContent = e.message;
        state.className = 'job-state bad';
      });
    }
    whyForm.addEventListener('submit', function (e) {
      e.preventDefault();
      if (choice.value.trim()) ask('why-not', { choice: choice.value.trim() }, 'forced');
    });
    whatForm.addEventListener('submit', function (e) {
      e.preventDefault();
      var list = changes.value.split('\n').map(function (l) { return l.trim(); }).filter(function (l) { return l; });
      if (list.length) ask('what-if', { changes: list }, 'changed');
    });
  }

  // ---- 7. risk: run it for the plan shown ----
  // A form above the risk view: a risk job on the server (POST /plans/{id}/risk) polled with its
  // progress; when it is done the plan's report data is reloaded with ?risk=JOB, whose risk
  // section report.js draws (fan charts and tornado). A finished risk job of this plan is
  // offered as it is.
  function riskRun() {
    var section = $('view-risk');
    if (!section || section.querySelector('.risk-run')) return;
    var planId = dash.planId;
    var samples = el('input', { type: 'number', id: 'rk-samples', min: '1', max: '10000', step: '1', value: '24', 'aria-label': 'Samples' });
    var seed = el('input', { type: 'number', id: 'rk-seed', min: '0', step: '1', value: '1', 'aria-label': 'Seed' });
    // How each sample is re-planned, the swing plans of the tornado chart, and the job's time
    // limit: POST /plans/{id}/risk's replan, swing and time_limit_s (docs/server.md).
    var replan = el('select', { id: 'rk-replan', 'aria-label': 'Re-plan each sample' }, [
      el('option', { value: 'fixed', text: 'placements kept (fixed)' }),
      el('option', { value: 'warm', text: 'full plan from the base (warm)' }),
      el('option', { value: 'cold', text: 'full plan from scratch (cold)' })
    ]);
    var swing = el('input', { type: 'checkbox', id: 'rk-swing', 'aria-label': 'Swing each input (tornado chart)' });
    swing.checked = true;
    var limit = el('input', { type: 'number', id: 'rk-time-limit', min: '0.001', step: 'any', value: '60', 'aria-label': 'Time limit, seconds' });
    var run = el('button', { type: 'submit', class: 'primary', id: 'rk-run', text: 'Run risk' });
    var bar = el('progress', { id: 'rk-progress', max: '1', value: '0' });
    bar.hidden = true;
    var state = el('div', { class: 'job-state', id: 'rk-state', role: 'status' });
    var earlier = el('div', { id: 'rk-earlier' });
    var form = el('form', null, [
      el('label', { text: 'Samples ', for: 'rk-samples' }), samples,
      el('label', { text: ' seed ', for: 'rk-seed' }), seed,
      el('label', { text: ' re-plan ', for: 'rk-replan' }), replan,
      el('label', { text: ' swing ', for: 'rk-swing' }), swing,
      el('label', { text: ' time limit (s) ', for: 'rk-time-limit' }), limit, run
    ]);
    var box = el('div', { class: 'panel risk-run' }, [
      el('div', { class: 'panel-head' }, [el('h3', { text: 'Run risk' })]),
      el('p', { class: 'note', text: dash.riskId
        ? 'Shown: risk job ' + dash.riskId + '. Run it again with other samples or seed: each sample re-plans the scenario, so this takes a while.'
        : 'Sample the scenario\'s [[uncertainty]] entries and re-plan each sample on the server (a risk job), then draw the fan and tornado charts. Each sample is a plan: keep samples small for a first look.' }),
      form, bar, state, earlier
    ]);
    var head = section.querySelector('h2');
    section.insertBefore(box, head ? head.nextSibling : section.firstChild);
    function show(riskId) {
      return showPlan(planId, riskId).then(function () { go('risk'); });
    }
    api('GET', '/plans?kind=risk&limit=100').then(function (r) {
      var done = (r.body || []).filter(function (j) {
        return j.base_job_id === planId && j.state === 'done' && j.id !== dash.riskId;
      });
      if (!done.length) return;
      var j = done[0];
      var offer = el('button', { type: 'button', id: 'rk-show', text: 'Show risk job ' + j.id + ' (finished ' + (j.finished_at || '').replace('T', ' ').slice(0, 16) + ')' });
      offer.addEventListener('click', function () { show(j.id).catch(failed); });
      earlier.appendChild(el('p', { class: 'note', text: 'A finished risk run of this plan exists: ' }, [offer]));
    }).catch(function () { /* the offer is optional */ });
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      run.disabled = true;
      state.className = 'job-state';
      state.textContent = 'Starting a risk run…';
      var request = { samples: +samples.value, seed: +seed.value, replan: replan.value, swing: swing.checked, time_limit_s: +limit.value };
      api('POST', '/plans/' + planId + '/risk', request).then(function (r) {
        dash.riskJob = r.body.id;
        return pollJob(r.body.id, function (j) {
          var p = j.progress;
          if (p && p.total) {
            bar.hidden = false; bar.max = p.total; bar.value = p.done || 0;
            bar.title = (p.done || 0) + ' of ' + p.total + ' samples planned';
          }
          state.textContent = 'Risk job ' + j.id + ' ' + j.state + (p ? ': ' + p.message : '');
        });
      }).then(function (j) {
        if (j.state !== 'done') throw new Error('risk job ' + j.id + ' ' + j.state + (j.error ? ': ' + j.error : ' without a result'));
        return show(j.id);
      }).catch(function (e) {
        run.disabled = false;
        state.textContent = e.message;
        state.className = 'job-state bad';
      });
    });
  }

  // ---- 10. history ----
  // A panel holding a table with its CSV, like the report's panels; `table` is
  // { columns: [{ label, fmt, get }], rows }.
  function tablePanel(parent, id, title, table, note) {
    dash.tables[id] = table;
    var csv = el('button', { type: 'button', class: 'csv', text: 'CSV' });
    csv.addEventListener('click', function () { U.download(id + '.csv', U.toCsv(table)); });
    var box = el('div', { class: 'panel', id: 'panel-' + id }, [
      el('div', { class: 'panel-head' }, [el('h3', { text: title }), el('div', { class: 'tools' }, [csv])]),
      note ? el('p', { class: 'note', text: note }) : null,
      U.tableEl(table)
    ]);
    parent.appendChild(box);
    return box;
  }
  var hist = { a: null, b: null, charts: [] };
  dash.history = hist;
  var JOB_COLUMNS = [
    { label: 'id', fmt: 'num', get: function (j) { return j.id; } },
    { label: 'kind', get: function (j) { return j.kind.replace(/_/g, '-'); } },
    { label: 'scenario', get: function (j) { return j.scenario_name; } },
    { label: 'version', fmt: 'num', get: function (j) { return j.version; } },
    { label: 'state', get: function (j) { return j.state; } },
    { label: 'status', get: function (j) { return j.status || ''; } },
    { label: 'discounted cost', fmt: 'money', get: function (j) { return j.objective_usd; } },
    { label: 'created (UTC)', get: function (j) { return j.created_at.replace('T', ' ').replace(/\.\d+/, '').replace('Z', ''); } },
    { label: 'time (s)', fmt: 'num2', get: function (j) { return j.timings && j.timings.total_s !== undefined ? j.timings.total_s : null; } }
  ];
  hist.refresh = function () {
    return loadJobs().then(function () { hist.list(); }).catch(failed);
  };
  hist.list = function () {
    var jobs = dash.jobs;
    dash.tables['history-list'] = { columns: JOB_COLUMNS, rows: jobs };
    var head = el('tr', null, [el('th', { text: 'A' }), el('th', { text: 'B' })].concat(JOB_COLUMNS.map(function (c) {
      return el('th', { class: c.fmt && c.fmt !== 'text' ? 'num' : '', text: c.label });
    })).concat([el('th', { text: '' })]));
    var fmt = { money: U.money, num: U.num, num2: function (x) { return U.num(x, 2); }, text: function (x) { return x == null ? '' : String(x); } };
    var body = el('tbody', null, jobs.map(function (j) {
      var pickable = hasPlan(j);
      var pick = function (side) {
        if (!pickable) return el('td', { text: '' });
        var r = el('input', { type: 'radio', name: 'pick-' + side, value: String(j.id), 'aria-label': side + ': plan ' + j.id });
        if (hist[side] === j.id) r.checked = true;
        r.addEventListener('change', function () { hist[side] = j.id; mark(); });
        return el('td', null, [r]);
      };
      var open = el('td', null, []);
      if (pickable) {
        var b = el('button', { type: 'button', text: 'Show' });
        b.addEventListener('click', function () {
          showPlan(j.id).then(function () { location.hash = '#' + PLAN_VIEWS[0]; go(PLAN_VIEWS[0]); }).catch(failed);
        });
        open.appendChild(b);
      }
      return el('tr', { 'data-id': String(j.id) }, [pick('a'), pick('b')].concat(JOB_COLUMNS.map(function (c) {
        return el('td', { class: c.fmt && c.fmt !== 'text' ? 'num' : '', text: fmt[c.fmt || 'text'](c.get(j)) });
      })).concat([open]));
    }));
    var box = $('hi-list');
    box.textContent = '';
    if (!jobs.length) { box.appendChild(el('div', { class: 'empty', text: 'No plans yet.' })); return; }
    box.appendChild(el('div', { class: 'scroll' }, [el('table', { class: 'pick' }, [el('thead', null, [head]), body])]));
    mark();
  };
  function mark() {
    document.querySelectorAll('#hi-list tr[data-id]').forEach(function (tr) {
      var id = +tr.getAttribute('data-id');
      tr.className = (id === hist.a ? 'chosen-a ' : '') + (id === hist.b ? 'chosen-b' : '');
    });
  }
  hist.compare = function (a, b) {
    if (a !== undefined) { hist.a = a; hist.b = b; mark(); }
    if (!hist.a || !hist.b) { say('Choose plan A and plan B first.', true); return Promise.resolve(); }
    say('Comparing plan ' + hist.a + ' with plan ' + hist.b + '…');
    return api('GET', '/plans/' + hist.a + '/diff/' + hist.b).then(function (r) {
      say('');
      var box = $('hi-diff');
      hist.charts.forEach(function (c) { c.dispose(); });
      hist.charts = [];
      box.textContent = '';
      comparison(box, r.body, 'A: plan ' + hist.a, 'B: plan ' + hist.b, 'diff', hist.charts);
      hist.shown = r.body;
      return r.body;
    });
  };

  // A comparison (the JSON of allot explain, history diff, why-not and what-if) side by side:
  // the answer, what the difference is made of, what else moved, and the two plans' tables.
  function comparison(box, c, baseLabel, otherLabel, id, charts) {
    box.appendChild(el('h3', { text: c.question }));
    box.appendChild(el('p', { class: 'answer', text: c.answer }));
    (c.notes || []).forEach(function (n) { box.appendChild(el('p', { class: 'note', text: '(' + n + ')' })); });
    var chartBox = el('div', { class: 'chart', id: 'chart-' + id + '-years', style: 'height:300px' });
    var chartPanel = el('div', { class: 'panel' }, [el('div', { class: 'panel-head' }, [el('h3', { text: 'Cost by year' })]), chartBox]);
    box.appendChild(chartPanel);
    var keys = function (m1, m2) {
      var k = Object.keys(m1 || {});
      Object.keys(m2 || {}).forEach(function (x) { if (k.indexOf(x) < 0) k.push(x); });
      return k.sort();
    };
    var years = keys(c.base.cost_by_year, c.changed.cost_by_year);
    var chart = echarts.init(chartBox, null, { renderer: 'svg' });
    charts.push(chart);
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif' },
      grid: { left: 70, right: 24, top: 40, bottom: 30 },
      legend: { top: 0, left: 0 },
      tooltip: { trigger: 'axis', confine: true, valueFormatter: U.money },
      xAxis: { type: 'category', data: years },
      yAxis: { type: 'value', axisLabel: { formatter: U.money } },
      series: [
        { name: baseLabel, type: 'bar', itemStyle: { color: '#2f6fb0' }, data: years.map(function (y) { return c.base.cost_by_year[y] || 0; }) },
        { name: otherLabel, type: 'bar', itemStyle: { color: '#e07b39' }, data: years.map(function (y) { return c.changed.cost_by_year[y] || 0; }) }
      ]
    });
    var rows = [];
    var row = function (what, b, o) { rows.push({ what: what, a: b, b: o }); };
    row('discounted cost (objective)', c.base.objective_usd, c.changed.objective_usd);
    row('total cost in the horizon', c.base.total_cost_usd, c.changed.total_cost_usd);
    years.forEach(function (y) { row('in ' + y, c.base.cost_by_year[y] || 0, c.changed.cost_by_year[y] || 0); });
    keys(c.base.cost_by_provider, c.changed.cost_by_provider).forEach(function (p) { row('paid to ' + p, c.base.cost_by_provider[p] || 0, c.changed.cost_by_provider[p] || 0); });
    keys(c.base.cost_by_vendor, c.changed.cost_by_vendor).forEach(function (v) { row('compute on ' + v + ' chips', c.base.cost_by_vendor[v] || 0, c.changed.cost_by_vendor[v] || 0); });
    keys(c.base.shortfall_usd, c.changed.shortfall_usd).forEach(function (k) { row('shortfall paid: ' + k, c.base.shortfall_usd[k] || 0, c.changed.shortfall_usd[k] || 0); });
    var grid = el('div', { class: 'side-by-side' });
    box.appendChild(grid);
    tablePanel(grid, id + '-costs', 'Costs side by side', {
      columns: [
        { label: '', get: function (r) { return r.what; } },
        { label: baseLabel, fmt: 'money', get: function (r) { return r.a; } },
        { label: otherLabel, fmt: 'money', get: function (r) { return r.b; } },
        { label: 'difference', fmt: 'money', get: function (r) { return noise(r.b - r.a, 0.5); } }
      ],
      rows: rows
    });
    var vendors = keys(c.base.vendor_share, c.changed.vendor_share);
    tablePanel(grid, id + '-shares', 'Vendor share of compute spend', {
      columns: [
        { label: 'vendor', get: function (v) { return v; } },
        { label: baseLabel, fmt: 'pct', get: function (v) { return c.base.vendor_share[v] || 0; } },
        { label: otherLabel, fmt: 'pct', get: function (v) { return c.changed.vendor_share[v] || 0; } },
        { label: 'difference (pts)', fmt: 'num2', get: function (v) { return noise(100 * ((c.changed.vendor_share[v] || 0) - (c.base.vendor_share[v] || 0)), 0.005); } }
      ],
      rows: vendors
    });
    if ((c.reasons || []).length) {
      tablePanel(box, id + '-reasons', 'What makes up the difference', {
        columns: [
          { label: 'kind', get: function (r) { return r.kind; } },
          { label: 'amount (USD)', fmt: 'money', get: function (r) { return noise(r.amount_usd, 0.5); } },
          { label: 'what', wrap: true, get: function (r) { return r.message; } }
        ],
        rows: c.reasons
      });
    }
    var moved = el('ul', { class: 'moved' }, (c.moved || []).map(function (m) { return el('li', { text: m }); }));
    box.appendChild(el('div', { class: 'panel' }, [el('div', { class: 'panel-head' }, [el('h3', { text: 'What else moved' })]),
      (c.moved || []).length ? moved : el('p', { class: 'note', text: 'Nothing else.' })]));
    var runs = keys(index(c.base.training), index(c.changed.training));
    var at = function (side, name) { return index(side.training)[name] || null; };
    var place = function (t) { return t && t.provider ? t.provider + ' / ' + t.chip + ' × ' + U.num(t.chips) + ', ' + t.start + ' – ' + t.finish : 'not placed'; };
    if (runs.length) {
      tablePanel(box, id + '-training', 'Training runs', {
        columns: [
          { label: 'run', get: function (n) { return n; } },
          { label: baseLabel, get: function (n) { return place(at(c.base, n)); } },
          { label: otherLabel, get: function (n) { return place(at(c.changed, n)); } },
          { label: 'chip-hours ' + baseLabel, fmt: 'num', get: function (n) { var t = at(c.base, n); return t ? t.chip_hours : null; } },
          { label: 'chip-hours ' + otherLabel, fmt: 'num', get: function (n) { var t = at(c.changed, n); return t ? t.chip_hours : null; } }
        ],
        rows: runs
      });
    }
    var mix = [];
    var mixKey = {};
    [['a', c.base], ['b', c.changed]].forEach(function (side) {
      (side[1].serving || []).forEach(function (d) {
        d.mix.forEach(function (m) {
          var k = d.name + '\u0000' + m.provider + '\u0000' + m.chip;
          if (!mixKey[k]) { mixKey[k] = { demand: d.name, pool: m.provider + ' / ' + m.chip, a: 0, b: 0 }; mix.push(mixKey[k]); }
          mixKey[k][side[0]] += m.token_share;
        });
      });
    });
    if (mix.length) {
      tablePanel(box, id + '-serving', 'Serving mix (share of each demand\'s tokens)', {
        columns: [
          { label: 'demand', get: function (r) { return r.demand; } },
          { label: 'provider / chip', get: function (r) { return r.pool; } },
          { label: baseLabel, fmt: 'pct', get: function (r) { return r.a; } },
          { label: otherLabel, fmt: 'pct', get: function (r) { return r.b; } }
        ],
        rows: mix
      });
    }
  }
  // A difference below what the table shows reads as 0, not as "−$0".
  function noise(x, below) { return Math.abs(x) < below ? 0 : x; }
  function index(list) {
    var out = {};
    (list || []).forEach(function (t) { out[t.name] = t; });
    return out;
  }
  dash.comparison = comparison;

  function initHistory() {
    $('hi-refresh').addEventListener('click', function () { hist.refresh(); });
    $('hi-compare').addEventListener('click', function () { hist.compare().catch(failed); });
    $('hi-csv').addEventListener('click', function () {
      U.download('history.csv', U.toCsv({ columns: JOB_COLUMNS, rows: dash.jobs }));
    });
  }

  // ---- start ----
  function start() {
    readToken();
    buildNav();
    initEditor();
    initHistory();
    $('token-form').addEventListener('submit', function (e) {
      e.preventDefault();
      TOKEN = $('token-input').value.trim() || null;
      try { if (TOKEN) sessionStorage.setItem('allot-token', TOKEN); } catch (err) { /* memory only */ }
      $('token-bar').hidden = true;
      say('');
      load();
    });
    $('plan-choice').addEventListener('change', function () {
      var id = +$('plan-choice').value;
      if (!id) return;
      showPlan(id).then(function () {
        if (PLAN_VIEWS.indexOf(dash.view) < 0) location.hash = '#' + PLAN_VIEWS[0];
        go(PLAN_VIEWS.indexOf(dash.view) >= 0 ? dash.view : PLAN_VIEWS[0]);
      }).catch(failed);
    });
    window.addEventListener('hashchange', function () { go(location.hash.slice(1)); });
    load();
  }
  function load() {
    loadJobs().then(function (plans) {
      refreshScenarios().catch(failed);
      if (!plans.length) return null;
      return showPlan(plans[0].id);
    }).then(function () {
      go(location.hash.slice(1));
      requestAnimationFrame(function () {
        setTimeout(function () { dash.firstViewPaintedMs = performance.now(); }, 0);
      });
    }).catch(failed);
  }

  start();
})();
