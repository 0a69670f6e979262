// allot dashboard, view 11: a simulation of the plan shown (POST /plans/{id}/simulate, what
// `allot simulate --json` writes): a form for its options, ECharts line charts of the queue length
// and of the utilisation of each chip pool over time, the plan's training runs with their finish
// against their deadline (missed ones marked), and the headline metrics. Every text from the
// server or the scenario reaches the page through textContent (util.el), ECharts' tooltips
// through util.escapeHtml. window.allotDashboard.simulation exposes the state, for tests.
(function () {
  'use strict';

  var V = window.allotViews, U = V.util, el = U.el, dash = window.allotDashboard;
  var POLICIES = [
    ['fifo', 'FIFO'], ['least-cost', 'least cost'], ['gavel', 'Gavel (heterogeneity-aware max-min)'],
    ['max-min', 'max-min (agnostic)'], ['finish-time', 'finish-time fairness']
  ];
  var DAY = 86400;
  var sim = { planId: null, charts: [], result: null, rendered: {}, tables: {} };
  dash.simulation = sim;
  sim.csv = function (id) { return sim.tables[id] ? U.toCsv(sim.tables[id]) : null; };

  function $(id) { return document.getElementById(id); }
  function days(hours) { return hours / 24; }
  function field(label, input, attrs) {
    return el('label', attrs || null, [document.createTextNode(label + ' '), input]);
  }

  // The period a simulation starts from: the first in which a training run of the plan starts,
  // else the plan's first.
  function firstTrainingPeriod(plan) {
    var periods = plan.periods || [];
    var starts = (plan.training || []).map(function (t) { return t.start; })
      .filter(function (p) { return periods.indexOf(p) >= 0; })
      .sort(function (a, b) { return periods.indexOf(a) - periods.indexOf(b); });
    return starts[0] || periods[0] || '';
  }

  // Opens the view for the plan shown: the form once per plan; charts resized when shown again.
  sim.open = function () {
    var body = $('sim-body');
    if (!dash.planId || !window.allotReport) {
      body.textContent = '';
      sim.planId = null;
      body.appendChild(el('div', { class: 'empty', text: 'No plan is shown: choose one in the header, or make one in 9. Scenario editor.' }));
      return;
    }
    if (sim.planId === dash.planId) {
      sim.charts.forEach(function (c) { c.resize(); });
      return;
    }
    sim.planId = dash.planId;
    sim.result = null;
    dispose();
    body.textContent = '';
    form(body, window.allotReport.data.plan);
  };

  function dispose() {
    sim.charts.forEach(function (c) { c.dispose(); });
    sim.charts = [];
    sim.rendered = {};
    sim.tables = {};
  }

  function form(body, plan) {
    var period = el('select', { id: 'sim-period', 'aria-label': 'Period whose fleet is simulated' },
      (plan.periods || []).map(function (p) { return el('option', { value: p, text: p }); }));
    period.value = firstTrainingPeriod(plan);
    var chips = el('input', { type: 'text', id: 'sim-chips', placeholder: 'H100=512,MI300X=64', 'aria-label': 'Chips instead of the period' });
    var work = el('select', { id: 'sim-work', 'aria-label': 'Other work' }, [
      el('option', { value: 'generate', text: 'generated (Gavel\'s distributions)' }),
      el('option', { value: 'trace', text: 'a CSV trace' }),
      el('option', { value: 'none', text: 'none: the plan\'s runs alone' })
    ]);
    var jobs = el('input', { type: 'number', id: 'sim-jobs', min: '1', max: '10000', step: '1', value: '1000', class: 'short' });
    var rate = el('input', { type: 'number', id: 'sim-rate', min: '0', step: 'any', value: '1', class: 'short' });
    var seed = el('input', { type: 'number', id: 'sim-seed', min: '0', step: '1', value: '1', class: 'short' });
    var trace = el('input', { type: 'file', id: 'sim-trace', accept: '.csv,text/csv,text/plain' });
    var throughput = el('input', { type: 'file', id: 'sim-throughput', accept: '.csv,text/csv,text/plain' });
    var policy = el('select', { id: 'sim-policy', 'aria-label': 'Policy' },
      POLICIES.map(function (p) { return el('option', { value: p[0], text: p[1] }); }));
    // The server's time_limit_s: 30 s unless set, at most 60 s (docs/server.md).
    var limit = el('input', { type: 'number', id: 'sim-time-limit', min: '0.001', max: '60', step: 'any', value: '30', class: 'short' });
    var run = el('button', { type: 'submit', class: 'primary', id: 'sim-run', text: 'Simulate' });
    var state = el('div', { class: 'job-state', id: 'sim-state', role: 'status' });
    var generated = el('span', { class: 'sim-generated' }, [field('jobs', jobs), field('per hour', rate), field('seed', seed)]);
    var traced = el('span', { class: 'sim-traced' }, [field('trace', trace), field('throughput matrix (optional)', throughput)]);
    function shown() {
      generated.hidden = work.value !== 'generate';
      traced.hidden = work.value !== 'trace';
    }
    work.addEventListener('change', shown);
    shown();
    var f = el('form', { id: 'sim-form' }, [
      el('div', { class: 'form-row' }, [field('Fleet: the chips held in', period), field('or these chips instead', chips), field('Policy', policy), field('time limit (s)', limit)]),
      el('div', { class: 'form-row' }, [field('Other work', work), generated, traced, run])
    ]);
    body.appendChild(el('div', { class: 'panel' }, [
      el('div', { class: 'panel-head' }, [el('h3', { text: 'Simulate plan ' + dash.planId })]),
      el('p', { class: 'note', text: 'Generated work follows Gavel\'s published distributions (durations, gangs of 1–8 chips, Poisson arrivals) at 1 chip-second of work per second on every chip. A trace is a CSV (id,arrival_s,job_type,gang,duration_s[,deadline_s]; docs/simulate.md). The server simulates at most 10,000 jobs under FIFO and least cost, 1,000 under the round-based policies, each within its time limit (30 s unless set, at most 60 s): one its time limit stops is answered with where it stopped, not a partial result.' }),
      f, state
    ]));
    var out = el('div', { id: 'sim-result' });
    body.appendChild(out);
    var text = function (input) {
      var file = input.files && input.files[0];
      return file ? file.text() : Promise.resolve(null);
    };
    f.addEventListener('submit', function (e) {
      e.preventDefault();
      var req = { policy: policy.value, seed: +seed.value || 0, time_limit_s: +limit.value };
      if (chips.value.trim()) req.chips = chips.value.trim(); else req.period = period.value;
      var ready = Promise.resolve();
      if (work.value === 'generate') {
        req.generate = +jobs.value || 0;
        req.rate = rate.value === '' ? 0 : +rate.value;
      } else if (work.value === 'trace') {
        ready = Promise.all([text(trace), text(throughput)]).then(function (t) {
          if (t[0] === null) throw new Error('choose a trace file first');
          req.trace = t[0];
          if (t[1] !== null) req.throughput = t[1];
        });
      }
      run.disabled = true;
      state.className = 'job-state';
      state.textContent = 'Simulating…';
      var planId = dash.planId;
      var t0 = performance.now();
      ready.then(function () {
        return dash.api('POST', '/plans/' + planId + '/simulate', req);
      }).then(function (r) {
        run.disabled = false;
        if (planId !== sim.planId) return;
        var s = (performance.now() - t0) / 1000;
        state.className = 'job-state good';
        state.textContent = 'Simulated in ' + U.num(s, 2) + ' s: ' + r.body.runs.length + ' training run' + (r.body.runs.length === 1 ? '' : 's') +
          ', ' + r.body.trace_jobs + ' other job' + (r.body.trace_jobs === 1 ? '' : 's') + ', policy ' + r.body.policy + '.';
        sim.request = req;
        show(out, r.body);
      }).catch(function (err) {
        run.disabled = false;
        state.className = 'job-state bad';
        state.textContent = err.message;
      });
    });
  }

  // A panel with a chart (when `option`), its table under "Table" and the table's CSV.
  function panel(parent, id, title, note, table, option) {
    sim.tables[id] = table;
    var csv = el('button', { type: 'button', class: 'csv', text: 'CSV' });
    csv.addEventListener('click', function () { U.download(id + '.csv', U.toCsv(table)); });
    var chartEl = option ? el('div', { class: 'chart', id: 'chart-' + id, style: 'height:300px' }) : null;
    var details = option ? el('details', { class: 'table-wrap' }, [el('summary', { text: 'Table' }), U.tableEl(table)]) : U.tableEl(table);
    parent.appendChild(el('div', { class: 'panel', id: 'panel-' + id }, [
      el('div', { class: 'panel-head' }, [el('h3', { text: title }), el('div', { class: 'tools' }, [csv])]),
      note ? el('p', { class: 'note', text: note }) : null,
      chartEl, details
    ]));
    if (option) {
      var chart = echarts.init(chartEl, null, { renderer: 'svg' });
      chart.setOption(option);
      sim.charts.push(chart);
    }
    return details;
  }

  function lineOption(series, yAxis, tip) {
    return {
      animation: false,
      color: U.palette,
      textStyle: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif' },
      grid: { left: 64, right: 24, top: 40, bottom: 44 },
      legend: { type: 'scroll', top: 0, left: 0, right: 0 },
      tooltip: { trigger: 'axis', confine: true, formatter: tip },
      xAxis: { type: 'value', name: 'days from the start', nameLocation: 'middle', nameGap: 26, min: 0,
        axisLabel: { formatter: function (v) { return U.num(v, 1); } } },
      yAxis: yAxis,
      series: series
    };
  }

  // The tooltip of a line chart: the day, then each series' value (names escaped).
  function tipOf(fmt) {
    return function (params) {
      var ps = Array.isArray(params) ? params : [params];
      if (!ps.length) return '';
      var lines = ['day ' + U.escapeHtml(U.num(ps[0].value[0], 2))];
      ps.forEach(function (p) { lines.push(p.marker + ' ' + U.escapeHtml(p.seriesName) + ': ' + U.escapeHtml(fmt(p.value[1]))); });
      return lines.join('<br>');
    };
  }

  // Each training run's time on chips, shaded behind the queue (the first 12 runs).
  function runSpans(runs) {
    return {
      silent: true,
      itemStyle: { color: 'rgba(224, 123, 57, 0.12)' },
      label: { position: 'insideTopLeft', color: '#8c4a1c', fontSize: 11 },
      data: runs.slice(0, 12).map(function (r) {
        return [{ name: r.name + (r.missed ? ' (missed)' : ''), xAxis: r.start_h / 24 }, { xAxis: r.finish_h / 24 }];
      })
    };
  }

  function show(out, c) {
    dispose();
    out.textContent = '';
    sim.result = c;
    var m = c.metrics, h = 3600;
    var missed = c.runs.filter(function (r) { return r.missed; }).length;
    var facts = el('div', { class: 'facts sim-facts', id: 'sim-facts' });
    [
      ['Fleet (' + c.fleet + ')', c.pools.map(function (p) { return U.num(p.chips) + ' ' + p.chip; }).join(', ') || 'none'],
      ['Training runs missing their deadline', missed + ' of ' + (c.runs.length + c.skipped.length)],
      ['Average JCT', U.num(m.avg_jct_s / h, 1) + ' h'],
      ['p99 JCT', U.num(m.p99_jct_s / h, 1) + ' h'],
      ['Makespan', U.num(m.makespan_s / DAY, 1) + ' days'],
      ['Cost', U.money(m.cost_usd)]
    ].forEach(function (it) {
      var span = el('span', { text: it[0] + ': ' });
      span.appendChild(el('b', { text: it[1] }));
      facts.appendChild(span);
    });
    out.appendChild(facts);
    var serving = Object.keys(c.serving_chips || {});
    if (serving.length) {
      out.appendChild(el('p', { class: 'note', text: 'Serving keeps ' + serving.map(function (k) { return U.num(c.serving_chips[k]) + ' ' + k; }).join(', ') + ' of the period\'s chips; they are not in the fleet.' }));
    }
    if (c.trace_jobs) {
      var t = c.trace_metrics;
      out.appendChild(el('p', { class: 'note', text: 'Other work alone: ' + c.trace_jobs + ' jobs, average JCT ' + U.num(t.avg_jct_s / h, 2) + ' h, p99 ' + U.num(t.p99_jct_s / h, 2) + ' h, cost ' + U.money(t.cost_usd) + '. JCT and cost above count every job, the plan\'s runs with the rest.' }));
    }

    var tl = c.timeline;
    var grid = el('div', { class: 'grid' });
    out.appendChild(grid);
    var queue = tl.map(function (s) { return [s.t_s / DAY, s.queued]; });
    panel(grid, 'sim-queue', 'Queue length', 'Jobs arrived and waiting for chips, averaged over each of ' + tl.length + ' equal spans of the run; shaded: each training run from its start to its finish.', {
      columns: [
        { label: 'day', fmt: 'num2', get: function (s) { return s.t_s / DAY; } },
        { label: 'jobs waiting', fmt: 'num2', get: function (s) { return s.queued; } }
      ],
      rows: tl
    }, lineOption([{ name: 'jobs waiting', type: 'line', step: 'end', showSymbol: false, areaStyle: { opacity: 0.15 }, data: queue,
      markArea: runSpans(c.runs) }],
      { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: '#eef1f4' } } },
      tipOf(function (v) { return U.num(v, 2); })));
    var pools = c.pools.map(function (p, k) {
      return { name: p.chip + ' (' + U.num(p.chips) + ' chips)', k: k };
    });
    var pct = function (v) { return U.pct(v); };
    panel(grid, 'sim-utilisation', 'Utilisation per chip pool', 'Busy chips over the pool\'s chips, averaged over the same spans.', {
      columns: [{ label: 'day', fmt: 'num2', get: function (s) { return s.t_s / DAY; } }].concat(pools.map(function (p) {
        return { label: p.name, fmt: 'pct', get: function (s) { return s.utilisation[p.k]; } };
      })),
      rows: tl
    }, lineOption(pools.map(function (p) {
      return { name: p.name, type: 'line', step: 'end', showSymbol: false, data: tl.map(function (s) { return [s.t_s / DAY, s.utilisation[p.k]]; }) };
    }), { type: 'value', min: 0, max: 1, axisLabel: { formatter: pct }, splitLine: { lineStyle: { color: '#eef1f4' } } }, tipOf(pct)));
    sim.rendered.queue = queue.length;
    sim.rendered.pools = pools.length;

    var runs = c.runs.concat(c.skipped.map(function (s) { return { name: s.name, skipped: s.reason }; }));
    var table = panel(out, 'sim-runs', 'The plan\'s training runs: finish against deadline',
      'Days from the start of ' + c.origin + '. A run arrives at the start of the month the plan starts it and must finish by the end of its deadline month. Slack is the deadline less the finish.', {
        columns: [
          { label: 'run', get: function (r) { return r.name; } },
          { label: 'chips', fmt: 'num', get: function (r) { return r.skipped ? null : r.gang; } },
          { label: 'on', get: function (r) { return r.skipped ? '' : r.chip; } },
          { label: 'arrives (day)', fmt: 'num2', get: function (r) { return r.skipped ? null : days(r.arrival_h); } },
          { label: 'starts (day)', fmt: 'num2', get: function (r) { return r.skipped ? null : days(r.start_h); } },
          { label: 'finishes (day)', fmt: 'num2', get: function (r) { return r.skipped ? null : days(r.finish_h); } },
          { label: 'deadline (day)', fmt: 'num2', get: function (r) { return r.skipped ? null : days(r.deadline_h); } },
          { label: 'slack (days)', fmt: 'num2', get: function (r) { return r.skipped ? null : days(r.deadline_h - r.finish_h); } },
          { label: 'result', get: function (r) { return r.skipped ? 'cannot run: ' + r.skipped : (r.missed ? 'MISSED' : 'met'); } }
        ],
        rows: runs
      });
    table.querySelectorAll('tbody tr').forEach(function (tr, i) {
      var r = runs[i];
      tr.className = r.skipped ? 'skipped' : (r.missed ? 'missed' : 'met');
    });
    sim.rendered.runs = runs.length;
  }

  window.addEventListener('resize', function () { sim.charts.forEach(function (c) { c.resize(); }); });
})();
