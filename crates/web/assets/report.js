// allot report: draws views 1-8 of a plan's report data (allot_web::ReportData) with the vendored
// ECharts. Every chart has its numbers as a table and as CSV built here, in the page. Nothing is
// fetched. In report.html the data is the JSON in the element with id "allot-data", drawn at
// once; the dashboard of `allot serve` calls window.allotViews.draw(data, host) with data it
// fetched. window.allotReport exposes the data drawn, what has rendered and each panel's CSV,
// for tests.
(function () {
  'use strict';

  var DATA = null, PLAN = null, PERIODS = [];
  var PALETTE = ['#2f6fb0', '#e07b39', '#3a9e6e', '#c64b4b', '#7d5ba6', '#8c6d46', '#d46fa9',
    '#5f7387', '#b8a631', '#2ea7b8', '#9c4f96', '#4d8f2f'];
  var state = { rendered: {}, charts: [], tables: {}, host: null, sections: [] };

  // ---- formatting ----
  function money(x) {
    if (x === null || x === undefined || !isFinite(x)) return '—';
    var a = Math.abs(x), s = x < 0 ? '−' : '';
    if (a >= 1e12) return s + '$' + (a / 1e12).toFixed(2) + 'T';
    if (a >= 1e9) return s + '$' + (a / 1e9).toFixed(1) + 'B';
    if (a >= 1e6) return s + '$' + (a / 1e6).toFixed(1) + 'M';
    if (a >= 1e3) return s + '$' + (a / 1e3).toFixed(1) + 'K';
    return s + '$' + a.toFixed(0);
  }
  function moneyExact(x) {
    if (x === null || x === undefined || !isFinite(x)) return '—';
    return (x < 0 ? '−$' : '$') + Math.abs(x).toLocaleString('en-US', { maximumFractionDigits: 2 });
  }
  function num(x, digits) {
    if (x === null || x === undefined || !isFinite(x)) return '—';
    return x.toLocaleString('en-US', { maximumFractionDigits: digits === undefined ? 0 : digits });
  }
  function pct(x) {
    if (x === null || x === undefined || !isFinite(x)) return '—';
    return (x * 100).toFixed(1) + '%';
  }
  var FMT = { money: money, moneyExact: moneyExact, num: num, pct: pct,
    num2: function (x) { return num(x, 2); }, text: function (x) { return x == null ? '' : String(x); } };

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === 'text') e.textContent = attrs[k];
        else if (k === 'class') e.className = attrs[k];
        else e.setAttribute(k, attrs[k]);
      });
    }
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }
  function yearOf(period) { return String(period).split('-')[0]; }
  function monthsOf(period) { return String(period).indexOf('-Q') >= 0 ? 3 : 1; }
  // Months from the scenario start to the first month of a period label or month.
  function monthIndex(label) {
    var start = DATA.scenario.start.split('-');
    var s = +start[0] * 12 + (+start[1] - 1);
    var parts = String(label).split('-');
    var m = parts[1].charAt(0) === 'Q' ? (+parts[1].slice(1) - 1) * 3 : +parts[1] - 1;
    return +parts[0] * 12 + m - s;
  }
  function monthLabel(i) {
    var start = DATA.scenario.start.split('-');
    var t = +start[0] * 12 + (+start[1] - 1) + Math.round(i);
    var m = t % 12 + 1;
    return Math.floor(t / 12) + '-' + (m < 10 ? '0' : '') + m;
  }
  function sum(a) { return a.reduce(function (x, y) { return x + y; }, 0); }
  // One colour per provider, vendor, chip or pool, the same in every chart of the page.
  var COLOURS = {};
  function colour(key) {
    if (!COLOURS[key]) COLOURS[key] = PALETTE[Object.keys(COLOURS).length % PALETTE.length];
    return COLOURS[key];
  }
  function coloured(series) {
    series.itemStyle = series.itemStyle || {};
    series.itemStyle.color = colour(series.name);
    if (series.areaStyle) series.areaStyle.color = series.itemStyle.color;
    return series;
  }

  // ---- CSV and tables ----
  function toCsv(t) {
    var q = function (v) {
      var s = v === null || v === undefined ? '' : String(v);
      return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
    };
    var lines = [t.columns.map(function (c) { return q(c.label); }).join(',')];
    t.rows.forEach(function (r) {
      lines.push(t.columns.map(function (c) { return q(c.get(r)); }).join(','));
    });
    return lines.join('\n') + '\n';
  }
  function download(name, text) {
    var blob = new Blob([text], { type: 'text/csv;charset=utf-8' });
    var a = el('a', { href: URL.createObjectURL(blob), download: name });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
  }
  function tableEl(t) {
    var head = el('tr', null, t.columns.map(function (c) {
      return el('th', { class: c.fmt && c.fmt !== 'text' ? 'num' : '', text: c.label });
    }));
    var body = el('tbody', null, t.rows.map(function (r) {
      return el('tr', null, t.columns.map(function (c) {
        var v = c.get(r);
        var cls = c.fmt && c.fmt !== 'text' ? 'num' : (c.wrap ? 'wrap' : '');
        return el('td', { class: cls, text: FMT[c.fmt || 'text'](v) });
      }));
    }));
    return el('div', { class: 'scroll' }, [el('table', null, [el('thead', null, [head]), body])]);
  }

  // A panel: title, tools (controls, CSV), note, chart, table. spec.build() returns
  // { option, table } and is called again by refresh() when a control changes.
  function panel(parent, spec) {
    var chartEl = el('div', { class: 'chart', id: 'chart-' + spec.id });
    if (spec.height) chartEl.style.height = spec.height + 'px';
    var tools = el('div', { class: 'tools' }, spec.controls || []);
    var csvButton = el('button', { class: 'csv', type: 'button', text: 'CSV' });
    tools.appendChild(csvButton);
    var details = el('details', { class: 'table-wrap' }, [el('summary', { text: 'Table' })]);
    var box = el('div', { class: 'panel', id: 'panel-' + spec.id }, [
      el('div', { class: 'panel-head' }, [el('h3', { text: spec.title }), tools]),
      spec.note ? el('p', { class: 'note', text: spec.note }) : null,
      chartEl, details
    ]);
    parent.appendChild(box);
    var chart = echarts.init(chartEl, null, { renderer: 'svg' });
    state.charts.push(chart);
    var current = null;
    function refresh() {
      current = spec.build();
      var o = current.option;
      if (o.legend && !o.legend.data && o.series) {
        o.legend.data = o.series.map(function (x) { return x.name; }).filter(function (n) { return n.charAt(0) !== '_'; });
      }
      chart.setOption(o, true);
      var old = details.querySelector('.scroll');
      if (old) old.remove();
      details.appendChild(tableEl(current.table));
      if (spec.open || current.table.rows.length <= 12) details.open = true;
    }
    state.tables[spec.id] = function () { return current.table; };
    csvButton.addEventListener('click', function () {
      download(spec.id + '.csv', toCsv(current.table));
    });
    refresh();
    return { refresh: refresh, chart: chart };
  }
  function segmented(options, initial, onChange) {
    var box = el('div', { class: 'seg', role: 'group' });
    options.forEach(function (o) {
      var b = el('button', { type: 'button', text: o[1], 'data-value': o[0] });
      if (o[0] === initial) b.className = 'on';
      b.addEventListener('click', function () {
        box.querySelectorAll('button').forEach(function (x) { x.className = ''; });
        b.className = 'on';
        onChange(o[0]);
      });
      box.appendChild(b);
    });
    return box;
  }
  function selector(options, onChange) {
    var s = el('select', null, options.map(function (o) { return el('option', { value: o, text: o }); }));
    s.addEventListener('change', function () { onChange(s.value); });
    return s;
  }
  function empty(parent, text) { parent.appendChild(el('div', { class: 'empty', text: text })); }

  // ---- chart option pieces ----
  function base(extra) {
    var o = {
      animation: false,
      color: PALETTE,
      textStyle: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif' },
      grid: { left: 70, right: 24, top: 44, bottom: 36, containLabel: false },
      tooltip: { trigger: 'axis', confine: true },
      legend: { type: 'scroll', top: 0, left: 0, right: 0 }
    };
    Object.keys(extra).forEach(function (k) { o[k] = extra[k]; });
    return o;
  }
  // Ticks a dollar apart at least: an all-zero series (no funding gap) gave ticks of $0.2
  // written as $0, $0, $0, $1, $1, $1.
  var moneyAxis = { type: 'value', minInterval: 1, axisLabel: { formatter: money }, splitLine: { lineStyle: { color: '#eef1f4' } } };
  var chipAxis = { type: 'value', axisLabel: { formatter: function (v) { return num(v); } }, splitLine: { lineStyle: { color: '#eef1f4' } } };
  function moneyTip(params) {
    var ps = Array.isArray(params) ? params : [params];
    var lines = [escapeHtml(ps[0].axisValueLabel || ps[0].name)];
    ps.forEach(function (p) {
      var v = Array.isArray(p.value) ? p.value[p.value.length - 1] : p.value;
      if (v !== null && v !== undefined && v !== 0 && p.seriesName.charAt(0) !== '_') {
        lines.push(p.marker + ' ' + escapeHtml(p.seriesName) + ': ' + money(v));
      }
    });
    return lines.join('<br>');
  }

  // ---- header and navigation ----
  function keyNumbers(box) {
    function key(label, value, attrs) {
      var v = el('div', { class: 'value', text: value });
      Object.keys(attrs || {}).forEach(function (k) { v.setAttribute(k, attrs[k]); });
      box.appendChild(el('div', { class: 'key' }, [el('div', { class: 'label', text: label }), v]));
    }
    key('Total cost', money(PLAN.total_cost_usd), { 'data-key': 'total_cost_usd', 'data-usd': String(PLAN.total_cost_usd) });
    key('Discounted cost', money(PLAN.objective_usd), { 'data-key': 'objective_usd', 'data-usd': String(PLAN.objective_usd) });
    key('Status', PLAN.status + (PLAN.mip_gap >= 0.0005 ? ' (gap ' + pct(PLAN.mip_gap) + ')' : ''), { 'data-key': 'status' });
    key('Horizon', PERIODS.length ? PERIODS[0] + ' – ' + PERIODS[PERIODS.length - 1] : '—', { 'data-key': 'horizon' });
    if (DATA.finance) {
      key('Funding gap', money(DATA.finance.funding_gap_usd), { 'data-key': 'funding_gap_usd', 'data-usd': String(DATA.finance.funding_gap_usd) });
      key('Peak cumulative loss', money(DATA.finance.peak_cumulative_loss_usd), { 'data-key': 'peak_cumulative_loss_usd', 'data-usd': String(DATA.finance.peak_cumulative_loss_usd) });
    }
  }

  var VIEWS = [
    { id: 'overview', title: 'Plan overview', render: overview },
    { id: 'capacity', title: 'Capacity', render: capacity },
    { id: 'commitments', title: 'Commitments', render: commitments },
    { id: 'training', title: 'Training runs', render: training },
    { id: 'serving', title: 'Serving mix', render: serving },
    { id: 'finance', title: 'Finance', render: finance },
    { id: 'risk', title: 'Risk', render: risk },
    { id: 'why', title: 'Why', render: why }
  ];

  // The report's views, drawn into `host`: { keys, nav (or null), main } elements. A second
  // call replaces what the first drew.
  function draw(data, host) {
    state.charts.forEach(function (c) { c.dispose(); });
    state.sections.forEach(function (s) { s.remove(); });
    DATA = data;
    PLAN = data.plan;
    PERIODS = PLAN.periods || [];
    COLOURS = {};
    state = { rendered: {}, charts: [], tables: {}, host: host, sections: [] };
    window.allotReport = {
      data: DATA,
      rendered: state.rendered,
      csv: function (id) { return state.tables[id] ? toCsv(state.tables[id]()) : null; },
      panels: function () { return Object.keys(state.tables); },
      show: show
    };
    host.keys.textContent = '';
    keyNumbers(host.keys);
    if (host.nav) host.nav.textContent = '';
    VIEWS.forEach(function (v, i) {
      if (host.nav) {
        var a = el('a', { href: '#' + v.id, id: 'nav-' + v.id }, [el('span', { class: 'n', text: String(i + 1) })]);
        a.appendChild(document.createTextNode(v.title));
        host.nav.appendChild(a);
      }
      var section = el('section', { class: 'view', id: 'view-' + v.id }, [el('h2', { text: (i + 1) + '. ' + v.title })]);
      state.sections.push(section);
      host.main.appendChild(section);
    });
  }

  function show(id) {
    var view = VIEWS.filter(function (v) { return v.id === id; })[0] || VIEWS[0];
    VIEWS.forEach(function (v) {
      document.getElementById('view-' + v.id).className = v.id === view.id ? 'view shown' : 'view';
      var link = document.getElementById('nav-' + v.id);
      if (link) link.className = v.id === view.id ? 'active' : '';
    });
    if (!state.rendered[view.id]) {
      var section = document.getElementById('view-' + view.id);
      try {
        view.render(section);
      } catch (e) {
        section.appendChild(el('p', { class: 'error', text: 'This view could not be drawn: ' + e }));
        console.error(e);
      }
      state.rendered[view.id] = performance.now();
      section.setAttribute('data-rendered', 'true');
    } else {
      state.charts.forEach(function (c) { c.resize(); });
    }
    return view.id;
  }

  // Hides every view of the report (the dashboard shows one of its own).
  function hide() {
    VIEWS.forEach(function (v) {
      var section = document.getElementById('view-' + v.id);
      if (section) section.className = 'view';
      var link = document.getElementById('nav-' + v.id);
      if (link) link.className = '';
    });
  }

  // report.html: the data is in the page; draw it and follow the address's #view.
  function start(blob) {
    draw(JSON.parse(blob.textContent), {
      keys: document.getElementById('key-numbers'),
      nav: document.getElementById('nav'),
      main: document.getElementById('views')
    });
    window.addEventListener('hashchange', function () { show(location.hash.slice(1)); });
    show(location.hash.slice(1));
    // The first view's charts are drawn; note when the frame that shows them has been painted.
    requestAnimationFrame(function () {
      setTimeout(function () { window.allotReport.firstViewPaintedMs = performance.now(); }, 0);
    });
  }

  function lead(section, text) { section.appendChild(el('p', { class: 'lead', text: text })); }
  function facts(section, items) {
    var box = el('div', { class: 'facts' });
    items.forEach(function (it) {
      var span = el('span', { text: it[0] + ': ' });
      span.appendChild(el('b', { text: it[1] }));
      box.appendChild(span);
    });
    section.appendChild(box);
  }

  // ---- 1. overview ----
  function overview(section) {
    lead(section, PLAN.status_message || '');
    facts(section, [
      ['Total cost (undiscounted, inside the horizon)', money(PLAN.total_cost_usd)],
      ['Discounted cost (the objective)', money(PLAN.objective_usd)],
      ['Periods', String(PERIODS.length)],
      ['Discount rate', pct(DATA.scenario.discount_rate)]
    ]);
    var by = 'provider';
    var stacks = { provider: DATA.cost_by_year.by_provider, vendor: DATA.cost_by_year.by_vendor, chip: DATA.cost_by_year.by_chip };
    var years = DATA.cost_by_year.years;
    var p = panel(section, {
      id: 'cost-by-year', title: 'Cost by year',
      note: 'Undiscounted cost per calendar year, stacked. Take-or-pay shortfall is paid to a provider but carried by no chip.',
      controls: [segmented([['provider', 'Provider'], ['vendor', 'Vendor'], ['chip', 'Chip']], by, function (v) { by = v; p.refresh(); })],
      build: function () {
        var map = stacks[by];
        var keys = Object.keys(map);
        var series = keys.map(function (k) {
          return coloured({ name: k, type: 'bar', stack: 'cost', barMaxWidth: 48, data: years.map(function (y) { return map[k][y] || 0; }) });
        });
        var cols = [{ label: 'year', get: function (r) { return r; } }].concat(keys.map(function (k) {
          return { label: k, fmt: 'money', get: function (r) { return map[k][r] || 0; } };
        })).concat([{ label: 'total', fmt: 'money', get: function (r) { return PLAN.cost_by_year[r] || 0; } }]);
        return {
          option: base({ xAxis: { type: 'category', data: years }, yAxis: moneyAxis, series: series, tooltip: { trigger: 'axis', formatter: moneyTip, confine: true } }),
          table: { columns: cols, rows: years }
        };
      }
    });
    var grid = el('div', { class: 'grid' });
    section.appendChild(grid);
    shares(grid, 'vendor-shares', 'Vendor share of spend', PLAN.vendor_share, DATA.scenario.vendor_caps);
    shares(grid, 'provider-shares', 'Provider share of spend', PLAN.provider_share, DATA.scenario.provider_caps);
  }
  function shares(parent, id, title, share, caps) {
    var names = Object.keys(share).sort(function (a, b) { return share[b] - share[a]; });
    caps.forEach(function (c) { if (names.indexOf(c.name) < 0) names.push(c.name); });
    function capOf(n) {
      var c = caps.filter(function (x) { return x.name === n; })[0];
      return c ? c.max_share : null;
    }
    function applies(n) {
      var c = caps.filter(function (x) { return x.name === n; })[0];
      return c && (c.start || c.end) ? (c.start || '…') + ' – ' + (c.end || '…') : (c ? 'whole horizon' : '');
    }
    panel(parent, {
      id: id, title: title, height: 300,
      note: 'Share of compute spend over the horizon; a bar marks each cap (a cap with dates applies inside them).',
      build: function () {
        return {
          option: base({
            grid: { left: 130, right: 30, top: 34, bottom: 30 },
            xAxis: { type: 'value', max: 1, axisLabel: { formatter: function (v) { return pct(v); } } },
            yAxis: { type: 'category', data: names.slice().reverse(), axisLabel: { width: 120, overflow: 'truncate' } },
            tooltip: { trigger: 'axis', confine: true, valueFormatter: function (v) { return v == null ? '—' : pct(v); } },
            series: [
              { name: 'share', type: 'bar', barMaxWidth: 22, data: names.slice().reverse().map(function (n) { return share[n] || 0; }) },
              { name: 'cap', type: 'scatter', symbol: 'rect', symbolSize: [4, 24], itemStyle: { color: '#b3372f' },
                data: names.filter(function (n) { return capOf(n) !== null; }).map(function (n) { return [capOf(n), n]; }) }
            ]
          }),
          table: {
            columns: [
              { label: 'name', get: function (r) { return r; } },
              { label: 'share', fmt: 'pct', get: function (r) { return share[r] || 0; } },
              { label: 'cap', fmt: 'pct', get: function (r) { return capOf(r); } },
              { label: 'cap applies', get: applies }
            ],
            rows: names
          }
        };
      }
    });
  }

  // ---- 2. capacity ----
  function capacity(section) {
    var cap = DATA.capacity;
    var powerWords = cap.pue !== 1 ? 'each chip at its TDP times the PUE of ' + num(cap.pue, 2) + ' ([policy.power])' : 'each chip at its TDP';
    lead(section, 'Chips provisioned per period (average over the period), stacked, with the chips each training run and inference demand uses as lines; or their power in MW (' + powerWords +
      ', 1 kW for a chip whose catalog entry has no TDP)' + (cap.power_cap_mw ? ' against the power cap' : '') +
      '. Capacity above the workloads\' chips is held for commitments and reservations that are paid either way.');
    var by = 'chip', unit = 'chips';
    var p = panel(section, {
      id: 'capacity', title: 'Chips and power over time', height: 460,
      controls: [
        segmented([['chips', 'Chips'], ['mw', 'MW']], unit, function (v) { unit = v; p.refresh(); }),
        segmented([['chip', 'By chip'], ['provider', 'By provider']], by, function (v) { by = v; p.refresh(); })
      ],
      build: function () {
        var mw = unit === 'mw';
        var stack = mw ? (by === 'chip' ? cap.mw_by_chip : cap.mw_by_provider) : (by === 'chip' ? cap.by_chip : cap.by_provider);
        var needs = mw ? cap.mw_needs : cap.needs;
        var total = PERIODS.map(function (_, i) { return sum(needs.map(function (n) { return n.values[i]; })); });
        var fmt = mw ? function (v) { return num(v, 1) + ' MW'; } : function (v) { return num(v); };
        var series = stack.map(function (s) {
          return coloured({ name: s.name, type: 'line', stack: 'capacity', areaStyle: { opacity: 0.55 }, symbol: 'none', lineStyle: { width: 0.5 }, data: s.values });
        });
        needs.forEach(function (n) {
          series.push({ name: n.name + ' (' + n.kind + ')', type: 'line', symbol: 'none', lineStyle: { width: 1.6, type: n.kind === 'training' ? 'dashed' : 'dotted' }, data: n.values });
        });
        series.push({ name: 'all workloads', type: 'line', symbol: 'none', itemStyle: { color: '#15202d' }, lineStyle: { width: 2 }, data: total });
        if (mw && cap.power_cap_mw) {
          series.push({ name: 'power cap', type: 'line', step: 'middle', symbol: 'none', itemStyle: { color: '#b3372f' }, lineStyle: { width: 2, type: [6, 3] }, data: cap.power_cap_mw });
        }
        var f = mw ? 'num2' : 'num', u = mw ? ' (MW)' : '';
        var cols = [{ label: 'period', get: function (i) { return PERIODS[i]; } }]
          .concat(stack.map(function (s) { return { label: s.name + u, fmt: f, get: function (i) { return s.values[i]; } }; }))
          .concat(needs.map(function (n) { return { label: 'need: ' + n.name + u, fmt: f, get: function (i) { return n.values[i]; } }; }))
          .concat(mw && cap.power_cap_mw ? [{ label: 'power cap (MW)', fmt: f, get: function (i) { return cap.power_cap_mw[i]; } }] : []);
        return {
          option: base({
            grid: { left: 70, right: 24, top: 64, bottom: 60 },
            xAxis: { type: 'category', data: PERIODS, boundaryGap: false },
            yAxis: { type: 'value', axisLabel: { formatter: fmt }, splitLine: { lineStyle: { color: '#eef1f4' } } },
            dataZoom: [{ type: 'slider', height: 18, bottom: 8 }],
            tooltip: { trigger: 'axis', confine: true, valueFormatter: fmt },
            series: series
          }),
          table: { columns: cols, rows: PERIODS.map(function (_, i) { return i; }) }
        };
      }
    });
    return p;
  }

  // ---- 3. commitments ----
  function commitments(section) {
    var cs = DATA.commitments;
    if (!cs.length) { empty(section, 'The scenario has no spend commitments.'); return; }
    lead(section, 'Spend commitments: the obligation inside the horizon, the spend the planner counts toward it, the take-or-pay shortfall paid, and how spend accrues against the minimum over the term.');
    var names = cs.map(function (c) { return c.name; });
    var grid = el('div', { class: 'grid' });
    section.appendChild(grid);
    panel(grid, {
      id: 'commitment-totals', title: 'Obligation, spend and shortfall',
      build: function () {
        return {
          option: base({
            grid: { left: 150, right: 24, top: 34, bottom: 30 },
            xAxis: moneyAxis,
            yAxis: { type: 'category', data: names.slice().reverse(), axisLabel: { width: 140, overflow: 'truncate' } },
            tooltip: { trigger: 'axis', confine: true, valueFormatter: money },
            series: [
              { name: 'obligation', type: 'bar', data: cs.slice().reverse().map(function (c) { return c.obligation_usd; }) },
              { name: 'spend counted', type: 'bar', data: cs.slice().reverse().map(function (c) { return c.spend_usd; }) },
              { name: 'shortfall paid', type: 'bar', itemStyle: { color: '#c64b4b' }, data: cs.slice().reverse().map(function (c) { return c.shortfall_usd; }) }
            ]
          }),
          table: {
            columns: [
              { label: 'commitment', get: function (c) { return c.name; } },
              { label: 'provider', get: function (c) { return c.provider; } },
              { label: 'start', get: function (c) { return c.start; } },
              { label: 'term (months)', fmt: 'num', get: function (c) { return c.term_months; } },
              { label: 'payment', get: function (c) { return c.payment.replace(/_/g, ' ') + (c.take_or_pay ? ', take-or-pay' : ''); } },
              { label: 'total', fmt: 'money', get: function (c) { return c.total_usd; } },
              { label: 'obligation in horizon', fmt: 'money', get: function (c) { return c.obligation_usd; } },
              { label: 'spend counted', fmt: 'money', get: function (c) { return c.spend_usd; } },
              { label: 'shortfall paid', fmt: 'money', get: function (c) { return c.shortfall_usd; } },
              { label: 'utilisation', fmt: 'pct', get: function (c) { return c.utilisation; } }
            ],
            rows: cs
          }
        };
      }
    });
    panel(grid, {
      id: 'commitment-utilisation', title: 'Utilisation',
      note: 'Spend counted ÷ obligation inside the horizon; the line is 100%.',
      build: function () {
        return {
          option: base({
            grid: { left: 150, right: 40, top: 34, bottom: 30 },
            xAxis: { type: 'value', min: 0, max: function (v) { return Math.max(1, Math.ceil(v.max * 10) / 10); }, axisLabel: { formatter: pct } },
            yAxis: { type: 'category', data: names.slice().reverse(), axisLabel: { width: 140, overflow: 'truncate' } },
            tooltip: { trigger: 'axis', confine: true, valueFormatter: pct },
            series: [{ name: 'utilisation', type: 'bar', barMaxWidth: 20,
              data: cs.slice().reverse().map(function (c) {
                return { value: c.utilisation, itemStyle: { color: c.utilisation < 0.999 && c.take_or_pay ? '#c64b4b' : '#3a9e6e' } };
              }),
              markLine: { symbol: 'none', silent: true, lineStyle: { color: '#15202d', type: 'dashed' }, label: { show: false }, data: [{ xAxis: 1 }] } }]
          }),
          table: {
            columns: [
              { label: 'commitment', get: function (c) { return c.name; } },
              { label: 'utilisation', fmt: 'pct', get: function (c) { return c.utilisation; } }
            ],
            rows: cs
          }
        };
      }
    });
    var chosen = names[0];
    var p = panel(section, {
      id: 'commitment-over-time', title: 'Spend against the minimum over time', height: 380,
      note: 'Cumulative capacity cost with the provider inside the term (on the commitment\'s chips, when it names some) against the obligation spread evenly over the term; bars are shortfall paid per period. Spend with a provider can count toward several of its commitments.',
      controls: [selector(names, function (v) { chosen = v; p.refresh(); })],
      build: function () {
        var c = cs.filter(function (x) { return x.name === chosen; })[0];
        var startIdx = monthIndex(c.start);
        var termEnd = startIdx + c.term_months;
        var inTerm = PERIODS.map(function (per) { var m = monthIndex(per); return m >= startIdx && m < termEnd; });
        var cum = 0, cumMin = 0;
        var horizonTermMonths = sum(PERIODS.map(function (per, i) { return inTerm[i] ? monthsOf(per) : 0; })) || 1;
        var rows = PERIODS.map(function (per, i) {
          cum += c.provider_spend_by_period_usd[i] || 0;
          if (inTerm[i]) cumMin += c.obligation_usd * monthsOf(per) / horizonTermMonths;
          return { period: per, inTerm: inTerm[i], spend: c.provider_spend_by_period_usd[i] || 0, cumulative: inTerm[i] || cum > 0 ? cum : null,
            minimum: inTerm[i] ? cumMin : null, shortfall: c.shortfall_by_period_usd[i] || 0 };
        }).filter(function (r) { return r.inTerm || r.shortfall > 0; });
        return {
          option: base({
            xAxis: { type: 'category', data: rows.map(function (r) { return r.period; }) },
            yAxis: moneyAxis,
            tooltip: { trigger: 'axis', formatter: moneyTip, confine: true },
            series: [
              { name: 'cumulative spend with ' + c.provider, type: 'line', symbol: 'none', areaStyle: { opacity: 0.15 }, data: rows.map(function (r) { return r.cumulative; }) },
              { name: 'pro-rata minimum', type: 'line', symbol: 'none', lineStyle: { type: 'dashed', width: 2 }, itemStyle: { color: '#15202d' }, data: rows.map(function (r) { return r.minimum; }) },
              { name: 'shortfall paid', type: 'bar', itemStyle: { color: '#c64b4b' }, data: rows.map(function (r) { return r.shortfall; }) }
            ]
          }),
          table: {
            columns: [
              { label: 'period', get: function (r) { return r.period; } },
              { label: 'spend with provider', fmt: 'money', get: function (r) { return r.spend; } },
              { label: 'cumulative spend', fmt: 'money', get: function (r) { return r.cumulative; } },
              { label: 'pro-rata minimum', fmt: 'money', get: function (r) { return r.minimum; } },
              { label: 'shortfall paid', fmt: 'money', get: function (r) { return r.shortfall; } }
            ],
            rows: rows
          }
        };
      }
    });
  }

  // ---- 4. training ----
  function training(section) {
    // The plan's lines with the window the scenario allows each run.
    var runs = PLAN.training.map(function (t) {
      var w = DATA.training_windows.filter(function (x) { return x.name === t.name; })[0] || {};
      var r = {};
      Object.keys(t).forEach(function (k) { r[k] = t[k]; });
      r.earliest_start = w.earliest_start || null;
      r.deadline = w.deadline || null;
      return r;
    });
    if (!runs.length) { empty(section, 'The scenario has no training runs.'); return; }
    lead(section, 'Each run on its provider and chip, from its first to its last period with chips; the light bar is the window the scenario allows and the diamond its deadline.');
    var names = runs.map(function (r) { return r.name; }).reverse();
    var rr = runs.slice().reverse();
    var end = PERIODS.length ? monthIndex(PERIODS[PERIODS.length - 1]) + monthsOf(PERIODS[PERIODS.length - 1]) : 12;
    function span(r) {
      if (!r.provider) return [null, null];
      var s = monthIndex(r.start), f = monthIndex(r.finish) + monthsOf(r.finish);
      return [s, f - s];
    }
    function windowOf(r) {
      var s = r.earliest_start ? Math.max(0, monthIndex(r.earliest_start)) : 0;
      var f = r.deadline ? monthIndex(r.deadline) + 1 : end;
      return [s, Math.max(0, f - s)];
    }
    panel(section, {
      id: 'training-gantt', title: 'Training runs', height: Math.max(220, 70 + 48 * runs.length), open: true,
      build: function () {
        return {
          option: base({
            grid: { left: 130, right: 30, top: 34, bottom: 30 },
            legend: { top: 0, left: 0, data: ['allowed window', 'running', 'deadline'] },
            tooltip: { trigger: 'item', confine: true, formatter: function (p) {
              var r = p.seriesName === 'deadline' ? runs.filter(function (x) { return x.name === p.value[1]; })[0] : rr[p.dataIndex];
              if (p.seriesName === 'deadline') return escapeHtml(r.name + ': deadline ' + r.deadline);
              if (p.seriesName === 'allowed window') return escapeHtml(r.name + ': ' + (r.earliest_start || DATA.scenario.start) + ' – ' + (r.deadline || 'end of horizon'));
              return escapeHtml(r.name) + '<br>' + escapeHtml(r.provider + ' / ' + r.chip) + '<br>' + num(r.chips) + ' chips, ' + escapeHtml(r.start + ' – ' + r.finish) + '<br>' + num(r.chip_hours) + ' chip-hours';
            } },
            xAxis: { type: 'value', min: 0, max: end, interval: 12, axisLabel: { formatter: monthLabel }, splitLine: { lineStyle: { color: '#eef1f4' } } },
            yAxis: { type: 'category', data: names, axisLabel: { width: 120, overflow: 'truncate' } },
            series: [
              { name: '_wo', type: 'bar', stack: 'w', silent: true, barGap: '-100%', itemStyle: { color: 'transparent' }, barWidth: '62%', data: rr.map(function (r) { return windowOf(r)[0]; }) },
              // The label beside the window, after its end (past the deadline's diamond), or
              // before its start when the window ends late.
              { name: 'allowed window', type: 'bar', stack: 'w', barGap: '-100%', itemStyle: { color: '#dce6f2' },
                label: { show: true, color: '#15202d', fontSize: 11, formatter: function (p) { var r = rr[p.dataIndex]; return r.provider ? r.provider + ' / ' + r.chip + ' × ' + num(r.chips) : 'not placed'; } },
                data: rr.map(function (r) {
                  var w = windowOf(r);
                  var late = w[0] + w[1] > 0.7 * end;
                  return { value: w[1], label: { position: late ? 'left' : 'right', distance: late ? 8 : 14 } };
                }) },
              { name: '_ro', type: 'bar', stack: 'r', silent: true, barGap: '-100%', itemStyle: { color: 'transparent' }, barWidth: '62%', data: rr.map(function (r) { return span(r)[0]; }) },
              { name: 'running', type: 'bar', stack: 'r', barGap: '-100%', itemStyle: { color: '#2f6fb0', borderRadius: 3 },
                data: rr.map(function (r) { return span(r)[1]; }) },
              { name: 'deadline', type: 'scatter', symbol: 'diamond', symbolSize: 13, itemStyle: { color: '#c64b4b' },
                data: rr.filter(function (r) { return r.deadline; }).map(function (r) { return [monthIndex(r.deadline) + 1, r.name]; }) }
            ]
          }),
          table: {
            columns: [
              { label: 'run', get: function (r) { return r.name; } },
              { label: 'provider', get: function (r) { return r.provider || 'not placed'; } },
              { label: 'chip', get: function (r) { return r.chip; } },
              { label: 'largest cluster (chips)', fmt: 'num', get: function (r) { return r.chips; } },
              { label: 'start', get: function (r) { return r.start; } },
              { label: 'finish', get: function (r) { return r.finish; } },
              { label: 'earliest start', get: function (r) { return r.earliest_start || ''; } },
              { label: 'deadline', get: function (r) { return r.deadline || ''; } },
              { label: 'chip-hours', fmt: 'num', get: function (r) { return r.chip_hours; } }
            ],
            rows: runs
          }
        };
      }
    });
  }

  // ---- 5. serving ----
  function serving(section) {
    var ds = PLAN.inference;
    if (!ds.length) { empty(section, 'The scenario has no inference demands.'); return; }
    lead(section, 'Chips serving each inference demand per period, by provider and chip, and the mix of tokens over the horizon.');
    var idx = {};
    PERIODS.forEach(function (p, i) { idx[p] = i; });
    var names = ds.map(function (d) { return d.name; });
    var chosen = names[0];
    var p = panel(section, {
      id: 'serving-mix', title: 'Serving mix over time', height: 400,
      controls: [selector(names, function (v) { chosen = v; p.refresh(); })],
      build: function () {
        var d = ds.filter(function (x) { return x.name === chosen; })[0];
        var pools = {};
        d.chips_by_period.forEach(function (c) {
          var k = c.provider + ' / ' + c.chip;
          if (!pools[k]) pools[k] = PERIODS.map(function () { return 0; });
          if (idx[c.period] !== undefined) pools[k][idx[c.period]] += c.chips;
        });
        var keys = Object.keys(pools);
        return {
          option: base({
            grid: { left: 70, right: 24, top: 44, bottom: 60 },
            xAxis: { type: 'category', data: PERIODS, boundaryGap: false },
            yAxis: chipAxis,
            dataZoom: [{ type: 'slider', height: 18, bottom: 8 }],
            tooltip: { trigger: 'axis', confine: true, valueFormatter: function (v) { return num(v); } },
            series: keys.map(function (k) { return coloured({ name: k, type: 'line', stack: 'serve', areaStyle: { opacity: 0.6 }, symbol: 'none', lineStyle: { width: 0.5 }, data: pools[k] }); })
          }),
          table: {
            columns: [{ label: 'period', get: function (i) { return PERIODS[i]; } }].concat(keys.map(function (k) {
              return { label: k, fmt: 'num', get: function (i) { return pools[k][i]; } };
            })),
            rows: PERIODS.map(function (_, i) { return i; })
          }
        };
      }
    });
    var rows = [];
    ds.forEach(function (d) { d.mix.forEach(function (m) { rows.push({ demand: d.name, tokens: d.tokens, m: m }); }); });
    panel(section, {
      id: 'serving-share', title: 'Mix over the horizon', height: Math.max(200, 60 + 44 * ds.length),
      note: 'Share of each demand\'s tokens served per provider and chip.',
      build: function () {
        var pools = [];
        rows.forEach(function (r) { var k = r.m.provider + ' / ' + r.m.chip; if (pools.indexOf(k) < 0) pools.push(k); });
        return {
          option: base({
            grid: { left: 130, right: 30, top: 44, bottom: 30 },
            xAxis: { type: 'value', max: function (v) { return Math.max(1, v.max); }, axisLabel: { formatter: pct } },
            yAxis: { type: 'category', data: names.slice().reverse() },
            tooltip: { trigger: 'axis', confine: true, valueFormatter: pct },
            series: pools.map(function (k) {
              return coloured({ name: k, type: 'bar', stack: 'mix', barMaxWidth: 26, data: names.slice().reverse().map(function (n) {
                var r = rows.filter(function (x) { return x.demand === n && x.m.provider + ' / ' + x.m.chip === k; })[0];
                return r ? r.m.token_share : 0;
              }) });
            })
          }),
          table: {
            columns: [
              { label: 'demand', get: function (r) { return r.demand; } },
              { label: 'tokens over horizon', fmt: 'num', get: function (r) { return r.tokens; } },
              { label: 'provider', get: function (r) { return r.m.provider; } },
              { label: 'chip', get: function (r) { return r.m.chip; } },
              { label: 'token share', fmt: 'pct', get: function (r) { return r.m.token_share; } },
              { label: 'chip-hours', fmt: 'num', get: function (r) { return r.m.chip_hours; } }
            ],
            rows: rows
          }
        };
      }
    });
  }

  // ---- 6. finance ----
  var METRIC_WORDS = { cash_burn: 'cash burn', operating_loss: 'operating loss', revenue: 'revenue', compute_spend: 'compute spend' };
  function finance(section) {
    var f = DATA.finance;
    if (!f) { empty(section, 'No financial statement: ' + (DATA.finance_note || 'the scenario has no [finance] section.')); return; }
    lead(section, 'The plan\'s financial statement by calendar year (docs/finance.md), with the figures the scenario cites as reported shown as markers.');
    facts(section, [
      ['Starting cash', money(f.starting_cash_usd)], ['Lowest cash', money(f.lowest_cash_usd)],
      ['Funding gap', money(f.funding_gap_usd)], ['Runway', f.runway_end ? 'until ' + f.runway_end + ' (' + f.runway_months + ' months)' : 'lasts the horizon'],
      ['Cumulative loss at the end', money(f.cumulative_loss_usd)]
    ]);
    var years = f.years.map(function (y) { return String(y.year); });
    var single = f.references.filter(function (r) { return r.from_year === r.to_year; });
    function markerValue(r) { return r.metric === 'operating_loss' ? -r.reported_usd : r.reported_usd; }
    panel(section, {
      id: 'finance-years', title: 'Revenue, compute, operating result, cash and cumulative loss', height: 440, open: true,
      note: single.length ? 'Diamonds: single-year reported figures (an operating loss is drawn as a negative result).' : '',
      build: function () {
        var g = function (k) { return f.years.map(function (y) { return y[k]; }); };
        return {
          option: base({
            xAxis: { type: 'category', data: years },
            yAxis: moneyAxis,
            tooltip: { trigger: 'axis', formatter: moneyTip, confine: true },
            series: [
              { name: 'revenue', type: 'bar', data: g('revenue_usd'), itemStyle: { color: '#3a9e6e' } },
              { name: 'compute', type: 'bar', data: g('compute_usd').map(function (v) { return -v; }), itemStyle: { color: '#e07b39' } },
              { name: 'operating result', type: 'bar', data: g('operating_result_usd'), itemStyle: { color: '#7d5ba6' } },
              { name: 'cash at year end', type: 'line', data: g('cash_end_usd'), itemStyle: { color: '#2f6fb0' }, lineStyle: { width: 2.5 } },
              { name: 'cumulative loss', type: 'line', data: g('cumulative_loss_usd'), itemStyle: { color: '#c64b4b' }, lineStyle: { width: 2.5, type: 'dashed' } },
              { name: 'reported', type: 'scatter', symbol: 'diamond', symbolSize: 14, itemStyle: { color: '#15202d' },
                tooltip: { trigger: 'item', formatter: function (p) { var r = single[p.dataIndex]; return escapeHtml(r.label) + '<br>reported ' + money(r.reported_usd) + ', projected ' + money(r.projected_usd); } },
                data: single.map(function (r) { return [String(r.from_year), markerValue(r)]; }) }
            ]
          }),
          table: {
            columns: [
              { label: 'year', get: function (y) { return y.year; } },
              { label: 'months', fmt: 'num', get: function (y) { return y.months; } },
              { label: 'revenue', fmt: 'money', get: function (y) { return y.revenue_usd; } },
              { label: 'compute', fmt: 'money', get: function (y) { return y.compute_usd; } },
              { label: 'other opex', fmt: 'money', get: function (y) { return y.other_opex_usd; } },
              { label: 'operating result', fmt: 'money', get: function (y) { return y.operating_result_usd; } },
              { label: 'funding', fmt: 'money', get: function (y) { return y.funding_usd; } },
              { label: 'burn', fmt: 'money', get: function (y) { return y.burn_usd; } },
              { label: 'cash at end', fmt: 'money', get: function (y) { return y.cash_end_usd; } },
              { label: 'cumulative loss', fmt: 'money', get: function (y) { return y.cumulative_loss_usd; } }
            ],
            rows: f.years
          }
        };
      }
    });
    if (!f.references.length) return;
    var refs = f.references;
    panel(section, {
      id: 'finance-references', title: 'Reported against projected', height: Math.max(220, 70 + 46 * refs.length), open: true,
      build: function () {
        var labels = refs.map(function (r) { return r.label; }).reverse();
        return {
          option: base({
            grid: { left: 260, right: 30, top: 34, bottom: 30 },
            xAxis: moneyAxis,
            yAxis: { type: 'category', data: labels, axisLabel: { width: 250, overflow: 'truncate' } },
            tooltip: { trigger: 'axis', confine: true, valueFormatter: money },
            series: [
              { name: 'reported', type: 'bar', itemStyle: { color: '#15202d' }, data: refs.slice().reverse().map(function (r) { return r.reported_usd; }) },
              { name: 'projected', type: 'bar', itemStyle: { color: '#2f6fb0' }, data: refs.slice().reverse().map(function (r) { return r.projected_usd; }) }
            ]
          }),
          table: {
            columns: [
              { label: 'figure', get: function (r) { return r.label; } },
              { label: 'metric', get: function (r) { return METRIC_WORDS[r.metric] || r.metric; } },
              { label: 'years', get: function (r) { return r.from_year === r.to_year ? String(r.from_year) : r.from_year + '–' + r.to_year; } },
              { label: 'reported', fmt: 'money', get: function (r) { return r.reported_usd; } },
              { label: 'projected', fmt: 'money', get: function (r) { return r.projected_usd; } },
              { label: 'difference', fmt: 'pct', get: function (r) { return r.difference; } },
              { label: 'source', get: function (r) { return r.source_url + ' (' + r.source_date + ')'; } }
            ],
            rows: refs
          }
        };
      }
    });
  }

  // ---- 7. risk ----
  var MEASURES = ['total cost', 'cumulative loss', 'funding gap'];
  function risk(section) {
    var r = DATA.risk;
    if (!r) { empty(section, 'No risk run: ' + (DATA.risk_note || 'the scenario has no [[uncertainty]] entries.')); return; }
    lead(section, 'The scenario\'s [[uncertainty]] entries sampled and each sample re-planned and projected (' + r.settings + '). ' +
      r.samples + ' samples, ' + r.failed + ' without a plan' +
      (r.stopped_by_time_limit ? ' (' + r.stopped_by_time_limit + ' stopped by the time limit: the run was cut short, its quantiles are over the samples planned in time)' : '') +
      '. The band is P10–P90, the line the median.');
    panel(section, {
      id: 'risk-quantiles', title: 'Over the horizon', open: true,
      build: function () {
        return {
          option: base({
            grid: { left: 130, right: 30, top: 34, bottom: 30 },
            xAxis: moneyAxis,
            yAxis: { type: 'category', data: r.measures.map(function (m) { return m.name; }).reverse() },
            legend: { top: 0, left: 0, data: ['P10–P90', 'P50', 'as written'] },
            tooltip: { trigger: 'axis', confine: true, formatter: function (ps) {
              var m = r.measures[r.measures.length - 1 - ps[0].dataIndex];
              var k = MEASURES.indexOf(m.name);
              return escapeHtml(m.name) + '<br>P10 ' + money(m.p10) + '<br>P50 ' + money(m.p50) + '<br>P90 ' + money(m.p90) +
                (r.base ? '<br>as written ' + money(r.base[k]) : '');
            } },
            series: [
              { name: '_p10', type: 'bar', stack: 'q', stackStrategy: 'all', silent: true, itemStyle: { color: 'transparent' }, data: r.measures.map(function (m) { return m.p10; }).reverse() },
              { name: 'P10–P90', type: 'bar', stack: 'q', stackStrategy: 'all', barMaxWidth: 26, itemStyle: { color: '#b9cde6' }, data: r.measures.map(function (m) { return m.p90 - m.p10; }).reverse() },
              { name: 'P50', type: 'scatter', symbol: 'rect', symbolSize: [4, 26], itemStyle: { color: '#15202d' }, data: r.measures.map(function (m) { return [m.p50, m.name]; }) },
              { name: 'as written', type: 'scatter', symbol: 'diamond', symbolSize: 12, itemStyle: { color: '#c64b4b' }, data: (r.base || []).map(function (v, k) { return [v, MEASURES[k]]; }) }
            ]
          }),
          table: {
            columns: [
              { label: 'measure', get: function (m) { return m.name; } },
              { label: 'P10', fmt: 'money', get: function (m) { return m.p10; } },
              { label: 'P50', fmt: 'money', get: function (m) { return m.p50; } },
              { label: 'P90', fmt: 'money', get: function (m) { return m.p90; } },
              { label: 'mean', fmt: 'money', get: function (m) { return m.mean; } },
              { label: 'as written', fmt: 'money', get: function (m) { return r.base ? r.base[MEASURES.indexOf(m.name)] : null; } }
            ],
            rows: r.measures
          }
        };
      }
    });
    var grid = el('div', { class: 'grid' });
    section.appendChild(grid);
    fan(grid, 'risk-fan-loss', 'Cumulative loss: P10 / P50 / P90 by year', 'cumulative_loss', r.fan);
    fan(grid, 'risk-fan-gap', 'Funding gap: P10 / P50 / P90 by year', 'funding_gap', r.fan);
    tornado(section, r);
  }
  function fan(parent, id, title, key, years) {
    panel(parent, {
      id: id, title: title, height: 340,
      build: function () {
        var x = years.map(function (y) { return String(y.year); });
        var q = function (i) { return years.map(function (y) { return y[key][i]; }); };
        return {
          option: base({
            xAxis: { type: 'category', data: x, boundaryGap: false },
            yAxis: moneyAxis,
            tooltip: { trigger: 'axis', confine: true, formatter: function (ps) {
              var y = years[ps[0].dataIndex];
              return y.year + '<br>P10 ' + money(y[key][0]) + '<br>P50 ' + money(y[key][1]) + '<br>P90 ' + money(y[key][2]);
            } },
            legend: { top: 0, left: 0, data: ['P10–P90', 'P50'] },
            series: [
              { name: '_low', type: 'line', stack: 'band', stackStrategy: 'all', symbol: 'none', lineStyle: { opacity: 0 }, data: q(0) },
              { name: 'P10–P90', type: 'line', stack: 'band', stackStrategy: 'all', symbol: 'none', lineStyle: { opacity: 0 }, areaStyle: { color: '#b9cde6', opacity: 0.8 },
                itemStyle: { color: '#b9cde6' }, data: years.map(function (y) { return y[key][2] - y[key][0]; }) },
              { name: 'P50', type: 'line', symbol: 'circle', symbolSize: 5, itemStyle: { color: '#2f6fb0' }, lineStyle: { width: 2.5 }, data: q(1) }
            ]
          }),
          table: {
            columns: [
              { label: 'year', get: function (y) { return y.year; } },
              { label: 'P10', fmt: 'money', get: function (y) { return y[key][0]; } },
              { label: 'P50', fmt: 'money', get: function (y) { return y[key][1]; } },
              { label: 'P90', fmt: 'money', get: function (y) { return y[key][2]; } }
            ],
            rows: years
          }
        };
      }
    });
  }
  function tornado(parent, r) {
    var withSwing = r.sensitivity.filter(function (s) { return s.swing; });
    var measure = 1;
    if (!withSwing.length || !r.base) {
      panel(parent, {
        id: 'risk-sensitivity', title: 'Sensitivity: rank correlation with each measure', height: Math.max(220, 70 + 40 * r.sensitivity.length),
        note: 'No one-at-a-time swing was computed, so inputs are ranked by the Spearman rank correlation of their sampled values with each measure.',
        build: function () {
          var names = r.sensitivity.map(function (s) { return s.name; }).reverse();
          return {
            option: base({
              grid: { left: 170, right: 30, top: 34, bottom: 30 },
              xAxis: { type: 'value', min: -1, max: 1 },
              yAxis: { type: 'category', data: names },
              series: MEASURES.map(function (m, k) {
                return { name: m, type: 'bar', data: r.sensitivity.map(function (s) { return s.rank_correlation[k]; }).reverse() };
              })
            }),
            table: sensitivityTable(r)
          };
        }
      });
      return;
    }
    var p = panel(parent, {
      id: 'risk-tornado', title: 'Tornado: each input alone at its P10 and P90', height: Math.max(240, 80 + 44 * withSwing.length),
      note: 'Change of the measure from the scenario as written when one input moves to its 10th or 90th percentile and every other input stays as written; inputs ranked by the width of the swing.',
      controls: [segmented([['0', 'Total cost'], ['1', 'Cumulative loss'], ['2', 'Funding gap']], '1', function (v) { measure = +v; p.refresh(); })],
      build: function () {
        var b = r.base[measure];
        var rows = withSwing.map(function (s) {
          return { name: s.name, lo: s.swing[measure][0] - b, hi: s.swing[measure][1] - b };
        }).sort(function (a, c) { return Math.abs(a.hi - a.lo) - Math.abs(c.hi - c.lo); });
        return {
          option: base({
            grid: { left: 170, right: 40, top: 34, bottom: 30 },
            xAxis: moneyAxis,
            yAxis: { type: 'category', data: rows.map(function (x) { return x.name; }) },
            tooltip: { trigger: 'axis', confine: true, valueFormatter: money },
            series: [
              { name: 'input at P10', type: 'bar', barGap: '-100%', barMaxWidth: 24, itemStyle: { color: '#2f6fb0' }, data: rows.map(function (x) { return x.lo; }) },
              { name: 'input at P90', type: 'bar', barGap: '-100%', barMaxWidth: 24, itemStyle: { color: '#e07b39' }, data: rows.map(function (x) { return x.hi; }) }
            ]
          }),
          table: sensitivityTable(r)
        };
      }
    });
  }
  function sensitivityTable(r) {
    var cols = [{ label: 'input', get: function (s) { return s.name; } }];
    MEASURES.forEach(function (m, k) {
      cols.push({ label: 'rank correlation: ' + m, fmt: 'num2', get: function (s) { return s.rank_correlation[k]; } });
    });
    MEASURES.forEach(function (m, k) {
      cols.push({ label: m + ' at P10', fmt: 'money', get: function (s) { return s.swing ? s.swing[k][0] : null; } });
      cols.push({ label: m + ' at P90', fmt: 'money', get: function (s) { return s.swing ? s.swing[k][1] : null; } });
    });
    return { columns: cols, rows: r.sensitivity };
  }

  // ---- 8. why ----
  function why(section) {
    var bs = DATA.bindings;
    lead(section, 'The constraints that bind, ranked by what relaxing them by a natural step would save (discounted). Each shadow price is a rate of saving per unit of relaxation; degenerate plans have several valid duals, so each is a shadow price, not the only one. ' + (DATA.bindings_note || ''));
    if (!bs.length) { empty(section, 'Nothing binds with a measurable effect, or no explanation was computed.'); return; }
    var top = bs.slice(0, 20);
    panel(section, {
      id: 'why-bindings', title: 'Binding constraints by effect', height: Math.max(240, 70 + 30 * top.length), open: true,
      note: bs.length > top.length ? 'The chart shows the ' + top.length + ' largest of ' + bs.length + '; the table has them all.' : '',
      build: function () {
        var label = function (b) { return b.kind + ': ' + b.subject + (b.period ? ' (' + b.period + ')' : ''); };
        return {
          option: base({
            grid: { left: 300, right: 40, top: 20, bottom: 30 },
            legend: { show: false },
            xAxis: moneyAxis,
            yAxis: { type: 'category', data: top.map(label).reverse(), axisLabel: { width: 290, overflow: 'truncate' } },
            tooltip: { trigger: 'item', confine: true, formatter: function (p) { var b = top[top.length - 1 - p.dataIndex]; return '<div style="max-width:420px;white-space:normal">' + escapeHtml(b.message) + '</div>'; } },
            series: [{ name: 'effect', type: 'bar', barMaxWidth: 18, data: top.map(function (b) { return b.effect_usd; }).reverse() }]
          }),
          table: {
            columns: [
              { label: 'rank', fmt: 'num', get: function (b) { return bs.indexOf(b) + 1; } },
              { label: 'kind', get: function (b) { return b.kind; } },
              { label: 'subject', get: function (b) { return b.subject; } },
              { label: 'period', get: function (b) { return b.period || ''; } },
              { label: 'effect (discounted)', fmt: 'money', get: function (b) { return b.effect_usd; } },
              { label: 'shadow price (USD per unit)', fmt: 'num2', get: function (b) { return b.shadow_price_usd; } },
              { label: 'unit', get: function (b) { return b.unit; } },
              { label: 'holds from', fmt: 'num', get: function (b) { return b.holds_from; } },
              { label: 'holds to', fmt: 'num', get: function (b) { return b.holds_to; } },
              { label: 'what it means', wrap: true, get: function (b) { return b.message; } }
            ],
            rows: bs
          }
        };
      }
    });
  }
  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  window.addEventListener('resize', function () { state.charts.forEach(function (c) { c.resize(); }); });
  window.allotViews = {
    views: VIEWS.map(function (v) { return { id: v.id, title: v.title }; }),
    draw: draw,
    show: show,
    hide: hide,
    // What the dashboard's own views reuse.
    util: { el: el, tableEl: tableEl, toCsv: toCsv, download: download, money: money, moneyExact: moneyExact,
      num: num, pct: pct, escapeHtml: escapeHtml, segmented: segmented, palette: PALETTE }
  };
  var blob = document.getElementById('allot-data');
  if (blob) start(blob);
})();
